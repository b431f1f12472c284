"""The graph model every stage of trtlint works on.

A :class:`Graph` holds :class:`Node` objects in GraphDef order (TF-TRT's segmenter
numbers nodes in that order, so it matters) and exposes the same graph as a
networkx ``DiGraph`` (:attr:`Graph.nx`) whose edges carry

* ``ports``: list of ``(src output index, dst input index)`` for data edges, and
* ``control``: True when a control dependency joins the two nodes.

Nodes decode their attributes lazily from the NodeDef they came from, so loading a
large frozen graph costs little more than parsing its protobuf.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Optional

from . import attrs as attr_codec
from .opdefs import OpRegistry, stock_registry
from .tensors import Shape, TensorValue


@dataclass(frozen=True, slots=True)
class TensorRef:
    """Output ``index`` of node ``node``: TensorFlow's ``"node:index"``."""

    node: str
    index: int = 0

    def __str__(self) -> str:
        return self.node if self.index == 0 else f"{self.node}:{self.index}"

    @staticmethod
    def parse(text: str) -> "TensorRef":
        """Parse a NodeDef data input (``"a"``, ``"a:1"``)."""
        name, sep, idx = text.rpartition(":")
        if sep and idx.isdigit():
            return TensorRef(name, int(idx))
        return TensorRef(text, 0)


class Node:
    """One operation: name, op type, data inputs, control inputs, device and attrs."""

    __slots__ = ("name", "op", "inputs", "control_inputs", "device", "_proto_attrs",
                 "_attrs", "source")

    def __init__(self, name: str, op: str, inputs: Optional[list[TensorRef]] = None,
                 control_inputs: Optional[list[str]] = None, device: str = "",
                 attrs: Optional[dict[str, Any]] = None, proto_attrs=None,
                 source: Optional[str] = None) -> None:
        self.name = name
        self.op = op
        self.inputs: list[TensorRef] = inputs if inputs is not None else []
        self.control_inputs: list[str] = control_inputs if control_inputs is not None else []
        self.device = device
        self._proto_attrs = proto_attrs  # protobuf map<string, AttrValue> or None
        self._attrs: Optional[dict[str, Any]] = attrs
        #: where the node came from when not the main graph (e.g. the function it was
        #: inlined from); None for nodes of the loaded GraphDef itself
        self.source = source

    @classmethod
    def from_proto(cls, node_def, source: Optional[str] = None) -> "Node":
        inputs: list[TensorRef] = []
        controls: list[str] = []
        parse = TensorRef.parse
        # Slicing copies the repeated field into a list in one call: much cheaper than
        # iterating the protobuf container when a graph has 100k nodes.
        for text in node_def.input[:]:
            if text[:1] == "^":
                controls.append(text[1:])
            else:
                inputs.append(parse(text))
        return cls(node_def.name, node_def.op, inputs, controls, node_def.device,
                   proto_attrs=node_def.attr, source=source)

    # -- attributes -----------------------------------------------------------------
    @property
    def attrs(self) -> dict[str, Any]:
        """All attributes, decoded (stock defaults filled in for missing ones)."""
        if self._attrs is None:
            decoded = {}
            proto = self._proto_attrs
            if proto is not None:
                decode = attr_codec.decode
                decoded = {k: decode(proto[k]) for k in proto}
            for key, value in stock_registry().defaults(self.op).items():
                if key not in decoded:
                    decoded[key] = _default_value(value)
            self._attrs = decoded
            self._proto_attrs = None
        return self._attrs

    def attr(self, key: str, default: Any = None) -> Any:
        value = self.attrs.get(key)
        return default if value is None else value

    def has_attr(self, key: str) -> bool:
        return key in self.attrs

    def set_attr(self, key: str, value: Any) -> None:
        self.attrs[key] = value

    @property
    def dtype(self) -> Optional[str]:
        """The node's element type attr (``T``, else ``dtype``), when it has one."""
        a = self.attrs
        for key in ("T", "dtype"):
            v = a.get(key)
            if isinstance(v, str):
                return v
        return None

    @property
    def value(self) -> Optional[TensorValue]:
        """A Const node's tensor."""
        v = self.attrs.get("value")
        return v if isinstance(v, TensorValue) else None

    @property
    def output_shapes(self) -> Optional[list[Shape]]:
        """The ``_output_shapes`` attr that some exporters record, else None."""
        v = self.attrs.get("_output_shapes")
        return v if isinstance(v, list) else None

    @property
    def scope(self) -> str:
        """Name scope: everything before the last '/' ('' at top level)."""
        return self.name.rpartition("/")[0]

    def copy(self, **changes) -> "Node":
        n = Node(self.name, self.op, list(self.inputs), list(self.control_inputs), self.device,
                 attrs=dict(self.attrs), source=self.source)
        for key, value in changes.items():
            setattr(n, key, value)
        return n

    def __repr__(self) -> str:
        ins = ", ".join(str(i) for i in self.inputs)
        return f"Node({self.name!r}, {self.op}, [{ins}])"


def _default_value(value: Any) -> Any:
    # Registry defaults are JSON: lists stay lists (as TensorFlow's list attrs decode), but
    # each node gets its own copy, so that editing one node's attr cannot change another's.
    return list(value) if isinstance(value, list) else value


@dataclass(frozen=True, slots=True)
class Consumer:
    """A data edge seen from its source: ``node`` reads output ``src_index`` at
    input ``dst_index``."""

    node: str
    dst_index: int
    src_index: int


class Graph:
    """A TensorFlow graph: nodes in GraphDef order plus edge indexes.

    The graph is treated as immutable once built; passes that rewrite it (grappler
    emulation, function inlining) build a new Graph from edited node copies.
    """

    def __init__(self, nodes: Iterable[Node], library: Optional[dict] = None,
                 registry: Optional[OpRegistry] = None, producer: Optional[int] = None) -> None:
        self.nodes: dict[str, Node] = {}
        self.duplicates: list[str] = []
        for n in nodes:
            if n.name in self.nodes:
                self.duplicates.append(n.name)
            self.nodes[n.name] = n
        #: function name -> FunctionDef protobuf message
        self.library: dict = library if library is not None else {}
        self.registry: OpRegistry = registry or stock_registry()
        self.producer = producer
        self._consumers: Optional[dict[str, list[Consumer]]] = None
        self._control_consumers: Optional[dict[str, list[str]]] = None
        self._nx = None

    # -- basic access ---------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.nodes)

    def __contains__(self, name: str) -> bool:
        return name in self.nodes

    def __iter__(self) -> Iterator[Node]:
        return iter(self.nodes.values())

    def __getitem__(self, name: str) -> Node:
        return self.nodes[name]

    def get(self, name: str) -> Optional[Node]:
        return self.nodes.get(name)

    def op_histogram(self) -> dict[str, int]:
        hist: dict[str, int] = {}
        for n in self.nodes.values():
            hist[n.op] = hist.get(n.op, 0) + 1
        return dict(sorted(hist.items(), key=lambda kv: (-kv[1], kv[0])))

    # -- edges ----------------------------------------------------------------------
    def _index(self) -> None:
        # Lists only for nodes that have consumers: most nodes of a big graph feed one
        # node, and allocating an empty list per node costs as much as the rest.
        nodes = self.nodes
        consumers: dict[str, list[Consumer]] = {}
        controls: dict[str, list[str]] = {}
        for n in nodes.values():
            name = n.name
            for i, ref in enumerate(n.inputs):
                src = ref.node
                if src in nodes:
                    lst = consumers.get(src)
                    if lst is None:
                        consumers[src] = lst = []
                    lst.append(Consumer(name, i, ref.index))
            for c in n.control_inputs:
                if c in nodes:
                    lst2 = controls.get(c)
                    if lst2 is None:
                        controls[c] = lst2 = []
                    lst2.append(name)
        self._consumers, self._control_consumers = consumers, controls

    def consumers(self, name: str) -> list[Consumer]:
        """Data edges leaving ``name``, in consumer order."""
        if self._consumers is None:
            self._index()
        return self._consumers.get(name, [])  # type: ignore[union-attr]

    def control_consumers(self, name: str) -> list[str]:
        """Nodes that hold a control dependency on ``name``."""
        if self._control_consumers is None:
            self._index()
        return self._control_consumers.get(name, [])  # type: ignore[union-attr]

    def missing_inputs(self) -> list[tuple[str, str]]:
        """``(node, input name)`` pairs whose input node does not exist."""
        out = []
        for n in self.nodes.values():
            for ref in n.inputs:
                if ref.node not in self.nodes:
                    out.append((n.name, str(ref)))
            for c in n.control_inputs:
                if c not in self.nodes:
                    out.append((n.name, "^" + c))
        return out

    def sinks(self) -> list[str]:
        """Nodes no other node consumes (by data or control edge), in graph order."""
        if self._consumers is None:
            self._index()
        consumers, controls = self._consumers, self._control_consumers
        return [name for name in self.nodes
                if name not in consumers and name not in controls]  # type: ignore[operator]

    def num_outputs(self, node: Node) -> Optional[int]:
        """How many output tensors ``node`` has (None for unknown ops)."""
        n = self.registry.num_outputs(node.op, node.attrs)
        if n is None:
            used = [c.src_index for c in self.consumers(node.name)]
            return (max(used) + 1) if used else None
        return n

    def output_dtype(self, ref: TensorRef) -> Optional[str]:
        node = self.nodes.get(ref.node)
        if node is None:
            return None
        types = self.registry.output_dtypes(node.op, node.attrs)
        if types is None or ref.index >= len(types):
            return None
        return types[ref.index]

    def input_dtypes(self, node: Node) -> list[Optional[str]]:
        return [self.output_dtype(ref) for ref in node.inputs]

    def topological_order(self) -> list[str]:
        """Kahn's order over data and control edges; nodes on cycles (v1 loops) are
        appended at the end in graph order."""
        if self._consumers is None:
            self._index()
        indeg = {}
        for n in self.nodes.values():
            d = sum(1 for r in n.inputs if r.node in self.nodes)
            d += sum(1 for c in n.control_inputs if c in self.nodes)
            indeg[n.name] = d
        ready = [name for name, d in indeg.items() if d == 0]
        ready.reverse()
        order: list[str] = []
        while ready:
            name = ready.pop()
            order.append(name)
            for c in self._consumers.get(name, ()):  # type: ignore[union-attr]
                indeg[c.node] -= 1
                if indeg[c.node] == 0:
                    ready.append(c.node)
            for c in self._control_consumers.get(name, ()):  # type: ignore[union-attr]
                indeg[c] -= 1
                if indeg[c] == 0:
                    ready.append(c)
        if len(order) < len(self.nodes):
            seen = set(order)
            order.extend(name for name in self.nodes if name not in seen)
        return order

    @property
    def nx(self):
        """The graph as a networkx DiGraph (built on first use).

        Node attribute ``node`` is the :class:`Node`; edge attributes are ``ports``
        (list of ``(src_out, dst_in)``) and ``control`` (bool)."""
        if self._nx is None:
            import networkx as nx

            g = nx.DiGraph()
            for name, node in self.nodes.items():
                g.add_node(name, node=node, op=node.op)
            for node in self.nodes.values():
                for i, ref in enumerate(node.inputs):
                    if ref.node not in self.nodes:
                        continue
                    if g.has_edge(ref.node, node.name):
                        g.edges[ref.node, node.name]["ports"].append((ref.index, i))
                    else:
                        g.add_edge(ref.node, node.name, ports=[(ref.index, i)], control=False)
                for c in node.control_inputs:
                    if c not in self.nodes:
                        continue
                    if g.has_edge(c, node.name):
                        g.edges[c, node.name]["control"] = True
                    else:
                        g.add_edge(c, node.name, ports=[], control=True)
            self._nx = g
        return self._nx

    def replace_nodes(self, nodes: Iterable[Node]) -> "Graph":
        """A new Graph with these nodes and this graph's library and registry."""
        return Graph(nodes, self.library, self.registry, self.producer)
