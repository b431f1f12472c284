"""Convolutions, pooling, batch norm, MatMul/BatchMatMul/Einsum, Softmax.

Attribute variants: data_format, strides/dilations on batch/channel dims,
padding EXPLICIT, non-Const weights, dtypes, dynamic channel dims,
FusedBatchNorm is_training, BatchMatMul transposes and operand kinds.
"""
from probe_lib import Case, main

W = lambda tf, shape, dt=None: tf.constant(1, dt or tf.float32, shape=shape)


def conv(**kw):
    def b(tf, p, n):
        fmt = kw.get("data_format", "NHWC")
        dt = getattr(tf, kw.get("dtype", "float32"))
        shape = kw.get("shape", [None, 8, 8, 3] if fmt == "NHWC" else [None, 3, 8, 8])
        x = p(shape, dt)
        f = p([3, 3, 3, 4], dt) if kw.get("tensor_filter") else W(tf, kw.get("fshape", [3, 3, 3, 4]), dt)
        extra = {}
        if kw.get("padding") == "EXPLICIT":
            extra["explicit_paddings"] = [0, 0, 1, 1, 1, 1, 0, 0]
        return tf.raw_ops.Conv2D(input=x, filter=f, strides=kw.get("strides", [1, 1, 1, 1]),
                                 padding=kw.get("padding", "SAME"), data_format=fmt,
                                 dilations=kw.get("dilations", [1, 1, 1, 1]), name=n, **extra)
    return b


def dw(**kw):
    def b(tf, p, n):
        x = p(kw.get("shape", [None, 8, 8, 3]))
        f = p([3, 3, 3, 2]) if kw.get("tensor_filter") else W(tf, [3, 3, 3, 2])
        return tf.raw_ops.DepthwiseConv2dNative(input=x, filter=f, strides=kw.get("strides", [1, 1, 1, 1]),
                                                padding="SAME", dilations=kw.get("dilations", [1, 1, 1, 1]), name=n)
    return b


def pool(op, **kw):
    def b(tf, p, n):
        fmt = kw.get("data_format", "NHWC")
        x = p(kw.get("shape", [None, 8, 8, 3] if fmt == "NHWC" else [None, 3, 8, 8]), getattr(tf, kw.get("dtype", "float32")))
        return getattr(tf.raw_ops, op)(**{("value" if op == "AvgPool" else "input"): x}, ksize=kw.get("ksize", [1, 2, 2, 1]), strides=kw.get("strides", [1, 2, 2, 1]),
                                       padding=kw.get("padding", "VALID"), data_format=fmt, name=n)
    return b


def bn(op, **kw):
    def b(tf, p, n):
        fmt = kw.get("data_format", "NHWC")
        dt = getattr(tf, kw.get("dtype", "float32"))
        x = p(kw.get("shape", [None, 8, 8, 3] if fmt == "NHWC" else [None, 3, 8, 8]), dt)
        c = lambda: W(tf, [3])
        scale = p([3]) if kw.get("tensor_scale") else c()
        mean = c() if not kw.get("empty_mean") else tf.constant([], tf.float32)
        var = c() if not kw.get("empty_mean") else tf.constant([], tf.float32)
        args = dict(x=x, scale=scale, offset=c(), mean=mean, variance=var, epsilon=0.001,
                    data_format=fmt, is_training=kw.get("is_training", False), name=n)
        return getattr(tf.raw_ops, op)(**args)
    return b


def matmul(**kw):
    def b(tf, p, n):
        dt = getattr(tf, kw.get("dtype", "float32"))
        a = p(kw.get("a", [None, 4]), dt)
        bb = W(tf, kw.get("b", [4, 5]), dt) if not kw.get("tensor_b") else p(kw.get("b", [4, 5]), dt)
        if kw.get("const_a"):
            a, bb = W(tf, [5, 4], dt), p([None, 5], dt)
            a, bb = bb, W(tf, [5, 4], dt)
        return tf.raw_ops.MatMul(a=a, b=bb, transpose_a=kw.get("ta", False), transpose_b=kw.get("tb", False), name=n)
    return b


def bmm(op, a_shape, b_shape, a_kind="t", b_kind="c", adj_x=False, adj_y=False):
    def b(tf, p, n):
        a = p(a_shape) if a_kind == "t" else W(tf, a_shape)
        bb = p(b_shape) if b_kind == "t" else W(tf, b_shape)
        return getattr(tf.raw_ops, op)(x=a, y=bb, adj_x=adj_x, adj_y=adj_y, name=n)
    return b


CASES = [
    Case("conv_nhwc", conv(), ""),
    Case("conv_nchw", conv(data_format="NCHW"), ""),
    Case("conv_f16", conv(dtype="float16"), ""),
    Case("conv_tensor_filter", conv(tensor_filter=True), ""),
    Case("conv_dil2", conv(dilations=[1, 2, 2, 1]), ""),
    Case("conv_dil_channel", conv(dilations=[1, 1, 1, 2]), "" ),
    Case("conv_stride2", conv(strides=[1, 2, 2, 1]), ""),
    Case("conv_stride_batch", conv(strides=[2, 1, 1, 1]), ""),
    Case("conv_explicit", conv(padding="EXPLICIT"), ""),
    Case("conv_valid", conv(padding="VALID"), ""),
    Case("conv_dyn_channel", conv(shape=[None, 8, 8, None]), "channel dim unknown"),
    Case("conv_dyn_hw", conv(shape=[None, None, None, 3]), "H,W unknown"),
    Case("dw_basic", dw(), ""),
    Case("dw_tensor_filter", dw(tensor_filter=True), ""),
    Case("dw_dyn_channel", dw(shape=[None, 8, 8, None]), ""),
    Case("dw_dil2", dw(dilations=[1, 2, 2, 1]), ""),
    Case("deconv_basic", lambda tf, p, n: tf.raw_ops.Conv2DBackpropInput(
        input_sizes=tf.constant([1, 16, 16, 3]), filter=W(tf, [3, 3, 3, 4]), out_backprop=p([None, 8, 8, 4]),
        strides=[1, 2, 2, 1], padding="SAME", name=n), ""),
    Case("deconv_tensor_sizes", lambda tf, p, n: tf.raw_ops.Conv2DBackpropInput(
        input_sizes=p([4], tf.int32), filter=W(tf, [3, 3, 3, 4]), out_backprop=p([None, 8, 8, 4]),
        strides=[1, 2, 2, 1], padding="SAME", name=n), ""),
    Case("deconv_dyn_hw", lambda tf, p, n: tf.raw_ops.Conv2DBackpropInput(
        input_sizes=tf.constant([1, 16, 16, 3]), filter=W(tf, [3, 3, 3, 4]), out_backprop=p([None, None, None, 4]),
        strides=[1, 2, 2, 1], padding="SAME", name=n), ""),
    Case("deconv_dil", lambda tf, p, n: tf.raw_ops.Conv2DBackpropInput(
        input_sizes=tf.constant([1, 8, 8, 3]), filter=W(tf, [3, 3, 3, 4]), out_backprop=p([None, 8, 8, 4]),
        strides=[1, 1, 1, 1], dilations=[1, 2, 2, 1], padding="SAME", name=n), ""),
    Case("conv3d_basic", lambda tf, p, n: tf.raw_ops.Conv3D(input=p([None, 4, 8, 8, 3]), filter=W(tf, [3, 3, 3, 3, 4]),
                                                            strides=[1, 1, 1, 1, 1], padding="SAME", name=n), ""),
    Case("conv3d_ncdhw", lambda tf, p, n: tf.raw_ops.Conv3D(input=p([None, 3, 4, 8, 8]), filter=W(tf, [3, 3, 3, 3, 4]),
                                                            strides=[1, 1, 1, 1, 1], padding="SAME", data_format="NCDHW", name=n), ""),
    Case("conv3d_dil", lambda tf, p, n: tf.raw_ops.Conv3D(input=p([None, 4, 8, 8, 3]), filter=W(tf, [3, 3, 3, 3, 4]),
                                                          strides=[1, 1, 1, 1, 1], dilations=[1, 2, 2, 2, 1], padding="SAME", name=n), ""),
    Case("conv3d_tensor_filter", lambda tf, p, n: tf.raw_ops.Conv3D(input=p([None, 4, 8, 8, 3]), filter=p([3, 3, 3, 3, 4]),
                                                                    strides=[1, 1, 1, 1, 1], padding="SAME", name=n), ""),
    Case("conv3d_dyn_channel", lambda tf, p, n: tf.raw_ops.Conv3D(input=p([None, 4, 8, 8, None]), filter=W(tf, [3, 3, 3, 3, 4]),
                                                                  strides=[1, 1, 1, 1, 1], padding="SAME", name=n), ""),
    Case("deconv3d_basic", lambda tf, p, n: tf.raw_ops.Conv3DBackpropInputV2(
        input_sizes=tf.constant([1, 8, 16, 16, 3]), filter=W(tf, [3, 3, 3, 3, 4]), out_backprop=p([None, 4, 8, 8, 4]),
        strides=[1, 2, 2, 2, 1], padding="SAME", name=n), ""),
    Case("maxpool_nhwc", pool("MaxPool"), ""),
    Case("maxpool_nchw", pool("MaxPool", data_format="NCHW", ksize=[1, 1, 2, 2], strides=[1, 1, 2, 2]), ""),
    Case("maxpool_same", pool("MaxPool", padding="SAME"), ""),
    Case("maxpool_f16", pool("MaxPool", dtype="float16"), ""),
    Case("maxpool_i32", pool("MaxPool", dtype="int32"), ""),
    Case("maxpool_ksize_channel", pool("MaxPool", ksize=[1, 2, 2, 2], strides=[1, 2, 2, 2]), ""),
    Case("maxpool_stride_batch", pool("MaxPool", strides=[2, 2, 2, 1]), ""),
    Case("maxpool_dyn_hw", pool("MaxPool", shape=[None, None, None, 3]), ""),
    Case("avgpool_nhwc", pool("AvgPool"), ""),
    Case("avgpool_same", pool("AvgPool", padding="SAME"), ""),
    Case("avgpool_ksize_channel", pool("AvgPool", ksize=[1, 2, 2, 2], strides=[1, 2, 2, 2]), ""),
    Case("maxpool3d", lambda tf, p, n: tf.raw_ops.MaxPool3D(input=p([None, 4, 8, 8, 3]), ksize=[1, 2, 2, 2, 1],
                                                            strides=[1, 2, 2, 2, 1], padding="VALID", name=n), ""),
    Case("avgpool3d", lambda tf, p, n: tf.raw_ops.AvgPool3D(input=p([None, 4, 8, 8, 3]), ksize=[1, 2, 2, 2, 1],
                                                            strides=[1, 2, 2, 2, 1], padding="SAME", name=n), ""),
    Case("maxpool3d_ncdhw", lambda tf, p, n: tf.raw_ops.MaxPool3D(input=p([None, 3, 4, 8, 8]), ksize=[1, 1, 2, 2, 2],
                                                                  strides=[1, 1, 2, 2, 2], padding="VALID", data_format="NCDHW", name=n), ""),
    Case("bn_v1", bn("FusedBatchNorm"), ""),
    Case("bn_v2", bn("FusedBatchNormV2"), ""),
    Case("bn_v3", bn("FusedBatchNormV3"), ""),
    Case("bn_v3_nchw", bn("FusedBatchNormV3", data_format="NCHW"), ""),
    Case("bn_v3_training", bn("FusedBatchNormV3", is_training=True, empty_mean=True), "is_training=True"),
    Case("bn_v3_tensor_scale", bn("FusedBatchNormV3", tensor_scale=True), "scale is a tensor"),
    Case("bn_v3_f16", bn("FusedBatchNormV3", dtype="float16"), ""),
    Case("bn_v3_rank5", bn("FusedBatchNormV3", data_format="NDHWC", shape=[None, 2, 8, 8, 3]), "5-D NDHWC input"),
    Case("bn_v3_dyn_channel", bn("FusedBatchNormV3", shape=[None, 8, 8, None]), "channel unknown"),
    Case("bn_v3_nchw_dyn_channel", bn("FusedBatchNormV3", data_format="NCHW", shape=[None, None, 8, 8]), "channel unknown"),
    Case("matmul_basic", matmul(), ""),
    Case("matmul_tb", matmul(b=[5, 4], tb=True), ""),
    Case("matmul_ta", matmul(a=[4, None], ta=True), "transpose_a on a tensor"),
    Case("matmul_tensor_b", matmul(tensor_b=True, b=[4, 5]), "b is a tensor (no batch)"),
    Case("matmul_f16", matmul(dtype="float16"), ""),
    Case("matmul_i32", matmul(dtype="int32"), ""),
    Case("matmul_const_a", lambda tf, p, n: tf.raw_ops.MatMul(a=W(tf, [3, 4]), b=p([4, None]), name=n), "a Const, b tensor"),
    Case("bmm_rank3_const", bmm("BatchMatMul", [None, 3, 4], [1, 4, 5]), ""),
    Case("bmm_rank3_const2d", bmm("BatchMatMulV2", [None, 3, 4], [4, 5]), "const rank 2"),
    Case("bmm_rank3_tensor", bmm("BatchMatMulV2", [None, 3, 4], [None, 4, 5], b_kind="t"), ""),
    Case("bmm_v1_rank3_tensor", bmm("BatchMatMul", [None, 3, 4], [None, 4, 5], b_kind="t"), ""),
    Case("bmm_rank4_tensor", bmm("BatchMatMulV2", [None, 2, 3, 4], [None, 2, 4, 5], b_kind="t"), ""),
    Case("bmm_bcast_tensor", bmm("BatchMatMulV2", [None, 2, 3, 4], [None, 1, 4, 5], b_kind="t"), ""),
    Case("bmm_rank_diff_tensor", bmm("BatchMatMulV2", [None, 2, 3, 4], [None, 4, 5], b_kind="t"), ""),
    Case("bmm_adj", bmm("BatchMatMulV2", [None, 4, 3], [None, 5, 4], b_kind="t", adj_x=True, adj_y=True), ""),
    Case("bmm_const_a", bmm("BatchMatMulV2", [1, 3, 4], [None, 4, 5], a_kind="c", b_kind="t"), ""),
    Case("bmm_rank2", bmm("BatchMatMulV2", [None, 4], [4, 5]), "rank-2 operands"),
    Case("einsum_bij_bjk", lambda tf, p, n: tf.raw_ops.Einsum(inputs=[p([None, 3, 4]), p([None, 4, 5])], equation="bij,bjk->bik", name=n), ""),
    Case("einsum_const", lambda tf, p, n: tf.raw_ops.Einsum(inputs=[p([None, 3, 4]), W(tf, [4, 5])], equation="bij,jk->bik", name=n), ""),
    Case("einsum_single", lambda tf, p, n: tf.raw_ops.Einsum(inputs=[p([None, 3, 4])], equation="bij->bji", name=n), "one operand"),
    Case("einsum_ellipsis", lambda tf, p, n: tf.raw_ops.Einsum(inputs=[p([None, 3, 4]), p([None, 4, 5])], equation="...ij,...jk->...ik", name=n), ""),
    Case("einsum_trace", lambda tf, p, n: tf.raw_ops.Einsum(inputs=[p([None, 4, 4]), p([None, 4, 5])], equation="bii,bij->bj", name=n), "repeated index"),
    Case("einsum_outer", lambda tf, p, n: tf.raw_ops.Einsum(inputs=[p([None, 3]), p([None, 4])], equation="bi,bj->bij", name=n), ""),
    Case("softmax_r2", lambda tf, p, n: tf.raw_ops.Softmax(logits=p([None, 5]), name=n), ""),
    Case("softmax_r4", lambda tf, p, n: tf.raw_ops.Softmax(logits=p([None, 2, 3, 5]), name=n), ""),
    Case("softmax_f16", lambda tf, p, n: tf.raw_ops.Softmax(logits=p([None, 5], tf.float16), name=n), ""),
    Case("logsoftmax_r2", lambda tf, p, n: tf.raw_ops.LogSoftmax(logits=p([None, 5]), name=n), ""),
    Case("logsoftmax_r3", lambda tf, p, n: tf.raw_ops.LogSoftmax(logits=p([None, 4, 5]), name=n), ""),
    Case("softmax_r1", lambda tf, p, n: tf.raw_ops.Softmax(logits=p([5]), name=n), "rank 1"),
]

if __name__ == "__main__":
    main(CASES, ("implicit", "dynamic"), "Convolution, pooling, batch norm, matmul, softmax")
