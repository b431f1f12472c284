"""Rough FLOP estimates per node, for "how much of the compute lands in TensorRT".

Only the ops that dominate inference cost are counted (convolutions, matrix products,
pooling, normalisation and element-wise math); an unknown batch dim counts as 1 and
other unknown dims make the node uncountable.  The point is a coverage ratio, not a
performance model.
"""

from __future__ import annotations

from typing import Optional

from .graph.model import Graph, Node
from .graph.tensors import num_elements
from .shapes import ShapeMap

CONV = {"Conv2D", "Conv3D", "DepthwiseConv2dNative", "Conv2DBackpropInput",
        "Conv3DBackpropInputV2", "FusedConv2DBiasActivation", "_FusedConv2D"}
MATMUL = {"MatMul", "BatchMatMul", "BatchMatMulV2", "BatchMatMulV3", "_FusedMatMul", "Einsum"}
ELEMENTWISE_WEIGHT = 1


def _elems(shape) -> Optional[int]:
    if shape is None:
        return None
    dims = list(shape)
    if dims and dims[0] < 0:
        dims[0] = 1
    return num_elements(tuple(dims))


def node_flops(node: Node, graph: Graph, shapes: ShapeMap) -> Optional[int]:
    op = node.op
    out = _elems(shapes.output_shape(node.name, 0)) if node.inputs else None
    if op in CONV:
        filt = shapes.shape(node.inputs[1]) if len(node.inputs) > 1 else None
        if op in ("Conv2DBackpropInput", "Conv3DBackpropInputV2"):
            src = shapes.shape(node.inputs[2]) if len(node.inputs) > 2 else None
            n_in = _elems(src)
            if filt is None or n_in is None or any(d < 0 for d in filt):
                return None
            k = 1
            for d in filt[:-2]:
                k *= d
            return 2 * n_in * k * filt[-2]
        if out is None or filt is None or any(d < 0 for d in filt):
            return None
        k = 1
        for d in filt[:-1]:
            k *= d
        if op == "DepthwiseConv2dNative":
            return 2 * out * k // max(filt[-2], 1) * 1 if filt[-2] else None
        return 2 * out * k
    if op in MATMUL:
        a = shapes.shape(node.inputs[0]) if node.inputs else None
        if out is None or a is None or len(a) < 1:
            return None
        kdim = a[-2] if node.attr("transpose_a") or node.attr("adj_x") else a[-1]
        return None if kdim < 0 else 2 * out * kdim
    if op in ("MaxPool", "AvgPool", "MaxPoolV2", "AvgPool3D", "MaxPool3D"):
        ks = node.attr("ksize") or []
        k = 1
        for d in ks:
            k *= d if isinstance(d, int) and d > 0 else 1
        return None if out is None else out * k
    if op.startswith("FusedBatchNorm"):
        return None if out is None else 2 * out
    if out is None:
        return None
    if op in ("Const", "Placeholder", "Identity", "NoOp", "Shape", "Reshape", "Squeeze",
              "ExpandDims", "Snapshot", "StopGradient"):
        return 0
    return out * ELEMENTWISE_WEIGHT


def flops_coverage(graph: Graph, shapes: ShapeMap, converted: set[str]) -> Optional[float]:
    """Share of estimated FLOPs inside engines; None when nothing could be counted."""
    total = inside = 0
    for node in graph:
        f = node_flops(node, graph, shapes)
        if not f:
            continue
        total += f
        if node.name in converted:
            inside += f
    return None if total == 0 else inside / total
