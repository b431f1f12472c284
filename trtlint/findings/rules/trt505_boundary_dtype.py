"""TRT505: tensors of a dtype TF-TRT does not take keep their consumers out of engines."""

from __future__ import annotations

from typing import Iterable

from ...graph.model import TensorRef
from ...support.ruleset import load_ruleset
from ..base import Rule
from ..model import Finding
from ._text import plural, some


FIXES = {
    "int64": "Produce int32 where the tensor is made (ArgMax/ArgMin output_type=tf.int32, "
             "tf.shape(..., out_type=tf.int32), int32 indices) or Cast to int32 before the "
             "consumers.",
    "float64": "Keep the model in float32 (cast inputs and constants once, at the input).",
    "string": "Decode strings before the model (string processing never runs in TensorRT).",
}


class BoundaryDtype(Rule):
    """An int64/double/string tensor keeps nodes that could convert out of engines.

    TF-TRT only passes tensors of a few types into an engine (TF 2.17: float32, float16,
    int32, bool and uint8; TF 1.x: float32, float16, int32).  An ``ArgMax`` with its default
    ``output_type=int64``, a float64 constant, or a ``tf.shape(..., out_type=tf.int64)``
    keeps every consumer of the tensor in TensorFlow, whatever its op type.

    Anti-pattern::

        labels = tf.argmax(logits, axis=-1)               # int64
        boxes = tf.cast(raw, tf.float64) * scale          # float64 arithmetic

    Fix::

        labels = tf.argmax(logits, axis=-1, output_type=tf.int32)
        boxes = raw * scale                               # stay in float32
    """

    id = "TRT505"
    name = "boundary-dtype"
    severity = "warning"

    def check(self, analysis) -> Iterable[Finding]:
        a = analysis
        g = a.graph
        allowed = ", ".join(sorted(load_ruleset(a.target.profile).tensor_dtypes))
        consumers: dict[str, list[str]] = {}
        for name, d in a.decisions.items():
            r = d.reason
            if d.supported or r is None or r.code != "input_dtype" or r.input_index is None:
                continue
            node = g[name]
            if r.input_index >= len(node.inputs):
                continue
            consumers.setdefault(str(node.inputs[r.input_index]), []).append(name)
        # One finding per dtype: a float64 model has dozens of such tensors, all with the
        # same cause and the same fix.
        by_dtype: dict[str, list[str]] = {}
        for tensor in consumers:
            dtype = g.output_dtype(TensorRef.parse(tensor)) or "unknown"
            by_dtype.setdefault(dtype, []).append(tensor)
        for dtype, tensors in sorted(by_dtype.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            tensors.sort(key=lambda t: (-len(consumers[t]), t))
            names = [n for t in tensors for n in consumers[t]]
            first = TensorRef.parse(tensors[0])
            producer = g.get(first.node)
            what = f"{dtype} tensor {tensors[0]} ({producer.op if producer else '?'}) keeps" \
                if len(tensors) == 1 else \
                f"{len(tensors)} {dtype} tensors ({some(tensors)}) keep"
            yield self.finding(
                f"{what} {plural(len(names), 'consumer')} out of engines ({some(names)}): "
                f"TF-TRT {a.target.profile} takes only {allowed} tensors",
                node=first.node, fix=FIXES.get(dtype, "Produce a supported type where the "
                                                      "tensor is made, or Cast before the "
                                                      "consumers."),
                dtype=dtype, tensors=tensors, consumers=names)
