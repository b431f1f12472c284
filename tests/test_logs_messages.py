"""Message families the corpus does not cover, read from real log lines quoted verbatim
from public issues and repositories (source in each test). Each test parses the excerpt
as a whole log, the way `trtlint logs` would."""

from __future__ import annotations

from trtlint.logs import parse_log

# tensorflow/tensorflow#22682 (contrib era, Oct 2018): engine creation wording, funcdef
# warnings, runtime fallbacks; "0.145184993744" is the user's script printing a timing.
CONTRIB_22682 = """\
2018-10-02 17:55:53.329565: I tensorflow/contrib/tensorrt/convert/convert_nodes.cc:2952] Segment @scope 'img_vgg_pyr/upconv3/BatchNorm/moments/', converted to graph
2018-10-02 17:55:54.978083: I tensorflow/contrib/tensorrt/convert/convert_graph.cc:952] Engine my_trt_op_0 creation for segment 0, composed of 7 nodes succeeded.
2018-10-02 17:55:55.126408: I tensorflow/contrib/tensorrt/convert/convert_graph.cc:952] Engine my_trt_op_1 creation for segment 1, composed of 6 nodes succeeded.
2018-10-02 17:56:26.416136: W tensorflow/contrib/tensorrt/convert/trt_optimization_pass.cc:185] TensorRTOptimizer is probably called on funcdef! This optimizer must *NOT* be called on function objects.
2018-10-02 17:56:26.667155: W tensorflow/contrib/tensorrt/convert/trt_optimization_pass.cc:185] TensorRTOptimizer is probably called on funcdef! This optimizer must *NOT* be called on function objects.
2018-10-02 17:56:48.856798: W tensorflow/contrib/tensorrt/kernels/trt_engine_op.cc:295] Failed to execute engine, retrying with native segment for import/anchor_predictor/reg_fc7_drop/dropout/my_trt_op_17
2018-10-02 17:56:48.879536: E tensorflow/contrib/tensorrt/kernels/trt_engine_op.cc:314] Input node not found, at TensorRTInputPH_0
2018-10-02 17:56:48.879587: W tensorflow/contrib/tensorrt/kernels/trt_engine_op.cc:295] Failed to execute engine, retrying with native segment for import/box_predictor/fc6_drop/dropout/my_trt_op_72
2018-10-02 17:56:48.879916: E tensorflow/contrib/tensorrt/kernels/trt_engine_op.cc:314] Input node not found, at TensorRTInputPH_0
0.145184993744
"""

# tensorflow/tensorrt#283 (TF 2.7, TensorRT 7.2.3): engines that cannot be built at run
# time; the "TF-TRT Warning:" marker of TF 2.4+.
RUNTIME_283 = """\
2022-01-12 05:57:02.809522: W tensorflow/compiler/tf2tensorrt/kernels/trt_engine_op.cc:797] TF-TRT Warning: Engine retrieval for input shapes: [[1,64,64,64]] failed. Running native segment for StatefulPartitionedCall/WeightSharedConvolutionalBoxPredictor/BoxPredictionTower/conv2d_1/TRTEngineOp_0_31
2022-01-12 05:57:02.821888: E tensorflow/compiler/tf2tensorrt/utils/trt_logger.cc:40] DefaultLogger safeContext.cpp (124) - Cudnn Error in initializeCommonContext: 1 (Could not initialize cudnn, please check cudnn installation.)
2022-01-12 05:57:02.821946: E tensorflow/compiler/tf2tensorrt/utils/trt_logger.cc:40] DefaultLogger safeContext.cpp (124) - Cudnn Error in initializeCommonContext: 1 (Could not initialize cudnn, please check cudnn installation.)
2022-01-12 05:57:02.821980: W tensorflow/compiler/tf2tensorrt/kernels/trt_engine_op.cc:945] TF-TRT Warning: Engine creation for StatefulPartitionedCall/WeightSharedConvolutionalBoxPredictor/ClassPredictionTower/conv2d_2/TRTEngineOp_0_46 failed. The native segment will be used instead. Reason: INTERNAL: Failed to build TensorRT engine
"""

# pascal-hwky/tftrt-jetson README.md: the same failure pasted without timestamps.
JETSON_README = """\
E tensorflow/compiler/tf2tensorrt/utils/trt_logger.cc:42] DefaultLogger ../builder/symbolicDims.cpp (625) - Assertion Error in fromSymbolic: 0 (x must be build-time constant)
W tensorflow/compiler/tf2tensorrt/kernels/trt_engine_op.cc:1002] Engine creation for PartitionedCall/TRTEngineOp_0 failed. The native segment will be used instead. Reason: Internal: Failed to build TensorRT engine
"""

# tensorflow/tensorflow#59711 (TF 2.10, explicit Q/DQ): narrow_range warnings.
QDQ_59711 = """\
2023-02-16 12:14:27.993404: I tensorflow/compiler/tf2tensorrt/convert/trt_optimization_pass.cc:206] [TF-TRT] Using explicit QDQ mode
2023-02-16 12:14:27.994965: W tensorflow/compiler/tf2tensorrt/convert/ops/quantization_ops.cc:146] QuantizeAndDequantizeV2: StatefulPartitionedCall/sequential/custom_conv2d_1/custom_conv2d_1q1_w has narrow_range=true, but for TensorRT conversion, narrow_range=false is recommended.
2023-02-16 12:14:27.995142: W tensorflow/compiler/tf2tensorrt/convert/ops/quantization_ops.cc:146] QuantizeAndDequantizeV2: StatefulPartitionedCall/sequential/custom_conv2d_2/custom_conv2d_2q1_w has narrow_range=true, but for TensorRT conversion, narrow_range=false is recommended.
"""


def test_contrib_engine_creation_and_runtime_fallbacks():
    report = parse_log(CONTRIB_22682)
    assert report.era == "contrib"
    facts = report.facts
    assert facts["engines"] == [
        {"name": "my_trt_op_0", "segment": 0, "nodes": 7, "status": "succeeded",
         "wording": "engine_creation"},
        {"name": "my_trt_op_1", "segment": 1, "nodes": 6, "status": "succeeded",
         "wording": "engine_creation"}]
    assert facts["segments_converted_to_graph"] == {
        "count": 1, "scopes": ["img_vgg_pyr/upconv3/BatchNorm/moments/"]}
    assert facts["funcdef_optimizer_warnings"] == 2
    assert facts["native_segment_retries"] == [
        "import/anchor_predictor/reg_fc7_drop/dropout/my_trt_op_17",
        "import/box_predictor/fc6_drop/dropout/my_trt_op_72"]
    assert facts["input_node_not_found"] == ["TensorRTInputPH_0", "TensorRTInputPH_0"]
    assert set(facts) == {"engines", "segments_converted_to_graph", "funcdef_optimizer_warnings",
                          "native_segment_retries", "input_node_not_found"}
    levels = [(e.kind, e.level) for e in report.events if e.kind == "input_node_not_found"]
    assert levels == [("input_node_not_found", "error")] * 2


def test_tf27_runtime_engine_failures():
    report = parse_log(RUNTIME_283)
    assert report.era == "tf2tensorrt"
    facts = report.facts
    assert facts["engine_creation_failures_runtime"] == [{
        "name": "StatefulPartitionedCall/WeightSharedConvolutionalBoxPredictor/"
                "ClassPredictionTower/conv2d_2/TRTEngineOp_0_46",
        "reason": "INTERNAL: Failed to build TensorRT engine"}]
    assert facts["native_segment_retries"] == [
        "StatefulPartitionedCall/WeightSharedConvolutionalBoxPredictor/BoxPredictionTower/"
        "conv2d_1/TRTEngineOp_0_31"]
    assert facts["trt_logger_messages"] == [
        "safeContext.cpp (124) - Cudnn Error in initializeCommonContext: 1 (Could not "
        "initialize cudnn, please check cudnn installation.)"] * 2
    # every message carrying TF-TRT's marker, as printed
    assert len(facts["tf_trt_warnings"]) == 2
    assert all(w.startswith("TF-TRT Warning: Engine ") for w in facts["tf_trt_warnings"])


def test_pasted_without_timestamps():
    report = parse_log(JETSON_README)
    assert report.is_tftrt_log and report.era == "tf2tensorrt"
    assert report.facts["engine_creation_failures_runtime"] == [
        {"name": "PartitionedCall/TRTEngineOp_0",
         "reason": "Internal: Failed to build TensorRT engine"}]
    assert report.events[1].level == "warning"
    assert report.events[1].source == "tensorflow/compiler/tf2tensorrt/kernels/trt_engine_op.cc:1002"


def test_narrow_range_warnings_name_the_node():
    report = parse_log(QDQ_59711)
    assert report.facts == {"narrow_range_warnings": [
        "StatefulPartitionedCall/sequential/custom_conv2d_1/custom_conv2d_1q1_w",
        "StatefulPartitionedCall/sequential/custom_conv2d_2/custom_conv2d_2q1_w"]}


def test_runtime_fallback_marks_the_engine_it_names():
    """A conversion log followed by its run: the engine that later fails to build at run
    time is marked, the others are not (the names match with or without scope)."""
    conversion = (
        "2020-04-21 12:25:31.785625: I tensorflow/compiler/tf2tensorrt/convert/"
        "convert_graph.cc:763] Replaced segment 0 consisting of 5 nodes by TRTEngineOp_0_46.\n"
        "2020-04-21 12:25:31.785744: I tensorflow/compiler/tf2tensorrt/convert/"
        "convert_graph.cc:763] Replaced segment 1 consisting of 3 nodes by TRTEngineOp_0_47.\n")
    report = parse_log(conversion + RUNTIME_283)
    marked = {e.name: e.runtime_fallback for e in report.engines}
    assert marked == {"TRTEngineOp_0_46": True, "TRTEngineOp_0_47": False}
