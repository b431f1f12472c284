"""TRT4xx batch-size rules: static engines against the serving batch and the graph's own
batch, the seed's INT8 calibration abort, fixed-batch inputs."""

from __future__ import annotations

import pytest

from test_rules_helpers import GRAPHS, analysis_of, findings, frozen_graph

FUSED = GRAPHS / "conv_bn_fused.pb"        # input [?,64,64,3]
UNFUSED = GRAPHS / "conv_bn_unfused.pb"    # input [1,64,64,3]


# -- TRT401 max-batch-below-serving ------------------------------------------------------------

def test_trt401_static_engines_smaller_than_the_serving_batch():
    a = analysis_of(FUSED, max_batch_size=2, serving_batch=8)
    [f] = findings(a, "TRT401")
    assert f.severity == "warning"
    assert "built for batches up to 2" in f.message and "served at batch 8" in f.message
    assert f.data["engines"] == [s.name for s in a.segments if s.will_build]
    assert "--max-batch-size 8" in f.fix


def test_trt401_seed_int8_calibration_abort_in_tf1():
    a = analysis_of(FUSED, profile="tf1.13", precision="INT8", max_batch_size=1,
                    serving_batch=2)
    [f] = findings(a, "TRT401")
    assert f.severity == "error"
    assert "Check failed: t.TotalBytes() == device_tensor->TotalBytes()" in f.message


def test_trt401_silent_when_the_batch_fits_or_engines_are_dynamic():
    assert not findings(analysis_of(FUSED, max_batch_size=8, serving_batch=8), "TRT401")
    assert not findings(analysis_of(FUSED, serving_batch=8), "TRT401")          # dynamic
    assert not findings(analysis_of(FUSED, max_batch_size=1), "TRT401")         # no serving


# -- TRT402 max-batch-below-graph-batch --------------------------------------------------------

def fixed_batch_graph(tmp_path, batch):
    def build(tf):
        x = tf.compat.v1.placeholder(tf.float32, [batch, 16, 16, 3], name="x")
        w = tf.constant(0.1, tf.float32, [3, 3, 3, 8])
        y = tf.nn.relu(tf.nn.conv2d(x, w, 1, "SAME") + 1.0)
        tf.identity(tf.reduce_mean(y, axis=[1, 2]), name="y")

    return frozen_graph(tmp_path, f"batch{batch}", build)


@pytest.mark.tensorflow
def test_trt402_input_batch_above_max_batch_size(tmp_path):
    path = fixed_batch_graph(tmp_path, 8)
    [f] = findings(analysis_of(path, max_batch_size=4), "TRT402")
    assert f.node == "x" and f.severity == "error"
    assert f.data == {"input_batch": 8, "max_batch_size": 4}
    [tf115] = findings(analysis_of(path, profile="tf1.15", max_batch_size=4), "TRT402")
    assert "rejects the conversion" in tf115.message


@pytest.mark.tensorflow
def test_trt402_silent_when_max_batch_size_covers_the_input(tmp_path):
    path = fixed_batch_graph(tmp_path, 8)
    assert not findings(analysis_of(path, max_batch_size=8), "TRT402")
    assert not findings(analysis_of(path), "TRT402")                    # dynamic engines
    assert not findings(analysis_of(FUSED, max_batch_size=1), "TRT402")  # unknown batch


# -- TRT403 static-engine-batch -----------------------------------------------------------------

def test_trt403_static_engines_without_a_serving_batch():
    [f] = findings(analysis_of(FUSED, max_batch_size=4), "TRT403")
    assert f.severity == "info" and "at most 4" in f.message
    assert "--serving-batch" in f.message


def test_trt403_silent_for_dynamic_engines_or_a_checked_serving_batch():
    assert not findings(analysis_of(FUSED), "TRT403")
    assert not findings(analysis_of(FUSED, max_batch_size=4, serving_batch=4), "TRT403")


# -- TRT404 fixed-batch-input ---------------------------------------------------------------------

def test_trt404_graph_built_for_batch_one_served_at_four():
    [f] = findings(analysis_of(UNFUSED, serving_batch=4), "TRT404")
    assert f.node == "input" and f.severity == "error"
    assert "fixed to batch 1" in f.message


def test_trt404_silent_for_matching_or_unknown_batch():
    assert not findings(analysis_of(UNFUSED, serving_batch=1), "TRT404")
    assert not findings(analysis_of(FUSED, serving_batch=4), "TRT404")


def test_trt404_uses_the_declared_shape_not_an_assumed_one():
    from trtlint.shapes.overrides import parse_input_shape

    assumed = analysis_of(FUSED, serving_batch=4,
                          input_shapes=[parse_input_shape("input=1x64x64x3")])
    assert not findings(assumed, "TRT404")
