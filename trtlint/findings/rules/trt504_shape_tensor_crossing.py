"""TRT504: int32 shape tensors crossing engine boundaries."""

from __future__ import annotations

from typing import Iterable

from ...graph.model import TensorRef
from ...graph.tensors import format_shape
from ...insights import engine_boundaries
from ..base import Rule
from ..model import Finding
from ._text import plural, some


class ShapeTensorCrossing(Rule):
    """Small int32 tensors (shapes, sizes, indices) cross between TensorFlow and an engine.

    A rank-0 or rank-1 int32 tensor at an engine boundary is almost always shape
    arithmetic (``tf.shape(x)[0] * 4``, a Reshape target, a slice size) computed half in
    TensorFlow and half in TensorRT.  Each such crossing is a device-to-host
    synchronisation point, and in dynamic shape mode it makes the engine depend on shape
    tensor values, which need their own optimization profiles.

    Anti-pattern::

        n = tf.shape(x)[0]                              # TF (Shape is implicit-batch-unfriendly)
        y = tf.reshape(z, tf.stack([n, -1, 4]))         # target computed in the engine

    Fix::

        y = tf.reshape(z, [-1, 100, 4])                 # static target: no shape tensor
    """

    id = "TRT504"
    name = "shape-tensor-crossing"
    severity = "info"

    def check(self, analysis) -> Iterable[Finding]:
        crossings = [b for b in engine_boundaries(analysis)
                     if b.dtype == "int32" and b.shape is not None and len(b.shape) <= 1]
        if not crossings:
            return
        tensors = sorted({b.tensor for b in crossings})
        engines = sorted({b.engine for b in crossings})
        way = {"in": "into", "out": "out of"}
        shown = some((f"{b.tensor} {format_shape(b.shape)} {way[b.direction]} {b.engine}"
                      for b in crossings), 3)
        yield self.finding(
            f"{plural(len(tensors), 'int32 shape-like tensor')} cross{'es' if len(tensors) == 1 else ''} "
            f"between TensorFlow and {plural(len(engines), 'engine')} ({shown}): shape "
            f"arithmetic is split between TensorFlow and TensorRT",
            node=TensorRef.parse(crossings[0].tensor).node,
            segment=engines[0] if len(engines) == 1 else None,
            fix="Use static shapes (constant Reshape targets, -1 for the batch) so no shape has "
                "to be computed at run time.",
            tensors=tensors, engines=engines)
