"""Array manipulation: reshape, transpose, concat/pack, split/unpack, slicing, gather,
pad, tile and friends.

These ops both move shapes around and, on small tensors, compute the very values
that other ops use as shapes, so most of them fold values as well.
"""

from __future__ import annotations

import math
from typing import Optional

from ..registry import shape_fn
from ..util import (ShapeError, add_dim, concatenate, div_dim, is_fully_defined, merge,
                    merge_dim, mul_dim, normalize_axis, num_elements, sub_dim, subshape,
                    unknown, with_rank, with_rank_at_least, with_rank_at_most)
from .folding import take_along_axis, transpose_values, trunc_div


def _forward_value(ctx, src: int = 0, dst: int = 0) -> None:
    v = ctx.input_partial(src)
    if v is not None:
        ctx.set_value(dst, v)


# -- reshape family ----------------------------------------------------------------------
@shape_fn("Reshape")
def reshape(ctx):
    in_shape = ctx.input_shape(0)
    out = ctx.shape_from_tensor(1)
    _forward_value(ctx)
    if out is None or in_shape is None:
        return [out]
    out = list(out)
    unknown_out = [i for i, d in enumerate(out) if d < 0]
    unknown_in = [i for i, d in enumerate(in_shape) if d < 0]
    known_out = math.prod(d for d in out if d >= 0)
    known_in = math.prod(d for d in in_shape if d >= 0)
    # Element counts: a zero anywhere fixes the count at zero.
    if 0 in out and not unknown_out:
        known_out = 0
    if len(unknown_out) > 1 or len(unknown_in) > 1:
        return [tuple(out)]
    if not unknown_in and not unknown_out:
        if known_in != known_out:
            raise ShapeError("Reshape changes the number of elements")
    elif not unknown_in and unknown_out and known_out > 0:
        if known_in % known_out:
            raise ShapeError("Reshape: input size not divisible")
        out[unknown_out[0]] = known_in // known_out
    elif unknown_in and unknown_out:
        if known_in == known_out:
            out[unknown_out[0]] = in_shape[unknown_in[0]]  # same unknown dim (still -1)
    return [tuple(out)]


@shape_fn("Squeeze")
def squeeze(ctx):
    shape = ctx.input_shape(0)
    _forward_value(ctx)
    if shape is None:
        return [None]
    rank = len(shape)
    axes = {normalize_axis(a, rank) for a in (ctx.attr("squeeze_dims") or ctx.attr("axis") or [])}
    out = []
    for i, d in enumerate(shape):
        explicit = i in axes
        if d < 0:
            if explicit:
                continue  # assumed to be 1 at runtime
            if not axes:
                return [None]  # squeezing "all ones" with an unknown dim: rank unknown
        elif d == 1:
            if explicit or not axes:
                continue
        elif explicit:
            raise ShapeError(f"cannot squeeze dim {i} of size {d}")
        out.append(d)
    return [tuple(out)]


@shape_fn("ExpandDims")
def expand_dims(ctx):
    shape = ctx.input_shape(0)
    _forward_value(ctx)
    dim = ctx.input_value(1)
    if dim is not None and len(dim) != 1:
        raise ShapeError("ExpandDims takes one axis")
    if shape is None:
        return [None]
    rank = len(shape)
    if dim is None:
        return [unknown(rank + 1)]
    axis = int(dim[0])
    if axis < -rank - 1 or axis > rank:
        raise ShapeError("ExpandDims axis out of range")
    if axis < 0:
        axis += rank + 1
    return [tuple(shape[:axis]) + (1,) + tuple(shape[axis:])]


@shape_fn("Transpose", "ConjugateTranspose")
def transpose(ctx):
    shape = ctx.input_shape(0)
    perm_shape = ctx.input_shape(1)
    perm = ctx.input_ints(1)
    perm_len = perm_shape[0] if perm_shape is not None and len(perm_shape) == 1 else -1
    if shape is None and perm_len < 0 and perm is None:
        return [None]
    if shape is not None:
        rank = len(shape)
    elif perm_len >= 0:
        rank = perm_len
    else:
        rank = len(perm)
    if shape is None and rank < 2:
        return [shape]
    shape = with_rank(shape, rank)
    if perm is None:
        return [unknown(rank)]
    if len(perm) != rank:
        raise ShapeError("perm length differs from rank")
    perm = [p + rank if p < 0 else p for p in perm]
    if sorted(perm) != list(range(rank)):
        raise ShapeError("perm is not a permutation")
    v = ctx.input_partial(0)
    if v is not None and is_fully_defined(shape):
        ctx.set_value(0, transpose_values(v, shape, perm))
    return [tuple(shape[p] for p in perm)]


@shape_fn("InvertPermutation")
def invert_permutation(ctx):
    shape = with_rank(ctx.input_shape(0), 1)
    perm = ctx.input_ints(0)
    if perm is not None and sorted(perm) == list(range(len(perm))):
        inv = [0] * len(perm)
        for i, p in enumerate(perm):
            inv[p] = i
        ctx.set_value(0, inv)
    return [shape]


# -- concat / pack -----------------------------------------------------------------------
def _concat(ctx, axis_value, value_indices: list[int]):
    shapes = [ctx.input_shape(i) for i in value_indices]
    if axis_value is None:
        rank = next((len(s) for s in shapes if s is not None), None)
        if rank == 0:
            raise ShapeError("cannot concatenate scalars")
        return [unknown(rank)]
    axis = int(axis_value)
    min_rank = -axis if axis < 0 else axis + 1
    for s in shapes:
        with_rank_at_least(s, min_rank)

    def split(s):
        if s is None:
            return None, -1, None
        a = axis + len(s) if axis < 0 else axis
        return tuple(s[:a]), s[a], tuple(s[a + 1:])

    before, middle, after = split(shapes[-1])
    for s in reversed(shapes[:-1]):
        b, m, a = split(s)
        before = merge(b, before)
        middle = add_dim(middle, m)
        after = merge(a, after)
    out = concatenate(concatenate(before, (middle,)), after)
    # Values: concatenating vectors (shape arithmetic) or along axis 0.
    values = [ctx.input_partial(i) for i in value_indices]
    if out is not None and all(v is not None for v in values) and is_fully_defined(out):
        a = axis + len(out) if axis < 0 else axis
        if a == 0 or all(d == 1 for d in out[:a]):
            flat = []
            for v in values:
                flat.extend(v)
            ctx.set_value(0, flat)
    return [out]


@shape_fn("ConcatV2")
def concat_v2(ctx):
    n = ctx.num_inputs - 1
    return _concat(ctx, ctx.input_scalar(n), list(range(n)))


@shape_fn("Concat")
def concat_v1(ctx):
    return _concat(ctx, ctx.input_scalar(0), list(range(1, ctx.num_inputs)))


@shape_fn("ConcatOffset")
def concat_offset(ctx):
    n = ctx.num_inputs - 1
    out = [ctx.input_shape(i + 1) for i in range(n)]
    axis = ctx.input_scalar(0)
    shapes = [ctx.input_value(i + 1) for i in range(n)]
    if axis is not None and all(s is not None for s in shapes) and shapes:
        rank = len(shapes[0])
        a = normalize_axis(int(axis), rank)
        offset = 0
        for i, s in enumerate(shapes):
            ctx.set_value(i, [offset if k == a else 0 for k in range(rank)])
            offset += s[a]
    return out


@shape_fn("Pack")
def pack(ctx):
    n = ctx.num_inputs
    cur = None
    for i in range(n - 1, -1, -1):
        cur = merge(ctx.input_shape(i), cur)
    if cur is None:
        return [None]
    rank = len(cur)
    axis = int(ctx.attr("axis", 0))
    if axis < -(rank + 1) or axis > rank:
        raise ShapeError("Pack axis out of range")
    if axis < 0:
        axis += rank + 1
    out = tuple(cur[:axis]) + (n,) + tuple(cur[axis:])
    values = [ctx.input_partial(i) for i in range(n)]
    if all(v is not None for v in values):
        if axis == 0 or all(d == 1 for d in cur[:axis]):
            flat = []
            for v in values:
                flat.extend(v)
            ctx.set_value(0, flat)
        elif is_fully_defined(cur):
            inner = math.prod(cur[axis:])
            outer = math.prod(cur[:axis])
            flat = []
            for o in range(outer):
                for v in values:
                    flat.extend(v[o * inner:(o + 1) * inner])
            ctx.set_value(0, flat)
    elif rank == 0:
        # Pack of scalars, some unknown: a partial shape vector.
        ctx.set_value(0, [v[0] if v is not None else None for v in values])
    return [out]


@shape_fn("Unpack")
def unpack(ctx):
    shape = ctx.input_shape(0)
    num = ctx.num_outputs if ctx.num_outputs is not None else int(ctx.attr("num", 0))
    if shape is None:
        return [None] * num
    rank = len(shape)
    axis = int(ctx.attr("axis", 0))
    if axis < -rank or axis >= rank:
        raise ShapeError("Unpack axis out of range")
    if axis < 0:
        axis += rank
    merge_dim(shape[axis], num)
    out = tuple(shape[:axis]) + tuple(shape[axis + 1:])
    v = ctx.input_partial(0)
    if v is not None and is_fully_defined(shape) and num > 0:
        outer = math.prod(shape[:axis])
        inner = math.prod(shape[axis + 1:])
        for k in range(num):
            piece = []
            for o in range(outer):
                start = (o * num + k) * inner
                piece.extend(v[start:start + inner])
            ctx.set_value(k, piece)
    return [out] * num


# -- split -------------------------------------------------------------------------------
def _axis_with_negative(value, rank: Optional[int]) -> Optional[int]:
    if value is None:
        return None
    a = int(value)
    if a < 0:
        if rank is None:
            return None
        a += rank
    if rank is not None and not 0 <= a < rank:
        raise ShapeError("split axis out of range")
    return a


@shape_fn("Split")
def split(ctx):
    shape = ctx.input_shape(1)
    n = ctx.num_outputs if ctx.num_outputs is not None else int(ctx.attr("num_split", 1))
    rank = None if shape is None else len(shape)
    axis = _axis_with_negative(ctx.input_scalar(0), rank)
    if axis is None:
        return [unknown(rank)] * n
    if shape is None:
        return [None] * n
    with_rank_at_least(shape, axis + 1)
    d = div_dim(shape[axis], n, evenly=True)
    out = tuple(shape[:axis]) + (d,) + tuple(shape[axis + 1:])
    v = ctx.input_partial(1)
    if v is not None and is_fully_defined(out) and axis == 0:
        size = num_elements(out)
        for k in range(n):
            ctx.set_value(k, v[k * size:(k + 1) * size])
    return [out] * n


@shape_fn("SplitV")
def split_v(ctx):
    shape = ctx.input_shape(0)
    n = ctx.num_outputs if ctx.num_outputs is not None else int(ctx.attr("num_split", 1))
    rank = None if shape is None else len(shape)
    axis = _axis_with_negative(ctx.input_scalar(2), rank)
    if shape is None:
        return [None] * n
    if rank == 0:
        raise ShapeError("cannot split a scalar")
    if axis is None:
        return [unknown(rank)] * n
    sizes = ctx.input_partial(1)
    if sizes is None:
        if shape[axis] >= 0:
            out = tuple(shape[:axis]) + (-1,) + tuple(shape[axis + 1:])
            return [out] * n
        return [unknown(rank)] * n
    if len(sizes) != n:
        raise ShapeError("size_splits length differs from num_split")
    sizes = [None if s is None else int(s) for s in sizes]
    if sizes.count(-1) > 1:
        raise ShapeError("more than one -1 in size_splits")
    if -1 in sizes:
        i = sizes.index(-1)
        rest = [s for j, s in enumerate(sizes) if j != i]
        if shape[axis] >= 0 and all(s is not None for s in rest):
            sizes[i] = shape[axis] - sum(rest)
        else:
            sizes[i] = None
    out = []
    for s in sizes:
        d = -1 if s is None else s
        out.append(tuple(shape[:axis]) + (d,) + tuple(shape[axis + 1:]))
    return out


# -- slicing -----------------------------------------------------------------------------
@shape_fn("Slice")
def slice_op(ctx):
    shape = ctx.input_shape(0)
    begin_shape = with_rank(ctx.input_shape(1), 1)
    size_shape = with_rank(ctx.input_shape(2), 1)
    n = merge_dim(begin_shape[0], size_shape[0])
    if n >= 0:
        shape = with_rank(shape, n)
    begin = ctx.input_partial(1)
    sizes = ctx.input_partial(2)
    if sizes is None:
        size_len = size_shape[0] if size_shape[0] >= 0 else n
        if size_len >= 0:
            return [unknown(size_len)]
        return [None if shape is None else unknown(len(shape))]
    rank = len(sizes)
    shape = with_rank(shape, rank)
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
    bshape = with_rank(ctx.input_shape(1), 1)
    eshape = with_rank(ctx.input_shape(2), 1)
    sshape = with_rank(ctx.input_shape(3), 1)
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
    with_rank(ctx.input_shape(2), 0)
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


# -- pad / tile / broadcast --------------------------------------------------------------
def _pad(ctx, mirror: bool = False):
    pshape = with_rank(ctx.input_shape(1), 2)
    merge_dim(pshape[1], 2)
    shape = ctx.input_shape(0)
    n = pshape[0]
    if n >= 0:
        shape = with_rank(shape, n)
    elif shape is not None:
        n = len(shape)
    pads = ctx.input_partial(1)
    if pads is None:
        return [unknown(n) if n >= 0 else None]
    n = len(pads) // 2
    shape = with_rank(shape, n)
    out = []
    for i in range(n):
        b, a = pads[2 * i], pads[2 * i + 1]
        if b is None or a is None:
            out.append(-1)
            continue
        b, a = int(b), int(a)
        if b < 0 or a < 0:
            raise ShapeError("negative padding")
        out.append(add_dim(shape[i], b + a))
    return [tuple(out)]


@shape_fn("Pad", "PadV2")
def pad(ctx):
    out = _pad(ctx)
    v, pads = ctx.input_partial(0), ctx.input_ints(1)
    if v is not None and pads is not None and len(pads) == 2 and out[0] is not None:
        fill = ctx.input_scalar(2) if ctx.op == "PadV2" else 0
        if fill is not None:  # a padded vector (shape arithmetic)
            ctx.set_value(0, [fill] * pads[0] + list(v) + [fill] * pads[1])
    return out


@shape_fn("MirrorPad")
def mirror_pad(ctx):
    return _pad(ctx, mirror=True)


@shape_fn("MirrorPadGrad")
def mirror_pad_grad(ctx):
    shape = ctx.input_shape(0)
    pads = ctx.input_partial(1)
    if shape is None or pads is None:
        return [unknown(None if shape is None else len(shape))]
    out = []
    for i, d in enumerate(shape):
        b, a = pads[2 * i], pads[2 * i + 1]
        out.append(-1 if b is None or a is None else sub_dim(d, int(b) + int(a)))
    return [tuple(out)]


@shape_fn("Tile")
def tile(ctx):
    shape = ctx.input_shape(0)
    with_rank(ctx.input_shape(1), 1)
    multiples = ctx.shape_from_tensor(1)
    if shape is not None:
        multiples = with_rank(multiples, len(shape))
    if multiples is None:
        return [None]
    shape = with_rank(shape, len(multiples))
    out = tuple(mul_dim(d, m) for d, m in zip(shape, multiples))
    v = ctx.input_partial(0)
    if v is not None and is_fully_defined(shape) and is_fully_defined(out) and \
            num_elements(out) <= 1024:
        ctx.set_value(0, _tile_values(v, shape, list(multiples)))
    return [out]


def _tile_values(values, shape, multiples) -> list:
    if not shape:
        return list(values)
    inner = math.prod(shape[1:])
    rows = [values[r * inner:(r + 1) * inner] for r in range(shape[0])]
    tiled_rows = [_tile_values(row, shape[1:], multiples[1:]) for row in rows]
    out = []
    for _ in range(multiples[0]):
        for row in tiled_rows:
            out.extend(row)
    return out


@shape_fn("BroadcastTo")
def broadcast_to(ctx):
    with_rank(ctx.input_shape(1), 1)
    out = ctx.shape_from_tensor(1)
    shape = ctx.input_shape(0)
    if out is None or shape is None:
        return [out]
    with_rank_at_most(shape, len(out))
    out = list(out)
    for i in range(1, len(shape) + 1):
        d = shape[-i]
        if d > 1:
            out[-i] = merge_dim(d, out[-i])
    v = ctx.input_partial(0)
    if v is not None and is_fully_defined(shape) and is_fully_defined(tuple(out)) and \
            num_elements(tuple(out)) <= 1024:
        from .folding import broadcast_indices

        ctx.set_value(0, [v[i] for i in broadcast_indices(shape, out)])
    return [tuple(out)]


@shape_fn("BroadcastArgs")
def broadcast_args(ctx):
    a = with_rank(ctx.input_shape(0), 1)
    b = with_rank(ctx.input_shape(1), 1)
    va, vb = ctx.input_value(0), ctx.input_value(1)
    if va is not None and vb is not None:
        from ..util import broadcast

        out = broadcast(tuple(int(x) for x in va), tuple(int(x) for x in vb))
        if out is not None and all(d >= 0 for d in out):
            ctx.set_value(0, list(out))
    if a[0] < 0 or b[0] < 0:
        return [(-1,)]
    return [(max(a[0], b[0]),)]


@shape_fn("BroadcastGradientArgs")
def broadcast_gradient_args(ctx):
    with_rank(ctx.input_shape(0), 1)
    with_rank(ctx.input_shape(1), 1)
    va, vb = ctx.input_value(0), ctx.input_value(1)
    if va is not None and vb is not None:
        r0, r1 = _gradient_reduction_axes([int(x) for x in va], [int(x) for x in vb])
        if r0 is not None:
            ctx.set_value(0, r0)
            ctx.set_value(1, r1)
    return [(-1,), (-1,)]


def _gradient_reduction_axes(a: list[int], b: list[int]):
    rank = max(len(a), len(b))
    a2 = [1] * (rank - len(a)) + a
    b2 = [1] * (rank - len(b)) + b
    ra, rb = [], []
    for i, (x, y) in enumerate(zip(a2, b2)):
        if x == y:
            if x == 1:
                ra.append(i)
                rb.append(i)
            continue
        if x == 1:
            ra.append(i)
        elif y == 1:
            rb.append(i)
        else:
            return None, None
    return ra, rb


# -- misc --------------------------------------------------------------------------------
@shape_fn("ReverseV2", "Reverse", "ReverseSequence")
def reverse(ctx):
    shape = ctx.input_shape(0)
    if ctx.op == "ReverseV2":
        axes = ctx.input_ints(1)
        v = ctx.input_partial(0)
        if axes is not None and v is not None and shape is not None and len(shape) == 1:
            ctx.set_value(0, list(reversed(v)) if axes else list(v))
    return [shape]


@shape_fn("Where")
def where(ctx):
    shape = ctx.input_shape(0)
    return [(-1, len(shape) if shape is not None else -1)]


@shape_fn("OneHot")
def one_hot(ctx):
    axis = int(ctx.attr("axis", -1))
    if axis < -1:
        raise ShapeError("OneHot axis < -1")
    depth = ctx.input_scalar(1)
    depth_dim = -1 if depth is None or int(depth) < 0 else int(depth)
    indices = ctx.input_shape(0)
    if indices is None:
        return [None]
    new_rank = len(indices) + 1
    at = (axis + new_rank) % new_rank
    return [tuple(indices[:at]) + (depth_dim,) + tuple(indices[at:])]


@shape_fn("Unique")
def unique(ctx):
    shape = with_rank(ctx.input_shape(0), 1)
    return [(-1,), shape]


@shape_fn("UniqueV2")
def unique_v2(ctx):
    return [None, (-1,)]


@shape_fn("UniqueWithCounts")
def unique_with_counts(ctx):
    shape = with_rank(ctx.input_shape(0), 1)
    return [(-1,), shape, (-1,)]


@shape_fn("ListDiff", "SetDiff1D")
def list_diff(ctx):
    with_rank(ctx.input_shape(0), 1)
    with_rank(ctx.input_shape(1), 1)
    return [(-1,), (-1,)]


@shape_fn("DynamicStitch", "ParallelDynamicStitch")
def dynamic_stitch(ctx):
    n = ctx.num_inputs // 2
    all_const = True
    max_index = -1
    extra = None
    index_values, data_values = [], []
    for i in range(n):
        iv = ctx.input_ints(i)
        if iv is None:
            all_const = False
        ishape = ctx.input_shape(i)
        dshape = ctx.input_shape(i + n)
        index_values.append(iv)
        data_values.append(ctx.input_partial(i + n))
        if ishape is None:
            continue
        if dshape is not None:
            if len(dshape) < len(ishape):
                raise ShapeError("data rank below indices rank")
            merge(tuple(dshape[:len(ishape)]), tuple(ishape))
        extra = merge(extra, subshape(dshape, len(ishape)))
        if iv is not None and iv:
            max_index = max(max_index, max(iv))
    first = max_index + 1 if all_const else -1
    out = concatenate((first,), extra)
    # Values: stitching scalars (the shape arithmetic of reduction gradients).
    if all_const and out is not None and len(out) == 1 and first <= 1024 and \
            all(d is not None for d in data_values):
        result = [None] * first
        for iv, dv in zip(index_values, data_values):
            if len(iv) != len(dv):
                break
            for k, idx in zip(iv, dv):
                result[k] = idx
        else:
            ctx.set_value(0, result)
    return [out]


@shape_fn("DynamicPartition")
def dynamic_partition(ctx):
    n = ctx.num_outputs if ctx.num_outputs is not None else int(ctx.attr("num_partitions", 1))
    data = ctx.input_shape(0)
    parts = ctx.input_shape(1)
    if data is None or parts is None:
        return [None] * n
    merge(tuple(data[:len(parts)]), tuple(parts))
    out = (-1,) + tuple(data[len(parts):])
    return [out] * n


@shape_fn("SpaceToBatchND")
def space_to_batch_nd(ctx):
    shape = ctx.input_shape(0)
    bshape = with_rank(ctx.input_shape(1), 1)
    m = bshape[0]
    if m < 0:
        raise ShapeError("block_shape must have known size")
    shape = with_rank_at_least(shape, m + 1)
    merge(ctx.input_shape(2), (m, 2))
    block = ctx.input_ints(1)
    pads = ctx.input_ints(2)
    batch = -1 if shape is None else shape[0]
    if block:
        for b in block:
            if b < 1:
                raise ShapeError("block_shape must be positive")
            batch = mul_dim(batch, b) if batch >= 0 else -1
    elif m > 0:
        batch = -1
    dims = [batch] + [-1] * m
    if pads and shape is not None:
        for k in range(m):
            padded = add_dim(shape[k + 1], pads[2 * k] + pads[2 * k + 1])
            if block:
                dims[k + 1] = div_dim(padded, block[k], evenly=True)
    return [concatenate(tuple(dims), subshape(shape, m + 1))]


@shape_fn("BatchToSpaceND")
def batch_to_space_nd(ctx):
    shape = ctx.input_shape(0)
    bshape = with_rank(ctx.input_shape(1), 1)
    m = bshape[0]
    if m < 0:
        raise ShapeError("block_shape must have known size")
    shape = with_rank_at_least(shape, m + 1)
    merge(ctx.input_shape(2), (m, 2))
    block = ctx.input_ints(1)
    crops = ctx.input_ints(2)
    batch = -1 if shape is None else shape[0]
    if block:
        prod = math.prod(block)
        if prod < 1:
            raise ShapeError("block_shape must be positive")
        batch = div_dim(batch, prod, evenly=True) if batch >= 0 else -1
    elif m > 0:
        batch = -1
    dims = [batch] + [-1] * m
    if crops and block and shape is not None:
        for k in range(m):
            dims[k + 1] = sub_dim(mul_dim(shape[k + 1], block[k]), crops[2 * k] + crops[2 * k + 1])
    return [concatenate(tuple(dims), subshape(shape, m + 1))]


@shape_fn("SpaceToBatch")
def space_to_batch(ctx):
    shape = with_rank(ctx.input_shape(0), 4)
    bs = int(ctx.attr("block_size"))
    pads = ctx.input_ints(1)
    dims = [mul_dim(shape[0], bs * bs), -1, -1, shape[3]]
    if pads:
        dims[1] = div_dim(add_dim(shape[1], pads[0] + pads[1]), bs, evenly=True)
        dims[2] = div_dim(add_dim(shape[2], pads[2] + pads[3]), bs, evenly=True)
    return [tuple(dims)]


@shape_fn("BatchToSpace")
def batch_to_space(ctx):
    shape = with_rank(ctx.input_shape(0), 4)
    bs = int(ctx.attr("block_size"))
    crops = ctx.input_ints(1)
    dims = [div_dim(shape[0], bs * bs, evenly=True), -1, -1, shape[3]]
    if crops:
        dims[1] = sub_dim(mul_dim(shape[1], bs), crops[0] + crops[1])
        dims[2] = sub_dim(mul_dim(shape[2], bs), crops[2] + crops[3])
    return [tuple(dims)]


def _spatial_channel_axes(ctx, rank: int = 4):
    fmt = ctx.attr("data_format", "NHWC")
    if fmt.startswith("NC"):
        return 0, (2, 3), 1
    return 0, (1, 2), 3


@shape_fn("SpaceToDepth")
def space_to_depth(ctx):
    shape = with_rank(ctx.input_shape(0), 4)
    bs = int(ctx.attr("block_size"))
    n, (h, w), c = _spatial_channel_axes(ctx)
    out = list(shape)
    out[h] = div_dim(shape[h], bs, evenly=True)
    out[w] = div_dim(shape[w], bs, evenly=True)
    out[c] = mul_dim(shape[c], bs * bs)
    return [tuple(out)]


@shape_fn("DepthToSpace")
def depth_to_space(ctx):
    shape = with_rank(ctx.input_shape(0), 4)
    bs = int(ctx.attr("block_size"))
    n, (h, w), c = _spatial_channel_axes(ctx)
    out = list(shape)
    out[h] = mul_dim(shape[h], bs)
    out[w] = mul_dim(shape[w], bs)
    out[c] = div_dim(shape[c], bs * bs, evenly=True)
    return [tuple(out)]


@shape_fn("MatrixBandPart", "MatrixSetDiag", "MatrixSetDiagV2", "MatrixSetDiagV3",
          "MatrixInverse", "Cholesky", "MatrixExponential", "MatrixLogarithm")
def same_shape(ctx):
    return [ctx.input_shape(0)]


@shape_fn("MatrixDiag")
def matrix_diag(ctx):
    shape = with_rank_at_least(ctx.input_shape(0), 1)
    if shape is None:
        return [None]
    return [tuple(shape) + (shape[-1],)]


@shape_fn("MatrixDiagPart")
def matrix_diag_part(ctx):
    shape = with_rank_at_least(ctx.input_shape(0), 2)
    if shape is None:
        return [None]
    a, b = shape[-2], shape[-1]
    d = min(a, b) if a >= 0 and b >= 0 else -1
    return [tuple(shape[:-2]) + (d,)]


@shape_fn("Bitcast")
def bitcast(ctx):
    from ...graph.dtypes import size as dtype_size

    shape = ctx.input_shape(0)
    if shape is None:
        return [None]
    try:
        a = dtype_size(ctx.attr("T"))
        b = dtype_size(ctx.attr("type"))
    except (KeyError, ValueError, TypeError):
        return [None]
    if not a or not b:
        return [None]
    if a == b:
        return [shape]
    if a > b:
        return [tuple(shape) + (a // b,)]
    with_rank_at_least(shape, 1)
    if shape[-1] >= 0 and shape[-1] != b // a:
        raise ShapeError("Bitcast size mismatch")
    return [tuple(shape[:-1])]


@shape_fn("Fingerprint")
def fingerprint(ctx):
    shape = with_rank_at_least(ctx.input_shape(0), 1)
    size = ctx.attr("method")
    return [(shape[0] if shape is not None else -1, 8)]


@shape_fn("Bincount")
def bincount(ctx):
    size = ctx.input_scalar(1)
    return [(int(size),) if size is not None else (-1,)]


@shape_fn("DenseBincount")
def dense_bincount(ctx):
    size = ctx.input_scalar(1)
    shape = ctx.input_shape(0)
    d = int(size) if size is not None else -1
    if shape is None:
        return [None]
    if len(shape) <= 1:
        return [(d,)]
    return [(shape[0], d)]


@shape_fn("UpperBound", "LowerBound")
def bounds(ctx):
    with_rank(ctx.input_shape(0), 2)
    return [with_rank(ctx.input_shape(1), 2)]


# -- layout helpers the grappler layout optimizer inserts ------------------------------
@shape_fn("DataFormatVecPermute")
def data_format_vec_permute(ctx):
    shape = ctx.input_shape(0)
    src = ctx.attr("src_format", "NHWC")
    dst = ctx.attr("dst_format", "NCHW")
    v = ctx.input_partial(0)
    if v is not None and shape is not None and len(src) == len(dst):
        if len(shape) == 1 and len(v) in (len(src), len(src) - 2):
            if len(v) == len(src) - 2:  # spatial dims only
                src = "".join(c for c in src if c not in "NC")
                dst = "".join(c for c in dst if c not in "NC")
            ctx.set_value(0, [v[src.index(c)] for c in dst])
        elif len(shape) == 2 and len(v) == 2 * len(src):
            out = []
            for c in dst:
                k = src.index(c)
                out.extend(v[2 * k:2 * k + 2])
            ctx.set_value(0, out)
    return [shape]


@shape_fn("DataFormatDimMap")
def data_format_dim_map(ctx):
    src = ctx.attr("src_format", "NHWC")
    dst = ctx.attr("dst_format", "NCHW")
    v = ctx.input_partial(0)
    if v is not None and len(src) == len(dst):
        n = len(src)
        ctx.set_value(0, [None if x is None else dst.index(src[int(x) % n]) for x in v])
    return [ctx.input_shape(0)]
