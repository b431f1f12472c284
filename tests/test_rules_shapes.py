"""TRT1xx shape rules on fixtures, corpus graphs and small TensorFlow graphs: each rule
fires where the hazard is and stays silent where it is not."""

from __future__ import annotations

import numpy as np
import pytest

from trtlint.findings.rules.trt101_unknown_engine_input_dims import shape_suggestion
from trtlint.insights import trace_to_graph_inputs

from test_rules_helpers import GRAPHS, analysis_of, corpus, findings, frozen_graph

UINT8 = GRAPHS / "uint8_unknown_dims.pb"
SSD = GRAPHS / "ssd_inception_v2_like.pb"
FUSED = GRAPHS / "conv_bn_fused.pb"


# -- TRT101 unknown-engine-input-dims ------------------------------------------------------

def test_trt101_dynamic_engine_names_the_graph_input_and_the_path():
    a = analysis_of(UINT8)
    [f] = findings(a, "TRT101")
    assert f.severity == "warning"
    assert "graph input image [?,?,?,3]" in f.message
    assert "image -> ToFloat" in f.message
    assert f.data["graph_inputs"] == ["image"]
    assert f.segment == a.segments[0].name
    assert "--input-shape image=1x<d1>x<d2>x3" in f.fix


def test_trt101_tf1_static_engines_fail_to_build_naming_the_input():
    # The seed's pattern on a small graph: TF-TRT 1.13 static engines whose first input is
    # [?,?,?,3] fail at build time and fall back to TensorFlow.
    a = analysis_of(UINT8, profile="tf1.13", max_batch_size=1)
    errors = findings(a, "TRT101")
    assert errors and all(f.severity == "error" for f in errors)
    first = next(f for f in errors if f.data["engine_input"] == "ToFloat:0")
    assert "will fail to build and fall back to TensorFlow" in first.message
    assert "[?,?,?,3], an unknown non-batch dimension at dim 1" in first.message
    assert first.data["graph_inputs"] == ["image"]
    assert first.data["path"] == ["image", "ToFloat"]
    failed = {s.name for s in a.segments if not s.will_build}
    assert {f.segment for f in errors} <= failed


def test_trt101_tf2_static_engines_keep_the_nodes_out_and_say_why():
    a = analysis_of(UINT8, max_batch_size=1)
    [f] = findings(a, "TRT101")
    assert f.severity == "warning"
    assert "static engines (--max-batch-size 1)" in f.message
    assert f.data["graph_inputs"] == ["image"]
    rejected = {n for n, d in a.decisions.items()
                if d.reason is not None and d.reason.code == "dynamic_non_batch"}
    assert set(f.data["nodes"]) == rejected


def test_trt101_seed_fixture_tf113_names_image_tensor_for_some_engine():
    a = analysis_of(SSD, profile="tf1.13", max_batch_size=1)
    errors = findings(a, "TRT101")
    assert errors
    assert all("image_tensor" in f.data["graph_inputs"] for f in errors)


def test_trt101_seed_big_engine_fails_naming_image_tensor():
    # The seed: TF 1.13, static engines for batch 1, the feature extractor's engine is fed
    # the preprocessed image [?,?,?,3] and falls back to TensorFlow as a whole.
    a = analysis_of(SSD, profile="tf1.13", max_batch_size=1)
    big = max(a.segments, key=lambda s: len(s.nodes))
    assert not big.will_build and len(big.nodes) > 300
    [f] = [f for f in findings(a, "TRT101") if f.segment == big.name]
    assert f.severity == "error"
    assert "image_tensor" in f.message and f.data["graph_inputs"] == ["image_tensor"]
    assert "[?,?,?,3], an unknown non-batch dimension at dim 1" in f.message
    assert f.data["path"][0] == "image_tensor"
    assert "--input-shape image_tensor=1x<d1>x<d2>x3" in f.fix


def test_trt101_seed_error_through_the_cli():
    from typer.testing import CliRunner

    from trtlint.cli import app

    result = CliRunner().invoke(app, ["analyze", str(SSD), "--profile", "tf1.13",
                                      "--max-batch-size", "1", "--format", "json"])
    report = __import__("json").loads(result.stdout)
    errors = [f for f in report["findings"] if f["rule"] == "TRT101"
              and f["severity"] == "error"]
    big = max(report["segments"], key=lambda s: len(s["nodes"]))
    assert any(f.get("segment") == big["name"] and "image_tensor" in f["message"]
               for f in errors)


def test_trt101_silent_when_shapes_are_known_or_assumed():
    assert not findings(analysis_of(FUSED), "TRT101")
    assert not findings(analysis_of(FUSED, max_batch_size=1), "TRT101")
    from trtlint.shapes.overrides import parse_input_shape

    fixed = analysis_of(UINT8, input_shapes=[parse_input_shape("image=1x64x64x3")])
    assert not findings(fixed, "TRT101")


def test_trt101_silent_in_dynamic_shape_mode():
    assert not findings(analysis_of(UINT8, dynamic_shape=True), "TRT101")


def test_trace_to_graph_inputs_crosses_the_preprocessing_loop():
    a = analysis_of(SSD)
    big = max(a.segments, key=lambda s: len(s.nodes))
    [trace] = trace_to_graph_inputs(a, big.inputs[0])
    assert trace.graph_input == "image_tensor"
    assert trace.path[0] == "image_tensor" and trace.path[-1] == big.inputs[0].split(":")[0]
    assert any("/while/" in n for n in trace.path)   # through the map_fn loop


def test_shape_suggestion_marks_unknown_dims():
    assert shape_suggestion("image", (-1, -1, -1, 3), None) == \
        "--input-shape image=1x<d1>x<d2>x3"
    assert shape_suggestion("x", (-1, 32), 8) == "--input-shape x=8x32"


# -- TRT102 batch-dimension-change ---------------------------------------------------------

def test_trt102_reshape_and_transpose_of_the_batch():
    a = analysis_of(GRAPHS / "seg_batch_reshape_transpose.pb")
    found = findings(a, "TRT102")
    codes = {f.data["code"] for f in found}
    assert codes == {"reshape_keeps_batch", "perm0_is_zero"}
    ops = {a.graph[f.node].op for f in found}
    assert ops == {"Reshape", "Transpose"}
    transpose = next(f for f in found if a.graph[f.node].op == "Transpose")
    assert "Transpose at batch dimension is not supported" in transpose.message


def test_trt102_silent_in_dynamic_shape_mode_and_on_batch_safe_graphs():
    assert not findings(analysis_of(GRAPHS / "seg_batch_reshape_transpose.pb",
                                    dynamic_shape=True), "TRT102")
    assert not findings(analysis_of(FUSED), "TRT102")


def test_trt102_groups_copies_of_a_block(tmp_path):
    def build(tf):
        x = tf.compat.v1.placeholder(tf.float32, [None, 4, 8], name="x")
        outs = []
        for i in range(4):
            with tf.name_scope(f"block_{i}" if i else "block"):
                y = tf.nn.relu(x * float(i + 1))
                outs.append(tf.reshape(y, [-1, 8]))          # folds the batch: [B*4, 8]
        tf.identity(tf.concat(outs, axis=1), name="y")

    a = analysis_of(frozen_graph(tmp_path, "blocks", build))
    reshapes = [f for f in findings(a, "TRT102") if a.graph[f.node].op == "Reshape"]
    assert len(reshapes) == 1
    assert len(reshapes[0].data["nodes"]) == 4
    assert reshapes[0].message.startswith("4 Reshape nodes like block/Reshape")


# -- TRT103 implicit-batch-limits ----------------------------------------------------------

def test_trt103_counts_what_dynamic_shape_mode_would_lift():
    a = analysis_of(SSD)
    [f] = findings(a, "TRT103")
    assert f.severity == "warning"
    counts = f.data["counts"]
    assert counts["implicit_batch_rank"]["Minimum"] > 50
    assert counts["explicit_batch_only"]["Shape"] >= 1
    assert "--dynamic-shape" in f.fix


def test_trt103_silent_in_dynamic_shape_mode_and_for_weight_plumbing():
    assert not findings(analysis_of(SSD, dynamic_shape=True), "TRT103")
    # conv_bn_fused keeps 21 "/read" Identity nodes of constants out of engines for the
    # rank rule: weights plumbing, not data, so no finding.
    assert not findings(analysis_of(FUSED), "TRT103")


def test_trt103_not_for_tf1_profiles():
    assert not findings(analysis_of(SSD, profile="tf1.15"), "TRT103")


# -- TRT104 data-dependent-shape -------------------------------------------------------------

def test_trt104_groups_the_unrolled_nms_in_the_seed_fixture():
    a = analysis_of(SSD)
    found = findings(a, "TRT104")
    by_node = {a.graph[f.node].op: f for f in found}
    assert set(by_node) >= {"Where", "NonMaxSuppressionV2", "TopKV2"}
    nms = by_node["NonMaxSuppressionV2"]
    assert len(nms.data["nodes"]) == 24          # one NMS per class, one finding
    assert "number of boxes kept" in nms.message
    assert "value of k, computed at run time" in by_node["TopKV2"].message


def test_trt104_boolean_mask_feeding_an_engine_is_a_warning(tmp_path):
    def build(tf):
        x = tf.compat.v1.placeholder(tf.float32, [None, 16], name="x")
        w = [tf.constant(np.random.RandomState(i).randn(16, 16).astype("float32"))
             for i in range(3)]
        h = tf.nn.relu(tf.matmul(x, w[0]))
        kept = tf.boolean_mask(h, h[:, 0] > 0)
        y = tf.nn.relu(tf.matmul(tf.nn.relu(tf.matmul(kept, w[1])), w[2]))
        tf.identity(y, name="y")

    a = analysis_of(frozen_graph(tmp_path, "mask", build))
    [f] = findings(a, "TRT104")
    assert f.severity == "warning"
    assert f.message.startswith("boolean mask (Where + gather)")
    assert f.data["engines"] and f.data["engines"][0] in {s.name for s in a.segments}


def test_trt104_constant_k_is_fine(tmp_path):
    def build(tf):
        x = tf.compat.v1.placeholder(tf.float32, [None, 16], name="x")
        values, _ = tf.math.top_k(x, k=4)
        tf.identity(values, name="y")

    assert not findings(analysis_of(frozen_graph(tmp_path, "topk4", build)), "TRT104")
    assert not findings(analysis_of(FUSED), "TRT104")


# -- TRT105 unknown-rank-input -------------------------------------------------------------

def test_trt105_unknown_rank_placeholder():
    a = analysis_of(corpus("001_tf2onnx_regression_tiny.pb"))
    found = findings(a, "TRT105")
    assert found
    assert all("has unknown rank" in f.message for f in found)
    assert {f.node for f in found} <= {i.name for i in a.model.inputs}


def test_trt105_silent_with_an_assumed_shape_and_on_ranked_inputs():
    from trtlint.shapes.overrides import parse_input_shape

    path = corpus("001_tf2onnx_regression_tiny.pb")
    a = analysis_of(path)
    names = [f.node for f in findings(a, "TRT105")]
    shapes = [parse_input_shape(f"{n}=4x1") for n in names]
    assert not findings(analysis_of(path, input_shapes=shapes), "TRT105")
    assert not findings(analysis_of(UINT8), "TRT105")
