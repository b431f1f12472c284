"""Predicates of TF-TRT 1.13/1.15's shape converters: Reshape, Squeeze, ExpandDims,
ConcatV2/Pack, StridedSlice/Slice/Split/Unpack, Pad, DepthToSpace, GatherV2.

In implicit batch mode TensorRT never sees dim 0, so most of these protect it; the
1.15 slice-based converters also need every non-batch dim known.  Specified in
docs/dev/tf1-tftrt.md, section 8.
"""

from __future__ import annotations

import math
from typing import Optional

from ..context import NodeContext
from . import Result, _fail, check
from .tf1_common import (cpp_mod, dims_text, int_list, known, operand, product,
                         slice_helper_bounds, weights_dims)

# -- Reshape ---------------------------------------------------------------------------

def _reshape_parts(ctx: NodeContext):
    shape = ctx.input_shape(0)
    target = int_list(ctx.input_value(1))
    if shape is None or not shape or not target:
        return None
    return shape[0], list(shape[1:]), target[0], target[1:]


@check("reshape_keeps_batch_tf1")
def reshape_keeps_batch_tf1(ctx: NodeContext, p: dict) -> Result:
    """The reshape provably keeps dim 0 as the batch: the target's dim 0 equals a known
    batch, or both sides' other dims are fully known with equal products (the product
    of no dims is ``empty_product``: 0 in 1.13, 1 in 1.15)."""
    parts = _reshape_parts(ctx)
    if parts is None:
        return None
    batch, in_dims, s0, out_dims = parts
    empty = int(p.get("empty_product", 1))
    sizes_match = known(in_dims) and known(out_dims) and \
        product(in_dims, empty) == product(out_dims, empty)
    if batch > 0:
        ok = (s0 == -1 and sizes_match) or s0 == batch
    else:
        ok = sizes_match
    if ok:
        return None
    return _fail(input_batch=batch, input_dims=dims_text(in_dims), reshape_batch=s0,
                 reshape_dims=dims_text(out_dims))


@check("reshape_sizes_match")
def reshape_sizes_match(ctx: NodeContext, p: dict) -> Result:
    """When both sides' non-batch dims are known, they hold as many elements."""
    parts = _reshape_parts(ctx)
    if parts is None:
        return None
    _, in_dims, _, out_dims = parts
    if known(in_dims) and known(out_dims) and product(in_dims) != product(out_dims):
        return _fail(**{"from": dims_text(in_dims), "to": dims_text(out_dims)})
    return None


# -- Squeeze / ExpandDims --------------------------------------------------------------

@check("squeeze_dims_tf113")
def squeeze_dims_tf113(ctx: NodeContext, p: dict) -> Result:
    dims = int_list(ctx.attr("squeeze_dims")) or []
    if not dims:
        return _fail(which=0)
    shape = ctx.input_shape(0)
    if shape is None:
        return None
    r = len(shape)
    for axis in dims:
        if not -r <= axis < r:
            return _fail(which=1, axis=axis)
        a = axis + r if axis < 0 else axis
        if a == 0:
            return _fail(which=2, axis=axis)
        if shape[a] != 1:
            return _fail(which=3, axis=axis)
    return None


@check("squeezed_dims_are_one")
def squeezed_dims_are_one(ctx: NodeContext, p: dict) -> Result:
    shape = ctx.input_shape(0)
    if shape is None:
        return None
    r = len(shape)
    for axis in int_list(ctx.attr("squeeze_dims")) or []:
        a = axis + r if axis < 0 else axis
        if 0 <= a < r and shape[a] != 1:
            return _fail(axis=axis, size=shape[a])
    return None


@check("expand_dims_axis_tf113")
def expand_dims_axis_tf113(ctx: NodeContext, p: dict) -> Result:
    values = int_list(ctx.input_value(1))
    rank = ctx.input_rank(0)
    if not values or rank is None:
        return None
    axis = values[0]
    if axis < -rank - 1 or axis > rank:
        return _fail(which=0, axis=axis)
    if (axis + rank + 1 if axis < 0 else axis) == 0:
        return _fail(which=1, axis=axis)
    return None


# -- ConcatV2 / Pack ---------------------------------------------------------------------

@check("concat_inputs_tf113")
def concat_inputs_tf113(ctx: NodeContext, p: dict) -> Result:
    """TF-TRT 1.13 reads values_1.. as tensors and the axis as weights without checking:
    a Const among the values, or a computed axis, aborts the process (failed CHECK)."""
    n = ctx.num_inputs
    if n >= 1 and not ctx.input_is_const(n - 1):
        return _fail(input=n - 1)
    for i in range(1, n - 1):
        if ctx.input_is_const(i):
            return _fail(input=i)
    return None


def _concat_axis(ctx: NodeContext) -> Optional[int]:
    values = int_list(ctx.input_value(ctx.num_inputs - 1))
    return values[0] if values else None


@check("concat_axis_tf113")
def concat_axis_tf113(ctx: NodeContext, p: dict) -> Result:
    axis, rank = _concat_axis(ctx), ctx.input_rank(0)
    if axis is None or rank is None:
        return None
    if axis > rank:
        return _fail(which=0, axis=axis)
    if axis == 0:
        return _fail(which=1, axis=axis)
    return None


@check("concat_shapes_tf113")
def concat_shapes_tf113(ctx: NodeContext, p: dict) -> Result:
    """values_i have values_0's rank and, except on the axis, its TRT dims (literally)."""
    first = ctx.input_shape(0)
    axis = _concat_axis(ctx)
    if first is None or axis is None:
        return None
    trt_axis = (axis + len(first) if axis < 0 else axis) - 1
    for i in range(1, ctx.num_inputs - 1):
        other = ctx.input_shape(i)
        if other is None:
            continue
        if len(other) != len(first):
            return _fail(which=0, input=i)
        for k, (a, b) in enumerate(zip(first[1:], other[1:])):
            if k != trt_axis and a != b:
                return _fail(which=1, input=i)
    return None


@check("inputs_same_shape")
def inputs_same_shape(ctx: NodeContext, p: dict) -> Result:
    """All value inputs share values_0's TRT rank and dims (literally), except on the
    concatenation axis when ``masked_axis = "concat_axis"``."""
    concat = p.get("masked_axis") == "concat_axis"
    n = ctx.num_inputs - 1 if concat else ctx.num_inputs
    ops = [operand(ctx, i) for i in range(n)]
    if not ops or any(o is None for o in ops):
        return None
    masked = None
    if concat:
        axis = _concat_axis(ctx)
        if axis is None:
            return None
        tf_rank = ops[0].tf_rank  # type: ignore[union-attr]
        masked = (axis + tf_rank if axis < 0 else axis) - (1 if ops[0].is_tensor else 0)  # type: ignore[union-attr]
    first = ops[0]
    for i, o in enumerate(ops[1:], start=1):
        if o.rank != first.rank:  # type: ignore[union-attr]
            return _fail(which=0, input=i)
        for k, (a, b) in enumerate(zip(first.dims, o.dims)):  # type: ignore[union-attr]
            if k != masked and a != b:
                return _fail(which=1, input=i)
    return None


# -- StridedSlice / Slice / Split --------------------------------------------------------

def _sliced_dims(ctx: NodeContext) -> Optional[list[int]]:
    """[dim 0 (-1 unknown)] + TRT dims of input 0."""
    shape = ctx.input_shape(0)
    return None if shape is None else [d if d >= 0 else -1 for d in shape]


def _bound(dims: list[int], values: list[int], mask: int, is_begin: bool) -> tuple[list[int], Optional[dict]]:
    """TF-TRT 1.13's GetStridedSliceBound: masked bounds are 0 / dim; others must lie
    in [-dim, dim] (nothing does when the dim is unknown) and negatives wrap."""
    out = list(values)
    for i in range(len(out)):
        if mask & (1 << i):
            out[i] = 0 if is_begin else dims[i]
            continue
        if out[i] < -dims[i] or out[i] > dims[i]:
            return out, {"which": 1, "bound": "begin" if is_begin else "end", "value": out[i]}
        if out[i] < 0:
            out[i] += dims[i]
    return out, None


@check("strided_slice_tf113")
def strided_slice_tf113(ctx: NodeContext, p: dict) -> Result:
    dims = _sliced_dims(ctx)
    begin, end = int_list(ctx.input_value(1)), int_list(ctx.input_value(2))
    strides = int_list(ctx.input_value(3))
    if dims is None or begin is None or end is None or strides is None:
        return None
    for name, values in (("begin", begin), ("end", end)):
        if len(values) != len(dims):
            return _fail(which=0, bound=name, count=len(values), rank=len(dims))
    begin, failed = _bound(dims, begin, int(ctx.attr("begin_mask", 0)), True)
    if failed:
        return failed
    end, failed = _bound(dims, end, int(ctx.attr("end_mask", 0)), False)
    if failed:
        return failed
    if any(s != 1 for s in strides):
        return _fail(which=2)
    for mask in ("ellipsis_mask", "new_axis_mask", "shrink_axis_mask"):
        if int(ctx.attr(mask, 0)):
            return _fail(which=3, mask=mask)
    while len(dims) < 4:  # the converter pads the rank to 4 after the batch dim
        dims.insert(1, 1)
        begin.insert(1, 0)
        end.insert(1, 1)
    sliced = [i for i in range(len(dims)) if begin[i] != 0 or end[i] != dims[i]]
    for i in sliced:
        if i == 0:
            return _fail(which=4)
        if end[i] - begin[i] < 0:
            return _fail(which=5)
    if len(sliced) > 2:
        return _fail(which=6)
    return None


def _dense_slice(dims: list[int], begin: list[int], end: list[int], strides: list[int],
                 begin_mask: int, end_mask: int, ellipsis_mask: int,
                 shrink_mask: int) -> tuple[Optional[list[tuple[int, int, int]]], Optional[str]]:
    """(begin, end, stride) per input dim after TensorFlow's strided-slice
    canonicalisation (masks, ellipsis, negative indices, clamping), or an error text
    as TensorFlow's ValidateStridedSliceOp words it."""
    if bin(ellipsis_mask).count("1") > 1:
        return None, "Multiple ellipses in slice spec not allowed"
    # sparse spec -> one entry per input dim
    spec: list[tuple[int, int, int, bool, bool, bool]] = []
    n_sparse = len(begin)
    for k in range(n_sparse):
        if ellipsis_mask & (1 << k):
            fill = len(dims) - (n_sparse - 1)
            spec.extend((0, 0, 1, True, True, False) for _ in range(max(fill, 0)))
            continue
        spec.append((begin[k], end[k], strides[k], bool(begin_mask & (1 << k)),
                     bool(end_mask & (1 << k)), bool(shrink_mask & (1 << k))))
    spec.extend((0, 0, 1, True, True, False) for _ in range(len(dims) - len(spec)))
    out = []
    for i, (b, e, s, bm, em, shrink) in enumerate(spec[:len(dims)]):
        d = dims[i]
        if s == 0:
            return None, f"strides[{i}] must be non-zero"
        if shrink:
            if d >= 0 and not -d <= b < d:
                return None, f"slice index {b} of dimension {i} out of bounds."
            b = b + d if b < 0 and d >= 0 else b
            out.append((b, b + 1, 1))
            continue
        if d < 0:
            out.append((b if not bm else 0, e if not em else d, s))
            continue
        lo, hi = (0, d) if s > 0 else (-1, d - 1)

        def canon(x: int, masked: bool, is_begin: bool) -> int:
            if masked:
                return (lo if is_begin else hi) if s > 0 else (hi if is_begin else lo)
            x = x + d if x < 0 else x
            return min(max(x, lo), hi)

        out.append((canon(b, bm, True), canon(e, em, False), s))
    return out, None


@check("strided_slice_tf115")
def strided_slice_tf115(ctx: NodeContext, p: dict) -> Result:
    dims = _sliced_dims(ctx)
    begin, end = int_list(ctx.input_value(1)), int_list(ctx.input_value(2))
    strides = int_list(ctx.input_value(3))
    if dims is None or begin is None or end is None or strides is None:
        return None
    if not len(begin) == len(end) == len(strides):
        return _fail(which=0)
    bm, em = int(ctx.attr("begin_mask", 0)), int(ctx.attr("end_mask", 0))
    ellipsis, shrink = int(ctx.attr("ellipsis_mask", 0)), int(ctx.attr("shrink_axis_mask", 0))
    dense, error = _dense_slice(dims, begin, end, strides, bm, em, ellipsis, shrink)
    if error is not None:
        return _fail(which=1, tf_error=error)
    if any(s <= 0 for _, _, s in dense):  # type: ignore[union-attr]
        return _fail(which=2)
    if not (ellipsis & 1 and len(begin) < len(dims)):
        touches_batch = (begin[0] != 0 and not bm & 1) or strides[0] != 1 or \
            (not em & 1 and (dims[0] < 0 or end[0] != dims[0]))
        if touches_batch:
            return _fail(which=3)
    if shrink & 1:
        return _fail(which=3)
    starts = [b for b, _, _ in dense]  # type: ignore[union-attr]
    sizes = [math.ceil((e - b) / s) for b, e, s in dense]  # type: ignore[union-attr]
    failed = slice_helper_bounds(dims, starts, sizes)
    if failed is not None:
        failed["which"] += 4
    return failed


@check("slice_lengths_tf115")
def slice_lengths_tf115(ctx: NodeContext, p: dict) -> Result:
    rank = ctx.input_rank(0)
    begin, size = ctx.input_value(1), ctx.input_value(2)
    if rank is None or begin is None or size is None:
        return None
    return None if len(begin) == rank and len(size) == rank else _fail()


@check("slice_bounds_tf115")
def slice_bounds_tf115(ctx: NodeContext, p: dict) -> Result:
    dims = _sliced_dims(ctx)
    begin, size = int_list(ctx.input_value(1)), int_list(ctx.input_value(2))
    if dims is None or begin is None or size is None or not len(begin) == len(size) == len(dims):
        return None
    if p.get("resolve_size_minus_one", True):
        size = [dims[i] - begin[i] if s == -1 else s for i, s in enumerate(size)]
    return slice_helper_bounds(dims, begin, size)


@check("split_tf115")
def split_tf115(ctx: NodeContext, p: dict) -> Result:
    """Split / Unpack: the split dim divides evenly (Unpack: equals ``num``), then every
    piece passes the slice-helper bounds, so unknown non-batch dims fail."""
    data = int(p.get("data_input", 0))
    shape = ctx.input_shape(data)
    n = ctx.attr(p["count_attr"])
    if data == 1:
        axes = int_list(ctx.input_value(0))
        axis = axes[0] if axes else None
    else:
        axis = ctx.attr("axis", 0)
    if shape is None or axis is None or not isinstance(n, int) or n <= 0:
        return None
    dims = [d if d >= 0 else -1 for d in shape]
    a = axis + len(dims) if axis < 0 else axis
    if not 0 <= a < len(dims):
        return None
    size = dims[a]
    if p.get("squeeze") and size != n:
        return _fail(which=0, axis=axis, size=size, n=n)
    if cpp_mod(size, n) != 0:
        return _fail(which=1, axis=axis, size=size, n=n)
    piece = list(dims)
    piece[a] = size // n
    failed = slice_helper_bounds(dims, [0] * len(dims), piece)
    if failed is not None:
        failed["which"] += 2
    return failed


# -- Pad ------------------------------------------------------------------------------------

@check("pad_paddings_tf1")
def pad_paddings_tf1(ctx: NodeContext, p: dict) -> Result:
    """The paddings Const is [rank, 2] of int32, pads something, at most two dims, and
    never dim 0 (all-zero paddings crash the 1.x validator)."""
    values = int_list(ctx.input_value(1))
    dims = weights_dims(ctx, 1)
    rank = ctx.input_rank(0)
    if values is None or dims is None or rank is None:
        return None
    if dims != (rank, 2):
        return _fail(which=0)
    if ctx.attr("Tpaddings", "int32") != "int32":
        return _fail(which=1)
    padded = [i for i in range(rank) if values[2 * i] or values[2 * i + 1]]
    if not padded:
        return _fail(which=4)
    if len(padded) > 2:
        return _fail(which=2)
    if padded[0] == 0:
        return _fail(which=3)
    return None


@check("pad_layer_rank4")
def pad_layer_rank4(ctx: NodeContext, p: dict) -> Result:
    """Build time: the padding layer (and its transpose) needs a rank-4 input."""
    values = int_list(ctx.input_value(1))
    rank = ctx.input_rank(0)
    if values is None or rank is None or not any(values):
        return None
    return None if rank == 4 else _fail(rank=rank)


# -- DepthToSpace / SpaceToDepth, GatherV2 ------------------------------------------------------

@check("depth_space_divisible")
def depth_space_divisible(ctx: NodeContext, p: dict) -> Result:
    shape = ctx.input_shape(0)
    block = ctx.attr("block_size")
    if shape is None or len(shape) != 4 or not isinstance(block, int) or block <= 0:
        return None
    nchw = str(ctx.attr("data_format", "NHWC")).startswith("NC")
    c, h, w = (shape[1], shape[2], shape[3]) if nchw else (shape[3], shape[1], shape[2])
    if ctx.node.op == "DepthToSpace":
        return _fail(which=0) if cpp_mod(c, block * block) != 0 else None
    if cpp_mod(h, block) != 0 or cpp_mod(w, block) != 0:
        return _fail(which=1)
    return None


@check("gather_tf115")
def gather_tf115(ctx: NodeContext, p: dict) -> Result:
    """GatherV2: the axis as ConvertAxis sees it (the batch rule only for tensor
    params), Const params gather on axis 0 only, tensor params need indices whose dim
    0 is exactly 1, and the result has at most 9 dims."""
    axes = int_list(ctx.input_value(2))
    params, indices = operand(ctx, 0), ctx.input_shape(1)
    if not axes or params is None:
        return None
    axis, r = axes[0], params.tf_rank
    if not -r <= axis < r:
        return _fail(which=0, axis=axis, low=-r, high=r)
    a = axis + r if axis < 0 else axis
    if params.is_tensor and a == 0:
        return _fail(which=1, axis=axis)
    if not params.is_tensor and a != 0:
        return _fail(which=2, axis=axis)
    if params.is_tensor and (indices is None or not indices or indices[0] != 1):
        return _fail(which=3)
    if indices is not None and r + len(indices) - 1 > 9:
        return _fail(which=4)
    return None
