"""TRT304: INT8 requested without calibration and without quantization ranges."""

from __future__ import annotations

from typing import Iterable

from ...insights import QUANTIZATION_RANGE_OPS
from ..base import Rule
from ..model import Finding
from ._text import plural



class Int8WithoutRanges(Rule):
    """INT8 without calibration needs quantization ranges in the graph, and has none.

    With ``precision_mode="INT8"`` and ``use_calibration=False`` TF-TRT expects every
    tensor's dynamic range from quantization nodes (FakeQuant, QuantizeAndDequantize).
    When the graph has none, TF-TRT 2.x logs "Set engine precision to FP16 due to
    missing QDQ OP" and builds FP16 engines: the INT8 speed-up silently does not happen.

    Anti-pattern::

        converter = trt.TrtGraphConverterV2(input_saved_model_dir=d, precision_mode="INT8",
                                            use_calibration=False)   # float model, no QDQ

    Fix::

        converter = trt.TrtGraphConverterV2(input_saved_model_dir=d, precision_mode="INT8")
        converter.convert(calibration_input_fn=representative_batches)
        # or train with quantization-aware training so the graph carries ranges
    """

    id = "TRT304"
    name = "int8-without-ranges"
    severity = "warning"

    def check(self, analysis) -> Iterable[Finding]:
        a = analysis
        if a.target.precision != "INT8" or a.target.use_calibration:
            return
        ranges = [n.name for n in a.graph if n.op in QUANTIZATION_RANGE_OPS]
        engines = [s for s in a.segments if s.will_build]
        if ranges or not engines:
            return
        yield self.finding(
            f"INT8 without calibration, and the graph has no FakeQuant/QuantizeAndDequantize "
            f"node to take ranges from: TF-TRT builds the {plural(len(engines), 'engine')} in "
            f"FP16 instead (\"Set engine precision to FP16 due to missing QDQ OP\")",
            fix="Calibrate (use_calibration=True with a calibration_input_fn), or export the "
                "model with quantization-aware training so it carries ranges.")
