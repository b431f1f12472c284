"""Slicing and gathering: Slice, StridedSlice (masks, ellipsis, new axes), Gather*,
Scatter*.

``strided_slice_plan`` is TensorFlow's canonicalisation of a strided slice over an
input of known rank: the sparse spec (one entry per ``begin`` element, with masks)
becomes a dense one (one entry per input dim), each dim's range is clamped as Python
slicing clamps it, and the final shape drops shrunk dims and adds new axes.
"""

from __future__ import annotations

from typing import Optional

from ..registry import shape_fn
from ..util import (ShapeError, concatenate, is_fully_defined, merge_dim, sub_dim,
                    subshape, unknown, with_rank, with_rank_at_least)
from .folding import take_along_axis, trunc_div


# -- slicing -----------------------------------------------------------------------------
def _grappler_slice(ctx):
    """Slice as TensorFlow's shape function runs in grappler: sizes from the whole
    constant (-1: the input's dim minus begin, the same dim when begin is 0), else
    from the sizes read as a shape (-1 there is just unknown)."""
    input_shape = ctx.input_shape(0)
    begin_len = ctx.with_rank(1, 1)[0]
    size_len = ctx.with_rank(2, 1)[0]
    n = merge_dim(begin_len, size_len)
    if n >= 0:
        ctx.with_rank(0, n)
    begin = ctx.shape_from_tensor(1)
    sizes = ctx.input_value(2)
    if sizes is not None:
        begin = with_rank(begin, len(sizes))
        out = []
        for i, size in enumerate(sizes):
            size = int(size)
            if size == -1:
                dim = input_shape[i] if input_shape is not None else -1
                out.append(sub_dim(dim, begin[i]) if begin[i] >= 0 else -1)
            elif size < -1:
                raise ShapeError("negative slice size")
            else:
                out.append(size)
        return [tuple(out)]
    sizes_shape = ctx.shape_from_tensor(2)
    if sizes_shape is not None:
        with_rank(begin, len(sizes_shape))
        return [tuple(sizes_shape)]
    return [unknown(len(input_shape)) if input_shape is not None else None]


@shape_fn("Slice")
def slice_op(ctx):
    if ctx.grappler:
        return _grappler_slice(ctx)
    shape = ctx.input_shape(0)
    begin_shape = ctx.with_rank(1, 1)
    size_shape = ctx.with_rank(2, 1)
    n = merge_dim(begin_shape[0], size_shape[0])
    if n >= 0:
        shape = ctx.with_rank(0, n)
    begin = ctx.input_partial(1)
    sizes = ctx.input_partial(2)
    if sizes is None:
        size_len = size_shape[0] if size_shape[0] >= 0 else n
        if size_len >= 0:
            return [unknown(size_len)]
        return [None if shape is None else unknown(len(shape))]
    rank = len(sizes)
    shape = ctx.with_rank(0, rank)
    out = []
    for i, s in enumerate(sizes):
        if s is None:
            out.append(-1)
        elif int(s) == -1:
            b = begin[i] if begin is not None else None
            out.append(-1 if b is None else sub_dim(shape[i], int(b)))
        elif int(s) < -1:
            raise ShapeError("negative slice size")
        else:
            out.append(int(s))
    out_t = tuple(out)
    v = ctx.input_partial(0)
    bv = ctx.input_ints(1)
    if v is not None and bv is not None and is_fully_defined(shape) and is_fully_defined(out_t):
        ctx.set_value(0, _slice_values(v, shape, bv, out_t))
    return [out_t]


def _slice_values(values, shape, begin, size) -> list:
    # Gather by walking the output index space (small tensors only).
    if not shape:
        return list(values)
    strides = [1] * len(shape)
    for k in range(len(shape) - 2, -1, -1):
        strides[k] = strides[k + 1] * shape[k + 1]
    out = []

    def walk(dim, base):
        if dim == len(shape):
            out.append(values[base])
            return
        for j in range(size[dim]):
            walk(dim + 1, base + (begin[dim] + j) * strides[dim])

    walk(0, 0)
    return out


_NEW_AXIS, _SHRINK = -1, -2


def strided_slice_plan(shape: tuple, begin, end, strides: list[int], begin_mask: int,
                       end_mask: int, ellipsis_mask: int, new_axis_mask: int,
                       shrink_mask: int):
    """TensorFlow's strided-slice canonicalisation for an input of known rank.

    ``begin``/``end`` may be None (unknown values).  Returns ``(final_shape, ranges)``
    where ``ranges[k]`` is ``(start, stop, step, shrink)`` for each input dim when the
    begin and end values and the dim are known (else None).
    """
    nspec = len(strides)
    if ellipsis_mask & (ellipsis_mask - 1):
        raise ShapeError("more than one ellipsis")
    add_after_ellipsis = 0
    seen = False
    for i in range(nspec):
        if seen and (1 << i) & new_axis_mask:
            add_after_ellipsis += 1
        if (1 << i) & ellipsis_mask:
            seen = True
    if not seen:
        ellipsis_mask |= 1 << nspec
        nspec += 1
    dims = len(shape)
    d_begin = [0] * dims
    d_end = [0] * dims
    d_strides = [1] * dims
    d_bmask = d_emask = d_shrink = 0
    gather: list[int] = []
    full = 0
    for i in range(nspec):
        bit = 1 << i
        if bit & ellipsis_mask:
            nxt = min(dims - (nspec - i) + 1 + add_after_ellipsis, dims)
            while full < nxt:
                d_begin[full] = d_end[full] = 0
                d_strides[full] = 1
                d_bmask |= 1 << full
                d_emask |= 1 << full
                gather.append(full)
                full += 1
        elif bit & new_axis_mask:
            gather.append(_NEW_AXIS)
        else:
            if full == dims:
                raise ShapeError("strided slice index out of range")
            if begin is not None:
                d_begin[full] = begin[i]
            if end is not None:
                d_end[full] = end[i]
            d_strides[full] = strides[i]
            if begin_mask & bit:
                d_bmask |= 1 << full
            if end_mask & bit:
                d_emask |= 1 << full
            if shrink_mask & bit:
                gather.append(_SHRINK)
                d_shrink |= 1 << full
            else:
                gather.append(full)
            full += 1
    valid = begin is not None and end is not None
    processing: list[int] = []
    ranges: list = []
    for i in range(dims):
        b, e, s = d_begin[i], d_end[i], d_strides[i]
        dim = shape[i]
        if s == 0:
            raise ShapeError("strided slice stride 0")
        shrink = bool(d_shrink & (1 << i))
        bm, em = bool(d_bmask & (1 << i)), bool(d_emask & (1 << i))
        if dim < 0:
            processing.append(1 if shrink else -1)
            ranges.append(None)
            continue
        lo, hi = (0, dim) if s > 0 else (-1, dim - 1)

        def canonical(x, c):
            if (bm, em)[c]:
                return (lo, hi)[c] if s > 0 else (lo, hi)[(c + 1) & 1]
            xf = x + dim if x < 0 else x
            return lo if xf < lo else hi if xf > hi else xf

        if shrink and s <= 0:
            raise ShapeError("shrinking axis needs stride 1")
        if valid:
            if shrink:
                xf = b + dim if b < 0 else b
                if xf < 0 or xf >= dim:
                    raise ShapeError("slice index out of bounds")
                b, e = xf, xf + 1
            else:
                b, e = canonical(b, 0), canonical(e, 1)
            ranges.append((b, e, s, shrink))
            interval = e - b
            known = True
        else:
            ranges.append(None)
            if shrink:
                interval, known = 1, True
            elif bm and em:
                interval, known = (-dim if s < 0 else dim), True
            else:
                known = False
        if known:
            if interval == 0 or ((interval < 0) != (s < 0)):
                size = 0
            else:
                size = trunc_div(interval, s) + (1 if interval % s and
                                                 (interval - trunc_div(interval, s) * s) != 0 else 0)
            processing.append(size)
        else:
            processing.append(-1)
    final = []
    for g in gather:
        if g >= 0:
            final.append(processing[g])
        elif g == _NEW_AXIS:
            final.append(1)
    return tuple(final), ranges


def _strided_values(values, shape, ranges) -> Optional[list]:
    if any(r is None for r in ranges):
        return None
    strides_in = [1] * len(shape)
    for k in range(len(shape) - 2, -1, -1):
        strides_in[k] = strides_in[k + 1] * shape[k + 1]
    index_lists = [list(range(b, e, s)) for b, e, s, _ in ranges]
    out = [values[0]] if not shape else []
    if not shape:
        return out

    def walk(dim, base):
        if dim == len(shape):
            out.append(values[base])
            return
        for j in index_lists[dim]:
            walk(dim + 1, base + j * strides_in[dim])

    walk(0, 0)
    return out


@shape_fn("StridedSlice")
def strided_slice(ctx):
    shape = ctx.input_shape(0)
    bshape = ctx.with_rank(1, 1)
    eshape = ctx.with_rank(2, 1)
    sshape = ctx.with_rank(3, 1)
    nspec = merge_dim(merge_dim(bshape[0], eshape[0]), sshape[0])
    strides = ctx.input_ints(3)
    handle = ctx.input_handle(0)
    if handle is not None:
        ctx.set_handle(0, handle)
    if shape is None or nspec < 0 or strides is None:
        return [None]
    begin = ctx.input_ints(1)
    end = ctx.input_ints(2)
    masks = [int(ctx.attr(k, 0)) for k in ("begin_mask", "end_mask", "ellipsis_mask",
                                           "new_axis_mask", "shrink_axis_mask")]
    final, ranges = strided_slice_plan(tuple(shape), begin, end, strides, *masks)
    v = ctx.input_partial(0)
    if v is not None and is_fully_defined(shape):
        sv = _strided_values(v, shape, ranges)
        if sv is not None:
            ctx.set_value(0, sv)
    return [final]


@shape_fn("StridedSliceGrad")
def strided_slice_grad(ctx):
    return [ctx.shape_from_tensor(0)]


@shape_fn("StridedSliceAssign")
def strided_slice_assign(ctx):
    return [ctx.input_shape(0)]


# -- gather ------------------------------------------------------------------------------
@shape_fn("Gather")
def gather_v1(ctx):
    params = with_rank_at_least(ctx.input_shape(0), 1)
    indices = ctx.input_shape(1)
    out = concatenate(indices, subshape(params, 1))
    _fold_gather(ctx, 0, 0)
    return [out]


def _fold_gather(ctx, axis: int, batch_dims: int) -> None:
    params = ctx.input_shape(0)
    pv = ctx.input_partial(0)
    iv = ctx.input_ints(1)
    if pv is None or iv is None or batch_dims != 0 or not is_fully_defined(params):
        return
    if any(i < 0 or i >= params[axis] for i in iv):
        return
    ctx.set_value(0, take_along_axis(pv, params, axis, iv))


@shape_fn("GatherV2")
def gather_v2(ctx):
    params = with_rank_at_least(ctx.input_shape(0), 1)
    indices = ctx.input_shape(1)
    ctx.with_rank(2, 0)
    axis = ctx.input_scalar(2)
    batch_dims = int(ctx.attr("batch_dims", 0))
    if axis is None:
        if params is not None and indices is not None:
            return [unknown(len(params) + len(indices) - 1 - batch_dims)]
        return [None]
    axis = int(axis)
    with_rank_at_least(params, -axis if axis < 0 else axis + 1)
    with_rank_at_least(indices, abs(batch_dims))
    if batch_dims < 0:
        if indices is None:
            return [None]
        batch_dims += len(indices)
    with_rank_at_least(params, batch_dims + 1)
    out = concatenate(subshape(params, 0, axis), subshape(indices, batch_dims))
    if axis != -1:
        out = concatenate(out, subshape(params, axis + 1))
    if params is not None:
        _fold_gather(ctx, axis + len(params) if axis < 0 else axis, batch_dims)
    return [out]


@shape_fn("ResourceGather")
def resource_gather(ctx):
    handle = ctx.input_handle(0)
    params = handle[1] if handle is not None and handle[0] == "shape" else None
    indices = ctx.input_shape(1)
    batch_dims = int(ctx.attr("batch_dims", 0))
    params = with_rank_at_least(params, 1)
    out = concatenate(subshape(indices, 0), subshape(params, batch_dims + 1))
    if params is not None and indices is not None and batch_dims:
        out = concatenate(subshape(params, 0, batch_dims),
                          concatenate(subshape(indices, batch_dims), subshape(params, batch_dims + 1)))
    return [out]


@shape_fn("GatherNd")
def gather_nd(ctx):
    params = ctx.input_shape(0)
    indices = ctx.input_shape(1)
    if indices is None:
        return [None]
    with_rank_at_least(indices, 1)
    r = indices[-1]
    if r < 0:
        return [None]
    if params is None:
        return [None]
    if r > len(params):
        raise ShapeError("GatherNd index depth exceeds params rank")
    return [tuple(indices[:-1]) + tuple(params[r:])]


@shape_fn("ScatterNd")
def scatter_nd(ctx):
    return [ctx.shape_from_tensor(2)]


@shape_fn("TensorScatterUpdate", "TensorScatterAdd", "TensorScatterSub",
          "TensorScatterMax", "TensorScatterMin")
def tensor_scatter(ctx):
    return [ctx.input_shape(0)]
