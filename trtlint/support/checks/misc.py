"""Predicates that are about the mode, the inputs' nature, or always fail."""

from __future__ import annotations

from ..context import NodeContext
from . import Result, _fail, check

FLOATS = ("float32", "float16")


@check("explicit_batch_only")
def explicit_batch_only(ctx: NodeContext, p: dict) -> Result:
    """The converter exists only in explicit batch mode (use with mode = "implicit")."""
    return _fail() if ctx.implicit_batch else None


@check("never")
def never(ctx: NodeContext, p: dict) -> Result:
    """The converter refuses every valid graph (in the modes the entry applies to)."""
    return _fail()


@check("tensor_input")
def tensor_input(ctx: NodeContext, p: dict) -> Result:
    i = p.get("input", 0)
    if i < ctx.num_inputs and ctx.input_is_const(i):
        return _fail(input=i)
    return None


@check("all_inputs_tensors")
def all_inputs_tensors(ctx: NodeContext, p: dict) -> Result:
    for i in range(ctx.num_inputs):
        if ctx.input_is_const(i):
            return _fail(input=i)
    return None


@check("not_both_const")
def not_both_const(ctx: NodeContext, p: dict) -> Result:
    if ctx.num_inputs >= 2 and ctx.input_is_const(0) and ctx.input_is_const(1):
        return _fail()
    return None


@check("const_input_named")
def const_input_named(ctx: NodeContext, p: dict) -> Result:
    for key, name in sorted(p.get("inputs", {}).items(), key=lambda kv: int(kv[0])):
        i = int(key)
        if i < ctx.num_inputs and not ctx.input_is_const(i):
            return _fail(input=i, name=name)
    return None


@check("cast_dtypes")
def cast_dtypes(ctx: NodeContext, p: dict) -> Result:
    """SrcT and DstT must be float or half (checked in that order)."""
    src, dst = ctx.attr("SrcT"), ctx.attr("DstT")
    if isinstance(src, str) and src not in FLOATS:
        return _fail(dtype=src)
    if isinstance(dst, str) and dst not in FLOATS:
        return _fail(dtype=dst, message="Cast op is not supported - Allowed output dtypes: "
                                        "[float, half]. Received: {dtype}")
    return None
