"""TF-TRT's integration tests (tensorflow/python/compiler/tensorrt/test/*_test.py), as data.

Each entry rebuilds one test class: its ``GraphFn`` (written again with public
TensorFlow ops, keeping the node names the expectations mention), its inputs
(``GetParams``), its conversion parameters, its ``ShouldRunTest`` and its
``ExpectedEnginesToBuild``.  ``graph_fn(tf, *inputs)`` receives the TensorFlow module so
that importing this file does not import TensorFlow.

The test base's stand-ins for unsupported ops are kept: ``trt_incompatible_op`` is
``tf.math.erfc`` and ``trt_incompatible_binary_op`` is ``tf.math.igamma``.

Where TF 2.17 (the CPU oracle) does not do what the test file says, ``tf217`` holds
2.17's answer in the test's own form and ``tf217_note`` says what differs; the file's
expectation is kept next to it.  Nothing here is tuned to trtlint: a trtlint miss is an
``xfail`` in test_integration.py, not an edited expectation.
"""

from __future__ import annotations

import numpy as np

from .cases import IntegrationCase, NotPorted
from .runparams import RunParams, base_should_run, is_quantization, \
    is_quantization_with_calibration
from .tfgraphs import InputSpec


def engines(n: int) -> list[str]:
    """``["TRTEngineOp_000", ..., "TRTEngineOp_<n-1>"]``."""
    return [f"TRTEngineOp_{i:03d}" for i in range(n)]


def incompatible(tf, x, name=None):
    """The base's trt_incompatible_op: Erfc has no TF-TRT converter."""
    return tf.math.erfc(x, name=name)


def incompatible_binary(tf, x, y, name=None):
    """The base's trt_incompatible_binary_op: Igamma has no TF-TRT converter."""
    return tf.math.igamma(x, y, name=name)


def const(tf, shape, dtype="float32", name=None):
    """``constant_op.constant(np.random.randn(*shape))`` as the tests write it."""
    return tf.constant(np.random.randn(*shape), dtype=getattr(tf, dtype), name=name)


def spec(i: int, dims, dtype="float32", mask=None, name=None) -> InputSpec:
    return InputSpec(name or f"input_{i}", tuple(dims), dtype,
                     tuple(mask) if mask is not None else None)


# -- base_test.py ---------------------------------------------------------------------------

def simple_single_engine(tf, inp):
    conv_filter = tf.constant([[[[1., 0.5, 4., 6., 0.5, 1.], [1., 0.5, 1., 1., 0.5, 1.]]]],
                              name="weights", dtype=inp.dtype)
    conv = tf.nn.conv2d(inp, conv_filter, strides=[1, 2, 2, 1], padding="SAME", name="conv")
    bias = tf.constant([4., 1.5, 2., 3., 5., 7.], name="bias", dtype=inp.dtype)
    added = tf.nn.bias_add(conv, bias, name="bias_add")
    relu = tf.nn.relu(added, "relu")
    identity = tf.identity(relu, "identity")
    pool = tf.nn.max_pool2d(identity, [1, 2, 2, 1], [1, 2, 2, 1], "VALID", name="max_pool")
    return tf.squeeze(pool, name="output_0")


def simple_multi_engines(tf, inp):
    dtype = inp.dtype
    conv_filter = tf.constant([[[[1., 0.5, 4., 6., 0.5, 1.], [1., 0.5, 1., 1., 0.5, 1.]]]],
                              name="weights", dtype=dtype)
    conv = tf.nn.conv2d(inp, conv_filter, strides=[1, 2, 2, 1], padding="SAME", name="conv")
    c1 = tf.constant(np.random.randn(12, 12, 6), dtype=dtype, name="c1")
    p = tf.math.multiply(conv, c1, name="mul")
    c2 = tf.constant(np.random.randn(12, 12, 6), dtype=dtype, name="c2")
    q = tf.raw_ops.RealDiv(x=conv, y=c2, name="div")
    edge = incompatible(tf, q, name="incompatible")
    one = tf.constant(1, name="one", dtype=dtype)
    edge = tf.math.subtract(one, edge, name="one_sub")
    edge = tf.raw_ops.RealDiv(x=edge, y=edge, name="div1")
    r = tf.math.add(edge, edge, name="add")
    p = tf.math.subtract(p, edge, name="sub")
    q = tf.math.multiply(q, edge, name="mul1")
    s = tf.math.add(p, q, name="add1")
    s = tf.math.subtract(s, r, name="sub1")
    return tf.squeeze(s, name="output_0")


def simple_multi_engines_2(tf, inp):
    n = inp
    for i in range(2):
        c = tf.constant(float(i), name="c%d" % i)
        n = tf.math.add(n, c, name="add%d" % i)
        n = tf.math.multiply(n, n, name="mul%d" % i)
    n = incompatible(tf, n, name="incompatible")
    c = tf.constant(2.0, name="c2")
    n = tf.math.add(n, c, name="add2")
    n = tf.math.multiply(n, n, name="mul2")
    c = tf.constant(3.0, name="c3")
    n = tf.math.add(n, c, name="add3")
    n = tf.math.multiply(n, n, name="mul3")
    return tf.squeeze(n, name="output_0")


def const_input(tf, inp):
    c = tf.constant(1.0, name="c")
    # c feeds an op TF-TRT cannot take, so it cannot join the engines that use it
    n = incompatible_binary(tf, inp, c, name="incompatible")
    n = tf.math.add(n, c, name="add")
    n = tf.math.multiply(n, n, name="mul")
    n = tf.math.add(n, n, name="add1")
    n = incompatible(tf, n, name="incompatible1")
    n = tf.math.add(n, c, name="add2")
    n = tf.math.multiply(n, n, name="mul1")
    n = tf.math.add(n, n, name="add3")
    return tf.squeeze(n, name="output_0")


def const_data_input_single_engine(tf, inp):
    c = tf.constant(1.0, name="c")
    n = tf.math.add(inp, c, name="add")
    n = tf.math.multiply(n, n, name="mul")
    n = tf.math.add(n, n, name="add1")
    return tf.squeeze(n, name="output_0")


def const_data_input_multiple_engines(tf, inp):
    c = tf.constant(1.0, name="c")
    n = tf.math.add(inp, c, name="add")
    n = tf.math.multiply(n, n, name="mul")
    n = tf.math.add(n, n, name="add1")
    n = incompatible(tf, n, name="incompatible1")
    n = tf.math.add(n, c, name="add2")
    n = tf.math.multiply(n, n, name="mul1")
    n = tf.math.add(n, n, name="add3")
    return tf.squeeze(n, name="output_0")


def control_dependency(tf, inp):
    c1 = tf.constant(1.0, name="c1")
    c2 = tf.constant(2.0, name="c2")
    d1 = incompatible(tf, inp, name="d1")
    d2 = incompatible_binary(tf, inp, inp, name="d2")
    with tf.control_dependencies([d1]):
        add = tf.math.add(inp, c1, name="add")
    mul = tf.math.multiply(add, add, name="mul")
    add1 = tf.math.add(mul, mul, name="add1")
    edge = incompatible(tf, add1, name="incompatible")
    with tf.control_dependencies([d1, d2, add1]):
        add2 = tf.math.add(edge, c2, name="add2")
    mul1 = tf.math.multiply(add2, add2, name="mul1")
    add3 = tf.math.add(mul1, mul1, name="add3")
    inc1 = incompatible_binary(tf, d1, add3, name="incompatible1")
    inc2 = incompatible_binary(tf, d2, inc1, name="incompatible2")
    return tf.squeeze(inc2, name="output_0")


def fp32_and_calibration(run: RunParams):
    """SimpleMultiEnginesTest2: no FP16 (overflow) and no INT8 without calibration."""
    return ((run.precision_mode != "FP16"
             and not (is_quantization(run) and not run.use_calibration)),
            "test FP32 and non-calibration")


X2_32_32_3 = (spec(0, [2, 32, 32, 3]),)

BASE = [
    IntegrationCase(
        "base_test.py", "SimpleSingleEngineTest", simple_single_engine,
        (spec(0, [100, 24, 24, 2]),),
        lambda run: {"TRTEngineOp_000": ["weights", "conv", "bias", "bias_add", "relu",
                                         "identity", "max_pool"]}),
    IntegrationCase(
        "base_test.py", "SimpleMultiEnginesTest", simple_multi_engines,
        (spec(0, [100, 24, 24, 2]),),
        lambda run: {"TRTEngineOp_000": ["add", "add1", "c1", "div1", "mul", "mul1", "sub",
                                         "sub1", "one", "one_sub"],
                     "TRTEngineOp_001": ["c2", "conv", "div", "weights"]},
        disable_non_trt_optimizers=True),
    IntegrationCase(
        "base_test.py", "SimpleMultiEnginesTest2", simple_multi_engines_2, X2_32_32_3,
        lambda run: {"TRTEngineOp_000": ["c0", "c1", "add0", "add1", "mul0", "mul1"],
                     "TRTEngineOp_001": ["c2", "c3", "add2", "add3", "mul2", "mul3"]},
        should_run=fp32_and_calibration),
    IntegrationCase(
        "base_test.py", "ConstInputTest", const_input, X2_32_32_3,
        lambda run: {"TRTEngineOp_000": ["add", "add1", "mul"],
                     "TRTEngineOp_001": ["add2", "add3", "mul1"]}),
    IntegrationCase(
        "base_test.py", "ConstDataInputSingleEngineTest", const_data_input_single_engine,
        X2_32_32_3, lambda run: {"TRTEngineOp_000": ["c", "add", "add1", "mul"]}),
    IntegrationCase(
        "base_test.py", "ConstDataInputMultipleEnginesTest", const_data_input_multiple_engines,
        X2_32_32_3,
        # the file: segment {add, add1, mul} is number 1 because its root was the Const c,
        # which then left the segment (a Const may not be a segment output)
        lambda run: {"TRTEngineOp_000": ["add2", "add3", "mul1"],
                     "TRTEngineOp_001": ["add", "add1", "mul"]}),
    IntegrationCase(
        "base_test.py", "ControlDependencyTest", control_dependency, X2_32_32_3,
        lambda run: {"TRTEngineOp_000": ["c1", "add", "add1", "mul"],
                     "TRTEngineOp_001": ["c2", "add2", "add3", "mul1"]}),
]


# -- batch_matmul_test.py ---------------------------------------------------------------------

def batch_matmul_two_tensors(tf, inp, inp1):
    x1 = tf.linalg.matmul(inp, inp1, name="matmul")
    x1 = tf.nn.relu(x1, name="relu")      # the test's way to reach minimum_segment_size
    return tf.identity(x1, name="output_0")


def batch_matmul_weight_broadcast(tf, inp):
    b = tf.constant(np.random.randn(1, 5, 7), dtype=inp.dtype, name="kernel")
    return tf.identity(tf.linalg.matmul(inp, b, name="matmul"), name="output_0")


def batch_matmul_weight_broadcast_dims2(tf, inp):
    b = tf.constant(np.random.randn(5, 7), dtype=inp.dtype, name="kernel")
    return tf.identity(tf.linalg.matmul(inp, b, name="matmul"), name="output_0")


def all_known(dims):
    """BatchMatMultTestBase: every dim of the inputs is known (shape inference of
    BatchMatMulV2 does not handle an unknown batch, says the file)."""
    return [True] * len(dims)


BATCH_MATMUL = [
    IntegrationCase(
        "batch_matmul_test.py", "BatchMatMulTwoTensorTest", batch_matmul_two_tensors,
        (spec(0, [12, 5, 8, 12], mask=all_known([0] * 4)),
         spec(1, [12, 5, 12, 7], mask=all_known([0] * 4))),
        lambda run: {"TRTEngineOp_000": ["matmul", "relu"]}),
    IntegrationCase(
        "batch_matmul_test.py", "BatchMatMulWeightBroadcastTest", batch_matmul_weight_broadcast,
        (spec(0, [12, 9, 5], mask=all_known([0] * 3)),),
        lambda run: {"TRTEngineOp_000": ["matmul", "kernel"]}),
    IntegrationCase(
        "batch_matmul_test.py", "BatchMatMulWeightBroadcastDims2Test",
        batch_matmul_weight_broadcast_dims2, (spec(0, [12, 9, 5], mask=all_known([0] * 3)),),
        lambda run: {"TRTEngineOp_000": ["matmul", "kernel"]}),
]


# -- biasadd_matmul_test.py -------------------------------------------------------------------

def biasadd_matmul(tf, x):
    rows, columns = 4, 144
    x1 = tf.linalg.matmul(x, const(tf, (columns, 4)))
    x1 = x1 + const(tf, (1, 4))
    b = const(tf, (rows, 144))
    x2 = incompatible(tf, x)
    x2 = tf.linalg.matmul(x2, b, transpose_a=True)
    x2 = tf.reshape(x2, [4, -1])
    x2 = incompatible(tf, x2)
    x3 = tf.linalg.matmul(x, const(tf, (4, columns)), transpose_b=True)
    b = const(tf, (16, rows))
    x4 = incompatible(tf, x)
    x4 = tf.linalg.matmul(x4, b, transpose_b=True, transpose_a=True)
    x4 = tf.reshape(x4, [4, -1])
    x4 = incompatible(tf, x4)
    x5 = tf.linalg.matmul(x, const(tf, (columns, 48)))
    x5 = tf.nn.bias_add(x5, const(tf, (48,)))
    x6 = tf.reshape(x, [4, 24, 6])
    x6 = tf.nn.bias_add(x6, const(tf, (6,)), data_format="NHWC")
    x6 = tf.reshape(x6, [4, -1])
    x7 = tf.reshape(x, [4, 12, 4, 3])
    x7 = tf.nn.bias_add(x7, const(tf, (3,)), data_format="NHWC")
    x7 = tf.reshape(x7, [4, -1])
    x8 = tf.reshape(x, [4, 4, 3, 2, 6])
    x8 = tf.nn.bias_add(x8, const(tf, (6,)), data_format="NHWC")
    x8 = tf.reshape(x8, [4, -1])
    x9 = tf.reshape(x, [4, 12, 3, 2, 2])
    x9 = tf.nn.bias_add(x9, const(tf, (12,)), data_format="NCHW")
    x9 = tf.reshape(x9, [4, -1])
    x10 = tf.reshape(x, [4, 3, 4, 12])
    x10 = tf.nn.bias_add(x10, const(tf, (3,)), data_format="NCHW")
    x10 = tf.reshape(x10, [4, -1])
    x11 = tf.reshape(x, [4, 6, 24])
    x11 = tf.nn.bias_add(x11, const(tf, (6,)), data_format="NCHW")
    x11 = tf.reshape(x11, [4, -1])
    out = tf.concat([x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11], axis=-1)
    return tf.squeeze(out, name="output_0")


BIASADD_MATMUL = [
    IntegrationCase(
        "biasadd_matmul_test.py", "BiasaddMatMulTest", biasadd_matmul, (spec(0, [4, 144]),),
        # dynamic shape mode converts a few more MatMul, Reshape and Concat ops, which
        # makes two more candidate segments big enough
        lambda run: engines(3) if run.dynamic_shape else engines(1),
        disable_non_trt_optimizers=True, max_batch_size=4),
]


# -- binary_tensor_weight_broadcast_test.py -------------------------------------------------

def binary_tensor_weight_broadcast(tf, x):
    for weights_shape in [(1,), (24, 1, 1), (24, 24, 20), (20,), (1, 24, 1, 1),
                          (1, 24, 24, 1), (1, 24, 24, 20), (24, 20)]:
        f = x + const(tf, weights_shape)
        x = incompatible(tf, f)
        f = const(tf, weights_shape) + x
        x = incompatible(tf, f)
    return tf.reshape(x, [5, -1], name="output_0")


BINARY_BROADCAST = [
    IntegrationCase(
        "binary_tensor_weight_broadcast_test.py", "BinaryTensorWeightBroadcastTest",
        binary_tensor_weight_broadcast, (spec(0, [10, 24, 24, 20]),),
        # the final Reshape converts only in dynamic shape mode, in an engine of its own
        lambda run: engines(17 if run.dynamic_shape else 16)),
]


# -- bool_test.py ---------------------------------------------------------------------------

def bool_ops(tf, x1, x2):
    x = tf.math.logical_and(x1, x2)
    x = tf.math.logical_or(x, x2)
    q = tf.math.not_equal(x, x2)
    q = tf.math.logical_not(q)
    return tf.identity(q, name="output_0")


BOOL = [
    IntegrationCase(
        "bool_test.py", "BoolTest", bool_ops,
        (spec(0, [2, 32, 32, 3], "bool"), spec(1, [2, 32, 32, 3], "bool")),
        lambda run: engines(1),
        # boolean ops: TensorRT >= 8.2 and dynamic shape mode only (2.17 links 8.6)
        should_run=lambda run: (run.dynamic_shape, "Boolean ops are not implemented in "
                                                   "ImplicitBatch mode")),
]


# -- cast_test.py ---------------------------------------------------------------------------

def cast_int32_to_fp32(tf, x):
    b_f = const(tf, (1, 10), "float16")
    x_f = tf.cast(x, tf.float16)
    x_f = tf.math.multiply(x_f, b_f)            # float16 Mul
    x_f = tf.cast(x_f, tf.float32)
    x_f = tf.math.add(x_f, const(tf, (1, 10), "float32"))   # float32 AddV2
    return tf.identity(x_f, name="output_0")


CAST = [
    IntegrationCase(
        "cast_test.py", "CastInt32ToFp32Test", cast_int32_to_fp32, (spec(0, [1, 10]),),
        lambda run: {"TRTEngineOp_000": ["AddV2", "Cast", "Const", "Mul"]}),
]


# -- combined_nms_test.py -------------------------------------------------------------------

def combined_nms(tf, boxes, scores):
    max_total_size = tf.constant(3, dtype=tf.int32, name="max_total_size")
    iou_threshold = tf.constant(0.5, dtype=tf.float32, name="iou_threshold")
    score_threshold = tf.constant(0.1, dtype=tf.float32, name="score_threshold")
    nms = tf.image.combined_non_max_suppression(boxes, scores, max_total_size, max_total_size,
                                                iou_threshold, score_threshold,
                                                name="combined_nms")
    return [tf.identity(out, name="output_%d" % i) for i, out in enumerate(nms)]


def combined_nms_topk(tf, boxes, scores):
    per_class = tf.constant(2048, dtype=tf.int32, name="max_output_size_per_class")
    total = tf.constant(30, dtype=tf.int32, name="max_total_size")
    iou_threshold = tf.constant(0.1, dtype=tf.float32, name="iou_threshold")
    score_threshold = tf.constant(0.001, dtype=tf.float32, name="score_threshold")
    nms = tf.image.combined_non_max_suppression(
        boxes, scores, max_output_size_per_class=per_class, max_total_size=total,
        iou_threshold=iou_threshold, score_threshold=score_threshold, pad_per_class=False,
        name="combined_nms")
    return [tf.identity(out, name="output_%d" % i) for i, out in enumerate(nms)]


def combined_nms_expected(run: RunParams):
    if not run.dynamic_shape:
        return {"TRTEngineOp_000": ["combined_nms/CombinedNonMaxSuppression", "max_total_size",
                                    "iou_threshold", "score_threshold"]}
    return {}   # the file: "not converted in dynamic shape mode" (yet)


def combined_nms_tf217(run: RunParams):
    """TF 2.17 built with TensorRT 8.6 uses the EfficientNMS plugin path, which refuses
    implicit batch mode and converts in dynamic shape mode: the file's two branches are
    swapped.  In dynamic shape mode TF-TRT then puts the whole NMS with its constant
    inputs in one engine."""
    if not run.dynamic_shape:
        return {}
    return {"TRTEngineOp_000": ["combined_nms/CombinedNonMaxSuppression", "max_total_size",
                                "iou_threshold", "score_threshold"]}


def nms_should_run(run: RunParams):
    ok, reason = base_should_run(run)
    return ok and not is_quantization(run), reason + " and precision != INT8 and >= TRT 7.1.3"


NMS_NOTE = ("TF 2.17 (TensorRT 8.6, EfficientNMS plugin): CombinedNonMaxSuppression is "
            "refused in implicit batch mode and converted in dynamic shape mode, the "
            "opposite of the file's two branches (written for the pre-8.2 BatchedNMS plugin)")

COMBINED_NMS = [
    IntegrationCase(
        "combined_nms_test.py", "CombinedNmsTest", combined_nms,
        (spec(0, [2, 200, 1, 4]), spec(1, [2, 200, 2])), combined_nms_expected,
        should_run=nms_should_run, tf217=combined_nms_tf217, tf217_note=NMS_NOTE),
    IntegrationCase(
        "combined_nms_test.py", "CombinedNmsExecuteNativeSegmentTest", combined_nms,
        (spec(0, [2, 200, 1, 4]), spec(1, [2, 200, 2])), combined_nms_expected,
        # static engines only, built for a batch one less than fed
        should_run=lambda run: (nms_should_run(run)[0] and not run.dynamic_engine,
                                "static engines"),
        max_batch_size=1, tf217=combined_nms_tf217, tf217_note=NMS_NOTE),
    IntegrationCase(
        "combined_nms_test.py", "CombinedNmsTestTopK", combined_nms_topk,
        (spec(0, [1, 2048, 1, 4]), spec(1, [1, 2048, 90])),
        combined_nms_expected,
        should_run=nms_should_run, tf217=combined_nms_tf217, tf217_note=NMS_NOTE),
]


# -- concatenation_test.py ------------------------------------------------------------------

def concatenation(tf, x):
    r1 = x / const(tf, (3, 1, 1))
    r2 = const(tf, (3, 1, 1)) / x
    r3 = const(tf, (1, 3, 1)) + x
    r4 = x * const(tf, (1, 3, 1))
    r5 = x - const(tf, (3, 1, 1))
    r6 = const(tf, (3, 1, 1)) - x
    r7 = x - const(tf, (3, 1))
    r8 = const(tf, (3, 1)) - x
    r9 = tf.math.maximum(x, const(tf, (3, 1, 1)))
    r10 = tf.math.minimum(const(tf, (3, 1)), x)
    r11 = x * const(tf, (3,))
    r12 = const(tf, (1,)) * x
    concat1 = tf.concat([r1, r2, r3, r4, r5, r6], axis=-1)
    concat2 = tf.concat([r7, r8, r9, r10, r11, r12], axis=3)
    x = tf.concat([concat1, concat2], axis=-1)
    return tf.reshape(x, [2, -1], name="output_0")


CONCATENATION = [
    IntegrationCase("concatenation_test.py", "ConcatenationTest", concatenation,
                    (spec(0, [2, 3, 3, 1]),), lambda run: engines(1)),
]


# -- const_broadcast_test.py ----------------------------------------------------------------

def const_broadcast(tf, x):
    filt1 = tf.constant(0.3, shape=(3, 3, 2, 1), dtype=x.dtype, name="filt1")
    y1 = tf.nn.conv2d(x, filt1, strides=[1, 1, 1, 1], padding="SAME", name="y1")
    z1 = tf.nn.relu(y1, name="z1")
    filt2 = tf.constant(0.3, shape=(3, 3, 1, 1), dtype=x.dtype, name="filt2")
    y2 = tf.nn.conv2d(z1, filt2, strides=[1, 1, 1, 1], padding="SAME", name="y2")
    z2 = tf.nn.relu(y2, name="z")
    filt3 = tf.constant(0.3, shape=(3, 3, 1, 1), dtype=x.dtype, name="filt3")
    y3 = tf.nn.conv2d(z2, filt3, strides=[1, 1, 1, 1], padding="SAME", name="y3")
    return tf.nn.relu(y3, name="output_0")


CONST_BROADCAST = [
    IntegrationCase("const_broadcast_test.py", "ConstBroadcastTest", const_broadcast,
                    (spec(0, [5, 12, 12, 2]),), lambda run: engines(1)),
]


# -- conv2d_test.py -------------------------------------------------------------------------

def conv2d_layer(tf, inputs, filters, kernel_size, strides=(1, 1), padding="valid",
                 data_format="channels_last", dilation_rate=(1, 1)):
    channels = inputs.shape[-1 if data_format == "channels_last" else 1]
    weights = tf.constant(np.random.randn(kernel_size[0], kernel_size[1], channels, filters),
                          dtype=inputs.dtype)
    if data_format == "channels_last":
        strides, dilations, fmt = [1, *strides, 1], [1, *dilation_rate, 1], "NHWC"
    else:
        strides, dilations, fmt = [1, 1, *strides], [1, 1, *dilation_rate], "NCHW"
    return tf.raw_ops.Conv2D(input=inputs, filter=weights, strides=strides,
                             padding=padding.upper(), dilations=dilations, data_format=fmt)


def conv2d_sum(tf, inp, data_format):
    np.random.seed(1234)
    results = [conv2d_layer(tf, inp, 5, kernel, (1, 1), "same", data_format, dilation)
               for kernel in [(3, 3), (3, 2)] for dilation in [(1, 1), (2, 3)]]
    return tf.identity(sum(results), name="output_0")


def conv2d_strided_nchw(tf, inp):
    np.random.seed(1234)
    out = conv2d_layer(tf, inp, 5, (3, 2), strides=(2, 2), padding="same",
                       data_format="channels_first")
    out = conv2d_layer(tf, out, 5, (3, 3), strides=(2, 2), dilation_rate=(2, 3),
                       padding="same", data_format="channels_first")
    return tf.identity(out, name="output_0")


def conv2d_transpose(tf, inp):
    np.random.seed(1234)
    n, c, h, w = 13, 3, 7, 11
    weights = tf.constant(np.random.randn(2, 2, 8, c), dtype=inp.dtype)
    output_shape = tf.constant([n, 8, h * 2, w * 2], dtype=tf.int32)
    out = tf.nn.conv2d_transpose(inp, weights, output_shape, strides=[1, 1, 2, 2],
                                 padding="SAME", data_format="NCHW")
    return tf.identity(out, name="output_0")


CONV2D = [
    IntegrationCase("conv2d_test.py", "Conv2DNCHWTest",
                    lambda tf, inp: conv2d_sum(tf, inp, "channels_first"),
                    (spec(0, [13, 3, 7, 11]),), lambda run: engines(1)),
    IntegrationCase("conv2d_test.py", "Conv2DNHWCTest",
                    lambda tf, inp: conv2d_sum(tf, inp, "channels_last"),
                    (spec(0, [13, 7, 11, 3]),), lambda run: engines(1)),
    IntegrationCase("conv2d_test.py", "Conv2DStridedNCHWTest", conv2d_strided_nchw,
                    (spec(0, [13, 3, 7, 11]),), lambda run: engines(1)),
    IntegrationCase("conv2d_test.py", "Conv2DTranposeTest", conv2d_transpose,
                    (spec(0, [13, 3, 7, 11]),), lambda run: engines(1)),
]


# -- data_dependent_shape_test.py -----------------------------------------------------------

def data_dependent_shape(tf, x):
    x = tf.math.floor(x * 10)
    y, _ = tf.unique(x)          # a shape that depends on the data
    y = y * 2 + y
    padding = tf.constant([0])
    n = tf.shape(x) - tf.shape(y)
    padding = tf.concat([padding, n], 0)
    padding = tf.expand_dims(padding, 0)
    y = tf.pad(y, padding)
    return tf.identity(y, name="output_0")


DATA_DEPENDENT = [
    IntegrationCase(
        "data_dependent_shape_test.py", "TrtModeTestBase", data_dependent_shape,
        (spec(0, [12]),), lambda run: engines(2),
        should_run=lambda run: (run.dynamic_engine and run.is_v2 and run.dynamic_shape
                                and run.use_calibration,
                                "test v2 dynamic engine and calibration")),
]


# -- dynamic_input_shapes_test.py -----------------------------------------------------------

def dynamic_input_shapes(tf, x):
    filter1 = tf.constant(np.ones([3, 3, 1, 8]), name="weights1", dtype=tf.float32)
    bias1 = tf.constant(np.random.randn(8), dtype=tf.float32)
    x = tf.nn.conv2d(x, filter1, strides=[1, 1, 1, 1], padding="SAME", name="conv")
    x = tf.nn.bias_add(x, bias1)
    x = tf.nn.relu(x)
    filter2 = tf.constant(np.ones([3, 3, 8, 1]), name="weights2", dtype=tf.float32)
    bias2 = tf.constant(np.random.randn(1), dtype=tf.float32)
    x = tf.nn.conv2d(x, filter2, strides=[1, 1, 1, 1], padding="SAME", name="conv")
    x = tf.nn.bias_add(x, bias2)
    return tf.identity(x, name="output")


def dynamic_engine_non_int8(run: RunParams):
    return (run.dynamic_engine and not is_quantization(run)), "test dynamic engine and non-INT8"


DYNAMIC_INPUT_SHAPES = [
    IntegrationCase(
        "dynamic_input_shapes_test.py", "DynamicInputShapesTest", dynamic_input_shapes,
        (InputSpec("input", (1, 5, 5, 1), "float32", (False, False, False, True)),),
        lambda run: engines(1), should_run=dynamic_engine_non_int8,
        disable_non_trt_optimizers=True, extra_batches=(10, 3, 1, 1, 2, 1, 1)),
]


# -- identity_output_test.py ----------------------------------------------------------------

def identity_outputs(tf, x):
    x1 = tf.math.exp(x)
    x1 = x1 + x
    out1 = tf.identity(x1, name="output_0")
    out2 = tf.identity(x1, name="output_1")
    iden1 = tf.identity(x1)
    out3 = tf.identity(iden1, name="output_2")
    return [out1, out2, out3]


IDENTITY_OUTPUT = [
    IntegrationCase("identity_output_test.py", "IdentityTest", identity_outputs,
                    (spec(0, [100, 32]),), lambda run: engines(1)),
]


# -- int32_test.py --------------------------------------------------------------------------

def int32_matmul_biasadd(tf, x):
    x = tf.linalg.matmul(x, const(tf, (4, 10), "int32"))
    x = tf.nn.bias_add(x, const(tf, (10,), "int32"))
    return tf.identity(x, name="output_0")


def int32_transpose(tf, inp):
    return tf.identity(tf.transpose(inp, [0, 3, 2, 1], name="transpose_0"), name="output_0")


INT32 = [
    IntegrationCase(
        "int32_test.py", "ExcludeUnsupportedInt32Test", int32_matmul_biasadd,
        (spec(0, [100, 4], "int32"),), lambda run: [],
        disable_non_trt_optimizers=True, max_batch_size=100),
    IntegrationCase(
        "int32_test.py", "CalibrationInt32Support", int32_transpose,
        (spec(0, [3, 4, 5, 6], "int32"),), lambda run: engines(1),
        should_run=lambda run: (is_quantization_with_calibration(run),
                                "test calibration and INT8")),
]


# -- lru_cache_test.py ----------------------------------------------------------------------

def lru_cache(tf, x):
    bias = tf.constant(np.random.randn(1, 10, 10, 1), dtype=tf.float32)
    x = tf.math.add(x, bias)
    x = tf.nn.relu(x)
    return tf.identity(x, name="output")


LRU_CACHE = [
    IntegrationCase("lru_cache_test.py", "LRUCacheTest", lru_cache,
                    (InputSpec("input", (1, 10, 10, 2)),), lambda run: engines(1),
                    should_run=dynamic_engine_non_int8, extra_batches=(2, 4, 2)),
]


# -- memory_alignment_test.py ---------------------------------------------------------------

def memory_alignment(tf, inp):
    e1 = tf.constant(np.random.randn(1, 1, 3, 5), name="kernel_1", dtype=inp.dtype)
    e2 = tf.constant(np.random.randn(1, 1, 5, 10), name="kernel_2", dtype=inp.dtype)
    conv = tf.nn.conv2d(inp, e1, strides=[1, 1, 1, 1], padding="VALID", name="conv")
    out = tf.nn.conv2d(conv, e2, strides=[1, 1, 1, 1], padding="VALID", name="conv_2")
    return tf.squeeze(out, name="output_0")


MEMORY_ALIGNMENT = [
    IntegrationCase("memory_alignment_test.py", "MemoryAlignmentTest", memory_alignment,
                    (spec(0, [2, 15, 15, 3]),), lambda run: engines(1)),
]


# -- multi_connection_neighbor_engine_test.py / neighboring_engine_test.py ---------------------

def multi_connection_neighbor(tf, x):
    dtype = x.dtype
    e = tf.constant(np.random.normal(.05, .005, [3, 2, 3, 4]), name="weights", dtype=dtype)
    conv = tf.nn.conv2d(x, e, data_format="NCHW", strides=[1, 1, 1, 1], padding="VALID",
                        name="conv")
    b = tf.constant(np.random.normal(2.0, 1.0, [1, 4, 1, 1]), name="bias", dtype=dtype)
    t = conv + b
    b = tf.constant(np.random.normal(5.0, 1.0, [1, 4, 1, 1]), name="bias", dtype=dtype)
    q = conv - b
    edge = incompatible(tf, q)
    b = tf.constant(np.random.normal(5.0, 1.0, [1, 4, 1, 1]), name="bias", dtype=dtype)
    d = b + conv
    edge3 = incompatible(tf, d)
    edge1 = incompatible(tf, conv)
    t = t - edge1
    q = q + edge
    t = t + q
    t = t + d
    t = t - edge3
    return tf.squeeze(t, name="output_0")


def neighboring_engine(tf, x):
    e = tf.constant(np.random.normal(.3, 0.05, [3, 2, 3, 4]), name="weights", dtype=x.dtype)
    conv = tf.nn.conv2d(x, e, data_format="NCHW", strides=[1, 1, 1, 1], padding="VALID",
                        name="conv")
    b = tf.constant(np.random.normal(1.0, 1.0, [1, 4, 1, 1]), name="bias", dtype=x.dtype)
    t = tf.math.multiply(conv, b, name="mul")
    e = incompatible(tf, conv, name="incompatible")
    t = tf.math.subtract(t, e, name="sub")
    return tf.squeeze(t, name="output_0")


NEIGHBORS = [
    IntegrationCase("multi_connection_neighbor_engine_test.py",
                    "MultiConnectionNeighborEngineTest", multi_connection_neighbor,
                    (spec(0, [2, 3, 7, 5]),), lambda run: engines(2)),
    IntegrationCase("neighboring_engine_test.py", "NeighboringEngineTest", neighboring_engine,
                    (spec(0, [2, 3, 7, 5]),),
                    lambda run: {"TRTEngineOp_000": ["bias", "mul", "sub"],
                                 "TRTEngineOp_001": ["weights", "conv"]}),
]


# -- quantization_test.py -------------------------------------------------------------------

def quantization_graph(tf, x, add_quantization_nodes):
    def quantize(x, r):
        if add_quantization_nodes:
            x = tf.quantization.fake_quant_with_min_max_vars(x, -r, r)
        return x

    x = quantize(x, 10.0)
    x = x + 5
    x = quantize(x, 15.0)
    x = x - 5
    x = quantize(x, 10.0)
    x = x * 0.1
    x = quantize(x, 1.0)
    w = tf.constant(np.ones((8, 1)), dtype=tf.float32)
    x = tf.linalg.matmul(x, w)
    x = quantize(x, 10.0)
    return tf.identity(x, name="output_0")


QUANTIZATION = [
    IntegrationCase(
        "quantization_test.py", "QuantizationMissingAllRangesTest",
        lambda tf, x: quantization_graph(tf, x, False), (spec(0, [8, 8]),),
        lambda run: engines(1),
        should_run=lambda run: (is_quantization(run) and not run.convert_online
                                and not run.dynamic_engine,
                                "test static engine, offline conversion and INT8")),
    IntegrationCase(
        "quantization_test.py", "QuantizationWithRangesTest",
        lambda tf, x: quantization_graph(tf, x, True), (spec(0, [8, 8]),),
        lambda run: engines(1),
        should_run=lambda run: (is_quantization(run) and not run.convert_online,
                                "test offline conversion and INT8")),
    IntegrationCase(
        "quantization_test.py", "NonQuantizedPrecisionsWithRangesTest",
        lambda tf, x: quantization_graph(tf, x, True), (spec(0, [8, 8]),),
        # the FakeQuant ops do not convert in FP32/FP16 and split the graph in two
        lambda run: engines(2),
        should_run=lambda run: (not is_quantization(run), "test non-INT8")),
]


# -- rank_two_test.py -----------------------------------------------------------------------

def rank_two(tf, x1, x2):
    outputs = []
    for i, x in enumerate([x1, x2]):
        c = tf.constant(1.0, name="c%d_1" % i)
        q = tf.math.add(x, c, name="add%d_1" % i)
        q = tf.math.abs(q, name="abs%d_1" % i)
        c = tf.constant(2.2, name="c%d_2" % i)
        q = tf.math.add(q, c, name="add%d_2" % i)
        q = tf.math.abs(q, name="abs%d_2" % i)
        c = tf.constant(3.0, name="c%d_3" % i)
        q = tf.math.add(q, c, name="add%d_3" % i)
        if i == 0:
            axis = tf.constant(-1, dtype=tf.int32, name="axis")
            for j in range(2):
                q = tf.expand_dims(q, axis, name="expand%d_%d" % (i, j))
            q = incompatible(tf, q)
        q = tf.math.reciprocal(q, name="reciprocal%d" % i)
        outputs.append(q)
    q = tf.math.add(outputs[0], outputs[1], name="add")
    return tf.squeeze(q, name="output_0")


def rank_two_expected(run: RunParams):
    expected = {
        "TRTEngineOp_000": ["add0_1", "add0_2", "add0_3", "c0_1", "c0_2", "c0_3", "abs0_1",
                            "abs0_2", "expand0_0", "expand0_1", "axis"],
        "TRTEngineOp_001": ["add1_1", "add1_2", "add1_3", "c1_1", "c1_2", "c1_3", "abs1_1",
                            "abs1_2", "reciprocal1"],
    }
    if not run.dynamic_shape:
        # a batch size of another equivalence class than engine 1's
        expected["TRTEngineOp_002"] = ["add", "reciprocal0"]
    else:
        expected["TRTEngineOp_001"] += ["add", "reciprocal0"]
    return expected


RANK_TWO = [
    IntegrationCase("rank_two_test.py", "RankTwoTest", rank_two,
                    (spec(0, [12, 5]), spec(1, [12, 5, 2, 2])), rank_two_expected),
]


# -- reshape_transpose_test.py --------------------------------------------------------------

def reshapes(tf, inp):
    outputs = []
    # reshapes that move the batch dimension: not convertible in implicit batch mode
    orig_shape = tf.constant([-1, 24, 24, 2], name="original_shape")
    for shape in [[2, 50, 24, 24, 2], [-1, 50, 24, 24, 2], [2, 50, -1, 24, 2]]:
        incompatible_reshape = tf.reshape(inp, shape)
        reshape_back = tf.reshape(incompatible_reshape, orig_shape)
        outputs.append(incompatible(tf, reshape_back))
    r = tf.reshape(inp, [-1, 24 * 24, 2], name="reshape-0")
    r = tf.reshape(r, [100, 24, -1], name="reshape-1")
    r = tf.reshape(r, [100, 24 * 2, 24], name="reshape-2")
    r = tf.reshape(r, [-1, 24, 24 * 2], name="reshape-3")
    r = tf.reshape(r, [-1, 6, 4, 24, 2], name="reshape-4")
    r = tf.reshape(r, [-1, 6, 4, 6, 4, 2, 1], name="reshape-5")
    r = tf.reshape(r, [-1, 24, 24, 2], name="reshape-6")
    outputs.append(incompatible(tf, r))
    return tf.math.add_n(outputs, name="output_0")


def transposes(tf, inp):
    t = tf.transpose(inp, [0, 3, 1, 2], name="transpose-1")
    t = tf.transpose(t, [0, 2, 3, 1], name="transposeback")
    return tf.identity(t, name="output_0")


def incompatible_transposes(tf, inp):
    t = tf.transpose(inp, [2, 1, 0, 3], name="transpose-2")
    t = tf.transpose(t, [0, 2, 3, 1], name="transpose-3")
    return tf.identity(t, name="output_0")


def static_non_int8(run: RunParams):
    return (not is_quantization(run) and not run.dynamic_engine), "test static engine and non-INT8"


RESHAPE_TRANSPOSE = [
    IntegrationCase(
        "reshape_transpose_test.py", "ReshapeTest", reshapes, (spec(0, [100, 24, 24, 2]),),
        lambda run: {"TRTEngineOp_000": ["reshape-%d" % i for i in range(7)]
                     + ["reshape-%d/shape" % i for i in range(7)]},
        should_run=static_non_int8),
    IntegrationCase(
        "reshape_transpose_test.py", "TransposeTest", transposes, (spec(0, [100, 24, 24, 2]),),
        lambda run: {"TRTEngineOp_000": ["transpose-1", "transpose-1/perm", "transposeback",
                                         "transposeback/perm"]},
        should_run=static_non_int8),
    IntegrationCase(
        "reshape_transpose_test.py", "IncompatibleTransposeTest", incompatible_transposes,
        (spec(0, [100, 24, 24, 2]),), lambda run: [], should_run=static_non_int8),
]


# -- shape_output_test.py -------------------------------------------------------------------

def shape_output(tf, x):
    q = 2 * x + 1
    q = tf.shape(q)
    q = tf.cast(q, tf.float32)
    q = incompatible(tf, q)
    q = q * 2 + q * q
    return tf.identity(q, name="output_0")


def shape_output_reshaped(tf, x):
    q = 2 * x + 1
    q = tf.shape(q)
    q = tf.reshape(q, [2, 2])
    q = tf.cast(q, tf.float32)
    q = incompatible(tf, q)
    q = q * 2 + q * q
    return tf.identity(q, name="output_0")


def pruned_input(tf, x):
    q = tf.shape(x)
    q = q * 2 + q * q
    return tf.identity(q, name="output_0")


def pruned_input_2(tf, x, y):
    q = tf.shape(x)
    z = y * y + y
    z = tf.reshape(z, q)
    return tf.identity(q, name="output_0"), tf.identity(z, name="output_1")


def shape_value_mask(tf, x, y):
    return tf.identity(2 * x + y, name="output_0")


def input_profile(tf, x):
    return tf.identity(x * x + x + 1, name="output_0")


def dynamic_shape_non_int8(run: RunParams):
    return (run.dynamic_shape and run.precision_mode != "INT8"), "no calibration dynamic shape"


def v2_dynamic_shape(run: RunParams):
    return (run.dynamic_shape and run.is_v2), "test v2 dynamic shape"


FIRST_UNKNOWN = (False, True, True, True)

SHAPE_OUTPUT = [
    IntegrationCase(
        "shape_output_test.py", "ShapeOutputTest", shape_output,
        (spec(0, [2, 2, 5, 3], mask=FIRST_UNKNOWN),),
        # implicit batch: the second segment's tensors have one dimension only
        lambda run: engines(2) if run.dynamic_shape else engines(1),
        should_run=dynamic_shape_non_int8, disable_non_trt_optimizers=True,
        extra_batches=(8,)),
    IntegrationCase(
        "shape_output_test.py", "ShapeOutputWithSingleInputProfile", shape_output,
        (spec(0, [2, 2, 5, 3], mask=FIRST_UNKNOWN),),
        lambda run: engines(2) if run.dynamic_shape else engines(1),
        should_run=dynamic_shape_non_int8, disable_non_trt_optimizers=True),
    IntegrationCase(
        "shape_output_test.py", "ShapeOutputWithSingleInputAndReshape", shape_output_reshaped,
        (spec(0, [2, 2, 5, 3], mask=FIRST_UNKNOWN),), lambda run: engines(2),
        disable_non_trt_optimizers=True),
    IntegrationCase(
        "shape_output_test.py", "PrunedInputTest", pruned_input,
        (spec(0, [1, 2, 5, 3], mask=FIRST_UNKNOWN),), lambda run: engines(1),
        should_run=v2_dynamic_shape, disable_non_trt_optimizers=True),
    IntegrationCase(
        "shape_output_test.py", "PrunedInputTest2", pruned_input_2,
        (spec(0, [1, 2, 5, 3], mask=FIRST_UNKNOWN), spec(1, [2, 15], mask=(False, True))),
        lambda run: engines(1), should_run=v2_dynamic_shape, disable_non_trt_optimizers=True),
    IntegrationCase(
        "shape_output_test.py", "ShapeValueMaskTest", shape_value_mask,
        (spec(0, [3], "float16", mask=(True,)), spec(1, [], "float16", mask=())),
        lambda run: engines(1) if run.dynamic_shape else [],
        should_run=dynamic_shape_non_int8),
    IntegrationCase(
        "shape_output_test.py", "InputProfile", input_profile,
        (spec(0, [4], "int32", mask=(False,)),), lambda run: engines(1),
        should_run=lambda run: (run.dynamic_shape and run.is_v2 and not is_quantization(run),
                                "Test v2 dynamic_shapes without INT8"),
        disable_non_trt_optimizers=True, extra_batches=(5, 10)),
]


# -- topk_test.py ---------------------------------------------------------------------------

def topk(tf, x):
    k = tf.constant(5, dtype=tf.int32, name="Const")
    values, indices = tf.math.top_k(x, k, name="TopK")
    return tf.identity(values, name="output_0"), tf.identity(indices, name="output_1")


def topk_output_type(tf, x):
    k = tf.constant(5, dtype=tf.int32, name="Const")
    values, indices = tf.math.top_k(x, k, name="TopK")
    indices = tf.reshape(indices, [100, 1, 5], name="Reshape")
    return tf.identity(values, name="output_0"), tf.identity(indices, name="output_1")


TOPK = [
    IntegrationCase("topk_test.py", "TopKTest", topk, (spec(0, [100, 100]),),
                    lambda run: {"TRTEngineOp_000": ["Const", "TopK"]}),
    IntegrationCase("topk_test.py", "TopKOutputTypeTest", topk_output_type,
                    (spec(0, [100, 100]),),
                    lambda run: {"TRTEngineOp_000": ["Const", "TopK", "Reshape",
                                                     "Reshape/shape"]}),
]


# -- trt_engine_op_shape_test.py ------------------------------------------------------------

def engine_op_shapes(tf, inp):
    b = tf.squeeze(inp, axis=[2])
    c = tf.nn.relu(b)
    d1 = c + c
    d2 = tf.math.reduce_sum(d1)
    return tf.identity(d1, name="output_0"), tf.identity(d2, name="output_1")


TRT_ENGINE_OP_SHAPE = [
    IntegrationCase("trt_engine_op_shape_test.py", "TRTEngineOpInputOutputShapeTest",
                    engine_op_shapes, (spec(0, [1, 2, 1, 4]),), lambda run: engines(1)),
]


# -- trt_mode_test.py -----------------------------------------------------------------------

def squeeze_batch(tf, x1):
    q = tf.math.abs(x1)
    q = q + 1.0
    q = q * 3.0
    q = tf.squeeze(q, 0)
    q = tf.math.abs(q)
    q = q + 5.0
    return tf.identity(q, name="output_0")


def v2_dynamic_engine_no_calibration(run: RunParams):
    return ((run.dynamic_engine and run.is_v2 and not run.use_calibration),
            "test v2 dynamic engine and non-calibration")


def squeeze_expected(run: RunParams):
    # implicit batch mode may not squeeze the batch dimension: two engines around it
    return engines(1) if run.dynamic_shape else engines(2)


TRT_MODE = [
    IntegrationCase("trt_mode_test.py", "StaticInputTest", squeeze_batch,
                    (spec(0, [1, 12, 5], mask=(True, True, True)),), squeeze_expected,
                    should_run=v2_dynamic_engine_no_calibration, max_batch_size=12),
    IntegrationCase("trt_mode_test.py", "DynamicInputTest", squeeze_batch,
                    (spec(0, [1, 12, 5], mask=(False, False, False)),), squeeze_expected,
                    should_run=v2_dynamic_engine_no_calibration, max_batch_size=12),
]


# -- unary_test.py --------------------------------------------------------------------------

def unary(tf, x1, x2):
    q = tf.math.abs(x1)
    q = q + 1.0
    q = tf.math.exp(q)
    q = tf.math.log(q)
    q = tf.squeeze(q, axis=-2)
    q = tf.math.abs(q)
    q = q + 2.2
    q = tf.math.sqrt(q)
    q = tf.math.rsqrt(q)
    q = tf.math.negative(q)
    q = tf.squeeze(q, axis=3)
    q = tf.math.abs(q)
    q = q + 3.0
    a = tf.math.reciprocal(q)
    # a chain on a constant of batch 5, unlike the rest
    x = tf.constant(np.random.randn(5, 8, 12), dtype=x1.dtype)
    q = tf.math.abs(x)
    q = q + 2.0
    q = tf.math.exp(q)
    q = tf.math.log(q)
    q = tf.math.abs(q)
    q = q + 2.1
    q = tf.math.sqrt(q)
    q = tf.math.rsqrt(q)
    q = tf.math.negative(q)
    q = tf.math.abs(q)
    q = q + 4.0
    b = tf.math.reciprocal(q)
    q = tf.math.abs(x2)
    q = q + 5.0
    q = tf.math.exp(q)
    q = tf.squeeze(q, axis=[-1, -2, 3])
    q = tf.math.log(q)
    q = tf.math.abs(q)
    q = q + 5.1
    q = tf.reshape(q, [12, 5, 1, 1, 8, 1, 12])
    q = tf.squeeze(q, axis=[5, 2, 3])
    q = tf.math.sqrt(q)
    q = tf.math.abs(q)
    q = q + 5.2
    q = tf.math.rsqrt(q)
    q = tf.math.negative(q)
    q = tf.math.abs(q)
    q = q + 5.3
    c = tf.math.reciprocal(q)
    q = a * b
    q = q / c
    return tf.squeeze(q, name="output_0")


UNARY = [
    IntegrationCase("unary_test.py", "UnaryTest", unary,
                    (spec(0, [12, 5, 8, 1, 1, 12]), spec(1, [12, 5, 8, 1, 12, 1, 1])),
                    # implicit batch: the final squeeze and div stay in TensorFlow and
                    # the x1 and x2 branches become two engines
                    lambda run: engines(1) if run.dynamic_shape else engines(2)),
]


# -- vgg_block_nchw_test.py / vgg_block_test.py ---------------------------------------------

def vgg_block(tf, x, data_format):
    nchw = data_format == "NCHW"
    x, _, _ = tf.compat.v1.nn.fused_batch_norm(x, [1.0, 1.0], [0.0, 0.0], mean=[0.5, 0.5],
                                               variance=[1.0, 1.0], data_format=data_format,
                                               is_training=False)
    e = tf.constant(np.random.randn(1, 1, 2, 6), name="weights", dtype=x.dtype)
    conv = tf.nn.conv2d(x, e, data_format=data_format,
                        strides=[1, 1, 2, 2] if nchw else [1, 2, 2, 1], padding="SAME",
                        name="conv")
    b = tf.constant(np.random.randn(6), name="bias", dtype=x.dtype)
    t = tf.nn.bias_add(conv, b, data_format=data_format, name="biasAdd")
    relu = tf.nn.relu(t, "relu")
    idty = tf.identity(relu, "ID")
    window = [1, 1, 2, 2] if nchw else [1, 2, 2, 1]
    v = tf.nn.max_pool2d(idty, window, window, "VALID", data_format=data_format,
                         name="max_pool")
    return tf.squeeze(v, name="output_0")


VGG = [
    IntegrationCase("vgg_block_nchw_test.py", "VGGBlockNCHWTest",
                    lambda tf, x: vgg_block(tf, x, "NCHW"), (spec(0, [5, 2, 8, 8]),),
                    lambda run: engines(1)),
    IntegrationCase("vgg_block_test.py", "VGGBlockTest",
                    lambda tf, x: vgg_block(tf, x, "NHWC"), (spec(0, [5, 8, 8, 2]),),
                    lambda run: engines(1)),
]


# -- annotate_max_batch_sizes_test.py -------------------------------------------------------

TENSOR_SHAPES = [[1, 512, 1, 1], [64, 2, 2, 2], [32, 4, 2, 2], [16, 8, 2, 2]]
MAX_BATCH_SIZES = [shape[0] for shape in TENSOR_SHAPES]


def annotated_max_batch_sizes(tf, inp):
    from tensorflow.core.framework import attr_value_pb2

    graph = tf.compat.v1.get_default_graph()

    def annotated(i):
        return graph._attr_scope(  # pylint: disable=protected-access
            {"_tftrt_op_max_batch_size": attr_value_pb2.AttrValue(i=MAX_BATCH_SIZES[i])})

    tensor = inp * 2.0
    tensor = tf.reshape(tensor, [-1] + TENSOR_SHAPES[1][1:])
    with annotated(1):
        tensor = tensor + 3.0
    tensor = tf.reshape(tensor, [-1] + TENSOR_SHAPES[2][1:])
    with annotated(2):
        tensor = tensor * 4.0
    tensor = tf.reshape(tensor, [-1] + TENSOR_SHAPES[3][1:])
    with annotated(3):
        tensor += tensor + 5.0
    return tf.identity(tensor, name="output_0")


def static_batch_sizes(tf, inp):
    tensor = inp * 2.0
    tensor = tf.reshape(tensor, TENSOR_SHAPES[1])
    tensor = tensor + 3.0
    tensor = tf.reshape(tensor, TENSOR_SHAPES[2])
    tensor = tensor * 4.0
    tensor = tf.reshape(tensor, TENSOR_SHAPES[3])
    tensor += tensor + 5.0
    return tf.identity(tensor, name="output_0")


def static_engine_only(run: RunParams):
    return (not run.dynamic_engine), "test static engine only."


ANNOTATE = [
    IntegrationCase("annotate_max_batch_sizes_test.py", "AnnotateMaxBatchSizesTest",
                    annotated_max_batch_sizes, (spec(0, TENSOR_SHAPES[0]),),
                    lambda run: engines(len(MAX_BATCH_SIZES)), should_run=static_engine_only,
                    max_batch_size=min(MAX_BATCH_SIZES)),
    IntegrationCase("annotate_max_batch_sizes_test.py", "StaticBatchSizeTest",
                    static_batch_sizes, (spec(0, TENSOR_SHAPES[0]),),
                    lambda run: engines(len(MAX_BATCH_SIZES)), should_run=static_engine_only,
                    max_batch_size=min(MAX_BATCH_SIZES)),
]


CASES: list[IntegrationCase] = (
    BASE + BATCH_MATMUL + BIASADD_MATMUL + BINARY_BROADCAST + BOOL + CAST + COMBINED_NMS
    + CONCATENATION + CONST_BROADCAST + CONV2D + DATA_DEPENDENT + DYNAMIC_INPUT_SHAPES
    + IDENTITY_OUTPUT + INT32 + LRU_CACHE + MEMORY_ALIGNMENT + NEIGHBORS + QUANTIZATION
    + RANK_TWO + RESHAPE_TRANSPOSE + SHAPE_OUTPUT + TOPK + TRT_ENGINE_OP_SHAPE + TRT_MODE
    + UNARY + VGG + ANNOTATE)


NOT_PORTED: list[NotPorted] = [
    NotPorted("combined_nms_test.py", "CombinedNmsTopKOverride",
              "sets TF_TRT_ALLOW_NMS_TOPK_OVERRIDE=1 so that 5000 boxes (above TensorRT's "
              "TopK limit of 4096) still convert; trtlint has no switch for that variable "
              "and the oracle runner does not pass it"),
    NotPorted("tf_function_test.py", "TfFunctionTest",
              "converts the body of a _noinline tf.function through _tftrt_* function "
              "attributes; trtlint and the oracle analyse the frozen top-level graph "
              "(TensorFlow itself tags the test manual/notap: disabled)"),
    NotPorted("quantization_mnist_test.py", "QuantizationAwareTrainingMNISTTest",
              "trains and restores an MNIST checkpoint from testdata and checks accuracy, not "
              "engines; absent from the 2.16-2.17 snapshot", tf_version="before 2.16"),
]

#: the *_test.py files of the snapshot's test directory (cases.SNAPSHOT)
SNAPSHOT_TEST_FILES = frozenset(f"{name}_test.py" for name in (
    "annotate_max_batch_sizes", "base", "batch_matmul", "biasadd_matmul",
    "binary_tensor_weight_broadcast", "bool", "cast", "combined_nms", "concatenation",
    "const_broadcast", "conv2d", "data_dependent_shape", "dynamic_input_shapes",
    "identity_output", "int32", "lru_cache", "memory_alignment",
    "multi_connection_neighbor_engine", "neighboring_engine", "quantization", "rank_two",
    "reshape_transpose", "shape_output", "tf_function", "topk", "trt_engine_op_shape",
    "trt_mode", "unary", "vgg_block_nchw", "vgg_block"))
