"""The tf1.13 and tf1.15 profiles: TF-TRT 1.x's candidate test, segmenter and reports.

Every test builds a small graph with TensorFlow (graph mode, ``tf.compat.v1``), writes it
as a frozen GraphDef and analyses it with trtlint, which does not import TensorFlow.
Grappler is off (``grappler="none"``) so that what is tested is the TF-TRT part alone;
the graphs use plain Consts, as a frozen-and-folded graph would.  Expectations come from
docs/dev/tf1-tftrt.md (TF 1.13.1 / 1.15.0 sources); where a test contrasts with ``tf2``
the difference is the point.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from trtlint.analysis import analyze
from trtlint.cli import app
from trtlint.load import load_model
from trtlint.target import make_target

pytestmark = pytest.mark.tensorflow
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def tf():
    import os

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")
    return tf


def frozen(tf, tmp_path: Path, build, name: str = "graph") -> Path:
    """Build a graph with ``build(tf)`` in graph mode and write it as ``name.pb``."""
    graph = tf.Graph()
    with graph.as_default():
        build(tf)
    path = tmp_path / f"{name}.pb"
    path.write_bytes(graph.as_graph_def().SerializeToString())
    return path


def run(path: Path, profile: str, outputs=None, **target):
    target.setdefault("grappler", "none")
    return analyze(load_model(path, outputs=outputs), make_target(profile, **target))


def ph(tf, shape, name, dtype=None):
    return tf.compat.v1.placeholder(dtype or tf.float32, shape, name=name)


def const(tf, shape, name, seed=0):
    rng = np.random.default_rng(seed)
    return tf.constant(rng.standard_normal(shape).astype(np.float32), name=name)


def add(tf, x, y, name):
    """TF 1.x's ``Add`` (TF 2.17's ``tf.add`` makes ``AddV2``, which 1.13 does not know)."""
    return tf.raw_ops.Add(x=x, y=y, name=name)


def segment_sets(result) -> list[set[str]]:
    return [set(s.nodes) for s in result.segments]


# -- minimum_segment_size: what counts ----------------------------------------------------

def relu_identity_sigmoid(tf):
    x = ph(tf, [None, 8], "x")
    r = tf.nn.relu(x, name="relu")
    i = tf.identity(r, name="mid")
    s = tf.sigmoid(i, name="sig")
    tf.identity(s, name="y")


def test_tf113_minimum_size_counts_identity(tf, tmp_path):
    """Relu -> Identity -> Sigmoid is 3 nodes but 2 effective ones: TF 1.13 counts every
    member, so the segment stays; 1.15 (and 2.17) count effective nodes and drop it."""
    path = frozen(tf, tmp_path, relu_identity_sigmoid)
    r113 = run(path, "tf1.13")
    assert segment_sets(r113) == [{"relu", "mid", "sig"}]
    assert r113.segments[0].name == "TRTEngineOp_0"
    assert r113.segments[0].effective_nodes == 2
    for profile in ("tf1.15", "tf2"):
        r = run(path, profile)
        assert r.segments == [], profile
        assert [(d.nodes, d.effective_nodes, d.reason) for d in r.segmentation.dropped] == \
            [(["mid", "relu", "sig"], 2, "minimum_segment_size")]


def test_tf113_minimum_size_two_with_identity_only_pair(tf, tmp_path):
    """With minimum_segment_size 2 both releases keep it; the count is what differs."""
    path = frozen(tf, tmp_path, relu_identity_sigmoid)
    assert segment_sets(run(path, "tf1.15", minimum_segment_size=2)) == [{"relu", "mid", "sig"}]
    assert segment_sets(run(path, "tf1.13", minimum_segment_size=4)) == []


# -- candidates -----------------------------------------------------------------------------

def test_placeholders_and_outputs_excluded_and_unconverted_report(tf, tmp_path):
    path = frozen(tf, tmp_path, relu_identity_sigmoid)
    r = run(path, "tf1.13")
    for name in ("x", "y"):
        d = r.decisions[name]
        assert not d.supported and d.reason.message == "excluded by segmenter option"
    # _SOURCE and _SINK (NoOp) are counted; types are listed by name, not by count
    assert r.unconverted.count == 2 + 2
    assert r.unconverted.by_type == {"Identity": 1, "NoOp": 2, "Placeholder": 1}
    assert r.unconverted.types == sorted(r.unconverted.types)


def test_op_not_supported_wording_per_release(tf, tmp_path):
    def build(tf):
        x = ph(tf, [None, 8], "x")
        c = tf.cumsum(tf.nn.relu(x), axis=1, name="cs")
        tf.identity(c, name="y")

    path = frozen(tf, tmp_path, build)
    assert run(path, "tf1.13").decisions["cs"].reason.message == "Op type Cumsum is not supported"
    assert run(path, "tf1.15").decisions["cs"].reason.message == "Op type Cumsum is not supported."


def test_input_conversion_messages_per_release(tf, tmp_path):
    """A rank-1 tensor into Relu: 1.13 wants rank >= 2 and numbers the input; 1.15 takes
    rank 1 but refuses a scalar and names the producer."""
    def build(tf):
        v = ph(tf, [None], "v")
        s = ph(tf, [], "s")
        r1 = tf.nn.relu(tf.nn.relu(v, name="relu_v"), name="relu_v2")
        r2 = tf.nn.relu(tf.sigmoid(s, name="sig_s"), name="relu_s")
        tf.identity(r1, name="y1")
        tf.identity(r2, name="y2")

    path = frozen(tf, tmp_path, build)
    r113, r115 = run(path, "tf1.13"), run(path, "tf1.15")
    assert r113.decisions["relu_v"].reason.message == (
        "Failed to convert input with index 0 to a TRT_TensorOrWeights: Input tensor with rank<2 "
        "is not supported since the first dimension is treated as batch dimension by TRT")
    assert r115.decisions["relu_v"].supported
    assert r115.decisions["sig_s"].reason.message == (
        "Failed to convert input s to a TRT_TensorOrWeights: Scalar input tensor is not "
        "supported since the first dimension is treated as batch dimension by TRT")


def test_tf1_const_means_a_const_op(tf, tmp_path):
    """TF1's validators do not look through Identity: a filter behind an Identity (an
    unfolded ``weights/read``) is not constant weights.  TF 2.17's does look through."""
    def build(tf):
        x = ph(tf, [None, 16, 16, 3], "x")
        w = tf.identity(const(tf, [3, 3, 3, 4], "w"), name="w_read")
        c = tf.nn.conv2d(x, w, strides=[1, 1, 1, 1], padding="SAME", name="conv")
        tf.identity(tf.nn.relu(c, name="relu"), name="y")

    path = frozen(tf, tmp_path, build)
    r113 = run(path, "tf1.13")
    assert r113.decisions["conv"].reason.message == "Kernel for Conv2D must be constant weights, at conv"
    assert run(path, "tf1.15").decisions["conv"].reason.message == \
        'The input "filter" for Conv2D must be a constant, at conv'
    assert run(path, "tf2").decisions["conv"].supported


def test_tf1_has_no_device_or_dynamic_dimension_checks(tf, tmp_path):
    """A CPU-pinned node is a TF1 candidate (2.17: "node can't be placed on GPU"), and a
    static-engine node with unknown non-batch dims is too (2.17 excludes it)."""
    def build(tf):
        x = ph(tf, [None, None, 8], "x")
        with tf.device("/device:CPU:0"):
            r = tf.nn.relu(x, name="relu")
        s = tf.sigmoid(r, name="sig")
        t = tf.tanh(s, name="tanh")
        tf.identity(t, name="y")

    path = frozen(tf, tmp_path, build)
    for profile in ("tf1.13", "tf1.15"):
        r = run(path, profile, max_batch_size=1)
        assert segment_sets(r) == [{"relu", "sig", "tanh"}], profile
    r2 = run(path, "tf2", max_batch_size=1)
    assert r2.decisions["relu"].reason.message == "node can't be placed on GPU"
    assert r2.decisions["sig"].reason.message == "dynamic non-batch dimensions not allowed"


def test_tf113_validator_and_name_only_tiers(tf, tmp_path):
    """FusedBatchNorm has a 1.13 validator (NHWC refused at segmentation); Mean has none
    (accepted by name, even over the batch axis, which fails only when built)."""
    def build(tf):
        x = ph(tf, [None, 8, 8, 4], "x")
        bn = tf.raw_ops.FusedBatchNorm(
            x=x, scale=const(tf, [4], "scale", 1), offset=const(tf, [4], "offset", 2),
            mean=const(tf, [4], "mean", 3), variance=tf.constant(np.ones(4, np.float32), name="var"),
            is_training=False, name="bn").y
        m = tf.reduce_mean(tf.nn.relu(x, name="relu"), axis=0, name="mean_b")
        tf.identity(bn, name="y1")
        tf.identity(m, name="y2")

    path = frozen(tf, tmp_path, build)
    r = run(path, "tf1.13")
    assert r.decisions["bn"].reason.message == "FusedBatchNorm only supports data_format=NCHW, at bn"
    assert r.decisions["mean_b"].supported
    r15 = run(path, "tf1.15")
    assert r15.decisions["mean_b"].reason.message == \
        "TensorRT does not allow manipulation of the batch dimension, at mean_b"


# -- segmentation -----------------------------------------------------------------------------

def shared_const_branches(tf, with_outside_use: bool):
    x1 = ph(tf, [None, 4], "x1")
    x2 = ph(tf, [None, 4], "x2")
    c = const(tf, [4], "c")
    a = tf.nn.relu(add(tf, x1, c, "a_add"), name="a_relu")
    b = tf.sigmoid(tf.multiply(x2, c, name="b_mul"), name="b_sig")
    tf.identity(a, name="out_a")
    tf.identity(b, name="out_b")
    if with_outside_use:
        tf.identity(tf.cumsum(c, name="c_cumsum"), name="out_c")


@pytest.mark.parametrize("profile", ["tf1.13", "tf1.15"])
def test_shared_const_merges_unrelated_subgraphs(tf, tmp_path, profile):
    """Two branches that share nothing but a Const become ONE engine: the Const is
    processed after its consumers and absorbs both."""
    path = frozen(tf, tmp_path, lambda tf: shared_const_branches(tf, False))
    r = run(path, profile)
    assert segment_sets(r) == [{"c", "a_add", "a_relu", "b_mul", "b_sig"}]
    seg = r.segments[0]
    assert seg.root == "c"
    assert sorted(seg.inputs) == ["x1:0", "x2:0"]
    assert sorted(seg.outputs) == ["a_relu:0", "b_sig:0"]


def test_shared_const_used_outside_leaves_but_pieces_stay_together(tf, tmp_path):
    """When the Const also feeds a node outside, it is removed from the segment (a
    segment may not output a Const) and copied in instead — the two pieces it glued stay
    one engine."""
    path = frozen(tf, tmp_path, lambda tf: shared_const_branches(tf, True))
    r = run(path, "tf1.13")
    assert segment_sets(r) == [{"a_add", "a_relu", "b_mul", "b_sig"}]
    assert "c" in r.segmentation.removed_from_segments
    assert r.segments[0].const_inputs == ["c"]


def scoped_graph(tf):
    x = ph(tf, [None, 4], "x")
    with tf.name_scope("outer"):
        with tf.name_scope("inner_a"):
            c1 = const(tf, [4], "w")
            a = tf.nn.relu(add(tf, x, c1, "add"), name="relu")
        with tf.name_scope("inner_b"):
            b = tf.sigmoid(a, name="sig")
            t = tf.tanh(b, name="tanh")
    u = tf.cumsum(t, axis=1, name="split_here")
    with tf.name_scope("top"):
        c2 = const(tf, [4], "w", 1)
        v = tf.nn.relu(add(tf, u, c2, "add"), name="relu")
    c3 = const(tf, [4], "w_top", 2)
    z = tf.sigmoid(tf.multiply(v, c3, name="top/mul"), name="top/sig")
    tf.identity(z, name="y")


def test_engine_names_carry_the_common_scope(tf, tmp_path):
    """``{scope}TRTEngineOp_{t}``: the scope common to the members and the Consts copied
    in; a top-level Const input (``w_top``) pulls the scope up to ''."""
    path = frozen(tf, tmp_path, scoped_graph)
    r = run(path, "tf1.15")
    names = {s.name: set(s.nodes) for s in r.segments}
    assert names == {
        "outer/TRTEngineOp_0": {"outer/inner_a/w", "outer/inner_a/add", "outer/inner_a/relu",
                                "outer/inner_b/sig", "outer/inner_b/tanh"},
        "TRTEngineOp_1": {"top/w", "top/add", "top/relu", "top/mul", "top/sig", "w_top"},
    }
    # TF 2.17 names engines TRTEngineOp_<graph>_<segment>, without scope
    assert [s.name for s in run(path, "tf2").segments] == ["TRTEngineOp_000_000",
                                                           "TRTEngineOp_000_001"]


def test_segments_ordered_by_root_name(tf, tmp_path):
    """Segment numbers follow the union-find root's name (the member nearest the inputs),
    not the graph order."""
    def build(tf):
        x = ph(tf, [None, 4], "x")
        a = tf.tanh(tf.sigmoid(tf.nn.relu(x, name="z_first"), name="z_2"), name="z_3")
        b = tf.cumsum(a, axis=1, name="cut")
        c = tf.tanh(tf.sigmoid(tf.nn.relu(b, name="a_second"), name="a_2"), name="a_3")
        tf.identity(c, name="y")

    r = run(frozen(tf, tmp_path, build), "tf1.13")
    assert [(s.name, s.root) for s in r.segments] == [("TRTEngineOp_0", "a_second"),
                                                      ("TRTEngineOp_1", "z_first")]


def many_blocks(tf, n: int = 24):
    h = ph(tf, [None, 8], "x")
    for k in range(n):
        h = tf.tanh(tf.sigmoid(tf.nn.relu(h, name=f"b{k:02d}/relu"), name=f"b{k:02d}/sig"),
                    name=f"b{k:02d}/tanh")
        h = tf.cumsum(h, axis=1, name=f"b{k:02d}/cut")
    tf.identity(h, name="y")


def test_no_engine_cap_in_tf1(tf, tmp_path):
    """TF 2.17 keeps at most 20 engines (TF_TRT_MAX_ALLOWED_ENGINES); 1.x has no cap."""
    path = frozen(tf, tmp_path, many_blocks)
    for profile in ("tf1.13", "tf1.15"):
        r = run(path, profile)
        assert len(r.segments) == 24, profile
        assert [s.name for s in r.segments] == [f"b{k:02d}/TRTEngineOp_{k}" for k in range(24)]
        assert not r.segmentation.dropped
    r2 = run(path, "tf2")
    assert len(r2.segments) == 20
    assert {d.reason for d in r2.segmentation.dropped} == {"max_engines"}


def test_cycle_is_avoided(tf, tmp_path):
    """relu -> cumsum -> add and relu -> add directly: merging relu and add would put
    the unsupported cumsum on a cycle through the engine."""
    def build(tf):
        x = ph(tf, [None, 4], "x")
        r = tf.sigmoid(tf.nn.relu(x, name="relu"), name="sig")
        c = tf.cumsum(r, axis=1, name="cs")
        a = add(tf, r, c, "add")
        tf.identity(tf.tanh(tf.nn.relu(a, name="relu2"), name="tanh2"), name="y")

    r = run(frozen(tf, tmp_path, build), "tf1.13")
    assert segment_sets(r) == [{"add", "relu2", "tanh2"}]
    assert [d.nodes for d in r.segmentation.dropped] == [["relu", "sig"]]


# -- the CLI --------------------------------------------------------------------------------

def test_cli_analyze_tf113_json(tf, tmp_path):
    """``trtlint analyze --profile tf1.13 --max-batch-size 1 --format json``: the report
    carries the TF1 names, static-engine build failures and the TF1 unconverted count."""
    def build(tf):
        img = ph(tf, [None, None, None, 3], "image_tensor", tf.uint8)
        x = tf.cast(img, tf.float32, name="ToFloat")
        c = tf.nn.conv2d(x, const(tf, [3, 3, 3, 8], "conv/w"), [1, 1, 1, 1], "SAME",
                         name="conv/Conv2D")
        b = tf.nn.bias_add(c, const(tf, [8], "conv/b"), name="conv/BiasAdd")
        tf.identity(tf.nn.relu6(b, name="conv/Relu6"), name="features")

    path = frozen(tf, tmp_path, build)
    result = CliRunner().invoke(app, ["analyze", str(path), "--profile", "tf1.13",
                                      "--max-batch-size", "1", "--no-grappler",
                                      "--format", "json", "--no-config"])
    assert result.exit_code in (0, 1), result.stderr
    report = json.loads(result.stdout)
    assert report["target"]["profile"] == "tf1.13"
    assert report["target"]["max_batch_size"] == 1
    [seg] = report["segments"]
    assert seg["name"] == "conv/TRTEngineOp_0"
    assert set(seg["nodes"]) == {"conv/Conv2D", "conv/BiasAdd", "conv/Relu6", "conv/w", "conv/b"}
    assert seg["inputs"] == ["ToFloat:0"]
    assert seg["will_build"] is False
    assert seg["reason"] == (
        "Invalid argument: Validation failed for TensorRTInputPH_0 and input slot 0: Input "
        "tensor with shape [?,?,?,3] has an unknown non-batch dimension at dim 1")
    # image_tensor, ToFloat, features + _SOURCE/_SINK
    assert report["unconverted"]["count"] == 5
    assert report["unconverted"]["types"] == ["Cast", "Identity", "NoOp", "Placeholder"]


def test_cli_rules_load_for_every_profile():
    """Every profile's rules load (the TF1 ones use predicates of their own)."""
    from trtlint.support.ruleset import load_ruleset

    for profile in ("tf2", "tf1.15", "tf1.13"):
        rules = load_ruleset(profile)
        assert rules.ops, profile
    r13 = load_ruleset("tf1.13")
    assert {r.tier for rs in r13.ops.values() for r in rs} == {"validated", "name_only"}
    assert [r.check for r in r13.engine_requirements] == ["engine_input_dims_known",
                                                          "engine_inputs_same_batch"]
    assert not load_ruleset("tf1.15").steps.device_check
    assert load_ruleset("tf2").steps.device_check


# -- converter conditions, one op at a time -----------------------------------------------------
# Each case: a builder making node "op" (fed by placeholders, inputs of the right rank), and
# the decision per profile: True (a candidate) or TF-TRT's reason text.

def slice_op(tf, x_shape, spec):
    x = ph(tf, x_shape, "x")
    begin, end, strides, masks = spec
    y = tf.raw_ops.StridedSlice(input=x, begin=tf.constant(begin, name="b"),
                                end=tf.constant(end, name="e"),
                                strides=tf.constant(strides, name="s"), name="op", **masks)
    tf.identity(y, name="y")


def reshape_op(tf, x_shape, target):
    x = ph(tf, x_shape, "x")
    tf.identity(tf.reshape(x, tf.constant(target, name="t"), name="op"), name="y")


def concat_op(tf, axis):
    x1, x2 = ph(tf, [None, 4, 8], "x1"), ph(tf, [None, 4, 8], "x2")
    tf.identity(tf.concat([tf.nn.relu(x1), tf.nn.relu(x2)], axis=axis, name="op"), name="y")


def squeeze_op(tf, axis):
    x = ph(tf, [None, 4, 1], "x")
    tf.identity(tf.squeeze(tf.nn.relu(x), axis=axis, name="op"), name="y")


def pad_op(tf, paddings):
    x = ph(tf, [None, 8, 8, 3], "x")
    tf.identity(tf.pad(tf.nn.relu(x), tf.constant(paddings, name="p"), name="op"), name="y")


def binary_op(tf, shape_a, shape_b=None, const_b=None, dtype=None):
    dtype = dtype or tf.float32
    a = ph(tf, shape_a, "a", dtype)
    b = tf.constant(np.ones(const_b, np.float32), name="w") if const_b is not None \
        else ph(tf, shape_b, "b", dtype)
    tf.identity(add(tf, tf.identity(a, name="a_id"), b if const_b is not None else
                    tf.identity(b, name="b_id"), "op"), name="y")


def matmul_op(tf, b_const: bool, transpose_a: bool = False):
    a = tf.nn.relu(ph(tf, [None, 8], "a"))
    b = const(tf, [8, 4], "w") if b_const else tf.nn.relu(ph(tf, [None, 4], "b"))
    if not b_const:
        b = tf.reshape(b, [8, -1])
    tf.identity(tf.linalg.matmul(a if not transpose_a else tf.transpose(a), b,
                                 transpose_a=transpose_a, name="op"), name="y")


def argmax_op(tf, output_type):
    x = ph(tf, [None, 4, 8], "x")
    tf.identity(tf.math.argmax(tf.nn.relu(x), axis=2, output_type=output_type, name="op"),
                name="y")


def split_op(tf, x_shape):
    x = ph(tf, x_shape, "x")
    parts = tf.split(tf.nn.relu(x), 2, axis=2, name="op")
    tf.identity(parts[0] + parts[1], name="y")


def gather_op(tf, indices_shape):
    x = ph(tf, [None, 8], "x")
    i = tf.compat.v1.placeholder(tf.int32, indices_shape, name="i")
    tf.identity(tf.gather(tf.nn.relu(x), tf.identity(i), axis=1, name="op"), name="y")


BATCH_AXIS_115 = "TensorRT does not allow manipulation of the batch dimension, at op"
CASES = {
    # StridedSlice: TF1 (1.13) can only slice known dims, needs dim 0 masked when unknown
    "slice_masked_batch": (lambda tf: slice_op(tf, [None, 8, 4], ([0, 2, 0], [0, 6, 0], [1, 1, 1],
                                                dict(begin_mask=5, end_mask=5))),
                           {"tf1.13": True, "tf1.15": True}),
    "slice_batch_not_masked": (lambda tf: slice_op(tf, [None, 8, 4], ([0, 2, 0], [0, 6, 0], [1, 1, 1],
                                                    dict(begin_mask=4, end_mask=5))),
                               {"tf1.13": "begin value of 0 for StridedSlice is invalid, must be in "
                                          "the range [-dim_size(i), dim_size(i)], at op",
                                "tf1.15": True}),
    "slice_batch_end_not_masked": (lambda tf: slice_op(tf, [None, 8, 4], ([0, 2, 0], [1, 6, 0],
                                                        [1, 1, 1], dict(begin_mask=5, end_mask=4))),
                                   {"tf1.13": "end value of 1 for StridedSlice is invalid, must be "
                                              "in the range [-dim_size(i), dim_size(i)], at op",
                                    "tf1.15": "TensorRT does not allow modifications to the batch "
                                              "dimension, at op"}),
    "slice_unknown_dim": (lambda tf: slice_op(tf, [None, None, 4], ([0, 2, 0], [0, 6, 0], [1, 1, 1],
                                               dict(begin_mask=5, end_mask=5))),
                          {"tf1.13": "begin value of 2 for StridedSlice is invalid, must be in the "
                                     "range [-dim_size(i), dim_size(i)], at op",
                           "tf1.15": '"begin" for dimension 1 in StridedSlice is out of range, at op'}),
    "slice_stride_2": (lambda tf: slice_op(tf, [None, 8, 4], ([0, 0, 0], [0, 8, 0], [1, 2, 1],
                                            dict(begin_mask=5, end_mask=5))),
                       {"tf1.13": "StridedSlice is only implemented for stride of 1, at op",
                        "tf1.15": True}),
    # Reshape: the product of no dims is 0 in 1.13 and 1 in 1.15
    "reshape_flatten": (lambda tf: reshape_op(tf, [None, 4, 8], [-1, 32]),
                        {"tf1.13": True, "tf1.15": True}),
    "reshape_to_vector": (lambda tf: reshape_op(tf, [None, 1], [-1]),
                          {"tf1.13": "Reshape on batch dimension is not supported, at op",
                           "tf1.15": True}),
    "reshape_batch_into_rows": (lambda tf: reshape_op(tf, [None, 4, 8], [-1, 8]),
                                {"tf1.13": "Reshape on batch dimension is not supported, at op",
                                 "tf1.15": "Reshape on batch dimension is not supported, at op. "
                                           "input_batch_dim=-1, nvinfer1::Dims(nbDims=2, d=4,8,); "
                                           "reshape_batch_dim=-1, nvinfer1::Dims(nbDims=1, d=8,)"}),
    # ConcatV2 / Squeeze / Pad around the batch dim
    "concat_axis_1": (lambda tf: concat_op(tf, 1), {"tf1.13": True, "tf1.15": True}),
    "concat_axis_0": (lambda tf: concat_op(tf, 0),
                      {"tf1.13": "Concatenate on batch dimension not supported, at op",
                       "tf1.15": BATCH_AXIS_115}),
    "squeeze_axis_2": (lambda tf: squeeze_op(tf, [2]), {"tf1.13": True, "tf1.15": True}),
    "squeeze_all": (lambda tf: squeeze_op(tf, None),
                    {"tf1.13": "Squeeze is only implemented for explicit dims, at op",
                     "tf1.15": "Squeeze is only implemented for explicit dims, at op"}),
    "pad_hw": (lambda tf: pad_op(tf, [[0, 0], [1, 1], [1, 1], [0, 0]]), {"tf1.13": True, "tf1.15": True}),
    "pad_batch": (lambda tf: pad_op(tf, [[1, 1], [0, 0], [1, 1], [0, 0]]),
                  {"tf1.13": "Padding layer does not support padding on batch dimension",
                   "tf1.15": "Padding layer does not support padding on batch dimension"}),
    "pad_three_dims": (lambda tf: pad_op(tf, [[0, 0], [1, 1], [1, 1], [1, 1]]),
                       {"tf1.13": "Padding layer does not support padding on > 2",
                        "tf1.15": "Padding layer does not support padding on > 2"}),
    # broadcasting: unknown dims only match themselves (or 1)
    "add_same_unknown": (lambda tf: binary_op(tf, [None, None, 8], [None, None, 8]),
                         {"tf1.13": True, "tf1.15": True}),
    "add_unknown_vs_known": (lambda tf: binary_op(tf, [None, None, 8], [None, 4, 8]),
                             {"tf1.13": "Unsupported binary op broadcast scheme for op op: "
                                        "Infeasible broadcast scheme (batch_dim: -1, "
                                        "nvinfer1::Dims(nbDims=2, d=-1,8,) vs batch_dim: -1, "
                                        "nvinfer1::Dims(nbDims=2, d=4,8,))",
                              "tf1.15": "Infeasible broadcast scheme (batch_dim: -1, "
                                        "nvinfer1::Dims(nbDims=2, d=-1,8,) vs batch_dim: -1, "
                                        "nvinfer1::Dims(nbDims=2, d=4,8,))"}),
    "add_channel_weights": (lambda tf: binary_op(tf, [None, 4, None, None], const_b=[4, 1, 1]),
                            {"tf1.13": True, "tf1.15": True}),
    # MatMul: tensor x Const only
    "matmul_const": (lambda tf: matmul_op(tf, True), {"tf1.13": True, "tf1.15": True}),
    "matmul_tensors": (lambda tf: matmul_op(tf, False),
                       {"tf1.13": "Input expects tensor and weights, at op",
                        "tf1.15": "Second input must either be a constant, or contain at least 2 "
                                  "non-batch dimensions."}),
    # ArgMax exists from 1.15 on, and only with an int32 output
    "argmax_int64": (lambda tf: argmax_op(tf, tf.int64),
                     {"tf1.13": "Op type ArgMax is not supported",
                      "tf1.15": "Output type int64 is not supported, at op"}),
    "argmax_int32": (lambda tf: argmax_op(tf, tf.int32), {"tf1.15": True}),
    # Split (1.15): every non-batch dim must be known
    "split_known": (lambda tf: split_op(tf, [None, 3, 8]), {"tf1.15": True}),
    "split_unknown_dim": (lambda tf: split_op(tf, [None, None, 8]),
                          {"tf1.15": '"begin" for dimension 1 in Split is out of range, at op'}),
    # GatherV2 (1.15) on a tensor: indices with batch dim exactly 1
    "gather_indices_batch_1": (lambda tf: gather_op(tf, [1, 2]), {"tf1.15": True}),
    "gather_indices_unknown": (lambda tf: gather_op(tf, [None, 2]),
                               {"tf1.15": "Indices must have a batch size of 1 when params is a "
                                          "tensor."}),
    # 1.15 checks T: int32 arithmetic stays in TensorFlow
    "add_int32": (lambda tf: binary_op(tf, [None, 8], [None, 8], dtype=tf.int32),
                  {"tf1.13": True,
                   "tf1.15": "Data type int32 is not supported for Add, must be one of "
                             "[float, half], at op"}),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_converter_conditions(tf, tmp_path, case):
    build, expected = CASES[case]
    path = frozen(tf, tmp_path, build)
    for profile, want in expected.items():
        d = run(path, profile).decisions["op"]
        got = True if d.supported else d.reason.message
        assert got == want, (profile, got)


def test_fp16_constant_in_half_val(tf, tmp_path):
    """TF-TRT 1.13's Const converter refuses float16 values stored in half_val (how small
    half constants are stored); 1.15 takes them."""
    def build(tf):
        x = ph(tf, [None, 4], "x", tf.float16)
        c = tf.constant(2.0, dtype=tf.float16, name="half")
        tf.identity(tf.multiply(tf.nn.relu(x, name="relu"), c, name="op"), name="y")

    path = frozen(tf, tmp_path, build)
    r13 = run(path, "tf1.13")
    assert r13.decisions["half"].reason.message == "fp16 constant is not supported yet."
    assert r13.decisions["op"].reason.message == (
        "Failed to convert input with index 1 to a TRT_TensorOrWeights: "
        "fp16 constant is not supported yet.")
    assert run(path, "tf1.15").decisions["op"].supported
