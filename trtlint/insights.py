"""Derived facts about an Analysis that several views and lint rules share (computed
once, here).

Views and rules must not recompute analysis; they may call these helpers, which only
read the Analysis and summarise it.  The helpers the rules use cache their answer on
the Analysis object, so an Analysis must not be edited after these have been called.
"""

from __future__ import annotations

import bisect
import heapq
import re
from collections import Counter, deque
from dataclasses import dataclass
from typing import Callable, Optional, TypeVar

from .analysis import Analysis
from .graph.model import Graph, Node, TensorRef
from .graph.tensors import Shape


@dataclass
class ReasonCount:
    message: str
    category: str
    count: int
    fix: str | None


@dataclass
class UnconvertedType:
    op: str
    count: int
    reasons: list[ReasonCount]


def unconverted_by_type(a: Analysis) -> list[UnconvertedType]:
    """Op types TF-TRT leaves in TensorFlow, most frequent first, with their reasons."""
    groups: dict[str, Counter] = {}
    meta: dict[tuple[str, str], tuple[str, str | None]] = {}
    for d in a.decisions.values():
        if d.supported:
            continue
        r = d.reason
        key = r.message if r else "unknown"
        groups.setdefault(d.op, Counter())[key] += 1
        if r:
            meta[(d.op, key)] = (r.category, r.fix)
    out = []
    for op, counter in groups.items():
        reasons = [ReasonCount(msg, meta.get((op, msg), ("", None))[0], n,
                               meta.get((op, msg), ("", None))[1])
                   for msg, n in counter.most_common()]
        out.append(UnconvertedType(op, sum(counter.values()), reasons))
    out.sort(key=lambda u: (-u.count, u.op))
    return out


@dataclass
class Breaker:
    """An unconverted node that sits on the boundary of one or more engines."""

    node: str
    op: str
    reason: str
    category: str
    fix: str | None
    touches: list[str]          # engine names it reads from or feeds
    touched_size: int           # total node count of those engines


def segment_breakers(a: Analysis, limit: int = 10) -> list[Breaker]:
    """Unconverted nodes adjacent to the biggest engines: what splits the graph."""
    where: dict[str, str] = {}
    size: dict[str, int] = {}
    for seg in a.segments:
        size[seg.name] = len(seg.nodes)
        for n in seg.nodes:
            where[n] = seg.name
    out = []
    g = a.graph
    for name, d in a.decisions.items():
        if d.supported or d.category == "io":
            continue
        node = g[name]
        touched = {where[r.node] for r in node.inputs if r.node in where}
        touched |= {where[c.node] for c in g.consumers(name) if c.node in where}
        if not touched:
            continue
        r = d.reason
        out.append(Breaker(name, d.op, r.message if r else "", r.category if r else "",
                           r.fix if r else None, sorted(touched),
                           sum(size[t] for t in touched)))
    out.sort(key=lambda b: (-b.touched_size, -len(b.touches), b.node))
    return out[:limit]


# ---------------------------------------------------------------------------------------
# Facts the lint rules share.  Each helper caches its answer on the Analysis, because
# several rules (and views) ask the same question of the same analysis.
# ---------------------------------------------------------------------------------------

_T = TypeVar("_T")


def _cached(a: Analysis, key: str, compute: Callable[[], _T]) -> _T:
    """Compute once per Analysis (the cache lives on the object, next to what it reads)."""
    store = vars(a).setdefault("_insight_cache", {})
    if key not in store:
        store[key] = compute()
    return store[key]


def engine_of(a: Analysis) -> dict[str, str]:
    """Node name -> name of the engine that will hold it (engines that build only)."""
    def compute() -> dict[str, str]:
        return {n: s.name for s in a.segments if s.will_build for n in s.nodes}
    return _cached(a, "engine_of", compute)


# -- where an engine input comes from -----------------------------------------------------

@dataclass
class InputTrace:
    """A graph input that feeds some tensor, and one shortest path between them."""

    graph_input: str            # node name of the model input (a Placeholder or signature arg)
    shape: Shape                # the input's shape as the analysis sees it
    path: list[str]             # node names from the graph input to the traced node

    def path_text(self, keep: int = 2) -> str:
        """``"image_tensor -> ToFloat -> ... (12 nodes) ... -> TensorArrayGatherV3"``."""
        if len(self.path) <= 2 * keep + 1:
            return " -> ".join(self.path)
        hidden = len(self.path) - 2 * keep
        return " -> ".join(self.path[:keep]) + f" -> ... ({hidden} nodes) ... -> " + \
            " -> ".join(self.path[-keep:])


def graph_input_names(a: Analysis) -> list[str]:
    """Model inputs present in the graph TF-TRT sees, in signature order."""
    return [spec.name for spec in a.model.inputs if spec.name in a.graph]


def trace_to_graph_inputs(a: Analysis, tensor: str | TensorRef) -> list[InputTrace]:
    """Graph inputs whose values reach ``tensor`` over data edges, nearest first.

    Follows every data input, through loops and TensorArrays alike: the question is
    "which input's shape can this tensor inherit", and an image reaches the backbone of
    an SSD through a map_fn loop.  Each path is a shortest one, preferring paths that do
    not go through shape-reading ops.
    """
    ref = tensor if isinstance(tensor, TensorRef) else TensorRef.parse(tensor)
    cache = _cached(a, "input_traces", dict)
    if ref.node in cache:
        return cache[ref.node]
    inputs = set(graph_input_names(a))
    g = a.graph
    # Dijkstra over producers; stepping through an op that only reads a shape costs a
    # lot, so the path shown is the one the VALUES take (through the map_fn loop), not
    # the one a TensorArray's size takes from tf.shape(image).
    best: dict[str, int] = {ref.node: 0}
    parent: dict[str, Optional[str]] = {ref.node: None}
    heap = [(0, ref.node)]
    found: list[str] = []
    while heap:
        cost, name = heapq.heappop(heap)
        if cost > best.get(name, cost):
            continue
        if name in inputs:
            found.append(name)
        node = g.get(name)
        if node is None:
            continue
        step = _METADATA_COST if node.op in _SHAPE_READERS else 1
        for src in node.inputs:
            if src.node not in g:
                continue
            new_cost = cost + step
            if new_cost < best.get(src.node, 1 << 60):
                best[src.node] = new_cost
                parent[src.node] = name
                heapq.heappush(heap, (new_cost, src.node))
    traces = []
    for name in sorted(found, key=lambda n: best[n]):
        path = [name]
        while parent[path[-1]] is not None:
            path.append(parent[path[-1]])  # type: ignore[arg-type]
        traces.append(InputTrace(name, a.shapes.output_shape(name, 0), path))
    cache[ref.node] = traces
    return traces


def graph_inputs_reaching(a: Analysis) -> dict[str, tuple[str, ...]]:
    """Node name -> the graph inputs whose values reach it over data edges (one forward
    sweep per graph input: cheap where per-node traces would cost nodes x nodes)."""
    def compute() -> dict[str, tuple[str, ...]]:
        g = a.graph
        reach: dict[str, list[str]] = {}
        for name in graph_input_names(a):
            seen = {name}
            queue = deque([name])
            while queue:
                cur = queue.popleft()
                reach.setdefault(cur, []).append(name)
                for c in g.consumers(cur):
                    if c.node not in seen:
                        seen.add(c.node)
                        queue.append(c.node)
        return {n: tuple(v) for n, v in reach.items()}
    return _cached(a, "inputs_reaching", compute)


#: ops that read only the shape of their input, and the cost of tracing through one
_SHAPE_READERS = frozenset({"Shape", "ShapeN", "Size", "Rank", "TensorArraySizeV3"})
_METADATA_COST = 1000


# -- tensors whose size depends on the data ------------------------------------------------

#: ops whose output size depends on the values they read, and what decides it
DATA_DEPENDENT_OPS = {
    "Where": "the number of true elements",
    "NonMaxSuppression": "the number of boxes kept",
    "NonMaxSuppressionV2": "the number of boxes kept",
    "NonMaxSuppressionV3": "the number of boxes kept",
    "NonMaxSuppressionV4": "the number of boxes kept",
    "NonMaxSuppressionV5": "the number of boxes kept",
    "NonMaxSuppressionWithOverlaps": "the number of boxes kept",
    "Unique": "the number of distinct values",
    "UniqueV2": "the number of distinct values",
    "UniqueWithCounts": "the number of distinct values",
    "UniqueWithCountsV2": "the number of distinct values",
    "DynamicPartition": "how many elements fall in each partition",
    "ListDiff": "the number of elements not in the second list",
    "SetDiff1D": "the number of elements not in the second list",
    "CTCGreedyDecoder": "the decoded sequence lengths",
    "CTCBeamSearchDecoder": "the decoded sequence lengths",
}

#: data-dependent ops that can also give an empty output (NMS always can: no box passes
#: the score threshold; Unique of an empty input...)
_MAY_BE_EMPTY_ORIGINS = frozenset(DATA_DEPENDENT_OPS) | {"TopKV2"}

#: ops whose output is empty when the input at one of these positions is empty
#: (None: any data input)
_EMPTY_PASSES: dict[str, Optional[tuple[int, ...]]] = {
    **{op: None for op in (
        "Identity", "Snapshot", "StopGradient", "Cast", "Neg", "Abs", "Exp", "Log", "Sqrt",
        "Rsqrt", "Square", "Relu", "Relu6", "Sigmoid", "Tanh", "Floor", "Ceil", "Round", "Sign",
        "Reciprocal", "ZerosLike", "OnesLike", "LogicalNot", "Add", "AddV2", "Sub", "Mul", "Div",
        "RealDiv", "FloorDiv", "FloorMod", "Maximum", "Minimum", "Pow", "SquaredDifference",
        "Greater", "GreaterEqual", "Less", "LessEqual", "Equal", "NotEqual", "LogicalAnd",
        "LogicalOr", "Select", "SelectV2", "BiasAdd", "ClipByValue", "Gather", "GatherV2",
        "GatherNd", "Enter", "RefEnter", "Exit", "RefExit", "Merge", "RefMerge", "NextIteration",
        "RefNextIteration", "Where", "Dequantize")},
    **{op: (0,) for op in (
        "Reshape", "ExpandDims", "Squeeze", "Transpose", "Slice", "StridedSlice", "SplitV",
        "Unpack", "Tile", "ReverseV2", "Switch", "RefSwitch", "Softmax", "Pad", "PadV2",
        "MirrorPad")},
    "Split": (1,),
}
#: ops whose output is empty only when every value input is
_EMPTY_IF_ALL = frozenset({"ConcatV2", "Concat", "Pack", "AddN"})


def _topk_k_is_dynamic(g: Graph, node: Node) -> bool:
    k = resolve_const(g, node.inputs[1]) if len(node.inputs) > 1 else None
    return k is None


def data_dependent_size_nodes(a: Analysis) -> dict[str, str]:
    """Nodes whose output size depends on the data -> what decides the size.

    TopKV2 counts when its ``k`` is not a constant: TensorRT needs ``k`` at build time.
    """
    def compute() -> dict[str, str]:
        out: dict[str, str] = {}
        for node in a.graph:
            why = DATA_DEPENDENT_OPS.get(node.op)
            if why is not None:
                out[node.name] = why
            elif node.op == "TopKV2" and _topk_k_is_dynamic(a.graph, node):
                out[node.name] = "the value of k, computed at run time"
        return out
    return _cached(a, "data_dependent", compute)


def possibly_empty_nodes(a: Analysis) -> dict[str, str]:
    """Nodes whose (first) output can be an empty tensor at run time -> the data-dependent
    node the emptiness comes from.

    Emptiness starts at data-dependent ops (a Where with no true element, an NMS that
    keeps no box, a TopK with k == 0) and flows forward through element-wise ops,
    gathers, reshapes, slices and loop plumbing.  Reductions stop it: the Min of an empty
    tensor is a (poisonous) +inf scalar, not an empty tensor -- which is exactly how a
    graph-transform QuantizeV2 ends up with max < min.
    """
    def compute() -> dict[str, str]:
        g = a.graph
        origin: dict[str, str] = {}
        queue: deque[str] = deque()
        for name in data_dependent_size_nodes(a):
            if g[name].op in _MAY_BE_EMPTY_ORIGINS:
                origin[name] = name
                queue.append(name)
        while queue:
            name = queue.popleft()
            for c in g.consumers(name):
                if c.node in origin:
                    continue
                consumer = g[c.node]
                if consumer.op in _EMPTY_IF_ALL:
                    values = consumer.inputs[:-1] if consumer.op == "ConcatV2" else \
                        consumer.inputs[1:] if consumer.op == "Concat" else consumer.inputs
                    if not values or not all(v.node in origin for v in values):
                        continue
                elif consumer.op in _EMPTY_PASSES:
                    positions = _EMPTY_PASSES[consumer.op]
                    if positions is not None and c.dst_index not in positions:
                        continue
                else:
                    continue
                origin[c.node] = origin[name]
                queue.append(c.node)
        return origin
    return _cached(a, "possibly_empty", compute)


# -- constants seen through Identity ---------------------------------------------------------

#: ops that hand their input on unchanged (ReadVariableOp: of a variable frozen to a Const)
_PASS_THROUGH = frozenset({"Identity", "Snapshot", "StopGradient", "PreventGradient",
                           "ReadVariableOp"})


def resolve_const(g: Graph, ref: TensorRef) -> Optional[Node]:
    """The Const node behind ``ref``, looking through Identity-like nodes (the ``/read``
    Identity a frozen variable keeps), else None."""
    seen: set[str] = set()
    node = g.get(ref.node)
    while node is not None and node.name not in seen:
        seen.add(node.name)
        if node.op == "Const":
            return node
        if node.op not in _PASS_THROUGH or not node.inputs:
            return None
        node = g.get(node.inputs[0].node)
    return None


#: ops whose output is not a constant even when their inputs are (feeds, variables, RNGs)
_NOT_CONSTANT_SOURCES = frozenset({"Placeholder", "PlaceholderWithDefault", "VariableV2",
                                   "Variable", "VarHandleOp", "_Arg",
                                   "RandomUniform", "RandomStandardNormal", "TruncatedNormal"})


def constant_nodes(a: Analysis) -> frozenset[str]:
    """Nodes whose outputs are computed from constants only: subgraphs constant folding
    would turn into Consts (one pass in topological order; nodes on loops never count)."""
    def compute() -> frozenset[str]:
        # Propagated forward from the Consts rather than scanned in topological order
        # (sorting a 100k-node graph costs more than the whole rule): a node turns
        # constant when the last of its inputs, data and control, counted with
        # repeats as the consumer index lists them, has.  The set is the same: an
        # input missing from the graph or on a cycle never turns constant, so neither
        # does anything reading it.
        g = a.graph
        const: set[str] = {n.name for n in g if n.op == "Const"}
        inputs_left: dict[str, int] = {}
        stack = list(const)
        while stack:
            name = stack.pop()
            readers = [c.node for c in g.consumers(name)]
            readers.extend(g.control_consumers(name))
            for reader in readers:
                left = inputs_left.get(reader)
                if left is None:
                    node = g[reader]
                    if node.op == "Const" or node.op in _NOT_CONSTANT_SOURCES or \
                            not node.inputs:
                        continue  # a Const already counts; the others never do
                    left = len(node.inputs) + len(node.control_inputs)
                left -= 1
                inputs_left[reader] = left
                if left == 0:
                    const.add(reader)
                    stack.append(reader)
        return frozenset(const)
    return _cached(a, "constant_nodes", compute)


def const_scalar(g: Graph, ref: TensorRef) -> Optional[float]:
    """The single value of a one-element Const behind ``ref`` (None otherwise)."""
    values = const_values(g, ref)
    return float(values[0]) if values is not None and len(values) == 1 else None


def const_values(g: Graph, ref: TensorRef, limit: int = 4096) -> Optional[list]:
    """The values of the Const behind ``ref``, flattened (None when not a Const or larger
    than ``limit`` elements: rules only read small range and axis constants)."""
    const = resolve_const(g, ref)
    if const is None or const.value is None:
        return None
    return const.value.values(limit=limit)


# -- TF1 control flow frames ------------------------------------------------------------------

@dataclass
class ControlFlowRegion:
    """A TF1 while loop (one frame) or cond, and where its nodes end up."""

    kind: str                   # "while" | "cond"
    name: str                   # frame name (while) or cond scope
    scope: str                  # name prefix of its nodes, ending in "/"
    nodes: list[str]            # member nodes in the analysed graph
    in_engines: int             # members inside engines that build
    ops: dict[str, int]         # member op histogram
    #: the functional op it was lowered from (TF2 SavedModels: "While", "StatelessIf"...)
    lowered_from: Optional[str] = None

    @property
    def kept_in_tf(self) -> int:
        return len(self.nodes) - self.in_engines


_LOOP_OPS = frozenset({"Enter", "RefEnter", "Exit", "RefExit", "NextIteration",
                       "RefNextIteration", "LoopCond"})
CONTROL_FLOW_V1_OPS = frozenset({"Switch", "RefSwitch", "Merge", "RefMerge"}) | _LOOP_OPS


def _scope_members(names: list[str], prefix: str) -> list[str]:
    """Names starting with ``prefix``, from a sorted list (a binary search, not a scan:
    graphs with thousands of conds would otherwise cost frames x nodes)."""
    start = bisect.bisect_left(names, prefix)
    end = bisect.bisect_left(names, prefix + "\U0010ffff")
    return names[start:end]


def control_flow_regions(a: Analysis) -> list[ControlFlowRegion]:
    """TF1 while frames (by Enter ``frame_name``) and conds (Switch nodes outside any loop
    machinery, by name scope), with how many of their nodes land in engines.

    A functional While/If/Case the loader lowered (as TF-TRT's freezing of a TF2
    signature does) is one region named after the op: every node under its name,
    bodies included, with ``lowered_from`` set to its op type."""
    def compute() -> list[ControlFlowRegion]:
        g = a.graph
        inside = engine_of(a)
        sorted_names = sorted(g.nodes)
        lowered = {c.name: c.op for c in getattr(a.model, "lowered_control_flow", [])}
        regions: list[ControlFlowRegion] = []
        for name, op in lowered.items():
            members = _scope_members(sorted_names, name + "/")
            if members:
                kind = "while" if op.endswith("While") else "cond"
                regions.append(_region(g, kind, name, name + "/", members, inside, op))

        def lowered_owner(node_name: str) -> Optional[str]:
            # the innermost lowered op whose scope holds the node
            parts = node_name.split("/")
            for i in range(len(parts) - 1, 0, -1):
                prefix = "/".join(parts[:i])
                if prefix in lowered:
                    return prefix
            return None

        enter_scopes: dict[str, list[str]] = {}
        for node in g:
            if node.op in ("Enter", "RefEnter"):
                frame = node.attr("frame_name")
                frame = frame if isinstance(frame, str) and frame else node.scope
                if lowered and (frame in lowered or lowered_owner(node.name) is not None):
                    continue
                enter_scopes.setdefault(frame, []).append(node.scope)
        frames: dict[str, str] = {}
        for frame, scopes in enter_scopes.items():
            if frame.endswith("/while_context"):
                frames[frame] = frame[: -len("while_context")]
            else:
                # Loop-invariant Enters sit in sub-scopes ("lstm/while/MatMul/Enter"): the
                # loop is the scope all of its Enters share.
                common = _common_scope(scopes)
                frames[frame] = common + "/" if common else ""
        loop_prefixes = sorted(set(frames.values()) | {n + "/" for n in lowered}, key=len)
        for frame, prefix in frames.items():
            members = _scope_members(sorted_names, prefix) if prefix else []
            regions.append(_region(g, "while", frame, prefix, members, inside))
        conds: dict[str, list[str]] = {}
        for node in g:
            if node.op not in ("Switch", "RefSwitch"):
                continue
            pred = g.get(node.inputs[1].node) if len(node.inputs) > 1 else None
            if pred is not None and pred.op == "LoopCond":
                continue
            if lowered and lowered_owner(node.name) is not None:
                continue           # a lowered op's machinery (TF2 bodies hold no v1 conds)
            conds.setdefault(_cond_scope(node.name), []).append(node.name)
        for scope, switches in conds.items():
            members = _scope_members(sorted_names, scope) if scope and scope not in loop_prefixes \
                else switches
            regions.append(_region(g, "cond", scope.rstrip("/") or switches[0], scope, members,
                                   inside))
        regions.sort(key=lambda r: (-len(r.nodes), r.name))
        return regions
    return _cached(a, "cf_regions", compute)


def _common_scope(scopes: list[str]) -> str:
    """Longest common prefix of name scopes, by whole components."""
    parts = [s.split("/") for s in scopes if s]
    if not parts or len(parts) < len(scopes):
        return ""
    common: list[str] = []
    for items in zip(*parts):
        if any(x != items[0] for x in items):
            break
        common.append(items[0])
    return "/".join(common)


_COND_COMPONENT = re.compile(r"^cond(_\d+)?$")


def _cond_scope(switch: str) -> str:
    """The scope of the ``tf.cond`` a Switch belongs to, ending in "/": the innermost
    ``cond``/``cond_N`` component of its name (``"a/cond/Shape/Switch" -> "a/cond/"``),
    else the Switch's own scope."""
    parts = switch.split("/")[:-1]
    for i in range(len(parts) - 1, -1, -1):
        if _COND_COMPONENT.match(parts[i]):
            return "/".join(parts[: i + 1]) + "/"
    return "/".join(parts) + "/" if parts else ""


def _region(g: Graph, kind: str, name: str, prefix: str, members: list[str],
            inside: dict[str, str], lowered_from: Optional[str] = None) -> ControlFlowRegion:
    ops: dict[str, int] = {}
    for m in members:
        ops[g[m].op] = ops.get(g[m].op, 0) + 1
    return ControlFlowRegion(kind, name, prefix, members, sum(1 for m in members if m in inside),
                             dict(sorted(ops.items(), key=lambda kv: (-kv[1], kv[0]))),
                             lowered_from)


# -- engine boundaries ----------------------------------------------------------------------------

@dataclass
class BoundaryTensor:
    """A tensor crossing between TensorFlow and a TensorRT engine."""

    tensor: str                 # "node:i"
    engine: str
    direction: str              # "in" (TF -> TRT) | "out" (TRT -> TF)
    dtype: Optional[str]
    shape: Shape


def engine_boundaries(a: Analysis) -> list[BoundaryTensor]:
    """Every tensor entering or leaving an engine that builds, in engine order."""
    def compute() -> list[BoundaryTensor]:
        out = []
        for seg in a.segments:
            if not seg.will_build:
                continue
            for direction, tensors in (("in", seg.inputs), ("out", seg.outputs)):
                for text in tensors:
                    ref = TensorRef.parse(text)
                    out.append(BoundaryTensor(text, seg.name, direction,
                                              a.graph.output_dtype(ref), a.shapes.shape(ref)))
        return out
    return _cached(a, "boundaries", compute)


# -- reading TF-TRT's failure messages ---------------------------------------------------------

_UNKNOWN_DIM_MESSAGE = re.compile(
    r"(?:TensorRTInputPH_(?P<port>\d+).*?)?(?:Input tensor with shape (?P<shape>\[[^\]]*\]) has an "
    r"unknown non-batch dimension at dim (?P<dim>\d+)|Input shapes must be fully defined when "
    r"in static mode.*?\(shape was (?P<shape2>\[[^\]]*\])\))", re.S)


@dataclass
class UnknownDimFailure:
    """An engine that fails to build because an input has unknown non-batch dims."""

    port: Optional[int]         # TensorRTInputPH_<port>, when the message names it
    shape: str                  # as TF-TRT prints it, "[?,?,?,3]"
    dim: Optional[int]          # the first unknown non-batch dim, when printed


def unknown_dim_failure(reason: Optional[str]) -> Optional[UnknownDimFailure]:
    """Parse a segment's failure reason for TF-TRT's unknown-dimension messages."""
    if not reason:
        return None
    m = _UNKNOWN_DIM_MESSAGE.search(reason)
    if m is None:
        return None
    port = int(m.group("port")) if m.group("port") else None
    dim = int(m.group("dim")) if m.group("dim") else None
    return UnknownDimFailure(port, m.group("shape") or m.group("shape2") or "", dim)


# -- the precision engines are really built in --------------------------------------------------

def effective_precision(a: Analysis) -> str:
    """The precision TF-TRT builds engines in, which is not always the one asked for:

    * a QuantizeAndDequantizeV2 anywhere switches TF-TRT 2.x to explicit-QDQ INT8;
    * INT8 without calibration and without any quantization node gives FP16 engines
      ("Set engine precision to FP16 due to missing QDQ OP").
    """
    def compute() -> str:
        from .support.ruleset import load_ruleset

        switches = load_ruleset(a.target.profile).explicit_qdq_ops
        if switches and any(n.op in switches for n in a.graph):
            return "INT8"
        if a.target.precision == "INT8" and not a.target.use_calibration and \
                not any(n.op in QUANTIZATION_RANGE_OPS for n in a.graph):
            return "FP16"
        return a.target.precision
    return _cached(a, "effective_precision", compute)


#: ops that carry quantization ranges TF-TRT can use instead of calibration
QUANTIZATION_RANGE_OPS = frozenset({
    "FakeQuantWithMinMaxVars", "FakeQuantWithMinMaxArgs", "FakeQuantWithMinMaxVarsPerChannel",
    "QuantizeAndDequantizeV2", "QuantizeAndDequantizeV3", "QuantizeAndDequantizeV4"})
