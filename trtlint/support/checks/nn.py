"""Predicates of convolution, pooling and matrix-product converters."""

from __future__ import annotations

from typing import Optional

from ..context import NodeContext
from . import Result, _fail, check


def _layout(ctx: NodeContext) -> str:
    return str(ctx.attr("data_format") or "NHWC")


def channel_index(fmt: str, rank: int) -> int:
    """Index of the channel dim for a data_format ("NHWC" -> last, "NCHW" -> 1)."""
    return 1 if fmt.startswith("NC") else rank - 1


def spatial_indices(fmt: str, rank: int) -> list[int]:
    if fmt.startswith("NC"):
        return list(range(2, rank))
    return list(range(1, rank - 1))


@check("batch_channel_one")
def batch_channel_one(ctx: NodeContext, p: dict) -> Result:
    """A strides/dilations list must be 1 at the batch and channel indices."""
    values = ctx.attr(p["attr"])
    if not isinstance(values, list) or not values:
        return None
    c = channel_index(_layout(ctx), len(values))
    for i in (0, c):
        if i < len(values) and values[i] != 1:
            return _fail(index=i, value=values[i])
    return None


@check("spatial_dilation_one")
def spatial_dilation_one(ctx: NodeContext, p: dict) -> Result:
    values = ctx.attr("dilations")
    if not isinstance(values, list):
        return None
    for i in spatial_indices(_layout(ctx), len(values)):
        if values[i] != 1:
            return _fail(index=i, value=values[i])
    return None


@check("static_channel")
def static_channel(ctx: NodeContext, p: dict) -> Result:
    """The channel dim (by data_format) of input 0 must be known."""
    s = ctx.input_shape(p.get("input", 0))
    if s is None:
        return _fail()
    c = channel_index(_layout(ctx), len(s))
    return None if 0 <= c < len(s) and s[c] >= 0 else _fail()


@check("static_spatial_dims")
def static_spatial_dims(ctx: NodeContext, p: dict) -> Result:
    s = ctx.input_shape(p.get("input", 0))
    if s is None:
        return _fail()
    for i in spatial_indices(_layout(ctx), len(s)):
        if s[i] < 0:
            return _fail(index=i)
    return None


@check("conv3d_backprop_padding")
def conv3d_backprop_padding(ctx: NodeContext, p: dict) -> Result:
    """With SAME padding, the total padding of every spatial dim must be even
    (TensorRT's deconvolution cannot pad asymmetrically)."""
    if ctx.attr("padding") != "SAME":
        return None
    sizes = ctx.input_value(0)           # input_sizes: the forward input's shape
    filt = ctx.input_shape(1)
    grad = ctx.input_shape(2)            # out_backprop
    strides = ctx.attr("strides") or []
    if sizes is None or filt is None or grad is None:
        return None
    fmt = _layout(ctx)
    for k, i in enumerate(spatial_indices(fmt, len(grad))):
        if i >= len(sizes) or k >= len(filt) or i >= len(strides):
            return None
        n_in, n_out, ker, st = grad[i], sizes[i], filt[k], strides[i]
        if min(n_in, n_out, ker) < 0:
            return None
        total = max((n_in - 1) * st + ker - n_out, 0)
        if total % 2:
            return _fail(index=i)
    return None


@check("matmul_implicit_2d")
def matmul_implicit_2d(ctx: NodeContext, p: dict) -> Result:
    """Implicit batch MatMul: A not transposed, B a Const, A a tensor."""
    if ctx.attr("transpose_a") or not ctx.input_is_const(1) or ctx.input_is_const(0):
        return _fail()
    return None


@check("einsum_equation")
def einsum_equation(ctx: NodeContext, p: dict) -> Result:
    """No ellipsis and no label repeated within one operand."""
    eq = str(ctx.attr("equation") or "")
    if "..." in eq:
        return _fail()
    lhs = eq.split("->")[0]
    for operand in lhs.split(","):
        labels = operand.strip()
        if len(set(labels)) != len(labels):
            return _fail()
    return None


def _first(values) -> Optional[int]:
    return values[0] if values else None
