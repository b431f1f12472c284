"""Element-wise math: unary ops keep their input's shape, binary ops broadcast.

Small values are folded too (``Shape(x)[1] * 2``, ``Cast(Floor(h * 0.5))``), with
results rounded to the op's dtype: float32 arithmetic is done in float64 and rounded
to float32, which gives TensorFlow's correctly rounded result for + - * / and sqrt.
"""

from __future__ import annotations

import math
import struct
from typing import Callable, Optional

from ...graph.model import TensorRef
from ..registry import forwards_shape, shape_fn
from ..util import ShapeError, broadcast, broadcast_all, merge
from .folding import (broadcast_indices, elementwise, floor_div, floor_mod, is_float_dtype, is_int_dtype,
                      trunc_div, trunc_mod, wrap_int)


def out_dtype(ctx, i: int = 0) -> Optional[str]:
    return ctx.graph.output_dtype(TensorRef(ctx.node.name, i))


def round_to(value, dtype: Optional[str]):
    """A Python number as a tensor of ``dtype`` holds it (None if not representable)."""
    if value is None:
        return None
    if isinstance(value, bool) or dtype == "bool":
        return bool(value)
    if is_int_dtype(dtype):
        if isinstance(value, float):
            return None
        return wrap_int(int(value), dtype)
    if dtype == "float32":
        try:
            return struct.unpack("<f", struct.pack("<f", value))[0]
        except OverflowError:
            return math.copysign(math.inf, value)
    if dtype == "float16":
        try:
            return struct.unpack("<e", struct.pack("<e", value))[0]
        except OverflowError:
            return math.copysign(math.inf, value)
    if dtype == "float64":
        return float(value)
    return None


# -- unary -----------------------------------------------------------------------------
def _rsqrt(x):
    return 1.0 / math.sqrt(x)


def _round_half_even(x):
    return float(round(x)) if isinstance(x, float) else x


def _sign(x):
    if isinstance(x, float) and math.isnan(x):
        return x
    s = (x > 0) - (x < 0)
    return float(s) if isinstance(x, float) else s


_UNARY_FOLD: dict[str, Callable] = {
    "Neg": lambda x: -x,
    "Abs": abs,
    "Square": lambda x: x * x,
    "Sign": _sign,
    "Floor": lambda x: float(math.floor(x)) if isinstance(x, float) and math.isfinite(x) else x,
    "Ceil": lambda x: float(math.ceil(x)) if isinstance(x, float) and math.isfinite(x) else x,
    "Round": _round_half_even,
    "Rint": _round_half_even,
    "Sqrt": math.sqrt,
    "Rsqrt": _rsqrt,
    "Reciprocal": lambda x: 1.0 / x,
    "Inv": lambda x: 1.0 / x,
    "LogicalNot": lambda x: not x,
    "Exp": math.exp,
    "Log": math.log,
}

_UNARY = (
    "Relu", "Relu6", "Elu", "Selu", "Sigmoid", "Tanh", "Softplus", "Softsign", "Abs", "Neg",
    "Exp", "Log", "Log1p", "Sqrt", "Rsqrt", "Square", "Reciprocal", "Inv", "Floor", "Ceil",
    "Round", "Sign", "Sin", "Cos", "Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh", "Asinh",
    "Acosh", "Atanh", "Erf", "Erfc", "Erfinv", "Ndtri", "LeakyRelu", "IsNan", "IsInf",
    "IsFinite", "LogicalNot", "Invert", "Expm1", "Rint", "Lgamma", "Digamma", "Gelu",
    "Real", "Imag", "Conj", "ComplexAbs", "Angle", "PopulationCount", "Mish", "Swish",
    "Dawsn", "Expint", "FresnelCos", "FresnelSin", "Spence", "BesselI0e", "BesselI1e",
    "FakeQuantWithMinMaxArgs", "QuantizeAndDequantize", "ClipByValue", "Softmax",
    "LogSoftmax",
)


def _fold_unary(ctx, fn: Callable) -> None:
    v = ctx.input_partial(0)
    if v is None:
        return
    dtype = out_dtype(ctx)
    try:
        out = []
        for x in v:
            if x is None:
                out.append(None)
                continue
            y = round_to(fn(x), dtype)
            if y is None:
                return
            out.append(y)
    except (ValueError, ZeroDivisionError, OverflowError, TypeError):
        return
    ctx.set_value(0, out)


forwards_shape(*_UNARY)


@shape_fn(*_UNARY)
def unary(ctx):
    shape = ctx.input_shape(0)
    op = ctx.op
    if op in ("Softmax", "LogSoftmax") and shape is not None and len(shape) < 1:
        raise ShapeError("logits must have rank >= 1")
    fold = _UNARY_FOLD.get(op)
    if fold is not None:
        _fold_unary(ctx, fold)
    return [shape]


@shape_fn("Relu6Grad", "ReluGrad", "EluGrad", "SeluGrad", "SoftplusGrad", "SoftsignGrad",
          "LeakyReluGrad", "SigmoidGrad", "TanhGrad", "RsqrtGrad", "SqrtGrad",
          "ReciprocalGrad", "InvGrad", "FakeQuantWithMinMaxArgsGradient")
def merge_two(ctx):
    """Gradient ops whose two inputs share one shape (TensorFlow merges them)."""
    kind, out = ctx.merge_shapes(ctx.input_shape_ref(0), ctx.input_shape_ref(1))
    return [out if kind == "k" else ctx.same_shape(0, 0)]


# -- binary with broadcasting ------------------------------------------------------------
def _safe_pow(x, y):
    if isinstance(x, int) and isinstance(y, int):
        if y < 0:
            raise ValueError("integer to a negative power")
        return x ** y
    return math.pow(x, y)


def _div(x, y):
    return trunc_div(x, y) if isinstance(x, int) and isinstance(y, int) else x / y


def _real_div(x, y):
    if isinstance(x, int) and isinstance(y, int):
        return trunc_div(x, y)
    return x / y


def _div_no_nan(x, y):
    if y == 0:
        return 0.0 if isinstance(x, float) or isinstance(y, float) else 0
    return _real_div(x, y)


_BINARY_FOLD: dict[str, Callable] = {
    "Add": lambda x, y: x + y,
    "AddV2": lambda x, y: x + y,
    "Sub": lambda x, y: x - y,
    "Mul": lambda x, y: x * y,
    "Div": _div,
    "RealDiv": _real_div,
    "DivNoNan": _div_no_nan,
    "FloorDiv": floor_div,
    "FloorMod": floor_mod,
    "TruncateDiv": trunc_div,
    "TruncateMod": trunc_mod,
    "Mod": trunc_mod,
    "Maximum": max,
    "Minimum": min,
    "Pow": _safe_pow,
    "SquaredDifference": lambda x, y: (x - y) * (x - y),
    "Equal": lambda x, y: x == y,
    "NotEqual": lambda x, y: x != y,
    "Less": lambda x, y: x < y,
    "LessEqual": lambda x, y: x <= y,
    "Greater": lambda x, y: x > y,
    "GreaterEqual": lambda x, y: x >= y,
    "LogicalAnd": lambda x, y: bool(x) and bool(y),
    "LogicalOr": lambda x, y: bool(x) or bool(y),
    "BitwiseAnd": lambda x, y: x & y,
    "BitwiseOr": lambda x, y: x | y,
    "BitwiseXor": lambda x, y: x ^ y,
}

_BINARY = (
    "Add", "AddV2", "Sub", "Mul", "Div", "RealDiv", "FloorDiv", "FloorMod", "Mod",
    "Maximum", "Minimum", "Pow", "SquaredDifference", "Equal", "NotEqual", "Less",
    "LessEqual", "Greater", "GreaterEqual", "LogicalAnd", "LogicalOr", "DivNoNan",
    "MulNoNan", "TruncateDiv", "TruncateMod", "Atan2", "Xdivy", "Xlogy", "Xlog1py",
    "BitwiseAnd", "BitwiseOr", "BitwiseXor", "LeftShift", "RightShift", "Complex",
    "Igamma", "Igammac", "Zeta", "Polygamma", "ApproximateEqual", "NextAfter",
    "RandomGammaGrad",
)


def fold_binary(ctx, fn: Callable, out_shape) -> None:
    va = ctx.input_partial(0)
    if va is None:
        return
    vb = ctx.input_partial(1)
    if vb is None:
        return
    dtype = out_dtype(ctx)
    try:
        raw = elementwise(fn, va, ctx.input_shape(0), vb, ctx.input_shape(1), out_shape)
        if raw is None:
            return
        out = []
        for x in raw:
            if x is None:
                out.append(None)
                continue
            y = round_to(x, dtype)
            if y is None:
                return
            out.append(y)
    except (ValueError, ZeroDivisionError, OverflowError, TypeError):
        return
    ctx.set_value(0, out)


@shape_fn(*_BINARY)
def binary_broadcast(ctx):
    out = broadcast(ctx.input_shape(0), ctx.input_shape(1))
    fold = _BINARY_FOLD.get(ctx.op)
    if fold is not None and out is not None:
        fold_binary(ctx, fold, out)
    return [out]


@shape_fn("SelectV2")
def select_v2(ctx):
    shapes = [ctx.input_shape(0), ctx.input_shape(1), ctx.input_shape(2)]
    out = broadcast_all(shapes)
    values = [ctx.input_partial(i) for i in range(3)]
    if out is not None and all(d >= 0 for d in out) and all(v is not None for v in values) \
            and all(s is not None for s in shapes) and math.prod(out) <= 1024:
        c, a, b = (broadcast_indices(s, out) for s in shapes)
        vc, va, vb = values
        ctx.set_value(0, [None if vc[i] is None else (va[j] if vc[i] else vb[k])
                          for i, j, k in zip(c, a, b)])
    return [out]


@shape_fn("Select")
def select(ctx):
    data = merge(ctx.input_shape(1), ctx.input_shape(2))
    cond = ctx.input_shape(0)
    if cond is None or data is None:
        out = data
    elif len(cond) == 0:
        out = data
    elif len(cond) != 1 or len(data) == 0:
        out = merge(data, cond)
    else:
        merge((cond[0],), (data[0],))  # a vector condition selects along dim 0
        out = data
    # Fold a selection between known values with a known condition.
    c, a, b = ctx.input_partial(0), ctx.input_partial(1), ctx.input_partial(2)
    if c is not None and a is not None and b is not None and len(a) == len(b):
        if len(c) == len(a):
            ctx.set_value(0, [None if ci is None else (ai if ci else bi)
                              for ci, ai, bi in zip(c, a, b)])
        elif len(c) == 1 and c[0] is not None:
            ctx.set_value(0, list(a if c[0] else b))
    return [out]


@shape_fn("AddN", "AccumulateNV2")
def add_n(ctx):
    out = ctx.merge_inputs(range(ctx.num_inputs))
    if ctx.op == "AccumulateNV2":
        declared = ctx.attr("shape")
        if declared is not None:
            out = merge(out, tuple(declared))
    values = [ctx.input_partial(i) for i in range(ctx.num_inputs)]
    if values and all(v is not None for v in values) and len({len(v) for v in values}) == 1:
        dtype = out_dtype(ctx)
        total = []
        for elems in zip(*values):
            if any(e is None for e in elems):
                total.append(None)
                continue
            t = round_to(sum(elems), dtype)
            if t is None:
                break
            total.append(t)
        else:
            ctx.set_value(0, total)
    return [out]


@shape_fn("Cumsum", "Cumprod", "CumulativeLogsumexp")
def cumulative(ctx):
    shape = ctx.input_shape(0)
    v = ctx.input_value(0)
    if v is not None and shape is not None and len(shape) == 1 and ctx.op != "CumulativeLogsumexp":
        exclusive, reverse = bool(ctx.attr("exclusive", False)), bool(ctx.attr("reverse", False))
        seq = list(reversed(v)) if reverse else list(v)
        acc = 0 if ctx.op == "Cumsum" else 1
        out = []
        for x in seq:
            if exclusive:
                out.append(acc)
            acc = acc + x if ctx.op == "Cumsum" else acc * x
            if not exclusive:
                out.append(acc)
        dtype = out_dtype(ctx)
        out = [round_to(x, dtype) for x in out]
        if all(x is not None for x in out):
            ctx.set_value(0, list(reversed(out)) if reverse else out)
    return [shape]


@shape_fn("Range")
def range_op(ctx):
    start, limit, delta = ctx.input_scalar(0), ctx.input_scalar(1), ctx.input_scalar(2)
    for i in range(3):
        shape = ctx.input_shape(i)
        if shape is not None and len(shape) != 0:
            raise ShapeError("Range takes scalars")
    if start is None or limit is None or delta is None:
        return [(-1,)]
    if delta == 0:
        raise ShapeError("Range with delta 0")
    dtype = out_dtype(ctx)
    if is_int_dtype(dtype):
        start, limit, delta = int(start), int(limit), int(delta)
        n = max(0, -((start - limit) // delta)) if (limit - start) * delta > 0 else 0
        if n <= 1024:
            ctx.set_value(0, [start + i * delta for i in range(n)])
    else:
        # ceil(|(limit - start) / delta|), each step rounded to the op's float type
        quotient = round_to(round_to(limit - start, dtype) / delta, dtype) \
            if is_float_dtype(dtype) else (limit - start) / delta
        if quotient is None or not math.isfinite(quotient):
            return [(-1,)]
        n = math.ceil(abs(quotient)) if (limit - start) * delta > 0 else 0
        if n <= 1024 and is_float_dtype(dtype):
            values, v = [], round_to(start, dtype)
            for _ in range(n):  # the kernel accumulates: v += delta, in the op's type
                values.append(v)
                v = round_to(v + delta, dtype)
            ctx.set_value(0, values)
    return [(n,)]


@shape_fn("LinSpace")
def lin_space(ctx):
    num = ctx.input_scalar(2)
    return [(int(num),) if num is not None else (-1,)]
