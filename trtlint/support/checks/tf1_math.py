"""Predicates of TF-TRT 1.13/1.15's arithmetic converters: binary ops and their
broadcasting, BiasAdd, MatMul/BatchMatMul, CombinedNonMaxSuppression.

Specified in docs/dev/tf1-tftrt.md, section 8.
"""

from __future__ import annotations

from typing import Optional

from ..context import NodeContext
from . import Result, _fail, check
from .tf1_common import Operand, elementwise_broadcast, operand, weights_count, weights_dims

#: ops TF-TRT 1.13 first tries to convert as a TensorRT scale layer
SCALE_OPS = frozenset({"Add", "Sub", "Mul", "Div", "RealDiv"})


def _scale_path_ok(op: str, left: Operand, right: Operand) -> bool:
    """TF-TRT 1.13's tensor-with-constant path (a scale layer): uniform, per-channel
    or element-wise weights on a rank-4 tensor.  Comparisons are literal."""
    if op not in SCALE_OPS or left.is_tensor == right.is_tensor:
        return False
    tensor, weights = (left, right) if left.is_tensor else (right, left)
    t, w = list(tensor.dims), list(weights.dims)
    if len(t) != 3:
        return False
    if weights_count(tuple(w)) == 1:
        return True                                        # uniform
    if len(w) == len(t) + 1:
        if w[0] != 1:
            return False
        w = w[1:]
    if len(w) == len(t):
        if w[0] != t[0]:
            return False
        rest_w, rest_t = w[1:], t[1:]
        return rest_w == rest_t or all(d == 1 for d in rest_w)  # element-wise / channel
    return len(w) == 1 and w[0] == t[-1]


@check("binary_broadcast_tf113")
def binary_broadcast_tf113(ctx: NodeContext, p: dict) -> Result:
    """Feasible when the scale-layer path or the element-wise broadcast takes the pair;
    the message is the element-wise one."""
    left, right = operand(ctx, 0), operand(ctx, 1)
    if left is None or right is None or not (left.is_tensor or right.is_tensor):
        return None
    if _scale_path_ok(ctx.node.op, left, right):
        return None
    return elementwise_broadcast(left, right)


@check("bias_add_broadcast_tf115")
def bias_add_broadcast_tf115(ctx: NodeContext, p: dict) -> Result:
    """BiasAdd: NCHW passes; otherwise value and bias (Const or not) must broadcast."""
    if str(ctx.attr("data_format", "NHWC")) == "NCHW":
        return None
    value, bias = operand(ctx, 0), operand(ctx, 1)
    if value is None or bias is None or not (value.is_tensor or bias.is_tensor):
        return None
    return elementwise_broadcast(value, bias)


@check("broadcast_rank_tf1")
def broadcast_rank_tf1(ctx: NodeContext, p: dict) -> Result:
    """Only the "beyond batch dimension" half of the element-wise broadcast test."""
    left, right = operand(ctx, 0), operand(ctx, 1)
    if left is None or right is None or not (left.is_tensor or right.is_tensor):
        return None
    failed = elementwise_broadcast(left, right)
    return failed if failed is not None and failed["which"] == 0 else None


@check("tensor_inputs_same_rank")
def tensor_inputs_same_rank(ctx: NodeContext, p: dict) -> Result:
    left, right = operand(ctx, 0), operand(ctx, 1)
    if left is None or right is None or not (left.is_tensor and right.is_tensor):
        return None
    return _fail() if left.rank != right.rank else None


@check("const_operand_not_batched")
def const_operand_not_batched(ctx: NodeContext, p: dict) -> Result:
    """A Const operand with more dims than the other operand's TRT dims must have a
    leading 1: TensorRT cannot hold a batch of constants."""
    ops = [operand(ctx, 0), operand(ctx, 1)]
    if any(o is None for o in ops):
        return None
    for i in (0, 1):
        mine, other = ops[i], ops[1 - i]
        if not mine.is_tensor and mine.rank > other.rank and mine.dims[0] != 1:  # type: ignore[union-attr]
            return _fail(input=i)
    return None


def _transposes(ctx: NodeContext) -> tuple[bool, bool]:
    if ctx.node.op == "MatMul":
        return bool(ctx.attr("transpose_a", False)), bool(ctx.attr("transpose_b", False))
    return bool(ctx.attr("adj_x", False)), bool(ctx.attr("adj_y", False))


@check("matmul_operands_tf115")
def matmul_operands_tf115(ctx: NodeContext, p: dict) -> Result:
    """TF-TRT 1.15's matrix-multiply helper: a transposed Const must be 2-D; a
    transposed tensor ``a`` and any tensor ``b`` need two non-batch dims."""
    a, b = operand(ctx, 0), operand(ctx, 1)
    if a is None or b is None:
        return None
    ta, tb = _transposes(ctx)
    for o, transposed in ((a, ta), (b, tb)):
        if transposed and not o.is_tensor and o.rank != 2:
            return _fail(which=0)
    if ta and a.is_tensor and a.rank < 2:
        return _fail(which=1)
    if b.is_tensor and b.rank < 2:
        return _fail(which=2)
    return None


@check("batch_matmul_tf113")
def batch_matmul_tf113(ctx: NodeContext, p: dict) -> Result:
    """TF-TRT 1.13 BatchMatMul at build time: a rank-2 input 0 only as tensor x Const
    without adj_x (a fully connected layer); Const operands broadcast over the batch
    (leading dim 1)."""
    a, b = operand(ctx, 0), operand(ctx, 1)
    if a is None or b is None:
        return None
    adj_x = bool(ctx.attr("adj_x", False))
    if a.is_tensor and a.rank == 1 and not (not adj_x and not b.is_tensor):
        return _fail(which=0)
    for which, o in ((1, a), (2, b)):
        if not o.is_tensor and o.dims and o.dims[0] != 1:
            return _fail(which=which)
    return None


def _scalar_value(ctx: NodeContext, i: int) -> Optional[float]:
    values = ctx.input_value(i)
    return float(values[0]) if values else None


@check("combined_nms_tf115")
def combined_nms_tf115(ctx: NodeContext, p: dict) -> Result:
    """The BatchedNMS plugin's conditions, in TF-TRT 1.15's order."""
    boxes, scores = ctx.input_shape(0), ctx.input_shape(1)
    if boxes is not None and len(boxes) != 4:
        return _fail(which=0)
    if boxes is not None and scores is not None and len(scores) >= 3 and \
            boxes[2] != 1 and boxes[2] != scores[2]:
        return _fail(which=1)
    # (input, which for "must be 0-D", which for its value check, value check)
    scalars = ((2, 2, 3, lambda v: v > 0), (3, 4, 5, lambda v: v > 0),
               (4, 6, 7, lambda v: 0 <= v <= 1), (5, 8, None, None))
    for i, rank_which, value_which, ok in scalars:
        dims = weights_dims(ctx, i)
        if dims is not None and len(dims) != 1:
            return _fail(which=rank_which)
        value = _scalar_value(ctx, i)
        if ok is not None and value is not None and not ok(value):
            return _fail(which=value_which)
    return None
