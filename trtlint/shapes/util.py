"""Shape algebra shared by shape functions (unknown rank = None).

A dim is an ``int``: ``>= 0`` known; ``<= -2`` a *symbol*, the identity of one unknown dim
(see :mod:`trtlint.shapes.symbols`); ``-1`` unknown with no identity yet (the driver gives
each such dim of an output a fresh symbol, as TensorFlow's ``UnknownDim()`` does).  Every
helper treats any negative dim as unknown.

The helpers mirror the vocabulary of TensorFlow's ``InferenceContext`` so that a
shape function reads like the op's documented shape rule:

* ``with_rank(s, r)`` -- "s must have rank r": an unknown rank becomes r unknown dims.
* ``merge(a, b)`` -- two descriptions of one tensor: every dim known on either side.
  Merging two dims of which one is unknown also *states* that they are equal: while a
  shape function runs under the driver, :func:`merge_dim` records that statement, and
  grappler's final shapes unify the two (a MatMul's inner dims, a ConcatV2's other dims).
* ``add_dim`` / ``mul_dim`` / ``sub_dim`` / ``div_dim`` -- arithmetic on dims, with the
  identities that keep an operand (``x * 1 = x``, ``x + 0 = x``: the *same* dim, symbol
  included) and a new unknown dim (-1) where TensorFlow makes one.

A function that meets inconsistent shapes raises :class:`ShapeError`; the driver then
records unknown shapes for that node rather than guessing.
"""

from __future__ import annotations

from typing import Iterable, Optional, Sequence

from ..graph.tensors import Shape


class ShapeError(ValueError):
    """Inputs whose shapes contradict the op's shape rule (TensorFlow would reject them)."""


UNKNOWN_DIM = -1

#: The merge log of the shape function the driver is running (None outside a run):
#: ``(a, b)`` pairs of dims a shape function stated to be equal.
_dim_merges: Optional[list] = None


def set_merge_log(log: Optional[list]) -> Optional[list]:
    """Start (or, with None, stop) recording dim merges into ``log``; returns the log
    that was active, so that nested runs (function bodies) can restore it."""
    global _dim_merges
    previous, _dim_merges = _dim_merges, log
    return previous


def unknown(rank: Optional[int]) -> Shape:
    """A shape of known rank with every dim unknown (None when the rank is unknown)."""
    return None if rank is None else (-1,) * rank


def is_fully_defined(shape: Shape) -> bool:
    return shape is not None and all(d >= 0 for d in shape)


# -- ranks ---------------------------------------------------------------------------
def with_rank(shape: Shape, rank: int) -> tuple[int, ...]:
    """``shape`` known to have ``rank`` dims (unknown rank becomes all-unknown dims)."""
    if shape is None:
        return (-1,) * rank
    if len(shape) != rank:
        raise ShapeError(f"shape must be rank {rank}, got {len(shape)}")
    return tuple(shape)


def with_rank_at_least(shape: Shape, rank: int) -> Shape:
    if shape is not None and len(shape) < rank:
        raise ShapeError(f"shape must be at least rank {rank}, got {len(shape)}")
    return shape


def with_rank_at_most(shape: Shape, rank: int) -> Shape:
    if shape is not None and len(shape) > rank:
        raise ShapeError(f"shape must be at most rank {rank}, got {len(shape)}")
    return shape


# -- dims ----------------------------------------------------------------------------
def merge_dim(a: int, b: int) -> int:
    """The dim known from either side (``a`` if neither knows), as TensorFlow's
    ``Merge``: equal sizes or one unknown side, and the two are then the same dim.
    A -1 (no identity: "nothing known yet") just gives way to the other side."""
    if a == b or b == -1:
        return a
    if a == -1:
        return b
    if b < 0:
        if _dim_merges is not None:
            _dim_merges.append((a, b))
        return a
    if a < 0:
        if _dim_merges is not None:
            _dim_merges.append((a, b))
        return b
    raise ShapeError(f"dimensions {a} and {b} are not equal")


def merge_dim_lenient(a: int, b: int) -> int:
    """Like :func:`merge_dim` but keeps ``a`` on conflict (for recorded shapes) and
    states nothing."""
    return a if a >= 0 or b < 0 else b


def add_dim(a: int, b: int) -> int:
    if a == 0:
        return b
    if b == 0:
        return a
    if a < 0 or b < 0:
        return -1
    return a + b


def sub_dim(a: int, b: int) -> int:
    if b == 0:
        return a
    if a < 0 or b < 0:
        return -1
    if a < b:
        raise ShapeError(f"negative dimension {a} - {b}")
    return a - b


def mul_dim(a: int, b: int) -> int:
    if a == 1:
        return b
    if b == 1:
        return a
    if a == 0 or b == 0:
        return 0
    if a < 0 or b < 0:
        return -1
    return a * b


def div_dim(a: int, b: int, evenly: bool = False) -> int:
    """``a / b`` for a known divisor ``b`` (unknown when ``a`` is)."""
    if b == 1:
        return a
    if a < 0 or b < 0:
        return -1
    if b == 0:
        raise ShapeError("division by zero dimension")
    if evenly and a % b:
        raise ShapeError(f"dimension {a} not divisible by {b}")
    return a // b


# -- whole shapes --------------------------------------------------------------------
def merge(a: Shape, b: Shape) -> Shape:
    """Combine two descriptions of the same tensor's shape (TensorFlow's Merge)."""
    if a is None:
        return b
    if b is None:
        return a
    if len(a) != len(b):
        raise ShapeError(f"ranks {len(a)} and {len(b)} are not equal")
    return tuple(merge_dim(x, y) for x, y in zip(a, b))


def merge_lenient(a: Shape, b: Shape) -> Shape:
    """Merge that keeps ``a`` where the two disagree (used for recorded shapes)."""
    if a is None:
        return b
    if b is None or len(a) != len(b):
        return a
    return tuple(x if x >= 0 or y < 0 else y for x, y in zip(a, b))


def merge_all(shapes: Iterable[Shape]) -> Shape:
    out: Shape = None
    for s in shapes:
        out = merge(out, s)
    return out


def relax(a: Shape, b: Shape) -> Shape:
    """The most specific shape that covers both ``a`` and ``b`` (dims that differ and
    ranks that differ become unknown: new dims, -1)."""
    if a is None or b is None or len(a) != len(b):
        return None
    return tuple(x if x == y else -1 for x, y in zip(a, b))


def concatenate(a: Shape, b: Shape) -> Shape:
    if a is None or b is None:
        return None
    return tuple(a) + tuple(b)


def subshape(shape: Shape, start: int, end: Optional[int] = None) -> Shape:
    """``shape[start:end]`` with Python's negative indexing; None for unknown rank."""
    if shape is None:
        return None
    return tuple(shape[start:end]) if end is not None else tuple(shape[start:])


def broadcast_dim(x: int, y: int) -> int:
    """One broadcast output dim, by the same case order as TensorFlow's helper."""
    if x > 1:
        if y > 1 and y != x:
            raise ShapeError(f"incompatible broadcast dims {x} and {y}")
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
    la, lb = len(a), len(b)
    if la == lb:
        if a == b:
            return tuple(a)
        return tuple(broadcast_dim(x, y) for x, y in zip(a, b))
    rank = max(la, lb)
    a2 = (1,) * (rank - la) + tuple(a)
    b2 = (1,) * (rank - lb) + tuple(b)
    return tuple(broadcast_dim(x, y) for x, y in zip(a2, b2))


def broadcast_all(shapes: Iterable[Shape]) -> Shape:
    result: Shape = ()
    for s in shapes:
        result = broadcast(result, s)
        if result is None:
            return None
    return result


def normalize_axis(axis: int, rank: int) -> int:
    """A possibly negative axis as an index into ``rank`` dims (checked)."""
    if axis < -rank or axis >= rank:
        raise ShapeError(f"axis {axis} out of range for rank {rank}")
    return axis + rank if axis < 0 else axis


def product(dims: Iterable[int]) -> int:
    """Product of dims, -1 if any is unknown (0 wins over unknown)."""
    p = 1
    unknown_seen = False
    for d in dims:
        if d == 0:
            return 0
        if d < 0:
            unknown_seen = True
        else:
            p *= d
    return -1 if unknown_seen else p


def num_elements(shape: Shape) -> int:
    """Element count of a shape, -1 when not known."""
    if shape is None:
        return -1
    return product(shape)


def dims_from_values(values: Optional[Sequence]) -> Optional[tuple[int, ...]]:
    """A shape-tensor value (partial: None elements) as dims (-1 and None: unknown)."""
    if values is None:
        return None
    out = []
    for v in values:
        if v is None:
            out.append(-1)
        else:
            iv = int(v)
            if iv < -1:
                raise ShapeError(f"invalid dimension {iv} in shape tensor")
            out.append(iv)
    return tuple(out)
