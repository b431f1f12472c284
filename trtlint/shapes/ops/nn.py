"""Neural-network ops: convolutions, pooling, normalisation, matmuls, losses, top-k.

Windowed output sizes follow TensorFlow's rule for each padding mode, with the
effective filter size ``(k - 1) * dilation + 1``:

* ``VALID``:    ``ceil((in - k_eff + 1) / stride)``
* ``SAME``:     ``ceil(in / stride)``      (the filter size does not matter)
* ``EXPLICIT``: ``ceil((in + pad_before + pad_after - k_eff + 1) / stride)``

An op whose input has unknown rank still gets the rank it requires (a 2-D conv
output is rank 4) and every dim that does not depend on the unknown ones.
"""

from __future__ import annotations

from typing import Optional

from ..registry import shape_fn
from ..util import (ShapeError, add_dim, broadcast, concatenate, div_dim, merge,
                    merge_dim, mul_dim, subshape, unknown, with_rank, with_rank_at_least)


def windowed_size(in_dim: int, k: int, dilation: int, stride: int, padding: str,
                  pad_before: int = 0, pad_after: int = 0) -> int:
    """One spatial output dim of a conv/pool (-1 when it cannot be known)."""
    if stride <= 0:
        raise ShapeError("stride must be positive")
    if padding == "SAME":
        return div_dim(add_dim(in_dim, stride - 1), stride)
    if padding == "EXPLICIT":
        in_dim = add_dim(in_dim, pad_before + pad_after)
    if k < 0 or in_dim < 0:
        return -1
    effective = (k - 1) * dilation + 1
    if in_dim < effective:
        raise ShapeError("window larger than its (padded) input")
    return (in_dim - effective + stride) // stride


def _layout(data_format: str, rank: int) -> tuple[int, list[int], int]:
    """(batch axis, spatial axes, channel axis) for a data_format of this rank."""
    spatial = rank - 2
    if data_format.startswith("NC"):
        return 0, list(range(2, 2 + spatial)), 1
    return 0, list(range(1, 1 + spatial)), rank - 1


def _attr_list(ctx, key: str, rank: int, default: int = 1) -> list[int]:
    v = ctx.attr(key)
    if not v:
        return [default] * rank
    v = [int(x) for x in v]
    if len(v) != rank:
        raise ShapeError(f"{key} must have {rank} elements")
    return v


def _explicit_pads(ctx, rank: int) -> list[tuple[int, int]]:
    pads = ctx.attr("explicit_paddings") or []
    if not pads:
        return [(0, 0)] * rank
    if len(pads) != 2 * rank:
        raise ShapeError("explicit_paddings must have 2 * rank entries")
    return [(int(pads[2 * i]), int(pads[2 * i + 1])) for i in range(rank)]


def conv_shape(ctx, rank: int, depthwise: bool = False, input_index: int = 0,
               filter_index: int = 1) -> list:
    """Output shape of an N-D convolution (rank 4 = 2-D, rank 5 = 3-D)."""
    fmt = ctx.attr("data_format", "NHWC" if rank == 4 else "NDHWC")
    x = ctx.with_rank(input_index, rank)
    f = ctx.with_rank(filter_index, rank)
    n_axis, spatial, c_axis = _layout(fmt, rank)
    strides = _attr_list(ctx, "strides", rank)
    dilations = _attr_list(ctx, "dilations", rank)
    padding = ctx.attr("padding", "VALID")
    pads = _explicit_pads(ctx, rank)
    if depthwise:
        in_c = merge_dim(x[c_axis], f[2])
        out_c = mul_dim(in_c, f[3])
    else:
        out_c = f[rank - 1]
        in_c, f_in = x[c_axis], f[rank - 2]
        if in_c >= 0 and f_in > 0 and in_c % f_in:
            raise ShapeError("input depth not a multiple of filter depth")
    out = [0] * rank
    out[n_axis] = x[n_axis]
    out[c_axis] = out_c
    for k, axis in enumerate(spatial):
        out[axis] = windowed_size(x[axis], f[k], dilations[axis], strides[axis], padding,
                                  *pads[axis])
    return [tuple(out)]


@shape_fn("Conv2D")
def conv2d(ctx):
    return conv_shape(ctx, 4)


@shape_fn("Conv3D")
def conv3d(ctx):
    return conv_shape(ctx, 5)


@shape_fn("DepthwiseConv2dNative")
def depthwise_conv2d(ctx):
    return conv_shape(ctx, 4, depthwise=True)


@shape_fn("_FusedConv2D")
def fused_conv2d(ctx):
    return conv_shape(ctx, 4)


@shape_fn("_FusedDepthwiseConv2dNative")
def fused_depthwise(ctx):
    return conv_shape(ctx, 4, depthwise=True)


@shape_fn("Conv2DBackpropInput")
def conv2d_backprop_input(ctx):
    """The input gradient has the batch of the output gradient, the spatial dims (and
    depth, when given) of ``input_sizes``; the gradient's depth is the filter's
    output depth and the sizes' batch is the gradient's (both stated as merges)."""
    fmt = ctx.attr("data_format", "NHWC")
    n_axis, spatial, c_axis = _layout(fmt, 4)
    ctx.with_rank(0, 1)
    grad = ctx.with_rank(2, 4)
    f = ctx.with_rank(1, 4)
    merge_dim(grad[c_axis], f[3])
    sizes = ctx.shape_from_tensor(0)
    if sizes is None:
        sizes = unknown(4)
    batch = grad[n_axis]
    if len(sizes) == 4:
        batch = merge_dim(sizes[n_axis], batch)
        hw = [sizes[a] for a in spatial]
        depth = sizes[c_axis]
        if not ctx.grappler:  # the import-time view may know the depth from the filter
            depth = merge_dim(depth, f[2])
    elif len(sizes) == 2:
        hw = list(sizes)
        depth = f[2]
    else:
        raise ShapeError("input_sizes must have 2 or 4 elements")
    out = [0] * 4
    out[n_axis] = batch
    out[spatial[0]], out[spatial[1]] = hw
    out[c_axis] = depth
    return [tuple(out)]


@shape_fn("DepthwiseConv2dNativeBackpropInput")
def depthwise_backprop_input(ctx):
    return [with_rank(ctx.shape_from_tensor(0), 4)]


@shape_fn("Conv2DBackpropFilter", "DepthwiseConv2dNativeBackpropFilter")
def conv2d_backprop_filter(ctx):
    return [with_rank(ctx.shape_from_tensor(1), 4)]


@shape_fn("Conv3DBackpropInputV2")
def conv3d_backprop_input(ctx):
    return [with_rank(ctx.shape_from_tensor(0), 5)]


@shape_fn("Conv3DBackpropFilterV2")
def conv3d_backprop_filter(ctx):
    return [with_rank(ctx.shape_from_tensor(1), 5)]


# -- pooling -------------------------------------------------------------------------------
def pool_shape(ctx, rank: int, ksize: Optional[list[int]] = None,
               strides: Optional[list[int]] = None) -> tuple:
    fmt = ctx.attr("data_format", "NHWC" if rank == 4 else "NDHWC")
    x = ctx.with_rank(0, rank)
    n_axis, spatial, c_axis = _layout(fmt, rank)
    ksize = ksize if ksize is not None else _attr_list(ctx, "ksize", rank)
    strides = strides if strides is not None else _attr_list(ctx, "strides", rank)
    if len(ksize) != rank or len(strides) != rank:
        raise ShapeError("ksize and strides must match the input rank")
    padding = ctx.attr("padding", "VALID")
    pads = _explicit_pads(ctx, rank)
    out = [0] * rank
    out[n_axis] = x[n_axis]
    if ctx.op.startswith("MaxPool") and rank == 4:
        # MaxPool can pool over depth too: its depth is a windowed size (a new unknown
        # dim unless the window is 1 with SAME padding)
        depth_padding = "VALID" if padding == "EXPLICIT" else padding
        out[c_axis] = windowed_size(x[c_axis], ksize[c_axis], 1, strides[c_axis],
                                    depth_padding)
    else:
        out[c_axis] = div_dim(x[c_axis], ksize[c_axis], evenly=True)
    for axis in spatial:
        out[axis] = windowed_size(x[axis], ksize[axis], 1, strides[axis], padding, *pads[axis])
    return tuple(out)


@shape_fn("MaxPool", "AvgPool")
def pool2d(ctx):
    return [pool_shape(ctx, 4)]


@shape_fn("MaxPool3D", "AvgPool3D")
def pool3d(ctx):
    return [pool_shape(ctx, 5)]


@shape_fn("MaxPoolV2")
def max_pool_v2(ctx):
    ksize, strides = ctx.input_ints(1), ctx.input_ints(2)
    if ksize is None or strides is None:
        ctx.with_rank(0, 4)
        return [unknown(4)]
    return [pool_shape(ctx, 4, ksize, strides)]


@shape_fn("MaxPoolWithArgmax")
def max_pool_with_argmax(ctx):
    s = ctx.shared(pool_shape(ctx, 4))
    return [s, s]


@shape_fn("MaxPoolGrad", "MaxPoolGradV2", "MaxPoolGradGrad", "MaxPoolGradGradV2")
def max_pool_grad(ctx):
    return [ctx.with_rank(0, 4)]


@shape_fn("MaxPool3DGrad")
def max_pool3d_grad(ctx):
    return [ctx.with_rank(0, 5)]


@shape_fn("AvgPoolGrad")
def avg_pool_grad(ctx):
    return [with_rank(ctx.shape_from_tensor(0), 4)]


# -- bias, normalisation -----------------------------------------------------------------
@shape_fn("BiasAdd")
def bias_add(ctx):
    nchw = ctx.attr("data_format", "NHWC") == "NCHW"
    x = with_rank_at_least(ctx.input_shape(0), 3 if nchw else 2)
    bias = ctx.with_rank(1, 1)
    if x is None:
        return [None]
    out = list(x)
    axis = 1 if nchw else len(x) - 1
    out[axis] = merge_dim(out[axis], bias[0])
    return [tuple(out)]


@shape_fn("BiasAddV1")
def bias_add_v1(ctx):
    x = with_rank_at_least(ctx.input_shape(0), 2)
    bias = ctx.with_rank(1, 1)
    if x is None:
        return [None]
    return [tuple(x[:-1]) + (merge_dim(x[-1], bias[0]),)]


@shape_fn("BiasAddGrad")
def bias_add_grad(ctx):
    nchw = ctx.attr("data_format", "NHWC") == "NCHW"
    g = with_rank_at_least(ctx.input_shape(0), 3 if nchw else 2)
    if g is None:
        return [(-1,)]
    return [(g[1] if nchw else g[-1],)]


def _fused_bn_rank(ctx) -> int:
    fmt = ctx.attr("data_format", "NHWC")
    return 5 if fmt in ("NDHWC", "NCDHW") else 4


@shape_fn("FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3", "_FusedBatchNormEx")
def fused_batch_norm(ctx):
    rank = _fused_bn_rank(ctx)
    x = ctx.with_rank(0, rank)
    fmt = ctx.attr("data_format", "NHWC")
    c_axis = 1 if fmt.startswith("NC") else rank - 1
    channel = x[c_axis]
    is_training = bool(ctx.attr("is_training", True))
    avg = ctx.attr("exponential_avg_factor", 1.0)
    n_inputs = 3 if is_training and (avg is None or float(avg) == 1.0) else 5
    for i in range(1, n_inputs):
        vec = ctx.with_rank(i, 1)
        channel = merge_dim(channel, vec[0])
    y = list(x)
    y[c_axis] = channel
    vec = (channel,)
    out = [tuple(y), vec, vec, vec, vec]
    if ctx.op in ("FusedBatchNormV3", "_FusedBatchNormEx"):
        out.append(None)
    return out


@shape_fn("FusedBatchNormGrad", "FusedBatchNormGradV2", "FusedBatchNormGradV3")
def fused_batch_norm_grad(ctx):
    rank = _fused_bn_rank(ctx)
    fmt = ctx.attr("data_format", "NHWC")
    c_axis = 1 if fmt.startswith("NC") else rank - 1
    dy = ctx.with_rank(0, rank)
    x = ctx.with_rank(1, rank)
    x = merge(dy, x)
    channel = x[c_axis]
    for i in (2, 3, 4):
        vec = ctx.with_rank(i, 1)
        channel = merge_dim(channel, vec[0])
    xb = list(x)
    xb[c_axis] = channel
    is_training = bool(ctx.attr("is_training", True))
    reserve = (0,) if is_training else (channel,)
    return [tuple(xb), (channel,), (channel,), reserve, reserve]


@shape_fn("BatchNormWithGlobalNormalization")
def batch_norm_global(ctx):
    x = ctx.with_rank(0, 4)
    depth = x[3]
    for i in range(1, 5):
        vec = ctx.with_rank(i, 1)
        depth = merge_dim(depth, vec[0])
    return [tuple(x[:3]) + (depth,)]


@shape_fn("LRN")
def lrn(ctx):
    return [ctx.with_rank(0, 4)]


@shape_fn("LRNGrad")
def lrn_grad(ctx):
    s = ctx.with_rank(0, 4)
    s = merge(s, ctx.with_rank(1, 4))
    return [merge(s, ctx.with_rank(2, 4))]


@shape_fn("L2Loss")
def l2_loss(ctx):
    return [()]


# -- matmul --------------------------------------------------------------------------------
@shape_fn("MatMul", "_FusedMatMul", "SparseMatMul", "_MklMatMul")
def matmul(ctx):
    a = ctx.with_rank(0, 2)
    b = ctx.with_rank(1, 2)
    ta = bool(ctx.attr("transpose_a", False))
    tb = bool(ctx.attr("transpose_b", False))
    rows = a[1] if ta else a[0]
    cols = b[0] if tb else b[1]
    merge_dim(a[0] if ta else a[1], b[1] if tb else b[0])
    return [(rows, cols)]


def _batch_matmul_parts(ctx):
    a = with_rank_at_least(ctx.input_shape(0), 2)
    b = with_rank_at_least(ctx.input_shape(1), 2)
    adj_x = bool(ctx.attr("adj_x", False))
    adj_y = bool(ctx.attr("adj_y", False))
    rows = -1 if a is None else a[-1 if adj_x else -2]
    cols = -1 if b is None else b[-2 if adj_y else -1]
    inner_a = -1 if a is None else a[-2 if adj_x else -1]
    inner_b = -1 if b is None else b[-1 if adj_y else -2]
    merge_dim(inner_a, inner_b)
    return a, b, rows, cols


@shape_fn("BatchMatMul")
def batch_matmul(ctx):
    a, b, rows, cols = _batch_matmul_parts(ctx)
    batch = merge(subshape(a, 0, -2), subshape(b, 0, -2))
    return [concatenate(batch, (rows, cols))]


@shape_fn("BatchMatMulV2", "BatchMatMulV3", "_MklBatchMatMulV2")
def batch_matmul_v2(ctx):
    a, b, rows, cols = _batch_matmul_parts(ctx)
    batch = broadcast(subshape(a, 0, -2), subshape(b, 0, -2))
    return [concatenate(batch, (rows, cols))]


# -- losses, top-k, misc -------------------------------------------------------------------
@shape_fn("SparseSoftmaxCrossEntropyWithLogits")
def sparse_softmax_xent(ctx):
    features = ctx.with_rank(0, 2)
    labels = ctx.with_rank(1, 1)
    batch = merge_dim(features[0], labels[0])
    return [(batch,), (batch, features[1])]


@shape_fn("SoftmaxCrossEntropyWithLogits")
def softmax_xent(ctx):
    features = ctx.input_shape(0)
    labels = ctx.input_shape(1)
    if features is not None and labels is not None and len(features) == 2 and len(labels) == 2:
        out = broadcast(features, labels)
        return [(out[0],), out]
    f = with_rank(features, 2)
    merged = merge(f, with_rank(labels, 2))
    return [(merged[0],), merged]


@shape_fn("TopKV2", "TopK")
def top_k(ctx):
    x = with_rank_at_least(ctx.input_shape(0), 1)
    if ctx.num_inputs >= 2:
        k = ctx.input_scalar(1)
        k = -1 if k is None or int(k) < 0 else int(k)
    else:
        k = int(ctx.attr("k", -1))
    if x is None:
        return [None, None]
    if x[-1] >= 0 and k >= 0 and x[-1] < k:
        raise ShapeError("input has fewer than k elements")
    s = ctx.shared(tuple(x[:-1]) + (k,))
    return [s, s]


@shape_fn("NthElement")
def nth_element(ctx):
    x = with_rank_at_least(ctx.input_shape(0), 1)
    return [subshape(x, 0, -1)]


@shape_fn("InTopK", "InTopKV2")
def in_top_k(ctx):
    p = ctx.with_rank(0, 2)
    t = ctx.with_rank(1, 1)
    return [(merge_dim(p[0], t[0]),)]


@shape_fn("CTCGreedyDecoder", "CTCBeamSearchDecoder")
def ctc_decoder(ctx):
    x = ctx.with_rank(0, 3)
    seq = ctx.with_rank(1, 1)
    batch = merge_dim(x[1], seq[0])
    paths = 1 if ctx.op == "CTCGreedyDecoder" else int(ctx.attr("top_paths", 1))
    if ctx.op == "CTCGreedyDecoder":
        total = ctx.new_dim()  # one unknown count for the indices and the values
        out = [(total, 2), (total,), (2,)]
    else:
        out = [(-1, 2)] * paths + [(-1,)] * paths + [(2,)] * paths
    out.append((batch, 1 if ctx.op == "CTCGreedyDecoder" else paths))
    return out


@shape_fn("CTCLoss", "CTCLossV2")
def ctc_loss(ctx):
    x = ctx.with_rank(0, 3)
    return [(x[1],), x]


@shape_fn("Dilation2D")
def dilation2d(ctx):
    x = ctx.with_rank(0, 4)
    f = ctx.with_rank(1, 3)
    strides = _attr_list(ctx, "strides", 4)
    rates = _attr_list(ctx, "rates", 4)
    padding = ctx.attr("padding", "VALID")
    h = windowed_size(x[1], f[0], rates[1], strides[1], padding)
    w = windowed_size(x[2], f[1], rates[2], strides[2], padding)
    return [(x[0], h, w, merge_dim(x[3], f[2]))]
