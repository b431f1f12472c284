"""Array manipulation: reshape, transpose, concat/pack, split/unpack, pad, tile,
broadcast and friends (slicing and gathers are in ``slicing.py``, layout changes in
``layout.py``).

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
from .folding import transpose_values


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
    elif unknown_in and not unknown_out and known_in != 0:
        # the input's one unknown dim is fixed by the target: stated as a merge
        if known_out % known_in:
            raise ShapeError("Reshape: output size not divisible")
        merge_dim(in_shape[unknown_in[0]], known_out // known_in)
    elif unknown_in and unknown_out:
        if known_in == known_out:
            out[unknown_out[0]] = in_shape[unknown_in[0]]  # the same unknown dim
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
        # TensorFlow's own function gives up on the rank too; the import-time view
        # keeps it
        return [None if ctx.grappler else unknown(rank + 1)]
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
        return [ctx.same_shape(0, 0)]
    shape = ctx.with_rank(0, rank)
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
    shape = ctx.with_rank(0, 1)
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
    cur = ctx.merge_inputs(range(n))
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
        return [ctx.shared(unknown(rank))] * n
    if shape is None:
        return [None] * n
    with_rank_at_least(shape, axis + 1)
    d = div_dim(shape[axis], n, evenly=True)
    out = ctx.shared(tuple(shape[:axis]) + (d,) + tuple(shape[axis + 1:]))
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
        return [ctx.shared(unknown(rank))] * n
    sizes = ctx.input_partial(1)
    if sizes is None:
        if shape[axis] >= 0:
            out = tuple(shape[:axis]) + (-1,) + tuple(shape[axis + 1:])
            return [ctx.shared(out)] * n
        return [ctx.shared(unknown(rank))] * n
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


# -- pad / tile / broadcast --------------------------------------------------------------
def _pad(ctx, mirror: bool = False):
    pshape = ctx.with_rank(1, 2)
    merge_dim(pshape[1], 2)
    shape = ctx.input_shape(0)
    n = pshape[0]
    if n >= 0:
        shape = ctx.with_rank(0, n)
    elif shape is not None:
        n = len(shape)
    pads = ctx.input_partial(1)
    if pads is None:
        return [unknown(n) if n >= 0 else None]
    n = len(pads) // 2
    shape = ctx.with_rank(0, n)
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
    ctx.with_rank(1, 1)
    multiples = ctx.shape_from_tensor(1)
    if shape is not None:
        multiples = with_rank(multiples, len(shape))
    if multiples is None:
        return [None]
    shape = ctx.with_rank(0, len(multiples))
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
    ctx.with_rank(1, 1)
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
    a = ctx.with_rank(0, 1)
    b = ctx.with_rank(1, 1)
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
    ctx.with_rank(0, 1)
    ctx.with_rank(1, 1)
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
    shape = ctx.with_rank(0, 1)
    return [(-1,), shape]


@shape_fn("UniqueV2")
def unique_v2(ctx):
    return [None, (-1,)]


@shape_fn("UniqueWithCounts")
def unique_with_counts(ctx):
    shape = ctx.with_rank(0, 1)
    return [(-1,), shape, (-1,)]


@shape_fn("ListDiff", "SetDiff1D")
def list_diff(ctx):
    ctx.with_rank(0, 1)
    ctx.with_rank(1, 1)
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
    out = ctx.shared((-1,) + tuple(data[len(parts):]))
    return [out] * n


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
    ctx.with_rank(0, 2)
    return [ctx.with_rank(1, 2)]
