"""Shape inference without TensorFlow.

``infer_shapes(graph)`` returns a :class:`ShapeMap`: the shape of every output tensor
(``None`` for unknown rank, -1 for unknown dims) and, for small integer tensors, their
constant values, folded as TensorFlow's import-time shape inference folds shape
arithmetic.  ``infer_shapes(graph, grappler=True)`` gives instead the shapes TF-TRT
segments with -- grappler's: unknown dims are symbols (-2, -3, ...) shared by the
tensors grappler knows have the same size, a consumer's rank requirement reaches back
to an unknown-rank producer, and nothing is evaluated (see :mod:`.symbols`).

Shape functions live in ``trtlint/shapes/ops/`` by op family; an op without one gets
unknown shapes, which is always safe (never a wrong known dim).
"""

from .infer import ShapeMap, infer_shapes

__all__ = ["ShapeMap", "infer_shapes"]
