"""Will each engine build?  Conversion-time build failures per profile (trtlint.segments.build).

TF-TRT builds static engines (``--max-batch-size N``) while converting; what fails there
sends the whole segment back to TensorFlow ("... failed: <status>. Fallback to TF...").
The seed article's log is the model: a 707-node segment fed by an image of shape
[?,?,?,3] failed with "Validation failed for TensorRTInputPH_0 and input slot 0: Input
tensor with shape [?,?,?,3] has an unknown non-batch dimension at dim 1".  Graphs are
built with TensorFlow in the test; trtlint analyses them without it.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from trtlint.analysis import analyze
from trtlint.cli import app
from trtlint.graph.model import TensorRef
from trtlint.graph.tensors import format_shape
from trtlint.load import load_model
from trtlint.target import make_target

pytestmark = pytest.mark.tensorflow
ROOT = Path(__file__).resolve().parents[1]
SSD = ROOT / "fixtures" / "graphs" / "ssd_inception_v2_like.pb"

SEED_REASON = ("Invalid argument: Validation failed for TensorRTInputPH_0 and input slot 0: "
               "Input tensor with shape [?,?,?,3] has an unknown non-batch dimension at dim 1")


@pytest.fixture(scope="module")
def tf():
    import os

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")
    return tf


def frozen(tf, tmp_path: Path, build, name: str = "graph") -> Path:
    graph = tf.Graph()
    with graph.as_default():
        build(tf)
    path = tmp_path / f"{name}.pb"
    path.write_bytes(graph.as_graph_def().SerializeToString())
    return path


def run(path: Path, profile: str, **target):
    target.setdefault("grappler", "none")
    return analyze(load_model(path), make_target(profile, **target))


def const(tf, shape, name, seed=0):
    rng = np.random.default_rng(seed)
    return tf.constant(rng.standard_normal(shape).astype(np.float32), name=name)


def seed_like(tf):
    """uint8 image [?,?,?,3] -> Cast (stays in TF) -> conv block (one engine)."""
    img = tf.compat.v1.placeholder(tf.uint8, [None, None, None, 3], name="image_tensor")
    x = tf.cast(img, tf.float32, name="ToFloat")
    c = tf.nn.conv2d(x, const(tf, [3, 3, 3, 8], "conv/w"), [1, 1, 1, 1], "SAME", name="conv/Conv2D")
    b = tf.nn.bias_add(c, const(tf, [8], "conv/b"), name="conv/BiasAdd")
    tf.identity(tf.nn.relu6(b, name="conv/Relu6"), name="features")


def only_segment(result):
    assert len(result.segments) == 1, [s.name for s in result.segments]
    return result.segments[0]


# -- unknown non-batch dims at an engine input ------------------------------------------------

def test_tf113_static_engine_fails_like_the_seed(tf, tmp_path):
    r = run(frozen(tf, tmp_path, seed_like), "tf1.13", max_batch_size=1)
    seg = only_segment(r)
    assert seg.inputs == ["ToFloat:0"]
    assert (seg.will_build, seg.reason) == (False, SEED_REASON)
    assert ("TensorRT node conv/TRTEngineOp_0 added for segment 0 consisting of 5 nodes "
            f"failed: {SEED_REASON}. Fallback to TF...") in r.segmentation.notes
    # nothing of a failed engine is converted
    assert r.converted_nodes == 0


def test_tf113_dynamic_engine_builds(tf, tmp_path):
    """Without --max-batch-size the engine is built at run time, per batch, with the
    real shapes: the unknown dims are no problem."""
    seg = only_segment(run(frozen(tf, tmp_path, seed_like), "tf1.13"))
    assert (seg.will_build, seg.reason) == (True, None)


def test_fixed_input_shape_is_the_fix(tf, tmp_path):
    r = run(frozen(tf, tmp_path, seed_like), "tf1.13", max_batch_size=1,
            input_shapes=(("image_tensor", (1, 300, 300, 3)),))
    assert (only_segment(r).will_build, only_segment(r).reason) == (True, None)


def test_tf115_static_engine_fails_before_building(tf, tmp_path):
    """1.15 refuses a static engine with unknown input dims before building it."""
    seg = only_segment(run(frozen(tf, tmp_path, seed_like), "tf1.15", max_batch_size=1))
    assert (seg.will_build, seg.reason) == (False, (
        "Internal: Input shapes must be fully defined when in static mode. Please try "
        "is_dynamic_op=True (shape was [?,?,?,3])"))


def test_int8_calibration_engines(tf, tmp_path):
    """INT8 with calibration makes dynamic engines; TF 1.13 still builds an FP32 engine
    at conversion to validate the segment (so the seed's failure shows), 1.15 does not."""
    path = frozen(tf, tmp_path, seed_like)
    seg13 = only_segment(run(path, "tf1.13", precision="INT8"))
    assert (seg13.will_build, seg13.reason) == (False, SEED_REASON)
    seg15 = only_segment(run(path, "tf1.15", precision="INT8"))
    assert seg15.will_build


def test_tf2_static_engine_input_with_unknown_dims(tf, tmp_path):
    """TF 2.17 excludes nodes with unknown non-batch *output* dims from static engines; a
    Mean over H, W has known output dims but an engine input [?,?,?,3], which its
    CreateTRTNode refuses."""
    def build(tf):
        img = tf.compat.v1.placeholder(tf.uint8, [None, None, None, 3], name="image")
        x = tf.cast(img, tf.float32, name="ToFloat")
        m = tf.reduce_mean(x, axis=[1, 2], name="pool")
        tf.identity(tf.tanh(tf.sigmoid(tf.nn.relu(m, name="relu"), name="sig"), name="tanh"),
                    name="y")

    path = frozen(tf, tmp_path, build)
    r = run(path, "tf2", max_batch_size=1)
    seg = only_segment(r)
    assert seg.inputs == ["ToFloat:0"]
    message = ("Not fully defined input shape when in static mode which should have been "
               "excluded by the segmenter. ")
    assert (seg.will_build, seg.reason) == (False, message)
    assert (f"Cannot replace segment 0 consisting of 5 nodes by {seg.name} reason: {message} "
            "(keeping original segment).") in r.segmentation.notes
    assert only_segment(run(path, "tf2")).will_build


# -- TF 1.13: accepted by name, refused when built -------------------------------------------

def sum_over_batch(tf):
    x = tf.compat.v1.placeholder(tf.float32, [None, 8], name="x")
    s = tf.reduce_sum(tf.sigmoid(tf.nn.relu(x, name="relu"), name="sig"), axis=0, name="sum")
    tf.identity(s, name="y")


def test_tf113_name_only_op_fails_at_build(tf, tmp_path):
    """Sum has no validator in 1.13: a reduction over the batch axis joins the segment and
    sinks the whole engine when it is built."""
    path = frozen(tf, tmp_path, sum_over_batch)
    r = run(path, "tf1.13", max_batch_size=1)
    seg = only_segment(r)
    assert set(seg.nodes) == {"relu", "sig", "sum", "sum/reduction_indices"}
    assert (seg.will_build, seg.reason) == (
        False, "Invalid argument: TRT cannot reduce at batch dimension, atsum")
    # a dynamic engine fails the same way, but at the first inference: TF runs the segment
    rd = run(path, "tf1.13")
    assert only_segment(rd).will_build
    assert any("is built at run time and will fail there: Invalid argument: TRT cannot reduce"
               in n for n in rd.segmentation.notes)
    # 1.15 validates Sum at segmentation
    assert run(path, "tf1.15").decisions["sum"].reason.message == \
        "TensorRT does not allow manipulation of the batch dimension, at sum"


def test_output_that_is_weights_fails(tf, tmp_path):
    """An Identity of a Const is a candidate in TF1 (its input is a Const); when it is
    also an engine output, the engine would output weights."""
    def build(tf):
        x = tf.compat.v1.placeholder(tf.float32, [None, 4], name="x")
        w = tf.identity(const(tf, [1, 4], "w"), name="w_id")
        a = tf.raw_ops.Add(x=x, y=w, name="add")
        tf.identity(tf.nn.relu(a, name="relu"), name="y")
        tf.identity(tf.cumsum(w, axis=1, name="cs"), name="y2")

    path = frozen(tf, tmp_path, build)
    seg = only_segment(run(path, "tf1.13", max_batch_size=1))
    assert set(seg.nodes) == {"w", "w_id", "add", "relu"}
    assert "w_id:0" in seg.outputs
    assert (seg.will_build, seg.reason) == (False, "Invalid argument: Output w_id is weights not tensor")


def test_engine_inputs_disagree_on_batch(tf, tmp_path):
    """Two inputs with known, different batch sizes in one engine (a shared Const glued
    the branches): TF-TRT 1.13's converter takes its batch size from the first."""
    def build(tf):
        x1 = tf.compat.v1.placeholder(tf.float32, [2, 4], name="x1")
        x2 = tf.compat.v1.placeholder(tf.float32, [3, 4], name="x2")
        c = const(tf, [4], "c")
        tf.identity(tf.nn.relu(tf.raw_ops.Add(x=x1, y=c, name="a_add"), name="a_relu"), name="o1")
        tf.identity(tf.sigmoid(tf.multiply(x2, c, name="b_mul"), name="b_sig"), name="o2")

    seg = only_segment(run(frozen(tf, tmp_path, build), "tf1.13", max_batch_size=4))
    assert sorted(seg.inputs) == ["x1:0", "x2:0"]
    batch = {"x1:0": 2, "x2:0": 3}
    first, second = (batch[t] for t in seg.inputs)   # TensorRTInputPH_0, _1
    assert (seg.will_build, seg.reason) == (False, (
        "Invalid argument: Batch size doesn't match for tensor TensorRTInputPH_1: "
        f"Provided batch size does not match converter batch size: {second} vs {first}"))


def test_tf115_segment_without_inputs(tf, tmp_path):
    """Everything in the engine is computed from constants: 1.15 refuses to create the
    TRTEngineOp, static or dynamic."""
    def build(tf):
        a = tf.identity(const(tf, [1, 4], "c1"), name="i1")
        b = tf.identity(const(tf, [1, 4], "c2", 1), name="i2")
        s = tf.raw_ops.Add(x=a, y=b, name="add")
        x = tf.compat.v1.placeholder(tf.float32, [None, 4], name="x")
        tf.identity(tf.cumsum(s, axis=1, name="cs") + x, name="y")

    seg = only_segment(run(frozen(tf, tmp_path, build), "tf1.15"))
    assert set(seg.nodes) == {"c1", "c2", "i1", "i2", "add"}
    assert seg.inputs == []
    assert (seg.will_build, seg.reason) == (
        False, "Internal: Segment has no inputs (possible constfold failure)")


def test_tf113_dilation_warning_does_not_fail(tf, tmp_path):
    def build(tf):
        x = tf.compat.v1.placeholder(tf.float32, [1, 16, 16, 3], name="x")
        c = tf.nn.conv2d(x, const(tf, [3, 3, 3, 4], "w"), [1, 1, 1, 1], "SAME",
                         dilations=[1, 2, 2, 1], name="conv")
        tf.identity(tf.nn.relu(tf.sigmoid(c, name="sig"), name="relu"), name="y")

    r = run(frozen(tf, tmp_path, build), "tf1.13", max_batch_size=1)
    assert only_segment(r).will_build
    assert "TRTEngineOp_0: dilations [1,2,2,1] are ignored by the TF-TRT 1.13 converter (at conv)" \
        in r.segmentation.notes


# -- the seed-like SSD fixture ---------------------------------------------------------------

def unknown_dim(shape):
    """First non-batch dim that is unknown, else None."""
    if shape is None:
        return None
    return next((d for d in range(1, len(shape)) if shape[d] < 0), None)


def static_build_failures(r) -> dict[str, str]:
    """Check every engine of a static (``--max-batch-size``) TF 1.13 analysis against its
    inputs and return the failing ones, name -> reason.

    An engine fed by a tensor with an unknown non-batch dim must fall back to TensorFlow
    with TF-TRT 1.13's own message for its first such input; an engine without one must
    not fail input validation."""
    failures = {}
    for seg in r.segments:
        bad = [(k, ref) for k, ref in enumerate(seg.inputs)
               if unknown_dim(r.shapes.shape(TensorRef.parse(ref))) is not None]
        if not bad:
            assert seg.will_build or not (seg.reason or "").startswith(
                "Invalid argument: Validation failed"), seg
            continue
        k, ref = bad[0]
        shape = r.shapes.shape(TensorRef.parse(ref))
        assert not seg.will_build, seg.name
        assert seg.reason == (
            f"Invalid argument: Validation failed for TensorRTInputPH_{k} and input slot {k}: "
            f"Input tensor with shape {format_shape(shape)} has an unknown non-batch dimension "
            f"at dim {unknown_dim(shape)}")
        failures[seg.name] = seg.reason
    return failures


def test_ssd_fixture_tf113_static_engines():
    """The SSD detector converted as in the seed (TF 1.13, static engines, batch 1): every
    engine fed by a tensor with an unknown non-batch dim falls back to TensorFlow with
    TF-TRT's own message for its first such input; the others build.

    A fixed input shape does not rescue this graph: the Preprocessor resizes each image
    inside a map_fn (a while loop over TensorArrays), and the stacked result that feeds
    the backbone (``Preprocessor/sub``) has no static shape whatever the placeholder says.
    TF-TRT 2.17 agrees: with the placeholder set to [1,300,300,3] it cuts the very same
    293-node engine and leaves ``Preprocessor/sub`` out, as with [?,?,?,3].  Dynamic
    engines build at run time."""
    r = analyze(load_model(SSD), make_target("tf1.13", max_batch_size=1))
    assert r.segments
    failed = static_build_failures(r)
    # the backbone is fed by the preprocessed image [?,?,?,3]: the seed's own failure
    backbone = next(s for s in r.segments if "Preprocessor/sub:0" in s.inputs)
    assert backbone.inputs == ["Preprocessor/sub:0"]
    assert failed[backbone.name] == SEED_REASON
    # the box-predictor heads are reshaped with a runtime batch size: [?,?,C] inputs, so
    # the engine that reads them fails too
    heads = [s for s in r.segments
             if any(ref.startswith("BoxPredictor_") for ref in s.inputs)]
    assert heads and all(s.name in failed for s in heads)

    fixed = analyze(load_model(SSD), make_target(
        "tf1.13", max_batch_size=1, input_shapes=(("image_tensor", (1, 300, 300, 3)),)))
    assert fixed.shapes.shape(TensorRef.parse("image_tensor:0")) == (1, 300, 300, 3)
    # ... but it stops at the map_fn's TensorArray: the stack has no shape, so the image
    # reaches the backbone as [?,?,?,3] again
    assert fixed.shapes.shape(TensorRef.parse(
        "Preprocessor/map/TensorArrayStack/TensorArrayGatherV3:0")) is None
    assert unknown_dim(fixed.shapes.shape(TensorRef.parse("Preprocessor/sub:0"))) == 1
    # so the same engines are cut and fail for the same reasons
    assert [s.nodes for s in fixed.segments] == [s.nodes for s in r.segments]
    assert static_build_failures(fixed) == failed
    # dynamic engines build at run time with real shapes, with or without the fixed input
    for shapes in ((), (("image_tensor", (1, 300, 300, 3)),)):
        dynamic = analyze(load_model(SSD), make_target("tf1.13", input_shapes=shapes))
        assert dynamic.segments and all(s.will_build for s in dynamic.segments)


def test_ssd_fixture_cli_json():
    result = CliRunner().invoke(app, ["analyze", str(SSD), "--profile", "tf1.13",
                                      "--max-batch-size", "1", "--format", "json", "--no-config"])
    assert result.exit_code in (0, 1), result.stderr
    report = json.loads(result.stdout)
    assert report["target"]["profile"] == "tf1.13"
    segs = report["segments"]
    assert [s["name"] for s in segs] == [f"{s['name'].rpartition('TRTEngineOp_')[0]}TRTEngineOp_{k}"
                                         for k, s in enumerate(segs)]
    failing = [s for s in segs if not s["will_build"]]
    assert failing
    for s in failing:
        assert s["reason"].startswith("Invalid argument: Validation failed for TensorRTInputPH_")
        assert "has an unknown non-batch dimension at dim" in s["reason"]
    # the TF1 report counts _SOURCE and _SINK and every excluded input/output
    assert "NoOp" in report["unconverted"]["types"]
    assert "Placeholder" in report["unconverted"]["types"]
