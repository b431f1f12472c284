"""TRT602: channel counts that keep Tensor Cores idle in FP16/INT8."""

from __future__ import annotations

from typing import Iterable, Optional

from ...hardware import gpu_info
from ...insights import effective_precision, engine_of, resolve_const
from ..base import Rule
from ..model import Finding
from ._text import plural, some

DEFAULT_ALIGNMENT = {"FP16": 8, "INT8": 32}
#: channel counts of image inputs: a first convolution cannot do better, so not reported
IMAGE_CHANNELS = frozenset({1, 3, 4})


def channels(a, node) -> Optional[tuple[int, int]]:
    """(input channels, output channels) of a Conv2D/MatMul from its constant weights."""
    if len(node.inputs) < 2:
        return None
    weights = resolve_const(a.graph, node.inputs[1])
    if weights is None or weights.value is None or weights.value.shape is None:
        return None
    shape = weights.value.shape
    if node.op in ("Conv2D", "Conv3D") and len(shape) >= 4:
        return shape[-2], shape[-1]
    if node.op == "MatMul" and len(shape) == 2:
        k, n = shape
        return (n, k) if node.attr("transpose_b") else (k, n)
    return None


class TensorCoreAlignment(Rule):
    """Channel counts that are not multiples of 8 (FP16) or 32 (INT8) idle Tensor Cores.

    Tensor Cores multiply tiles of 8 (FP16) or 32 (INT8, per NVIDIA's guidance for
    dense INT8 kernels) channels.  A layer with 12 or 100 channels is padded or runs on
    the slower CUDA-core kernels, so the FP16/INT8 speed-up shrinks exactly where the
    FLOPs are.  First convolutions on 1/3/4-channel images are not reported.

    Anti-pattern::

        tf.keras.layers.Conv2D(filters=100, ...)     # FP16: 100 % 8 != 0

    Fix::

        tf.keras.layers.Conv2D(filters=104, ...)     # or 96; INT8: multiples of 32
    """

    id = "TRT602"
    name = "tensor-core-alignment"
    severity = "info"

    def check(self, analysis) -> Iterable[Finding]:
        a = analysis
        precision = effective_precision(a)
        if precision not in DEFAULT_ALIGNMENT:
            return
        gpu = gpu_info(a.target.gpu) if a.target.gpu else None
        if gpu is not None and not gpu.tensor_cores(precision):
            return  # no Tensor Cores for this precision: alignment does not matter
        align = (gpu.alignment(precision) if gpu else None) or DEFAULT_ALIGNMENT[precision]
        engines = engine_of(a)
        layers = 0
        misaligned: list[str] = []
        for name in sorted(engines):
            dims = channels(a, a.graph[name])
            if dims is None:
                continue
            layers += 1
            cin, cout = dims
            bad = [f"out {cout}"] if cout % align else []
            if cin % align and cin not in IMAGE_CHANNELS:
                bad.insert(0, f"in {cin}")
            if bad:
                misaligned.append(f"{name} ({', '.join(bad)})")
        if not misaligned:
            return
        where = f"on {gpu.label()}" if gpu else "on GPUs with Tensor Cores (sm_70 and newer)"
        verb = "has" if len(misaligned) == 1 else "have"
        yield self.finding(
            f"{len(misaligned)} of {plural(layers, 'Conv2D/MatMul layer')} in engines {verb} "
            f"channel counts that are not multiples of {align}, which {precision} Tensor Cores "
            f"need {where}: {some(misaligned, 4)}",
            node=misaligned[0].split(" (")[0],
            fix=f"Round channel counts to multiples of {align} (filters, units) when designing "
                f"or retraining the model.",
            alignment=align, layers=[m.split(" (")[0] for m in misaligned])
