"""Node orders grappler produces: its topological sort and its transitive fan-in.

The order of nodes matters twice: TF-TRT numbers nodes in GraphDef order, and some
passes pick a survivor by position (common subgraph elimination keeps the first of
two identical nodes).  So the emulation reproduces grappler's orders exactly:

* :func:`topological_sort` is Kahn's algorithm as in ``utils/topological_sort.cc``:
  the nodes without inputs first, in their current order; then a FIFO queue where a
  node becomes ready once all its *distinct* input nodes are placed, fan-outs visited
  in node-index order.  A ``Merge`` counts its ``NextIteration`` inputs as ready from
  the start, which is how TF1 loops get sorted.  If some nodes stay unplaced (a cycle
  grappler cannot cut), sorting fails and the graph keeps its order.
* :func:`transitive_fanin_order` is ``SetTransitiveFaninGraph``: a depth-first walk
  from the (sorted) terminal nodes with an explicit stack, emitted in reverse.
* :func:`import_normalise` is what grappler's input went through before: TF-TRT
  imports the GraphDef into a ``tf.Graph`` (``import_graph_def``; for a SavedModel the
  function body is imported the same way) and hands grappler ``as_graph_def()`` of it.
  ``GraphConstructor`` creates nodes in a topological order that always takes the
  lowest-index ready node (a ``std::set``), and ``ToGraphDef`` writes them in creation
  order with control inputs deduplicated and sorted by name.
"""

from __future__ import annotations

import heapq
from typing import Optional

from .ops import is_merge, is_next_iteration
from .workgraph import WorkGraph, WorkNode, node_name


def topological_order(nodes: list[WorkNode]) -> Optional[list[int]]:
    """Grappler's topological order as indices into ``nodes``; None on failure."""
    index = {n.name: i for i, n in enumerate(nodes)}
    count = len(nodes)
    fanins: list[list[int]] = [[] for _ in range(count)]
    fanouts: list[list[int]] = [[] for _ in range(count)]
    # Nodes are visited in index order, so every fan-out list is filled in ascending
    # order and needs no sort.  Most nodes have a handful of inputs: a duplicate is
    # found faster in the short fan-in list than through a per-node set, which only
    # nodes with many inputs (a wide Concat, a NoOp gathering control edges) get.
    get = index.get
    for i, n in enumerate(nodes):
        ins = fanins[i]
        seen = set() if len(n.inputs) > 8 else ins
        for text in n.inputs:
            j = get(text if (":" not in text and text[:1] != "^") else node_name(text))
            if j is None or j in seen:
                continue
            if seen is not ins:
                seen.add(j)
            ins.append(j)
            fanouts[j].append(i)
    ready_inputs = [0] * count
    order: list[int] = []
    for i, n in enumerate(nodes):
        if not fanins[i]:
            order.append(i)
        if is_merge(n):
            for j in fanins[i]:
                if is_next_iteration(nodes[j]):
                    ready_inputs[i] += 1
    front = 0
    while front < len(order):
        ready = order[front]
        for out in fanouts[ready]:
            ready_inputs[out] += 1
            if ready_inputs[out] == len(fanins[out]):
                order.append(out)
        front += 1
    if len(order) != count:
        return None
    return order


def topological_sort(graph: WorkGraph) -> bool:
    """Sort ``graph`` in place as grappler's ``TopologicalSort``; False if it fails."""
    order = topological_order(graph.nodes)
    if order is None:
        return False
    nodes = graph.nodes
    graph.nodes = [nodes[i] for i in order]
    return True


def transitive_fanin_order(nodes: list[WorkNode], terminals: list[str]) -> list[WorkNode]:
    """The nodes ``terminals`` depend on (data or control), in the order grappler's
    model pruner writes them: reversed depth-first discovery order."""
    by_name = {n.name: n for n in nodes}
    stack = [by_name[t] for t in terminals if t in by_name]
    visited: set[str] = set()
    keep: list[WorkNode] = []
    while stack:
        node = stack.pop()
        if node.name in visited:
            continue
        visited.add(node.name)
        keep.append(node)
        for text in node.inputs:
            src = by_name.get(node_name(text))
            if src is not None:
                stack.append(src)
    keep.reverse()
    return keep


def import_normalise(graph: WorkGraph) -> None:
    """Reorder ``graph`` and its control inputs as ``import_graph_def`` followed by
    ``as_graph_def`` do (see the module docstring); in place.

    A ``Merge`` fed by a ``NextIteration`` waits for its control inputs and one data
    input only (``InitFromEdges``); nodes a non-loop cycle keeps unplaced (TensorFlow
    would refuse the graph) follow in their current order.
    """
    nodes = graph.nodes
    index = {n.name: i for i, n in enumerate(nodes)}
    next_iterations = {n.name for n in nodes if is_next_iteration(n)}
    outputs: list[list[int]] = [[] for _ in nodes]
    pending: list[int] = []
    ready: list[int] = []
    for i, n in enumerate(nodes):
        count = len(n.inputs)
        if is_merge(n) and next_iterations:
            controls = sum(1 for t in n.inputs if t[:1] == "^")
            if any(t[:1] != "^" and node_name(t) in next_iterations for t in n.inputs):
                count = controls + 1
        for text in n.inputs:
            j = index.get(node_name(text))
            if j is None:
                count -= 1  # dangling: not an edge TensorFlow would wait for
            else:
                outputs[j].append(i)
        pending.append(count)
        if count <= 0:
            ready.append(i)
    heapq.heapify(ready)
    order: list[int] = []
    placed = [False] * len(nodes)
    while ready:
        i = heapq.heappop(ready)
        order.append(i)
        placed[i] = True
        for out in outputs[i]:
            pending[out] -= 1
            if pending[out] == 0:
                heapq.heappush(ready, out)
    if len(order) != len(nodes):
        order.extend(i for i in range(len(nodes)) if not placed[i])
    graph.nodes = [nodes[i] for i in order]
    for n in graph.nodes:
        inputs = n.inputs
        if inputs and inputs[-1][:1] == "^":
            first = n.num_data_inputs()
            controls = sorted(set(inputs[first:]))
            if controls != inputs[first:]:
                n.inputs = inputs[:first] + controls
