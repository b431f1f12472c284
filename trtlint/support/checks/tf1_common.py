"""What TF-TRT 1.x converters see of their inputs: tensors without the batch dim, weights.

TF-TRT's 1.13 and 1.15 converters receive each input as either a *tensor* (a
non-Const producer's output; in implicit batch mode its "TRT dims" are the static
shape without dim 0, and dim 0 is the batch) or *weights* (a Const; its dims are the
whole tensor shape, and a scalar becomes ``[1]``).  Many checks compare these dims
literally, so an unknown dim (-1) only ever equals -1.

The helpers here give predicates that view; they do not decide anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from ...graph.model import Node
from ...graph.tensors import Shape
from ..context import NodeContext

INT32_MIN, INT32_MAX = -(2 ** 31), 2 ** 31 - 1


@dataclass(frozen=True)
class Operand:
    """One converter input as TF-TRT holds it."""

    is_tensor: bool
    dims: tuple[int, ...]     # TRT dims (tensor, batch removed) or weights dims
    batch: int = -1           # a tensor's dim 0 (-1 unknown); weights: unused

    @property
    def rank(self) -> int:
        """nbDims: TRT rank of a tensor, weight rank of a Const."""
        return len(self.dims)

    @property
    def tf_rank(self) -> int:
        """The rank TensorFlow sees (a tensor's batch dim counted)."""
        return len(self.dims) + (1 if self.is_tensor else 0)


def const_node(ctx: NodeContext, i: int) -> Optional[Node]:
    """The Const producing data input ``i`` (as the context defines constness)."""
    if not ctx.input_is_const(i):
        return None
    src = ctx.input_source(i)
    return src[0] if src is not None else None


def weights_dims(ctx: NodeContext, i: int) -> Optional[tuple[int, ...]]:
    """Dims of the weights a Const input becomes (a scalar becomes ``(1,)``), or None
    when input ``i`` is not a Const or its shape is not known."""
    node = const_node(ctx, i)
    if node is None:
        return None
    shape: Shape = node.value.shape if node.value is not None else ctx.input_shape(i)
    if shape is None or any(d < 0 for d in shape):
        return None
    return tuple(shape) if shape else (1,)


def weights_count(dims: tuple[int, ...]) -> int:
    """Element count as TF-TRT computes it: 0 for no dims, else the product."""
    if not dims:
        return 0
    n = 1
    for d in dims:
        n *= d
    return n


def operand(ctx: NodeContext, i: int) -> Optional[Operand]:
    """Input ``i`` as a tensor or weights; None when its shape is not known."""
    if i >= ctx.num_inputs:
        return None
    if ctx.input_is_const(i):
        dims = weights_dims(ctx, i)
        return None if dims is None else Operand(False, dims)
    shape = ctx.input_shape(i)
    if shape is None or not shape:
        return None
    return Operand(True, tuple(shape[1:]), shape[0])


def dims_text(dims) -> str:
    """``nvinfer1::Dims`` as TF-TRT's DebugString prints it."""
    inner = "".join(f"{d}," for d in dims)
    return f"nvinfer1::Dims(nbDims={len(dims)}, d={inner})"


def product(dims, empty: int = 1) -> int:
    """Product of ``dims``; ``empty`` for no dims (TF-TRT 1.13 uses 0 there)."""
    if not dims:
        return empty
    n = 1
    for d in dims:
        n *= d
    return n


def known(dims) -> bool:
    return all(d >= 0 for d in dims)


def cpp_mod(a: int, b: int) -> int:
    """C++'s ``a % b`` (the sign follows ``a``): -1 % 4 == -1, so unknown dims fail."""
    r = abs(a) % abs(b)
    return -r if a < 0 else r


def int_list(value) -> Optional[list[int]]:
    """A Const value or list attribute as ints (None when not a list of numbers)."""
    if value is None:
        return None
    if not isinstance(value, (list, tuple)):
        value = [value]
    try:
        return [int(v) for v in value]
    except (TypeError, ValueError):
        return None


def elementwise_broadcast(left: Operand, right: Operand) -> Optional[dict]:
    """TF-TRT 1.x's ``GetTrtBroadcastShape`` with its feasibility test.

    Both operands are right-aligned to the broadcast rank (a tensor counts its batch
    dim); a tensor may not need more leading dims than it has ("beyond batch");
    after filling, dims must be equal or 1 where the batch slot of a tensor is -1.
    Returns None when feasible, else the failure values of message 0 or 1."""
    rank = max(left.rank + (1 if left.is_tensor else 0), right.rank + (1 if right.is_tensor else 0))
    filled = []
    for op in (left, right):
        arr = [1] * (rank - op.rank) + list(op.dims)
        if op.is_tensor:
            if op.rank + 1 < rank:
                return {"which": 0, "tensor_dims": op.rank + 1, "broadcast_dims": rank}
            arr[0] = -1
        filled.append(arr)
    a, b = filled
    for x, y in zip(a, b):
        if x != y and x != 1 and y != 1:
            return {"which": 1, "l0": a[0], "r0": b[0], "l_dims": dims_text(a[1:]),
                    "r_dims": dims_text(b[1:])}
    return None


def slice_helper_bounds(dims: list[int], begin: list[int], size: list[int]) -> Optional[dict]:
    """TF-TRT 1.15's ``ConvertStridedSliceHelper`` checks over the non-batch dims:
    begin within [0, dim], begin + size within [0, dim], size > 0 — with an unknown
    dim (-1) nothing fits.  ``which`` 0, 1, 2 (callers offset it); ``dim`` = index."""
    for i in range(1, len(dims)):
        d = dims[i]
        if begin[i] < 0 or begin[i] > d:
            return {"which": 0, "dim": i}
        if begin[i] + size[i] < 0 or begin[i] + size[i] > d:
            return {"which": 1, "dim": i}
        if size[i] <= 0:
            return {"which": 2, "dim": i}
    return None
