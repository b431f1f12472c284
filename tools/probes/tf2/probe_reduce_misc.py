"""Reductions, ArgMax/ArgMin, TopKV2, quantization ops, pass-through ops, NMS,
follow-ups on Split/Unpack/Slice/Range, and precision-dependent behaviour.

Run under implicit, dynamic, INT8 and FP16 configurations.
"""
from probe_lib import Case, main

C = lambda tf, v, dt=None: tf.constant(v, dt or tf.int32)
X = lambda p, shape=(None, 4, 6), dt=None: p(list(shape)) if dt is None else p(list(shape), dt)


def red(op, axis, keep=False, shape=(None, 4, 6), dt=None, tensor_axis=False):
    def b(tf, p, n):
        ax = p([len(axis)], tf.int32) if tensor_axis else C(tf, axis)
        return getattr(tf.raw_ops, op)(input=X(p, shape, dt), axis=ax, keep_dims=keep, name=n)
    return b


def qdq(op, rng=(-1.0, 1.0), tensor_range=False, **kw):
    def b(tf, p, n):
        lo = p([]) if tensor_range else tf.constant(rng[0])
        hi = tf.constant(rng[1])
        args = dict(input=X(p), input_min=lo, input_max=hi, name=n, **kw)
        if op == "QuantizeAndDequantizeV3":
            args["num_bits"] = tf.constant(8)
        return getattr(tf.raw_ops, op)(**args)
    return b


CASES = []
for op in ("Sum", "Prod", "Max", "Min", "Mean"):
    CASES += [Case(f"{op}_axis1", red(op, [1]), ""), Case(f"{op}_axis0", red(op, [0]), "batch axis")]
CASES += [
    Case("Mean_keep", red("Mean", [1, 2], keep=True), ""),
    Case("Mean_neg_axis", red("Mean", [-1]), ""),
    Case("Mean_tensor_axis", red("Mean", [1], tensor_axis=True), ""),
    Case("Sum_i32", red("Sum", [1], dt="int32"), ""),
    Case("Mean_f16", red("Mean", [1], dt="float16"), ""),
    Case("Sum_all_nonbatch", red("Sum", [1, 2]), "reduces to rank 1"),
    Case("Max_dyn", red("Max", [1], shape=(None, None, 6)), ""),
    Case("All_bool", lambda tf, p, n: tf.raw_ops.All(input=X(p, dt=tf.bool), axis=C(tf, [1]), name=n), "no converter"),
    Case("ArgMax_axis1", lambda tf, p, n: tf.raw_ops.ArgMax(input=X(p), dimension=C(tf, 1), output_type=tf.int32, name=n), ""),
    Case("ArgMax_i64out", lambda tf, p, n: tf.raw_ops.ArgMax(input=X(p), dimension=C(tf, 1), name=n), "output int64"),
    Case("ArgMax_axis0", lambda tf, p, n: tf.raw_ops.ArgMax(input=X(p), dimension=C(tf, 0), output_type=tf.int32, name=n), ""),
    Case("ArgMin_axis_last", lambda tf, p, n: tf.raw_ops.ArgMin(input=X(p), dimension=C(tf, -1), output_type=tf.int32, name=n), ""),
    Case("ArgMax_tensor_axis", lambda tf, p, n: tf.raw_ops.ArgMax(input=X(p), dimension=p([], tf.int32), output_type=tf.int32, name=n), ""),
    Case("ArgMax_f16", lambda tf, p, n: tf.raw_ops.ArgMax(input=X(p, dt=tf.float16), dimension=C(tf, 1), output_type=tf.int32, name=n), ""),
    Case("ArgMax_i32in", lambda tf, p, n: tf.raw_ops.ArgMax(input=X(p, dt=tf.int32), dimension=C(tf, 1), output_type=tf.int32, name=n), ""),
    Case("TopK_const", lambda tf, p, n: tf.raw_ops.TopKV2(input=X(p), k=C(tf, 3), name=n), ""),
    Case("TopK_tensor_k", lambda tf, p, n: tf.raw_ops.TopKV2(input=X(p), k=p([], tf.int32), name=n), ""),
    Case("TopK_unsorted", lambda tf, p, n: tf.raw_ops.TopKV2(input=X(p), k=C(tf, 3), sorted=False, name=n), ""),
    Case("TopK_i32", lambda tf, p, n: tf.raw_ops.TopKV2(input=X(p, dt=tf.int32), k=C(tf, 3), name=n), ""),
    Case("TopK_r2", lambda tf, p, n: tf.raw_ops.TopKV2(input=X(p, (None, 6)), k=C(tf, 3), name=n), ""),
    Case("identity", lambda tf, p, n: tf.raw_ops.Identity(input=X(p), name=n), ""),
    Case("identity_const", lambda tf, p, n: tf.raw_ops.Identity(input=tf.constant(1.0, shape=[2, 3]), name=n), "Const input"),
    Case("identityn", lambda tf, p, n: tf.raw_ops.IdentityN(input=[X(p), X(p)], name=n), ""),
    Case("snapshot", lambda tf, p, n: tf.raw_ops.Snapshot(input=X(p), name=n), ""),
    Case("stopgradient", lambda tf, p, n: tf.raw_ops.StopGradient(input=X(p), name=n), ""),
    Case("nms_combined", lambda tf, p, n: tf.raw_ops.CombinedNonMaxSuppression(
        boxes=X(p, (None, 10, 1, 4)), scores=X(p, (None, 10, 3)), max_output_size_per_class=C(tf, 5),
        max_total_size=C(tf, 5), iou_threshold=tf.constant(0.5), score_threshold=tf.constant(0.1), name=n), ""),
    Case("nms_combined_tensor_k", lambda tf, p, n: tf.raw_ops.CombinedNonMaxSuppression(
        boxes=X(p, (None, 10, 1, 4)), scores=X(p, (None, 10, 3)), max_output_size_per_class=p([], tf.int32),
        max_total_size=C(tf, 5), iou_threshold=tf.constant(0.5), score_threshold=tf.constant(0.1), name=n), ""),
    Case("nms_combined_pad", lambda tf, p, n: tf.raw_ops.CombinedNonMaxSuppression(
        boxes=X(p, (None, 10, 1, 4)), scores=X(p, (None, 10, 3)), max_output_size_per_class=C(tf, 5),
        max_total_size=C(tf, 5), iou_threshold=tf.constant(0.5), score_threshold=tf.constant(0.1),
        pad_per_class=True, name=n), "pad_per_class"),
    Case("nms_v3", lambda tf, p, n: tf.raw_ops.NonMaxSuppressionV3(
        boxes=X(p, (10, 4)), scores=X(p, (10,)), max_output_size=C(tf, 5), iou_threshold=tf.constant(0.5),
        score_threshold=tf.constant(0.1), name=n), "no converter"),
    Case("split_static", lambda tf, p, n: tf.raw_ops.Split(axis=C(tf, 1), value=X(p, (2, 4, 6)), num_split=2, name=n), "fully static input"),
    Case("splitv", lambda tf, p, n: tf.raw_ops.SplitV(value=X(p), size_splits=C(tf, [1, 3]), axis=C(tf, 1), num_split=2, name=n), "no converter?"),
    Case("unpack_static", lambda tf, p, n: tf.raw_ops.Unpack(value=X(p, (2, 4, 6)), num=4, axis=1, name=n), "fully static"),
    Case("unpack_static_nb", lambda tf, p, n: tf.raw_ops.Unpack(value=X(p, (2, 4, None)), num=4, axis=1, name=n), "static batch, dyn other dim"),
    Case("slice_static", lambda tf, p, n: tf.raw_ops.Slice(input=X(p, (2, 4, 6)), begin=C(tf, [0, 1, 2]), size=C(tf, [-1, 2, 3]), name=n), "fully static"),
    Case("slice_static_batch_dyn_other", lambda tf, p, n: tf.raw_ops.Slice(input=X(p, (2, None, 6)), begin=C(tf, [0, 1, 2]), size=C(tf, [-1, 2, 3]), name=n), ""),
    Case("ss_static_batch_dyn_other", lambda tf, p, n: tf.raw_ops.StridedSlice(input=X(p, (2, None, 6)), begin=C(tf, [0, 1, 0]), end=C(tf, [0, 3, 6]),
                                                                               strides=C(tf, [1, 1, 1]), begin_mask=1, end_mask=1, name=n), ""),
    Case("range_vec", lambda tf, p, n: tf.raw_ops.Range(start=p([], tf.int32), limit=p([], tf.int32), delta=p([], tf.int32), name=n), "scalar tensors"),
    Case("readvar", lambda tf, p, n: tf.raw_ops.ReadVariableOp(resource=tf.raw_ops.VarHandleOp(dtype=tf.float32, shape=[2, 3], name=n + "_h"), dtype=tf.float32, name=n), ""),
    Case("variablev2", lambda tf, p, n: tf.raw_ops.VariableV2(shape=[2, 3], dtype=tf.float32, name=n), ""),
    Case("cast_i32_f32", lambda tf, p, n: tf.raw_ops.Cast(x=X(p, dt=tf.int32), DstT=tf.float32, name=n), ""),
    Case("cast_i32_f16", lambda tf, p, n: tf.raw_ops.Cast(x=X(p, dt=tf.int32), DstT=tf.float16, name=n), ""),
    Case("cast_f32_f16", lambda tf, p, n: tf.raw_ops.Cast(x=X(p), DstT=tf.float16, name=n), ""),
    Case("relu_f32", lambda tf, p, n: tf.raw_ops.Relu(features=X(p), name=n), "reference"),
]

# These two abort the whole TensorFlow process (CHECK failure, exit by SIGABRT) in TF 2.17's
# TF-TRT validation, in every configuration tried:
#  - Sum with an empty axis Const: "Check failed: dtype() == expected_dtype (1 vs. 3) int32
#    expected, got float" (an empty Const is turned into float weights, then read as int32);
#  - QuantizeAndDequantizeV2 on float16 with float16 min/max Consts: "Check failed:
#    new_num_elements * static_cast<int64_t>(sizeof(T)) == NumElements() * element_size (0 vs. 2)".
# Run `python probe_reduce_misc.py crash` to reproduce (the oracle run fails).
CRASH_CASES = [
    Case("Sum_empty_axis", lambda tf, p, n: tf.raw_ops.Sum(input=X(p), axis=tf.constant([], tf.int32), name=n), "axis=[]"),
    Case("qdq2_f16", lambda tf, p, n: tf.raw_ops.QuantizeAndDequantizeV2(input=X(p, dt=tf.float16), input_min=tf.constant(-1.0, tf.float16), input_max=tf.constant(1.0, tf.float16), name=n), ""),
]

if __name__ == "__main__":
    import sys
    if sys.argv[1:] == ["crash"]:
        main(CRASH_CASES, ("implicit",), "Cases that abort TensorFlow")
    else:
        main(CASES, ("implicit", "dynamic", "int8", "fp16"), "Reductions, quantization, misc")
