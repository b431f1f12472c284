"""Quantization ops (INT8), and TF-TRT 2.17's explicit-QDQ switch.

Two graphs, because the presence of ONE QuantizeAndDequantizeV2 node anywhere in
the graph switches TF-TRT 2.17 to "explicit QDQ mode" and forces precision INT8
(trt_optimization_pass.cc logs "Explicit precision mode with calibration or
FP32/FP16 mode is not supported. Setting precision mode to INT8 ...").

  WITHOUT_QDQ2: FakeQuant*, QuantizeAndDequantizeV3/V4 (no V2 in the graph)
  WITH_QDQ2:    QuantizeAndDequantizeV2 variants plus reference nodes whose
                verdict depends on the precision (a Cast int32->float32, which
                FP16 mode rewrites, and an INT8-only FakeQuant).
"""
import sys

from probe_lib import Case, main

C = lambda tf, v, dt=None: tf.constant(v, dt or tf.int32)
X = lambda p, shape=(None, 4, 6), dt=None: p(list(shape)) if dt is None else p(list(shape), dt)


def qdq(op, rng=(-1.0, 1.0), tensor_range=False, **kw):
    def b(tf, p, n):
        lo = p([]) if tensor_range else tf.constant(rng[0])
        hi = tf.constant(rng[1])
        args = dict(input=X(p), input_min=lo, input_max=hi, name=n, **kw)
        if op == "QuantizeAndDequantizeV3":
            args["num_bits"] = tf.constant(8)
        return getattr(tf.raw_ops, op)(**args)
    return b


WITHOUT_QDQ2 = [
    Case("qdq3", qdq("QuantizeAndDequantizeV3"), ""),
    Case("qdq4", qdq("QuantizeAndDequantizeV4"), "not registered"),
    Case("fq_args", lambda tf, p, n: tf.raw_ops.FakeQuantWithMinMaxArgs(inputs=X(p), min=-1.0, max=1.0, name=n), ""),
    Case("fq_vars", lambda tf, p, n: tf.raw_ops.FakeQuantWithMinMaxVars(inputs=X(p), min=tf.constant(-1.0), max=tf.constant(1.0), name=n), ""),
    Case("fq_vars_tensor", lambda tf, p, n: tf.raw_ops.FakeQuantWithMinMaxVars(inputs=X(p), min=p([]), max=tf.constant(1.0), name=n), "min is a tensor"),
    Case("fq_vars_pc", lambda tf, p, n: tf.raw_ops.FakeQuantWithMinMaxVarsPerChannel(inputs=X(p), min=tf.constant([-1.0] * 6), max=tf.constant([1.0] * 6), name=n), "no converter"),
    Case("fq_args_r1", lambda tf, p, n: tf.raw_ops.FakeQuantWithMinMaxArgs(inputs=X(p, (None,)), min=-1.0, max=1.0, name=n), "rank 1"),
    Case("cast_i32_f32", lambda tf, p, n: tf.raw_ops.Cast(x=X(p, dt=tf.int32), DstT=tf.float32, name=n), "FP16 rewrite reference"),
]

WITH_QDQ2 = [
    Case("qdq2", qdq("QuantizeAndDequantizeV2"), ""),
    Case("qdq2_tensor_range", qdq("QuantizeAndDequantizeV2", tensor_range=True), "min is a tensor"),
    Case("qdq2_bad_range", qdq("QuantizeAndDequantizeV2", rng=(1.0, -1.0)), "min > max"),
    Case("qdq2_axis", lambda tf, p, n: tf.raw_ops.QuantizeAndDequantizeV2(input=X(p), input_min=tf.constant([-1.0] * 6), input_max=tf.constant([1.0] * 6), axis=2, name=n), "per-channel"),
    Case("fq_args_ref", lambda tf, p, n: tf.raw_ops.FakeQuantWithMinMaxArgs(inputs=X(p), min=-1.0, max=1.0, name=n), "INT8-only op"),
    Case("cast_i32_f32_ref", lambda tf, p, n: tf.raw_ops.Cast(x=X(p, dt=tf.int32), DstT=tf.float32, name=n), "FP16-only rewrite"),
]

if __name__ == "__main__":
    which = sys.argv[1] if len(sys.argv) > 1 else "without"
    if which == "with":
        main(WITH_QDQ2, ("implicit", "dynamic", "fp16", "int8"), "Graph WITH a QuantizeAndDequantizeV2 (explicit QDQ mode)")
    else:
        main(WITHOUT_QDQ2, ("implicit", "dynamic", "fp16", "int8", "int8-dynamic"), "Quantization ops, graph WITHOUT QuantizeAndDequantizeV2")
