"""Load a model into the MetaGraphDef that TF-TRT's converters hand to grappler.

Two paths, each following what TensorFlow 2.17's own converter does
(tensorflow/python/compiler/tensorrt/trt_convert.py):

- GraphDef (binary or text), as TrtGraphConverter._convert_graph_def: import into a fresh
  tf.Graph, export a MetaGraphDef of `as_graph_def(add_shapes=True)`, and list the fetch nodes in
  the "train_op" collection (grappler keeps what that collection names and TF-TRT excludes those
  nodes from engines). Fetches: the --output names, else the graph's sinks. The oracle also lists
  the Placeholders there, as TrtGraphConverterV2 does.
- SavedModel, as TrtGraphConverterV2.convert: load, take the signature's function, freeze it with
  convert_variables_to_constants_v2, clear every node's device, export a MetaGraphDef, and list
  the frozen function's inputs and outputs in "train_op".
- SavedModel through the TF1 API, as TrtGraphConverter._convert_saved_model: load into a
  tf.compat.v1 Session, freeze with convert_variables_to_constants keeping the signature's inputs
  and outputs and the ops of the non-variable collections, and build a MetaGraphDef of the frozen
  graph, those collections and the signature (grappler takes feeds and fetches from it).
  TF1-era SavedModels often cannot go the V2 way (reference variables, hash tables that do not
  freeze); with `saved_model_converter="auto"` (the default) the oracle falls back to this path and
  says which converter it followed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

from .request import Request

# Where TF places nodes when --layout-gpu asks for a GPU placement (see conversion.virtual_gpu_cluster).
GPU_DEVICE = "/job:localhost/replica:0/task:0/device:GPU:0"


class ModelError(ValueError):
    """The model cannot be used: missing, unreadable, or TensorFlow rejects it."""


@dataclass
class PreparedModel:
    """The input of the conversion: a MetaGraphDef plus what the result reports about it."""

    meta_graph: object          # tensorflow.core.protobuf.meta_graph_pb2.MetaGraphDef
    format: str                 # "frozen_graph" | "pbtxt" | "saved_model"
    inputs: List[str]
    outputs: List[str]
    converter: str = "TrtGraphConverter"        # whose preparation was followed
    notes: List[str] = field(default_factory=list)


def detect_format(path: Path) -> str:
    if path.is_dir():
        if (path / "saved_model.pb").exists() or (path / "saved_model.pbtxt").exists():
            return "saved_model"
        raise ModelError(f"{path}: a directory but not a SavedModel (no saved_model.pb)")
    if not path.exists():
        raise ModelError(f"{path}: no such file or directory")
    with open(path, "rb") as handle:
        head = handle.read(4096)
    if path.suffix in (".pbtxt", ".txt") or _looks_like_text_graph(head):
        return "pbtxt"
    return "frozen_graph"


def _looks_like_text_graph(head: bytes) -> bool:
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    stripped = text.lstrip()
    return stripped.startswith(("node", "library", "versions", "#"))


def _read_graph_def(path: Path, fmt: str):
    from google.protobuf import message, text_format
    from tensorflow.core.framework import graph_pb2

    graph_def = graph_pb2.GraphDef()
    try:
        if fmt == "pbtxt":
            text_format.Parse(path.read_text(encoding="utf-8"), graph_def)
        else:
            graph_def.ParseFromString(path.read_bytes())
    except (message.DecodeError, text_format.ParseError, UnicodeDecodeError) as exc:
        raise ModelError(f"{path}: not a {'text' if fmt == 'pbtxt' else 'binary'} GraphDef ({exc})") from None
    if not graph_def.node:
        raise ModelError(f"{path}: the GraphDef has no nodes")
    return graph_def


def _apply_input_shapes(graph_def, shapes: Dict[str, List[int]]) -> None:
    """Override Placeholder shapes: the `shape` attr TF reads, and `_output_shapes` if present."""
    from tensorflow.core.framework import tensor_shape_pb2

    by_name = {node.name: node for node in graph_def.node}
    for name, dims in shapes.items():
        node = by_name.get(name)
        if node is None or node.op != "Placeholder":
            raise ModelError(f"--input-shape names {name!r}, which is not a Placeholder of the graph")
        proto = tensor_shape_pb2.TensorShapeProto(dim=[tensor_shape_pb2.TensorShapeProto.Dim(size=d) for d in dims])
        node.attr["shape"].shape.CopyFrom(proto)
        if "_output_shapes" in node.attr:
            del node.attr["_output_shapes"].list.shape[:]
            node.attr["_output_shapes"].list.shape.add().CopyFrom(proto)


def _place_on_gpu(graph_def) -> None:
    for node in graph_def.node:
        if not node.device:
            node.device = GPU_DEVICE


def default_fetches(graph_def, graph) -> List[str]:
    """Sinks: nodes no other node consumes (data or control) that produce a tensor, minus Const/Placeholder."""
    consumed = set()
    for node in graph_def.node:
        for ref in node.input:
            consumed.add(ref.lstrip("^").split(":")[0])
    return [node.name for node in graph_def.node
            if node.name not in consumed and node.op not in ("Const", "Placeholder")
            and graph.get_operation_by_name(node.name).outputs]


def _train_op_collection(names: List[str]):
    from tensorflow.core.protobuf import meta_graph_pb2

    collection = meta_graph_pb2.CollectionDef()
    collection.node_list.value.extend(names)
    return collection


def prepare_graph_def(path: Path, fmt: str, request: Request) -> PreparedModel:
    import tensorflow as tf
    from tensorflow.python.training import saver

    graph_def = _read_graph_def(path, fmt)
    _apply_input_shapes(graph_def, request.input_shapes)
    if request.layout_gpu:
        _place_on_gpu(graph_def)
    graph = tf.Graph()
    try:
        with graph.as_default():
            tf.compat.v1.import_graph_def(graph_def, name="")
    except Exception as exc:  # noqa: BLE001 - TF raises many types for unimportable graphs
        raise ModelError(f"{path}: TensorFlow cannot import the graph: {_first_line(exc)}") from None
    names = {node.name for node in graph_def.node}
    missing = [name for name in request.outputs if name.split(":")[0] not in names]
    if missing:
        raise ModelError(f"{path}: --output names no node of the graph: {', '.join(missing)}")
    outputs = [name.split(":")[0] for name in request.outputs] or default_fetches(graph_def, graph)
    inputs = [node.name for node in graph_def.node if node.op == "Placeholder"]
    meta_graph = saver.export_meta_graph(graph_def=graph.as_graph_def(add_shapes=True), graph=graph)
    # TrtGraphConverter puts the fetch nodes (its nodes_denylist) in "train_op"; Placeholders that
    # no output needs are pruned, as they would be there.
    meta_graph.collection_def["train_op"].CopyFrom(_train_op_collection(outputs))
    return PreparedModel(meta_graph=meta_graph, format=fmt, inputs=inputs, outputs=outputs)


def _tags(request: Request) -> List[str]:
    return [tag for tag in request.tags.split(",") if tag]


def prepare_saved_model_v2(path: Path, request: Request) -> PreparedModel:
    import tensorflow as tf
    from tensorflow.python.framework import convert_to_constants
    from tensorflow.python.training import saver

    try:
        loaded = tf.saved_model.load(str(path), tags=_tags(request))
    except Exception as exc:  # noqa: BLE001
        raise ModelError(f"{path}: TensorFlow cannot load the SavedModel: {_first_line(exc)}") from None
    signatures = getattr(loaded, "signatures", {})
    if request.signature not in signatures:
        raise ModelError(f"{path}: no signature {request.signature!r} (has: {', '.join(sorted(signatures)) or 'none'})")
    function = signatures[request.signature]
    try:
        frozen = convert_to_constants.convert_variables_to_constants_v2(function)
    except Exception as exc:  # noqa: BLE001
        raise ModelError(f"{path}: freezing signature {request.signature!r} failed: {_first_line(exc)}") from None
    graph_def = frozen.graph.as_graph_def()
    for node in graph_def.node:          # TrtGraphConverterV2 clears prior device assignments
        node.device = ""
    _apply_input_shapes(graph_def, request.input_shapes)
    if request.layout_gpu:
        _place_on_gpu(graph_def)
    meta_graph = saver.export_meta_graph(graph_def=graph_def, graph=frozen.graph)
    tensors = [t.name for t in list(frozen.inputs) + list(frozen.outputs)]
    meta_graph.collection_def["train_op"].CopyFrom(_train_op_collection(tensors))
    inputs = [t.name.split(":")[0] for t in frozen.inputs]
    outputs = list(dict.fromkeys(t.name.split(":")[0] for t in frozen.outputs))
    return PreparedModel(meta_graph=meta_graph, format="saved_model", inputs=inputs, outputs=outputs,
                         converter="TrtGraphConverterV2")


def _collections_to_keep(keys) -> List[str]:
    # TrtGraphConverter drops the variable collections and those naming ops that freezing removes.
    from tensorflow.python.framework import ops

    dropped = set(ops.GraphKeys._VARIABLE_COLLECTIONS) | {
        ops.GraphKeys.TRAIN_OP, ops.GraphKeys.WHILE_CONTEXT, ops.GraphKeys.COND_CONTEXT}
    return [key for key in keys if key not in dropped]


def prepare_saved_model_v1(path: Path, request: Request) -> PreparedModel:
    import tensorflow as tf
    from tensorflow.core.protobuf import meta_graph_pb2
    from tensorflow.python.framework import convert_to_constants

    graph = tf.Graph()
    try:
        with tf.compat.v1.Session(graph=graph) as session:
            loaded = tf.compat.v1.saved_model.loader.load(session, _tags(request), str(path))
            if request.signature not in loaded.signature_def:
                raise ModelError(f"{path}: no signature {request.signature!r} "
                                 f"(has: {', '.join(sorted(loaded.signature_def)) or 'none'})")
            signature = loaded.signature_def[request.signature]
            inputs = list(dict.fromkeys(t.name.split(":")[0] for t in signature.inputs.values()))
            outputs = list(dict.fromkeys(t.name.split(":")[0] for t in signature.outputs.values()))
            keep = set(inputs) | set(outputs)
            kept_collections = _collections_to_keep(loaded.collection_def)
            for key in kept_collections:
                for item in graph.get_collection(key):
                    if isinstance(item, tf.Operation):
                        keep.add(item.name.split(":")[0])
            frozen = convert_to_constants.convert_variables_to_constants(
                session, session.graph.as_graph_def(add_shapes=True), sorted(keep))
    except ModelError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise ModelError(f"{path}: TensorFlow cannot load and freeze the SavedModel: {_first_line(exc)}") from None
    if request.layout_gpu:
        _place_on_gpu(frozen)
    _apply_input_shapes(frozen, request.input_shapes)
    meta_graph = meta_graph_pb2.MetaGraphDef()
    meta_graph.graph_def.CopyFrom(frozen)
    for key in kept_collections:
        meta_graph.collection_def[key].CopyFrom(loaded.collection_def[key])
    meta_graph.meta_info_def.CopyFrom(loaded.meta_info_def)
    meta_graph.signature_def[request.signature].CopyFrom(signature)
    return PreparedModel(meta_graph=meta_graph, format="saved_model", inputs=inputs, outputs=outputs,
                         converter="TrtGraphConverter")


def prepare_saved_model(path: Path, request: Request) -> PreparedModel:
    if request.outputs:
        raise ModelError(f"{path}: --output does not apply to a SavedModel (its signature names the outputs)")
    if request.saved_model_converter == "v1":
        return prepare_saved_model_v1(path, request)
    try:
        return prepare_saved_model_v2(path, request)
    except ModelError as v2_failure:
        if request.saved_model_converter == "v2":
            raise
        try:
            model = prepare_saved_model_v1(path, request)
        except ModelError as v1_failure:
            raise ModelError(f"{v2_failure} (TF1 API: {str(v1_failure).split(': ', 1)[-1]})") from None
        model.notes.append(f"TrtGraphConverterV2's preparation failed ({str(v2_failure).split(': ', 1)[-1]}); "
                           f"prepared as TF1's TrtGraphConverter does")
        return model


def prepare(request: Request) -> PreparedModel:
    path = Path(os.path.expanduser(request.model))
    fmt = detect_format(path)
    if fmt == "saved_model":
        return prepare_saved_model(path, request)
    return prepare_graph_def(path, fmt, request)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__
