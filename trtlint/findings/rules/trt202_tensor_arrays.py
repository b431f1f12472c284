"""TRT202: TensorArray ops."""

from __future__ import annotations

from typing import Iterable

from ..base import Rule
from ..model import Finding
from ._text import plural, some

TENSOR_ARRAY_PREFIXES = ("TensorArray", "TensorList")


def owner_scope(name: str) -> str:
    """The scope that owns a TensorArray op: everything before the first ``while`` or
    ``TensorArray*`` component (``"pre/map/TensorArrayStack/TensorArrayGatherV3"`` and
    ``"pre/map/while/TensorArrayReadV3"`` both belong to ``"pre/map"``)."""
    parts = name.split("/")[:-1]
    for i, part in enumerate(parts):
        if part == "while" or part.startswith(TENSOR_ARRAY_PREFIXES):
            return "/".join(parts[:i])
    return "/".join(parts)


class TensorArrays(Rule):
    """TensorArray (TF1) or TensorList (TF2) ops carry values between loop iterations.

    TF-TRT converts none of them: they hold a resource handle and a flow scalar, not
    tensors TensorRT can take.  ``tf.map_fn``, ``tf.scan`` and ``dynamic_rnn`` build them;
    everything that writes into or reads out of them is a TensorFlow<->TensorRT boundary.
    The finding counts them per name scope.

    Anti-pattern::

        outputs = tf.map_fn(normalise, images)             # TensorArrayScatter/Read/Write/Gather
        ys, _ = tf.compat.v1.nn.dynamic_rnn(cell, xs, dtype=tf.float32)

    Fix::

        outputs = normalise_batched(images)                # one batched op
        ys = tf.keras.layers.RNN(cell, unroll=True)(xs)    # fixed-length sequences
    """

    id = "TRT202"
    name = "tensor-array-ops"
    severity = "info"

    def check(self, analysis) -> Iterable[Finding]:
        a = analysis
        by_scope: dict[str, list[str]] = {}
        for node in a.graph:
            if node.op.startswith(TENSOR_ARRAY_PREFIXES):
                by_scope.setdefault(owner_scope(node.name), []).append(node.name)
        for scope, names in sorted(by_scope.items()):
            ops: dict[str, int] = {}
            for n in names:
                ops[a.graph[n].op] = ops.get(a.graph[n].op, 0) + 1
            yield self.finding(
                f"{plural(len(names), 'TensorArray op')} in {scope or 'the top scope'} stay in "
                f"TensorFlow ({some(f'{op} {c}' for op, c in sorted(ops.items()))}): each "
                f"read and write is a boundary between TensorFlow and any engine next to it",
                node=names[0], fix="Replace map_fn/scan/dynamic_rnn with batched or unrolled "
                                   "ops, or keep the loop outside the converted graph.",
                nodes=len(names), ops=ops)
