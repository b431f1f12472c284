"""Registry of shape functions: one small function per op (or op family).

A shape function receives a :class:`~trtlint.shapes.context.ShapeContext` and returns
one :data:`~trtlint.graph.tensors.Shape` per output (``None`` for unknown rank, -1 for
an unknown dim).  It may also record the constant *value* of an output with
``ctx.set_value(i, values)`` so that shape arithmetic (``Shape -> StridedSlice ->
Pack -> Reshape``) folds the way TensorFlow's shape inference folds it.

    @shape_fn("Relu", "Relu6", "Tanh")
    def unary(ctx):
        return [ctx.input_shape(0)]
"""

from __future__ import annotations

from typing import Callable, Optional

from ..graph.tensors import Shape

ShapeFn = Callable[["ShapeContext"], Optional[list[Shape]]]  # noqa: F821

_REGISTRY: dict[str, ShapeFn] = {}


def shape_fn(*ops: str) -> Callable[[ShapeFn], ShapeFn]:
    """Register the decorated function as the shape function of ``ops``."""

    def register(fn: ShapeFn) -> ShapeFn:
        for op in ops:
            if op in _REGISTRY:
                raise ValueError(f"shape function for {op} registered twice")
            _REGISTRY[op] = fn
        return fn

    return register


def lookup(op: str) -> Optional[ShapeFn]:
    return _REGISTRY.get(op)


def registered_ops() -> list[str]:
    return sorted(_REGISTRY)
