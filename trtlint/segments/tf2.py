"""TF-TRT's segmenter as in TensorFlow 2.17 (tensorflow/compiler/tf2tensorrt).

The algorithm, step by step (segment.cc ``SegmentGraph`` and convert_graph.cc):

1. Candidates: every node gets a verdict from the support stage; ``_SOURCE`` and
   ``_SINK`` are NoOps and never candidates (they show in TF-TRT's op report).
2. Contraction: nodes are visited in DFS post-order from ``_SOURCE`` (children sorted
   by name, so outputs before inputs).  A visited candidate absorbs each output
   neighbour that is a candidate, has a compatible batch size and device, and is not
   reachable from it by another path (that would make a cycle); repeat until nothing
   more merges.  Contracting moves the neighbour's edges onto the absorbing node.
3. Clusters are keyed by their root's name (the node that absorbed the rest) and
   processed in name order.  A Const that feeds a node outside its cluster is not a
   valid engine output: it leaves the cluster (with anything that depended on it).
4. A cluster becomes a segment when it has at least ``minimum_segment_size``
   effective nodes (Identity, Snapshot and StopGradient do not count).
5. At most TF_TRT_MAX_ALLOWED_ENGINES (20) segments are kept: the largest by
   effective size; the kept ones keep their order.
6. Engines are named ``TRTEngineOp_<graph seq:03>_<segment:03>``.
"""

from __future__ import annotations

from typing import Callable, Optional

from ..graph.model import Graph
from ..support.decision import SupportDecision
from ..target import Target
from .clusters import BatchSize, Device, UnionFind
from .model import DroppedSegment, Segment, Segmentation
from .engine_io import engine_connections, topological_positions
from .simple_graph import SINK, SOURCE, Edge, SimpleGraph

NOOP_TYPES = frozenset({"Identity", "Snapshot", "StopGradient"})


def stable_dfs(g: SimpleGraph, reverse: bool, start: list[int],
               leave: Callable[[int], bool]) -> None:
    """TF-TRT's StableDFS: iterative DFS, neighbours pushed in name order (so the
    largest name is explored first), ``leave`` called in post-order; it may stop the
    walk by returning False."""
    names = g.names
    stack: list[tuple[int, bool]] = [(s, False) for s in start]
    visited = bytearray(g.num_nodes)
    edges = g.in_edges if reverse else g.out_edges
    while stack:
        n, is_leave = stack.pop()
        if is_leave:
            if not leave(n):
                return
            continue
        if visited[n]:
            continue
        visited[n] = 1
        stack.append((n, True))
        nbrs = [e.src for e in edges[n].values()] if reverse else \
            [e.dst for e in edges[n].values()]
        nbrs.sort(key=names.__getitem__)
        for m in nbrs:
            if not visited[m]:
                stack.append((m, False))


def can_contract(g: SimpleGraph, edge: Edge, position: Optional[list[int]] = None) -> bool:
    """No other path from src to dst: reverse DFS from dst's other inputs must not
    reach src.

    ``position`` (the visiting order of the contraction loop, given only for acyclic
    graphs) prunes the search: in a DAG every node reachable from src — through
    original edges or through clusters, whose members were all visited before src —
    was visited before src, so nodes visited after it can be skipped.  Only the speed
    changes, never the answer."""
    src, dst = edge.src, edge.dst
    limit = position[src] if position is not None else None
    starts = [e.src for e in g.in_edges[dst].values() if e.src != src]
    if not starts:
        return True
    seen: set[int] = set()
    stack = starts
    in_edges = g.in_edges
    while stack:
        n = stack.pop()
        if n == src:
            return False
        if n in seen:
            continue
        seen.add(n)
        if limit is not None and position[n] > limit:
            continue
        for e in in_edges[n].values():
            if e.src not in seen:
                stack.append(e.src)
    return True


def contract_edge(g: SimpleGraph, edge: Edge) -> list[Edge]:
    """Move dst's edges onto src; return dst's edges, which the caller removes."""
    src, dst = edge.src, edge.dst
    add = g.add_contracted_edge
    for e in list(g.in_edges[dst].values()):
        if e.src == src:
            continue
        if e.control:
            add(e.src, -1, src, -1)
        elif e.src == SOURCE:
            add(e.src, e.src_port, src, -1)
        else:
            add(e.src, e.src_port, src, 0)
    for e in list(g.out_edges[dst].values()):
        if e.control:
            add(src, -1, e.dst, -1)
        elif e.dst == SINK:
            add(src, -1, e.dst, e.dst_port)
        else:
            add(src, 0, e.dst, e.dst_port)
    return list(g.in_edges[dst].values()) + list(g.out_edges[dst].values())


def segment_graph(graph: Graph, decisions: dict[str, SupportDecision], target: Target,
                  batch_of: Callable[[str], Optional[int]], graph_seq: int = 0) -> Segmentation:
    """Run the 2.17 segmenter.  ``batch_of(name)`` is the implicit batch size a
    candidate imposes (-1 dynamic, None none); ignored in dynamic shape mode."""
    g = SimpleGraph(graph)
    n = g.num_nodes
    names = g.names
    candidate = bytearray(n)
    uf = UnionFind(n)
    for i in range(2, n):
        name = names[i]
        if decisions[name].supported:
            candidate[i] = 1
        if target.implicit_batch:
            b = batch_of(name)
            if b is not None:
                uf.batch[i] = BatchSize().set_batch(b)
        dev = graph[name].device
        if dev:
            uf.device[i] = Device.parse(dev)

    order: list[int] = []
    stable_dfs(g, False, [SOURCE], lambda x: order.append(x) or True)
    position: Optional[list[int]] = None
    if g.acyclic:
        position = [0] * n
        for k, node in enumerate(order):
            position[node] = k

    # Hot loop (one pass per node of a 100k-node graph): attribute lookups are bound
    # to locals once, and the out-edge dict is iterated directly (nothing below
    # edits the graph until the scan is over).
    find, batch, device, out_edges = uf.find, uf.batch, uf.device, g.out_edges
    for node in order:
        if not candidate[node]:
            continue
        root = find(node)
        expected_batch = batch[root]
        expected_dev = device[root]
        while True:
            contract: list[Edge] = []
            for e in out_edges[node].values():
                if e.control or not candidate[e.dst]:
                    continue
                out_root = find(e.dst)
                if not expected_batch.compatible(batch[out_root]):
                    continue
                merged_dev = expected_dev.merge(device[out_root])
                if merged_dev is None:
                    continue
                if can_contract(g, e, position):
                    contract.append(e)
                    expected_batch = expected_batch.merged(batch[out_root])
                    expected_dev = merged_dev
            if not contract:
                break
            pending = sorted(contract, key=lambda e: e.id)
            removed: set[int] = set()
            for e in pending:
                if e.id in removed:
                    continue
                uf.merge(e.src, e.dst)
                for r in contract_edge(g, e):
                    removed.add(r.id)
                    g.remove_edge(r)

    # Clusters keyed by root name, members sorted by name.
    clusters: dict[str, set[int]] = {}
    for i in range(2, n):
        if candidate[i]:
            clusters.setdefault(names[uf.find(i)], set()).add(i)

    result = Segmentation(segments=[], dropped=[])
    kept: list[tuple[str, list[int], int]] = []
    for root_name in sorted(clusters):
        members = clusters[root_name]
        before = set(members)
        _remove_ineligible_outputs(graph, g, members)
        result.removed_from_segments.extend(names[i] for i in sorted(before - members))
        member_names = sorted(names[i] for i in members)
        effective = sum(1 for m in member_names if graph[m].op not in NOOP_TYPES)
        if effective == 0 or effective < target.minimum_segment_size:
            if member_names:
                result.dropped.append(DroppedSegment(len(kept), member_names, effective,
                                                     "minimum_segment_size", root_name))
            continue
        kept.append((root_name, sorted(members, key=names.__getitem__), effective))

    result.candidate_segments = len(kept)
    if target.max_engines > 0 and len(kept) > target.max_engines:
        by_size = sorted(range(len(kept)), key=lambda k: -kept[k][2])  # stable
        keep = set(by_size[: target.max_engines])
        for k in range(len(kept)):
            if k not in keep:
                root_name, members, eff = kept[k]
                result.dropped.append(DroppedSegment(k, [names[i] for i in members], eff,
                                                     "max_engines", root_name))
        kept = [kept[k] for k in range(len(kept)) if k in keep]
        result.notes.append(f"{result.candidate_segments} segments found; TF-TRT keeps the "
                            f"{target.max_engines} largest (TF_TRT_MAX_ALLOWED_ENGINES)")

    topo = topological_positions(g) if kept else {}
    for t, (root_name, members, effective) in enumerate(kept):
        seg = _describe(graph, g, members, root_name, effective, t, graph_seq, topo)
        root = uf.find(g.id_of[root_name])
        seg.batch_size = uf.batch[root].batch if target.implicit_batch else None
        seg.device = str(uf.device[root])
        result.segments.append(seg)
    return result


def _remove_ineligible_outputs(graph: Graph, g: SimpleGraph, members: set[int]) -> None:
    """Step 2 of SegmentGraph: a Const may not be a segment output (its data edge to a
    node outside the segment); drop it and, transitively, what depends on it."""
    while True:
        out_queue: list[int] = []
        for node in sorted(members, key=g.names.__getitem__):
            for e in g.original_out[node]:
                if e.dst == SINK or e.control or e.dst in members:
                    continue
                if graph[g.names[node]].op == "Const":
                    out_queue.append(node)
                    break
        if not out_queue:
            return
        visited: set[int] = set()
        queue = list(out_queue)
        k = 0
        while k < len(queue):
            node = queue[k]
            k += 1
            if node in visited:
                continue
            visited.add(node)
            members.discard(node)
            is_const = graph[g.names[node]].op == "Const"
            nbrs = [e.src for e in g.original_in[node]] if is_const else \
                [e.dst for e in g.original_out[node]]
            for m in nbrs:
                if m in members:
                    queue.append(m)


def _describe(graph: Graph, g: SimpleGraph, members: list[int], root: str, effective: int,
              index: int, graph_seq: int, topo: dict[int, int]) -> Segment:
    """Engine name, inputs and outputs as convert_graph.cc's GetEngineInfo finds them
    (TF 2.x drops control edges that come from Consts)."""
    io = engine_connections(graph, g, set(members), topo, keep_const_controls=False)
    member_names = sorted(g.names[i] for i in members)
    return Segment(name=f"TRTEngineOp_{graph_seq:03d}_{index:03d}", index=index,
                   nodes=member_names, effective_nodes=effective, inputs=io.inputs,
                   outputs=io.outputs, control_inputs=io.control_inputs,
                   const_inputs=io.const_inputs, root=root, scope=common_scope(member_names))


def common_scope(names: list[str]) -> str:
    """Longest name-scope prefix (ending in '/') shared by all names."""
    if not names:
        return ""
    first, last = min(names), max(names)
    cut = 0
    for i, (a, b) in enumerate(zip(first, last)):
        if a != b:
            break
        if a == "/":
            cut = i + 1
    return first[:cut]
