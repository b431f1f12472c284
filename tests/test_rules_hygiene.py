"""TRT7xx graph-hygiene rules: training-only ops, batch norms, Identity chains, unfrozen
variables, layout transposes."""

from __future__ import annotations

import pytest

from test_rules_helpers import (GRAPHS, SAVED_MODELS, analysis_of, corpus, findings,
                                frozen_graph)

FUSED = GRAPHS / "conv_bn_fused.pb"
UNFUSED = GRAPHS / "conv_bn_unfused.pb"
CHAINS = GRAPHS / "seg_identity_chains.pb"
KERAS = SAVED_MODELS / "keras_conv_classifier"


# -- TRT701 training-ops --------------------------------------------------------------------------

def assert_graph(tmp_path):
    def build(tf):
        x = tf.compat.v1.placeholder(tf.float32, [None, 8], name="x")
        h = tf.nn.relu(x * 2.0 + 1.0)
        checked = tf.debugging.check_numerics(h, "nan in h", name="CheckNumerics")
        guard = tf.raw_ops.Assert(condition=tf.reduce_all(h >= 0), data=[h], name="Assert")
        with tf.control_dependencies([guard]):
            y = tf.nn.relu(checked * 3.0 + 1.0)
        tf.identity(y, name="y")

    return frozen_graph(tmp_path, "asserts", build)


@pytest.mark.tensorflow
def test_trt701_asserts_left_in_when_grappler_does_not_strip_them(tmp_path):
    a = analysis_of(assert_graph(tmp_path), grappler="none")
    [f] = findings(a, "TRT701")
    assert f.data["kind"] == "debugging checks"
    assert sorted(f.data["nodes"]) == ["Assert", "CheckNumerics"]


@pytest.mark.tensorflow
def test_trt701_silent_after_tf2_debug_stripper(tmp_path):
    a = analysis_of(assert_graph(tmp_path))
    assert "Assert" not in a.graph and not findings(a, "TRT701")


def test_trt701_dropout_in_an_unrolled_gru():
    a = analysis_of(corpus("002_tf2onnx_gru_unrolled.pb"))
    [f] = findings(a, "TRT701")
    assert f.data["kind"].startswith("random number generators")
    assert all(a.graph[n].op == "RandomUniform" for n in f.data["nodes"])


def test_trt701_training_graph_with_gradients_and_savers():
    a = analysis_of(corpus("022_speech_commands_train_pbtxt.pbtxt"))
    kinds = {f.data["kind"] for f in findings(a, "TRT701")}
    assert "gradient computations" in kinds


def test_trt701_silent_on_inference_graphs():
    assert not findings(analysis_of(FUSED), "TRT701")
    assert not findings(analysis_of(KERAS), "TRT701")


# -- TRT702 unfolded-batch-norm -------------------------------------------------------------------

def test_trt702_unfused_batch_norm_after_convolutions():
    # Without grappler, every one of the five convolutions keeps its scale and shift.
    a = analysis_of(UNFUSED, grappler="none")
    [f] = findings(a, "TRT702")
    assert f.severity == "info"
    pairs = f.data["nodes"]
    assert len(pairs) == 5
    for mul, add in pairs:
        assert a.graph[mul].op == "Mul" and a.graph[add].op in ("Add", "AddV2", "Sub")
    assert "fold_batch_norms" in f.fix


def test_trt702_reports_only_what_grappler_leaves_unfolded():
    a = analysis_of(UNFUSED)
    reported = [pair for f in findings(a, "TRT702") for pair in f.data["nodes"]]
    assert len(reported) <= 5
    for mul, _ in reported:          # every reported Mul survived constant folding
        assert a.graph[mul].op == "Mul"


def test_trt702_batch_norm_in_training_mode():
    a = analysis_of(corpus("009_cms_deepsc_graphnet.pb"))
    training = [f for f in findings(a, "TRT702") if "is_training=True" in f.message]
    assert len(training) == 1 and training[0].severity == "warning"
    assert all(a.graph[n].attr("is_training") is True for n in training[0].data["nodes"])


@pytest.mark.tensorflow
def test_trt702_batch_statistics_computed_at_run_time(tmp_path):
    def build(tf):
        x = tf.compat.v1.placeholder(tf.float32, [None, 8, 8, 4], name="x")
        mean, var = tf.nn.moments(x, axes=[0, 1, 2])
        tf.identity(tf.nn.batch_normalization(x, mean, var, 0.0, 1.0, 1e-3), name="y")

    a = analysis_of(frozen_graph(tmp_path, "moments_bn", build))
    [f] = [f for f in findings(a, "TRT702") if "Rsqrt" in f.message]
    assert f.node.endswith("batchnorm/Rsqrt") and f.severity == "warning"


def test_trt702_silent_for_fused_inference_batch_norms_and_frozen_keras():
    assert not findings(analysis_of(FUSED), "TRT702")
    # Keras reads the moving variance through ReadVariableOp of a frozen constant
    assert not findings(analysis_of(KERAS), "TRT702")


# -- TRT703 identity-chains ------------------------------------------------------------------------

def test_trt703_chains_without_grappler():
    a = analysis_of(CHAINS, grappler="none")
    [f] = findings(a, "TRT703")
    chains = {head: n for head, _, n in f.data["chains"]}
    assert chains["mid/Identity"] == 5            # Identity, Snapshot, StopGradient, ...
    assert all(n >= 2 for n in chains.values())


def test_trt703_silent_after_grappler_and_without_chains():
    assert not findings(analysis_of(CHAINS), "TRT703")
    assert not findings(analysis_of(FUSED, grappler="none"), "TRT703")


# -- TRT704 unfrozen-variables ------------------------------------------------------------------

def test_trt704_training_graph_with_variables():
    a = analysis_of(corpus("036_mobilenet_v1_eval_pbtxt.pbtxt"))
    [f] = findings(a, "TRT704")
    assert f.severity == "error" and f.data["variables"] == 137
    # TF-TRT 2.17 converts a VariableV2 to weights like a Const (measured with the oracle:
    # tests/differential), so no convolution is blocked by its variable filter there ...
    assert f.data["blocked"] == []
    # ... while TF 1.x's validators take only a Const as weights
    a = analysis_of(corpus("036_mobilenet_v1_eval_pbtxt.pbtxt"), profile="tf1.15")
    [f] = findings(a, "TRT704")
    assert f.data["blocked"], "convolutions whose filter is a variable stay in TF"
    assert all(a.decisions[n].reason.category in ("const_input", "weights")
               for n in f.data["blocked"])


def test_trt704_silent_on_frozen_graphs_and_savedmodels():
    assert not findings(analysis_of(FUSED), "TRT704")
    assert not findings(analysis_of(KERAS), "TRT704")    # the loader freezes variables


# -- TRT705 layout-transposes --------------------------------------------------------------------

SSD = GRAPHS / "ssd_inception_v2_like.pb"


def test_trt705_layout_optimizer_nodes_left_in_tensorflow():
    # TF 1.x runs the GPU layout optimizer before TF-TRT: the seed's DataFormatVecPermute
    a = analysis_of(SSD, profile="tf1.13", max_batch_size=1)
    [f] = [f for f in findings(a, "TRT705") if "layout optimizer" in f.message]
    ops = {a.graph[n].op for n in f.data["nodes"]}
    assert "DataFormatVecPermute" in ops and "Const" not in ops
    assert all("LayoutOptimizer" in n for n in f.data["nodes"])
    inside = {n for s in a.segments if s.will_build for n in s.nodes}
    assert not inside & set(f.data["nodes"])


def test_trt705_silent_without_the_gpu_layout_pass():
    a = analysis_of(SSD, profile="tf1.13", max_batch_size=1, gpu_layout=False)
    assert not [f for f in findings(a, "TRT705") if "layout optimizer" in f.message]
    assert not findings(analysis_of(FUSED), "TRT705")


@pytest.mark.tensorflow
def test_trt705_transposes_that_cancel(tmp_path):
    def build(tf):
        x = tf.compat.v1.placeholder(tf.float32, [None, 8, 8, 4], name="x")
        there = tf.transpose(tf.nn.relu(x), [0, 3, 1, 2], name="to_nchw")
        back = tf.transpose(there, [0, 2, 3, 1], name="to_nhwc")
        tf.identity(tf.nn.relu(back * 2.0), name="y")

    a = analysis_of(frozen_graph(tmp_path, "transpose_pair", build), gpu_layout=False)
    [f] = findings(a, "TRT705")
    assert f.data["nodes"] == ["to_nhwc"] and f.severity == "info"


@pytest.mark.tensorflow
def test_trt705_transposes_that_do_not_cancel(tmp_path):
    def build(tf):
        x = tf.compat.v1.placeholder(tf.float32, [None, 8, 8, 4], name="x")
        there = tf.transpose(tf.nn.relu(x), [0, 3, 1, 2])
        tf.identity(tf.transpose(there, [0, 3, 2, 1]) * 2.0, name="y")

    a = analysis_of(frozen_graph(tmp_path, "transpose_twice", build), gpu_layout=False)
    assert not findings(a, "TRT705")


# -- TRT706 frozen-variable-written (fires: tests/test_loader_lowering.py and
# tests/test_loader_tf1_savedmodel.py, on models that assign variables) ----------------------

@pytest.mark.parametrize("model", ["keras_conv_classifier", "tf2_module_while"])
def test_trt706_silent_when_variables_are_only_read(model):
    a = analysis_of(SAVED_MODELS / model)
    assert a.model.frozen_variables                      # variables were frozen ...
    assert not findings(a, "TRT706") and not a.frozen_writes   # ... and nothing writes them
    assert a.tensorrt_pass_runs


def test_trt706_not_for_tf1_reference_variables():
    # 005's incr_counter_by assigns a TF1 reference variable (Assign, not a resource
    # write); TF 2.17 was not seen to fail on that, so TRT706 stays silent
    from trtlint.analysis import analyze
    from trtlint.load import load_model
    from trtlint.target import make_target

    path = corpus("005_tfserving_counter_stateful")
    a = analyze(load_model(path, signature="incr_counter_by"), make_target("tf2"))
    assert any(n.op == "AssignAdd" for n in a.model.graph)
    assert not findings(a, "TRT706")
