"""What TF-TRT run to predict: version profile, mode, precision and limits.

The defaults follow DESIGN.md: profile ``tf2`` (TF-TRT as shipped in TensorFlow 2.17),
implicit batch mode with dynamic engines (TrtGraphConverterV2), FP32,
minimum_segment_size 3, at most 20 engines.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Optional

from .errors import UsageError
from .graph.tensors import Shape

PROFILES = {
    "tf2": "TF-TRT in TensorFlow 2.4-2.17 (tensorflow/compiler/tf2tensorrt), as in 2.17",
    "tf1.15": "TF-TRT in TensorFlow 1.15 (tensorflow/compiler/tf2tensorrt, TensorRT 5.1)",
    "tf1.13": "TF-TRT in TensorFlow 1.13 (tensorflow/contrib/tensorrt, TensorRT 5.0)",
}
PROFILE_ALIASES = {"2": "tf2", "tf2.17": "tf2", "2.17": "tf2", "1.15": "tf1.15",
                   "1.13": "tf1.13", "contrib": "tf1.13"}
PRECISIONS = ("FP32", "FP16", "INT8")
GRAPPLER_MODES = ("builtin", "tf", "none")


@dataclass(frozen=True)
class Target:
    """The TF-TRT conversion to predict."""

    profile: str = "tf2"
    precision: str = "FP32"
    dynamic_shape: bool = False          # explicit batch / dynamic shape mode
    minimum_segment_size: int = 3
    max_batch_size: Optional[int] = None  # set: static engines built for this batch (TF1 API)
    grappler: str = "builtin"            # builtin emulation | real TensorFlow | none
    #: grappler's layout optimizer acts as on a GPU.  Off for tf2: TrtGraphConverterV2
    #: clears device placements and TF 2.17's layout pass only rewrites GPU-placed nodes.
    #: On for TF 1.x, whose conversions ran the layout pass on the GPU (the seed's log).
    gpu_layout: bool = False
    max_engines: int = 20                # TF_TRT_MAX_ALLOWED_ENGINES (<= 0: unlimited)
    use_calibration: bool = True         # INT8: calibrate (TF-TRT default) or need QDQ ranges
    input_shapes: tuple[tuple[str, Shape], ...] = ()
    serving_batch: Optional[int] = None  # batch the model will be served with
    gpu: Optional[str] = None            # target GPU (name or sm_XY) for precision rules
    denylist: tuple[str, ...] = ()       # TF_TRT_OP_DENYLIST

    @property
    def implicit_batch(self) -> bool:
        return not self.dynamic_shape

    @property
    def static_engines(self) -> bool:
        """Engines built at conversion time for a fixed max batch (is_dynamic_op=False)."""
        return self.max_batch_size is not None and not self.dynamic_shape

    @property
    def allow_dynamic_non_batch_dim(self) -> bool:
        """TF-TRT allows unknown non-batch dims unless it builds static engines."""
        return not self.static_engines

    @property
    def overrides(self) -> dict[str, Shape]:
        return dict(self.input_shapes)

    def mode_name(self) -> str:
        if self.dynamic_shape:
            return "explicit batch (dynamic shape)"
        return "implicit batch, " + ("static engines" if self.static_engines else "dynamic engines")

    def with_changes(self, **kw) -> "Target":
        return replace(self, **kw)


def make_target(profile: str = "tf2", precision: str = "FP32", **kw) -> Target:
    """Validate user-facing values and build a Target (UsageError on nonsense)."""
    p = PROFILE_ALIASES.get(profile.lower(), profile.lower())
    if p not in PROFILES:
        raise UsageError(f"unknown profile '{profile}'; choose one of {', '.join(PROFILES)}")
    prec = precision.upper()
    if prec not in PRECISIONS:
        raise UsageError(f"unknown precision '{precision}'; choose FP32, FP16 or INT8")
    mss = kw.get("minimum_segment_size", 3)
    if mss is not None and mss < 1:
        raise UsageError("--minimum-segment-size must be at least 1")
    mbs = kw.get("max_batch_size")
    if mbs is not None and mbs < 1:
        raise UsageError("--max-batch-size must be at least 1")
    if kw.get("dynamic_shape") and p != "tf2":
        raise UsageError(f"--dynamic-shape needs profile tf2 (TF 2.x); {p} has implicit batch only")
    if kw.get("gpu") is not None:
        from .hardware import gpu_info

        gpu_info(kw["gpu"])  # an unknown GPU is a usage error before any loading
    if kw.get("gpu_layout") is None:
        kw["gpu_layout"] = p != "tf2"
    grappler = kw.get("grappler", "builtin")
    if grappler not in GRAPPLER_MODES:
        raise UsageError(f"unknown --grappler mode '{grappler}'; choose builtin, tf or none")
    return Target(profile=p, precision=prec, **kw)
