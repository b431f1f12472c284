"""Shape algebra shared by shape functions (unknown dim = -1, unknown rank = None)."""

from __future__ import annotations

from typing import Iterable, Optional

from ..graph.tensors import Shape


def unknown(rank: Optional[int]) -> Shape:
    """A shape of known rank with every dim unknown (None when the rank is unknown)."""
    return None if rank is None else (-1,) * rank


def merge_dim(a: int, b: int) -> int:
    """The dim known from either side (-1 if neither knows; a wins on conflict)."""
    return a if a >= 0 else b


def merge(a: Shape, b: Shape) -> Shape:
    """Combine two descriptions of the same tensor's shape."""
    if a is None:
        return b
    if b is None or len(a) != len(b):
        return a
    return tuple(merge_dim(x, y) for x, y in zip(a, b))


def broadcast_dim(x: int, y: int) -> int:
    """One broadcast output dim, by the same case order as TensorFlow's helper."""
    if x > 1:
        return x
    if y > 1:
        return y
    if x == 1:
        return y
    if y == 1:
        return x
    if x == y:
        return x
    return -1


def broadcast(a: Shape, b: Shape) -> Shape:
    """NumPy-style broadcasting as TensorFlow's BroadcastBinaryOpShapeFn does it."""
    if a is None or b is None:
        return None
    rank = max(len(a), len(b))
    a2 = (1,) * (rank - len(a)) + tuple(a)
    b2 = (1,) * (rank - len(b)) + tuple(b)
    return tuple(broadcast_dim(x, y) for x, y in zip(a2, b2))


def broadcast_all(shapes: Iterable[Shape]) -> Shape:
    result: Shape = ()
    for s in shapes:
        result = broadcast(result, s)
        if result is None:
            return None
    return result


def normalize_axis(axis: int, rank: int) -> int:
    return axis + rank if axis < 0 else axis


def product(dims: Iterable[int]) -> int:
    """Product of dims, -1 if any is unknown."""
    p = 1
    for d in dims:
        if d < 0:
            return -1
        p *= d
    return p
