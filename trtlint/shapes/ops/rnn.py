"""Fused recurrent cells (tf.contrib.rnn LSTMBlockCell, BlockLSTM, GRUBlockCell).

Their gate outputs all have the cell's output shape; the cell size is a quarter of the
LSTM bias length (four gates), or the GRU state's width.
"""

from __future__ import annotations

from ..registry import shape_fn
from ..util import div_dim, merge_dim, with_rank


@shape_fn("LSTMBlockCell")
def lstm_block_cell(ctx):
    x = ctx.with_rank(0, 2)
    b = with_rank(ctx.input_shape(ctx.num_inputs - 1), 1)
    out = (x[0], div_dim(b[0], 4, evenly=True))
    return [ctx.shared(out)] * 7


@shape_fn("BlockLSTM", "BlockLSTMV2")
def block_lstm(ctx):
    x = ctx.with_rank(1, 3)
    b = with_rank(ctx.input_shape(ctx.num_inputs - 1), 1)
    out = (x[0], x[1], div_dim(b[0], 4, evenly=True))
    return [ctx.shared(out)] * 7


@shape_fn("GRUBlockCell")
def gru_block_cell(ctx):
    x = ctx.with_rank(0, 2)
    h = ctx.with_rank(1, 2)
    out = (merge_dim(x[0], h[0]), h[1])
    return [ctx.shared(out)] * 4
