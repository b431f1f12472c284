"""Shape functions of the tricky op families, on small graphs built with TensorFlow.

Each test builds a real graph, loads it with trtlint (no TensorFlow involved), and
checks the shapes we infer against hand-derived expectations *and* against
TensorFlow's own shape inference on the same graph (``compare_shapes`` from
test_shapes_vs_tf: no dim TF knows that we do not, no dim that contradicts).
"""

from __future__ import annotations

import contextlib

import pytest

from test_shapes_vs_tf import compare_shapes, tf_static_shapes

pytestmark = pytest.mark.tensorflow


@pytest.fixture(scope="module")
def tf():
    import os

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")
    return tf


@contextlib.contextmanager
def control_flow_v1(tf):
    """TF1 while loops (Enter/Merge/Switch/NextIteration/Exit) for the duration."""
    was_v2 = tf.compat.v1.control_flow_v2_enabled()
    tf.compat.v1.disable_control_flow_v2()
    try:
        yield
    finally:
        if was_v2:
            tf.compat.v1.enable_control_flow_v2()


class Built:
    """Our ShapeMap for a graph TensorFlow built, already checked against TensorFlow."""

    def __init__(self, shape_map, agreement) -> None:
        self.map = shape_map
        self.agreement = agreement

    def __call__(self, name: str, index: int = 0):
        assert name in self.map.graph, f"no node {name!r}"
        return self.map.output_shape(name, index)

    def by_op(self, op: str) -> str:
        """The name of the only node of type ``op``."""
        names = [n.name for n in self.map.graph if n.op == op]
        assert len(names) == 1, names
        return names[0]

    def value(self, name: str, index: int = 0):
        from trtlint.graph.model import TensorRef

        return self.map.value(TensorRef(name, index))


def infer(tf, tmp_path, build, overrides=None) -> Built:
    """Build a graph with ``build(tf)``, infer its shapes and compare with TensorFlow."""
    from trtlint.load import load_model
    from trtlint.shapes import infer_shapes

    graph = tf.Graph()
    with graph.as_default():
        build(tf)
    graph_def = graph.as_graph_def()
    path = tmp_path / "graph.pb"
    path.write_bytes(graph_def.SerializeToString())
    model = load_model(path)
    shape_map = infer_shapes(model.graph, overrides)
    agreement = compare_shapes("t", tf_static_shapes(graph_def), shape_map, model.graph)
    if overrides is None:
        assert not agreement.contradictions, agreement.contradictions
        assert not agreement.under, agreement.under
    return Built(shape_map, agreement)


def ph(tf, shape, name, dtype=None):
    return tf.compat.v1.placeholder(dtype or tf.float32, shape, name=name)


# -- StridedSlice ---------------------------------------------------------------------------
def test_strided_slice_masks(tf, tmp_path):
    def build(tf):
        x = ph(tf, [None, 5, 7, 3], "x")
        tf.identity(x[:, 1:4], name="range")            # begin/end on dim 1
        tf.identity(x[0], name="shrink")                # shrink_axis on dim 0
        tf.identity(x[..., 0], name="ellipsis_shrink")  # ellipsis + shrink last
        tf.identity(x[:, tf.newaxis, 2], name="new_axis")
        tf.identity(x[:, ::-2], name="reverse_step")    # 5 -> 3 elements
        tf.identity(x[:, -2:], name="negative_begin")
        tf.identity(x[:, 3:1], name="empty")
        tf.identity(x[1:, 10:], name="clamped")
        tf.identity(x[..., tf.newaxis], name="ellipsis_new_axis")

    s = infer(tf, tmp_path, build)
    assert s("range") == (-1, 3, 7, 3)
    assert s("shrink") == (5, 7, 3)
    assert s("ellipsis_shrink") == (-1, 5, 7)
    assert s("new_axis") == (-1, 1, 7, 3)
    assert s("reverse_step") == (-1, 3, 7, 3)
    assert s("negative_begin") == (-1, 2, 7, 3)
    assert s("empty") == (-1, 0, 7, 3)
    assert s("clamped") == (-1, 0, 7, 3)
    assert s("ellipsis_new_axis") == (-1, 5, 7, 3, 1)


def test_strided_slice_of_shape_folds(tf, tmp_path):
    def build(tf):
        x = ph(tf, [None, 5, 7, 3], "x")
        shape = tf.shape(x, name="shape")
        tf.identity(shape[1], name="h")
        tf.identity(shape[1:3], name="hw")
        tf.identity(shape[-1], name="c")
        tf.identity(shape[0], name="batch")
        tf.reshape(x, tf.stack([shape[0], shape[1] * shape[2], shape[3]]), name="merged")

    s = infer(tf, tmp_path, build)
    assert s.value("h") == [5]
    assert s.value("hw") == [5, 7]
    assert s.value("c") == [3]
    assert s.value("batch") is None  # the batch dim is not known
    assert s("merged") == (-1, 35, 3)


# -- Reshape ---------------------------------------------------------------------------------
def test_reshape_minus_one(tf, tmp_path):
    def build(tf):
        known = ph(tf, [4, 6, 5], "known")
        tf.reshape(known, [-1, 10], name="infer_first")
        tf.reshape(known, [2, -1, 3], name="infer_middle")
        batch = ph(tf, [None, 6, 5], "batch")
        tf.reshape(batch, [-1, 30], name="flatten")
        tf.reshape(batch, [-1, 5, 6], name="same_count")
        tf.reshape(batch, [-1, 7, 2], name="other_count")
        tf.reshape(known, tf.constant([-1], name="to_vector"), name="vector")
        unknown = ph(tf, None, "unknown")
        tf.reshape(unknown, [3, -1], name="unknown_input")

    s = infer(tf, tmp_path, build)
    assert s("infer_first") == (12, 10)
    assert s("infer_middle") == (2, 20, 3)
    assert s("flatten") == (-1, 30)
    assert s("same_count") == (-1, 5, 6)
    assert s("other_count") == (-1, 7, 2)
    assert s("vector") == (120,)
    assert s("unknown_input") == (3, -1)


# -- Convolutions and pooling ------------------------------------------------------------------
def test_conv2d_padding_modes_and_dilations(tf, tmp_path):
    def build(tf):
        x = ph(tf, [None, 32, 30, 3], "x")
        w = tf.zeros([3, 3, 3, 8], name="w")
        tf.nn.conv2d(x, w, 1, "SAME", name="same")
        tf.nn.conv2d(x, w, 2, "SAME", name="same_s2")
        tf.nn.conv2d(x, w, 1, "VALID", name="valid")
        tf.nn.conv2d(x, w, 2, "VALID", name="valid_s2")
        tf.nn.conv2d(x, w, 1, "VALID", dilations=2, name="valid_dilated")
        tf.nn.conv2d(x, w, 1, [[0, 0], [1, 2], [0, 3], [0, 0]], name="explicit")
        nchw = ph(tf, [2, 3, 32, 30], "nchw")
        tf.nn.conv2d(nchw, w, [1, 1, 2, 2], "VALID", data_format="NCHW", name="nchw_valid")
        dw = tf.zeros([3, 3, 3, 2], name="dw")
        tf.nn.depthwise_conv2d(x, dw, [1, 1, 1, 1], "SAME", name="depthwise")
        tf.raw_ops.DepthwiseConv2dNative(input=x, filter=dw, strides=[1, 2, 2, 1],
                                         padding="VALID", dilations=[1, 2, 2, 1],
                                         name="depthwise_dilated")
        unknown_rank = ph(tf, None, "unknown_rank")
        tf.nn.conv2d(unknown_rank, w, 1, "SAME", name="from_unknown_rank")

    s = infer(tf, tmp_path, build)
    assert s("same") == (-1, 32, 30, 8)
    assert s("same_s2") == (-1, 16, 15, 8)
    assert s("valid") == (-1, 30, 28, 8)
    assert s("valid_s2") == (-1, 15, 14, 8)
    assert s("valid_dilated") == (-1, 28, 26, 8)   # effective filter 5
    assert s("explicit") == (-1, 33, 31, 8)        # 32+3-3+1, 30+3-3+1
    assert s("nchw_valid") == (2, 8, 15, 14)
    assert s("depthwise") == (-1, 32, 30, 6)
    assert s("depthwise_dilated") == (-1, 14, 13, 6)  # (32-5+2)//2, (30-5+2)//2
    assert s("from_unknown_rank") == (-1, -1, -1, 8)


def test_conv2d_transpose_takes_output_shape_value(tf, tmp_path):
    def build(tf):
        x = ph(tf, [None, 16, 16, 8], "x")
        w = tf.zeros([3, 3, 4, 8], name="w")
        tf.nn.conv2d_transpose(x, w, [2, 32, 32, 4], 2, "SAME", name="fixed")
        batch = tf.shape(x)[0]
        tf.nn.conv2d_transpose(x, w, tf.stack([batch, 32, 32, 4]), 2, "SAME", name="runtime_batch")

    s = infer(tf, tmp_path, build)
    assert s("fixed") == (2, 32, 32, 4)
    assert s("runtime_batch") == (-1, 32, 32, 4)


def test_pooling(tf, tmp_path):
    def build(tf):
        x = ph(tf, [None, 15, 15, 4], "x")
        tf.nn.max_pool2d(x, 3, 2, "VALID", name="max_valid")
        tf.nn.max_pool2d(x, 3, 2, "SAME", name="max_same")
        tf.nn.avg_pool2d(x, 2, 2, "VALID", name="avg_valid")
        tf.nn.avg_pool2d(x, [15, 15], 1, "VALID", name="global")
        tf.raw_ops.MaxPoolV2(input=x, ksize=[1, 3, 3, 1], strides=[1, 1, 1, 1], padding="SAME",
                             name="max_v2")

    s = infer(tf, tmp_path, build)
    assert s("max_valid") == (-1, 7, 7, 4)
    assert s("max_same") == (-1, 8, 8, 4)
    assert s("avg_valid") == (-1, 7, 7, 4)
    assert s("global") == (-1, 1, 1, 4)
    assert s("max_v2") == (-1, 15, 15, 4)


def test_resize_with_constant_and_computed_size(tf, tmp_path):
    def build(tf):
        x = ph(tf, [None, 20, 30, 3], "x")
        tf.compat.v1.image.resize_bilinear(x, [40, 60], name="constant")
        hw = tf.shape(x)[1:3] * 2
        tf.compat.v1.image.resize_nearest_neighbor(x, hw, name="doubled")
        y = ph(tf, [1, None, None, 3], "y")
        tf.compat.v1.image.resize_bilinear(y, tf.shape(y)[1:3], name="unknown_size")

    s = infer(tf, tmp_path, build)
    assert s("constant") == (-1, 40, 60, 3)
    assert s("doubled") == (-1, 40, 60, 3)
    assert s("unknown_size") == (1, -1, -1, 3)


def test_fused_batch_norm_and_matmuls(tf, tmp_path):
    def build(tf):
        x = ph(tf, [None, 8, 8, 16], "x")
        c = tf.ones([16])
        tf.compat.v1.nn.fused_batch_norm(x, c, c, c, c, is_training=False, name="bn")
        a = ph(tf, [None, 7], "a")
        tf.matmul(a, tf.zeros([7, 3]), name="mm")
        tf.matmul(tf.zeros([7, 4]), a, transpose_a=True, transpose_b=True, name="mm_t")
        q = ph(tf, [None, 5, 6, 7], "q")
        tf.matmul(q, tf.zeros([7, 2]), name="bmm_broadcast")
        tf.matmul(q, tf.zeros([3, 1, 6, 7]), adjoint_b=True, name="bmm_adj")
        tf.nn.bias_add(ph(tf, None, "unknown"), tf.zeros([5]), name="bias_unknown_rank")
        tf.nn.bias_add(ph(tf, [None, None], "two"), tf.zeros([5]), name="bias_merges")

    s = infer(tf, tmp_path, build)
    assert s("bn") == (-1, 8, 8, 16)
    assert s("bn", 1) == (16,)
    assert s("mm") == (-1, 3)
    assert s("mm_t") == (4, -1)
    assert s("bmm_broadcast") == (-1, 5, 6, 2)
    assert s("bmm_adj") == (3, 5, 6, 6)
    assert s("bias_unknown_rank") is None
    assert s("bias_merges") == (-1, 5)


# -- Concat, broadcast, reductions ---------------------------------------------------------------
def test_concat_with_unknown_dims(tf, tmp_path):
    def build(tf):
        a = ph(tf, [None, 3, 4], "a")
        b = ph(tf, [2, None, 4], "b")
        tf.concat([a, b], 1, name="axis1")
        tf.concat([a, b], -1, name="last")
        tf.concat([a, ph(tf, None, "r")], 0, name="with_unknown_rank")
        axis = ph(tf, [], "axis", tf.int32)
        tf.concat([a, b], axis, name="unknown_axis")

    s = infer(tf, tmp_path, build)
    assert s("axis1") == (2, -1, 4)
    assert s("last") == (2, 3, 8)
    assert s("with_unknown_rank") == (-1, 3, 4)
    assert s("unknown_axis") == (-1, -1, -1)


def test_broadcasting(tf, tmp_path):
    def build(tf):
        tf.add(ph(tf, [None, 1, 5], "a"), ph(tf, [4, 1], "b"), name="ab")
        tf.multiply(ph(tf, [None, 3], "c"), ph(tf, [None, 3], "d"), name="cd")
        tf.subtract(ph(tf, [1, None], "e"), ph(tf, [7, 1], "f"), name="ef")
        tf.maximum(ph(tf, [2, 3], "g"), 0.0, name="scalar")
        tf.add(ph(tf, [2, 3], "h"), ph(tf, None, "i"), name="unknown_rank")
        tf.compat.v1.where_v2(ph(tf, [None, 1], "cond", tf.bool), ph(tf, [1, 6], "t"), 0.0,
                              name="select_v2")

    s = infer(tf, tmp_path, build)
    assert s("ab") == (-1, 4, 5)
    assert s("cd") == (-1, 3)
    assert s("ef") == (7, -1)
    assert s("scalar") == (2, 3)
    assert s("unknown_rank") is None
    assert s("select_v2") == (-1, 6)


def test_reductions(tf, tmp_path):
    def build(tf):
        x = ph(tf, [None, 4, 5], "x")
        tf.reduce_sum(x, 1, name="sum")
        tf.reduce_mean(x, [1, -1], keepdims=True, name="mean_keep")
        tf.reduce_max(x, name="all_axes")
        axes = ph(tf, [None], "axes", tf.int32)
        tf.reduce_sum(x, axes, keepdims=True, name="unknown_axes_keep")
        tf.reduce_sum(x, axes, name="unknown_axes")
        tf.argmax(x, -1, name="argmax")
        tf.reduce_prod(tf.shape(x)[1:], name="count")

    s = infer(tf, tmp_path, build)
    assert s("sum") == (-1, 5)
    assert s("mean_keep") == (-1, 1, 1)
    assert s("all_axes") == ()
    assert s("unknown_axes_keep") == (-1, -1, -1)
    assert s("unknown_axes") is None
    assert s("argmax") == (-1, 4)
    assert s.value("count") == [20]


# -- Squeeze, split, gather, pad, tile --------------------------------------------------------
def test_squeeze(tf, tmp_path):
    def build(tf):
        x = ph(tf, [1, None, 1, 3], "x")
        tf.squeeze(x, [0, 2], name="explicit")
        tf.squeeze(x, name="all_ones_with_unknown")
        tf.squeeze(ph(tf, [1, 4, 1], "y"), name="all_ones")
        tf.squeeze(x, [-2], name="negative")

    s = infer(tf, tmp_path, build)
    assert s("explicit") == (-1, 3)
    assert s("all_ones_with_unknown") is None  # the unknown dim may or may not be 1
    assert s("all_ones") == (4,)
    assert s("negative") == (1, -1, 3)


def test_split_splitv_unpack(tf, tmp_path):
    def build(tf):
        x = ph(tf, [None, 12, 5], "x")
        tf.split(x, 3, axis=1, name="even")
        tf.split(x, [2, -1, 4], axis=1, name="sizes")
        tf.unstack(x, axis=2, name="unstack")
        tf.split(ph(tf, [None, 6], "y"), 2, axis=0, name="unknown_dim")

    s = infer(tf, tmp_path, build)
    assert [s("even", i) for i in range(3)] == [(-1, 4, 5)] * 3
    assert [s("sizes", i) for i in range(3)] == [(-1, 2, 5), (-1, 6, 5), (-1, 4, 5)]
    assert [s("unstack", i) for i in range(5)] == [(-1, 12)] * 5
    assert s("unknown_dim") == (-1, 6)


def test_gather_with_batch_dims(tf, tmp_path):
    def build(tf):
        params = ph(tf, [None, 10, 4], "params")
        indices = ph(tf, [None, 3], "indices", tf.int32)
        tf.gather(params, indices, axis=1, batch_dims=1, name="batched")
        tf.gather(params, indices, axis=1, name="plain")
        tf.gather(params, [0, 2], axis=-1, name="last_axis")
        tf.gather_nd(params, ph(tf, [7, 2], "nd_indices", tf.int32), name="nd")
        tf.gather(tf.shape(params), [2, 1], name="shape_gather")

    s = infer(tf, tmp_path, build)
    assert s("batched") == (-1, 3, 4)
    assert s("plain") == (-1, -1, 3, 4)
    assert s("last_axis") == (-1, 10, 2)
    assert s("nd") == (7, 4)
    assert s.value("shape_gather") == [4, 10]


def test_pad_mirror_pad_tile(tf, tmp_path):
    def build(tf):
        x = ph(tf, [None, 5, 6], "x")
        tf.pad(x, [[0, 0], [1, 2], [3, 0]], name="pad")
        tf.pad(x, [[0, 0], [1, 1], [2, 2]], mode="REFLECT", name="mirror")
        paddings = ph(tf, [3, 2], "paddings", tf.int32)
        tf.pad(x, paddings, name="unknown_paddings")
        tf.tile(x, [2, 1, 3], name="tile")
        tf.tile(x, tf.stack([1, tf.shape(x)[1], 1]), name="tile_computed")

    s = infer(tf, tmp_path, build)
    assert s("pad") == (-1, 8, 9)
    assert s("mirror") == (-1, 7, 10)
    assert s("unknown_paddings") == (-1, -1, -1)
    assert s("tile") == (-1, 5, 18)
    assert s("tile_computed") == (-1, 25, 6)


def test_top_k_and_nms_dynamic_outputs(tf, tmp_path):
    def build(tf):
        scores = ph(tf, [None, 100], "scores")
        tf.math.top_k(scores, 5, name="topk")
        boxes = ph(tf, [None, 4], "boxes")
        s1 = ph(tf, [None], "s1")
        tf.raw_ops.NonMaxSuppressionV3(boxes=boxes, scores=s1, max_output_size=10,
                                       iou_threshold=0.5, score_threshold=0.0, name="nms_v3")
        tf.raw_ops.NonMaxSuppressionV4(boxes=boxes, scores=s1, max_output_size=10,
                                       iou_threshold=0.5, score_threshold=0.0,
                                       pad_to_max_output_size=True, name="nms_v4_padded")
        tf.raw_ops.NonMaxSuppressionV5(boxes=boxes, scores=s1, max_output_size=10,
                                       iou_threshold=0.5, score_threshold=0.0,
                                       soft_nms_sigma=0.0, name="nms_v5")
        tf.image.combined_non_max_suppression(ph(tf, [2, None, 1, 4], "cb"),
                                              ph(tf, [2, None, 6], "cs"), 8, 20,
                                              name="combined")

    s = infer(tf, tmp_path, build)
    assert s("topk") == (-1, 5) and s("topk", 1) == (-1, 5)
    assert s("nms_v3") == (-1,)
    assert s("nms_v4_padded") == (10,) and s("nms_v4_padded", 1) == ()
    assert s("nms_v5") == (-1,) and s("nms_v5", 1) == (-1,) and s("nms_v5", 2) == ()
    combined = s.by_op("CombinedNonMaxSuppression")
    assert s(combined) == (2, 20, 4)
    assert s(combined, 3) == (2,)


def test_expand_dims_transpose_pack(tf, tmp_path):
    def build(tf):
        x = ph(tf, [None, 3, 4], "x")
        tf.expand_dims(x, -1, name="expand_last")
        tf.expand_dims(x, 1, name="expand_1")
        tf.transpose(x, [2, 0, 1], name="transpose")
        tf.stack([x, x], axis=2, name="stack")
        y = ph(tf, [None, 3, 4], "y")
        tf.stack([x, y], axis=-1, name="stack_last")

    s = infer(tf, tmp_path, build)
    assert s("expand_last") == (-1, 3, 4, 1)
    assert s("expand_1") == (-1, 1, 3, 4)
    assert s("transpose") == (4, -1, 3)
    assert s("stack") == (-1, 3, 2, 4)
    assert s("stack_last") == (-1, 3, 4, 2)


# -- value folding ------------------------------------------------------------------------------
def test_float32_folding_rounds_like_tensorflow(tf, tmp_path):
    def build(tf):
        x = ph(tf, [None, 300, 7], "x")
        h = tf.cast(tf.shape(x)[1], tf.float32)
        # 300 * 0.1 is 30.000000000000004 in float64 (Ceil: 31) but exactly 30.0 in
        # float32, where TensorFlow computes it (Ceil: 30).
        n = tf.cast(tf.math.ceil(h * tf.constant(0.1, tf.float32)), tf.int32, name="n")
        tf.zeros(tf.stack([n, 2]), name="z")
        tf.range(n, name="r")

    s = infer(tf, tmp_path, build)
    assert s.value("n") == [30]
    assert s("z") == (30, 2)
    assert s("r") == (30,)


def test_placeholder_with_default_uses_declared_shape(tf, tmp_path):
    def build(tf):
        d = tf.compat.v1.placeholder_with_default(tf.zeros([2, 3]), [None, 3], name="d")
        tf.identity(d, name="out")

    s = infer(tf, tmp_path, build)
    assert s("out") == (-1, 3)  # a fed value may have any batch


# -- loops ------------------------------------------------------------------------------------
def test_while_loop_carried_shape_is_relaxed(tf, tmp_path):
    def build(tf):
        x = ph(tf, [2, 3], "x")

        def body(i, acc):
            return i + 1, tf.concat([acc, x], 0)

        tf.compat.v1.while_loop(lambda i, acc: i < 4, body, [0, x],
                                shape_invariants=[tf.TensorShape([]),
                                                  tf.TensorShape([None, 3])],
                                name="grow")

    with control_flow_v1(tf):
        s = infer(tf, tmp_path, build)
    # The accumulator grows every iteration: its rows are unknown, its columns are not.
    assert s("grow/Merge_1") == (-1, 3)
    assert s("grow/Exit_1") == (-1, 3)
    assert s("grow/Exit") == ()


def test_tensor_array_read_knows_element_shape(tf, tmp_path):
    def build(tf):
        seq = ph(tf, [None, 6, 4], "seq")
        ta = tf.TensorArray(tf.float32, size=tf.shape(seq)[0], element_shape=[6, 4])
        ta = ta.unstack(seq)

        def body(i, total):
            return i + 1, total + ta.read(i)

        tf.compat.v1.while_loop(lambda i, t: i < tf.shape(seq)[0], body,
                                [0, tf.zeros([6, 4])], name="loop")

    with control_flow_v1(tf):
        s = infer(tf, tmp_path, build)
    reads = [n for n in s.map.graph.nodes if s.map.graph[n].op == "TensorArrayReadV3"]
    assert reads and all(s(n) == (6, 4) for n in reads)
    assert s("loop/Exit_1") == (6, 4)


# -- NLP building blocks ---------------------------------------------------------------------
def test_einsum(tf, tmp_path):
    def build(tf):
        q = ph(tf, [None, 8, 4, 16], "q")
        k = ph(tf, [None, 10, 4, 16], "k")
        einsum = tf.raw_ops.Einsum  # the op itself (tf.einsum may rewrite to MatMul)
        einsum(inputs=[q, k], equation="bqhd,bkhd->bhqk", name="attention")
        einsum(inputs=[q, tf.zeros([16, 3])], equation="...d,de->...e", name="ellipsis")
        einsum(inputs=[tf.zeros([3, 1, 2, 5]), tf.zeros([4, 5, 7])],
               equation="...ij,...jk->...ik", name="batch_broadcast")

    s = infer(tf, tmp_path, build)
    assert s("attention") == (-1, 4, 8, 10)
    assert s("ellipsis") == (-1, 8, 4, 3)
    assert s("batch_broadcast") == (3, 4, 2, 7)


def test_lstm_block_cell_and_ragged_range(tf, tmp_path):
    def build(tf):
        x = ph(tf, [None, 12], "x")
        h = ph(tf, [None, 5], "h")
        tf.raw_ops.LSTMBlockCell(x=x, cs_prev=h, h_prev=h, w=tf.zeros([17, 20]),
                                 wci=tf.zeros([5]), wcf=tf.zeros([5]), wco=tf.zeros([5]),
                                 b=tf.zeros([20]), name="cell")
        tf.raw_ops.RaggedRange(starts=tf.zeros([4], tf.int32), limits=tf.ones([4], tf.int32),
                               deltas=tf.ones([4], tf.int32), name="ragged")
        tf.roll(x, 1, 0, name="roll")

    s = infer(tf, tmp_path, build)
    assert [s("cell", i) for i in range(7)] == [(-1, 5)] * 7
    assert s("ragged") == (5,) and s("ragged", 1) == (-1,)
    assert s("roll") == (-1, 12)
