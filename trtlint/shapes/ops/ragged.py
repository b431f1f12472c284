"""Ragged tensors (TF-Text front ends): splits vectors and flat values."""

from __future__ import annotations

from ..registry import shape_fn
from ..util import concatenate, merge_dim, subshape, with_rank_at_least


@shape_fn("RaggedRange")
def ragged_range(ctx):
    rows = -1
    all_scalars = True
    for i in range(3):
        s = ctx.input_shape(i)
        if s is None:
            all_scalars = False
        elif len(s) == 1:
            all_scalars = False
            rows = merge_dim(rows, s[0])
    splits = rows + 1 if rows >= 0 else (2 if all_scalars else -1)
    return [(splits,), (-1,)]


@shape_fn("RaggedGather")
def ragged_gather(ctx):
    n_out = ctx.num_outputs or 1
    n_params = ctx.num_inputs - 1
    values = with_rank_at_least(ctx.input_shape(n_params - 1), 1)
    return [(-1,)] * (n_out - 1) + [concatenate((-1,), subshape(values, 1))]


@shape_fn("RaggedTensorToTensor")
def ragged_to_tensor(ctx):
    return [ctx.shape_from_tensor(0, scalar_means_unknown=True)]
