"""TRT103: nodes that only implicit batch mode keeps out of engines."""

from __future__ import annotations

from typing import Iterable

from ...insights import constant_nodes
from ...support.ruleset import load_ruleset
from ..base import Rule
from ..model import Finding
from ._text import plural, some

#: reason codes that dynamic shape mode (explicit batch) would lift
LIFTED_BY_DYNAMIC_SHAPE = {
    "implicit_batch_rank": "tensors of rank < 2 (implicit batch mode needs a batch dim plus one)",
    "explicit_batch_only": "converters that exist only in explicit batch mode",
}


class ImplicitBatchLimits(Rule):
    """Many nodes with a converter stay in TensorFlow only because of implicit batch mode.

    Implicit batch mode treats the first dimension of every tensor as the batch and
    hides it from TensorRT, so scalars and vectors (shape arithmetic, per-box scores,
    loop counters) cannot enter an engine, and some converters (ZerosLike, Shape, Select,
    Fill, Split, CombinedNonMaxSuppression, ...) exist only in explicit batch mode.  In
    post-processing heavy graphs this is most of the graph.  The finding counts those
    nodes by op type; ``--dynamic-shape`` shows what explicit batch mode would convert.

    Anti-pattern::

        converter = trt.TrtGraphConverterV2(input_saved_model_dir=d)   # implicit batch
        # ... 1025 ops with converters stay in TF: "implicit batch mode requires input
        # shape with at least two dimensions"

    Fix::

        converter = trt.TrtGraphConverterV2(input_saved_model_dir=d, use_dynamic_shape=True,
                                            dynamic_shape_profile_strategy="Optimal")
        # trtlint analyze MODEL --dynamic-shape
    """

    id = "TRT103"
    name = "implicit-batch-limits"
    severity = "info"

    def check(self, analysis) -> Iterable[Finding]:
        a = analysis
        if not a.target.implicit_batch or a.target.profile != "tf2":
            return  # TF 1.x has no explicit batch mode to suggest
        registered = load_ruleset(a.target.profile).registered
        counts: dict[str, dict[str, int]] = {code: {} for code in LIFTED_BY_DYNAMIC_SHAPE}
        first: dict[str, str] = {}
        constant = constant_nodes(a)
        for name, d in a.decisions.items():
            r = d.reason
            if d.supported or r is None or r.code not in counts or d.op not in registered:
                continue
            node = a.graph[name]
            if node.inputs and all(ref.node in constant for ref in node.inputs):
                continue  # weights plumbing (a Const's /read Identity): no data flows here
            counts[r.code][d.op] = counts[r.code].get(d.op, 0) + 1
            first.setdefault(r.code, name)
        total = sum(sum(c.values()) for c in counts.values())
        if total == 0:
            return
        parts = []
        for code, by_op in counts.items():
            if not by_op:
                continue
            ordered = sorted(by_op.items(), key=lambda kv: (-kv[1], kv[0]))
            parts.append(f"{plural(sum(by_op.values()), 'node')} because of "
                         f"{LIFTED_BY_DYNAMIC_SHAPE[code]} ({some(f'{op} {n}' for op, n in ordered)})")
        severity = "warning" if total >= max(10, len(a.graph) // 10) else "info"
        yield self.finding(
            f"{plural(total, 'node')} whose op types have TF-TRT converters stay in TensorFlow "
            f"only because of implicit batch mode: " + "; ".join(parts),
            node=first.get("implicit_batch_rank") or first.get("explicit_batch_only"),
            severity=severity,
            fix="Analyse with --dynamic-shape to see what explicit batch mode would convert "
                "(TrtGraphConverterV2(use_dynamic_shape=True)).",
            counts={code: by_op for code, by_op in counts.items() if by_op})
