"""trtlint's loader against TensorFlow's own reading of the same files.

trtlint reads GraphDefs and SavedModels with a protobuf schema of its own and never
imports TensorFlow; these tests are where TensorFlow gets a say.  For every fixture and
every corpus graph:

* GraphDefs (.pb, .pbtxt): node names in file order, op types, data inputs
  (``name:index``), control inputs, every attribute decoded (types, shapes, lists,
  tensors' dtype, shape and values when small, functions) -- compared with TensorFlow's
  parse of the file and with the graph ``tf.compat.v1.import_graph_def`` builds from it
  (which also fills in attribute defaults), and each Placeholder's dtype and shape as
  the import sees them.  A graph TensorFlow cannot import (ops it does not know) is
  compared with its parse plus the defaults of the ops TensorFlow knows.
* SavedModels: every node of the MetaGraph and of every library function, decoded;
  then each signature's graph against the one TF-TRT 2.x starts from:
  ``convert_variables_to_constants_v2(loaded.signatures[key])`` -- node names, order,
  ops, data and control inputs, dtypes of the rewritten variable readers, inputs and
  outputs.  Where TensorFlow's freezing fails on a TF1 SavedModel (hash tables, reference
  variables), the TF1 way is the reference: session load and
  ``convert_variables_to_constants``.

``convert_variables_to_constants_v2`` lowers functional While/If/Case
(``_lower_using_switch_merge``) into Switch/Merge control flow, and so does trtlint:
the lowered nodes are compared like any other, with the attrs the lowering sets.
Where a loop makes TensorFlow's final prune copy (``lift_to_graph``) choose by memory
address -- which node of a cycle to copy first, in which order to walk a node's control
inputs -- the reference run makes that choice deterministic (:func:`deterministic_lift`:
the first-created node, control inputs by name), the rule trtlint follows; then the
graphs must be the same node for node and in order.

Run as a script for the conformance table::

    .venv/bin/python tests/test_loader_vs_tf.py
"""

from __future__ import annotations

import math
import os
import re
import sys
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import pytest
from shared_data import CORPUS_MODELS

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
CORPUS = CORPUS_MODELS

pytestmark = pytest.mark.tensorflow

#: tensors up to this many elements have their values compared
VALUE_LIMIT = 4096
#: functional control flow TensorFlow lowers while freezing a signature
LOWERED_OPS = frozenset({"While", "StatelessWhile", "If", "StatelessIf", "Case", "StatelessCase"})
#: lift_to_graph's stand-ins for loop back edges, left behind unconnected
UNUSED_LOOP_INPUT = re.compile(r"unused_control_flow_input(_\d+)?")
#: attrs the lowering sets (besides the T/dtype every rewritten node is checked for)
LOWERING_ATTRS = ("frame_name", "is_constant", "parallel_iterations", "N", "num_outs")


# -- which files -----------------------------------------------------------------------------
def _roots() -> list[tuple[str, Path]]:
    return [(label, root) for label, root in (("fixtures", FIXTURES), ("corpus", CORPUS))
            if root.is_dir()]


def graph_files() -> list[tuple[str, Path]]:
    """Every GraphDef file (.pb, .pbtxt) of the fixtures and the corpus."""
    cases = []
    for label, root in _roots():
        saved = {p.parent for p in root.rglob("saved_model.pb")}
        for p in sorted(list(root.rglob("*.pb")) + list(root.rglob("*.pbtxt"))):
            rel = p.relative_to(root)
            if rel.parts[0] == "gen" or any(d in saved for d in p.parents):
                continue
            cases.append((f"{label}/{rel}", p))
    return cases


def saved_model_dirs() -> list[tuple[str, Path]]:
    cases = []
    for label, root in _roots():
        for pb in sorted(root.rglob("saved_model.pb")):
            cases.append((f"{label}/{pb.parent.relative_to(root)}", pb.parent))
    return cases


GRAPHS = graph_files()
SAVED_MODELS = saved_model_dirs()


# -- TensorFlow's side -----------------------------------------------------------------------
def tensorflow():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")
    return tf


def tf_graph_def(path: Path):
    """TensorFlow's parse of a GraphDef file (binary or text)."""
    tf = tensorflow()
    from google.protobuf import text_format

    gd = tf.compat.v1.GraphDef()
    if path.suffix == ".pbtxt":
        text_format.Parse(path.read_text(encoding="utf-8"), gd)
    else:
        gd.ParseFromString(path.read_bytes())
    return gd


def tf_import(graph_def):
    """(tf.Graph, None) or (None, the error TensorFlow's importer raised)."""
    tf = tensorflow()
    graph = tf.Graph()
    try:
        with graph.as_default():
            tf.compat.v1.import_graph_def(graph_def, name="")
    except Exception as exc:  # noqa: BLE001 - TensorFlow's reason is the result
        return None, f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}"
    return graph, None


def with_registry_defaults(node_def) -> dict:
    """A NodeDef's attrs plus the defaults of its op in TensorFlow's registry (what the
    importer adds), for graphs TensorFlow cannot import as a whole."""
    from tensorflow.python.framework import op_def_registry

    attrs = dict(node_def.attr)
    op_def = op_def_registry.get(node_def.op)
    if op_def is not None:
        for a in op_def.attr:
            if a.name not in attrs and a.HasField("default_value"):
                attrs[a.name] = a.default_value
    return attrs


def _dtype_name(enum: int) -> str:
    tf = tensorflow()
    try:
        return tf.dtypes.as_dtype(enum).name
    except TypeError:
        return f"dtype_{enum}"


def _tf_shape(proto) -> Optional[tuple]:
    tf = tensorflow()
    shape = tf.TensorShape(proto)
    if shape.rank is None:
        return None
    return tuple(-1 if d is None else d for d in shape.as_list())


def _scalar(v):
    # quantized dtypes come back from NumPy as one-field records
    return v[0] if isinstance(v, tuple) and len(v) == 1 else v


def tf_tensor(proto) -> tuple:
    """("tensor", dtype, shape, values or None) as TensorFlow decodes a TensorProto."""
    tf = tensorflow()
    shape = _tf_shape(proto.tensor_shape)
    values = None
    n = None if shape is None or any(d < 0 for d in shape) else math.prod(shape)
    if n is not None and n <= VALUE_LIMIT:
        try:
            values = [_scalar(v) for v in tf.make_ndarray(proto).ravel().tolist()]
        except Exception:  # noqa: BLE001 - resource/variant/unsupported: no values to compare
            values = None
    return ("tensor", _dtype_name(proto.dtype), shape, values)


def tf_attr(av) -> Any:
    """An AttrValue as TensorFlow's Python API reads it, in trtlint's vocabulary."""
    kind = av.WhichOneof("value")
    if kind is None:
        return None
    if kind == "s":
        return av.s.decode("utf-8", "replace")
    if kind in ("i", "f", "b"):
        return getattr(av, kind)
    if kind == "type":
        return _dtype_name(av.type)
    if kind == "shape":
        return _tf_shape(av.shape)
    if kind == "tensor":
        return tf_tensor(av.tensor)
    if kind == "func":
        return ("func", av.func.name, {k: tf_attr(v) for k, v in av.func.attr.items()})
    if kind == "placeholder":
        return ("placeholder", av.placeholder)
    lst = av.list
    for name in ("s", "i", "f", "b", "type", "shape", "tensor", "func"):
        values = list(getattr(lst, name))
        if not values:
            continue
        if name == "s":
            return [v.decode("utf-8", "replace") for v in values]
        if name == "type":
            return [_dtype_name(v) for v in values]
        if name == "shape":
            return [_tf_shape(v) for v in values]
        if name == "tensor":
            return [tf_tensor(v) for v in values]
        if name == "func":
            return [("func", f.name, {k: tf_attr(v) for k, v in f.attr.items()}) for f in values]
        return values
    return []


# -- our side, in the same vocabulary ----------------------------------------------------------
def our_attr(value) -> Any:
    from trtlint.graph.attrs import FuncRef, Placeholder
    from trtlint.graph.tensors import TensorValue

    if isinstance(value, TensorValue):
        return ("tensor", value.dtype, value.shape, value.values(limit=VALUE_LIMIT))
    if isinstance(value, FuncRef):
        return ("func", value.name, {k: our_attr(v) for k, v in value.attrs.items()})
    if isinstance(value, Placeholder):
        return ("placeholder", value.name)
    if isinstance(value, list):
        return [our_attr(v) for v in value]
    return value


def differences(ours: Any, theirs: Any, where: str) -> list[str]:
    """Where two decoded values differ (types matter: a shape is a tuple, a list a list;
    NaN equals NaN; a tensor whose values only TensorFlow decodes is a difference)."""
    if isinstance(theirs, tuple) and theirs[:1] == ("tensor",):
        if not (isinstance(ours, tuple) and ours[:1] == ("tensor",)):
            return [f"{where}: ours {ours!r}, TensorFlow a tensor"]
        out = []
        if ours[1] != theirs[1]:
            out.append(f"{where}: dtype ours {ours[1]}, TensorFlow {theirs[1]}")
        if ours[2] != theirs[2]:
            out.append(f"{where}: shape ours {ours[2]}, TensorFlow {theirs[2]}")
        if theirs[3] is not None and ours[3] is None and theirs[1] not in _UNDECODED:
            out.append(f"{where}: TensorFlow decodes the {theirs[1]} values, we do not")
        elif theirs[3] is not None and ours[3] is not None:
            out += differences(ours[3], theirs[3], where + ".values")
        return out
    if isinstance(theirs, dict):
        if not isinstance(ours, dict):
            return [f"{where}: ours {type(ours).__name__}, TensorFlow a dict"]
        out = [f"{where}[{k}]: only TensorFlow has it" for k in sorted(set(theirs) - set(ours))]
        out += [f"{where}[{k}]: only we have it" for k in sorted(set(ours) - set(theirs))]
        for k in sorted(set(ours) & set(theirs)):
            out += differences(ours[k], theirs[k], f"{where}[{k}]")
        return out
    if isinstance(theirs, (list, tuple)):
        if type(ours) is not type(theirs) or len(ours) != len(theirs):
            return [f"{where}: ours {_short(ours)}, TensorFlow {_short(theirs)}"]
        out = []
        for i, (a, b) in enumerate(zip(ours, theirs)):
            out += differences(a, b, f"{where}[{i}]")
            if len(out) > 3:
                break
        return out
    if isinstance(theirs, float) and isinstance(ours, float) and math.isnan(theirs):
        return [] if math.isnan(ours) else [f"{where}: ours {ours}, TensorFlow nan"]
    if type(ours) is not type(theirs) or ours != theirs:
        return [f"{where}: ours {_short(ours)}, TensorFlow {_short(theirs)}"]
    return []


#: dtypes whose values trtlint does not decode (no arithmetic on them anywhere)
_UNDECODED = frozenset({"complex64", "complex128", "resource", "variant"})


def _short(v) -> str:
    text = repr(v)
    return text if len(text) <= 120 else text[:117] + "..."


def _data_input(text: str) -> str:
    name, sep, idx = text.rpartition(":")
    return text if sep and idx.isdigit() else f"{text}:0"


# -- GraphDefs -------------------------------------------------------------------------------
@dataclass
class Report:
    """What was compared on one model and what differed."""

    case: str
    nodes: int = 0
    attrs: int = 0
    tensors_with_values: int = 0
    placeholders: int = 0
    reference: str = ""
    problems: list = field(default_factory=list)

    def check(self, found: list[str]) -> None:
        self.problems.extend(found)


def compare_graph_file(case: str, path: Path) -> Report:
    from trtlint.load import load_model

    tf_gd = tf_graph_def(path)
    imported, import_error = tf_import(tf_gd)
    model = load_model(path)
    graph = model.graph
    report = Report(case, nodes=len(tf_gd.node),
                    reference="import_graph_def" if imported is not None
                    else f"parse + registry defaults ({import_error})")

    # names and order, ops
    ours_order = [n.name for n in graph]
    theirs_order = [n.name for n in tf_gd.node]
    if ours_order != theirs_order:
        first = next((i for i, (a, b) in enumerate(zip(ours_order, theirs_order)) if a != b),
                     min(len(ours_order), len(theirs_order)))
        report.problems.append(f"node order differs at #{first}: {len(ours_order)} nodes "
                               f"ours, {len(theirs_order)} TensorFlow")
    for nd in tf_gd.node:
        node = graph.get(nd.name)
        if node is None:
            continue
        if node.op != nd.op:
            report.problems.append(f"{nd.name}: op ours {node.op}, TensorFlow {nd.op}")
        if node.device != nd.device:
            report.problems.append(f"{nd.name}: device ours {node.device!r}, TensorFlow "
                                   f"{nd.device!r}")
        # inputs as written in the file
        data = [_data_input(t) for t in nd.input if not t.startswith("^")]
        controls = [t[1:] for t in nd.input if t.startswith("^")]
        if [f"{r.node}:{r.index}" for r in node.inputs] != data:
            report.problems.append(f"{nd.name}: data inputs ours {[str(r) for r in node.inputs]}, "
                                   f"TensorFlow {data}")
        if node.control_inputs != controls:
            report.problems.append(f"{nd.name}: control inputs ours {node.control_inputs}, "
                                   f"TensorFlow {controls}")
        # attrs: the importer's (with defaults) or the parse's plus the registry's defaults
        if imported is not None:
            op = imported.get_operation_by_name(nd.name)
            tf_attrs = dict(op.node_def.attr)
            tf_data = [t.name for t in op.inputs]
            tf_controls = [c.name for c in op.control_inputs]
            if [f"{r.node}:{r.index}" for r in node.inputs] != tf_data:
                report.problems.append(f"{nd.name}: imported data inputs {tf_data}")
            if sorted(node.control_inputs) != sorted(tf_controls):
                report.problems.append(f"{nd.name}: imported control inputs {tf_controls}")
        else:
            tf_attrs = with_registry_defaults(nd)
        theirs = {k: tf_attr(v) for k, v in tf_attrs.items()}
        ours = {k: our_attr(v) for k, v in node.attrs.items()}
        report.attrs += len(theirs)
        report.tensors_with_values += sum(1 for v in theirs.values()
                                          if isinstance(v, tuple) and v[:1] == ("tensor",)
                                          and v[3] is not None)
        report.check(differences(ours, theirs, f"{nd.name}.attrs"))

    # placeholders as the import sees them
    if imported is not None:
        seen = {op.name: (op.outputs[0].dtype.name, _tensor_shape(op.outputs[0]))
                for op in imported.get_operations()
                if op.type in ("Placeholder", "PlaceholderWithDefault")}
    else:
        seen = {nd.name: (_dtype_name(nd.attr["dtype"].type),
                          _placeholder_shape(nd, tf_gd))
                for nd in tf_gd.node if nd.op in ("Placeholder", "PlaceholderWithDefault")}
    ours_inputs = {s.name: (s.dtype, s.shape) for s in model.inputs}
    report.placeholders = len(seen)
    report.check(differences(ours_inputs, seen, "placeholders"))
    return report


def _tensor_shape(tensor) -> Optional[tuple]:
    if tensor.shape.rank is None:
        return None
    return tuple(-1 if d is None else d for d in tensor.shape.as_list())


def _placeholder_shape(nd, graph_def) -> Optional[tuple]:
    """The shape attr as TensorFlow's importer reads it (an empty shape in a GraphDef of
    producer <= 21 means unknown)."""
    if "shape" not in nd.attr:
        return None
    shape = _tf_shape(nd.attr["shape"].shape)
    if shape == () and graph_def.versions.producer <= 21:
        return None
    return shape


@pytest.fixture(scope="module")
def tf_loaded():
    return tensorflow()


def test_there_are_graphs_and_saved_models():
    assert len(GRAPHS) >= 30 and len(SAVED_MODELS) >= 7
    assert {label for label, _ in GRAPHS} >= {"fixtures/graphs/ssd_inception_v2_like.pb",
                                              "corpus/022_speech_commands_train_pbtxt.pbtxt"}


@pytest.mark.parametrize("case,path", GRAPHS, ids=[c for c, _ in GRAPHS])
def test_graph_file_matches_tensorflow(case, path, tf_loaded):
    report = compare_graph_file(case, path)
    assert report.nodes > 0 and report.attrs > 0
    assert not report.problems, f"{case}: {len(report.problems)} differences:\n" + \
        "\n".join(report.problems[:25])


def test_comparison_notices_a_wrong_attr_value(tf_loaded, tmp_path):
    # The comparison itself must be able to fail: flip one stride in a real graph.
    src = FIXTURES / "graphs" / "conv_bn_fused.pb"
    gd = tf_graph_def(src)
    conv = next(n for n in gd.node if n.op == "Conv2D")
    conv.attr["strides"].list.i[1] = 7
    ours_path = tmp_path / "edited.pb"
    ours_path.write_bytes(gd.SerializeToString())
    from trtlint.load import load_model

    node = load_model(ours_path).graph[conv.name]
    original = tf_graph_def(src)
    theirs = {k: tf_attr(v) for k, v in
              next(n for n in original.node if n.name == conv.name).attr.items()}
    found = differences({k: our_attr(v) for k, v in node.attrs.items()
                         if k in theirs}, theirs, conv.name)
    assert found and "strides" in found[0]


def test_an_unimportable_graph_is_still_read_faithfully(tf_loaded):
    # corpus 023 uses DeePMD's custom ops: TensorFlow's importer refuses the graph,
    # trtlint reads it (and must agree with TensorFlow's parse of it).
    path = CORPUS / "023_deepmd_custom_ops_fp64.pb"
    if not path.exists():
        pytest.skip("corpus graph 023 is not here")
    _, error = tf_import(tf_graph_def(path))
    assert error and ("DescrptSeA" in error or "ProdForceSeA" in error)
    report = compare_graph_file("corpus/023", path)
    assert report.reference.startswith("parse") and not report.problems


# -- SavedModels: the MetaGraph and its library, node by node --------------------------------
def compare_saved_model_protos(case: str, directory: Path) -> Report:
    """Every NodeDef of the MetaGraph and of every library function: our decoding against
    TensorFlow's parse of saved_model.pb (plus registry defaults)."""
    from tensorflow.core.protobuf import saved_model_pb2

    from trtlint.graph.model import Node
    from trtlint.load.savedmodel import read_saved_model

    sm_tf = saved_model_pb2.SavedModel()
    sm_tf.ParseFromString((directory / "saved_model.pb").read_bytes())
    sm_ours, _ = read_saved_model(directory)
    report = Report(case, reference="saved_model_pb2 parse + registry defaults")
    for meta_tf, meta_ours in zip(sm_tf.meta_graphs, sm_ours.meta_graphs):
        pairs = [("", meta_tf.graph_def.node, meta_ours.graph_def.node)]
        ours_lib = {f.signature.name: f for f in meta_ours.graph_def.library.function}
        for f in meta_tf.graph_def.library.function:
            mine = ours_lib.get(f.signature.name)
            if mine is None:
                report.problems.append(f"function {f.signature.name}: we do not have it")
                continue
            pairs.append((f.signature.name + ":", f.node_def, mine.node_def))
        for where, tf_nodes, our_nodes in pairs:
            if [n.name for n in tf_nodes] != [n.name for n in our_nodes]:
                report.problems.append(f"{where} node names/order differ")
                continue
            for nd, mine in zip(tf_nodes, our_nodes):
                node = Node.from_proto(mine)
                report.nodes += 1
                if node.op != nd.op:
                    report.problems.append(f"{where}{nd.name}: op ours {node.op}, TF {nd.op}")
                theirs = {k: tf_attr(v) for k, v in with_registry_defaults(nd).items()}
                ours = {k: our_attr(v) for k, v in node.attrs.items()}
                report.attrs += len(theirs)
                report.check(differences(ours, theirs, f"{where}{nd.name}.attrs"))
        sigs_tf = {k: (sorted((i, v.name, v.dtype) for i, v in s.inputs.items()),
                       sorted((o, v.name, v.dtype) for o, v in s.outputs.items()))
                   for k, s in meta_tf.signature_def.items()}
        sigs_ours = {k: (sorted((i, v.name, v.dtype) for i, v in s.inputs.items()),
                         sorted((o, v.name, v.dtype) for o, v in s.outputs.items()))
                     for k, s in meta_ours.signature_def.items()}
        report.check(differences(sigs_ours, sigs_tf, "signatures"))
    return report


@pytest.mark.parametrize("case,directory", SAVED_MODELS, ids=[c for c, _ in SAVED_MODELS])
def test_saved_model_protos_match_tensorflow(case, directory, tf_loaded):
    report = compare_saved_model_protos(case, directory)
    assert report.nodes > 0
    assert not report.problems, f"{case}:\n" + "\n".join(report.problems[:25])


# -- SavedModels: each signature's graph against TensorFlow's frozen signature --------------
def signatures_of(directory: Path) -> list[str]:
    from trtlint.load.savedmodel import _pick_meta_graph, read_saved_model

    sm, where = read_saved_model(directory)
    meta = _pick_meta_graph(sm, None, where)
    return sorted(k for k in meta.signature_def if not k.startswith("__"))


SIGNATURES = [(case, directory, key) for case, directory in SAVED_MODELS
              for key in signatures_of(directory)]


@contextmanager
def deterministic_lift():
    """TensorFlow's prune copy (``lift_to_graph``) with its two address-dependent choices
    fixed: when a loop leaves no node whose consumers were all copied, it takes the one
    created first (TensorFlow: whichever a Python set of ops yields first, by ``id``), and
    it walks a node's control inputs by name (TensorFlow: in the order the C++ edge set
    holds them, by pointer).  On graphs without loops neither choice arises."""
    import types

    from tensorflow.python.eager import lift_to_graph
    from tensorflow.python.ops import op_selector
    from tensorflow.python.util import object_identity

    def created(item):
        return getattr(item, "op", item)._id

    class FirstCreatedSet(set):
        def __iter__(self):
            return iter(sorted(set.__iter__(self), key=created))

    class FirstCreatedIdentitySet(object_identity.ObjectIdentitySet):
        def __iter__(self):
            return iter(sorted(super().__iter__(), key=created))

    def graph_inputs(op):
        return [t.op for t in op.inputs] + sorted(op.control_inputs, key=lambda c: c.name)

    saved = {name: getattr(lift_to_graph, name, None)
             for name in ("set", "object_identity", "op_selector")}
    lift_to_graph.set = FirstCreatedSet
    lift_to_graph.object_identity = types.SimpleNamespace(
        ObjectIdentitySet=FirstCreatedIdentitySet,
        ObjectIdentityDictionary=object_identity.ObjectIdentityDictionary)
    lift_to_graph.op_selector = types.SimpleNamespace(
        graph_inputs=graph_inputs, map_subgraph=op_selector.map_subgraph,
        UnliftableError=op_selector.UnliftableError)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                delattr(lift_to_graph, name)
            else:
                setattr(lift_to_graph, name, value)


def tf_frozen_signature(directory: Path, key: str, tags: list[str], deterministic: bool = True):
    """(GraphDef, input names, output names, how) of the signature the way TF-TRT 2.x
    freezes it (with :func:`deterministic_lift` unless ``deterministic`` is False); the
    TF1 way when TensorFlow's own V2 freezing fails."""
    tf = tensorflow()
    from tensorflow.python.framework.convert_to_constants import (
        convert_variables_to_constants_v2)

    v2_error = None
    try:
        loaded = tf.saved_model.load(str(directory), tags=tags or None)
        with deterministic_lift() if deterministic else nullcontext():
            frozen = convert_variables_to_constants_v2(loaded.signatures[key])
        return (frozen.graph.as_graph_def(), [t.name for t in frozen.inputs],
                [t.name for t in frozen.outputs], "convert_variables_to_constants_v2")
    except Exception as exc:  # noqa: BLE001 - fall back to the TF1 path below
        v2_error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:120]}"
    graph = tf.Graph()
    with graph.as_default(), tf.compat.v1.Session(graph=graph) as session:
        meta = tf.compat.v1.saved_model.loader.load(session, tags, str(directory))
        sig = meta.signature_def[key]
        # As TF1's TrtGraphConverter freezes: the signature's nodes plus the operations
        # of the collections it keeps (table initializers, legacy_init_op / main_op).
        dropped = set(tf.compat.v1.GraphKeys._VARIABLE_COLLECTIONS) | {
            "train_op", "while_context", "cond_context"}
        outputs = {t.name.split(":")[0] for t in [*sig.inputs.values(), *sig.outputs.values()]}
        outputs |= {item.name for k in meta.collection_def if k not in dropped
                    for item in graph.get_collection(k) if isinstance(item, tf.Operation)}
        gd = tf.compat.v1.graph_util.convert_variables_to_constants(
            session, graph.as_graph_def(), sorted(outputs))
    return (gd, sorted(t.name for t in sig.inputs.values()),
            sorted(t.name for t in sig.outputs.values()),
            f"TF1 TrtGraphConverter's convert_variables_to_constants (V2 freezing fails: {v2_error})")


def compare_signature(case: str, directory: Path, key: str) -> Report:
    from trtlint.load import load_model

    model = load_model(directory, signature=key)
    gd, tf_inputs, tf_outputs, how = tf_frozen_signature(directory, key, model.tags)
    report = Report(f"{case}[{key}]", nodes=len(gd.node), reference=how)
    graph = model.graph
    theirs = {n.name: n for n in gd.node}

    tf_names = [n.name for n in gd.node]
    our_names = [n.name for n in graph]
    if set(tf_names) != set(our_names):
        only_tf = sorted(set(tf_names) - set(our_names))
        only_ours = sorted(set(our_names) - set(tf_names))
        report.problems.append(f"node sets differ: only TensorFlow {only_tf[:8]} "
                               f"({len(only_tf)}), only ours {only_ours[:8]} ({len(only_ours)})")
    elif tf_names != our_names and "v2" in how:
        first = next(i for i, (a, b) in enumerate(zip(our_names, tf_names)) if a != b)
        report.problems.append(f"node order differs at #{first}: ours {our_names[first]}, "
                               f"TensorFlow {tf_names[first]}")
    for name in our_names:
        nd = theirs.get(name)
        if nd is None:
            continue
        node = graph[name]
        if node.op != nd.op:
            report.problems.append(f"{name}: op ours {node.op}, TensorFlow {nd.op}")
        data = [_data_input(t) for t in nd.input if not t.startswith("^")]
        controls = sorted({t[1:] for t in nd.input if t.startswith("^")})
        ours_data = [f"{r.node}:{r.index}" for r in node.inputs]
        ours_controls = sorted(set(node.control_inputs))
        if ours_data != data:
            report.problems.append(f"{name}: data inputs ours {ours_data}, TensorFlow {data}")
        if ours_controls != controls:
            report.problems.append(f"{name}: control inputs ours {ours_controls}, "
                                   f"TensorFlow {controls}")
        # the types the variable freezing rewrites, and what the lowering sets
        for attr in ("T", "dtype") + LOWERING_ATTRS:
            if attr in nd.attr and nd.attr[attr].WhichOneof("value") in ("type", "s", "i", "b"):
                report.check(differences(node.attrs.get(attr), tf_attr(nd.attr[attr]),
                                         f"{name}.{attr}"))
    # inputs and outputs
    tf_placeholders = {n.name: (_dtype_name(n.attr["dtype"].type), _tf_shape(n.attr["shape"].shape)
                                if "shape" in n.attr else None)
                       for n in gd.node if n.op == "Placeholder"}
    ours_in = {s.name: (s.dtype, s.shape) for s in model.inputs}
    fed = {t.partition(":")[0] for t in tf_inputs}
    report.check(differences(ours_in, {k: v for k, v in tf_placeholders.items() if k in fed},
                             "inputs"))
    report.placeholders = len(ours_in)
    report.check(differences(sorted(s.tensor for s in model.outputs),
                             sorted(_data_input(t) for t in tf_outputs), "outputs"))
    return report


@pytest.mark.parametrize("case,directory,key", SIGNATURES,
                         ids=[f"{c}[{k}]" for c, _, k in SIGNATURES])
def test_saved_model_signature_matches_tensorflow_freezing(case, directory, key, tf_loaded):
    from tensorflow.python.framework import op_def_registry

    from trtlint.load import load_model

    model = load_model(directory, signature=key)
    unknown = sorted({n.op for n in model.graph if op_def_registry.get(n.op) is None
                      and n.op not in model.graph.library})
    if unknown:
        # TensorFlow cannot load it at all; we can, and say which ops it lacks.
        with pytest.raises(Exception, match="|".join(unknown)):
            tf_frozen_signature(directory, key, model.tags)
        return
    report = compare_signature(case, directory, key)
    assert report.nodes > 0
    assert not report.problems, f"{report.case} vs {report.reference}:\n" + \
        "\n".join(report.problems[:25])


def test_tf2_signatures_match_node_for_node_and_in_order(tf_loaded):
    # The Keras and TF Serving SavedModels have no control flow: TensorFlow's frozen
    # signature and ours must be the same list of nodes, Func/... forwarders included.
    for directory in (FIXTURES / "saved_models" / "keras_conv_classifier",
                      CORPUS / "004_tfserving_half_plus_two_tf2"):
        if not directory.exists():
            continue
        report = compare_signature(directory.name, directory, "serving_default")
        assert "v2" in report.reference and not report.problems
        from trtlint.load import load_model

        names = [n.name for n in load_model(directory).graph]
        assert any(n.startswith("Func/StatefulPartitionedCall/input/_") for n in names)
        assert "StatefulPartitionedCall" not in names


def test_functional_while_is_lowered_as_tensorflow_lowers_it(tf_loaded):
    # TensorFlow turns the While into a TF1 frame and inlines cond and body; so do we,
    # node for node and in order (lift_to_graph's stand-ins for the back edges included).
    directory = FIXTURES / "saved_models" / "tf2_module_while"
    report = compare_signature("tf2_module_while", directory, "serving_default")
    assert "v2" in report.reference and not report.problems
    from trtlint.load import load_model

    graph = load_model(directory).graph
    ops = graph.op_histogram()
    assert not LOWERED_OPS & set(ops)
    assert ops["Enter"] == 8 and ops["Merge"] == ops["Switch"] == ops["Exit"] == 5
    assert ops["NextIteration"] == 5 and ops["LoopCond"] == 1
    assert any(UNUSED_LOOP_INPUT.fullmatch(n.name) for n in graph)
    assert graph["StatefulPartitionedCall/while/enter/_12"].attrs["frame_name"] == \
        "StatefulPartitionedCall/while"


def _without_lowering(directory: Path, into: Path) -> Path:
    """A copy of a SavedModel whose functional control flow asks not to be lowered
    (``_lower_using_switch_merge`` false everywhere, as ``lower_control_flow=False``
    makes it before TensorFlow freezes)."""
    import shutil

    from tensorflow.core.protobuf import saved_model_pb2

    shutil.copytree(directory, into)
    sm = saved_model_pb2.SavedModel()
    sm.ParseFromString((into / "saved_model.pb").read_bytes())
    for meta in sm.meta_graphs:
        nodes = list(meta.graph_def.node)
        for f in meta.graph_def.library.function:
            nodes += list(f.node_def)
        for nd in nodes:
            if nd.op in LOWERED_OPS:
                nd.attr["_lower_using_switch_merge"].b = False
    (into / "saved_model.pb").write_bytes(sm.SerializeToString())
    return into


def test_functional_while_that_asks_not_to_be_lowered_freezes_like_tensorflow(tf_loaded,
                                                                             tmp_path):
    # A While whose _lower_using_switch_merge is false stays a While, in TensorFlow and
    # here; then the frozen variables reach into the loop the same way (the While's T
    # and output_shapes, the body's and cond's argument types, the ReadVariableOps inside
    # the body turned into Identity).
    from trtlint.graph.attrs import FuncRef
    from trtlint.load import load_model

    directory = _without_lowering(FIXTURES / "saved_models" / "tf2_module_while",
                                  tmp_path / "tf2_module_while")
    report = compare_signature("tf2_module_while (not lowered)", directory, "serving_default")
    assert "v2" in report.reference and not report.problems
    gd = tf_frozen_signature(directory, "serving_default", ["serve"])[0]
    graph = load_model(directory).graph
    assert [n.name for n in gd.node] == [n.name for n in graph]
    tf_while = next(n for n in gd.node if n.op in ("While", "StatelessWhile"))
    ours = graph[tf_while.name]
    assert ours.attrs["T"] == tf_attr(tf_while.attr["T"])
    assert ours.attrs["output_shapes"] == tf_attr(tf_while.attr["output_shapes"])
    library = {f.signature.name: f for f in gd.library.function}
    for role in ("body", "cond"):
        theirs, mine = library[tf_while.attr[role].func.name], graph.library[ours.attrs[role].name]
        assert isinstance(ours.attrs[role], FuncRef) and "_frozen_" in mine.signature.name
        for part in ("input_arg", "output_arg"):
            assert [a.type for a in getattr(mine.signature, part)] == \
                [a.type for a in getattr(theirs.signature, part)], (role, part)
        # TensorFlow's grappler also inlines the calls inside library functions (the
        # caller stays as a NoOp); we inline them when a body is inlined or inferred.
        ops_theirs = {n.name: n.op for n in theirs.node_def}
        ops_mine = {n.name: n.op for n in mine.node_def
                    if n.op not in ("StatefulPartitionedCall", "PartitionedCall")}
        assert ops_mine == {k: v for k, v in ops_theirs.items() if k in ops_mine}, role
        assert "ReadVariableOp" not in ops_mine.values() or role == "cond"


# -- the table ---------------------------------------------------------------------------------
def conformance_table() -> str:
    rows = []
    for case, path in GRAPHS:
        rows.append(compare_graph_file(case, path))
    for case, directory in SAVED_MODELS:
        rows.append(compare_saved_model_protos(case + " (protos)", directory))
    for case, directory, key in SIGNATURES:
        try:
            rows.append(compare_signature(case, directory, key))
        except Exception as exc:  # noqa: BLE001 - a row saying why
            rows.append(Report(f"{case}[{key}]", reference=f"TensorFlow fails: "
                               f"{type(exc).__name__}: {str(exc).splitlines()[0][:60]}"))
    width = max(len(r.case) for r in rows)
    lines = [f"{'model':<{width}}  nodes  attrs  values  phs  diffs  reference"]
    for r in rows:
        lines.append(f"{r.case:<{width}}  {r.nodes:>5}  {r.attrs:>5}  {r.tensors_with_values:>6}  "
                     f"{r.placeholders:>3}  {len(r.problems):>5}  "
                     f"{r.reference}")
        lines += [f"    {p}" for p in r.problems[:5]]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    print(conformance_table())
