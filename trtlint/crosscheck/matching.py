"""Pair predicted engines with the engines a log reports.

With node lists on both sides the pairing is an assignment problem: choose pairs so that
the total Jaccard similarity of the node sets is largest (each engine used at most once).
networkx's maximum-weight matching solves it exactly on the bipartite graph whose edges
are the pairs sharing at least one node; pairs sharing nothing are never matched.

Without node lists (most real logs: no VLOG), engines are paired by engine number
(TRTEngineOp_000_003 <-> the predicted TRTEngineOp_000_003, whatever the scope), falling
back to the segment number, and compared by size.
"""

from __future__ import annotations

from typing import Optional, Sequence

import networkx as nx

from .model import ActualEngine, EngineMatch, PredictedEngine
from .names import NameAlignment, engine_index


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    union = len(a | b)
    return 1.0 if union == 0 else len(a & b) / union


def size_similarity(a: Optional[int], b: Optional[int]) -> Optional[float]:
    if a is None or b is None:
        return None
    high = max(a, b)
    return 1.0 if high == 0 else min(a, b) / high


def node_match(p: PredictedEngine, a: ActualEngine, actual_nodes: frozenset[str]) -> EngineMatch:
    common = p.nodes & actual_nodes
    return EngineMatch(
        predicted=p, actual=a, jaccard=jaccard(p.nodes, actual_nodes),
        precision=len(common) / len(p.nodes) if p.nodes else 0.0,
        recall=len(common) / len(actual_nodes) if actual_nodes else 0.0,
        size_similarity=size_similarity(len(p.nodes), len(actual_nodes)),
        missing=sorted(actual_nodes - p.nodes), extra=sorted(p.nodes - actual_nodes),
        by="nodes")


def match_by_nodes(predicted: Sequence[PredictedEngine], actual: Sequence[ActualEngine],
                   alignment: NameAlignment) -> list[EngineMatch]:
    """Optimal pairs by node-set Jaccard; then the unpaired engines of either side."""
    mapped = [frozenset(alignment.map(n) for n in (a.nodes or ())) for a in actual]
    graph = nx.Graph()
    owner: dict[str, list[int]] = {}
    for i, p in enumerate(predicted):
        for node in p.nodes:
            owner.setdefault(node, []).append(i)
    for j, nodes in enumerate(mapped):
        touching = {i for node in nodes for i in owner.get(node, ())}
        for i in touching:
            weight = jaccard(predicted[i].nodes, nodes)
            if weight > 0:
                graph.add_edge(("p", i), ("a", j), weight=weight)
    pairs = {}
    for u, v in nx.max_weight_matching(graph):
        (side_u, i), (_, j) = (u, v) if u[0] == "p" else (v, u)
        pairs[i] = j
    matches = [node_match(predicted[i], actual[j], mapped[j]) for i, j in sorted(pairs.items())]
    used = set(pairs.values())
    matches += [EngineMatch(predicted=p, actual=None, by="nodes")
                for i, p in enumerate(predicted) if i not in pairs]
    matches += [EngineMatch(predicted=None, actual=a, by="nodes")
                for j, a in enumerate(actual) if j not in used]
    return matches


def match_by_counts(predicted: Sequence[PredictedEngine],
                    actual: Sequence[ActualEngine]) -> list[EngineMatch]:
    """Pairs by engine number (or segment number), compared by size."""
    by_index = {p.index: p for p in predicted}
    taken: set[int] = set()
    matches: list[EngineMatch] = []
    leftovers: list[ActualEngine] = []
    for a in actual:
        number = engine_index(a.name)
        if number is None:
            number = a.segment
        p = by_index.get(number) if number is not None else None
        if p is None or p.index in taken:
            leftovers.append(a)
            continue
        taken.add(p.index)
        matches.append(EngineMatch(predicted=p, actual=a, by="index",
                                   size_similarity=size_similarity(len(p.nodes), a.size)))
    # Engines without a usable number: pair the remaining ones by size, largest first.
    rest = sorted((p for p in predicted if p.index not in taken), key=lambda p: -len(p.nodes))
    for a in sorted(leftovers, key=lambda a: -(a.size or 0)):
        if rest:
            p = rest.pop(0)
            matches.append(EngineMatch(predicted=p, actual=a, by="size",
                                       size_similarity=size_similarity(len(p.nodes), a.size)))
        else:
            matches.append(EngineMatch(predicted=None, actual=a, by="size"))
    matches += [EngineMatch(predicted=p, actual=None, by="index") for p in rest]
    return matches
