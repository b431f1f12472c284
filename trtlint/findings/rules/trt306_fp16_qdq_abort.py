"""TRT306: a float16 QuantizeAndDequantizeV2 aborts TF-TRT 2.17's conversion."""

from __future__ import annotations

from typing import Iterable

from ..base import Rule
from ..model import Finding


class Fp16QdqAbort(Rule):
    """A QuantizeAndDequantizeV2 on float16 kills the TensorFlow process during conversion.

    Measured with TF 2.17's TF-TRT: when a QuantizeAndDequantizeV2 has ``T=half`` (its
    input and its min/max are float16), the converter reads the range as float32 and
    TensorFlow aborts with ``Check failed: new_num_elements * sizeof(T) ==
    NumElements() * element_size (0 vs. 2)``.  The process dies; nothing is converted
    and no Python exception can catch it.

    Anti-pattern::

        x16 = tf.cast(x, tf.float16)
        q = tf.quantization.quantize_and_dequantize_v2(x16, tf.constant(-1., tf.float16),
                                                       tf.constant(1., tf.float16))

    Fix::

        q = tf.quantization.quantize_and_dequantize_v2(x, -1.0, 1.0)   # float32 QDQ
        y = tf.cast(q, tf.float16)                                      # cast after it
    """

    id = "TRT306"
    name = "fp16-qdq-abort"
    severity = "error"

    def check(self, analysis) -> Iterable[Finding]:
        a = analysis
        if a.target.profile != "tf2":
            return
        for node in a.graph:
            if node.op == "QuantizeAndDequantizeV2" and node.attr("T") == "float16":
                yield self.finding(
                    f"QuantizeAndDequantizeV2 {node.name} works on float16: TF-TRT 2.17 aborts "
                    f"the whole process while converting it (Check failed: new_num_elements "
                    f"* sizeof(T) == NumElements() * element_size)",
                    node=node.name, fix="Quantize in float32 and cast to float16 afterwards.")
