"""What crosses an engine's boundary, as convert_graph.cc's GetEngineInfo finds it.

GetEngineInfo walks the segment's members in topological order (the reverse of
TensorFlow's GetPostOrder) and, for each member, its original in-edges then out-edges in
edge order: a data input from a Const is copied into the engine (not an engine input), any
other data input becomes the next ``TensorRTInputPH_<k>``, data edges to non-members are
engine outputs, and control edges become control inputs (TF 2.x drops those from Consts).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..graph.model import Graph
from .simple_graph import SINK, SOURCE, SimpleGraph


@dataclass
class EngineConnections:
    inputs: list[str] = field(default_factory=list)     # "node:port", TensorRTInputPH order
    outputs: list[str] = field(default_factory=list)    # member tensors read outside
    control_inputs: list[str] = field(default_factory=list)
    const_inputs: list[str] = field(default_factory=list)  # Consts copied into the engine


def topological_positions(g: SimpleGraph) -> dict[int, int]:
    """Position of every node in the reverse of TensorFlow's ``GetPostOrder`` (DFS from
    ``_SOURCE`` over the original out-edges, in edge order; the last pushed child is
    explored first)."""
    post: list[int] = []
    stack: list[tuple[int, bool]] = [(SOURCE, False)]
    visited = bytearray(g.num_nodes)
    while stack:
        n, leave = stack.pop()
        if leave:
            post.append(n)
            continue
        if visited[n]:
            continue
        visited[n] = 1
        stack.append((n, True))
        for e in g.original_out[n]:
            if not visited[e.dst]:
                stack.append((e.dst, False))
    return {n: k for k, n in enumerate(reversed(post))}


def engine_connections(graph: Graph, g: SimpleGraph, members: set[int],
                       topo: dict[int, int], keep_const_controls: bool) -> EngineConnections:
    names = g.names
    out = EngineConnections()
    seen_in: set[str] = set()
    seen_out: set[str] = set()
    for node in sorted(members, key=lambda n: topo.get(n, len(topo))):
        for e in sorted(g.original_in[node], key=lambda e: e.id):
            if e.src == SOURCE or e.src in members:
                continue
            src = names[e.src]
            is_const = graph[src].op == "Const"
            if e.control:
                if (keep_const_controls or not is_const) and src not in out.control_inputs:
                    out.control_inputs.append(src)
            elif is_const:
                if src not in out.const_inputs:
                    out.const_inputs.append(src)
            else:
                tensor = f"{src}:{e.src_port}"
                if tensor not in seen_in:
                    seen_in.add(tensor)
                    out.inputs.append(tensor)
        for e in sorted(g.original_out[node], key=lambda e: e.id):
            if e.dst == SINK or e.dst in members or e.control:
                continue
            tensor = f"{names[node]}:{e.src_port}"
            if tensor not in seen_out:
                seen_out.add(tensor)
                out.outputs.append(tensor)
    return out
