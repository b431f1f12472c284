"""Reading binary and text GraphDefs into a :class:`~trtlint.graph.Graph`."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from google.protobuf import message as pb_message
from google.protobuf import text_format

from ..errors import InputError
from ..graph.model import Graph, Node
from ..graph.opdefs import OpRegistry, stock_registry
from .schema import GraphDef

# AttrValue oneof member expected for each OpDef attr type.
_KIND_FOR_TYPE = {
    "string": "s", "int": "i", "float": "f", "bool": "b", "type": "type", "shape": "shape",
    "tensor": "tensor", "func": "func",
}


def parse_binary(path: Path, data: Optional[bytes] = None):
    gd = GraphDef()
    if data is None:
        data = path.read_bytes()
    try:
        gd.ParseFromString(data)
    except (pb_message.DecodeError, RuntimeError, ValueError) as exc:
        raise InputError(f"not a valid TensorFlow GraphDef: the protobuf is truncated or "
                         f"corrupt ({_short(exc)})", path) from None
    return gd


def parse_text(path: Path):
    gd = GraphDef()
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError("not a text GraphDef: the file is not UTF-8 text", path) from None
    try:
        text_format.Parse(text, gd, allow_unknown_field=True)
    except text_format.ParseError as exc:
        raise InputError(f"text GraphDef syntax error at {_short(exc)}", path) from None
    return gd


def _short(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200] or type(exc).__name__


def build_graph(gd, path: Path, registry: Optional[OpRegistry] = None) -> Graph:
    """Graph from a GraphDef message, after checks that catch corrupt files early."""
    library = {f.signature.name: f for f in gd.library.function}
    if len(gd.node) == 0 and not library:
        raise InputError("no nodes: this file parses as an empty GraphDef, so it is most "
                         "likely not a TensorFlow graph", path)
    nodes = [Node.from_proto(nd) for nd in gd.node]
    graph = Graph(nodes, library, registry or stock_registry(),
                  producer=gd.versions.producer if gd.HasField("versions") else None)
    validate(graph, path, gd)
    return graph


def validate(graph: Graph, path: Path, gd=None) -> None:
    """Reject what TensorFlow's importer would reject and what only corruption makes:
    nameless nodes, garbage op names, duplicate names, dangling inputs, attributes of
    the wrong kind."""
    reg = graph.registry
    valid_ops: dict[str, bool] = {}  # a graph has few op types and many nodes
    for node in graph:
        if not node.name or not node.op:
            raise InputError("corrupt GraphDef: a node has an empty name or op", path)
        ok = valid_ops.get(node.op)
        if ok is None:
            ok = valid_ops[node.op] = _is_identifier(node.op)
        if not ok:
            raise InputError(f"corrupt GraphDef: node '{_clip(node.name)}' has an invalid op "
                             f"type '{_clip(node.op)}'", path)
    if graph.duplicates:
        raise InputError(f"invalid GraphDef: node name '{_clip(graph.duplicates[0])}' is used "
                         f"by more than one node", path)
    missing = graph.missing_inputs()
    if missing:
        node, ref = missing[0]
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        raise InputError(f"invalid GraphDef: node '{_clip(node)}' reads '{_clip(ref)}', which "
                         f"is not in the graph{more}", path)
    if gd is not None:
        kinds: dict[str, dict[str, tuple[str, str]]] = {}  # op -> attr -> (kind, declared type)
        for nd in gd.node:
            op = nd.op
            want = kinds.get(op)
            if want is None:
                want = kinds[op] = _expected_kinds(reg.get(op))
            if not want:
                continue
            attrs = nd.attr
            for key in attrs:  # keys, then lookups: cheaper than items() on protobuf maps
                expected = want.get(key)
                if expected is None:
                    continue
                kind = attrs[key].WhichOneof("value")
                if kind is not None and kind != expected[0] and kind != "placeholder":
                    raise InputError(f"corrupt GraphDef: node '{_clip(nd.name)}' ({op}) has "
                                     f"attribute '{key}' of the wrong kind ({kind}, expected "
                                     f"{expected[1]})", path)


def _expected_kinds(entry) -> dict[str, tuple[str, str]]:
    """attr name -> (AttrValue member it must use, declared type) for a registry entry."""
    if entry is None:
        return {}
    out = {}
    for key, declared in entry.get("attrs", {}).items():
        kind = "list" if declared.startswith("list(") else _KIND_FOR_TYPE.get(declared)
        if kind is not None:
            out[key] = (kind, declared)
    return out


def _is_identifier(op: str) -> bool:
    return op.replace("_", "a").replace(">", "a").replace(".", "a").isalnum() and op[0].isalpha() \
        or op.startswith("_") and op[1:].replace("_", "a").isalnum()


def _clip(text: str, n: int = 80) -> str:
    text = text.encode("unicode_escape").decode("ascii") if not text.isprintable() else text
    return text if len(text) <= n else text[: n - 1] + "…"
