"""TRT3xx quantization rules: the seed's empty-range crash, collapsed ranges, FakeQuant
ranges, INT8 without ranges, QDQ mode switches, the fp16 QDQ abort, graph-transform ops."""

from __future__ import annotations

import pytest

from trtlint.insights import possibly_empty_nodes

from test_rules_helpers import GRAPHS, analysis_of, corpus, findings, frozen_graph

SSD_Q = GRAPHS / "ssd_inception_v2_like_quantized_area.pb"
SSD = GRAPHS / "ssd_inception_v2_like.pb"
MLP_Q = GRAPHS / "gtt_quantized_mlp.pb"
CONV_Q = GRAPHS / "gtt_quantized_conv.pb"
FAKEQUANT = GRAPHS / "fakequant.pb"
FUSED = GRAPHS / "conv_bn_fused.pb"


def runtime_quantize(tf, value, name):
    """What quantize_nodes emits: QuantizeV2 with a range computed from the tensor itself."""
    flat = tf.reshape(value, [-1])
    lo = tf.reduce_min(flat, axis=0, name=f"{name}/min")
    hi = tf.reduce_max(flat, axis=0, name=f"{name}/max")
    q = tf.quantization.quantize(value, lo, hi, tf.quint8, name=f"{name}/quantize")
    return tf.quantization.dequantize(q.output, q.output_min, q.output_max, name=f"{name}/deq")


# -- TRT301 quantize-empty-input ---------------------------------------------------------------

def test_trt301_seed_crash_in_the_nms_loop():
    a = analysis_of(SSD_Q)
    [f] = findings(a, "TRT301")
    assert f.severity == "error"
    assert "input_max_range must be larger than input_min_range" in f.message
    assert "ClipToWindow/Area/mul_eightbit" in f.node
    assert len(f.data["nodes"]) == 48          # Area/sub and Area/sub_1 of 24 classes
    origin = a.graph[f.data["empty_origin"]]
    assert origin.op == "Where"
    assert all(a.graph[n].op == "QuantizeV2" for n in f.data["nodes"])


def test_trt301_emptiness_flows_from_where_through_gather_split_and_sub():
    a = analysis_of(SSD_Q)
    empty = possibly_empty_nodes(a)
    sub = "Postprocessor/BatchMultiClassNonMaxSuppression/map/while/MultiClassNonMaxSuppression/" \
          "ClipToWindow_7/Area/sub"
    assert sub in empty and a.graph[empty[sub]].op == "Where"
    # a reduction ends it: Min of an empty tensor is a scalar, not an empty tensor
    mins = [n for n in a.graph.nodes if n.endswith("Area/sub/min")]
    assert mins and not any(m in empty for m in mins)


def test_trt301_silent_where_inputs_cannot_be_empty():
    assert not findings(analysis_of(MLP_Q), "TRT301")
    assert not findings(analysis_of(CONV_Q), "TRT301")
    assert not findings(analysis_of(SSD), "TRT301")


@pytest.mark.tensorflow
def test_trt301_boolean_mask_then_quantize(tmp_path):
    def build(tf):
        x = tf.compat.v1.placeholder(tf.float32, [None, 4], name="x")
        kept = tf.boolean_mask(x, x[:, 0] > 0.5)
        tf.identity(runtime_quantize(tf, kept, "kept"), name="y")

    a = analysis_of(frozen_graph(tmp_path, "mask_quantize", build))
    [f] = findings(a, "TRT301")
    assert f.node == "kept/quantize"
    assert a.graph[f.data["empty_origin"]].op == "Where"


@pytest.mark.tensorflow
def test_trt301_frozen_range_is_safe(tmp_path):
    def build(tf):
        x = tf.compat.v1.placeholder(tf.float32, [None, 4], name="x")
        kept = tf.boolean_mask(x, x[:, 0] > 0.5)
        q = tf.quantization.quantize(kept, -1.0, 1.0, tf.quint8, name="quantize")
        tf.identity(tf.quantization.dequantize(q.output, q.output_min, q.output_max), name="y")

    assert not findings(analysis_of(frozen_graph(tmp_path, "fixed_range", build)), "TRT301")


# -- TRT302 collapsed-quantize-range -----------------------------------------------------------

@pytest.mark.tensorflow
def test_trt302_zeros_like_is_widened_not_a_crash(tmp_path):
    def build(tf):
        x = tf.compat.v1.placeholder(tf.float32, [None, 4], name="x")
        z = tf.zeros_like(x, name="zeros_like")
        tf.identity(runtime_quantize(tf, z, "z") + x, name="y")

    a = analysis_of(frozen_graph(tmp_path, "zeros_quantize", build))
    [f] = findings(a, "TRT302")
    assert f.severity == "info" and f.node == "z/quantize"
    assert "ZerosLike zeros_like" in f.message and "no crash" in f.message
    assert not findings(a, "TRT301")


@pytest.mark.tensorflow
def test_trt302_equal_constant_range(tmp_path):
    def build(tf):
        x = tf.compat.v1.placeholder(tf.float32, [None, 4], name="x")
        q = tf.quantization.quantize(x, 0.5, 0.5, tf.quint8, name="quantize")
        tf.identity(tf.quantization.dequantize(q.output, q.output_min, q.output_max), name="y")

    [f] = findings(analysis_of(frozen_graph(tmp_path, "point_range", build)), "TRT302")
    assert "both 0.5" in f.message


def test_trt302_silent_on_data_ranges():
    assert not findings(analysis_of(MLP_Q), "TRT302")
    assert not findings(analysis_of(SSD_Q), "TRT302")


# -- TRT303 fake-quant-range -----------------------------------------------------------------

def test_trt303_collapsed_range_through_read_identities():
    a = analysis_of(FAKEQUANT)
    [f] = findings(a, "TRT303")
    assert f.node == "act2/FakeQuantWithMinMaxVars" and f.severity == "error"
    assert "min == max == 0.5" in f.message and "NaN" in f.message
    # In the frozen graph the range reaches the node through "<variable>/read" Identity
    # nodes; without grappler to remove them the rule looks through them.
    assert a.model.graph[a.model.graph[f.node].inputs[1].node].op == "Identity"
    raw = analysis_of(FAKEQUANT, grappler="none")
    assert raw.graph[raw.graph[f.node].inputs[1].node].op == "Identity"
    assert [g.node for g in findings(raw, "TRT303")] == [f.node]


@pytest.mark.tensorflow
def test_trt303_inverted_missing_and_args_ranges(tmp_path):
    def build(tf):
        x = tf.compat.v1.placeholder(tf.float32, [None, 4], name="x")
        lo = tf.compat.v1.placeholder(tf.float32, [], name="lo")
        a = tf.quantization.fake_quant_with_min_max_vars(x, 1.0, -1.0, name="inverted")
        b = tf.quantization.fake_quant_with_min_max_vars(x, lo, 1.0, name="from_feed")
        c = tf.quantization.fake_quant_with_min_max_args(x, min=2.0, max=2.0, name="args")
        tf.identity(a + b + c, name="y")

    path = frozen_graph(tmp_path, "fake_quant_ranges", build)
    by_node = {f.node: f for f in findings(analysis_of(path, precision="INT8"), "TRT303")}
    assert "min 1.0 > max -1.0" in by_node["inverted"].message
    assert by_node["inverted"].severity == "error"
    assert by_node["from_feed"].severity == "warning"
    assert "min is not a constant" in by_node["from_feed"].message
    assert by_node["args"].severity == "error" and "TensorFlow rejects" in by_node["args"].message
    fp32 = {f.node: f for f in findings(analysis_of(path), "TRT303")}
    assert fp32["from_feed"].severity == "info"   # only INT8 reads the range


def test_trt303_silent_on_valid_qat_ranges():
    assert not findings(analysis_of(corpus("012_edgetpu_qat_fakequant_mlp.pb")), "TRT303")
    assert not findings(analysis_of(FUSED), "TRT303")


# -- TRT304 int8-without-ranges ----------------------------------------------------------------

def test_trt304_int8_without_calibration_or_qdq_builds_fp16():
    a = analysis_of(FUSED, precision="INT8", use_calibration=False)
    [f] = findings(a, "TRT304")
    assert "Set engine precision to FP16 due to missing QDQ OP" in f.message
    assert "calibration_input_fn" in f.fix


def test_trt304_silent_with_calibration_or_ranges():
    assert not findings(analysis_of(FUSED, precision="INT8"), "TRT304")
    assert not findings(analysis_of(FAKEQUANT, precision="INT8", use_calibration=False), "TRT304")
    assert not findings(analysis_of(FUSED, precision="FP16", use_calibration=False), "TRT304")


# -- TRT305 qdq-forces-int8 ------------------------------------------------------------------------

def test_trt305_qdq_v2_switches_to_int8():
    a = analysis_of(FAKEQUANT, precision="FP16")
    [f] = findings(a, "TRT305")
    assert f.node == "qdq_v2/QuantizeAndDequantizeV2"
    assert "the engines are INT8, not FP16" in f.message


def test_trt305_silent_when_int8_or_without_qdq():
    assert not findings(analysis_of(FAKEQUANT, precision="INT8"), "TRT305")
    assert not findings(analysis_of(FUSED, precision="FP16"), "TRT305")
    assert not findings(analysis_of(FAKEQUANT, profile="tf1.15"), "TRT305")


# -- TRT306 fp16-qdq-abort -------------------------------------------------------------------------

def qdq_graph(tmp_path, dtype_name):
    def build(tf):
        dtype = getattr(tf, dtype_name)
        x = tf.compat.v1.placeholder(tf.float32, [None, 8, 8, 4], name="x")
        h = tf.cast(tf.nn.relu(x), dtype)
        # the raw op: tf.quantization.quantize_and_dequantize_v2 emits QuantizeAndDequantizeV4
        q = tf.raw_ops.QuantizeAndDequantizeV2(
            input=h, input_min=tf.constant(-1.0, dtype), input_max=tf.constant(1.0, dtype),
            range_given=True, name="qdq")
        tf.identity(tf.cast(q, tf.float32) * 2.0, name="y")

    return frozen_graph(tmp_path, f"qdq_{dtype_name}", build)


@pytest.mark.tensorflow
def test_trt306_float16_qdq_aborts_conversion(tmp_path):
    a = analysis_of(qdq_graph(tmp_path, "float16"))
    [f] = findings(a, "TRT306")
    assert f.node == "qdq" and f.severity == "error"
    assert "aborts" in f.message


@pytest.mark.tensorflow
def test_trt306_float32_qdq_is_fine(tmp_path):
    path = qdq_graph(tmp_path, "float32")
    assert not findings(analysis_of(path), "TRT306")
    assert findings(analysis_of(path), "TRT305")   # but it still forces INT8


# -- TRT307 graph-transform-quantized ----------------------------------------------------------------

def test_trt307_quantize_nodes_graph():
    a = analysis_of(CONV_Q)
    [f] = findings(a, "TRT307")
    ops = f.data["ops"]
    assert ops["QuantizedConv2D"] >= 1 and ops["QuantizeV2"] >= 1
    assert f.message.startswith(f"{sum(ops.values())} eight-bit ops")


def test_trt307_silent_on_float_graphs_and_weight_only_quantization():
    assert not findings(analysis_of(FUSED), "TRT307")
    # quantize_weights alone (quint8 Const -> Dequantize) is folded before TF-TRT runs
    assert not findings(analysis_of(corpus("011_opencv_face_detector_uint8.pb")), "TRT307")
