"""TRT401: static engines built for a smaller batch than the one served."""

from __future__ import annotations

from typing import Iterable

from ..base import Rule
from ..model import Finding


class MaxBatchBelowServing(Rule):
    """``--max-batch-size`` is below ``--serving-batch``: the engines cannot take the batch.

    Static engines (TF1's ``is_dynamic_op=False``) are built once, at conversion time,
    for at most ``max_batch_size`` rows.  A larger batch does not fit: TF-TRT runs the
    engine's original TensorFlow subgraph instead (a WARNING such as "Engine buffer is
    full" in TF 1.13, silently in later releases), so serving at that batch gets no
    TensorRT speed-up at all.  With INT8 calibration in TF 1.x it is worse: the
    calibration buffers are sized by the first batch, and a batch of another size aborts
    the process with ``Check failed: t.TotalBytes() == device_tensor->TotalBytes()
    (788424 vs. 394212)`` -- the seed's INT8 model, built for batch 1, fed batch 2.

    Anti-pattern::

        trt.create_inference_graph(g, outputs, max_batch_size=1, precision_mode="INT8")
        # served with batch_size=2

    Fix::

        trt.create_inference_graph(g, outputs, max_batch_size=8, ...)  # >= serving batch
        # or dynamic engines: is_dynamic_op=True; calibrate with the serving batch size
    """

    id = "TRT401"
    name = "max-batch-below-serving"
    severity = "error"

    def check(self, analysis) -> Iterable[Finding]:
        t = analysis.target
        if not t.static_engines or t.serving_batch is None or t.max_batch_size is None:
            return
        if t.serving_batch <= t.max_batch_size:
            return
        engines = [s for s in analysis.segments if s.will_build]
        calibrating = t.precision == "INT8" and t.use_calibration and t.profile != "tf2"
        if calibrating:
            yield self.finding(
                f"INT8 with calibration and engines for max_batch_size {t.max_batch_size}, served "
                f"at batch {t.serving_batch}: TF-TRT sizes the calibration buffers from the "
                f"first batch, and a batch of another size aborts the process (Check failed: "
                f"t.TotalBytes() == device_tensor->TotalBytes())",
                fix=f"Build with --max-batch-size {t.serving_batch} (or more), calibrate with "
                    f"batches of that size, and serve the converted inference graph, not the "
                    f"calibration graph.",
                max_batch_size=t.max_batch_size, serving_batch=t.serving_batch)
            return
        if not engines:
            return
        yield self.finding(
            f"static engines are built for batches up to {t.max_batch_size}, but the model is "
            f"served at batch {t.serving_batch}: "
            + ("the engine falls back to its TensorFlow subgraph" if len(engines) == 1 else
               f"all {len(engines)} engines fall back to their TensorFlow subgraphs")
            + " at that batch, so TensorRT never runs",
            severity="warning",
            fix=f"Convert with --max-batch-size {t.serving_batch} (max_batch_size >= the serving "
                f"batch), or use dynamic engines (is_dynamic_op=True).",
            max_batch_size=t.max_batch_size, serving_batch=t.serving_batch,
            engines=[s.name for s in engines])
