"""TRT305: a QuantizeAndDequantizeV2 switches TF-TRT to INT8 whatever was asked."""

from __future__ import annotations

from typing import Iterable

from ...support.ruleset import load_ruleset
from ..base import Rule
from ..model import Finding
from ._text import plural, some


class QdqForcesInt8(Rule):
    """QuantizeAndDequantizeV2 nodes put TF-TRT in explicit-QDQ INT8 mode.

    TF-TRT 2.x looks for QuantizeAndDequantizeV2 before converting: if the graph has one
    anywhere, it switches to explicit quantization and builds INT8 engines, whatever
    ``precision_mode`` says.  FakeQuant nodes then count as a second quantization style
    and stay in TensorFlow.  Asking for FP32 or FP16 on such a graph does not give an
    FP32 or FP16 engine.

    Anti-pattern::

        # a QAT model exported with tf.quantization.quantize_and_dequantize_v2 ...
        converter = trt.TrtGraphConverterV2(input_saved_model_dir=d, precision_mode="FP16")

    Fix::

        # convert it as what it is:
        converter = trt.TrtGraphConverterV2(input_saved_model_dir=d, precision_mode="INT8",
                                            use_calibration=False)
        # or export the float model without QDQ nodes if you want FP16
    """

    id = "TRT305"
    name = "qdq-forces-int8"
    severity = "warning"

    def check(self, analysis) -> Iterable[Finding]:
        a = analysis
        if a.target.profile != "tf2" or a.target.precision == "INT8":
            return
        switches = load_ruleset(a.target.profile).explicit_qdq_ops
        qdq = [n.name for n in a.graph if n.op in switches]
        if not qdq:
            return
        yield self.finding(
            f"{plural(len(qdq), 'QuantizeAndDequantizeV2 node')} ({some(qdq)}) "
            f"switch{'es' if len(qdq) == 1 else ''} TF-TRT to explicit-QDQ INT8 mode: the engines "
            f"are INT8, not {a.target.precision}",
            node=qdq[0], fix="Analyse and convert with --precision INT8, or export the model "
                             "without QuantizeAndDequantizeV2 nodes.", nodes=qdq)
