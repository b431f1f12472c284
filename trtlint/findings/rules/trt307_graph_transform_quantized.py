"""TRT307: eight-bit ops from the Graph Transform Tool, which TF-TRT never converts."""

from __future__ import annotations

from typing import Iterable

from ..base import Rule
from ..model import Finding
from ._text import plural, some

EIGHT_BIT_OPS = frozenset({"QuantizeV2", "Dequantize", "Requantize", "RequantizationRange",
                           "QuantizeDownAndShrinkRange"})


def is_eight_bit(op: str) -> bool:
    return op in EIGHT_BIT_OPS or op.startswith("Quantized")


class GraphTransformQuantized(Rule):
    """The graph holds TensorFlow's own eight-bit ops (quantize_weights / quantize_nodes).

    The Graph Transform Tool's ``quantize_nodes`` replaces Conv2D, MatMul, Relu, ... by
    QuantizedConv2D, QuantizedMatMul, QuantizedRelu with QuantizeV2 / Requantize /
    Dequantize between them.  TF-TRT has no converter for any of these, so the network's
    heavy layers can never reach TensorRT, and what is left between them becomes a
    scatter of tiny engines.  TensorFlow's eight-bit kernels are CPU kernels: on a GPU
    this graph is usually slower than the float one (the seed article saw no speed-up).

    Anti-pattern::

        transform_graph --transforms='quantize_weights quantize_nodes' ...
        # then TF-TRT on the result: "Op type QuantizedConv2D is not supported"

    Fix::

        # give TF-TRT the float graph and let it quantize:
        converter = trt.TrtGraphConverter(input_graph_def=float_graph, precision_mode="INT8")
    """

    id = "TRT307"
    name = "graph-transform-quantized"
    severity = "warning"

    def check(self, analysis) -> Iterable[Finding]:
        a = analysis
        ops: dict[str, int] = {}
        first = None
        for node in a.graph:
            if is_eight_bit(node.op):
                ops[node.op] = ops.get(node.op, 0) + 1
                first = first or node.name
        heavy = {op: n for op, n in ops.items() if op.startswith("Quantized")}
        if not ops or not (heavy or ops.get("QuantizeV2")):
            return  # a lone Dequantize of stored weights is quantize_weights; constfold handles it
        total = sum(ops.values())
        ordered = sorted(ops.items(), key=lambda kv: (-kv[1], kv[0]))
        yield self.finding(
            f"{plural(total, 'eight-bit op')} from the Graph Transform Tool stay in TensorFlow "
            f"({some((f'{op} {n}' for op, n in ordered), 5)}): TF-TRT converts none of them, so "
            f"the quantized layers never reach TensorRT",
            node=first, fix="Convert the float graph with TF-TRT (precision_mode INT8 with "
                            "calibration, or FP16) instead of the quantize_nodes output.",
            ops=dict(ordered))
