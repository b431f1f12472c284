"""Generic predicates: constness, attributes, dtypes, ranks, axes."""

from __future__ import annotations

from ..context import NodeContext
from . import Result, _fail, axis_value, check

# -- generic predicates ------------------------------------------------------------

@check("const_input")
def const_input(ctx: NodeContext, p: dict) -> Result:
    """Data input ``input`` must come from a Const (looking through Identity)."""
    i = p["input"]
    if i >= ctx.num_inputs or ctx.input_is_const(i):
        return None
    return _fail(input=i)


@check("attr_in")
def attr_in(ctx: NodeContext, p: dict) -> Result:
    v = ctx.attr(p["attr"], p.get("default"))
    return None if v in p["values"] else _fail(value=v)


@check("attr_not_in")
def attr_not_in(ctx: NodeContext, p: dict) -> Result:
    v = ctx.attr(p["attr"], p.get("default"))
    return None if v not in p["values"] else _fail(value=v)


@check("attr_eq")
def attr_eq(ctx: NodeContext, p: dict) -> Result:
    v = ctx.attr(p["attr"], p.get("default"))
    return None if v == p["value"] else _fail(value=v)


@check("input_dtype")
def input_dtype(ctx: NodeContext, p: dict) -> Result:
    i = p["input"]
    if i >= ctx.num_inputs:
        return None
    d = ctx.input_dtype(i)
    return None if d is None or d in p["dtypes"] else _fail(input=i, dtype=d)


@check("input_rank")
def input_rank(ctx: NodeContext, p: dict) -> Result:
    i = p.get("input", 0)
    r = ctx.input_rank(i)
    if r is None:
        return None if not p.get("require_known") else _fail(input=i, rank="unknown")
    # TF-TRT counts ranks without the batch dim in implicit batch mode when asked
    if p.get("exclude_batch") and ctx.implicit_batch:
        r -= 1
    if "eq" in p and r != p["eq"] or "min" in p and r < p["min"] or "max" in p and r > p["max"]:
        return _fail(input=i, rank=r)
    return None


@check("rank_known")
def rank_known(ctx: NodeContext, p: dict) -> Result:
    i = p.get("input", 0)
    return None if ctx.input_rank(i) is not None else _fail(input=i)


@check("num_inputs")
def num_inputs(ctx: NodeContext, p: dict) -> Result:
    n = ctx.num_inputs
    if "eq" in p and n != p["eq"] or "min" in p and n < p["min"] or "max" in p and n > p["max"]:
        return _fail(count=n)
    return None


@check("not_batch_axis")
def not_batch_axis(ctx: NodeContext, p: dict) -> Result:
    """In implicit batch mode, an axis (attr or constant input) must not be 0."""
    if not ctx.implicit_batch:
        return None
    axes = axis_value(ctx, p)
    if axes is None:
        return None
    rank = ctx.input_rank(p.get("rank_of", 0))
    for a in axes:
        if not isinstance(a, int):
            continue
        if a < 0 and rank is not None:
            a += rank
        if a == 0:
            return _fail(axis=a)
    return None


@check("input_const_value_known")
def input_const_value_known(ctx: NodeContext, p: dict) -> Result:
    """Input ``input`` must be a constant whose value we know."""
    i = p["input"]
    return None if ctx.input_value(i) is not None or ctx.input_is_const(i) else _fail(input=i)
