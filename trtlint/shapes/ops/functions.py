"""Function calls: shapes inferred through the called function's body.

A frozen TF2 graph often still calls library functions (``StatefulPartitionedCall``
of a tf.Transform preprocessing function, say).  TensorFlow's shape inference looks
inside the callee with the caller's input shapes and constant values; so do we.
"""

from __future__ import annotations

from ...graph.attrs import FuncRef
from ..registry import shape_fn


@shape_fn("PartitionedCall", "StatefulPartitionedCall")
def call(ctx):
    from ..infer import infer_call

    if ctx.op in ("PartitionedCall", "StatefulPartitionedCall"):
        f = ctx.attr("f")
        name = f.name if isinstance(f, FuncRef) else None
    else:  # a function called by its name as the op type
        name = ctx.op
    if name is None:
        return None
    n = ctx.num_inputs
    grappler = ctx._run is not None and ctx._run.grappler
    result = infer_call(ctx.graph, name, [ctx.input_shape(i) for i in range(n)],
                        [ctx.input_partial(i) for i in range(n)],
                        [ctx.input_handle(i) for i in range(n)], grappler)
    if result is None:
        return None
    shapes, values, handles = result
    for i, (v, h) in enumerate(zip(values, handles)):
        if v is not None:
            ctx.set_value(i, v)
        # grappler returns shapes and values from a body, not what a resource it
        # returns points to (a lookup table made by a function is opaque there)
        if h is not None and not grappler:
            ctx.set_handle(i, h)
    return list(shapes)


@shape_fn("TRTEngineOp")
def trt_engine(ctx):
    """A TF-TRT engine (in an already converted graph): the output shapes the converter
    recorded for its segment, when it recorded them."""
    recorded = ctx.attr("output_shapes") or []
    n = ctx.num_outputs or len(ctx.attr("OutT") or []) or len(recorded)
    if recorded and len(recorded) >= n:
        return [tuple(s) if s is not None else None for s in recorded[:n]]
    return [None] * n
