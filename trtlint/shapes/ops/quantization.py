"""Quantized ops (graph-transform ``quantize_nodes`` graphs, QuantizeV2/Dequantize).

A quantized op carries its float range beside its data: besides the output with the
float op's shape it returns ``min`` and ``max`` scalars (vectors for per-channel
quantisation), which is why these ops have two or three more outputs than their
float counterparts.
"""

from __future__ import annotations

from ..registry import shape_fn
from ..util import broadcast, merge_dim, with_rank_at_least
from . import array as array_ops
from . import nn as nn_ops

_SCALAR = ()


def _with_ranges(main, n_ranges: int = 2):
    return [main] + [_SCALAR] * n_ranges


@shape_fn("QuantizeV2")
def quantize_v2(ctx):
    axis = int(ctx.attr("axis", -1))
    rank = 0 if axis == -1 else 1
    lo = ctx.with_rank(1, rank)
    hi = ctx.with_rank(2, rank)
    x = ctx.input_shape(0)
    if axis != -1:
        x = with_rank_at_least(x, axis + 1)
        depth = merge_dim(merge_dim(lo[0], hi[0]), -1 if x is None else x[axis])
        return [x, (depth,), (depth,)]
    return [x, _SCALAR, _SCALAR]


@shape_fn("Dequantize")
def dequantize(ctx):
    return [ctx.input_shape(0)]


@shape_fn("QuantizeAndDequantizeV2", "QuantizeAndDequantizeV3", "QuantizeAndDequantizeV4",
          "FakeQuantWithMinMaxVars", "FakeQuantWithMinMaxVarsPerChannel")
def quantize_dequantize(ctx):
    return [ctx.input_shape(0)]


@shape_fn("QuantizedConv2D", "QuantizedDepthwiseConv2D", "QuantizedConv2DWithBias",
          "QuantizedConv2DWithBiasAndRelu", "QuantizedConv2DAndRequantize",
          "QuantizedConv2DWithBiasAndReluAndRequantize",
          "QuantizedConv2DWithBiasAndRequantize", "QuantizedConv2DAndRelu",
          "QuantizedConv2DAndReluAndRequantize")
def quantized_conv(ctx):
    depthwise = "Depthwise" in ctx.op
    return _with_ranges(nn_ops.conv_shape(ctx, 4, depthwise=depthwise)[0])


@shape_fn("QuantizedMatMul", "QuantizedMatMulWithBias", "QuantizedMatMulWithBiasAndRelu",
          "QuantizedMatMulWithBiasAndReluAndRequantize")
def quantized_matmul(ctx):
    return _with_ranges(nn_ops.matmul(ctx)[0])


@shape_fn("QuantizedRelu", "QuantizedRelu6", "QuantizedReluX", "Requantize",
          "QuantizeDownAndShrinkRange", "QuantizedInstanceNorm")
def quantized_unchanged(ctx):
    return _with_ranges(ctx.input_shape(0))


@shape_fn("RequantizationRange")
def requantization_range(ctx):
    return [_SCALAR, _SCALAR]


@shape_fn("QuantizedBiasAdd")
def quantized_bias_add(ctx):
    return _with_ranges(nn_ops.bias_add(ctx)[0])


@shape_fn("QuantizedAdd", "QuantizedMul")
def quantized_binary(ctx):
    return _with_ranges(broadcast(ctx.input_shape(0), ctx.input_shape(1)))


@shape_fn("QuantizedMaxPool", "QuantizedAvgPool")
def quantized_pool(ctx):
    return _with_ranges(nn_ops.pool_shape(ctx, 4))


@shape_fn("QuantizedReshape")
def quantized_reshape(ctx):
    return _with_ranges(array_ops.reshape(ctx)[0])


@shape_fn("QuantizedConcat")
def quantized_concat(ctx):
    n = (ctx.num_inputs - 1) // 3
    return _with_ranges(array_ops._concat(ctx, ctx.input_scalar(0), list(range(1, n + 1)))[0])


@shape_fn("QuantizedBatchNormWithGlobalNormalization")
def quantized_batch_norm(ctx):
    x = ctx.with_rank(0, 4)
    depth = x[3]
    for i in (3, 6, 9, 12):
        depth = merge_dim(depth, ctx.with_rank(i, 1)[0])
    return _with_ranges(tuple(x[:3]) + (depth,))


@shape_fn("QuantizedResizeBilinear")
def quantized_resize(ctx):
    from .image import resize

    return _with_ranges(resize(ctx)[0])
