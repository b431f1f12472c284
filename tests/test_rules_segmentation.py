"""TRT5xx segmentation rules: tiny and fragmented engines, the engine cap, shape tensors and
unsupported dtypes at boundaries, engines that fail to build, and the two TF-TRT 2.17
conversion crashes -- checked against the real TF-TRT (CPU oracle) where it is available."""

from __future__ import annotations

import pytest

from test_rules_helpers import GRAPHS, analysis_of, findings, frozen_graph

FUSED = GRAPHS / "conv_bn_fused.pb"
MANY = GRAPHS / "seg_many_engines.pb"
CONTROL = GRAPHS / "seg_control_deps.pb"


# -- TRT501 tiny-engine ------------------------------------------------------------------------

def test_trt501_small_engines_and_small_clusters():
    a = analysis_of(CONTROL)
    found = findings(a, "TRT501")
    engines = {f.segment: f for f in found if f.segment}
    assert set(engines) == {s.name for s in a.segments}
    worst = max(engines.values(), key=lambda f: f.data["crossings"] - f.data["effective_nodes"])
    assert worst.severity == "warning"          # more tensors cross than nodes it holds
    clusters = [f for f in found if "clusters" in f.data]
    assert clusters and "smaller than minimum_segment_size 3" in clusters[0].message


def test_trt501_many_tiny_engines_are_one_finding():
    a = analysis_of(MANY)
    tiny = [f for f in findings(a, "TRT501") if "engines" in f.data]
    assert len(tiny) == 1
    assert all(a.segmentation.segments[0].name.startswith("TRTEngineOp") for _ in tiny)
    sizes = {s.name: s.effective_nodes for s in a.segments}
    assert all(sizes[e] <= 5 for e in tiny[0].data["engines"])


def test_trt501_silent_for_a_network_in_one_engine():
    assert not findings(analysis_of(FUSED), "TRT501")


# -- TRT502 fragmented-engines / TRT503 engine-limit --------------------------------------------

def test_trt502_names_the_op_that_splits_every_block():
    a = analysis_of(MANY)
    [f] = findings(a, "TRT502")
    assert f.data["engines"] == 20
    assert a.graph[f.node].op == "Cumsum"
    assert "(Cumsum)" in f.message


@pytest.mark.tensorflow
def test_trt502_one_engine_with_many_crossings(tmp_path):
    def build(tf):
        x = tf.compat.v1.placeholder(tf.float32, [None, 8], name="x")
        total = None
        for i in range(20):
            branch = tf.nn.relu(tf.raw_ops.Cumsum(x=x * float(i + 1), axis=1))  # TF-only op
            total = branch if total is None else total + branch
        tf.identity(total * 0.5, name="y")

    a = analysis_of(frozen_graph(tmp_path, "crowded", build))
    [f] = findings(a, "TRT502")
    assert f.data["engines"] < 5 and f.data["crossings"] >= 16
    assert a.graph[f.node].op == "Cumsum"


def test_trt502_silent_for_few_engines():
    assert not findings(analysis_of(CONTROL), "TRT502")
    assert not findings(analysis_of(FUSED), "TRT502")


def test_trt503_segments_beyond_twenty_engines():
    a = analysis_of(MANY)
    [f] = findings(a, "TRT503")
    dropped = [d for d in a.segmentation.dropped if d.reason == "max_engines"]
    assert len(f.data["dropped"]) == len(dropped) == 5
    assert "TF_TRT_MAX_ALLOWED_ENGINES" in f.message and f.data["limit"] == 20


def test_trt503_silent_when_the_limit_is_raised():
    assert not findings(analysis_of(MANY, max_engines=40), "TRT503")
    assert not findings(analysis_of(MANY, max_engines=0), "TRT503")


# -- TRT504 shape-tensor-crossing -----------------------------------------------------------------

def shape_graph(tmp_path):
    def build(tf):
        x = tf.compat.v1.placeholder(tf.float32, [None, 8, 4], name="x")
        h = tf.nn.relu(x * 2.0 + 1.0)
        shape = tf.shape(h)
        summed = tf.raw_ops.Cumsum(x=shape, axis=0)          # int32 work TF-TRT leaves to TF
        width = summed[2] - summed[1] + 28                     # 4 + 28 = 32, not foldable
        r = tf.reshape(tf.nn.sigmoid(h) * 3.0, tf.stack([shape[0], width]))
        tf.identity(tf.nn.relu(r * 2.0 + 1.0), name="y")

    return frozen_graph(tmp_path, "shape_crossing", build)


@pytest.mark.tensorflow
def test_trt504_shape_tensors_cross_in_dynamic_shape_mode(tmp_path):
    a = analysis_of(shape_graph(tmp_path), dynamic_shape=True)
    [f] = findings(a, "TRT504")
    assert "Shape:0" in f.data["tensors"] and "Cumsum:0" in f.data["tensors"]
    assert len(f.data["engines"]) >= 2
    assert "Shape:0 [3] out of" in f.message


@pytest.mark.tensorflow
def test_trt504_silent_without_int32_crossings(tmp_path):
    assert not findings(analysis_of(shape_graph(tmp_path)), "TRT504")   # implicit batch
    assert not findings(analysis_of(FUSED, dynamic_shape=True), "TRT504")


# -- TRT505 boundary-dtype -----------------------------------------------------------------------

def argmax_graph(tmp_path, output_type):
    def build(tf):
        x = tf.compat.v1.placeholder(tf.float32, [None, 5, 10], name="x")
        h = tf.nn.relu(x * 2.0 + 1.0)
        labels = tf.argmax(h, axis=-1, output_type=getattr(tf, output_type))
        tf.identity(tf.nn.relu(tf.cast(labels, tf.float32) * 2.0 + 1.0), name="y")

    return frozen_graph(tmp_path, f"argmax_{output_type}", build)


@pytest.mark.tensorflow
def test_trt505_int64_argmax_keeps_its_consumer_out(tmp_path):
    a = analysis_of(argmax_graph(tmp_path, "int64"))
    [f] = findings(a, "TRT505")
    assert f.node == "ArgMax" and f.data["dtype"] == "int64"
    assert f.data["consumers"] == ["Cast"]
    assert "output_type=tf.int32" in f.fix


@pytest.mark.tensorflow
def test_trt505_silent_for_int32_argmax(tmp_path):
    assert not findings(analysis_of(argmax_graph(tmp_path, "int32")), "TRT505")


def test_trt505_float64_model_is_one_finding_per_dtype():
    from test_rules_helpers import corpus

    a = analysis_of(corpus("023_deepmd_custom_ops_fp64.pb"))
    dtypes = [f.data["dtype"] for f in findings(a, "TRT505")]
    assert "float64" in dtypes and len(dtypes) == len(set(dtypes))


# -- TRT506 engine-build-failure --------------------------------------------------------------------

@pytest.mark.tensorflow
def test_trt506_tf113_reduction_over_the_batch_sinks_the_engine(tmp_path):
    def build(tf):
        x = tf.compat.v1.placeholder(tf.float32, [None, 8, 8], name="x")
        h = tf.nn.relu(x * 2.0 + 1.0)
        m = tf.reduce_mean(h, axis=[0], keepdims=True)
        tf.identity(tf.nn.relu(m * 3.0 + h), name="y")

    path = frozen_graph(tmp_path, "mean_over_batch", build)
    a = analysis_of(path, profile="tf1.13", max_batch_size=1)
    [f] = findings(a, "TRT506")
    seg = next(s for s in a.segments if s.name == f.segment)
    assert not seg.will_build and f.data["reason"] == seg.reason
    assert "Mean" in f.message
    assert not findings(a, "TRT101")      # not an unknown-dimension failure


def test_trt506_silent_when_every_engine_builds():
    a = analysis_of(FUSED)
    assert all(s.will_build for s in a.segments) and not findings(a, "TRT506")


def test_trt506_leaves_unknown_dimension_failures_to_trt101():
    a = analysis_of(GRAPHS / "uint8_unknown_dims.pb", profile="tf1.13", max_batch_size=1)
    assert any(not s.will_build for s in a.segments)
    assert findings(a, "TRT101") and not findings(a, "TRT506")


# -- TRT507 empty-axis-reduction-abort / TRT508 select-rank-crash ----------------------------------

def empty_axis_graph(tmp_path):
    def build(tf):
        x = tf.compat.v1.placeholder(tf.float32, [None, 8, 8, 4], name="x")
        s = tf.reduce_sum(tf.nn.relu(x * 2.0), axis=[], name="noop_sum")
        tf.identity(tf.nn.sigmoid(s) + 1.0, name="y")

    return frozen_graph(tmp_path, "empty_axis", build)


def row_select_graph(tmp_path, op="Select"):
    def build(tf):
        x = tf.compat.v1.placeholder(tf.float32, [None, 4, 4], name="x")
        c = tf.compat.v1.placeholder(tf.bool, [None], name="c")
        a, b = tf.nn.relu(x * 2.0), tf.nn.sigmoid(x)
        if op == "Select":
            s = tf.raw_ops.Select(condition=c, x=a, y=b, name="rowselect")
        else:
            s = tf.raw_ops.SelectV2(condition=tf.reshape(c, [-1, 1, 1]), t=a, e=b,
                                    name="rowselect")
        tf.identity(s * 3.0 + 1.0, name="y")

    return frozen_graph(tmp_path, f"row_{op}", build)


@pytest.mark.tensorflow
def test_trt507_empty_axis_reduction_without_grappler(tmp_path):
    path = empty_axis_graph(tmp_path)
    [f] = findings(analysis_of(path, grappler="none"), "TRT507")
    assert f.node == "noop_sum" and f.severity == "error"
    # grappler's constant folding turns the no-op reduction into an Identity first
    assert not findings(analysis_of(path), "TRT507")
    assert not findings(analysis_of(path, profile="tf1.15", grappler="none"), "TRT507")


@pytest.mark.tensorflow
def test_trt508_row_select_in_dynamic_shape_mode(tmp_path):
    path = row_select_graph(tmp_path)
    [f] = findings(analysis_of(path, dynamic_shape=True), "TRT508")
    assert f.node == "rowselect" and "rank-3 branches" in f.message
    assert not findings(analysis_of(path), "TRT508")                       # implicit batch
    v2 = row_select_graph(tmp_path, "SelectV2")
    assert not findings(analysis_of(v2, dynamic_shape=True), "TRT508")


@pytest.mark.oracle
@pytest.mark.tensorflow
def test_trt507_matches_the_real_tftrt_abort(tmp_path):
    from oracle import OracleError, run_oracle

    path = empty_axis_graph(tmp_path)
    with pytest.raises(OracleError) as crash:
        run_oracle(path, no_grappler=True, outputs=["y"])
    assert crash.value.result.get("error_kind") == "crash"
    assert run_oracle(path, outputs=["y"])["segments"]      # with grappler: converts


@pytest.mark.oracle
@pytest.mark.tensorflow
def test_trt508_matches_the_real_tftrt_failure(tmp_path):
    from oracle import OracleError, run_oracle

    path = row_select_graph(tmp_path)
    with pytest.raises(OracleError) as failure:
        run_oracle(path, dynamic_shape=True, outputs=["y"])
    assert "cannot create std::vector larger than max_size()" in str(failure.value)
    assert run_oracle(path, outputs=["y"])["segments"]      # implicit batch converts
