"""Shape functions for sources, pass-throughs, element-wise ops and Shape."""

from __future__ import annotations

from ..registry import shape_fn
from ..util import broadcast


@shape_fn("Const")
def const(ctx):
    value = ctx.node.value
    if value is None:  # a frozen variable whose value lives in variables/
        shape = ctx.attr("_variable_shape")
        return [tuple(shape) if shape is not None else None]
    if value.dtype in ("int32", "int64", "bool") or value.num_elements == 1:
        ctx.set_value(0, value.values(limit=1024))
    return [value.shape]


@shape_fn("Placeholder")
def placeholder(ctx):
    shape = ctx.attr("shape")
    return [tuple(shape) if shape is not None else None]


@shape_fn("PlaceholderWithDefault")
def placeholder_with_default(ctx):
    shape = ctx.attr("shape")
    return [tuple(shape) if shape is not None else ctx.input_shape(0)]


@shape_fn("Identity", "Snapshot", "StopGradient", "PreventGradient", "CheckNumerics",
          "EnsureShape", "Relu", "Relu6", "Elu", "Selu", "Sigmoid", "Tanh", "Softplus",
          "Softsign", "Abs", "Neg", "Exp", "Log", "Log1p", "Sqrt", "Rsqrt", "Square",
          "Reciprocal", "Floor", "Ceil", "Round", "Sign", "Sin", "Cos", "Tan", "Asin", "Acos",
          "Atan", "Sinh", "Cosh", "Asinh", "Acosh", "Atanh", "Erf", "LeakyRelu", "Softmax",
          "LogSoftmax", "ZerosLike", "OnesLike", "IsNan", "IsInf", "IsFinite", "LogicalNot",
          "Cast", "ClipByValue", "FakeQuantWithMinMaxVars",
          "FakeQuantWithMinMaxArgs", "QuantizeAndDequantizeV2", "QuantizeAndDequantizeV3",
          "QuantizeAndDequantizeV4", "Invert", "Expm1", "Rint")
def same_as_first_input(ctx):
    shape = ctx.input_shape(0)
    if ctx.node.op in ("Identity", "Snapshot", "StopGradient", "Cast") and ctx.input_value(0) is not None:
        ctx.set_value(0, ctx.input_value(0))
    return [shape]


@shape_fn("Add", "AddV2", "Sub", "Mul", "Div", "RealDiv", "FloorDiv", "FloorMod", "Mod",
          "Maximum", "Minimum", "Pow", "SquaredDifference", "Equal",
          "NotEqual", "Less", "LessEqual", "Greater", "GreaterEqual", "LogicalAnd", "LogicalOr",
          "DivNoNan", "MulNoNan", "TruncateDiv", "TruncateMod", "Atan2", "Xdivy", "Xlogy",
          "BitwiseAnd", "BitwiseOr", "BitwiseXor")
def binary_broadcast(ctx):
    return [broadcast(ctx.input_shape(0), ctx.input_shape(1))]


@shape_fn("Shape")
def shape_op(ctx):
    s = ctx.input_shape(0)
    if s is None:
        return [(-1,)]
    if all(d >= 0 for d in s):
        ctx.set_value(0, list(s))
    return [(len(s),)]


@shape_fn("NoOp", "Assert", "SaveV2", "Save", "PrintV2")
def no_outputs(ctx):
    return []
