"""A mutable, GraphDef-shaped working copy of a graph for the grappler passes.

Grappler's passes edit ``NodeDef`` messages in place: they rename inputs, swap input
positions, turn data inputs into control inputs (``"^name"``), append nodes to the
end of the graph and erase others.  Many of their decisions depend on exactly those
details (which input comes first, whether a control input is a duplicate, where a new
node lands in the node order), so the emulation works on the same representation:

* :class:`WorkNode` holds ``inputs`` as TensorFlow strings -- ``"a"``, ``"a:1"`` for
  data inputs, ``"^a"`` for control inputs, data inputs first -- plus op, device and
  attributes (copied from the loaded :class:`~trtlint.graph.Node` only when a pass
  writes to them).
* :class:`WorkGraph` keeps the nodes in GraphDef order and a fan-out index
  (:class:`NodeMap`, grappler's structure of the same name: node -> the set of nodes
  that read it through a data or control edge).

``WorkGraph.from_graph`` and ``WorkGraph.to_graph`` convert from and to trtlint's
immutable :class:`~trtlint.graph.Graph`; untouched nodes keep sharing their lazily
decoded attributes, so a 100k-node frozen graph is not decoded just to be copied.
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator, Optional

from ..graph.model import Graph, Node, TensorRef


# -- input strings -------------------------------------------------------------------
def is_control(text: str) -> bool:
    """``"^a"`` is a control input."""
    return text.startswith("^")


def node_name(text: str) -> str:
    """The node an input string names: ``"^a" -> "a"``, ``"a:1" -> "a"``."""
    if text[:1] == "^":
        return text[1:]
    i = text.rfind(":")
    if i < 0:
        return text
    return text[:i] if text[i + 1:].isdigit() else text


def parse_input(text: str) -> tuple[str, int]:
    """``(node, port)`` of an input string; port -1 for a control input."""
    if text.startswith("^"):
        return text[1:], -1
    name, sep, idx = text.rpartition(":")
    if sep and idx.isdigit():
        return name, int(idx)
    return text, 0


def tensor_name(node: str, port: int) -> str:
    """TensorFlow's spelling of output ``port`` of ``node`` (``"a"`` for port 0)."""
    if port < 0:
        return "^" + node
    return node if port == 0 else f"{node}:{port}"


def as_control(text: str) -> str:
    """The control input on the node an input string names."""
    return text if text.startswith("^") else "^" + node_name(text)


class WorkNode:
    """One NodeDef under edit."""

    __slots__ = ("name", "op", "inputs", "device", "_attrs", "origin", "has_shapes_attr",
                 "_origin_inputs")

    def __init__(self, name: str, op: str, inputs: Optional[list[str]] = None,
                 device: str = "", attrs: Optional[dict[str, Any]] = None,
                 origin: Optional[Node] = None, has_shapes_attr: bool = False) -> None:
        self.name = name
        self.op = op
        self.inputs: list[str] = inputs if inputs is not None else []
        self.device = device
        self._attrs = attrs
        #: the loaded node this one started from (attrs are read from it until written)
        self.origin = origin
        #: whether the NodeDef carries an ``_output_shapes`` attr that grappler would
        #: compare.  The grappler item is built without them (and without ``_class``
        #: colocation attrs), so this stays False unless a rewrite copies shapes in
        #: (``Case`` -> ``PartitionedCall``); common subgraph elimination compares it.
        self.has_shapes_attr = has_shapes_attr
        #: the input strings the origin node had (a fast "unchanged" test on output)
        self._origin_inputs: Optional[tuple[str, ...]] = None

    @classmethod
    def from_node(cls, node: Node) -> "WorkNode":
        inputs = [r.node if r.index == 0 else f"{r.node}:{r.index}" for r in node.inputs]
        inputs.extend("^" + c for c in node.control_inputs)
        w = cls(node.name, node.op, inputs, node.device, None, node, False)
        w._origin_inputs = tuple(inputs)
        return w

    # -- attributes (copy on write) -------------------------------------------------
    @property
    def attrs(self) -> dict[str, Any]:
        """The attribute dict, private to this node (copied from the origin on first use)."""
        if self._attrs is None:
            self._attrs = dict(self.origin.attrs) if self.origin is not None else {}
        return self._attrs

    @property
    def attrs_view(self) -> dict[str, Any]:
        """The attributes as they are now, for READING only: the origin's dict while
        this node has not written any (no copy is made, so a node that is only looked
        at stays shared with the loaded graph when the work graph is turned back into
        a :class:`~trtlint.graph.Graph`)."""
        if self._attrs is not None:
            return self._attrs
        return self.origin.attrs if self.origin is not None else {}

    def attr(self, key: str, default: Any = None) -> Any:
        source = self._attrs if self._attrs is not None else (
            self.origin.attrs if self.origin is not None else {})
        value = source.get(key)
        return default if value is None else value

    def has_attr(self, key: str) -> bool:
        source = self._attrs if self._attrs is not None else (
            self.origin.attrs if self.origin is not None else {})
        return key in source

    def has_tpu_attr(self) -> bool:
        """Whether some attribute name contains ``_tpu_`` (nodes grappler leaves alone)."""
        for key in self.attrs_view:
            if "_tpu_" in key:
                return True
        return False

    def set_attrs(self, attrs: dict[str, Any]) -> None:
        self._attrs = attrs

    def erase_regular_attrs(self) -> None:
        """Drop every attribute whose name does not start with ``_`` (grappler's
        ``EraseRegularNodeAttributes``)."""
        self._attrs = {k: v for k, v in self.attrs.items() if k.startswith("_")}

    @property
    def dtype(self) -> Optional[str]:
        for key in ("T", "dtype"):
            v = self.attr(key)
            if isinstance(v, str):
                return v
        return None

    # -- inputs ---------------------------------------------------------------------
    def data_inputs(self) -> list[str]:
        return [i for i in self.inputs if not i.startswith("^")]

    def num_data_inputs(self) -> int:
        n = 0
        for i in self.inputs:
            if i.startswith("^"):
                break
            n += 1
        return n

    def control_inputs(self) -> list[str]:
        return [i for i in self.inputs if i.startswith("^")]

    def has_control_inputs(self) -> bool:
        return bool(self.inputs) and self.inputs[-1].startswith("^")

    def dedup_control_inputs(self) -> None:
        """Grappler's ``DedupControlInputs``: a control input on a node the node
        already reads (by data or by an earlier control edge) is dropped, by swapping
        it with the last input."""
        inputs = self.inputs
        if not inputs or inputs[-1][:1] != "^":
            return  # control inputs come last: none here
        seen: set[str] = set()
        pos = 0
        while pos < len(inputs):
            text = inputs[pos]
            name = node_name(text)
            if name in seen and text.startswith("^"):
                inputs[pos] = inputs[-1]
                inputs.pop()
            else:
                seen.add(name)
                pos += 1

    def __repr__(self) -> str:
        return f"WorkNode({self.name!r}, {self.op}, {self.inputs})"


class NodeMap:
    """Grappler's ``NodeMap``: name -> node, and name -> nodes reading it.

    Fan-outs are kept as insertion-ordered dicts (TensorFlow uses hash sets, whose
    order is arbitrary; any fixed order is as faithful)."""

    def __init__(self, nodes: Iterable[WorkNode]) -> None:
        nodes = list(nodes)
        # Comprehensions rather than a loop of setdefault calls: the index is rebuilt
        # several times per analysis, on 100k nodes.
        self.nodes: dict[str, WorkNode] = {n.name: n for n in nodes}
        self.outputs: dict[str, dict[str, None]] = {n.name: {} for n in nodes}
        outputs = self.outputs
        for n in nodes:
            name = n.name
            for text in n.inputs:
                src = text if (":" not in text and text[:1] != "^") else node_name(text)
                lst = outputs.get(src)
                if lst is None:
                    lst = outputs[src] = {}
                lst[name] = None

    def get(self, name_or_input: str) -> Optional[WorkNode]:
        return self.nodes.get(node_name(name_or_input))

    def exists(self, name: str) -> bool:
        return name in self.nodes

    def fanout(self, name: str) -> list[WorkNode]:
        """Nodes reading ``name`` (data or control), as a fresh list."""
        nodes = self.nodes
        return [nodes[c] for c in self.outputs.get(name, ()) if c in nodes]

    def fanout_names(self, name: str) -> dict[str, None]:
        return self.outputs.get(name, {})

    def fanout_sorted(self, name: str) -> list[WorkNode]:
        """``GetOutputsOrderedByNodeName``."""
        nodes = self.nodes
        return [nodes[c] for c in sorted(self.outputs.get(name, ())) if c in nodes]

    def add_node(self, node: WorkNode) -> None:
        self.nodes[node.name] = node
        self.outputs.setdefault(node.name, {})

    def remove_node(self, name: str) -> None:
        self.nodes.pop(name, None)
        self.outputs.pop(name, None)

    def add_output(self, name: str, consumer: str) -> None:
        self.outputs.setdefault(name, {})[consumer] = None

    def remove_output(self, name: str, consumer: str) -> None:
        outs = self.outputs.get(name)
        if outs is not None:
            outs.pop(consumer, None)

    def update_input(self, consumer: str, old_input: str, new_input: str) -> None:
        self.remove_output(node_name(old_input), consumer)
        self.add_output(node_name(new_input), consumer)

    def update_output(self, name: str, old_consumer: str, new_consumer: str) -> None:
        self.remove_output(name, old_consumer)
        self.add_output(name, new_consumer)

    def remove_inputs(self, consumer: str) -> None:
        node = self.nodes.get(consumer)
        if node is None:
            return
        for text in node.inputs:
            self.remove_output(node_name(text), consumer)

    def remove_outputs(self, name: str) -> None:
        self.outputs[name] = {}


class WorkGraph:
    """Nodes in GraphDef order, editable in place."""

    def __init__(self, nodes: Iterable[WorkNode], base: Optional[Graph] = None) -> None:
        self.nodes: list[WorkNode] = list(nodes)
        #: the Graph this work copy came from (op registry, library)
        self.base = base

    @classmethod
    def from_graph(cls, graph: Graph) -> "WorkGraph":
        return cls((WorkNode.from_node(n) for n in graph), graph)

    def __len__(self) -> int:
        return len(self.nodes)

    def __iter__(self) -> Iterator[WorkNode]:
        return iter(self.nodes)

    def by_name(self) -> dict[str, WorkNode]:
        return {n.name: n for n in self.nodes}

    def node_map(self) -> NodeMap:
        return NodeMap(self.nodes)

    def erase(self, names: Iterable[str]) -> None:
        drop = set(names)
        if drop:
            self.nodes = [n for n in self.nodes if n.name not in drop]

    def copy(self) -> "WorkGraph":
        """An independent copy (node objects duplicated, attrs shared until written)."""
        out = []
        for n in self.nodes:
            c = WorkNode(n.name, n.op, list(n.inputs), n.device,
                         dict(n._attrs) if n._attrs is not None else None, n.origin,
                         n.has_shapes_attr)
            out.append(c)
        return WorkGraph(out, self.base)

    # -- back to trtlint's Graph --------------------------------------------------------
    def to_graph(self) -> Graph:
        base = self.base
        nodes = [to_node(n) for n in self.nodes]
        if base is None:
            return Graph(nodes)
        return base.replace_nodes(nodes)


def to_node(w: WorkNode) -> Node:
    """A trtlint :class:`Node` for a work node, sharing undecoded attrs when untouched."""
    origin = w.origin
    if (origin is not None and w._attrs is None and w.name == origin.name
            and w.op == origin.op and w.device == origin.device
            and w._origin_inputs is not None and tuple(w.inputs) == w._origin_inputs):
        return origin
    data: list[TensorRef] = []
    controls: list[str] = []
    for text in w.inputs:
        if text.startswith("^"):
            controls.append(text[1:])
        else:
            name, port = parse_input(text)
            data.append(TensorRef(name, port))
    if w._attrs is None and origin is not None:
        if (origin.op == w.op and origin.device == w.device and origin.inputs == data
                and origin.control_inputs == controls):
            return origin
        return _sharing_attrs(origin, w.name, w.op, data, controls, w.device)
    return Node(w.name, w.op, data, controls, w.device,
                attrs=dict(w._attrs) if w._attrs is not None else {},
                source=origin.source if origin is not None else None)


def _sharing_attrs(origin: Node, name: str, op: str, data: list[TensorRef],
                   controls: list[str], device: str) -> Node:
    """A node with new wiring that reuses ``origin``'s attributes without decoding
    them (the protobuf map is immutable; a decoded dict is copied shallowly)."""
    decoded = origin._attrs  # noqa: SLF001 - same package family, read-only use
    if decoded is not None:
        return Node(name, op, data, controls, device, attrs=dict(decoded), source=origin.source)
    return Node(name, op, data, controls, device, proto_attrs=origin._proto_attrs,  # noqa: SLF001
                source=origin.source)
