"""TensorFlow's protobuf messages, declared here without TensorFlow.

trtlint must read GraphDefs and SavedModels without importing TensorFlow, so it
declares the few messages it needs itself.  Field numbers and types are public
facts of TensorFlow's `.proto` files (graph.proto, node_def.proto, attr_value.proto,
tensor.proto, tensor_shape.proto, function.proto, op_def.proto, saved_model.proto,
meta_graph.proto, versions.proto, types.proto); the declarations below are written
for trtlint and cover only what it reads.  Messages live in a private descriptor
pool, so they never clash with TensorFlow's own classes when both are loaded.

Usage::

    from trtlint.load.schema import GraphDef
    graph_def = GraphDef()
    graph_def.ParseFromString(data)
"""

from __future__ import annotations

from google.protobuf import descriptor_pb2, descriptor_pool

try:  # protobuf >= 4.21
    from google.protobuf.message_factory import GetMessageClass as _message_class
except ImportError:  # pragma: no cover - older protobuf runtimes
    from google.protobuf import message_factory as _mf

    _factory = _mf.MessageFactory()
    _message_class = _factory.GetPrototype

_F = descriptor_pb2.FieldDescriptorProto
_PACKAGE = "trtlint.tf"

# DataType values (types.proto). Reference types are the base value + 100.
DATA_TYPES: dict[str, int] = {
    "DT_INVALID": 0, "DT_FLOAT": 1, "DT_DOUBLE": 2, "DT_INT32": 3, "DT_UINT8": 4,
    "DT_INT16": 5, "DT_INT8": 6, "DT_STRING": 7, "DT_COMPLEX64": 8, "DT_INT64": 9,
    "DT_BOOL": 10, "DT_QINT8": 11, "DT_QUINT8": 12, "DT_QINT32": 13, "DT_BFLOAT16": 14,
    "DT_QINT16": 15, "DT_QUINT16": 16, "DT_UINT16": 17, "DT_COMPLEX128": 18,
    "DT_HALF": 19, "DT_RESOURCE": 20, "DT_VARIANT": 21, "DT_UINT32": 22, "DT_UINT64": 23,
    "DT_FLOAT8_E5M2": 24, "DT_FLOAT8_E4M3FN": 25, "DT_FLOAT8_E4M3FNUZ": 26,
    "DT_FLOAT8_E4M3B11FNUZ": 27, "DT_FLOAT8_E5M2FNUZ": 28, "DT_INT4": 29, "DT_UINT4": 30,
    "DT_INT2": 31, "DT_UINT2": 32,
}
DATA_TYPES.update({name + "_REF": value + 100 for name, value in list(DATA_TYPES.items()) if value})

# (name, number, kind, type-or-message, repeated)
# kind: one of the scalar names below, "msg" (type is a message name), "enum", or
# "map" (type is (key_kind, value_kind_or_message)).
_SCALARS = {
    "string": _F.TYPE_STRING, "bytes": _F.TYPE_BYTES, "int64": _F.TYPE_INT64,
    "int32": _F.TYPE_INT32, "uint32": _F.TYPE_UINT32, "float": _F.TYPE_FLOAT,
    "double": _F.TYPE_DOUBLE, "bool": _F.TYPE_BOOL, "uint64": _F.TYPE_UINT64,
}

_MESSAGES: dict[str, list[tuple]] = {
    "TensorShapeProto.Dim": [("size", 1, "int64"), ("name", 2, "string")],
    "TensorShapeProto": [("dim", 2, "msg", "TensorShapeProto.Dim", True),
                         ("unknown_rank", 3, "bool")],
    "ResourceHandleProto": [("device", 1, "string"), ("container", 2, "string"),
                            ("name", 3, "string"), ("hash_code", 4, "uint64"),
                            ("maybe_type_name", 5, "string")],
    "TensorProto": [
        ("dtype", 1, "enum", "DataType"), ("tensor_shape", 2, "msg", "TensorShapeProto"),
        ("version_number", 3, "int32"), ("tensor_content", 4, "bytes"),
        ("half_val", 13, "int32", None, True), ("float_val", 5, "float", None, True),
        ("double_val", 6, "double", None, True), ("int_val", 7, "int32", None, True),
        ("string_val", 8, "bytes", None, True), ("scomplex_val", 9, "float", None, True),
        ("int64_val", 10, "int64", None, True), ("bool_val", 11, "bool", None, True),
        ("dcomplex_val", 12, "double", None, True),
        ("resource_handle_val", 14, "msg", "ResourceHandleProto", True),
        ("variant_val", 15, "msg", "VariantTensorDataProto", True),
        ("uint32_val", 16, "uint32", None, True), ("uint64_val", 17, "uint64", None, True),
        ("float8_val", 18, "bytes"),
    ],
    "VariantTensorDataProto": [("type_name", 1, "string"), ("metadata", 2, "bytes"),
                               ("tensors", 3, "msg", "TensorProto", True)],
    "NameAttrList": [("name", 1, "string"), ("attr", 2, "map", ("string", "AttrValue"))],
    "AttrValue.ListValue": [
        ("s", 2, "bytes", None, True), ("i", 3, "int64", None, True),
        ("f", 4, "float", None, True), ("b", 5, "bool", None, True),
        ("type", 6, "enum", "DataType", True), ("shape", 7, "msg", "TensorShapeProto", True),
        ("tensor", 8, "msg", "TensorProto", True), ("func", 9, "msg", "NameAttrList", True),
    ],
    "AttrValue": [  # all members of the `value` oneof
        ("list", 1, "msg", "AttrValue.ListValue"), ("s", 2, "bytes"), ("i", 3, "int64"),
        ("f", 4, "float"), ("b", 5, "bool"), ("type", 6, "enum", "DataType"),
        ("shape", 7, "msg", "TensorShapeProto"), ("tensor", 8, "msg", "TensorProto"),
        ("placeholder", 9, "string"), ("func", 10, "msg", "NameAttrList"),
    ],
    "NodeDef": [("name", 1, "string"), ("op", 2, "string"), ("input", 3, "string", None, True),
                ("device", 4, "string"), ("attr", 5, "map", ("string", "AttrValue"))],
    "VersionDef": [("producer", 1, "int32"), ("min_consumer", 2, "int32"),
                   ("bad_consumers", 3, "int32", None, True)],
    "OpDef.ArgDef": [("name", 1, "string"), ("description", 2, "string"),
                     ("type", 3, "enum", "DataType"), ("type_attr", 4, "string"),
                     ("number_attr", 5, "string"), ("type_list_attr", 6, "string"),
                     ("is_ref", 16, "bool")],
    "OpDef.AttrDef": [("name", 1, "string"), ("type", 2, "string"),
                      ("default_value", 3, "msg", "AttrValue"), ("description", 4, "string"),
                      ("has_minimum", 5, "bool"), ("minimum", 6, "int64"),
                      ("allowed_values", 7, "msg", "AttrValue")],
    "OpDef": [("name", 1, "string"), ("input_arg", 2, "msg", "OpDef.ArgDef", True),
              ("output_arg", 3, "msg", "OpDef.ArgDef", True),
              ("control_output", 20, "string", None, True),
              ("attr", 4, "msg", "OpDef.AttrDef", True), ("summary", 5, "string"),
              ("description", 6, "string"), ("is_commutative", 18, "bool"),
              ("is_aggregate", 16, "bool"), ("is_stateful", 17, "bool"),
              ("allows_uninitialized_input", 19, "bool")],
    "OpList": [("op", 1, "msg", "OpDef", True)],
    "FunctionDef.ArgAttrs": [("attr", 1, "map", ("string", "AttrValue"))],
    "FunctionDef": [("signature", 1, "msg", "OpDef"), ("attr", 5, "map", ("string", "AttrValue")),
                    ("arg_attr", 7, "map", ("uint32", "FunctionDef.ArgAttrs")),
                    ("resource_arg_unique_id", 8, "map", ("uint32", "uint32")),
                    ("node_def", 3, "msg", "NodeDef", True),
                    ("ret", 4, "map", ("string", "string")),
                    ("control_ret", 6, "map", ("string", "string"))],
    "GradientDef": [("function_name", 1, "string"), ("gradient_func", 2, "string")],
    "FunctionDefLibrary": [("function", 1, "msg", "FunctionDef", True),
                           ("gradient", 2, "msg", "GradientDef", True)],
    "GraphDef": [("node", 1, "msg", "NodeDef", True), ("versions", 4, "msg", "VersionDef"),
                 ("version", 3, "int32"), ("library", 2, "msg", "FunctionDefLibrary")],
    "TensorInfo": [("name", 1, "string"), ("dtype", 2, "enum", "DataType"),
                   ("tensor_shape", 3, "msg", "TensorShapeProto")],
    "SignatureDef": [("inputs", 1, "map", ("string", "TensorInfo")),
                     ("outputs", 2, "map", ("string", "TensorInfo")),
                     ("method_name", 3, "string")],
    "MetaGraphDef.MetaInfoDef": [("meta_graph_version", 1, "string"),
                                 ("stripped_op_list", 2, "msg", "OpList"),
                                 ("tags", 4, "string", None, True),
                                 ("tensorflow_version", 5, "string"),
                                 ("tensorflow_git_version", 6, "string"),
                                 ("stripped_default_attrs", 7, "bool")],
    "MetaGraphDef": [("meta_info_def", 1, "msg", "MetaGraphDef.MetaInfoDef"),
                     ("graph_def", 2, "msg", "GraphDef"),
                     ("signature_def", 5, "map", ("string", "SignatureDef"))],
    "SavedModel": [("saved_model_schema_version", 1, "int64"),
                   ("meta_graphs", 2, "msg", "MetaGraphDef", True)],
    # Used only to recognise an ONNX file given by mistake (onnx.proto ModelProto).
    "OnnxModelProbe": [("ir_version", 1, "int64"), ("producer_name", 2, "string"),
                       ("producer_version", 3, "string"), ("domain", 4, "string"),
                       ("model_version", 5, "int64"), ("doc_string", 6, "string"),
                       ("graph", 7, "bytes"), ("opset_import", 8, "bytes", None, True)],
}

_ONEOFS = {"AttrValue": "value", "TensorInfo": "encoding"}


def _field(msg: descriptor_pb2.DescriptorProto, name: str, number: int, kind: str,
           type_name=None, repeated: bool = False) -> descriptor_pb2.FieldDescriptorProto:
    f = msg.field.add(name=name, number=number)
    f.label = _F.LABEL_REPEATED if repeated else _F.LABEL_OPTIONAL
    if kind == "msg":
        f.type, f.type_name = _F.TYPE_MESSAGE, f".{_PACKAGE}.{type_name}"
    elif kind == "enum":
        f.type, f.type_name = _F.TYPE_ENUM, f".{_PACKAGE}.{type_name}"
    else:
        f.type = _SCALARS[kind]
    return f


def _build_file() -> descriptor_pb2.FileDescriptorProto:
    fdp = descriptor_pb2.FileDescriptorProto(name="trtlint/tf.proto", package=_PACKAGE,
                                             syntax="proto3")
    enum = fdp.enum_type.add(name="DataType")
    for name, value in DATA_TYPES.items():
        enum.value.add(name=name, number=value)

    protos: dict[str, descriptor_pb2.DescriptorProto] = {}
    for full in sorted(_MESSAGES, key=lambda n: n.count(".")):  # parents first
        parent, _, leaf = full.rpartition(".")
        container = protos[parent].nested_type if parent else fdp.message_type
        protos[full] = container.add(name=leaf)

    for full, fields in _MESSAGES.items():
        msg = protos[full]
        oneof = _ONEOFS.get(full)
        if oneof:
            msg.oneof_decl.add(name=oneof)
        for spec in fields:
            name, number, kind = spec[:3]
            type_name = spec[3] if len(spec) > 3 else None
            repeated = spec[4] if len(spec) > 4 else False
            if kind == "map":
                key_kind, value_kind = type_name
                entry_name = "".join(p.capitalize() for p in name.split("_")) + "Entry"
                entry = msg.nested_type.add(name=entry_name)
                entry.options.map_entry = True
                _field(entry, "key", 1, key_kind)
                if value_kind in _SCALARS:
                    _field(entry, "value", 2, value_kind)
                else:
                    _field(entry, "value", 2, "msg", value_kind)
                f = msg.field.add(name=name, number=number, label=_F.LABEL_REPEATED,
                                  type=_F.TYPE_MESSAGE,
                                  type_name=f".{_PACKAGE}.{full}.{entry_name}")
                continue
            f = _field(msg, name, number, kind, type_name, repeated)
            if oneof and not repeated and not (full == "TensorInfo" and name != "name"):
                f.oneof_index = 0
            if repeated and kind in _SCALARS and kind not in ("string", "bytes") or \
                    (repeated and kind == "enum"):
                f.options.packed = True
    return fdp


POOL = descriptor_pool.DescriptorPool()
POOL.Add(_build_file())


def message_class(name: str):
    """The generated message class for `name` (e.g. "GraphDef", "AttrValue.ListValue")."""
    return _message_class(POOL.FindMessageTypeByName(f"{_PACKAGE}.{name}"))


GraphDef = message_class("GraphDef")
NodeDef = message_class("NodeDef")
AttrValue = message_class("AttrValue")
TensorProto = message_class("TensorProto")
TensorShapeProto = message_class("TensorShapeProto")
FunctionDef = message_class("FunctionDef")
FunctionDefLibrary = message_class("FunctionDefLibrary")
SavedModel = message_class("SavedModel")
MetaGraphDef = message_class("MetaGraphDef")
SignatureDef = message_class("SignatureDef")
OnnxModelProbe = message_class("OnnxModelProbe")

DTYPE_NAMES: dict[int, str] = {v: k for k, v in DATA_TYPES.items()}
