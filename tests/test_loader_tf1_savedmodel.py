"""TF1 SavedModels: trtlint's graph against the one TF-TRT 2.17 really receives.

TF 2.17 converts a TF1 SavedModel with TrtGraphConverterV2 when it can (the signature's
pruned function, frozen by ``convert_variables_to_constants_v2``), and otherwise with
TF1's TrtGraphConverter, whose freezing keeps the table initializers and init ops (see
trtlint/load/tf1_savedmodel.py).  These tests let TensorFlow decide, on the two corpus
Estimator exports, TF Serving's counter and SavedModels built here with
``tf.compat.v1``:

* which converter prepares the signature: TensorFlow's V2 freezing fails exactly when
  trtlint says TF-TRT goes through TrtGraphConverter;
* the graph: what TrtGraphConverter's freezing yields (``convert_variables_to_constants``
  of the signature's nodes and the operations of the kept collections) -- node names, ops,
  data and control inputs, node order -- and, for a model without tables, what the V2
  freezing yields;
* what grappler preserves: the collection nodes (``group_deps``, the table initializers)
  are among trtlint's fetch names, exactly those of the frozen graph that TensorFlow's
  MetaGraph lists in node-list collections;
* and, with the TF-TRT oracle, that ``trtlint analyze`` then agrees with TF-TRT 2.17 on
  the built models: engines and the unconverted-op report.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from shared_data import CORPUS_MODELS

REPO = Path(__file__).resolve().parent.parent
CORPUS = CORPUS_MODELS
GUESSLANG = CORPUS / "017_guesslang_estimator_savedmodel"
TAXI = CORPUS / "027_tfx_taxi_estimator_savedmodel"
COUNTER = CORPUS / "005_tfserving_counter_stateful"

#: collections TrtGraphConverter drops (_collections_to_keep), besides the variable ones
NON_VARIABLE_DROPPED = ("train_op", "while_context", "cond_context")


def tensorflow():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf
    from tensorflow.python.util import deprecation

    tf.get_logger().setLevel("ERROR")
    deprecation._PRINT_DEPRECATION_WARNINGS = False
    return tf


# -- SavedModels built with tf.compat.v1 ---------------------------------------------------------
def build_tf1_saved_model(path: Path, *, table: bool, resource: bool = True,
                          init: str = "main_op") -> Path:
    """A small TF1 classifier: x -> MatMul/BiasAdd -> Relu ("probs"), and with ``table``
    an argmax looked up in a StaticHashTable ("classes").  ``init`` says how the table is
    initialized at load time: ``main_op`` (saved_model.main_op(): global and local
    variables and tables) or ``legacy_init_op`` (a group of the table initializers)."""
    tf = tensorflow()
    v1 = tf.compat.v1
    graph = tf.Graph()
    with graph.as_default():
        x = v1.placeholder(tf.float32, [None, 4], name="x")
        # Weights no grappler pass can fold away (a zero bias or a unit scale would be:
        # TensorFlow folds them from the frozen values, which trtlint does not read).
        w = v1.get_variable("w", [4, 3], initializer=v1.constant_initializer(0.5),
                            use_resource=resource)
        b = v1.get_variable("b", [3], initializer=v1.constant_initializer(0.25),
                            use_resource=resource)
        logits = tf.nn.bias_add(tf.matmul(x, w), b, name="logits")
        outputs = {"probs": tf.nn.relu(logits, name="probs")}
        init_kwargs = {}
        if table:
            classes = v1.lookup.StaticHashTable(
                v1.lookup.KeyValueTensorInitializer(tf.constant([0, 1, 2], tf.int64),
                                                    tf.constant(["cat", "dog", "eel"])),
                "?", name="classes")
            outputs["classes"] = classes.lookup(tf.argmax(logits, 1), name="class_name")
            if init == "main_op":
                init_kwargs["main_op"] = v1.saved_model.main_op.main_op()
            else:
                init_kwargs["legacy_init_op"] = tf.group(v1.tables_initializer(),
                                                         name="legacy_init_op")
        with v1.Session(graph=graph) as session:
            session.run(v1.global_variables_initializer())
            session.run(v1.tables_initializer())
            builder = v1.saved_model.Builder(str(path))
            signature = v1.saved_model.predict_signature_def({"x": x}, outputs)
            builder.add_meta_graph_and_variables(
                session, ["serve"], signature_def_map={"serving_default": signature},
                **init_kwargs)
            builder.save()
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("tf1_saved_models")
    return {
        "table_main_op": build_tf1_saved_model(root / "table_main_op", table=True),
        "table_legacy_init_op": build_tf1_saved_model(root / "table_legacy_init_op", table=True,
                                                      init="legacy_init_op"),
        "table_ref_variables": build_tf1_saved_model(root / "table_ref_variables", table=True,
                                                     resource=False, init="legacy_init_op"),
        "no_table": build_tf1_saved_model(root / "no_table", table=False),
        "no_table_ref_variables": build_tf1_saved_model(root / "no_table_ref_variables",
                                                        table=False, resource=False),
    }


# -- TensorFlow's side ---------------------------------------------------------------------------
def tf_v2_failure(directory: Path, key: str):
    """None when TrtGraphConverterV2's preparation (load, take the signature, freeze with
    convert_variables_to_constants_v2) works, else TensorFlow's error message."""
    tf = tensorflow()
    from tensorflow.python.framework.convert_to_constants import (
        convert_variables_to_constants_v2)

    try:
        loaded = tf.saved_model.load(str(directory), tags=["serve"])
        convert_variables_to_constants_v2(loaded.signatures[key])
    except Exception as exc:  # noqa: BLE001 - any failure sends TF-TRT users to the TF1 API
        return str(exc).splitlines()[0]
    return None


def tf_v2_frozen(directory: Path, key: str):
    tf = tensorflow()
    from tensorflow.python.framework.convert_to_constants import (
        convert_variables_to_constants_v2)

    loaded = tf.saved_model.load(str(directory), tags=["serve"])
    return convert_variables_to_constants_v2(loaded.signatures[key]).graph.as_graph_def()


def tf_trt_graph_converter_frozen(directory: Path, key: str):
    """(GraphDef, {collection: node-list values}) as TF 2.17's
    ``TrtGraphConverter._convert_saved_model`` prepares the SavedModel: Session load,
    then ``convert_variables_to_constants`` of the signature's input and output nodes and
    of every Operation in the collections it keeps, on ``as_graph_def(add_shapes=True)``."""
    tf = tensorflow()
    from tensorflow.python.framework import convert_to_constants

    dropped = set(tf.compat.v1.GraphKeys._VARIABLE_COLLECTIONS) | set(NON_VARIABLE_DROPPED)
    graph = tf.Graph()
    with tf.compat.v1.Session(graph=graph) as session:
        meta = tf.compat.v1.saved_model.loader.load(session, ["serve"], str(directory))
        sig = meta.signature_def[key]
        keep = {t.name.split(":")[0] for t in [*sig.inputs.values(), *sig.outputs.values()]}
        kept = [k for k in meta.collection_def if k not in dropped]
        for k in kept:
            keep |= {item.name for item in graph.get_collection(k)
                     if isinstance(item, tf.Operation)}
        frozen = convert_to_constants.convert_variables_to_constants(
            session, session.graph.as_graph_def(add_shapes=True), sorted(keep))
    node_lists = {k: list(meta.collection_def[k].node_list.value) for k in kept
                  if meta.collection_def[k].HasField("node_list")}
    return frozen, node_lists


def node_table(nodes) -> list[tuple]:
    """(name, op, data inputs, sorted control inputs) per node, in order."""
    out = []
    for n in nodes:
        data = [i if ":" in i else f"{i}:0" for i in n.input if not i.startswith("^")]
        controls = sorted(i[1:] for i in n.input if i.startswith("^"))
        out.append((n.name, n.op, data, controls))
    return out


def our_table(graph) -> list[tuple]:
    return [(n.name, n.op, [f"{r.node}:{r.index}" for r in n.inputs], sorted(n.control_inputs))
            for n in graph]


# -- which converter -----------------------------------------------------------------------------
CONVERTER_CASES = [
    ("017", GUESSLANG, "serving_default", True),
    ("017", GUESSLANG, "predict", True),
    ("027", TAXI, "serving_default", True),
    ("027", TAXI, "regression", True),
    ("005", COUNTER, "incr_counter_by", True),
]


@pytest.mark.tensorflow
@pytest.mark.parametrize("case,directory,key,tf1", CONVERTER_CASES,
                         ids=[f"{c}[{k}]" for c, _, k, _ in CONVERTER_CASES])
def test_corpus_tf1_saved_models_take_the_converter_tensorflow_forces(case, directory, key, tf1):
    from trtlint.load import load_model
    from trtlint.load.tf1_savedmodel import TF1ConverterModel

    if not directory.exists():
        pytest.skip(f"{directory} is not in this checkout's corpus")
    failure = tf_v2_failure(directory, key)
    assert (failure is not None) == tf1, failure
    model = load_model(directory, signature=key)
    assert isinstance(model, TF1ConverterModel) == tf1
    assert any("TrtGraphConverter does" in note for note in model.notes)


BUILT_CASES = [  # name, TrtGraphConverterV2 fails (so TF1's TrtGraphConverter is used)
    ("table_main_op", True),
    ("table_legacy_init_op", True),
    ("table_ref_variables", True),
    ("no_table", False),
    ("no_table_ref_variables", False),
]


@pytest.mark.tensorflow
@pytest.mark.parametrize("name,tf1", BUILT_CASES, ids=[c for c, _ in BUILT_CASES])
def test_built_models_take_the_converter_tensorflow_forces(name, tf1, built):
    from trtlint.load import load_model
    from trtlint.load.tf1_savedmodel import TF1ConverterModel

    failure = tf_v2_failure(built[name], "serving_default")
    assert (failure is not None) == tf1, failure
    if tf1:  # the table initializer the pruned function lacks
        assert "Failed to import metagraph" in failure
    model = load_model(built[name])
    assert isinstance(model, TF1ConverterModel) == tf1
    if tf1:
        assert "key_value_init/LookupTableImportV2" in model.notes[-1]


# -- the graph ------------------------------------------------------------------------------------
GRAPH_CASES = [(GUESSLANG, "serving_default"), (GUESSLANG, "classification"),
               (TAXI, "serving_default"), (TAXI, "predict"),
               (COUNTER, "incr_counter_by"), (COUNTER, "get_counter")]


@pytest.mark.tensorflow
@pytest.mark.parametrize("directory,key", GRAPH_CASES,
                         ids=[f"{d.name[:3]}[{k}]" for d, k in GRAPH_CASES])
def test_corpus_graph_is_trt_graph_converters_frozen_graph(directory, key):
    from trtlint.load import load_model

    if not directory.exists():
        pytest.skip(f"{directory} is not in this checkout's corpus")
    frozen, _ = tf_trt_graph_converter_frozen(directory, key)
    model = load_model(directory, signature=key)
    theirs, ours = node_table(frozen.node), our_table(model.graph)
    assert [t[0] for t in ours] == [t[0] for t in theirs]          # names, in order
    assert ours == theirs                                          # ops and edges too


@pytest.mark.tensorflow
@pytest.mark.parametrize("name", [c for c, tf1 in BUILT_CASES if tf1])
def test_built_graph_is_trt_graph_converters_frozen_graph(name, built):
    from trtlint.load import load_model

    frozen, _ = tf_trt_graph_converter_frozen(built[name], "serving_default")
    model = load_model(built[name])
    assert our_table(model.graph) == node_table(frozen.node)
    ops = {n.op for n in model.graph}
    # the init machinery is there, and the variables are constants
    assert {"HashTableV2", "LookupTableImportV2", "NoOp"} <= ops
    assert not ops & {"VarHandleOp", "VariableV2", "ReadVariableOp"}
    assert sorted(model.frozen_variables) == ["b", "w"]
    # saved_model.main_op() also initializes the variables: its AssignVariableOps stay,
    # now fed by the frozen constants (what makes TF-TRT's pass fail, see below)
    assigns = [n for n in model.graph if n.op == "AssignVariableOp"]
    if name == "table_main_op":
        assert sorted(n.name for n in assigns) == ["b/Assign", "w/Assign"]
        assert {model.graph[n.inputs[0].node].op for n in assigns} == {"Const"}
    else:
        assert not assigns


@pytest.mark.tensorflow
def test_without_tables_the_graph_is_the_v2_frozen_function(built):
    from trtlint.load import load_model

    for name in ("no_table", "no_table_ref_variables"):
        frozen = tf_v2_frozen(built[name], "serving_default")
        model = load_model(built[name])
        assert sorted(our_table(model.graph)) == sorted(node_table(frozen.node)), name
        assert not any(n.op in ("NoOp", "HashTableV2") for n in model.graph)


# -- what grappler preserves ---------------------------------------------------------------------
@pytest.mark.tensorflow
@pytest.mark.parametrize("directory,key", GRAPH_CASES[:4],
                         ids=[f"{d.name[:3]}[{k}]" for d, k in GRAPH_CASES[:4]])
def test_preserved_nodes_are_the_collection_nodes_of_the_frozen_graph(directory, key):
    """Grappler's item keeps every node a node-list collection names (its keep_ops, the
    table initializers also as init_ops); trtlint's fetch names must add exactly those of
    the frozen graph to the signature's inputs and outputs."""
    from trtlint.load import load_model

    if not directory.exists():
        pytest.skip(f"{directory} is not in this checkout's corpus")
    frozen, node_lists = tf_trt_graph_converter_frozen(directory, key)
    in_graph = {n.name for n in frozen.node}
    kept = {v.lstrip("^").split(":")[0] for values in node_lists.values() for v in values}
    model = load_model(directory, signature=key)
    signature_nodes = {s.name for s in model.inputs + model.outputs}
    assert set(model.fetch_names) - signature_nodes == (kept & in_graph) - signature_nodes
    assert "group_deps" in model.fetch_names


def test_collections_are_read_without_tensorflow():
    """The node-list collections, read with trtlint's own protobuf declaration."""
    from trtlint.load.savedmodel import read_saved_model
    from trtlint.load.tf1_savedmodel import node_list_collections

    if not GUESSLANG.exists():
        pytest.skip("corpus model 017 is not in this checkout")
    sm, _ = read_saved_model(GUESSLANG)
    collections = node_list_collections(sm.meta_graphs[0])
    assert collections["table_initializer"] == [
        "head/predictions/class_string_lookup/table_init/LookupTableImportV2"]
    assert collections["saved_model_main_op"] == ["group_deps"]
    # variable collections are bytes lists (VariableDef), not node lists
    assert "variables" not in collections
    assert "dnn/logits/activation:0" in collections["summaries"]


@pytest.mark.tensorflow
def test_collections_match_tensorflows_parse(built):
    tensorflow()
    from tensorflow.core.protobuf import saved_model_pb2

    from trtlint.load.savedmodel import read_saved_model
    from trtlint.load.tf1_savedmodel import node_list_collections

    for name in ("table_main_op", "table_legacy_init_op"):
        proto = saved_model_pb2.SavedModel()
        proto.ParseFromString((built[name] / "saved_model.pb").read_bytes())
        theirs = {k: list(v.node_list.value) for k, v in proto.meta_graphs[0].collection_def.items()
                  if v.HasField("node_list")}
        sm, _ = read_saved_model(built[name])
        assert node_list_collections(sm.meta_graphs[0]) == theirs
        assert "table_initializer" in theirs


def test_tf1_module_does_not_import_tensorflow():
    code = ("import sys, trtlint.load.tf1_savedmodel, trtlint.load; "
            "from trtlint.load import load_model; "
            f"m = load_model({str(GUESSLANG)!r}) if {GUESSLANG.exists()!r} else None; "
            "print('tensorflow' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# -- the CLI ---------------------------------------------------------------------------------------
def test_cli_reports_the_init_machinery_as_unconverted(tmp_path):
    """017 through ``trtlint analyze``: the lookup table and its initializer reach TF-TRT
    and stay in TensorFlow, as TF-TRT 2.17's report says (HashTableV2 1,
    LookupTableImportV2 1, 85 ops in all with grappler, implicit batch)."""
    from typer.testing import CliRunner

    from trtlint.cli import app

    if not GUESSLANG.exists():
        pytest.skip("corpus model 017 is not in this checkout")
    result = CliRunner().invoke(app, ["analyze", str(GUESSLANG), "--profile", "tf2",
                                      "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.stdout)
    by_type = report["unconverted"]["by_type"]
    assert by_type["HashTableV2"] == 1 and by_type["LookupTableImportV2"] == 1
    assert report["unconverted"]["count"] == 85
    assert report["model"]["nodes"] == 210


# -- against TF-TRT 2.17 (the oracle) ------------------------------------------------------------
@pytest.mark.oracle
@pytest.mark.tensorflow
def test_built_models_agree_with_tftrt(built):
    from differential.compare import compare_model
    from differential.configs import BASE_CONFIGS
    from differential.oracle_client import OracleSession

    names = ["table_legacy_init_op", "table_ref_variables", "no_table"]
    requests = [(built[n], c) for n in names for c in BASE_CONFIGS]
    with OracleSession() as oracle:
        results = oracle.ask_many([(path, c.oracle_flags()) for path, c in requests])
    problems = []
    for (path, config), result in zip(requests, results):
        expected = "TrtGraphConverter" if path.name.startswith("table") else "TrtGraphConverterV2"
        assert result.get("converter") == expected, (path.name, result)
        diff = compare_model(path, config, result, label=path.name)
        if not diff.agrees:
            problems.append(diff.describe())
    assert not problems, "\n".join(problems)
    # The init machinery reached TF-TRT: its report counts the table ops.
    table_result = results[0]
    assert table_result["unconverted"]["types"].get("HashTableV2") == 1


@pytest.mark.oracle
@pytest.mark.tensorflow
def test_main_op_variable_initializers_make_tftrts_pass_fail(built):
    """saved_model.main_op() assigns the variables; TrtGraphConverter's freezing keeps
    those AssignVariableOps with a float Const where a resource was, and TF-TRT 2.17's
    pass refuses the graph: no engines, no op report.  trtlint's graph has the same
    nodes (test above), and its analysis predicts the failure (TRT706, no engine)."""
    from differential.configs import BASE_CONFIGS
    from differential.oracle_client import OracleSession

    with OracleSession() as oracle:
        result = oracle.ask(built["table_main_op"], BASE_CONFIGS[0].oracle_flags())
    assert result.get("converter") == "TrtGraphConverter"
    assert result.get("unconverted") is None and not result.get("segments")
    assert any("TensorRTOptimizer failed" in line and "incompatible with expected resource"
               in line for line in result["log"])
    from trtlint.analysis import analyze
    from trtlint.load import load_model
    from trtlint.target import make_target

    analysis = analyze(load_model(built["table_main_op"]), make_target("tf2"))
    assert not analysis.tensorrt_pass_runs and not analysis.segments
    written = [f for f in analysis.findings if f.rule == "TRT706"]
    assert written and all(analysis.model.graph[f.node].op in ("AssignVariableOp", "Assign")
                           for f in written)
