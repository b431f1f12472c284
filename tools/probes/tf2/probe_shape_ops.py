"""Shape-manipulating ops and their batch-dimension rules.

Reshape, Transpose, Squeeze, ExpandDims, ConcatV2, Pack, Unpack, Split, Slice,
StridedSlice, GatherV2, Tile, Pad, DepthToSpace, SpaceToDepth, Resize*,
Fill, Range, Shape, ZerosLike/OnesLike, Select/SelectV2, DataFormatVecPermute.
x is a Placeholder [N,4,6] unless a case says otherwise.
"""
from probe_lib import Case, main

C = lambda tf, v, dt=None: tf.constant(v, dt or tf.int32)
X = lambda p, shape=(None, 4, 6), dt=None: p(list(shape)) if dt is None else p(list(shape), dt)


def ss(begin, end, strides, shape=(None, 4, 6), **masks):
    return lambda tf, p, n: tf.raw_ops.StridedSlice(input=X(p, shape), begin=C(tf, begin), end=C(tf, end),
                                                    strides=C(tf, strides), name=n, **masks)


CASES = [
    # Reshape
    Case("reshape_keep_batch", lambda tf, p, n: tf.raw_ops.Reshape(tensor=X(p), shape=C(tf, [-1, 24]), name=n), "[-1,24]"),
    Case("reshape_batch_fixed", lambda tf, p, n: tf.raw_ops.Reshape(tensor=X(p, (2, 4, 6)), shape=C(tf, [2, 24]), name=n), "static [2,4,6]->[2,24]"),
    Case("reshape_merge_batch", lambda tf, p, n: tf.raw_ops.Reshape(tensor=X(p), shape=C(tf, [-1, 6]), name=n), "[N,4,6]->[-1,6]"),
    Case("reshape_static_merge_batch", lambda tf, p, n: tf.raw_ops.Reshape(tensor=X(p, (2, 4, 6)), shape=C(tf, [8, 6]), name=n), "[2,4,6]->[8,6]"),
    Case("reshape_dyn_nonbatch", lambda tf, p, n: tf.raw_ops.Reshape(tensor=X(p, (None, None, 6)), shape=C(tf, [-1, 6]), name=n), "[N,?,6]->[-1,6]"),
    Case("reshape_dyn_keep", lambda tf, p, n: tf.raw_ops.Reshape(tensor=X(p, (None, None, 6)), shape=C(tf, [-1, 2, 3]), name=n), "[N,?,6]->[-1,2,3]"),
    Case("reshape_tensor_shape", lambda tf, p, n: tf.raw_ops.Reshape(tensor=X(p), shape=p([3], tf.int32), name=n), "shape is a tensor"),
    Case("reshape_scalar", lambda tf, p, n: tf.raw_ops.Reshape(tensor=X(p, (1, 1, 1)), shape=C(tf, []), name=n), "to []"),
    Case("reshape_i32", lambda tf, p, n: tf.raw_ops.Reshape(tensor=X(p, dt=tf.int32), shape=C(tf, [-1, 24]), name=n), "int32"),
    Case("reshape_bool", lambda tf, p, n: tf.raw_ops.Reshape(tensor=X(p, dt=tf.bool), shape=C(tf, [-1, 24]), name=n), "bool"),
    Case("reshape_const_input", lambda tf, p, n: tf.raw_ops.Reshape(tensor=tf.constant(1.0, shape=[2, 3]), shape=C(tf, [3, 2]), name=n), "Const tensor"),
    # Transpose
    Case("transpose_keep0", lambda tf, p, n: tf.raw_ops.Transpose(x=X(p), perm=C(tf, [0, 2, 1]), name=n), ""),
    Case("transpose_move0", lambda tf, p, n: tf.raw_ops.Transpose(x=X(p), perm=C(tf, [1, 0, 2]), name=n), ""),
    Case("transpose_tensor_perm", lambda tf, p, n: tf.raw_ops.Transpose(x=X(p), perm=p([3], tf.int32), name=n), ""),
    Case("transpose_i32", lambda tf, p, n: tf.raw_ops.Transpose(x=X(p, dt=tf.int32), perm=C(tf, [0, 2, 1]), name=n), ""),
    Case("transpose_bool", lambda tf, p, n: tf.raw_ops.Transpose(x=X(p, dt=tf.bool), perm=C(tf, [0, 2, 1]), name=n), ""),
    # Squeeze / ExpandDims
    Case("squeeze_axis", lambda tf, p, n: tf.raw_ops.Squeeze(input=X(p, (None, 1, 6)), axis=[1], name=n), ""),
    Case("squeeze_neg_axis", lambda tf, p, n: tf.raw_ops.Squeeze(input=X(p, (None, 6, 1)), axis=[-1], name=n), ""),
    Case("squeeze_batch", lambda tf, p, n: tf.raw_ops.Squeeze(input=X(p, (1, 1, 6)), axis=[0], name=n), ""),
    Case("squeeze_all", lambda tf, p, n: tf.raw_ops.Squeeze(input=X(p, (None, 1, 6)), axis=[], name=n), "no axis"),
    Case("squeeze_all_static", lambda tf, p, n: tf.raw_ops.Squeeze(input=X(p, (2, 1, 6)), axis=[], name=n), "no axis, static"),
    Case("squeeze_dyn_dim", lambda tf, p, n: tf.raw_ops.Squeeze(input=X(p, (None, None, 6)), axis=[1], name=n), "axis dim unknown"),
    Case("expand_axis1", lambda tf, p, n: tf.raw_ops.ExpandDims(input=X(p), axis=C(tf, 1), name=n), ""),
    Case("expand_axis_last", lambda tf, p, n: tf.raw_ops.ExpandDims(input=X(p), axis=C(tf, -1), name=n), ""),
    Case("expand_axis0", lambda tf, p, n: tf.raw_ops.ExpandDims(input=X(p), axis=C(tf, 0), name=n), ""),
    Case("expand_tensor_axis", lambda tf, p, n: tf.raw_ops.ExpandDims(input=X(p), axis=p([], tf.int32), name=n), ""),
    Case("expand_dyn", lambda tf, p, n: tf.raw_ops.ExpandDims(input=X(p, (None, None, 6)), axis=C(tf, 1), name=n), ""),
    # Concat / Pack / Unpack / Split
    Case("concat_axis1", lambda tf, p, n: tf.raw_ops.ConcatV2(values=[X(p), X(p)], axis=C(tf, 1), name=n), ""),
    Case("concat_axis0", lambda tf, p, n: tf.raw_ops.ConcatV2(values=[X(p), X(p)], axis=C(tf, 0), name=n), ""),
    Case("concat_neg", lambda tf, p, n: tf.raw_ops.ConcatV2(values=[X(p), X(p)], axis=C(tf, -1), name=n), ""),
    Case("concat_const_operand", lambda tf, p, n: tf.raw_ops.ConcatV2(values=[X(p), tf.constant(1.0, shape=[1, 4, 6])], axis=C(tf, 1), name=n), "one operand Const"),
    Case("concat_tensor_axis", lambda tf, p, n: tf.raw_ops.ConcatV2(values=[X(p), X(p)], axis=p([], tf.int32), name=n), ""),
    Case("concat_i32", lambda tf, p, n: tf.raw_ops.ConcatV2(values=[X(p, dt=tf.int32), X(p, dt=tf.int32)], axis=C(tf, 1), name=n), ""),
    Case("concat_dyn", lambda tf, p, n: tf.raw_ops.ConcatV2(values=[X(p, (None, None, 6)), X(p, (None, 4, 6))], axis=C(tf, 1), name=n), ""),
    Case("pack_axis1", lambda tf, p, n: tf.raw_ops.Pack(values=[X(p), X(p)], axis=1, name=n), ""),
    Case("pack_axis0", lambda tf, p, n: tf.raw_ops.Pack(values=[X(p), X(p)], axis=0, name=n), ""),
    Case("pack_axis_last", lambda tf, p, n: tf.raw_ops.Pack(values=[X(p), X(p)], axis=-1, name=n), ""),
    Case("pack_const_operand", lambda tf, p, n: tf.raw_ops.Pack(values=[X(p, (2, 4, 6)), tf.constant(1.0, shape=[2, 4, 6])], axis=1, name=n), ""),
    Case("pack_i32", lambda tf, p, n: tf.raw_ops.Pack(values=[X(p, dt=tf.int32), X(p, dt=tf.int32)], axis=1, name=n), ""),
    Case("pack_dyn", lambda tf, p, n: tf.raw_ops.Pack(values=[X(p, (None, None, 6)), X(p, (None, None, 6))], axis=1, name=n), ""),
    Case("unpack_axis1", lambda tf, p, n: tf.raw_ops.Unpack(value=X(p), num=4, axis=1, name=n), ""),
    Case("unpack_axis0", lambda tf, p, n: tf.raw_ops.Unpack(value=X(p, (2, 4, 6)), num=2, axis=0, name=n), ""),
    Case("unpack_dyn_axis", lambda tf, p, n: tf.raw_ops.Unpack(value=X(p, (None, 4, None)), num=4, axis=1, name=n), "other dim unknown"),
    Case("unpack_i32", lambda tf, p, n: tf.raw_ops.Unpack(value=X(p, dt=tf.int32), num=4, axis=1, name=n), ""),
    Case("split_axis1", lambda tf, p, n: tf.raw_ops.Split(axis=C(tf, 1), value=X(p), num_split=2, name=n), ""),
    Case("split_axis0", lambda tf, p, n: tf.raw_ops.Split(axis=C(tf, 0), value=X(p, (2, 4, 6)), num_split=2, name=n), ""),
    Case("split_tensor_axis", lambda tf, p, n: tf.raw_ops.Split(axis=p([], tf.int32), value=X(p), num_split=2, name=n), ""),
    Case("split_dyn", lambda tf, p, n: tf.raw_ops.Split(axis=C(tf, 2), value=X(p, (None, None, 6)), num_split=2, name=n), ""),
    Case("split_i32", lambda tf, p, n: tf.raw_ops.Split(axis=C(tf, 1), value=X(p, dt=tf.int32), num_split=2, name=n), ""),
    # Slice / StridedSlice
    Case("slice_basic", lambda tf, p, n: tf.raw_ops.Slice(input=X(p), begin=C(tf, [0, 1, 2]), size=C(tf, [-1, 2, 3]), name=n), ""),
    Case("slice_batch", lambda tf, p, n: tf.raw_ops.Slice(input=X(p), begin=C(tf, [1, 1, 2]), size=C(tf, [-1, 2, 3]), name=n), "begin[0]=1"),
    Case("slice_batch_size", lambda tf, p, n: tf.raw_ops.Slice(input=X(p), begin=C(tf, [0, 1, 2]), size=C(tf, [1, 2, 3]), name=n), "size[0]=1"),
    Case("slice_tensor_begin", lambda tf, p, n: tf.raw_ops.Slice(input=X(p), begin=p([3], tf.int32), size=C(tf, [-1, 2, 3]), name=n), ""),
    Case("slice_dyn", lambda tf, p, n: tf.raw_ops.Slice(input=X(p, (None, None, 6)), begin=C(tf, [0, 1, 2]), size=C(tf, [-1, -1, 3]), name=n), ""),
    Case("slice_i32", lambda tf, p, n: tf.raw_ops.Slice(input=X(p, dt=tf.int32), begin=C(tf, [0, 1, 2]), size=C(tf, [-1, 2, 3]), name=n), ""),
    Case("ss_basic", ss([0, 1, 0], [0, 3, 6], [1, 1, 1], begin_mask=1, end_mask=1), "batch fully taken by masks"),
    Case("ss_batch", ss([1, 1, 0], [2, 3, 6], [1, 1, 1]), "slices batch"),
    Case("ss_batch_static", ss([0, 1, 0], [2, 3, 6], [1, 1, 1], shape=(2, 4, 6)), "static batch, takes all"),
    Case("ss_stride2", ss([0, 0, 0], [0, 4, 6], [1, 2, 2], begin_mask=1, end_mask=1), ""),
    Case("ss_neg_stride", ss([0, -1, 0], [0, -5, 6], [1, -1, 1], begin_mask=1, end_mask=1), "negative stride"),
    Case("ss_shrink", ss([0, 1, 0], [0, 2, 6], [1, 1, 1], begin_mask=1, end_mask=1, shrink_axis_mask=2), "shrink axis 1"),
    Case("ss_shrink_batch", ss([0, 0, 0], [1, 4, 6], [1, 1, 1], shrink_axis_mask=1, shape=(1, 4, 6)), "shrink batch"),
    Case("ss_newaxis", ss([0, 0, 0], [0, 0, 6], [1, 1, 1], begin_mask=1, end_mask=1, new_axis_mask=2), "new axis"),
    Case("ss_ellipsis", ss([0, 1], [0, 3], [1, 1], ellipsis_mask=1), "ellipsis"),
    Case("ss_tensor_begin", lambda tf, p, n: tf.raw_ops.StridedSlice(input=X(p), begin=p([3], tf.int32), end=C(tf, [0, 3, 6]),
                                                                     strides=C(tf, [1, 1, 1]), begin_mask=1, end_mask=1, name=n), ""),
    Case("ss_dyn", ss([0, 1, 0], [0, 3, 6], [1, 1, 1], shape=(None, None, 6), begin_mask=1, end_mask=1), "dyn dim"),
    Case("ss_i32", lambda tf, p, n: tf.raw_ops.StridedSlice(input=X(p, dt=tf.int32), begin=C(tf, [0, 1, 0]), end=C(tf, [0, 3, 6]),
                                                            strides=C(tf, [1, 1, 1]), begin_mask=1, end_mask=1, name=n), ""),
    # Gather
    Case("gather_axis1_const", lambda tf, p, n: tf.raw_ops.GatherV2(params=X(p), indices=C(tf, [0, 2]), axis=C(tf, 1), name=n), ""),
    Case("gather_axis0", lambda tf, p, n: tf.raw_ops.GatherV2(params=X(p), indices=C(tf, [0]), axis=C(tf, 0), name=n), ""),
    Case("gather_tensor_idx", lambda tf, p, n: tf.raw_ops.GatherV2(params=X(p), indices=p([None, 2], tf.int32), axis=C(tf, 1), name=n), ""),
    Case("gather_tensor_idx_r1", lambda tf, p, n: tf.raw_ops.GatherV2(params=X(p), indices=p([2], tf.int32), axis=C(tf, 1), name=n), "indices rank 1"),
    Case("gather_const_params", lambda tf, p, n: tf.raw_ops.GatherV2(params=tf.constant(1.0, shape=[10, 4]), indices=p([None, 3], tf.int32), axis=C(tf, 0), name=n), "embedding lookup"),
    Case("gather_tensor_axis", lambda tf, p, n: tf.raw_ops.GatherV2(params=X(p), indices=C(tf, [0]), axis=p([], tf.int32), name=n), ""),
    Case("gather_batch_dims", lambda tf, p, n: tf.raw_ops.GatherV2(params=X(p), indices=p([None, 2], tf.int32), axis=C(tf, 1), batch_dims=1, name=n), "batch_dims=1"),
    Case("gather_i32", lambda tf, p, n: tf.raw_ops.GatherV2(params=X(p, dt=tf.int32), indices=C(tf, [0, 2]), axis=C(tf, 1), name=n), ""),
    Case("gather_i64_idx", lambda tf, p, n: tf.raw_ops.GatherV2(params=X(p), indices=C(tf, [0, 2], tf.int64), axis=C(tf, 1), name=n), ""),
    Case("gather_scalar_idx", lambda tf, p, n: tf.raw_ops.GatherV2(params=X(p), indices=C(tf, 1), axis=C(tf, 1), name=n), "scalar index"),
    # Tile
    Case("tile_basic", lambda tf, p, n: tf.raw_ops.Tile(input=X(p), multiples=C(tf, [1, 2, 3]), name=n), ""),
    Case("tile_batch", lambda tf, p, n: tf.raw_ops.Tile(input=X(p), multiples=C(tf, [2, 1, 1]), name=n), ""),
    Case("tile_tensor_mult", lambda tf, p, n: tf.raw_ops.Tile(input=X(p), multiples=p([3], tf.int32), name=n), ""),
    Case("tile_i32", lambda tf, p, n: tf.raw_ops.Tile(input=X(p, dt=tf.int32), multiples=C(tf, [1, 2, 3]), name=n), ""),
    # Pad
    Case("pad_basic", lambda tf, p, n: tf.raw_ops.Pad(input=X(p, (None, 4, 6, 3)), paddings=C(tf, [[0, 0], [1, 1], [2, 2], [0, 0]]), name=n), "H,W padding"),
    Case("pad_batch", lambda tf, p, n: tf.raw_ops.Pad(input=X(p, (None, 4, 6, 3)), paddings=C(tf, [[1, 0], [1, 1], [0, 0], [0, 0]]), name=n), ""),
    Case("pad_channel", lambda tf, p, n: tf.raw_ops.Pad(input=X(p, (None, 4, 6, 3)), paddings=C(tf, [[0, 0], [0, 0], [0, 0], [1, 1]]), name=n), ""),
    Case("pad_three_dims", lambda tf, p, n: tf.raw_ops.Pad(input=X(p, (None, 4, 6, 3)), paddings=C(tf, [[0, 0], [1, 1], [1, 1], [1, 1]]), name=n), ""),
    Case("pad_rank3", lambda tf, p, n: tf.raw_ops.Pad(input=X(p), paddings=C(tf, [[0, 0], [1, 1], [0, 0]]), name=n), "rank 3"),
    Case("pad_rank2", lambda tf, p, n: tf.raw_ops.Pad(input=X(p, (None, 6)), paddings=C(tf, [[0, 0], [1, 1]]), name=n), "rank 2"),
    Case("pad_tensor_paddings", lambda tf, p, n: tf.raw_ops.Pad(input=X(p, (None, 4, 6, 3)), paddings=p([4, 2], tf.int32), name=n), ""),
    Case("pad_i32", lambda tf, p, n: tf.raw_ops.Pad(input=X(p, (None, 4, 6, 3), tf.int32), paddings=C(tf, [[0, 0], [1, 1], [2, 2], [0, 0]]), name=n), ""),
    Case("pad_neg", lambda tf, p, n: tf.raw_ops.PadV2(input=X(p, (None, 4, 6, 3)), paddings=C(tf, [[0, 0], [1, 1], [2, 2], [0, 0]]), constant_values=tf.constant(0.0), name=n), "PadV2 (no converter?)"),
    Case("mirrorpad", lambda tf, p, n: tf.raw_ops.MirrorPad(input=X(p, (None, 4, 6, 3)), paddings=C(tf, [[0, 0], [1, 1], [2, 2], [0, 0]]), mode="REFLECT", name=n), ""),
    # depth/space, resize
    Case("d2s_nhwc", lambda tf, p, n: tf.raw_ops.DepthToSpace(input=X(p, (None, 4, 4, 8)), block_size=2, name=n), ""),
    Case("d2s_nchw", lambda tf, p, n: tf.raw_ops.DepthToSpace(input=X(p, (None, 8, 4, 4)), block_size=2, data_format="NCHW", name=n), ""),
    Case("d2s_dyn", lambda tf, p, n: tf.raw_ops.DepthToSpace(input=X(p, (None, None, None, 8)), block_size=2, name=n), ""),
    Case("s2d_nhwc", lambda tf, p, n: tf.raw_ops.SpaceToDepth(input=X(p, (None, 4, 4, 2)), block_size=2, name=n), ""),
    Case("s2d_dyn_c", lambda tf, p, n: tf.raw_ops.SpaceToDepth(input=X(p, (None, 4, 4, None)), block_size=2, name=n), ""),
    Case("resize_bilinear", lambda tf, p, n: tf.raw_ops.ResizeBilinear(images=X(p, (None, 4, 4, 3)), size=C(tf, [8, 8]), name=n), ""),
    Case("resize_bilinear_align", lambda tf, p, n: tf.raw_ops.ResizeBilinear(images=X(p, (None, 4, 4, 3)), size=C(tf, [8, 8]), align_corners=True, name=n), ""),
    Case("resize_bilinear_hpc", lambda tf, p, n: tf.raw_ops.ResizeBilinear(images=X(p, (None, 4, 4, 3)), size=C(tf, [8, 8]), half_pixel_centers=True, name=n), ""),
    Case("resize_nn", lambda tf, p, n: tf.raw_ops.ResizeNearestNeighbor(images=X(p, (None, 4, 4, 3)), size=C(tf, [8, 8]), name=n), ""),
    Case("resize_nn_hpc", lambda tf, p, n: tf.raw_ops.ResizeNearestNeighbor(images=X(p, (None, 4, 4, 3)), size=C(tf, [8, 8]), half_pixel_centers=True, name=n), ""),
    Case("resize_tensor_size", lambda tf, p, n: tf.raw_ops.ResizeBilinear(images=X(p, (None, 4, 4, 3)), size=p([2], tf.int32), name=n), ""),
    Case("resize_bicubic", lambda tf, p, n: tf.raw_ops.ResizeBicubic(images=X(p, (None, 4, 4, 3)), size=C(tf, [8, 8]), name=n), "no converter"),
    # Fill / Range / Shape / *Like / Select
    Case("fill_const_dims", lambda tf, p, n: tf.raw_ops.Fill(dims=C(tf, [2, 3]), value=tf.constant(1.0), name=n), "both Const"),
    Case("fill_tensor_dims", lambda tf, p, n: tf.raw_ops.Fill(dims=p([2], tf.int32), value=tf.constant(1.0), name=n), ""),
    Case("fill_tensor_value", lambda tf, p, n: tf.raw_ops.Fill(dims=C(tf, [2, 3]), value=p([]), name=n), ""),
    Case("range_const", lambda tf, p, n: tf.raw_ops.Range(start=C(tf, 0), limit=C(tf, 10), delta=C(tf, 1), name=n), ""),
    Case("range_tensor_limit", lambda tf, p, n: tf.raw_ops.Range(start=C(tf, 0), limit=p([], tf.int32), delta=C(tf, 1), name=n), ""),
    Case("range_f32", lambda tf, p, n: tf.raw_ops.Range(start=tf.constant(0.0), limit=tf.constant(10.0), delta=tf.constant(1.0), name=n), ""),
    Case("shape_static", lambda tf, p, n: tf.raw_ops.Shape(input=X(p, (2, 4, 6)), name=n), ""),
    Case("shape_dyn", lambda tf, p, n: tf.raw_ops.Shape(input=X(p), name=n), ""),
    Case("shape_i64", lambda tf, p, n: tf.raw_ops.Shape(input=X(p), out_type=tf.int64, name=n), ""),
    Case("zeroslike", lambda tf, p, n: tf.raw_ops.ZerosLike(x=X(p), name=n), ""),
    Case("oneslike", lambda tf, p, n: tf.raw_ops.OnesLike(x=X(p), name=n), ""),
    Case("zeroslike_i32", lambda tf, p, n: tf.raw_ops.ZerosLike(x=X(p, dt=tf.int32), name=n), ""),
    Case("select_same", lambda tf, p, n: tf.raw_ops.Select(condition=X(p, dt=tf.bool), x=X(p), y=X(p), name=n), ""),
    Case("selectv2_same", lambda tf, p, n: tf.raw_ops.SelectV2(condition=X(p, dt=tf.bool), t=X(p), e=X(p), name=n), ""),
    Case("selectv2_bcast", lambda tf, p, n: tf.raw_ops.SelectV2(condition=X(p, dt=tf.bool), t=X(p), e=tf.constant(0.0), name=n), "e scalar Const"),
    Case("dfvp_vec", lambda tf, p, n: tf.raw_ops.DataFormatVecPermute(x=X(p, (4,), tf.int32), name=n), "rank 1 size 4"),
    Case("dfvp_mat", lambda tf, p, n: tf.raw_ops.DataFormatVecPermute(x=X(p, (4, 2), tf.int32), name=n), "rank 2 [4,2]"),
    Case("dfvp_const", lambda tf, p, n: tf.raw_ops.DataFormatVecPermute(x=C(tf, [1, 2, 3, 4]), name=n), "Const"),
]

# Select with a rank-1 condition and rank-3 branches: in dynamic-shape mode TF-TRT 2.17's
# validator throws std::length_error ("cannot create std::vector larger than max_size()"),
# which aborts the WHOLE conversion (OptimizeGraph raises). Kept apart so the table above
# can be produced; run `python probe_shape_ops.py crash` to reproduce.
CRASH_CASES = [
    Case("select_cond_vec", lambda tf, p, n: tf.raw_ops.Select(condition=X(p, (None,), tf.bool), x=X(p), y=X(p), name=n), "rank-1 condition"),
]

if __name__ == "__main__":
    import sys
    if sys.argv[1:] == ["crash"]:
        main(CRASH_CASES, ("implicit", "dynamic"), "Select with rank-1 condition (crashes the dynamic-shape run)")
    else:
        main(CASES, ("implicit", "dynamic"), "Shape ops and batch rules")
