"""Predicates of the shape-manipulating converters (Reshape, Transpose, Slice, ...).

Most of them protect the implicit batch dimension: in implicit batch mode TensorRT
never sees dim 0, so an op that would move, slice, tile, pad or reshape it cannot be
converted.
"""

from __future__ import annotations

from ..context import NodeContext
from . import Result, _fail, check


def _known(dims) -> bool:
    return all(d >= 0 for d in dims)


def _count(dims) -> int:
    n = 1
    for d in dims:
        n *= d
    return n


@check("reshape_keeps_batch")
def reshape_keeps_batch(ctx: NodeContext, p: dict) -> Result:
    if not ctx.implicit_batch:
        return None
    d = ctx.input_shape(0)
    t = ctx.input_value(1)
    if d is None or t is None or not d or not t:
        return None
    bi, bo = d[0], t[0]
    if bi != -1 and bo != -1:
        return None if bi == bo else _fail()
    rest_in, rest_out = list(d[1:]), list(t[1:])
    if _known(rest_in) and _known(rest_out) and _count(rest_in) == _count(rest_out):
        return None
    return _fail()


@check("reshape_not_scalar")
def reshape_not_scalar(ctx: NodeContext, p: dict) -> Result:
    t = ctx.input_value(1)
    if t is None:
        s = ctx.input_shape(1)
        return _fail() if s is not None and s and s[0] == 0 else None
    return None if len(t) >= 1 else _fail()


@check("perm0_is_zero")
def perm0_is_zero(ctx: NodeContext, p: dict) -> Result:
    perm = ctx.input_value(1)
    return None if not perm or perm[0] == 0 else _fail(value=perm[0])


@check("squeeze_dims_given")
def squeeze_dims_given(ctx: NodeContext, p: dict) -> Result:
    dims = ctx.attr("squeeze_dims") or ctx.attr("axis") or []
    if dims:
        return None
    if not ctx.implicit_batch:
        s = ctx.input_shape(0)
        if s is not None and _known(s):
            return None
    return _fail()


def _normalised(axis: int, rank: int | None) -> int | None:
    if axis >= 0:
        return axis
    return None if rank is None else axis + rank


@check("not_batch_axis_expand")
def not_batch_axis_expand(ctx: NodeContext, p: dict) -> Result:
    """ExpandDims: the axis (negative: counted on the output rank) must not be 0."""
    if not ctx.implicit_batch:
        return None
    v = ctx.input_value(p.get("input", 1))
    if not v:
        return None
    rank = ctx.input_rank(0)
    a = _normalised(int(v[0]), None if rank is None else rank + 1)
    return _fail(axis=v[0]) if a == 0 else None


@check("not_batch_axis_pack")
def not_batch_axis_pack(ctx: NodeContext, p: dict) -> Result:
    if not ctx.implicit_batch:
        return None
    axis = ctx.attr(p.get("attr", "axis"), 0)
    rank = ctx.input_rank(0)
    a = _normalised(int(axis), None if rank is None else rank + 1)
    return _fail(axis=axis) if a == 0 else None


@check("const_last_input")
def const_last_input(ctx: NodeContext, p: dict) -> Result:
    i = ctx.num_inputs - 1
    return None if i < 0 or ctx.input_is_const(i) else _fail(input=i)


@check("not_batch_axis_last_input")
def not_batch_axis_last_input(ctx: NodeContext, p: dict) -> Result:
    if not ctx.implicit_batch or ctx.num_inputs < 2:
        return None
    v = ctx.input_value(ctx.num_inputs - 1)
    if not v:
        return None
    a = _normalised(int(v[0]), ctx.input_rank(0))
    return _fail(axis=v[0]) if a == 0 else None


@check("values_are_tensors")
def values_are_tensors(ctx: NodeContext, p: dict) -> Result:
    """Every value input (ConcatV2: all but the axis; Pack: all) must be a tensor."""
    n = ctx.num_inputs - 1 if ctx.node.op == "ConcatV2" else ctx.num_inputs
    for i in range(n):
        if ctx.input_is_const(i):
            return _fail(index=i, input=i)
    return None


@check("static_input_shape")
def static_input_shape(ctx: NodeContext, p: dict) -> Result:
    """Every dim of the input (batch included) must be known.  With two messages:
    the first when the batch dim is unknown (or in explicit mode), the second when
    the batch is known but another dim is not (implicit batch)."""
    s = ctx.input_shape(p.get("input", 0))
    if s is None:
        return _fail(which=0)
    if _known(s):
        return None
    if s and s[0] >= 0 and ctx.implicit_batch:
        return _fail(which=1)
    return _fail(which=0)


@check("slice_batch_untouched")
def slice_batch_untouched(ctx: NodeContext, p: dict) -> Result:
    if not ctx.implicit_batch:
        return None
    begin, size = ctx.input_value(1), ctx.input_value(2)
    if not begin or not size:
        return None
    d = ctx.input_shape(0)
    if begin[0] != 0:
        return _fail()
    if size[0] == -1 or (d is not None and d and d[0] >= 0 and size[0] == d[0]):
        return None
    return _fail()


@check("strided_slice_batch_untouched")
def strided_slice_batch_untouched(ctx: NodeContext, p: dict) -> Result:
    if not ctx.implicit_batch:
        return None
    begin, end, strides = ctx.input_value(1), ctx.input_value(2), ctx.input_value(3)
    if not begin or not end or not strides:
        return None
    if int(ctx.attr("ellipsis_mask", 0)) & 1:
        return None  # the ellipsis spans the batch dim
    if int(ctx.attr("shrink_axis_mask", 0)) & 1:
        return _fail()
    bm, em = int(ctx.attr("begin_mask", 0)) & 1, int(ctx.attr("end_mask", 0)) & 1
    if bm and em:
        return None
    d = ctx.input_shape(0)
    batch = d[0] if d else -1
    begin_ok = bm or begin[0] == 0
    end_ok = em or (batch >= 0 and end[0] >= batch)
    if begin_ok and strides[0] == 1 and end_ok:
        return None
    return _fail()


@check("gather_both_tensors_batch_one")
def gather_both_tensors_batch_one(ctx: NodeContext, p: dict) -> Result:
    if not ctx.implicit_batch:
        return None
    c0, c1 = ctx.input_is_const(0), ctx.input_is_const(1)
    if c0 != c1:
        return None
    s0, s1 = ctx.input_shape(0), ctx.input_shape(1)
    if s0 and s1 and s0[0] == 1 and s1[0] == 1:
        return None
    return _fail()


@check("tile_batch_multiple_one")
def tile_batch_multiple_one(ctx: NodeContext, p: dict) -> Result:
    if not ctx.implicit_batch:
        return None
    m = ctx.input_value(1)
    return None if not m or m[0] == 1 else _fail(value=m[0])


@check("pad_rules")
def pad_rules(ctx: NodeContext, p: dict) -> Result:
    """Paddings [rank, 2]: never the batch dim (implicit batch), at most 2 padded dims."""
    v = ctx.input_value(1)
    if not v or len(v) % 2:
        return None
    pairs = [(v[i], v[i + 1]) for i in range(0, len(v), 2)]
    if ctx.implicit_batch and pairs and pairs[0] != (0, 0):
        return _fail(which=0)
    if sum(1 for a, b in pairs if a or b) > 2:
        return _fail(which=1)
    return None
