"""TRT2xx control-flow rules: TF1 loops and conds, TensorArrays, functional While/If/Case."""

from __future__ import annotations

import contextlib

import pytest

from test_rules_helpers import GRAPHS, SAVED_MODELS, analysis_of, corpus, findings, frozen_graph

WHILE = GRAPHS / "tf1_while_tensorarray.pb"
SSD = GRAPHS / "ssd_inception_v2_like.pb"
FUSED = GRAPHS / "conv_bn_fused.pb"
MODULE_WHILE = SAVED_MODELS / "tf2_module_while"


@contextlib.contextmanager
def control_flow_v1(tf):
    """Build TF1 Switch/Merge conds for the duration of the block (process-global switch)."""
    tf.compat.v1.disable_control_flow_v2()
    try:
        yield
    finally:
        tf.compat.v1.enable_control_flow_v2()


def cond_graph(tmp_path, v1: bool):
    def build(tf):
        ctx = control_flow_v1(tf) if v1 else contextlib.nullcontext()
        with ctx:
            x = tf.compat.v1.placeholder(tf.float32, [None, 8], name="x")
            flag = tf.compat.v1.placeholder(tf.bool, [], name="flag")
            y = tf.compat.v1.cond(flag, lambda: tf.nn.relu(x * 2.0) + 1.0,
                                  lambda: tf.nn.sigmoid(x) - 1.0)
            tf.identity(y, name="y")

    return frozen_graph(tmp_path, "cond_v1" if v1 else "cond_v2", build)


# -- TRT201 control-flow-v1 ----------------------------------------------------------------

def test_trt201_while_loop_counts_nodes_kept_in_tensorflow():
    a = analysis_of(WHILE)
    [f] = [f for f in findings(a, "TRT201") if f.data["kind"] == "while"]
    assert f.severity == "warning"
    assert a.graph[f.node].op == "Enter"
    members = [n for n in a.graph.nodes if n.startswith(f.data["scopes"][0] + "/")]
    assert f.data["nodes"] == len(members)
    assert f.data["kept_in_tf"] + f.data["in_engines"] == f.data["nodes"]
    assert f"{f.data['kept_in_tf']} of {f.data['nodes']} nodes stay in TensorFlow" in f.message


def test_trt201_seed_fixture_reports_both_loops_and_groups_the_conds():
    a = analysis_of(SSD)
    found = findings(a, "TRT201")
    loops = {f.data["scopes"][0] for f in found if f.data["kind"] == "while"}
    assert loops == {"Preprocessor/map/while",
                     "Postprocessor/BatchMultiClassNonMaxSuppression/map/while"}
    nms = next(f for f in found if f.data["scopes"] ==
               ["Postprocessor/BatchMultiClassNonMaxSuppression/map/while"])
    inside = {n for seg in a.segments if seg.will_build for n in seg.nodes}
    members = [n for n in a.graph.nodes if n.startswith(nms.data["scopes"][0] + "/")]
    assert nms.data["nodes"] == len(members) > 1000
    assert nms.data["in_engines"] == sum(1 for n in members if n in inside)
    conds = [f for f in found if f.data["kind"] == "cond"]
    assert len(conds) == 1 and len(conds[0].data["scopes"]) == 3   # PadOrClipBoxList(_1,_2)
    assert conds[0].severity == "info"


@pytest.mark.tensorflow
def test_trt201_tf1_cond(tmp_path):
    a = analysis_of(cond_graph(tmp_path, v1=True))
    [f] = findings(a, "TRT201")
    assert f.data["kind"] == "cond" and f.data["scopes"] == ["cond"]
    assert a.graph[f.node].op == "Switch"
    assert not findings(a, "TRT203")


def test_trt201_silent_without_tf1_control_flow():
    assert not findings(analysis_of(FUSED), "TRT201")


def test_trt201_savedmodel_while_is_lowered_and_named_after_the_while():
    # TF-TRT freezes a TF2 signature with its While lowered to Enter/Merge/Switch/Exit,
    # and so does the loader: the loop is reported as one region named after the While.
    a = analysis_of(MODULE_WHILE)
    [lowered] = a.model.lowered_control_flow
    assert lowered.op in ("While", "StatelessWhile") and len(lowered.functions) == 2
    [f] = findings(a, "TRT201")
    assert f.data["kind"] == "while" and f.data["lowered_from"] == lowered.op
    assert f.data["scopes"] == [lowered.name]
    assert f.message.startswith(f"{lowered.op} {lowered.name}: while loop")
    members = [n for n in a.graph.nodes if n.startswith(lowered.name + "/")]
    assert f.data["nodes"] == len(members) and f.data["kept_in_tf"] == len(members)
    assert {a.graph[n].op for n in members} >= {"Enter", "Merge", "Switch", "NextIteration",
                                               "Exit", "LoopCond"}
    assert f.node.startswith(lowered.name + "/") and a.graph[f.node].op == "Enter"
    assert not findings(a, "TRT203")        # no functional op is left in the graph


# -- TRT202 tensor-array-ops -----------------------------------------------------------------

def test_trt202_tensor_arrays_grouped_by_owner_scope():
    a = analysis_of(SSD)
    found = findings(a, "TRT202")
    scopes = {f.node.split("/TensorArray")[0] for f in found}
    assert scopes == {"Preprocessor/map", "Postprocessor/BatchMultiClassNonMaxSuppression/map"}
    pre = next(f for f in found if f.node.startswith("Preprocessor/map"))
    ops = pre.data["ops"]
    assert ops["TensorArrayScatterV3"] == 1 and ops["TensorArrayGatherV3"] >= 1
    assert sum(ops.values()) == pre.data["nodes"]


def test_trt202_rnn_loop_and_silence_without_tensor_arrays():
    a = analysis_of(WHILE)
    [f] = findings(a, "TRT202")
    assert f.data["ops"]["TensorArrayReadV3"] >= 1
    assert not findings(analysis_of(FUSED), "TRT202")


# -- TRT203 functional-control-flow ----------------------------------------------------------

@pytest.mark.tensorflow
def test_trt203_frozen_graph_while_names_its_bodies(tmp_path):
    # A frozen GraphDef reaches TF-TRT as it is: its functional While stays one node.
    tf = pytest.importorskip("tensorflow")

    @tf.function(input_signature=[tf.TensorSpec([None, 4], tf.float32)])
    def f(x):
        return tf.while_loop(lambda i, y: i < 3, lambda i, y: (i + 1, tf.nn.relu(y) * 2.0),
                             [tf.constant(0), x])[1]

    path = tmp_path / "while.pb"
    path.write_bytes(f.get_concrete_function().graph.as_graph_def().SerializeToString())
    a = analysis_of(path)
    [found] = findings(a, "TRT203")
    assert a.graph[found.node].op in ("While", "StatelessWhile")
    assert len(found.data["functions"]) == 2 and found.data["body_nodes"] > 0
    assert all(fn in found.message for fn in found.data["functions"])
    assert not a.model.lowered_control_flow


def test_trt203_stateless_case_from_the_corpus():
    a = analysis_of(corpus("034_tf_mlir_stateless_case.pbtxt"))
    [f] = findings(a, "TRT203")
    assert f.message.startswith("StatelessCase ")
    assert len(f.data["functions"]) == 2


@pytest.mark.tensorflow
def test_trt203_tf2_cond_is_functional(tmp_path):
    a = analysis_of(cond_graph(tmp_path, v1=False))
    [f] = findings(a, "TRT203")
    assert a.graph[f.node].op in ("If", "StatelessIf")
    assert not findings(a, "TRT201")


def test_trt203_silent_on_tf1_loops():
    assert not findings(analysis_of(WHILE), "TRT203")
    assert not findings(analysis_of(FUSED), "TRT203")
