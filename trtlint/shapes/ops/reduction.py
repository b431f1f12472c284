"""Reductions (Sum, Mean, Max, ...), ArgMax/ArgMin and ReduceJoin.

With the axes known, reduced dims disappear (or become 1 with ``keep_dims``); with the
axes unknown only ``keep_dims`` keeps the rank known.  Small known values are folded:
``Prod(Shape(x))`` is a common way to compute an element count.
"""

from __future__ import annotations

import math
from typing import Callable, Optional

from ..registry import shape_fn
from ..util import ShapeError, is_fully_defined, unknown, with_rank_at_most
from .folding import strides_of
from .math import out_dtype, round_to


def reduced_shape(shape, axes: Optional[list[int]], keep_dims: bool):
    """Output shape of a reduction over ``axes`` (None: axes unknown)."""
    if axes is None or shape is None:
        if keep_dims and shape is not None:
            return unknown(len(shape))
        return None
    rank = len(shape)
    true_axes = set()
    for a in axes:
        if a < -rank or a >= rank:
            raise ShapeError(f"reduction axis {a} out of range for rank {rank}")
        true_axes.add(a + rank if a < 0 else a)
    out = []
    for i, d in enumerate(shape):
        if i in true_axes:
            if keep_dims:
                out.append(1)
        else:
            out.append(d)
    return tuple(out)


def _reduce_values(values: list, shape: tuple, axes: set[int], fn: Callable) -> list:
    """Reduce a flat list of a fully known shape over ``axes`` with ``fn(list)``."""
    rank = len(shape)
    kept = [i for i in range(rank) if i not in axes]
    out_shape = [shape[i] for i in kept]
    groups: dict[int, list] = {}
    in_strides = strides_of(shape)
    out_strides = strides_of(out_shape)
    for flat, v in enumerate(values):
        rem = flat
        key = 0
        for k in range(rank):
            q, rem = divmod(rem, in_strides[k]) if in_strides[k] else (0, rem)
            if k in axes:
                continue
            key += q * out_strides[kept.index(k)]
        groups.setdefault(key, []).append(v)
    total = math.prod(out_shape)
    return [fn(groups.get(i, [])) for i in range(total)]


def _mean(xs):
    return sum(xs) / len(xs) if xs else math.nan


def _int_mean(xs):
    if not xs:
        raise ValueError("mean of nothing")
    s = sum(xs)
    q = abs(s) // len(xs)
    return q if s >= 0 else -q


_REDUCERS: dict[str, Callable] = {
    "Sum": sum,
    "Prod": math.prod,
    "Max": max,
    "Min": min,
    "All": lambda xs: all(bool(x) for x in xs),
    "Any": lambda xs: any(bool(x) for x in xs),
}


@shape_fn("Sum", "Mean", "Prod", "Max", "Min", "All", "Any", "EuclideanNorm")
def reduction(ctx):
    shape = ctx.input_shape(0)
    if (ctx.graph.producer or 0) >= 21:
        with_rank_at_most(ctx.input_shape(1), 1)
    axes = ctx.input_ints(1)
    keep = bool(ctx.attr("keep_dims", False))
    out = reduced_shape(shape, axes, keep)
    _fold(ctx, shape, axes, out)
    return [out]


def _fold(ctx, shape, axes, out) -> None:
    v = ctx.input_value(0)
    if v is None or axes is None or not is_fully_defined(shape) or out is None:
        return
    rank = len(shape)
    axis_set = {a + rank if a < 0 else a for a in axes}
    dtype = out_dtype(ctx)
    op = ctx.op
    if op == "Mean":
        fn = _int_mean if all(isinstance(x, int) and not isinstance(x, bool) for x in v) else _mean
    else:
        fn = _REDUCERS.get(op)
    if fn is None:
        return
    try:
        raw = _reduce_values(v, tuple(shape), axis_set, fn) if rank else [fn([v[0]])]
    except (ValueError, TypeError, OverflowError, ZeroDivisionError):
        return
    if op in ("Max", "Min", "Sum", "Prod", "Mean"):
        raw = [round_to(x, dtype) for x in raw]
        if any(x is None for x in raw):
            return
    ctx.set_value(0, raw)


@shape_fn("ArgMax", "ArgMin")
def arg_max(ctx):
    shape = ctx.input_shape(0)
    if shape is None:
        return [None]
    rank = len(shape)
    if rank <= 1:
        out = ()
    else:
        axis = ctx.input_scalar(1)
        if axis is None:
            return [unknown(rank - 1)]
        axis = int(axis)
        if axis < -rank or axis >= rank:
            raise ShapeError("ArgMax axis out of range")
        axis = axis + rank if axis < 0 else axis
        out = tuple(shape[:axis]) + tuple(shape[axis + 1:])
    v = ctx.input_value(0)
    if v is not None and rank == 1 and v:
        best = max(v) if ctx.op == "ArgMax" else min(v)
        ctx.set_value(0, [v.index(best)])
    return [out]


@shape_fn("ReduceJoin")
def reduce_join(ctx):
    shape = ctx.input_shape(0)
    axes = ctx.input_ints(1)
    keep = bool(ctx.attr("keep_dims", False))
    return [reduced_shape(shape, axes, keep)]
