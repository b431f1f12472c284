"""The mutable graph TF-TRT's segmenter contracts, built the way TensorFlow builds it.

TF-TRT converts the GraphDef to a ``tensorflow::Graph`` before segmenting; node ids,
edge ids and edge order come from that conversion and decide tie-breaks in the
segmenter, so we reproduce them:

* nodes are created in "ready" order: among nodes whose inputs all exist, the one
  earliest in the GraphDef first (a loop Merge is ready after one non-back input);
* id 0 is ``_SOURCE``, id 1 is ``_SINK``; a node's in-edges get ids in NodeDef input
  order when the node is created; loop back edges (NextIteration -> Merge) are added
  after all nodes;
* finally every node without in-edges gets a control edge from ``_SOURCE`` and every
  node without out-edges a control edge to ``_SINK``.
"""

from __future__ import annotations

from ..graph.model import Graph

SOURCE, SINK = 0, 1
CONTROL_SLOT = -1


class Edge:
    __slots__ = ("id", "src", "src_port", "dst", "dst_port", "control")

    def __init__(self, id_: int, src: int, src_port: int, dst: int, dst_port: int,
                 control: bool) -> None:
        self.id = id_
        self.src = src
        self.src_port = src_port
        self.dst = dst
        self.dst_port = dst_port
        self.control = control


class SimpleGraph:
    """Nodes are ints; ``names[i]`` is the TF node name ("_SOURCE"/"_SINK" for 0/1)."""

    def __init__(self, graph: Graph) -> None:
        order = creation_order(graph)
        self.names: list[str] = ["_SOURCE", "_SINK"] + order
        self.id_of: dict[str, int] = {name: i for i, name in enumerate(self.names)}
        n = len(self.names)
        # Per-node edges keyed by edge id: dicts keep insertion order (TensorFlow's
        # vector order) and remove an edge in O(1) — contracted nodes get many edges.
        self.in_edges: list[dict[int, Edge]] = [{} for _ in range(n)]
        self.out_edges: list[dict[int, Edge]] = [{} for _ in range(n)]
        self.edges: list[Edge] = []
        back_edges: list[tuple[int, int, int, int]] = []  # src, port, dst, slot
        created: set[str] = set()
        for name in order:
            node = graph[name]
            dst = self.id_of[name]
            for i, ref in enumerate(node.inputs):
                if ref.node not in created and _is_next_iteration(graph, ref.node):
                    back_edges.append((self.id_of[ref.node], ref.index, dst, i))
                    continue
                self.add_edge(self.id_of[ref.node], ref.index, dst, i)
            for c in node.control_inputs:
                if c in self.id_of:
                    self.add_edge(self.id_of[c], CONTROL_SLOT, dst, CONTROL_SLOT)
            created.add(name)
        for src, port, dst, slot in back_edges:
            self.add_edge(src, port, dst, slot)
        #: no loop back edges: the graph is a DAG (TF graphs cycle only through loops)
        self.acyclic = not back_edges and len(order) == len(graph)
        for i in range(2, n):
            if not self.in_edges[i]:
                self.add_edge(SOURCE, CONTROL_SLOT, i, CONTROL_SLOT)
            if not self.out_edges[i]:
                self.add_edge(i, CONTROL_SLOT, SINK, CONTROL_SLOT)
        #: the original edges, kept for the segment clean-up step (which reads the
        #: TensorFlow graph, not the contracted one)
        self.original_in = [list(x.values()) for x in self.in_edges]
        self.original_out = [list(x.values()) for x in self.out_edges]

    @property
    def num_nodes(self) -> int:
        return len(self.names)

    def add_edge(self, src: int, src_port: int, dst: int, dst_port: int) -> Edge:
        edges = self.edges
        eid = len(edges)
        e = Edge(eid, src, src_port, dst, dst_port,
                 src_port == CONTROL_SLOT or dst_port == CONTROL_SLOT)
        edges.append(e)
        self.out_edges[src][eid] = e
        self.in_edges[dst][eid] = e
        return e

    def add_contracted_edge(self, src: int, src_port: int, dst: int, dst_port: int) -> None:
        """Add an edge moved by a contraction unless an equivalent one (same ends, both
        data or both control) already exists.  TensorFlow's segmenter adds a parallel
        duplicate; duplicates never change which edges contract or what is reachable,
        and skipping them keeps contracted nodes from accumulating edges."""
        control = src_port == CONTROL_SLOT or dst_port == CONTROL_SLOT
        for e in self.out_edges[src].values() if len(self.out_edges[src]) <= \
                len(self.in_edges[dst]) else self.in_edges[dst].values():
            if e.src == src and e.dst == dst and e.control == control:
                return
        self.add_edge(src, src_port, dst, dst_port)

    def remove_edge(self, e: Edge) -> None:
        self.out_edges[e.src].pop(e.id, None)
        self.in_edges[e.dst].pop(e.id, None)

    def in_nodes(self, n: int) -> list[int]:
        return [e.src for e in self.in_edges[n].values()]

    def out_nodes(self, n: int) -> list[int]:
        return [e.dst for e in self.out_edges[n].values()]


def _is_next_iteration(graph: Graph, name: str) -> bool:
    node = graph.get(name)
    return node is not None and node.op in ("NextIteration", "RefNextIteration")


def creation_order(graph: Graph) -> list[str]:
    """The order TensorFlow's GraphConstructor creates nodes in (see module doc)."""
    import heapq

    index = {name: i for i, name in enumerate(graph.nodes)}
    names = list(graph.nodes)
    pending: list[int] = [0] * len(names)
    outputs: list[list[int]] = [[] for _ in names]
    for i, name in enumerate(names):
        node = graph[name]
        srcs = [r.node for r in node.inputs] + list(node.control_inputs)
        if node.op in ("Merge", "RefMerge") and any(_is_next_iteration(graph, r.node)
                                                    for r in node.inputs):
            pending[i] = len(node.control_inputs) + 1
        else:
            pending[i] = len(srcs)
        for s in srcs:
            if s in index:
                outputs[index[s]].append(i)
    ready = [i for i in range(len(names)) if pending[i] == 0]
    heapq.heapify(ready)
    order: list[str] = []
    done = [False] * len(names)
    while ready:
        i = heapq.heappop(ready)
        if done[i]:
            continue
        done[i] = True
        order.append(names[i])
        for j in outputs[i]:
            if done[j]:
                continue
            pending[j] -= 1
            if pending[j] == 0:
                heapq.heappush(ready, j)
    if len(order) < len(names):  # not importable as-is (a cycle outside a loop)
        order.extend(n for i, n in enumerate(names) if not done[i])
    return order
