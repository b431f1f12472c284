"""Driving shape inference over a whole graph.

Nodes are visited once in topological order, each through its op's shape function
(``trtlint/shapes/ops``).  An op without one, or whose function meets inputs it
cannot make sense of, gets unknown shapes: always safe, never a wrong known dim.

TF1 while loops make cycles (``NextIteration`` feeds ``Merge``).  TensorFlow's own
import-time inference cuts the cycle by treating the back edge as unknown, which
loses every loop-carried shape.  We do better, soundly: the first pass infers each
loop ``Merge`` from the inputs already seen (the ``Enter``), then the loop body is
re-run until every ``Merge`` covers what comes back through ``NextIteration``.  A
``Merge`` only ever *relaxes* (dims that differ become unknown), so this terminates;
if it takes too many rounds the loop's merges give up to unknown rank.

A call of a library function (``PartitionedCall``, or an op named after a function)
is inferred through the function's body with the caller's shapes and values
(:func:`infer_call`), as TensorFlow's shape refiner does.
"""

from __future__ import annotations

import weakref
from typing import Iterable, Optional

from ..graph.model import Graph, Node, TensorRef
from ..graph.tensors import Shape
from . import ops as _ops  # noqa: F401  (registers the shape functions)
from .context import ShapeContext
from .handles import relax_handle
from .overrides import check_overrides
from .registry import lookup
from .util import merge_lenient, relax

_MERGE_OPS = frozenset({"Merge", "RefMerge"})
_BACK_EDGE_OPS = frozenset({"NextIteration", "RefNextIteration"})
_PLACEHOLDER_OPS = frozenset({"Placeholder", "PlaceholderWithDefault", "PlaceholderV2"})
#: rounds of loop re-inference before loop-carried shapes give up to unknown rank
MAX_LOOP_ROUNDS = 16

# Errors a shape function may raise on malformed attrs or contradictory inputs.
_SHAPE_FN_ERRORS = (ValueError, TypeError, IndexError, KeyError, ZeroDivisionError,
                    OverflowError, AttributeError)


class ShapeMap:
    """Output shapes, small constant values and handle data of every node of a graph."""

    def __init__(self, graph: Graph, shapes: dict[str, list[Shape]],
                 values: dict[tuple[str, int], list],
                 handles: Optional[dict[tuple[str, int], object]] = None) -> None:
        self.graph = graph
        self._shapes = shapes
        self._values = values
        self._handles = handles or {}

    def outputs(self, node: str) -> list[Shape]:
        """Shapes of every output of ``node`` (empty when the node is unknown)."""
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
        """The flat value of a small tensor when every element of it is known."""
        v = self._values.get((ref.node, ref.index))
        if v is None:
            node = self.graph.get(ref.node)
            if node is not None and node.op in ("Const", "HostConst") and ref.index == 0:
                from .context import const_value

                v = const_value(node)
        if v is None or any(x is None for x in v):
            return None
        return v

    def partial_value(self, ref: TensorRef) -> Optional[list]:
        """Like :meth:`value`, with None for the elements that are not known."""
        v = self._values.get((ref.node, ref.index))
        return v if v is not None else self.value(ref)

    def __contains__(self, node: str) -> bool:
        return node in self._shapes


class _Inference:
    """State of one inference run (kept in one object so the hot loop stays flat)."""

    def __init__(self, graph: Graph, overrides: dict[str, Shape],
                 seeds: Optional[dict[str, tuple]] = None) -> None:
        self.graph = graph
        self.overrides = overrides
        #: function arguments: placeholder name -> (shape, value, handle data)
        self.seeds = seeds or {}
        self.shapes: dict[str, list[Shape]] = {}
        self.values: dict[tuple[str, int], list] = {}
        self.handles: dict[tuple[str, int], object] = {}
        #: op -> its output count when no attr decides it (most ops), else None
        self._fixed_outputs: dict[str, Optional[int]] = {}

    def num_outputs(self, node: Node) -> Optional[int]:
        """Output count, without decoding attrs for ops whose count is fixed."""
        op = node.op
        fixed = self._fixed_outputs.get(op, -1)
        if fixed == -1:
            entry = self.graph.registry.get(op)
            fixed = None
            if entry is not None and not any("number_attr" in a or "type_list_attr" in a
                                             for a in entry["out"]):
                fixed = len(entry["out"])
            self._fixed_outputs[op] = fixed
        return fixed if fixed is not None else self.graph.num_outputs(node)

    # -- one node -------------------------------------------------------------------
    def run(self, node: Node) -> None:
        graph = self.graph
        n_out = self.num_outputs(node)
        name = node.name
        if name in self.overrides and node.op in _PLACEHOLDER_OPS:
            self.shapes[name] = [self.overrides[name]]
            return
        if name in self.seeds:
            shape, value, handle = self.seeds[name]
            self.shapes[name] = [merge_lenient(shape, node.attr("shape"))]
            if value is not None:
                self.values[(name, 0)] = value
            if handle is not None:
                self.handles[(name, 0)] = handle
            return
        if node.op in _MERGE_OPS:
            self._run_merge(node)
            return
        ctx = ShapeContext(node, graph, self.shapes, self.values, n_out, self.handles)
        fn = lookup(node.op)
        if fn is None and node.op in graph.library:
            fn = lookup("PartitionedCall")  # a function called by its name as op type
        result: Optional[list[Shape]] = None
        if fn is not None:
            try:
                result = fn(ctx)
            except _SHAPE_FN_ERRORS:
                result = None  # malformed attrs or inputs: know nothing rather than guess
                ctx._out_values.clear()
                ctx._out_handles.clear()
        if result is None:
            result = ctx.unknown_outputs() if n_out is None else [None] * n_out
        else:
            result = list(result)
            if n_out is not None:
                if len(result) < n_out:
                    result.extend([None] * (n_out - len(result)))
                elif len(result) > n_out:
                    del result[n_out:]
        recorded = _recorded_shapes(node)
        if recorded and len(recorded) == len(result):
            result = [_with_recorded(r, rec) for r, rec in zip(result, recorded)]
        self.shapes[name] = result
        if ctx._out_values:
            for i, v in ctx._out_values.items():
                self.values[(name, i)] = v
        if ctx._out_handles:
            for i, h in ctx._out_handles.items():
                self.handles[(name, i)] = h

    def _run_merge(self, node: Node) -> None:
        """Merge: the relaxation of every input seen so far (and of what it was)."""
        previous = self.shapes.get(node.name)
        shape: Shape = None
        first = True
        handle = None
        for ref in node.inputs:
            outs = self.shapes.get(ref.node)
            if outs is None:
                continue  # a back edge not visited yet
            s = outs[ref.index] if ref.index < len(outs) else None
            h = self.handles.get((ref.node, ref.index))
            if first:
                shape, handle = s, h
            else:
                shape, handle = relax(shape, s), relax_handle(handle, h)
            first = False
        if previous is not None:
            if first:
                shape = previous[0]
            else:
                shape = relax(previous[0], shape)
                handle = relax_handle(self.handles.get((node.name, 0)), handle) \
                    if (node.name, 0) in self.handles else None
        self.shapes[node.name] = [shape, ()]
        if handle is not None:
            self.handles[(node.name, 0)] = handle
        else:
            self.handles.pop((node.name, 0), None)

    def clear(self, name: str) -> None:
        """Forget the values and handle data a node recorded (before re-running it)."""
        for i in range(len(self.shapes.get(name) or ())):
            self.values.pop((name, i), None)
            self.handles.pop((name, i), None)

    # -- the graph ------------------------------------------------------------------
    def infer(self) -> ShapeMap:
        graph = self.graph
        order = _order_ignoring_back_edges(graph)
        run = self.run
        nodes = graph.nodes
        for name in order:
            run(nodes[name])
        merges = [n for n in graph if n.op in _MERGE_OPS and _has_back_edge(graph, n)]
        if merges:
            self._settle_loops(order, merges)
        return ShapeMap(graph, self.shapes, self.values, self.handles)

    def _settle_loops(self, order: list[str], merges: list[Node]) -> None:
        changed = self._relax_merges(merges)
        rounds = 0
        while changed and rounds < MAX_LOOP_ROUNDS:
            self._rerun(order, _downstream(self.graph, changed))
            changed = self._relax_merges(merges)
            rounds += 1
        if changed:
            # Give up on loop-carried shapes: unknown rank is always true.
            for m in merges:
                self.shapes[m.name] = [None, ()]
            self._rerun(order, _downstream(self.graph, [m.name for m in merges]))

    def _relax_merges(self, merges: list[Node]) -> list[str]:
        """Relax every loop Merge with what now comes back; the ones that changed
        (shape or handle data) need their loop body re-run."""
        changed = []
        for m in merges:
            before = (self.shapes.get(m.name, [None])[0], self.handles.get((m.name, 0)))
            self._run_merge(m)
            if (self.shapes[m.name][0], self.handles.get((m.name, 0))) != before:
                changed.append(m.name)
        return changed

    def _rerun(self, order: list[str], region: set[str]) -> None:
        nodes = self.graph.nodes
        for name in order:
            if name in region:
                node = nodes[name]
                if node.op not in _MERGE_OPS:
                    self.clear(name)
                self.run(node)


def infer_shapes(graph: Graph, overrides: Optional[dict[str, Shape]] = None) -> ShapeMap:
    """Infer every output shape of ``graph``.

    ``overrides`` maps a placeholder (node name) to the shape to assume for it, as
    ``--input-shape NAME=1x300x300x3`` asks; naming a node that is not a placeholder,
    or a shape its declaration rules out, raises :class:`~trtlint.errors.UsageError`.
    """
    overrides = dict(overrides or {})
    if overrides:
        overrides = check_overrides(graph, overrides)
    return _Inference(graph, overrides).infer()


def _with_recorded(inferred: Shape, recorded: Shape) -> Shape:
    """Fill unknown dims from a recorded ``_output_shapes`` entry, when it fits.

    Exporters record the static shapes Python knew (including ``set_shape`` hints
    our rules cannot derive), but a graph rewritten after export (a layout change,
    say) keeps stale entries: one that contradicts what we inferred is ignored."""
    if recorded is None:
        return inferred
    if inferred is None:
        return tuple(recorded)
    if len(inferred) != len(recorded):
        return inferred
    for a, b in zip(inferred, recorded):
        if a >= 0 and b >= 0 and a != b:
            return inferred
    return tuple(a if a >= 0 else b for a, b in zip(inferred, recorded))


def _recorded_shapes(node: Node) -> Optional[list[Shape]]:
    """The node's ``_output_shapes`` attr, without decoding every attr to find out that
    it has none (most nodes of most graphs: decoding is the costly part of a run)."""
    raw = node._proto_attrs  # still-encoded attrs, None once decoded (see graph.model)
    if raw is not None and "_output_shapes" not in raw:
        return None
    return node.output_shapes


# -- function bodies ---------------------------------------------------------------------
#: per graph: function name -> (body Graph, output refs), and memoised call results
_BODIES: "weakref.WeakKeyDictionary[Graph, dict]" = weakref.WeakKeyDictionary()
_MAX_CALL_DEPTH = 32
_call_depth = 0


def _function_body(graph: Graph, name: str):
    from ..errors import InputError
    from ..load.functions import FunctionBody

    cache = _BODIES.setdefault(graph, {})
    key = ("body", name)
    if key not in cache:
        try:
            body = FunctionBody(graph.library[name], graph.registry, "", None, graph.library)
            sub = Graph(body.nodes, graph.library, graph.registry, graph.producer)
            args = [n.name for n in body.nodes[:len(graph.library[name].signature.input_arg)]]
            cache[key] = (sub, args, body.outputs)
        except (InputError, KeyError, ValueError, IndexError):
            cache[key] = None
    return cache[key]


def infer_call(graph: Graph, function: str, arg_shapes: list[Shape], arg_values: list,
               arg_handles: list) -> Optional[tuple[list[Shape], list, list]]:
    """Shapes (and values, handle data) a call of ``function`` returns for these
    arguments, by inferring shapes through the function's body -- what TensorFlow's
    shape inference does for ``PartitionedCall`` and friends."""
    global _call_depth
    if function not in graph.library or _call_depth >= _MAX_CALL_DEPTH:
        return None
    lowered = _function_body(graph, function)
    if lowered is None:
        return None
    sub, args, outputs = lowered
    memo = _BODIES[graph]
    key = (function, tuple(arg_shapes), tuple(tuple(v) if v is not None else None
                                              for v in arg_values), tuple(map(repr, arg_handles)))
    if key in memo:
        return memo[key]
    seeds = {name: (arg_shapes[i] if i < len(arg_shapes) else None,
                    arg_values[i] if i < len(arg_values) else None,
                    arg_handles[i] if i < len(arg_handles) else None)
             for i, name in enumerate(args)}
    _call_depth += 1
    try:
        result = _Inference(sub, {}, seeds).infer()
    finally:
        _call_depth -= 1
    shapes = [result.shape(ref) for ref in outputs]
    values = [result.partial_value(ref) for ref in outputs]
    handles = [result._handles.get((ref.node, ref.index)) for ref in outputs]
    memo[key] = (shapes, values, handles)
    return memo[key]


def _has_back_edge(graph: Graph, merge: Node) -> bool:
    for ref in merge.inputs:
        src = graph.get(ref.node)
        if src is not None and src.op in _BACK_EDGE_OPS:
            return True
    return False


def _order_ignoring_back_edges(graph: Graph) -> list[str]:
    """Topological order where edges out of NextIteration are ignored.

    Most GraphDefs list nodes in creation order, which already is such an order;
    checking that costs one pass, and sorting is needed only when it fails."""
    nodes = graph.nodes
    seen: set[str] = set()
    add = seen.add
    in_order = True
    for n in nodes.values():
        for r in n.inputs:
            if r.node not in seen and r.node in nodes and \
                    nodes[r.node].op not in _BACK_EDGE_OPS:
                in_order = False
                break
        if in_order:
            for c in n.control_inputs:
                if c not in seen and c in nodes:
                    in_order = False
                    break
        if not in_order:
            break
        add(n.name)
    if in_order:
        return list(nodes)
    return _kahn_order(graph)


def _kahn_order(graph: Graph) -> list[str]:
    nodes = graph.nodes
    indeg: dict[str, int] = {}
    for n in nodes.values():
        d = 0
        for r in n.inputs:
            src = nodes.get(r.node)
            if src is not None and src.op not in _BACK_EDGE_OPS:
                d += 1
        for c in n.control_inputs:
            if c in nodes:
                d += 1
        indeg[n.name] = d
    ready = [name for name, d in indeg.items() if d == 0]
    ready.reverse()
    order: list[str] = []
    consumers = graph.consumers
    control_consumers = graph.control_consumers
    while ready:
        name = ready.pop()
        order.append(name)
        if nodes[name].op not in _BACK_EDGE_OPS:
            for c in consumers(name):
                indeg[c.node] -= 1
                if indeg[c.node] == 0:
                    ready.append(c.node)
        for c in control_consumers(name):
            indeg[c] -= 1
            if indeg[c] == 0:
                ready.append(c)
    if len(order) < len(nodes):
        done = set(order)
        order.extend(n for n in nodes if n not in done)
    return order


def _downstream(graph: Graph, roots: Iterable[str]) -> set[str]:
    """Nodes reachable from ``roots`` by data edges (roots excluded unless reached)."""
    out: set[str] = set()
    stack = list(roots)
    consumers = graph.consumers
    while stack:
        name = stack.pop()
        for c in consumers(name):
            if c.node not in out:
                out.add(c.node)
                stack.append(c.node)
    return out
