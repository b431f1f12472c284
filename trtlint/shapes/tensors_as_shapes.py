"""Grappler's view of values: whole small tensors, and integer vectors read as shapes.

Grappler's refiner does not evaluate anything.  What a shape function can know of an
input's *value* is:

* the tensor itself, for a constant of at most 128 elements, the result of ``Rank`` or
  ``Size`` of a tensor whose rank or size is known, an ``Identity`` of one of those,
  and what a called function returns;
* the tensor *read as a shape* (``input_tensors_as_shapes``): for ``Shape`` of x,
  x's very dims -- unknown ones keep their symbols, so ``Reshape(y, Shape(x))`` gets
  x's dims -- and, built from such shapes, ``ConcatV2``, ``Pack`` of scalars,
  ``Slice`` and ``StridedSlice`` of one element range, ``Identity``; an integer
  constant vector reads as the shape it spells (a negative element: an unknown dim
  that is a new one wherever it is used, here ``-1``).

``Pack`` takes an element from a scalar input only when that scalar is a constant or
a *known* first dim of a shape read: ``Pack(Shape(x)[0], 64)`` reads as ``[?, 64]``
with a new unknown dim, not x's symbol (the strided slice that takes ``[0]`` shrinks an
axis, and grappler does not read such a slice as a shape).
"""

from __future__ import annotations

from typing import Optional

from ..graph.model import Node, TensorRef
from .context import GRAPPLER_CONST_ELEMENTS

_INT_DTYPES = ("int32", "int64")
#: ops whose computed values grappler keeps (everything else is never evaluated)
_VALUE_OPS = frozenset({"Rank", "Size", "PartitionedCall", "StatefulPartitionedCall"})
_IDENTITY_OPS = frozenset({"Identity", "RefIdentity"})
_INT64_MAX = (1 << 63) - 1


def const_as_shape(node: Node) -> Optional[tuple]:
    """An integer Const read as a shape: a vector of elements >= -1 (negative: -1,
    unknown) or a non-negative scalar (a one-dim shape); None otherwise."""
    value = node.value
    if value is None or value.dtype not in _INT_DTYPES:
        return None
    n = value.num_elements
    if n is None or n > GRAPPLER_CONST_ELEMENTS or value.shape is None or len(value.shape) > 1:
        return None
    elems = value.values(limit=GRAPPLER_CONST_ELEMENTS)
    if elems is None:
        return None
    if len(value.shape) == 0:
        v = int(elems[0])
        return (v,) if v >= 0 else None
    if any(int(v) < -1 for v in elems):
        return None
    return tuple(-1 if int(v) < 0 else int(v) for v in elems)


def tensor_as_shape(run, ref: TensorRef) -> Optional[tuple]:
    """The tensor ``ref`` read as a shape (dims; -1 unknown), or None."""
    key = (ref.node, ref.index)
    shape = run.tensors_as_shapes.get(key)
    if shape is not None or ref.index != 0:
        return shape
    node = run.graph.get(ref.node)
    if node is not None and node.op in ("Const", "HostConst"):
        shape = const_as_shape(node)
        if shape is not None:
            run.tensors_as_shapes[key] = shape
    return shape


def _input_tensor(ctx, i: int) -> Optional[list]:
    """Input ``i``'s whole value when grappler has it (see the module docstring)."""
    return ctx.input_value(i)


def _scalar_int(ctx, i: int) -> Optional[int]:
    v = _input_tensor(ctx, i)
    if v is None or len(v) != 1 or isinstance(v[0], (float, bool)):
        return None
    return int(v[0])


def _subshape(dims: tuple, start: int, end: int, stride: int = 1) -> Optional[tuple]:
    """``InferenceContext::Subshape`` of a known-rank shape (None where it errs)."""
    rank = len(dims)
    if start == 0 and stride == 1 and end >= rank:
        return dims
    start = min(start, rank)
    end = min(end, rank)
    if stride < 0 and start == rank:
        start -= 1
    if start < 0:
        start += rank
        if start < 0:
            return None
    if end < 0:
        end += rank
        if end < 0:
            return None
    if stride == 0 or (stride > 0 and start > end) or (stride < 0 and start < end):
        return None
    return tuple(dims[i] for i in range(start, end, stride))


def grappler_outputs(run, node: Node, ctx) -> None:
    """Record what grappler knows of ``node``'s output values after its shape
    function ran: whole values for the few ops it propagates them through, and shapes
    read from integer vectors."""
    name, op = node.name, node.op
    if ctx._out_handles:
        for i, h in ctx._out_handles.items():
            run.handles[(name, i)] = h
    if op in _VALUE_OPS or op in run.graph.library:
        for i, v in ctx._out_values.items():
            run.values[(name, i)] = v
        return
    inputs = node.inputs
    as_shape: Optional[tuple] = None
    if op in _IDENTITY_OPS or (op == "IdentityN" and len(inputs) == 1):
        if inputs:
            v = ctx.input_value(0)
            if v is not None:
                run.values[(name, 0)] = v
            as_shape = tensor_as_shape(run, inputs[0])
    elif op == "Shape":
        as_shape = ctx.input_shape(0)
    elif op == "ShapeN":
        for i in range(len(inputs)):
            s = ctx.input_shape(i)
            if s is not None:
                run.tensors_as_shapes[(name, i)] = s
        return
    elif op == "ConcatV2":
        parts = [tensor_as_shape(run, r) for r in inputs[:-1]]
        if parts and all(p is not None for p in parts):
            as_shape = tuple(d for p in parts for d in p)
    elif op == "Pack":
        as_shape = _pack_as_shape(run, ctx, inputs)
    elif op == "Slice":
        as_shape = _slice_as_shape(run, ctx, inputs)
    elif op == "StridedSlice":
        as_shape = _strided_slice_as_shape(run, ctx, node)
    if as_shape is not None:
        run.tensors_as_shapes[(name, 0)] = as_shape


def _pack_as_shape(run, ctx, inputs) -> Optional[tuple]:
    dims = []
    for i, ref in enumerate(inputs):
        v = _input_tensor(ctx, i)
        if v is not None:
            if len(v) != 1 or ctx.input_dtype(i) not in _INT_DTYPES:
                return None
            in_shape = ctx.input_shape(i)
            if in_shape is not None and len(in_shape) != 0:
                return None
            x = int(v[0])
            dims.append(-1 if x < 0 else x)
            continue
        read = tensor_as_shape(run, ref)
        dims.append(read[0] if read and read[0] >= 0 else -1)
    return tuple(dims)


def _slice_as_shape(run, ctx, inputs) -> Optional[tuple]:
    read = tensor_as_shape(run, inputs[0]) if inputs else None
    begin, size = _scalar_int(ctx, 1), _scalar_int(ctx, 2)
    if read is None or begin is None or size is None:
        return None
    return _subshape(read, begin, _INT64_MAX if size == -1 else begin + size)


def _strided_slice_as_shape(run, ctx, node: Node) -> Optional[tuple]:
    inputs = node.inputs
    read = tensor_as_shape(run, inputs[0]) if inputs else None
    begin, end, stride = _scalar_int(ctx, 1), _scalar_int(ctx, 2), _scalar_int(ctx, 3)
    if read is None or begin is None or end is None or stride is None:
        return None
    if any(int(node.attr(k, 0) or 0) for k in ("ellipsis_mask", "new_axis_mask",
                                                 "shrink_axis_mask")):
        return None
    begin_mask = int(node.attr("begin_mask", 0) or 0)
    end_mask = int(node.attr("end_mask", 0) or 0)
    if begin_mask not in (0, 1) or end_mask not in (0, 1):
        return None
    return _subshape(read, 0 if begin_mask else begin, _INT64_MAX if end_mask else end, stride)
