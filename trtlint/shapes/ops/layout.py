"""Layout changes: space/batch/depth rearrangements and the data-format helpers the
grappler layout optimizer inserts (DataFormatVecPermute, DataFormatDimMap)."""

from __future__ import annotations

import math

from ..registry import shape_fn
from ..util import (ShapeError, add_dim, concatenate, div_dim, merge, mul_dim, sub_dim,
                    subshape, with_rank_at_least)


@shape_fn("SpaceToBatchND")
def space_to_batch_nd(ctx):
    shape = ctx.input_shape(0)
    bshape = ctx.with_rank(1, 1)
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
    bshape = ctx.with_rank(1, 1)
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
    shape = ctx.with_rank(0, 4)
    bs = int(ctx.attr("block_size"))
    pads = ctx.input_ints(1)
    dims = [mul_dim(shape[0], bs * bs), -1, -1, shape[3]]
    if pads:
        dims[1] = div_dim(add_dim(shape[1], pads[0] + pads[1]), bs, evenly=True)
        dims[2] = div_dim(add_dim(shape[2], pads[2] + pads[3]), bs, evenly=True)
    return [tuple(dims)]


@shape_fn("BatchToSpace")
def batch_to_space(ctx):
    shape = ctx.with_rank(0, 4)
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
    shape = ctx.with_rank(0, 4)
    bs = int(ctx.attr("block_size"))
    n, (h, w), c = _spatial_channel_axes(ctx)
    out = list(shape)
    out[h] = div_dim(shape[h], bs, evenly=True)
    out[w] = div_dim(shape[w], bs, evenly=True)
    out[c] = mul_dim(shape[c], bs * bs)
    return [tuple(out)]


@shape_fn("DepthToSpace")
def depth_to_space(ctx):
    shape = ctx.with_rank(0, 4)
    bs = int(ctx.attr("block_size"))
    n, (h, w), c = _spatial_channel_axes(ctx)
    out = list(shape)
    out[h] = mul_dim(shape[h], bs)
    out[w] = mul_dim(shape[w], bs)
    out[c] = div_dim(shape[c], bs * bs, evenly=True)
    return [tuple(out)]


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
