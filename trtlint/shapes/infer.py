"""Driving shape inference over a whole graph.

Nodes are visited in topological order.  TF1 while loops make cycles (NextIteration
feeds Merge); like grappler's static inference we first infer Merge from its
non-loop inputs, then run a second round over loop nodes, relaxing any dim the
loop changes to unknown.
"""

from __future__ import annotations

from typing import Optional

from ..graph.model import Graph, Node, TensorRef
from ..graph.tensors import Shape
from . import ops as _ops  # noqa: F401  (registers the shape functions)
from .context import ShapeContext
from .registry import lookup
from .util import merge


class ShapeMap:
    """Output shapes and small constant values of every node of a graph."""

    def __init__(self, graph: Graph, shapes: dict[str, list[Shape]],
                 values: dict[tuple[str, int], list]) -> None:
        self.graph = graph
        self._shapes = shapes
        self._values = values

    def outputs(self, node: str) -> list[Shape]:
        return self._shapes.get(node, [])

    def shape(self, ref: TensorRef) -> Shape:
        outs = self._shapes.get(ref.node)
        if outs is None or ref.index >= len(outs):
            return None
        return outs[ref.index]

    def output_shape(self, node: str, index: int = 0) -> Shape:
        return self.shape(TensorRef(node, index))

    def input_shapes(self, node: Node) -> list[Shape]:
        return [self.shape(r) for r in node.inputs]

    def value(self, ref: TensorRef) -> Optional[list]:
        return self._values.get((ref.node, ref.index))

    def __contains__(self, node: str) -> bool:
        return node in self._shapes


def _relax(a: Shape, b: Shape) -> Shape:
    """Shape that covers both a and b (dims that differ become unknown)."""
    if a is None or b is None or len(a) != len(b):
        return None
    return tuple(x if x == y else -1 for x, y in zip(a, b))


def infer_shapes(graph: Graph, overrides: Optional[dict[str, Shape]] = None) -> ShapeMap:
    """Infer every output shape of ``graph``.

    ``overrides`` maps a placeholder (node name) to the shape to assume for it, as
    ``--input-shape NAME=1x300x300x3`` asks.
    """
    overrides = overrides or {}
    shapes: dict[str, list[Shape]] = {}
    values: dict[tuple[str, int], list] = {}
    order = _order_ignoring_back_edges(graph)

    def run(node: Node) -> None:
        n_out = graph.num_outputs(node)
        if node.name in overrides and n_out != 0:
            shapes[node.name] = [overrides[node.name]] + [None] * max(0, (n_out or 1) - 1)
            return
        ctx = ShapeContext(node, graph, shapes, values, n_out)
        fn = lookup(node.op)
        result: Optional[list[Shape]] = None
        if fn is not None:
            try:
                result = fn(ctx)
            except (ValueError, TypeError, IndexError, KeyError, ZeroDivisionError):
                result = None  # malformed attrs or inputs: know nothing rather than guess
        if result is None:
            result = ctx.unknown_outputs() if n_out is None else [None] * n_out
        elif n_out is not None and len(result) < n_out:
            result = list(result) + [None] * (n_out - len(result))
        recorded = node.output_shapes
        if recorded and len(recorded) == len(result):
            result = [merge(r, rec) for r, rec in zip(result, recorded)]
        shapes[node.name] = list(result)
        for i, v in ctx._out_values.items():
            values[(node.name, i)] = v

    for name in order:
        run(graph[name])

    # Second round for TF1 loops: fold the loop-carried shape back into Merge.
    merges = [n for n in graph if n.op in ("Merge", "RefMerge")]
    if merges:
        changed = False
        for m in merges:
            first = shapes.get(m.name, [None])[0]
            relaxed = first
            for ref in m.inputs:
                s = shapes.get(ref.node, [None])
                s = s[ref.index] if ref.index < len(s) else None
                relaxed = _relax(relaxed, s)
            if relaxed != first:
                shapes[m.name][0] = relaxed
                changed = True
        if changed:
            loop_nodes = _loop_nodes(graph)
            for name in order:
                if name in loop_nodes and graph[name].op not in ("Merge", "RefMerge"):
                    run(graph[name])
    return ShapeMap(graph, shapes, values)


def _order_ignoring_back_edges(graph: Graph) -> list[str]:
    """Topological order where edges out of NextIteration are ignored."""
    indeg: dict[str, int] = {}
    for n in graph:
        d = 0
        for r in n.inputs:
            src = graph.get(r.node)
            if src is not None and src.op not in ("NextIteration", "RefNextIteration"):
                d += 1
        d += sum(1 for c in n.control_inputs if c in graph)
        indeg[n.name] = d
    ready = [name for name, d in indeg.items() if d == 0]
    ready.reverse()
    order: list[str] = []
    while ready:
        name = ready.pop()
        order.append(name)
        node = graph[name]
        back = node.op in ("NextIteration", "RefNextIteration")
        for c in graph.consumers(name):
            if back:
                continue
            indeg[c.node] -= 1
            if indeg[c.node] == 0:
                ready.append(c.node)
        for c in graph.control_consumers(name):
            indeg[c] -= 1
            if indeg[c] == 0:
                ready.append(c)
    if len(order) < len(graph):
        seen = set(order)
        order.extend(n for n in graph.nodes if n not in seen)
    return order


def _loop_nodes(graph: Graph) -> set[str]:
    """Nodes downstream of a Merge (conservative: what a loop-carried shape reaches)."""
    out: set[str] = set()
    stack = [n.name for n in graph if n.op in ("Merge", "RefMerge")]
    while stack:
        name = stack.pop()
        for c in graph.consumers(name):
            if c.node not in out:
                out.add(c.node)
                stack.append(c.node)
    return out
