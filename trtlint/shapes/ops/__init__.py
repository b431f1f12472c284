"""Shape functions by op family; importing this package registers them all.

=================  ==============================================================
module             ops
=================  ==============================================================
``core``           sources (Const, Placeholder, variables), Identity-likes, Shape,
                   Size, Rank, Fill, ZerosLike, variable updates, ops with no outputs
``math``           element-wise unary/binary (broadcasting), Select, AddN, Range
``array``          Reshape, Squeeze, ExpandDims, Transpose, Concat, Pack, Split,
                   Pad, Tile, BroadcastTo, OneHot, DynamicStitch, ...
``slicing``        Slice, StridedSlice, Gather, GatherNd, Scatter
``layout``         SpaceToBatchND, BatchToSpaceND, SpaceToDepth, DataFormatVecPermute
``nn``             convolutions, pooling, batch norm, BiasAdd, MatMul, losses, TopK
``reduction``      Sum/Mean/Max/..., ArgMax, ReduceJoin
``control_flow``   Switch/Enter/Exit/NextIteration, TensorArray*, TensorList*,
                   While/If/Case
``image``          resize, crop, decode, NMS
``quantization``   QuantizeV2, Dequantize, Quantized*, Requantize*
``random``         random and stateless random ops
``io``             summaries, checkpoints, files, audio front ends
``strings``        string ops, tf.Example parsing, lookup tables
``sparse``         sparse tensors, segment reductions
``functions``      PartitionedCall and friends, through the called function's body
``linalg``         Einsum and batched matrix ops
``rnn``            fused LSTM/GRU cells
``ragged``         ragged tensors (TF-Text front ends)
=================  ==============================================================
"""

from . import (array, control_flow, core, functions, image, io, layout,  # noqa: F401
               linalg, math, nn, quantization, ragged, random, reduction, rnn, slicing,
               sparse, strings)
