"""TF-TRT's segmenter as in TensorFlow 1.13 (contrib) and 1.15 (docs/dev/tf1-tftrt.md §4–5).

The algorithm is 2.17's without its extras:

1. Candidates come from the support stage (``_SOURCE``/``_SINK`` never are).
2. Contraction walks the DFS post-order from ``_SOURCE`` (children by name, so
   outputs first).  A candidate absorbs every output neighbour that is a candidate
   and not reachable from it by another path (a cycle check is the *only* test: no
   batch-size or device compatibility), until nothing more merges.  The node being
   processed is always its cluster's root, so a cluster is named after the member
   nearest the graph's inputs.  A Const has no inputs and comes last: one shared
   Const merges every consumer it can reach, which can glue unrelated sub-graphs
   into one segment.
3. Clusters, in root-name order, lose Consts that feed nodes outside them (and what
   depends on those) — the pieces a shared Const glued together stay together.
4. Size filter: 1.13 counts every member, 1.15 members other than Identity,
   Snapshot and StopGradient.  No cap on the number of engines.
5. Engines are named ``{scope}TRTEngineOp_{t}``: ``t`` counts the segments kept,
   ``scope`` is the name scope common to the members and the Consts copied in.
   Engine inputs are numbered by first appearance walking the members in
   topological order, in-edges in creation order (``TensorRTInputPH_<k>``).
"""

from __future__ import annotations

from ..graph.model import Graph
from ..support.decision import SupportDecision
from ..support.ruleset import RuleSet
from ..target import Target
from .clusters import UnionFind
from .model import DroppedSegment, Segment, Segmentation
from .engine_io import engine_connections, topological_positions
from .simple_graph import SOURCE, SimpleGraph
from .tf2 import (NOOP_TYPES, _remove_ineligible_outputs, can_contract, common_scope,
                  contract_edge, stable_dfs)


def segment_graph(graph: Graph, decisions: dict[str, SupportDecision], target: Target,
                  rules: RuleSet) -> Segmentation:
    """Run the TF 1.13/1.15 segmenter (which one: ``rules.segmenter``)."""
    g = SimpleGraph(graph)
    names = g.names
    candidate = bytearray(g.num_nodes)
    for i in range(2, g.num_nodes):
        candidate[i] = 1 if decisions[names[i]].supported else 0
    uf = _contract(g, candidate)

    clusters: dict[str, set[int]] = {}
    for i in range(2, g.num_nodes):
        if candidate[i]:
            clusters.setdefault(names[uf.find(i)], set()).add(i)

    counts_all = rules.segmenter.get("minimum_segment_size_counts", "effective") == "all_nodes"
    not_counted = frozenset(rules.segmenter.get("effective_excludes", NOOP_TYPES))
    result = Segmentation(segments=[], dropped=[])
    kept: list[tuple[str, set[int], int]] = []
    for root_name in sorted(clusters):           # std::map keyed by the root's name
        members = clusters[root_name]
        before = set(members)
        _remove_ineligible_outputs(graph, g, members)
        result.removed_from_segments.extend(names[i] for i in sorted(before - members))
        effective = sum(1 for i in members if graph[names[i]].op not in not_counted)
        size = len(members) if counts_all else effective
        if size < target.minimum_segment_size:
            if members:
                result.dropped.append(DroppedSegment(
                    len(kept), sorted(names[i] for i in members), effective,
                    "minimum_segment_size", root_name))
            continue
        kept.append((root_name, members, effective))

    result.candidate_segments = len(kept)
    topo = topological_positions(g)
    for t, (root_name, members, effective) in enumerate(kept):
        result.segments.append(_describe(graph, g, topo, members, root_name, effective, t))
    return result


def _contract(g: SimpleGraph, candidate: bytearray) -> UnionFind:
    """Step 2: merge candidates along data edges, outputs first, avoiding cycles."""
    uf = UnionFind(g.num_nodes)
    order: list[int] = []
    stable_dfs(g, False, [SOURCE], lambda x: order.append(x) or True)
    position = None
    if g.acyclic:
        position = [0] * g.num_nodes
        for k, node in enumerate(order):
            position[node] = k
    for node in order:
        if not candidate[node]:
            continue
        while True:
            # every edge collected here was checked against the same graph; contracting
            # one cannot make a later one cyclic without having failed its check
            contract = [e for e in list(g.out_edges[node].values())
                        if not e.control and candidate[e.dst] and can_contract(g, e, position)]
            if not contract:
                break
            removed: set[int] = set()
            for e in sorted(contract, key=lambda e: e.id):
                if e.id in removed:
                    continue
                uf.merge(e.src, e.dst)
                for r in contract_edge(g, e):
                    removed.add(r.id)
                    g.remove_edge(r)
    return uf


def _describe(graph: Graph, g: SimpleGraph, topo: dict[int, int], members: set[int],
              root: str, effective: int, index: int) -> Segment:
    """Engine name, inputs (TensorRTInputPH_<k> order), outputs and copied Consts, as
    TF-TRT 1.x's GetEngineInfo finds them (control edges from Consts are kept)."""
    names = g.names
    io = engine_connections(graph, g, members, topo, keep_const_controls=True)
    inputs, outputs, controls, consts = io.inputs, io.outputs, io.control_inputs, io.const_inputs
    member_names = sorted(names[i] for i in members)
    scope = common_scope(member_names + consts)
    return Segment(name=f"{scope}TRTEngineOp_{index}", index=index, nodes=member_names,
                   effective_nodes=effective, inputs=inputs, outputs=outputs,
                   control_inputs=controls, const_inputs=consts, root=root, scope=scope)
