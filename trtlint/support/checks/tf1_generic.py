"""Generic predicates of the TF-TRT 1.13/1.15 rules: constants, attributes, axes, inputs.

Specified in docs/dev/tf1-tftrt.md, section 8.  Each returns None when the condition
holds, else the values its rule's message needs (``which`` picks among ``messages``).
"""

from __future__ import annotations

from ...graph.tensors import format_shape
from ..context import NodeContext
from . import Result, _fail, check
from .tf1_common import (INT32_MAX, INT32_MIN, const_node, int_list, weights_count,
                         weights_dims)

FLOAT_WEIGHTS = ("float32", "float16")
INTEGER_DTYPES = frozenset({"int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
                            "uint64"})


# -- constants ---------------------------------------------------------------------

@check("const_input_count")
def const_input_count(ctx: NodeContext, p: dict) -> Result:
    """Input ``input`` is a Const with ``eq`` (or at least ``min``) elements, counted as
    TF-TRT counts weights (a scalar holds 1, a ``[0]`` tensor 0).  Not a Const: passes
    (another requirement says so)."""
    dims = weights_dims(ctx, p["input"])
    if dims is None:
        return None
    count = weights_count(dims)
    if "eq" in p and count != p["eq"] or "min" in p and count < p["min"]:
        return _fail(count=count, input=p["input"])
    return None


@check("const_input_rank")
def const_input_rank(ctx: NodeContext, p: dict) -> Result:
    """Input ``input``'s weights have ``eq`` dims (a scalar counts as 1)."""
    dims = weights_dims(ctx, p["input"])
    if dims is None or len(dims) == p["eq"]:
        return None
    return _fail(rank=len(dims), input=p["input"])


@check("last_input_count")
def last_input_count(ctx: NodeContext, p: dict) -> Result:
    """The last data input is a Const with ``eq`` elements (ConcatV2's axis)."""
    if ctx.num_inputs == 0:
        return None
    return const_input_count(ctx, {"input": ctx.num_inputs - 1, "eq": p["eq"]})


@check("const_inputs_leading_one")
def const_inputs_leading_one(ctx: NodeContext, p: dict) -> Result:
    """Every Const input's weights have dim 0 == 1 (a scalar is ``[1]`` and passes)."""
    for i in range(ctx.num_inputs):
        dims = weights_dims(ctx, i)
        if dims is not None and dims[0] != 1:
            return _fail(input=i)
    return None


@check("const_scalar_equals")
def const_scalar_equals(ctx: NodeContext, p: dict) -> Result:
    """Input ``input`` is a one-element Const of ``dtype`` holding ``value``."""
    node = const_node(ctx, p["input"])
    if node is None or node.value is None:
        return None
    v = node.value
    if v.dtype != p["dtype"] or v.num_elements != 1 or v.scalar() != p["value"]:
        return _fail(input=p["input"])
    return None


@check("const_weights_tf113", messages=(
    "fp16 constant is not supported yet.",
    "Not supported constant type, at {node}",
    "Broadcast on weights only supports kCHANNEL and kUNIFORM"))
def const_weights_tf113(ctx: NodeContext, p: dict) -> Result:
    """TF-TRT 1.13's Const converter on the Const node itself: float16 values stored
    in ``half_val`` are refused; so is a tensor with elements but no stored values,
    and a list of values that is neither one value nor one per element."""
    value = ctx.node.value
    if value is None:
        return None
    # The repeated-value fields are a storage detail TensorValue hides; TF-TRT 1.13
    # looks at them, so we do too.
    proto = getattr(value, "_proto", None)
    if proto is None or proto.tensor_content:
        return None
    n = value.num_elements or 0
    if value.dtype == "float16" and len(proto.half_val) > 0:
        return _fail(which=0)
    field = {"float32": proto.float_val, "float16": proto.half_val}.get(value.dtype, proto.int_val)
    if n > 0 and len(field) == 0:
        return _fail(which=1, message="Not supported constant type, at {node}")
    if len(field) not in (0, 1, n):
        return _fail(which=2, message="Broadcast on weights only supports kCHANNEL and kUNIFORM")
    return None


@check("const_values_fit_int32")
def const_values_fit_int32(ctx: NodeContext, p: dict) -> Result:
    """TF-TRT 1.15 narrows integer constants to int32: every value must fit."""
    value = ctx.node.value
    if value is None or value.dtype not in INTEGER_DTYPES or value.dtype == "int32":
        return None
    values = value.values(limit=1 << 22)
    for k, v in enumerate(values or ()):
        if not INT32_MIN <= int(v) <= INT32_MAX:
            return _fail(index=k)
    return None


# -- attributes ----------------------------------------------------------------------

@check("attr_at_least")
def attr_at_least(ctx: NodeContext, p: dict) -> Result:
    v = ctx.attr(p["attr"])
    if isinstance(v, int) and v < p["min"]:
        return _fail(value=v)
    return None


@check("attr_list_all_one")
def attr_list_all_one(ctx: NodeContext, p: dict) -> Result:
    values = int_list(ctx.attr(p["attr"]))
    if values and any(v != 1 for v in values):
        return _fail(value=values)
    return None


@check("conv_attr_list_4")
def conv_attr_list_4(ctx: NodeContext, p: dict) -> Result:
    """A convolution's list attribute (strides, dilations) has exactly 4 entries."""
    values = ctx.attr(p["attr"])
    if isinstance(values, list) and len(values) != 4:
        return _fail(count=len(values))
    return None


@check("dilations_ignored_tf113")
def dilations_ignored_tf113(ctx: NodeContext, p: dict) -> Result:
    """TF-TRT 1.13 builds convolutions without dilation: any dilation != 1 is lost."""
    values = int_list(ctx.attr("dilations"))
    if values and any(v != 1 for v in values):
        return _fail(value="[" + ",".join(str(v) for v in values) + "]")
    return None


# -- inputs and axes -------------------------------------------------------------------

@check("num_inputs_equals_attr")
def num_inputs_equals_attr(ctx: NodeContext, p: dict) -> Result:
    """Data inputs == attr ``attr`` + ``extra`` (Pack's N, ConcatV2's N + axis)."""
    n = ctx.attr(p["attr"])
    if not isinstance(n, int):
        return None
    expected = n + int(p.get("extra", 0))
    return None if ctx.num_inputs == expected else _fail(count=ctx.num_inputs, expected=expected)


@check("axis_in_range")
def axis_in_range(ctx: NodeContext, p: dict) -> Result:
    """Every axis (list attr ``attr``, or the values of Const input ``input``; -1 = the
    last input) lies in [-R, R), R = TF rank of input ``rank_of`` + ``rank_offset``.
    TF-TRT 1.15's ConvertAxis, first half.  Unknown rank or value: passes."""
    if "attr" in p:
        axes = int_list(ctx.attr(p["attr"]))
    else:
        i = p["input"] if p["input"] >= 0 else ctx.num_inputs + p["input"]
        axes = int_list(ctx.input_value(i)) if 0 <= i < ctx.num_inputs else None
    rank = ctx.input_rank(p.get("rank_of", 0))
    if not axes or rank is None:
        return None
    r = rank + int(p.get("rank_offset", 0))
    for a in axes:
        if not -r <= a < r:
            return _fail(axis=a, low=-r, high=r)
    return None


@check("perm_matches_rank")
def perm_matches_rank(ctx: NodeContext, p: dict) -> Result:
    """Transpose: the Const perm has one entry per input dim (TF rank)."""
    perm = ctx.input_value(1)
    rank = ctx.input_rank(0)
    if perm is None or rank is None or len(perm) == rank:
        return None
    return _fail(count=len(perm), rank=rank)


@check("no_empty_dims")
def no_empty_dims(ctx: NodeContext, p: dict) -> Result:
    """A tensor input with a non-batch dim of size 0 (unknown dims are fine)."""
    shape = ctx.input_shape(p.get("input", 0))
    if shape is not None and any(d == 0 for d in shape[1:]):
        return _fail(shape=format_shape(shape))
    return None


# -- precision and quantization --------------------------------------------------------

@check("int8_needs_calibration")
def int8_needs_calibration(ctx: NodeContext, p: dict) -> Result:
    """The op needs a calibrated range: fails in INT8 when calibration is off."""
    if ctx.precision == "INT8" and not ctx.target.use_calibration:
        return _fail()
    return None


#: data inputs each quantization op takes (TF-TRT's ConvertQuantize)
QUANTIZE_INPUTS = {"FakeQuantWithMinMaxArgs": 1, "FakeQuantWithMinMaxVars": 3,
                   "QuantizeAndDequantizeV2": 3, "QuantizeAndDequantizeV3": 4}
#: names TF-TRT 1.15 gives the range inputs in its "must be a constant" message
QUANTIZE_RANGE_NAMES = {"FakeQuantWithMinMaxVars": ("min", "max"),
                        "QuantizeAndDequantizeV2": ("input_min", "input_max"),
                        "QuantizeAndDequantizeV3": ("input_min", "input_max", "num_bits")}


@check("quantize_num_inputs")
def quantize_num_inputs(ctx: NodeContext, p: dict) -> Result:
    expected = QUANTIZE_INPUTS.get(ctx.node.op)
    if expected is None or ctx.num_inputs == expected:
        return None
    return _fail(count=ctx.num_inputs, expected=expected)


@check("quantize_inputs_tf115")
def quantize_inputs_tf115(ctx: NodeContext, p: dict) -> Result:
    """Input count, then Const ranges (and num_bits), then FakeQuantWithMinMaxArgs'
    min/max attributes."""
    failed = quantize_num_inputs(ctx, p)
    if failed is not None:
        return _fail(which=0, **failed)
    for k, name in enumerate(QUANTIZE_RANGE_NAMES.get(ctx.node.op, ()), start=1):
        if not ctx.input_is_const(k):
            return _fail(which=1, name=name, input=k)
    if ctx.node.op == "FakeQuantWithMinMaxArgs" and (ctx.attr("min") is None
                                                       or ctx.attr("max") is None):
        return _fail(which=2)
    return None


@check("batchnorm_params")
def batchnorm_params(ctx: NodeContext, p: dict) -> Result:
    """FusedBatchNorm's scale/offset/mean/variance: float weights of one dtype, each
    with the largest count of the four elements or a single one."""
    nodes = [const_node(ctx, i) for i in range(1, 5)]
    if any(n is None or n.value is None for n in nodes):
        return None
    dtypes = [n.value.dtype for n in nodes]  # type: ignore[union-attr]
    if dtypes[0] not in FLOAT_WEIGHTS:
        return _fail(which=0, dtype=dtypes[0])
    if any(d != dtypes[0] for d in dtypes[1:]):
        return _fail(which=1)
    counts = [weights_count(weights_dims(ctx, i) or ()) for i in range(1, 5)]
    n = max(counts)
    if any(c not in (n, 1) for c in counts):
        return _fail(which=2)
    return None
