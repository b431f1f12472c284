"""The run-parameter variants TF-TRT's integration tests run each graph under.

TF 2.17's ``tf_trt_integration_test_base.py`` generates one test method per variant:

* TF2 API (``TrtGraphConverterV2``, ``is_v2``): offline conversion, dynamic engines,
  FP32 and FP16 without calibration and INT8 with calibration, each in implicit batch
  and in dynamic shape mode -- six variants;
* TF1 API (``TrtGraphConverter``, graph mode, implicit batch only): FP32/FP16/INT8
  without calibration, online or offline, dynamic or static engines, plus INT8 with
  calibration (offline, dynamic engines).

Online and offline conversion run the same segmenter on the same graph, so we keep the
offline ones.  Static engines (the TF1 API's ``is_dynamic_op=False``) matter because the
segmenter then refuses unknown non-batch dimensions; the CPU oracle cannot build them,
so those variants are checked against the test file only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class RunParams:
    """One variant, with the field names of the integration base's ``RunParams``."""

    precision_mode: str            # "FP32" | "FP16" | "INT8"
    dynamic_engine: bool
    use_calibration: bool
    is_v2: bool
    dynamic_shape: bool
    convert_online: bool = False

    @property
    def test_name(self) -> str:
        """The method name the integration base gives this variant."""
        return "_".join([
            "testTfTrtV2" if self.is_v2 else "testTfTrt",
            "OnlineConversion" if self.convert_online else "OfflineConversion",
            "DynamicEngine" if self.dynamic_engine else "StaticEngine",
            self.precision_mode,
            "UseCalibration" if self.use_calibration else "NoCalibration",
            "DynamicShape" if self.dynamic_shape else "ImplicitBatch",
        ])

    @property
    def short(self) -> str:
        """A compact id for pytest: ``v2-FP16-dynshape``, ``v1-INT8calib-static``..."""
        precision = self.precision_mode + ("calib" if self.use_calibration else "")
        mode = "dynshape" if self.dynamic_shape else ("dyn" if self.dynamic_engine else "static")
        return f"{'v2' if self.is_v2 else 'v1'}-{precision}-{mode}"


def v2_variants() -> list[RunParams]:
    """``_GetTestConfigsV2``: FP32/FP16 without calibration, INT8 with, x implicit/dynamic shape."""
    out = [RunParams(p, True, False, True, shape) for p in ("FP32", "FP16") for shape in (False, True)]
    out += [RunParams("INT8", True, True, True, shape) for shape in (False, True)]
    return out


def v1_variants() -> list[RunParams]:
    """The offline subset of ``_GetTestConfigsV1`` (implicit batch only)."""
    out = [RunParams(p, engine, False, False, False)
           for p in ("FP32", "FP16", "INT8") for engine in (True, False)]
    out.append(RunParams("INT8", True, True, False, False))
    return out


def all_variants() -> list[RunParams]:
    return v2_variants() + v1_variants()


def is_quantization(run: RunParams) -> bool:
    return run.precision_mode == "INT8"


def is_quantization_with_calibration(run: RunParams) -> bool:
    return is_quantization(run) and run.use_calibration


def base_should_run(run: RunParams) -> tuple[bool, str]:
    """The integration base's default ShouldRunTest: INT8 only with calibration."""
    return (run.use_calibration or not is_quantization(run)), "test either calibration or non-INT8"


def max_batch_size(run: RunParams, input_batches: list[int],
                   override: Optional[int] = None) -> Optional[int]:
    """GetMaxBatchSize: None for dynamic engines, else the inputs' batch (or the test's own)."""
    if run.dynamic_engine:
        return None
    return override if override is not None else max(input_batches)
