"""Per-node verdicts: would TF-TRT's segmenter accept this node as a candidate?"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

#: Reason categories, used to group and colour unconverted nodes.
CATEGORIES = {
    "unsupported_op": "op type has no TensorRT converter",
    "io": "graph input or output (TF-TRT never puts fetch nodes in an engine)",
    "device": "placed on a device other than GPU",
    "batch_dim": "implicit batch mode: the op touches or lacks the batch dimension",
    "dynamic_shape": "unknown non-batch dimensions (static engines)",
    "dtype": "data type TensorRT does not take",
    "const_input": "needs a constant input (weights)",
    "attribute": "attribute value the converter does not support",
    "shape": "tensor rank or shape the converter does not support",
    "precision": "depends on the precision mode",
    "control_flow": "control flow stays in TensorFlow",
    "denylist": "excluded by TF_TRT_OP_DENYLIST",
    "input": "an input cannot be given to TensorRT",
    "weights": "needs a constant input (weights)",
    "mode": "converted only in explicit batch (dynamic shape) mode",
}


@dataclass(frozen=True)
class Reason:
    """Why a node is not a TF-TRT candidate.

    ``message`` is TF-TRT's own reason text where it prints one (the ``Reason:`` of its
    "Not a TF-TRT candidate" log line), so predictions can be matched against logs.
    """

    code: str
    message: str
    category: str
    fix: Optional[str] = None
    #: the input (index) the reason is about, when it is about one
    input_index: Optional[int] = None


@dataclass
class SupportDecision:
    node: str
    op: str
    supported: bool
    reasons: list[Reason] = field(default_factory=list)

    @property
    def reason(self) -> Optional[Reason]:
        return self.reasons[0] if self.reasons else None

    @property
    def category(self) -> Optional[str]:
        return self.reasons[0].category if self.reasons else None
