"""Sparse tensors and segment reductions (feature columns, embedding lookups)."""

from __future__ import annotations

from ..registry import shape_fn
from ..util import concatenate, merge, merge_dim, subshape, with_rank_at_least


@shape_fn("SparseReshape")
def sparse_reshape(ctx):
    indices = ctx.with_rank(0, 2)
    ctx.with_rank(1, 1)
    new_shape = ctx.with_rank(2, 1)
    return [(indices[0], new_shape[0]), new_shape]


@shape_fn("SparseFillEmptyRows")
def sparse_fill_empty_rows(ctx):
    indices = ctx.with_rank(0, 2)
    values = ctx.with_rank(1, 1)
    dense_shape = ctx.with_rank(2, 1)
    ctx.with_rank(3, 0)
    n = merge_dim(indices[0], values[0])
    merge_dim(indices[1], dense_shape[0])
    dims = ctx.shape_from_tensor(2)
    rows = dims[0] if dims is not None and len(dims) > 0 else -1
    return [(-1, dense_shape[0]), (-1,), (rows,), (n,)]


def _segment_reduction(ctx, num_segments=None):
    data = with_rank_at_least(ctx.input_shape(0), 1)
    indices = ctx.with_rank(1, 1)
    ids = ctx.with_rank(2, 1)
    merge_dim(indices[0], ids[0])
    first = -1
    if num_segments is not None:
        v = ctx.input_scalar(num_segments)
        first = -1 if v is None else int(v)
    return [concatenate((first,), subshape(data, 1))]


@shape_fn("SparseSegmentSum", "SparseSegmentMean", "SparseSegmentSqrtN")
def sparse_segment(ctx):
    return _segment_reduction(ctx)


@shape_fn("SparseSegmentSumWithNumSegments", "SparseSegmentMeanWithNumSegments",
          "SparseSegmentSqrtNWithNumSegments")
def sparse_segment_n(ctx):
    return _segment_reduction(ctx, num_segments=3)


@shape_fn("SegmentSum", "SegmentMean", "SegmentMax", "SegmentMin", "SegmentProd")
def segment(ctx):
    data = with_rank_at_least(ctx.input_shape(0), 1)
    ctx.with_rank(1, 1)
    return [concatenate((-1,), subshape(data, 1))]


@shape_fn("UnsortedSegmentSum", "UnsortedSegmentMax", "UnsortedSegmentMin",
          "UnsortedSegmentProd")
def unsorted_segment(ctx):
    data = ctx.input_shape(0)
    ids = ctx.input_shape(1)
    n = ctx.input_scalar(2)
    first = -1 if n is None else int(n)
    if data is None or ids is None:
        return [None]
    merge(tuple(data[:len(ids)]), tuple(ids))
    return [(first,) + tuple(data[len(ids):])]


@shape_fn("SparseToDense")
def sparse_to_dense(ctx):
    return [ctx.shape_from_tensor(1)]


@shape_fn("SparseTensorDenseAdd")
def sparse_tensor_dense_add(ctx):
    return [ctx.input_shape(3)]


@shape_fn("SparseTensorDenseMatMul")
def sparse_tensor_dense_matmul(ctx):
    b = ctx.with_rank(3, 2)
    a_shape = ctx.input_partial(2)
    adj_a = bool(ctx.attr("adjoint_a", False))
    adj_b = bool(ctx.attr("adjoint_b", False))
    rows = -1
    if a_shape is not None and len(a_shape) == 2:
        r = a_shape[1 if adj_a else 0]
        rows = -1 if r is None else int(r)
    return [(rows, b[0] if adj_b else b[1])]


@shape_fn("SparseSoftmax")
def sparse_values_like(ctx):
    return [ctx.input_shape(1)]


@shape_fn("SparseReduceSum", "SparseReduceMax")
def sparse_reduce(ctx):
    return [None]
