"""The TF-TRT conversions the differential tests compare, as one value per setting.

A :class:`Config` is one conversion setting of TF-TRT 2.17 (``trtlint --profile tf2``):
implicit batch or ``--dynamic-shape``, with TF's grappler passes or ``--no-grappler``, and
a precision.  It turns itself into both sides' options -- a trtlint Target and the
oracle's request flags -- so the two can never be asked different questions by accident.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

from trtlint.target import Target, make_target


@dataclass(frozen=True)
class Config:
    dynamic_shape: bool = False
    no_grappler: bool = False
    precision: str = "FP32"

    @property
    def name(self) -> str:
        """``implicit``, ``dynamic-nograppler``, ``implicit-fp16``, ... (test ids, TOML keys)."""
        parts = ["dynamic" if self.dynamic_shape else "implicit"]
        if self.no_grappler:
            parts.append("nograppler")
        if self.precision != "FP32":
            parts.append(self.precision.lower())
        return "-".join(parts)

    def target(self) -> Target:
        """trtlint's side: profile tf2 with the defaults TF-TRT's converter uses
        (dynamic engines, minimum_segment_size 3, at most 20 engines, INT8 calibration)."""
        return make_target("tf2", self.precision, dynamic_shape=self.dynamic_shape,
                           grappler="none" if self.no_grappler else "builtin")

    def oracle_flags(self, outputs: Optional[Sequence[str]] = None,
                     signature: Optional[str] = None) -> dict:
        """The oracle's side of the same question."""
        flags: dict = {"precision": self.precision, "dynamic_shape": self.dynamic_shape,
                       "no_grappler": self.no_grappler}
        if outputs:
            flags["outputs"] = list(outputs)
        if signature:
            flags["signature"] = signature
        return flags

    def cli_args(self) -> list[str]:
        """The same setting as ``trtlint analyze`` flags."""
        args = ["--profile", "tf2", "--precision", self.precision]
        if self.dynamic_shape:
            args.append("--dynamic-shape")
        if self.no_grappler:
            args.append("--no-grappler")
        return args


#: implicit batch and dynamic shape, with and without grappler: every model runs these
BASE_CONFIGS = tuple(Config(dynamic_shape=d, no_grappler=g) for d in (False, True) for g in (False, True))
#: reduced precision, with grappler, in both batch modes: run on a subset of the models
PRECISION_CONFIGS = tuple(Config(dynamic_shape=d, precision=p)
                          for p in ("FP16", "INT8") for d in (False, True))
ALL_CONFIGS = BASE_CONFIGS + PRECISION_CONFIGS
BY_NAME = {config.name: config for config in ALL_CONFIGS}
