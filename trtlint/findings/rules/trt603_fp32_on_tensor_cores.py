"""TRT603: FP32 engines on a GPU whose Tensor Cores would take FP16."""

from __future__ import annotations

from typing import Iterable

from ...hardware import gpu_info
from ...insights import effective_precision
from ..base import Rule
from ..model import Finding


class Fp32OnTensorCores(Rule):
    """FP32 conversion for a GPU with FP16 Tensor Cores leaves most of its speed unused.

    On Volta and newer (sm_70+) FP16 runs on Tensor Cores at several times the FP32 rate
    (Ampere and newer run FP32 layers as TF32 on Tensor Cores, still about half of FP16
    speed).  Converting in FP32 is the safe default, but it is rarely what a
    deployment on a V100/T4/A100 wants once accuracy in FP16 has been checked.

    Anti-pattern::

        converter = trt.TrtGraphConverterV2(input_saved_model_dir=d)   # FP32 on a T4

    Fix::

        converter = trt.TrtGraphConverterV2(input_saved_model_dir=d, precision_mode="FP16")
        # validate accuracy, then deploy; INT8 with calibration for more
    """

    id = "TRT603"
    name = "fp32-on-tensor-cores"
    severity = "info"

    def check(self, analysis) -> Iterable[Finding]:
        t = analysis.target
        if not t.gpu or effective_precision(analysis) != "FP32":
            return
        gpu = gpu_info(t.gpu)
        if not gpu.fp16_tensor_cores or not any(s.will_build for s in analysis.segments):
            return
        tf32 = float(gpu.compute_capability) >= 8.0
        yield self.finding(
            f"FP32 engines on {gpu.label()}: "
            + ("TensorRT runs them as TF32 on Tensor Cores, about half the FP16 rate"
               if tf32 else "FP32 does not use this GPU's FP16 Tensor Cores")
            + "; FP16 is usually the better trade once accuracy is checked",
            fix="Try --precision FP16 (precision_mode='FP16') and compare accuracy.",
            gpu=gpu.product, compute_capability=gpu.compute_capability)
