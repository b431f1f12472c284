"""Driving shape inference over a whole graph.

Nodes are visited once in topological order, each through its op's shape function
(``trtlint/shapes/ops``).  An op without one, or whose function meets inputs it
cannot make sense of, gets unknown shapes: always safe, never a wrong known dim.

Unknown dims are symbols (:mod:`trtlint.shapes.symbols`): a shape function passes an
input's dim on as the same ``int``, and every ``-1`` it returns becomes a fresh symbol
here.  Unknown-rank outputs get an identity too -- their input's, for the ops that
forward their input's shape (:func:`~trtlint.shapes.registry.forwards_shape`), else a
fresh one.  What shape functions state (``merge_dim``, ``ShapeContext.with_rank``) is
logged per node and applied once every node is done, in graph order: that is when an
unknown-rank tensor whose consumer needs rank 4 becomes rank 4, and when a MatMul's
unknown inner dim takes the weights' size.

Two views of values (``grappler=``): TensorFlow's import-time one, which evaluates every
constant-foldable subgraph and fills unknown dims from recorded ``_output_shapes``; and
grappler's, the one TF-TRT segments with, which evaluates nothing (see
:mod:`trtlint.shapes.context`) and ignores recorded shapes.

TF1 while loops make cycles (``NextIteration`` feeds ``Merge``).  The first pass infers
each loop ``Merge`` from the inputs already seen (the ``Enter``); then the loop body is
re-run until every ``Merge`` covers what comes back through ``NextIteration``.  As in
grappler, a ``Merge`` is the union of its inputs, where a dim (or rank) the inputs do
not share becomes one unknown dim that belongs to the ``Merge`` (the same one on every
round), so this settles; if it takes too many rounds the loop's merges give up to
unknown rank.

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
from .registry import forwarded_input, lookup
from .symbols import SymbolTable
from .tensors_as_shapes import grappler_outputs
from .util import merge_lenient, set_merge_log

_MERGE_OPS = frozenset({"Merge", "RefMerge"})
_BACK_EDGE_OPS = frozenset({"NextIteration", "RefNextIteration"})
_PLACEHOLDER_OPS = frozenset({"Placeholder", "PlaceholderWithDefault", "PlaceholderV2"})
#: rounds of loop re-inference before loop-carried shapes give up to unknown rank
MAX_LOOP_ROUNDS = 16

# Errors a shape function may raise on malformed attrs or contradictory inputs.
_SHAPE_FN_ERRORS = (ValueError, TypeError, IndexError, KeyError, ZeroDivisionError,
                    OverflowError, AttributeError)


class ShapeMap:
    """Output shapes, small constant values and handle data of every node of a graph.

    Unknown dims are negative: ``<= -2`` symbols shared by the dims grappler knows to be
    equal (any negative dim means "unknown" to code that only needs that)."""

    def __init__(self, graph: Graph, shapes: dict[str, list[Shape]],
                 values: dict[tuple[str, int], list],
                 handles: Optional[dict[tuple[str, int], object]] = None,
                 grappler: bool = False) -> None:
        self.graph = graph
        self._shapes = shapes
        self._values = values
        self._handles = handles or {}
        #: True when these are grappler's shapes (what TF-TRT segments with)
        self.grappler = grappler

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
                 seeds: Optional[dict[str, tuple]] = None, grappler: bool = False) -> None:
        self.graph = graph
        self.overrides = overrides
        #: function arguments: placeholder name -> (shape, value, handle data)
        self.seeds = seeds or {}
        #: grappler's view of values (what TF-TRT sees) instead of import-time folding
        self.grappler = grappler
        self.shapes: dict[str, list[Shape]] = {}
        self.values: dict[tuple[str, int], list] = {}
        self.handles: dict[tuple[str, int], object] = {}
        self.symbols = SymbolTable(symbolic=grappler)
        #: identity of every unknown-rank output
        self.shape_ids: dict[tuple[str, int], int] = {}
        #: outputs that are the shape a rank requirement gave an unknown-rank input
        self.shape_keys: dict[tuple[str, int], object] = {}
        #: grappler: integer vectors read as shapes (dims with symbols; -1 unknown)
        self.tensors_as_shapes: dict[tuple[str, int], tuple] = {}
        #: shape merges the node being run states (ShapeContext appends here)
        self.node_shape_merges: list = []
        #: a loop Merge's own unknown dims and shapes, the same on every round
        self._merge_dims: dict[tuple[str, int], int] = {}
        self._merge_shapes: dict[str, int] = {}
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
        symbols = self.symbols
        if name in self.overrides and node.op in _PLACEHOLDER_OPS:
            self._store(node, [self.overrides[name]])
            return
        if name in self.seeds:
            shape, value, handle = self.seeds[name]
            self._store(node, [merge_lenient(shape, node.attr("shape"))])
            if value is not None:
                self.values[(name, 0)] = value
            if handle is not None:
                self.handles[(name, 0)] = handle
            return
        if node.op in _MERGE_OPS:
            self._run_merge(node)
            return
        ctx = ShapeContext(node, graph, self.shapes, self.values, n_out, self.handles, self)
        fn = lookup(node.op)
        if fn is None and node.op in graph.library:
            fn = lookup("PartitionedCall")  # a function called by its name as op type
        result: Optional[list[Shape]] = None
        dim_merges: list = []
        self.node_shape_merges = shape_merges = []
        if fn is not None:
            outer = set_merge_log(dim_merges if self.grappler else None)
            try:
                result = fn(ctx)
            except _SHAPE_FN_ERRORS:
                result = None  # malformed attrs or inputs: know nothing rather than guess
                ctx._out_values.clear()
                ctx._out_handles.clear()
                dim_merges.clear()
                shape_merges.clear()
            finally:
                set_merge_log(outer)
        if result is None:
            result = ctx.unknown_outputs() if n_out is None else [None] * n_out
        else:
            result = list(result)
            if n_out is not None:
                if len(result) < n_out:
                    result.extend([None] * (n_out - len(result)))
                elif len(result) > n_out:
                    del result[n_out:]
        if not self.grappler:
            recorded = _recorded_shapes(node)
            if recorded and len(recorded) == len(result):
                result = [_with_recorded(r, rec) for r, rec in zip(result, recorded)]
        self._store(node, result, ctx.forwards, ctx.output_ids)
        if ctx.refined:
            for k, shp in enumerate(result):
                key = ctx.refined.get(id(shp)) if shp is not None else None
                if key is not None:
                    self.shape_keys[(name, k)] = key
                elif (name, k) in self.shape_keys:
                    del self.shape_keys[(name, k)]
        if shape_merges:
            symbols.shape_merges[name] = shape_merges
        elif name in symbols.shape_merges:
            del symbols.shape_merges[name]
        if dim_merges:
            symbols.dim_merges[name] = dim_merges
        elif name in symbols.dim_merges:
            del symbols.dim_merges[name]
        if self.grappler:
            grappler_outputs(self, node, ctx)
            return
        if ctx._out_values:
            for i, v in ctx._out_values.items():
                self.values[(name, i)] = v
        if ctx._out_handles:
            for i, h in ctx._out_handles.items():
                self.handles[(name, i)] = h

    def _store(self, node: Node, result: list[Shape],
               forwards: Optional[dict[int, int]] = None,
               output_ids: Optional[dict[int, int]] = None) -> None:
        """Record a node's output shapes: each -1 becomes a new symbol (a dim several
        outputs share was made by the shape function, see ``ShapeContext.shared``),
        and each unknown-rank output gets its identity."""
        name = node.name
        symbols = self.symbols
        symbolic = symbols.symbolic
        for k, s in enumerate(result):
            if s is None:
                sid = output_ids.get(k) if output_ids else None
                if sid is not None:
                    self.shape_ids[(name, k)] = sid
                    continue
                src = forwards.get(k) if forwards else None
                if src is None:
                    src = forwarded_input(node.op, k)
                if src is not None and src < len(node.inputs):
                    ref = node.inputs[src]
                    sid = self.shape_ids.get((ref.node, ref.index))
                self.shape_ids[(name, k)] = sid if sid is not None else symbols.new_shape()
            elif symbolic and -1 in s:
                new_dim = symbols.new_dim
                result[k] = tuple(new_dim() if d == -1 else d for d in s)
        self.shapes[name] = result

    def _run_merge(self, node: Node) -> None:
        """Merge: the union of the inputs seen so far (grappler's ``UpdateMerge``).

        Where the inputs disagree (a dim that is not the same symbol or size, or the
        rank), the output has an unknown dim (or rank) that belongs to this Merge: the
        same one on every round, so loops settle."""
        name = node.name
        shape: Shape = None
        sid: Optional[int] = None
        first = True
        handle = None
        previous_handle = self.handles.get((name, 0))
        had_previous = name in self.shapes
        for ref in node.inputs:
            outs = self.shapes.get(ref.node)
            if outs is None:
                continue  # a back edge not visited yet
            s = outs[ref.index] if ref.index < len(outs) else None
            s_id = self.shape_ids.get((ref.node, ref.index)) if s is None else None
            h = self.handles.get((ref.node, ref.index))
            if first:
                shape, sid, handle = s, s_id, h
                first = False
            else:
                shape, sid = self._union(name, s, s_id, shape, sid)
                handle = relax_handle(handle, h)
        if had_previous:
            if first:  # nothing seen (cannot happen on a re-run): keep what it was
                return
            handle = relax_handle(previous_handle, handle) if previous_handle is not None \
                else None
        self.shapes[name] = [shape, ()]
        if shape is None:
            self.shape_ids[(name, 0)] = sid if sid is not None else self.symbols.new_shape()
        if handle is not None:
            self.handles[(name, 0)] = handle
        else:
            self.handles.pop((name, 0), None)

    def _union(self, name: str, s1: Shape, id1: Optional[int], s2: Shape,
               id2: Optional[int]) -> tuple[Shape, Optional[int]]:
        """``OutputAsUnion``: ``s1`` where it agrees with ``s2``, the Merge's own
        unknown dims (or unknown shape) where it does not."""
        if s1 is None and s2 is None and id1 is not None and id1 == id2:
            return None, id1
        if s1 is None or s2 is None or len(s1) != len(s2):
            sid = self._merge_shapes.get(name)
            if sid is None:
                sid = self._merge_shapes[name] = self.symbols.new_shape()
            return None, sid
        if s1 == s2:
            return s1, None
        out = list(s1)
        for d, (a, b) in enumerate(zip(s1, s2)):
            if a != b:
                key = (name, d)
                own = self._merge_dims.get(key)
                if own is None:
                    own = self._merge_dims[key] = self.symbols.new_dim()
                out[d] = own
        return tuple(out), None

    def clear(self, name: str) -> None:
        """Forget the values and handle data a node recorded (before re-running it)."""
        for i in range(len(self.shapes.get(name) or ())):
            self.values.pop((name, i), None)
            self.handles.pop((name, i), None)
            self.tensors_as_shapes.pop((name, i), None)

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
        self._resolve()
        return ShapeMap(graph, self.shapes, self.values, self.handles, self.grappler)

    def _resolve(self) -> None:
        """Apply the merges shape functions stated, in graph order, to every shape."""
        symbols = self.symbols
        if not symbols.shape_merges and not symbols.dim_merges:
            return
        symbols.resolve(self.graph.nodes)
        shape_ids, shape_keys = self.shape_ids, self.shape_keys
        final = symbols.shape
        for name, outs in self.shapes.items():
            for k, s in enumerate(outs):
                r = final(s, shape_ids.get((name, k)) if s is None else None,
                          shape_keys.get((name, k)) if shape_keys else None)
                if r is not s:
                    outs[k] = r

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
                self.shape_ids[(m.name, 0)] = self.symbols.new_shape()
            self._rerun(order, _downstream(self.graph, [m.name for m in merges]))

    def _relax_merges(self, merges: list[Node]) -> list[str]:
        """Recompute every loop Merge from what now comes back; the ones that changed
        (shape or handle data) need their loop body re-run."""
        changed = []
        for m in merges:
            key = (m.name, 0)
            before = (self.shapes.get(m.name, [None])[0], self.shape_ids.get(key),
                      self.handles.get(key))
            self._run_merge(m)
            after = (self.shapes[m.name][0], self.shape_ids.get(key), self.handles.get(key))
            if before[0] is not None or after[0] is not None:
                before, after = (before[0], before[2]), (after[0], after[2])
            if after != before:
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


def infer_shapes(graph: Graph, overrides: Optional[dict[str, Shape]] = None, *,
                 grappler: bool = False) -> ShapeMap:
    """Infer every output shape of ``graph``.

    ``overrides`` maps a placeholder (node name) to the shape to assume for it, as
    ``--input-shape NAME=1x300x300x3`` asks; naming a node that is not a placeholder,
    or a shape its declaration rules out, raises :class:`~trtlint.errors.UsageError`.

    ``grappler=True`` gives the shapes TF-TRT segments with (grappler's static
    properties: no evaluation of constant subgraphs, no recorded ``_output_shapes``);
    the default is TensorFlow's import-time view.  Both carry symbols for unknown dims.
    """
    overrides = dict(overrides or {})
    if overrides:
        overrides = check_overrides(graph, overrides)
    return _Inference(graph, overrides, grappler=grappler).infer()


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
    return tuple(a if a >= 0 or b < 0 else b for a, b in zip(inferred, recorded))


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
               arg_handles: list, grappler: bool = False
               ) -> Optional[tuple[list[Shape], list, list]]:
    """Shapes (and values, handle data) a call of ``function`` returns for these
    arguments, by inferring shapes through the function's body -- what TensorFlow's
    shape inference does for ``PartitionedCall`` and friends.

    Symbols do not cross the call: the body sees its arguments' unknown dims as new
    ones, and the caller gets new unknown dims for the results (grappler passes shapes
    into and out of a function body as plain shapes, -1 for unknown)."""
    global _call_depth
    if function not in graph.library or _call_depth >= _MAX_CALL_DEPTH:
        return None
    lowered = _function_body(graph, function)
    if lowered is None:
        return None
    sub, args, outputs = lowered
    memo = _BODIES[graph]
    arg_shapes = [_plain(s) for s in arg_shapes]
    key = (function, grappler, tuple(arg_shapes),
           tuple(tuple(v) if v is not None else None for v in arg_values),
           tuple(map(repr, arg_handles)))
    if key in memo:
        return memo[key]
    seeds = {name: (arg_shapes[i] if i < len(arg_shapes) else None,
                    arg_values[i] if i < len(arg_values) else None,
                    arg_handles[i] if i < len(arg_handles) else None)
             for i, name in enumerate(args)}
    _call_depth += 1
    try:
        result = _Inference(sub, {}, seeds, grappler).infer()
    finally:
        _call_depth -= 1
    shapes = [_plain(result.shape(ref)) for ref in outputs]
    values = [result.partial_value(ref) for ref in outputs]
    handles = [result._handles.get((ref.node, ref.index)) for ref in outputs]
    memo[key] = (shapes, values, handles)
    return memo[key]


def _plain(shape: Shape) -> Shape:
    """A shape without symbols (every unknown dim -1)."""
    if shape is None or not any(d < -1 for d in shape):
        return shape
    return tuple(-1 if d < 0 else d for d in shape)


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
