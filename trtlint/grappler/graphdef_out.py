"""Writing a trtlint :class:`~trtlint.graph.Graph` back out as a GraphDef.

``--grappler tf`` hands TensorFlow the graph trtlint loaded (a SavedModel's inlined
signature function, say), and tests feed the same graph to TensorFlow's grappler and
to the emulation.  Nodes whose attributes were never decoded are copied from their
protobuf map untouched; decoded attributes are encoded again, with the op
definition's attribute types deciding between look-alikes (a ``str`` may be a dtype
name or a string attribute).  A folded constant whose values trtlint does not know is
written with its dtype and shape only (its contents are unknown, not zero).
"""

from __future__ import annotations

import array
import struct
from typing import Any, Optional

from ..graph import dtypes
from ..graph.attrs import FuncRef, Placeholder
from ..graph.model import Graph, Node
from ..graph.tensors import TensorValue
from ..load.schema import DATA_TYPES, GraphDef

_TYPE_ENUM = {name: value for value, name in dtypes.NAMES.items()}
_CONTENT_CODES = {"float32": "f", "float64": "d", "int32": "i", "int64": "q", "uint8": "B",
                  "int8": "b", "int16": "h", "uint16": "H", "uint32": "I", "uint64": "Q",
                  "bool": "B", "qint8": "b", "quint8": "B", "qint32": "i", "qint16": "h",
                  "quint16": "H"}


def graph_to_graphdef(graph: Graph):
    """A ``GraphDef`` message (trtlint's own schema) holding ``graph``."""
    gd = GraphDef()
    if graph.producer is not None:
        gd.versions.producer = graph.producer
    for fn in graph.library.values():
        gd.library.function.add().CopyFrom(fn)
    registry = graph.registry
    for node in graph:
        nd = gd.node.add()
        nd.name = node.name
        nd.op = node.op
        if node.device:
            nd.device = node.device
        nd.input.extend(str(r) for r in node.inputs)
        nd.input.extend("^" + c for c in node.control_inputs)
        proto = node._proto_attrs  # noqa: SLF001 - undecoded attrs copy verbatim
        if proto is not None and node._attrs is None:  # noqa: SLF001
            for key, value in proto.items():
                nd.attr[key].CopyFrom(value)
            continue
        entry = registry.get(node.op) or {}
        types = entry.get("attrs", {})
        for key, value in node.attrs.items():
            if value is None:
                continue
            _encode(nd.attr[key], value, types.get(key))
        if node.op == "Const" and node.attrs.get("value") is None:
            _unread_variable(nd.attr["value"].tensor, node, len(gd.node))
    return gd


def _unread_variable(proto, node: Node, serial: int) -> None:
    """A frozen variable whose value trtlint never read: its dtype and shape, filled
    with a number of its own, so that no two such constants look equal."""
    dtype = node.attrs.get("dtype") or "float32"
    proto.dtype = DATA_TYPES.get("DT_" + _dt_enum_name(dtype), 1)
    shape = node.attrs.get("_variable_shape")
    if "_scalar" in node.attrs:
        shape = ()
    _shape_proto(proto.tensor_shape, shape if shape is not None else ())
    if dtype in dtypes.FLOATING:
        (proto.half_val if dtype in ("float16", "bfloat16") else
         proto.double_val if dtype == "float64" else proto.float_val).append(
            serial if dtype in ("float16", "bfloat16") else 1.0 + serial * 1e-3)
    elif dtype == "bool":
        proto.bool_val.append(True)
    elif dtype in ("int64", "uint64"):
        proto.int64_val.append(node.attrs.get("_scalar", serial))
    elif dtype != "string":
        proto.int_val.append(node.attrs.get("_scalar", serial))


def graph_to_bytes(graph: Graph) -> bytes:
    return graph_to_graphdef(graph).SerializeToString()


def _encode(attr, value: Any, kind: Optional[str]) -> None:
    if kind is not None and kind.startswith("list("):
        inner = kind[5:-1]
        lst = attr.list
        values = value if isinstance(value, (list, tuple)) else [value]
        for v in values:
            if inner == "type":
                lst.type.append(_TYPE_ENUM.get(v, 0))
            elif inner == "int":
                lst.i.append(int(v))
            elif inner == "float":
                lst.f.append(float(v))
            elif inner == "bool":
                lst.b.append(bool(v))
            elif inner == "string":
                lst.s.append(v.encode("utf-8") if isinstance(v, str) else bytes(v))
            elif inner == "shape":
                _shape_proto(lst.shape.add(), v)
            elif inner == "tensor":
                _tensor_proto(lst.tensor.add(), v)
            elif inner == "func":
                _func_proto(lst.func.add(), v)
        if not values:
            attr.list.SetInParent()
        return
    if kind == "type" or (kind is None and isinstance(value, str) and value in _TYPE_ENUM
                          and value not in ("invalid",)):
        attr.type = _TYPE_ENUM.get(value, 0)
    elif isinstance(value, Placeholder):
        attr.placeholder = value.name
    elif isinstance(value, TensorValue):
        _tensor_proto(attr.tensor, value)
    elif isinstance(value, FuncRef):
        _func_proto(attr.func, value)
    elif kind == "shape" or isinstance(value, tuple):
        _shape_proto(attr.shape, value)
    elif isinstance(value, bool):
        attr.b = value
    elif isinstance(value, int):
        attr.i = value
    elif isinstance(value, float):
        attr.f = value
    elif isinstance(value, str):
        attr.s = value.encode("utf-8")
    elif isinstance(value, bytes):
        attr.s = value
    elif isinstance(value, list):
        _encode(attr, value, _guess_list_kind(value))


def _guess_list_kind(values: list) -> str:
    if not values:
        return "list(int)"
    v = values[0]
    if isinstance(v, bool):
        return "list(bool)"
    if isinstance(v, int):
        return "list(int)"
    if isinstance(v, float):
        return "list(float)"
    if isinstance(v, str):
        return "list(type)" if v in _TYPE_ENUM else "list(string)"
    if isinstance(v, tuple) or v is None:
        return "list(shape)"
    if isinstance(v, TensorValue):
        return "list(tensor)"
    if isinstance(v, FuncRef):
        return "list(func)"
    return "list(string)"


def _shape_proto(proto, shape) -> None:
    if shape is None:
        proto.unknown_rank = True
        return
    for d in shape:
        proto.dim.add().size = d


def _func_proto(proto, func: FuncRef) -> None:
    proto.name = func.name
    for key, value in func.attrs.items():
        _encode(proto.attr[key], value, None)


def _tensor_proto(proto, value: TensorValue) -> None:
    source = getattr(value, "_proto", None)
    if source is not None:
        proto.ParseFromString(source.SerializeToString())
        return
    proto.dtype = DATA_TYPES.get("DT_" + _dt_enum_name(value.dtype), 0)
    _shape_proto(proto.tensor_shape, value.shape)
    vals = value.values()
    if vals is None:
        return
    code = _CONTENT_CODES.get(value.dtype)
    if code is not None:
        proto.tensor_content = array.array(code, [int(v) if code not in "fd" else float(v)
                                                  for v in vals]).tobytes()
    elif value.dtype == "float16":
        proto.tensor_content = b"".join(struct.pack("<e", v) for v in vals)


def _dt_enum_name(dtype: str) -> str:
    special = {"float32": "FLOAT", "float64": "DOUBLE", "float16": "HALF"}
    return special.get(dtype, dtype.upper())
