"""Implicit-batch broadcasting of two operands (TF-TRT's GetTrtBroadcastShape).

In implicit batch mode a tensor operand's first dim is the batch and is not part of
its TensorRT shape; a Const operand keeps all its dims.  Both are right-aligned to
the broadcast rank; a tensor may not have fewer dims than the broadcast needs, and
dims must match or be 1 — compared literally, so an unknown (-1) dim only matches
-1 or 1.
"""

from __future__ import annotations

from ..context import NodeContext
from . import Result, _fail, check


def _dims_text(batch: int, dims: list[int]) -> str:
    inner = "".join(f"{d}," for d in dims)
    return f"nvinfer1::Dims(nbDims={len(dims)}, d={inner})"


@check("binary_broadcast", messages=(
    "Broadcasting beyond batch dimension is not supported (tensor #dims {tensor_dims} vs "
    "broadcast #dims {broadcast_dims})",
    "Infeasible broadcast scheme (batch_dim: {l0}, {l_dims} vs batch_dim: {r0}, {r_dims})"))
def binary_broadcast(ctx: NodeContext, p: dict) -> Result:
    if not ctx.implicit_batch or ctx.num_inputs < 2:
        return None
    if ctx.node.op == "BiasAdd" and ctx.input_is_const(1):
        return None  # a Const bias is reshaped to the channel axis by the converter
    operands = []
    for i in (0, 1):
        shape = ctx.input_shape(i)
        if shape is None:
            return None
        is_tensor = not ctx.input_is_const(i)
        n = len(shape) - 1 if is_tensor else len(shape)
        operands.append((is_tensor, list(shape), n))
    rank = max(n + (1 if t else 0) for t, _, n in operands)
    for is_tensor, _, n in operands:
        if is_tensor and n + 1 < rank:
            return _fail(which=0, tensor_dims=n + 1, broadcast_dims=rank)
    arrays = []
    for is_tensor, shape, n in operands:
        if is_tensor:
            arr = [-1] + shape[1:]
        else:
            arr = [1] * (rank - len(shape)) + shape
        arrays.append(arr)
    a, b = arrays
    if ctx.node.op.startswith("BatchMatMul"):
        # only the batch dims broadcast; the last two are the matrices
        a, b = a[:-2] if len(a) > 2 else a[:1], b[:-2] if len(b) > 2 else b[:1]
        a, b = (a, b) if len(a) == len(b) else (a[-min(len(a), len(b)):], b[-min(len(a), len(b)):])
    for x, y in zip(a, b):
        if x != y and x != 1 and y != 1:
            return _fail(which=1, l0=a[0], r0=b[0], l_dims=_dims_text(a[0], a[1:]),
                         r_dims=_dims_text(b[0], b[1:]))
    return None


@check("addn_weights_batch_one")
def addn_weights_batch_one(ctx: NodeContext, p: dict) -> Result:
    """Every Const addend of AddN must have dim 0 == 1."""
    for i in range(ctx.num_inputs):
        if ctx.input_is_const(i):
            s = ctx.input_shape(i)
            if s is not None and (len(s) == 0 or s[0] != 1):
                return _fail(input=i)
    return None
