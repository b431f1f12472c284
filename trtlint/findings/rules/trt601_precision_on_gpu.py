"""TRT601: FP16/INT8 requested for a GPU without fast FP16/INT8."""

from __future__ import annotations

from typing import Iterable

from ...hardware import gpu_info
from ...insights import effective_precision
from ..base import Rule
from ..model import Finding


class PrecisionOnGpu(Rule):
    """The requested precision has no fast path on the target GPU (``--gpu``).

    Reduced precision only pays where the GPU executes it faster than FP32.  Pascal
    GeForce/Tesla chips of compute capability 6.1 (GTX 1080, 1070, P40, P4) run FP16
    arithmetic at 1/64 of the FP32 rate but have fast INT8 (dp4a); the P100 (6.0) and
    Jetson TX2 (6.2) have fast FP16 but no dp4a, so INT8 gains nothing; Maxwell and
    Kepler have neither.  On such a GPU TensorRT falls back to FP32 kernels where the
    requested precision is slower (the seed's GTX 1080 showed no FP16 speed-up).

    Anti-pattern::

        # GTX 1080 (sm_61)
        converter = trt.TrtGraphConverterV2(..., precision_mode="FP16")

    Fix::

        converter = trt.TrtGraphConverterV2(..., precision_mode="INT8")   # dp4a on sm_61
        # or target a GPU with FP16 Tensor Cores (V100, T4, A100, ...): --gpu T4
    """

    id = "TRT601"
    name = "precision-on-gpu"
    severity = "warning"

    def check(self, analysis) -> Iterable[Finding]:
        t = analysis.target
        if not t.gpu:
            return
        gpu = gpu_info(t.gpu)   # UsageError for a name trtlint does not know
        precision = effective_precision(analysis)
        if precision == "FP32" or gpu.fast(precision):
            return
        better = [p for p in ("INT8", "FP16") if p != precision and gpu.fast(p)]
        asked = "" if precision == t.precision else \
            f" (what TF-TRT builds for --precision {t.precision} on this graph)"
        yield self.finding(
            f"{precision}{asked} on {gpu.label()}: this GPU has no fast {precision} ({gpu.note}); "
            f"expect no speed-up over FP32 from the precision alone",
            fix=(f"Use {better[0]} on this GPU, " if better else "Keep FP32 on this GPU, ")
                + "or target a GPU with Tensor Cores (sm_70 or newer).",
            gpu=gpu.product, compute_capability=gpu.compute_capability, precision=precision)
