"""Evaluating one foldable node on constant inputs, the way trtlint can.

Grappler runs TensorFlow's CPU kernel.  trtlint runs the node's *shape function*
(``trtlint/shapes/ops``) on a two-level graph made of the node and its constant
inputs: every shape function also computes the value of small tensors (shape
arithmetic), which is exactly the part of a folded constant that matters downstream.
The result is a list of ``(shape, dtype, values or None)``, one per output.
"""

from __future__ import annotations

from typing import Optional

from ..graph.model import Graph, Node, TensorRef
from ..graph.opdefs import OpRegistry
from ..graph.tensors import Shape
from ..shapes.context import ShapeContext, const_value
from ..shapes.registry import lookup
from .workgraph import WorkNode, parse_input, to_node

Folded = tuple[Shape, Optional[str], Optional[list]]

_ERRORS = (ValueError, TypeError, IndexError, KeyError, ZeroDivisionError, OverflowError,
           AttributeError, ArithmeticError)


def const_shape(node: WorkNode):
    """The shape of a Const: its tensor's, or -- for a frozen variable whose value
    trtlint did not read -- the variable's declared shape."""
    value = node.attr("value")
    if value is not None:
        return value.shape
    if node.has_attr("_scalar"):
        return ()
    shape = node.attr("_variable_shape")
    return tuple(shape) if isinstance(shape, (tuple, list)) else None


def _broadcast_gradient_args(inputs: list) -> Optional[list[list[int]]]:
    """``BroadcastGradientArgs`` on two known shapes (TensorFlow's ``BCast``)."""
    if len(inputs) != 2 or inputs[0] is None or inputs[1] is None:
        return None
    from .constfold import _bcast_reduce_indices

    return _bcast_reduce_indices([int(v) for v in inputs[0]], [int(v) for v in inputs[1]])


#: values of ops trtlint's shape functions do not evaluate
_EXTRA_VALUES = {"BroadcastGradientArgs": _broadcast_gradient_args}


def evaluate(node: WorkNode, inputs: dict[str, WorkNode], registry: OpRegistry) -> Optional[list[Folded]]:
    """Outputs of ``node`` whose data inputs are the Const nodes in ``inputs``."""
    fn = lookup(node.op)
    data: list[TensorRef] = []
    for text in node.inputs:
        if text.startswith("^"):
            break
        name, port = parse_input(text)
        data.append(TensorRef(name, port))
    const_nodes: dict[str, Node] = {}
    shapes: dict[str, list[Shape]] = {}
    values: dict[tuple[str, int], list] = {}
    for ref in data:
        if ref.node in const_nodes:
            continue
        w = inputs.get(ref.node)
        if w is None:
            return None
        c = Node(w.name, "Const", [], [], w.device, attrs={"dtype": w.attr("dtype"),
                                                           "value": w.attr("value")})
        const_nodes[ref.node] = c
        value = c.value
        shapes[c.name] = [value.shape if value is not None else const_shape(w)]
        v = const_value(c)
        if v is not None:
            values[(c.name, 0)] = v
    target = to_node(node)
    target = Node(target.name, target.op, data, [], target.device, attrs=dict(target.attrs))
    mini = Graph(list(const_nodes.values()) + [target], registry=registry)
    n_out = registry.num_outputs(target.op, target.attrs)
    types = registry.output_dtypes(target.op, target.attrs) or []
    result: Optional[list[Shape]] = None
    out_values: dict[int, list] = {}
    if fn is not None:
        ctx = ShapeContext(target, mini, shapes, values, n_out)
        try:
            result = fn(ctx)
            out_values = dict(ctx._out_values)  # noqa: SLF001 - the values it recorded
        except _ERRORS:
            result = None
    extra = _EXTRA_VALUES.get(target.op)
    if extra is not None:
        try:
            computed = extra([values.get((r.node, 0)) if r.index == 0 else None for r in data])
        except _ERRORS:
            computed = None
        if computed is not None:
            for i, vals in enumerate(computed):
                out_values[i] = vals
                if result is not None and i < len(result):
                    result = list(result)
                    result[i] = (len(vals),)
    count = n_out if n_out is not None else (len(result) if result else 1)
    out: list[Folded] = []
    for i in range(count):
        shape = result[i] if result is not None and i < len(result) else None
        dtype = types[i] if i < len(types) else None
        vals = out_values.get(i)
        if vals is not None and any(v is None for v in vals):
            vals = None
        out.append((shape, dtype, vals))
    return out
