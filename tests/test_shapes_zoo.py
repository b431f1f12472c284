"""An op zoo: many op types, each under several states of input knowledge, against
TensorFlow's shape inference.

The corpus and the fixtures only hold the ops their models happen to use.  Here
each op is built on inputs whose shapes are fully known, known but for the batch,
known in rank only, and of unknown rank, with constant and with fed arguments; for
every output TensorFlow's import-time shape inference is the oracle (requirements
(a) and (b) of test_shapes_vs_tf).
"""

from __future__ import annotations

import pytest

from test_shapes_vs_tf import compare_shapes, tf_static_shapes

pytestmark = pytest.mark.tensorflow

#: the input knowledge states every 4-D op is built on
KNOWLEDGE = {
    "full": [2, 12, 10, 4],
    "batch": [None, 12, 10, 4],
    "rank": [None, None, None, None],
    "channels": [None, None, None, 4],
    "unknown": None,
}


def _ops_4d(tf, x, tag):
    """Ops on a 4-D float input ``x`` (NHWC, channels 4 when known)."""
    raw = tf.raw_ops
    i32 = tf.int32
    w = tf.zeros([3, 3, 4, 6])
    raw.Conv2D(input=x, filter=w, strides=[1, 2, 2, 1], padding="SAME", name=f"conv_same_{tag}")
    raw.Conv2D(input=x, filter=w, strides=[1, 1, 1, 1], padding="VALID",
               dilations=[1, 2, 2, 1], name=f"conv_valid_{tag}")
    raw.Conv2D(input=x, filter=w, strides=[1, 1, 1, 1], padding="EXPLICIT",
               explicit_paddings=[0, 0, 1, 1, 2, 2, 0, 0], name=f"conv_explicit_{tag}")
    raw.DepthwiseConv2dNative(input=x, filter=tf.zeros([3, 3, 4, 2]), strides=[1, 1, 1, 1],
                              padding="SAME", name=f"dw_{tag}")
    raw.MaxPool(input=x, ksize=[1, 3, 3, 1], strides=[1, 2, 2, 1], padding="VALID",
                name=f"maxpool_{tag}")
    raw.AvgPool(value=x, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME",
                name=f"avgpool_{tag}")
    raw.MaxPoolWithArgmax(input=x, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME",
                          name=f"maxpool_argmax_{tag}")
    c4 = tf.ones([4])
    raw.FusedBatchNormV3(x=x, scale=c4, offset=c4, mean=c4, variance=c4, is_training=False,
                         name=f"fbn_{tag}")
    raw.FusedBatchNorm(x=x, scale=c4, offset=c4, mean=tf.zeros([0]), variance=tf.zeros([0]),
                       is_training=True, name=f"fbn_train_{tag}")
    raw.BiasAdd(value=x, bias=c4, name=f"biasadd_{tag}")
    raw.LRN(input=x, name=f"lrn_{tag}")
    raw.ResizeBilinear(images=x, size=[24, 20], name=f"resize_{tag}")
    raw.ResizeNearestNeighbor(images=x, size=tf.shape(x)[1:3] * 2, name=f"resize_nn_{tag}")
    raw.SpaceToDepth(input=x, block_size=2, name=f"s2d_{tag}")
    raw.DepthToSpace(input=x, block_size=2, name=f"d2s_{tag}")
    raw.SpaceToBatchND(input=x, block_shape=[2, 2], paddings=[[0, 0], [0, 2]],
                       name=f"s2b_{tag}")
    raw.BatchToSpaceND(input=x, block_shape=[2, 1], crops=[[0, 0], [1, 1]], name=f"b2s_{tag}")
    raw.Transpose(x=x, perm=[0, 3, 1, 2], name=f"transpose_{tag}")
    raw.Reshape(tensor=x, shape=[-1, 40], name=f"reshape_{tag}")
    raw.Reshape(tensor=x, shape=tf.stack([tf.shape(x)[0], -1]), name=f"reshape_dyn_{tag}")
    raw.Squeeze(input=x, axis=[], name=f"squeeze_{tag}")
    raw.ExpandDims(input=x, axis=0, name=f"expand_{tag}")
    raw.ConcatV2(values=[x, x], axis=3, name=f"concat_{tag}")
    raw.ConcatV2(values=[x, tf.zeros([2, 12, 10, 4])], axis=0, name=f"concat_known_{tag}")
    raw.Pack(values=[x, x], axis=1, name=f"pack_{tag}")
    raw.Unpack(value=x, num=4, axis=3, name=f"unpack_{tag}")
    raw.Split(axis=3, value=x, num_split=2, name=f"split_{tag}")
    raw.SplitV(value=x, size_splits=[1, -1], axis=3, num_split=2, name=f"splitv_{tag}")
    raw.Slice(input=x, begin=[0, 1, 2, 0], size=[-1, 4, -1, 2], name=f"slice_{tag}")
    raw.StridedSlice(input=x, begin=[0, 1, 0, 0], end=[0, -1, 0, 2], strides=[1, 2, 1, 1],
                     begin_mask=5, end_mask=5, name=f"ss_{tag}")
    raw.StridedSlice(input=x, begin=[1, 0], end=[2, 0], strides=[1, 1], shrink_axis_mask=1,
                     ellipsis_mask=2, name=f"ss_ell_{tag}")
    raw.Pad(input=x, paddings=[[0, 0], [1, 1], [2, 2], [0, 0]], name=f"pad_{tag}")
    raw.MirrorPad(input=x, paddings=[[0, 0], [1, 1], [2, 2], [0, 0]], mode="SYMMETRIC",
                  name=f"mirrorpad_{tag}")
    raw.Tile(input=x, multiples=[1, 2, 1, 3], name=f"tile_{tag}")
    raw.BroadcastTo(input=x, shape=[3, 2, 12, 10, 4], name=f"broadcast_to_{tag}")
    raw.ReverseV2(tensor=x, axis=[1], name=f"reverse_{tag}")
    raw.Sum(input=x, axis=[1, 2], keep_dims=True, name=f"sum_keep_{tag}")
    raw.Mean(input=x, axis=[-1], keep_dims=False, name=f"mean_{tag}")
    raw.Max(input=x, axis=tf.constant([], i32), name=f"max_none_{tag}")
    raw.ArgMax(input=x, dimension=1, name=f"argmax_{tag}")
    raw.Softmax(logits=x, name=f"softmax_{tag}")
    raw.Relu6(features=x, name=f"relu6_{tag}")
    raw.AddV2(x=x, y=c4, name=f"add_bcast_{tag}")
    raw.SelectV2(condition=tf.ones([1, 1, 1, 4], tf.bool), t=x, e=0.0, name=f"selectv2_{tag}")
    raw.Shape(input=x, name=f"shape_{tag}")
    raw.Size(input=x, name=f"size_{tag}")
    raw.Rank(input=x, name=f"rank_{tag}")
    raw.ZerosLike(x=x, name=f"zeroslike_{tag}")
    raw.Fill(dims=tf.shape(x), value=1.0, name=f"fill_{tag}")
    raw.Where(condition=x, name=f"where_{tag}")
    raw.TopKV2(input=x, k=3, name=f"topk_{tag}")
    raw.CropAndResize(image=x, boxes=tf.zeros([5, 4]), box_ind=tf.zeros([5], i32),
                      crop_size=[7, 7], name=f"crop_{tag}")
    raw.ExtractImagePatches(images=x, ksizes=[1, 2, 2, 1], strides=[1, 2, 2, 1],
                            rates=[1, 1, 1, 1], padding="VALID", name=f"patches_{tag}")
    raw.QuantizeV2(input=x, min_range=-1.0, max_range=1.0, T=tf.quint8, name=f"quantize_{tag}")
    raw.FakeQuantWithMinMaxVars(inputs=x, min=-1.0, max=1.0, name=f"fq_{tag}")
    raw.Cumsum(x=x, axis=2, name=f"cumsum_{tag}")
    raw.Cast(x=x, DstT=tf.int32, name=f"cast_{tag}")
    raw.GatherV2(params=x, indices=[[0, 1]], axis=1, name=f"gather_{tag}")
    raw.GatherNd(params=x, indices=tf.zeros([3, 2], i32), name=f"gathernd_{tag}")
    raw.Conv2DBackpropInput(input_sizes=tf.shape(x), filter=tf.zeros([3, 3, 4, 6]),
                            out_backprop=tf.zeros([2, 12, 10, 6]), strides=[1, 1, 1, 1],
                            padding="SAME", name=f"conv_bp_{tag}")
    raw.MaxPoolGrad(orig_input=x, orig_output=x, grad=x, ksize=[1, 1, 1, 1],
                    strides=[1, 1, 1, 1], padding="VALID", name=f"maxpool_grad_{tag}")
    raw.Einsum(inputs=[x, tf.zeros([4, 5])], equation="bhwc,cd->bhwd", name=f"einsum_{tag}")
    raw.BatchMatMulV2(x=x, y=tf.zeros([4, 3]), name=f"bmm_{tag}")


def _ops_2d(tf, x, tag):
    """Ops on a 2-D float input ``x`` ([batch, 8] when known)."""
    raw = tf.raw_ops
    raw.MatMul(a=x, b=tf.zeros([8, 3]), name=f"matmul_{tag}")
    raw.MatMul(a=tf.zeros([5, 8]), b=x, transpose_b=True, name=f"matmul_t_{tag}")
    raw.BatchMatMul(x=x, y=tf.zeros([8, 3]), name=f"bmm_v1_{tag}")
    raw.BiasAdd(value=x, bias=tf.zeros([8]), name=f"biasadd_{tag}")
    raw.L2Loss(t=x, name=f"l2loss_{tag}")
    raw.OneHot(indices=tf.cast(x, tf.int32), depth=5, on_value=1.0, off_value=0.0, axis=1,
               name=f"onehot_{tag}")
    raw.SparseSoftmaxCrossEntropyWithLogits(features=x, labels=tf.zeros([7], tf.int32),
                                            name=f"sxent_{tag}")
    raw.SoftmaxCrossEntropyWithLogits(features=x, labels=x, name=f"xent_{tag}")
    raw.InTopKV2(predictions=x, targets=tf.zeros([7], tf.int32), k=2, name=f"intopk_{tag}")
    raw.Select(condition=tf.ones([7], tf.bool), x=x, y=x, name=f"select_vec_{tag}")
    raw.Select(condition=tf.ones([], tf.bool), x=x, y=x, name=f"select_scalar_{tag}")
    raw.AddN(inputs=[x, x, tf.zeros([7, 8])], name=f"addn_{tag}")
    raw.Unique(x=tf.reshape(x, [-1]), name=f"unique_{tag}")
    raw.LSTMBlockCell(x=x, cs_prev=tf.zeros([7, 5]), h_prev=tf.zeros([7, 5]),
                      w=tf.zeros([13, 20]), wci=tf.zeros([5]), wcf=tf.zeros([5]),
                      wco=tf.zeros([5]), b=tf.zeros([20]), name=f"lstm_{tag}")
    raw.NonMaxSuppressionV3(boxes=x[:, :4], scores=x[:, 0], max_output_size=4,
                            iou_threshold=0.5, score_threshold=0.0, name=f"nms_{tag}")
    raw.DynamicStitch(indices=[[0, 2], [1]], data=[x[:2], x[2:3]], name=f"stitch_{tag}")
    raw.Range(start=0, limit=tf.shape(x)[1], delta=2, name=f"range_{tag}")
    raw.SparseToDense(sparse_indices=tf.zeros([3, 2], tf.int64), output_shape=tf.shape(x, out_type=tf.int64),
                      sparse_values=1.0, default_value=0.0, name=f"s2d_{tag}")
    raw.UnsortedSegmentSum(data=x, segment_ids=tf.zeros([7], tf.int32), num_segments=3,
                           name=f"useg_{tag}")
    raw.Bincount(arr=tf.zeros([4], tf.int32), size=6, weights=tf.zeros([0]), name=f"bincount_{tag}")
    raw.ListDiff(x=[1, 2, 3], y=[2], name=f"listdiff_{tag}")
    raw.InvertPermutation(x=[2, 0, 1], name=f"invperm_{tag}")
    raw.MatrixBandPart(input=x, num_lower=1, num_upper=1, name=f"band_{tag}")
    raw.BroadcastArgs(s0=tf.shape(x), s1=[1, 8], name=f"bargs_{tag}")
    raw.BroadcastGradientArgs(s0=tf.shape(x), s1=[1, 8], name=f"bgargs_{tag}")


def _shape_arithmetic(tf, x, tag):
    """Shapes computed at run time from ``tf.shape(x)`` (folded where values are known)."""
    t = tf.shape(x, name=f"t_{tag}")
    tf.reshape(x, tf.stack([t[0], t[1] * t[2], t[3]]), name=f"merge_hw_{tag}")
    tf.reshape(x, tf.concat([t[:1], [-1]], 0), name=f"flatten_{tag}")
    tf.reshape(x, [-1, tf.reduce_prod(t[1:])], name=f"flatten_prod_{tag}")
    tf.zeros(tf.gather(t, [1, 2]), name=f"gather_dims_{tag}")
    half = tf.cast(tf.cast(t[1:3], tf.float32) * 0.5, tf.int32)
    tf.fill(half, 1.0, name=f"half_{tag}")
    tf.zeros(tf.stack([tf.maximum(t[1], t[2]), tf.minimum(t[1], 3)]), name=f"minmax_{tag}")
    tf.zeros(tf.stack([t[1] // 2, t[2] % 3 + 1]), name=f"floordiv_{tag}")
    tf.range(tf.size(x), name=f"range_size_{tag}")
    tf.zeros(tf.stack([tf.rank(x), 2]), name=f"rank_dims_{tag}")
    tf.tile(x, tf.stack([1, 1, 1, t[0]]), name=f"tile_by_batch_{tag}")
    tf.zeros(tf.reverse(t, [0]), name=f"reversed_{tag}")  # (t[::-1] trips TF's own inference)
    a, b, c, d = tf.unstack(t, num=4)
    tf.zeros(tf.stack([d, c]), name=f"unstacked_{tag}")
    tf.zeros(tf.slice(t, [1], [2]), name=f"sliced_{tag}")
    tf.zeros(tf.cast(tf.shape(x, out_type=tf.int64)[1:], tf.int32), name=f"int64_{tag}")
    tf.raw_ops.ResizeBilinear(images=x, size=t[1:3] * 2, name=f"resize_computed_{tag}")
    tf.zeros(tf.where(t > 5, t, 5 * tf.ones_like(t)), name=f"where_{tag}")
    tf.zeros(tf.math.reduce_max(tf.reshape(t, [2, 2]), axis=0), name=f"reduce_axis_{tag}")
    tf.broadcast_to(x, tf.concat([[3], t], 0), name=f"broadcast_{tag}")


def _ops_misc(tf, x5, v, s, tag):
    """3-D convs, quantized ops, strings, tables, lists, arrays, random, decoders.

    ``x5``: 5-D float input; ``v``: 1-D float vector; ``s``: 1-D string vector."""
    raw = tf.raw_ops
    q8 = tf.quint8
    raw.Conv3D(input=x5, filter=tf.zeros([2, 2, 2, 3, 4]), strides=[1, 1, 2, 2, 1],
               padding="VALID", name=f"conv3d_{tag}")
    raw.MaxPool3D(input=x5, ksize=[1, 2, 2, 2, 1], strides=[1, 2, 2, 2, 1], padding="SAME",
                  name=f"maxpool3d_{tag}")
    raw.AvgPool3D(input=x5, ksize=[1, 1, 2, 2, 1], strides=[1, 1, 1, 1, 1], padding="VALID",
                  name=f"avgpool3d_{tag}")
    qx = raw.QuantizeV2(input=x5[:, 0], min_range=-1.0, max_range=1.0, T=q8, name=f"qx_{tag}")
    qw = raw.QuantizeV2(input=tf.zeros([3, 3, 3, 5]), min_range=-1.0, max_range=1.0, T=q8)
    conv = raw.QuantizedConv2D(input=qx.output, filter=qw.output, min_input=qx.output_min,
                               max_input=qx.output_max, min_filter=qw.output_min,
                               max_filter=qw.output_max, strides=[1, 1, 1, 1], padding="SAME",
                               name=f"qconv_{tag}")
    rr = raw.RequantizationRange(input=conv.output, input_min=conv.min_output,
                                 input_max=conv.max_output, name=f"rrange_{tag}")
    rq = raw.Requantize(input=conv.output, input_min=conv.min_output,
                        input_max=conv.max_output, requested_output_min=rr.output_min,
                        requested_output_max=rr.output_max, out_type=q8, name=f"requant_{tag}")
    relu = raw.QuantizedRelu(features=rq.output, min_features=rq.output_min,
                             max_features=rq.output_max, out_type=q8, name=f"qrelu_{tag}")
    raw.QuantizedMaxPool(input=relu.activations, min_input=relu.min_activations,
                         max_input=relu.max_activations, ksize=[1, 2, 2, 1],
                         strides=[1, 2, 2, 1], padding="VALID", name=f"qpool_{tag}")
    raw.Dequantize(input=relu.activations, min_range=relu.min_activations,
                   max_range=relu.max_activations, name=f"deq_{tag}")
    qm = raw.QuantizeV2(input=tf.reshape(x5, [-1, 3]), min_range=-1.0, max_range=1.0, T=q8)
    raw.QuantizedMatMul(a=qm.output, b=qw.output[0, 0], min_a=qm.output_min,
                        max_a=qm.output_max, min_b=qw.output_min, max_b=qw.output_max,
                        name=f"qmatmul_{tag}")
    raw.StringSplit(input=s, delimiter=" ", name=f"split_{tag}")
    raw.StringToHashBucketFast(input=s, num_buckets=10, name=f"hash_{tag}")
    raw.StringJoin(inputs=[s, "x"], name=f"join_{tag}")
    raw.DecodeJpeg(contents=s[0], channels=3, name=f"jpeg_{tag}")
    raw.DecodePng(contents=s[0], name=f"png_{tag}")
    table = raw.HashTableV2(key_dtype=tf.string, value_dtype=tf.int64, name=f"table_{tag}")
    raw.LookupTableFindV2(table_handle=table, keys=s, default_value=tf.constant(-1, tf.int64),
                          name=f"lookup_{tag}")
    raw.LookupTableSizeV2(table_handle=table, name=f"tsize_{tag}")
    lst = raw.TensorListReserve(element_shape=[3], num_elements=4, element_dtype=tf.float32,
                                name=f"list_{tag}")
    lst = raw.TensorListSetItem(input_handle=lst, index=0, item=v[:3], name=f"setitem_{tag}")
    raw.TensorListGetItem(input_handle=lst, index=0, element_shape=-1, element_dtype=tf.float32,
                          name=f"getitem_{tag}")
    raw.TensorListStack(input_handle=lst, element_shape=[3], element_dtype=tf.float32,
                        num_elements=4, name=f"stack_{tag}")
    ta = raw.TensorArrayV3(size=3, dtype=tf.float32, element_shape=[2, 3], name=f"ta_{tag}")
    raw.TensorArrayReadV3(handle=ta.handle, index=0, flow_in=ta.flow, dtype=tf.float32,
                          name=f"taread_{tag}")
    raw.TensorArrayGatherV3(handle=ta.handle, indices=[0, 1], flow_in=ta.flow,
                            dtype=tf.float32, name=f"tagather_{tag}")
    raw.RandomUniform(shape=tf.shape(x5)[1:3], dtype=tf.float32, name=f"random_{tag}")
    raw.StatelessRandomUniform(shape=tf.shape(v), seed=[1, 2], name=f"srandom_{tag}")
    raw.Multinomial(logits=tf.reshape(v, [1, -1]), num_samples=3, name=f"multinomial_{tag}")
    raw.TopKV2(input=v, k=2, name=f"topk_{tag}")
    raw.NonMaxSuppressionV4(boxes=tf.reshape(v, [-1, 4]), scores=tf.reshape(v, [-1, 4])[:, 0],
                            max_output_size=3,
                            iou_threshold=0.5, score_threshold=0.0,
                            pad_to_max_output_size=True, name=f"nms4_{tag}")
    raw.DataFormatVecPermute(x=tf.shape(x5)[:4], name=f"vecperm_{tag}")
    raw.Cumsum(x=tf.shape(x5), axis=0, name=f"cumsum_shape_{tag}")
    tf.zeros(raw.Cumsum(x=tf.shape(x5)[1:3], axis=0), name=f"zeros_cumsum_{tag}")


@pytest.fixture(scope="module")
def tf():
    import os

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")
    return tf


def _check(tf, tmp_path, build):
    from trtlint.load import load_model
    from trtlint.shapes import infer_shapes

    graph = tf.Graph()
    with graph.as_default():
        build()
    graph_def = graph.as_graph_def()
    path = tmp_path / "zoo.pb"
    path.write_bytes(graph_def.SerializeToString())
    model = load_model(path)
    result = compare_shapes("zoo", tf_static_shapes(graph_def), infer_shapes(model.graph),
                            model.graph)
    assert result.outputs > 50
    assert not result.contradictions, result.contradictions[:10]
    assert not result.under, result.under[:10]
    return result


@pytest.mark.parametrize("knowledge", list(KNOWLEDGE))
def test_4d_ops_under_every_input_knowledge(tf, tmp_path, knowledge):
    def build():
        x = tf.compat.v1.placeholder(tf.float32, KNOWLEDGE[knowledge], name="x")
        _ops_4d(tf, x, knowledge)

    _check(tf, tmp_path, build)


@pytest.mark.parametrize("knowledge", list(KNOWLEDGE))
def test_shape_arithmetic_under_every_input_knowledge(tf, tmp_path, knowledge):
    def build():
        x = tf.compat.v1.placeholder(tf.float32, KNOWLEDGE[knowledge], name="x")
        _shape_arithmetic(tf, x, knowledge)

    _check(tf, tmp_path, build)


@pytest.mark.parametrize("knowledge", ["full", "batch", "rank", "unknown"])
def test_misc_ops_under_every_input_knowledge(tf, tmp_path, knowledge):
    shape5 = {"full": [2, 4, 6, 6, 3], "batch": [None, 4, 6, 6, 3],
              "rank": [None] * 5, "unknown": None}[knowledge]
    vec = {"full": [8], "batch": [None], "rank": [None], "unknown": None}[knowledge]

    def build():
        x5 = tf.compat.v1.placeholder(tf.float32, shape5, name="x5")
        v = tf.compat.v1.placeholder(tf.float32, vec, name="v")
        s = tf.compat.v1.placeholder(tf.string, vec, name="s")
        _ops_misc(tf, x5, v, s, knowledge)

    _check(tf, tmp_path, build)


@pytest.mark.parametrize("shape", [[7, 8], [None, 8], [None, None], None],
                         ids=["full", "batch", "rank", "unknown"])
def test_2d_ops_under_every_input_knowledge(tf, tmp_path, shape):
    def build():
        x = tf.compat.v1.placeholder(tf.float32, shape, name="x")
        _ops_2d(tf, x, "t")

    _check(tf, tmp_path, build)
