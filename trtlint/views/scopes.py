"""What a segment picture shows: which nodes, grouped into which boxes, joined how.

A picture of a 1,500-node graph with one box per node is a grey carpet nobody can read.
This module decides, from an :class:`~trtlint.analysis.Analysis` and a
:class:`ViewRequest`, the *boxes* a picture draws and the *links* between them; the
drawing itself (colours, DOT text, rendering) is :mod:`trtlint.views.graphviz_view`.

Three steps, each reading the analysis and never recomputing it:

1. **Status** (:func:`classify_nodes`): every node is either a member of a predicted
   engine, or stays in TensorFlow for a reason *category* (``batch_dim``, ``dtype``...,
   see :data:`trtlint.support.decision.CATEGORIES`), or is a candidate the segmenter left
   out (``not_in_engine``: its cluster was below ``minimum_segment_size``, or beyond
   ``TF_TRT_MAX_ALLOWED_ENGINES``, or it was cut from a cluster).
2. **Selection** (:func:`select_nodes`): the whole graph, the neighbourhood of one node
   (``--focus NODE --radius K``), or one engine with the nodes that feed it and read it
   (``--segment NAME``).
3. **Grouping** (:func:`build_picture`): small selections draw one box per node.  Above
   :data:`COLLAPSE_ABOVE` nodes (or when ``--depth`` / ``--expand`` ask for it) nodes are
   collapsed by name scope: ``FeatureExtractor/InceptionV2/Mixed_3b/Branch_1/Conv2d_0a``
   at depth 1 belongs to the box ``FeatureExtractor``.  A scope whose nodes are split
   between engines and TensorFlow gives one box *per part*, so each engine's cluster
   holds exactly the boxes of its members and a box never straddles a boundary that the
   picture is meant to show.  ``--expand SCOPE`` opens one scope a level further (and,
   implicitly, the scopes above it).

Graph inputs and outputs always keep their own box: they are where a reader starts.
"""

from __future__ import annotations

import difflib
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Iterable, Optional

from ..analysis import Analysis
from ..errors import UsageError
from ..graph.model import Graph

#: selections with more nodes than this are collapsed by name scope unless ``full``
COLLAPSE_ABOVE = 120
#: when collapsing without ``--depth``: the deepest scope level that keeps the picture
#: at or under this many boxes (depth 1 is used even if it gives more)
BOX_BUDGET = 40
#: name scopes are rarely deeper than this; the automatic depth search stops here
MAX_AUTO_DEPTH = 12
#: graph inputs/outputs keep their own box unless there are more than this many
MAX_IO_BOXES = 40

#: status of a candidate the segmenter did not put into any engine
NOT_IN_ENGINE = "not_in_engine"
#: status of a member of a predicted engine
IN_ENGINE = "engine"


@dataclass(frozen=True)
class NodeStatus:
    """What the picture says about one node."""

    engine: Optional[str]      # the engine holding it (built or not), else None
    category: str              # IN_ENGINE, NOT_IN_ENGINE or a decision reason category
    detail: str                # one line for tooltips: TF-TRT's reason or the segmenter's


def classify_nodes(a: Analysis) -> dict[str, NodeStatus]:
    """Status of every node of ``a.graph`` (the graph TF-TRT sees)."""
    engine_of = {n: s.name for s in a.segments for n in s.nodes}
    left_out: dict[str, str] = {}
    for dropped in a.segmentation.dropped:
        if dropped.reason == "max_engines":
            why = ("its cluster was dropped: more segments than TF_TRT_MAX_ALLOWED_ENGINES "
                   f"({a.target.max_engines})")
        else:
            why = (f"its cluster has {dropped.effective_nodes} effective node(s), fewer than "
                   f"minimum_segment_size {a.target.minimum_segment_size}")
        for name in dropped.nodes:
            left_out[name] = why
    for name in a.segmentation.removed_from_segments:
        left_out.setdefault(name, "cut from its cluster: an engine cannot output a constant "
                                  "that TensorFlow nodes also read")
    out: dict[str, NodeStatus] = {}
    for node in a.graph:
        name = node.name
        engine = engine_of.get(name)
        if engine is not None:
            out[name] = NodeStatus(engine, IN_ENGINE, f"in {engine}")
            continue
        decision = a.decisions.get(name)
        if decision is not None and not decision.supported and decision.reason is not None:
            out[name] = NodeStatus(None, decision.reason.category, decision.reason.message)
        else:
            out[name] = NodeStatus(None, NOT_IN_ENGINE,
                                   left_out.get(name, "a candidate that no engine took"))
    return out


# ---------------------------------------------------------------------------------------
# what to show
# ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ViewRequest:
    """The user's choice of view (the ``trtlint viz`` flags)."""

    depth: Optional[int] = None          # collapse at this scope level (implies collapsing)
    expand: tuple[str, ...] = ()         # scopes to open one level further
    focus: Optional[str] = None          # show the neighbourhood of this node...
    radius: int = 2                      # ...up to this many edges away
    segment: Optional[str] = None        # show one engine with its inputs and outputs
    full: bool = False                   # never collapse
    collapse_above: int = COLLAPSE_ABOVE

    def check(self) -> None:
        """Reject combinations that mean nothing (UsageError)."""
        if self.focus is not None and self.segment is not None:
            raise UsageError("--focus and --segment pick different views; give one of them")
        if self.depth is not None and self.depth < 1:
            raise UsageError("--depth counts name-scope levels and starts at 1")
        if self.radius < 0:
            raise UsageError("--radius must be 0 or more")
        if self.full and (self.depth is not None or self.expand):
            raise UsageError("--full draws every node; it cannot be combined with --depth or "
                             "--expand")


def _suggest(name: str, candidates: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(candidates), n=3, cutoff=0.6)
    return f"; did you mean {', '.join(close)}?" if close else ""


def _neighbourhood(graph: Graph, start: str, radius: int) -> set[str]:
    """Nodes at most ``radius`` edges (data or control, either direction) from ``start``."""
    seen = {start}
    frontier = deque([(start, 0)])
    while frontier:
        name, dist = frontier.popleft()
        if dist == radius:
            continue
        node = graph[name]
        around = [r.node for r in node.inputs] + list(node.control_inputs)
        around += [c.node for c in graph.consumers(name)] + graph.control_consumers(name)
        for other in around:
            if other in graph and other not in seen:
                seen.add(other)
                frontier.append((other, dist + 1))
    return seen


def _engine_with_neighbours(graph: Graph, members: list[str]) -> set[str]:
    """An engine's members plus every node that feeds one of them or reads one."""
    shown = set(members)
    for name in members:
        node = graph[name]
        shown.update(r.node for r in node.inputs if r.node in graph)
        shown.update(c for c in node.control_inputs if c in graph)
        shown.update(c.node for c in graph.consumers(name))
        shown.update(graph.control_consumers(name))
    return shown


def find_segment(a: Analysis, name: str):
    """The engine called ``name`` (exact, or the only one ending in ``name``)."""
    for seg in a.segments:
        if seg.name == name:
            return seg
    matches = [s for s in a.segments if s.name.endswith(name)]
    if len(matches) == 1:
        return matches[0]
    names = [s.name for s in a.segments]
    if not names:
        raise UsageError(f"no engine called '{name}': this analysis predicts no engines")
    listed = ", ".join(names[:8]) + (f" (and {len(names) - 8} more)" if len(names) > 8 else "")
    raise UsageError(f"no engine called '{name}'; the engines are {listed}")


def select_nodes(a: Analysis, request: ViewRequest) -> tuple[list[str], str]:
    """The node names to draw (graph order) and a phrase saying what they are."""
    graph = a.graph
    if request.focus is not None:
        name = request.focus
        if name not in graph:
            if name in a.model.graph:
                raise UsageError(f"node '{name}' is not in the graph TF-TRT sees: grappler "
                                 f"removed or folded it (try --no-grappler)")
            raise UsageError(f"no node called '{name}'" + _suggest(name, graph.nodes))
        chosen = _neighbourhood(graph, name, request.radius)
        what = f"neighbourhood of {name} (radius {request.radius})"
    elif request.segment is not None:
        seg = find_segment(a, request.segment)
        chosen = _engine_with_neighbours(graph, seg.nodes)
        what = f"{seg.name} with the nodes that feed it and read it"
    else:
        return list(graph.nodes), "whole graph"
    return [n for n in graph.nodes if n in chosen], what


# ---------------------------------------------------------------------------------------
# grouping into boxes
# ---------------------------------------------------------------------------------------

@dataclass
class Box:
    """One drawn box: a single node, or the part of a name scope in one place."""

    id: str                         # DOT identifier, never derived from a name
    kind: str                       # "node" | "scope"
    name: str                       # node name, or scope path ("a/b")
    engine: Optional[str]           # engine cluster it is drawn in (None: TensorFlow)
    nodes: list[str] = field(default_factory=list)
    categories: Counter = field(default_factory=Counter)   # status category -> nodes
    role: Optional[str] = None      # "input" | "output" for graph inputs/outputs
    op: Optional[str] = None        # node boxes: the op type
    detail: str = ""                # node boxes: why it is where it is

    @property
    def size(self) -> int:
        return len(self.nodes)

    @property
    def main_category(self) -> str:
        """The most common status among the box's nodes (ties: alphabetical)."""
        return min(self.categories.items(), key=lambda kv: (-kv[1], kv[0]))[0]


@dataclass
class ScopeSummary:
    """A collapsed name scope as a whole (all its parts, inside engines or not)."""

    nodes: int = 0
    in_built_engines: int = 0
    engines: list[str] = field(default_factory=list)

    @property
    def converted(self) -> float:
        return self.in_built_engines / self.nodes if self.nodes else 0.0


@dataclass
class Link:
    """Edges between two boxes, of one kind, counted."""

    src: str
    dst: str
    kind: str                       # "data" | "control"
    count: int
    crosses_engine: bool            # one end in an engine, the other not in that engine
    from_const: bool = False        # every edge comes from a Const (weights, axes...)


@dataclass
class EngineInfo:
    name: str
    index: int                      # position among the analysis's engines (colour key)
    size: int                       # all its members
    shown: int                      # members in this picture
    will_build: bool
    reason: Optional[str]


@dataclass
class Picture:
    boxes: list[Box]
    links: list[Link]
    engines: list[EngineInfo]               # engines with at least one member shown
    scopes: dict[str, ScopeSummary]         # collapsed scopes shown, by path
    categories: Counter                     # status category -> shown nodes
    collapsed: bool
    depth: Optional[int]
    expanded: tuple[str, ...]
    selection: str
    nodes_shown: int
    nodes_total: int
    #: collapsed pictures: constants left undrawn (no drawn edge would reach them)
    hidden_constants: int = 0


def _scope_key(parts: list[str], depth: int, expanded: frozenset[str]) -> Optional[str]:
    """The scope box a node (name split at '/') falls in, or None to draw it alone.

    The level starts at ``depth`` and goes one deeper for each enclosing scope the user
    expanded; a node whose name is not deeper than that level stands alone.
    """
    level = depth
    while level < len(parts) and "/".join(parts[:level]) in expanded:
        level += 1
    if level >= len(parts):
        return None
    return "/".join(parts[:level])


def _with_ancestors(scopes: Iterable[str]) -> frozenset[str]:
    out: set[str] = set()
    for scope in scopes:
        parts = scope.strip("/").split("/")
        for i in range(1, len(parts) + 1):
            out.add("/".join(parts[:i]))
    return frozenset(out)


def _io_roles(a: Analysis, selected: list[str]) -> dict[str, str]:
    roles: dict[str, str] = {}
    chosen = set(selected)
    for spec in a.model.outputs:
        if spec.name in chosen:
            roles[spec.name] = "output"
    for spec in a.model.inputs:
        if spec.name in chosen:
            roles[spec.name] = "input"
    return roles if len(roles) <= MAX_IO_BOXES else {}


def _grouping(selected: list[str], status: dict[str, NodeStatus], roles: dict[str, str],
              depth: Optional[int], expanded: frozenset[str]) -> dict[str, tuple]:
    """Node -> box key: ("node", name, engine) or ("scope", path, engine).

    ``depth`` None: one box per node.  A scope part holding a single node is drawn as
    that node (a box saying "1 node" hides the only thing worth knowing: its name).
    """
    keys: dict[str, tuple] = {}
    for name in selected:
        engine = status[name].engine
        scope = None
        if depth is not None and name not in roles:
            scope = _scope_key(name.split("/"), depth, expanded)
        keys[name] = ("scope", scope, engine) if scope is not None else ("node", name, engine)
    sizes = Counter(keys.values())
    for name, key in keys.items():
        if key[0] == "scope" and sizes[key] == 1:
            keys[name] = ("node", name, key[2])
    return keys


def _auto_depth(selected: list[str], status: dict[str, NodeStatus], roles: dict[str, str],
                expanded: frozenset[str], constants: set[str]) -> int:
    """The deepest level whose picture stays within BOX_BUDGET boxes (at least 1).

    Levels are tried from the top down to the deepest scope in the selection: exported
    models often repeat a scope (``MobilenetV1/MobilenetV1/...``), so a level that does
    not add boxes says nothing about the levels below it.  Boxes holding only
    ``constants`` are not counted: a collapsed picture does not draw them (see
    :func:`_drop_constant_islands`), and weights often live in scopes of their own.
    """
    deepest = max((name.count("/") for name in selected), default=0)
    best, best_count = 1, None
    for depth in range(1, min(deepest, MAX_AUTO_DEPTH) + 1):
        keys = _grouping(selected, status, roles, depth, expanded)
        count = len({key for name, key in keys.items() if name not in constants})
        if count > BOX_BUDGET:
            # a handful of boxes says too little: overshoot rather than stop there
            if best_count is not None and best_count < BOX_BUDGET // 4 and \
                    count <= 2 * BOX_BUDGET:
                best = depth
            break
        best, best_count = depth, count
    return best


def check_expand(a: Analysis, scopes: Iterable[str]) -> tuple[str, ...]:
    """Normalise ``--expand`` values ("a/b/" -> "a/b") and check each is a scope."""
    out = []
    for raw in scopes:
        scope = raw.strip().strip("/")
        prefix = scope + "/"
        if not scope or not any(n.startswith(prefix) for n in a.graph.nodes):
            scope_names = {n.rpartition("/")[0] for n in a.graph.nodes if "/" in n}
            raise UsageError(f"--expand '{raw}': no name scope of that name"
                             + _suggest(scope, scope_names))
        out.append(scope)
    return tuple(out)


def build_picture(a: Analysis, request: ViewRequest = ViewRequest()) -> Picture:
    """Decide the boxes and links of a picture of ``a`` (see the module docstring)."""
    request.check()
    expanded_raw = check_expand(a, request.expand)
    status = classify_nodes(a)
    selected, what = select_nodes(a, request)
    roles = _io_roles(a, selected)
    collapse = not request.full and (request.depth is not None or bool(expanded_raw)
                                     or len(selected) > request.collapse_above)
    expanded = _with_ancestors(expanded_raw)
    depth = None
    if collapse:
        constants = {n for n in selected if a.graph[n].op == "Const"}
        depth = request.depth or _auto_depth(selected, status, roles, expanded, constants)
    keys = _grouping(selected, status, roles, depth, expanded)

    boxes = _make_boxes(a, selected, keys, status, roles)
    box_of = {name: boxes[keys[name]] for name in selected}
    links = _links(a.graph, selected, box_of, with_consts=not collapse)
    scopes = _scope_summaries(a, boxes.values())
    hidden = _drop_constant_islands(a.graph, boxes, links) if collapse else 0

    shown_members = Counter(status[n].engine for n in selected if status[n].engine)
    engines = [EngineInfo(s.name, i, len(s.nodes), shown_members[s.name], s.will_build, s.reason)
               for i, s in enumerate(a.segments) if shown_members[s.name]]
    categories = Counter(status[n].category for n in selected)
    return Picture(boxes=list(boxes.values()), links=links, engines=engines, scopes=scopes,
                   categories=categories, collapsed=collapse, depth=depth,
                   expanded=expanded_raw, selection=what, nodes_shown=len(selected),
                   nodes_total=len(a.graph), hidden_constants=hidden)


def _make_boxes(a: Analysis, selected: list[str], keys: dict[str, tuple],
                status: dict[str, NodeStatus], roles: dict[str, str]) -> dict[tuple, Box]:
    """One Box per distinct key, filled with its nodes (in graph order)."""
    boxes: dict[tuple, Box] = {}
    for name in selected:
        key = keys[name]
        box = boxes.get(key)
        if box is None:
            box = Box(id=f"b{len(boxes)}", kind=key[0], name=key[1], engine=key[2])
            boxes[key] = box
        st = status[name]
        box.nodes.append(name)
        box.categories[st.category] += 1
        if box.kind == "node":
            box.op = a.graph[name].op
            box.detail = st.detail
            box.role = roles.get(name)
    return boxes


def _scope_summaries(a: Analysis, boxes: Iterable[Box]) -> dict[str, ScopeSummary]:
    """Each collapsed scope as a whole: nodes, share in engines that build, engines."""
    built = {s.name for s in a.segments if s.will_build}
    scopes: dict[str, ScopeSummary] = {}
    for box in boxes:
        if box.kind != "scope":
            continue
        summary = scopes.setdefault(box.name, ScopeSummary())
        summary.nodes += box.size
        if box.engine is not None:
            if box.engine in built:
                summary.in_built_engines += box.size
            summary.engines.append(box.engine)
    engine_order = {s.name: i for i, s in enumerate(a.segments)}
    for summary in scopes.values():
        summary.engines.sort(key=engine_order.__getitem__)
    return scopes


def _drop_constant_islands(graph: Graph, boxes: dict[tuple, Box], links: list[Link]) -> int:
    """Remove boxes made only of constants that no drawn link reaches; return how many
    nodes they held.  Collapsed pictures leave out edges from constants, so such a box
    would float alone and say nothing about the flow."""
    linked = {link.src for link in links} | {link.dst for link in links}
    hidden = 0
    for key, box in list(boxes.items()):
        if box.id not in linked and box.role is None and \
                all(graph[n].op == "Const" for n in box.nodes):
            hidden += box.size
            del boxes[key]
    return hidden


def _links(graph: Graph, selected: list[str], box_of: dict[str, Box],
           with_consts: bool) -> list[Link]:
    """Edges between boxes, one Link per (source box, target box, kind), counted.

    Edges inside a box disappear (they are the box's own business); an edge leaving the
    selection is not drawn.  An edge from a Const never crosses an engine boundary at
    run time: TF-TRT copies the constant into the engine.  Collapsed pictures leave
    such edges out altogether: constants shared across the graph (an axis, a shape, a
    scalar after common-subexpression elimination) join unrelated scopes and would tie
    the layout in knots without saying anything about where tensors flow.
    """
    counts: Counter = Counter()
    for name in selected:
        dst = box_of[name]
        node = graph[name]
        sources: list[tuple[str, str]] = [(r.node, "data") for r in node.inputs]
        sources += [(c, "control") for c in node.control_inputs]
        for src_name, kind in sources:
            src = box_of.get(src_name)
            if src is None or src is dst:
                continue
            from_const = kind == "data" and graph[src_name].op == "Const"
            if from_const and not with_consts:
                continue
            counts[(src.id, dst.id, kind, from_const)] += 1
    engine_of_box = {b.id: b.engine for b in box_of.values()}
    return [Link(src, dst, kind, n,
                 not from_const and engine_of_box[src] != engine_of_box[dst], from_const)
            for (src, dst, kind, from_const), n in counts.items()]
