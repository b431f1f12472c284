"""Registry of shape functions: one small function per op (or op family).

A shape function receives a :class:`~trtlint.shapes.context.ShapeContext` and returns
one :data:`~trtlint.graph.tensors.Shape` per output (``None`` for unknown rank, -1 for
a new unknown dim; an input's dim passed on as is keeps its identity, see
:mod:`trtlint.shapes.symbols`).  It may also record the constant *value* of an output with
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
#: op -> how its unknown-rank outputs relate to its inputs: "first" (every output is
#: input 0's shape) or "same" (output k is input k's shape)
_FORWARDS: dict[str, str] = {}


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


def forwards_shape(*ops: str, each: bool = False) -> None:
    """Declare that these ops' outputs *are* their input's shape (TensorFlow's
    ``UnchangedShape`` and friends set ``output(0) = input(0)``): an unknown-rank
    output then shares the input's identity, so that a rank a later consumer requires
    reaches back through them (``x -> Relu -> Conv2D`` makes x rank 4).  ``each``:
    output k is input k's shape (IdentityN), instead of every output input 0's."""
    for op in ops:
        _FORWARDS[op] = "same" if each else "first"


def forwarded_input(op: str, output: int) -> Optional[int]:
    """The input whose shape output ``output`` of ``op`` is, if it is one."""
    kind = _FORWARDS.get(op)
    if kind is None:
        return None
    return 0 if kind == "first" else output
