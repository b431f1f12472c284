"""What a target GPU offers TensorRT for reduced precision (``--gpu``).

The data lives in ``rules/gpus.toml``: compute capabilities with their FP16/INT8 speed
and Tensor Cores, and product names mapped to a compute capability.  ``gpu_info``
accepts a product name ("V100", "GeForce GTX 1080", "Tesla T4"), ``sm_75``,
``compute_75`` or ``7.5``; anything else is a usage error that lists the known names.

Why it matters (the seed article): FP16 on a GTX 1080 runs at 1/64 of the FP32 rate, so
asking TF-TRT for FP16 there cannot give the 2x the user expected, and INT8 Tensor Cores
only pay off when channel counts are multiples of 32.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from .errors import UsageError
from .rules_data import load_toml

GPUS_FILE = "gpus.toml"
#: words product names carry that say nothing about the chip
_VENDOR_WORDS = ("nvidia", "geforce", "tesla", "quadro")
_CC_PATTERN = re.compile(r"^(?:sm_?|compute_?)?(\d)\.?(\d)$")


@dataclass(frozen=True)
class GpuInfo:
    """One target GPU and what TensorRT can do with reduced precision on it."""

    query: str                 # what the user wrote
    product: str               # product family name, or "sm_XY" for a bare capability
    compute_capability: str    # "7.5"
    architecture: str
    fp16_fast: bool
    int8_fast: bool
    fp16_tensor_cores: bool
    int8_tensor_cores: bool
    fp16_alignment: Optional[int]   # channel multiple Tensor Cores need in FP16
    int8_alignment: Optional[int]   # ... in INT8
    note: str

    @property
    def sm(self) -> str:
        return "sm_" + self.compute_capability.replace(".", "")

    def label(self) -> str:
        """``"GTX1080 (sm_61, Pascal GP102/GP104/...)"``: how findings name the GPU."""
        return f"{self.query} ({self.sm}, {self.architecture})"

    def fast(self, precision: str) -> bool:
        """Whether ``precision`` runs faster than FP32 on this GPU."""
        if precision == "FP16":
            return self.fp16_fast
        if precision == "INT8":
            return self.int8_fast
        return True

    def tensor_cores(self, precision: str) -> bool:
        if precision == "FP16":
            return self.fp16_tensor_cores
        if precision == "INT8":
            return self.int8_tensor_cores
        return False

    def alignment(self, precision: str) -> Optional[int]:
        if precision == "FP16" and self.fp16_tensor_cores:
            return self.fp16_alignment
        if precision == "INT8" and self.int8_tensor_cores:
            return self.int8_alignment
        return None


def normalise_name(name: str) -> str:
    """``"NVIDIA GeForce GTX-1080 Ti" -> "gtx1080ti"`` (letters and digits only)."""
    text = name.lower()
    for word in _VENDOR_WORDS:
        text = text.replace(word, "")
    return re.sub(r"[^a-z0-9]", "", text)


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, dict], list[tuple[str, dict]]]:
    raw = load_toml(GPUS_FILE)
    arches = {entry["cc"]: entry for entry in raw.get("arch", [])}
    aliases: list[tuple[str, dict]] = []
    for entry in raw.get("gpu", []):
        for alias in entry.get("names", []):
            aliases.append((normalise_name(alias), entry))
    # Longest alias first, so "a100..." is not read as "a10" and "l40" not as "l4".
    aliases.sort(key=lambda item: -len(item[0]))
    return arches, aliases


def known_gpu_names() -> list[str]:
    """A short list of accepted names for error messages and help."""
    return list(load_toml(GPUS_FILE).get("examples", []))


def _arch_for(cc: str) -> Optional[dict]:
    """The [[arch]] entry for ``cc``, else the nearest lower one of the same major."""
    arches, _ = _tables()
    if cc in arches:
        return arches[cc]
    major, minor = (int(x) for x in cc.split("."))
    same_major = [c for c in arches if int(c.split(".")[0]) == major
                  and int(c.split(".")[1]) <= minor]
    if not same_major:
        return None
    return arches[max(same_major, key=lambda c: int(c.split(".")[1]))]


def _info(query: str, product: str, cc: str) -> GpuInfo:
    arch = _arch_for(cc)
    if arch is None:
        raise UsageError(f"--gpu {query}: compute capability {cc} is not in trtlint's table "
                         f"(known: {', '.join(sorted(_tables()[0]))})")
    return GpuInfo(query=query, product=product, compute_capability=cc,
                   architecture=arch.get("architecture", ""),
                   fp16_fast=bool(arch.get("fp16_fast")), int8_fast=bool(arch.get("int8_fast")),
                   fp16_tensor_cores=bool(arch.get("fp16_tensor_cores")),
                   int8_tensor_cores=bool(arch.get("int8_tensor_cores")),
                   fp16_alignment=arch.get("fp16_alignment"),
                   int8_alignment=arch.get("int8_alignment"), note=arch.get("note", ""))


def gpu_info(name: str) -> GpuInfo:
    """Look up a GPU by product name or compute capability (UsageError when unknown)."""
    query = name.strip()
    cc_match = _CC_PATTERN.match(query.lower())
    if cc_match:
        cc = f"{cc_match.group(1)}.{cc_match.group(2)}"
        return _info(query, f"sm_{cc_match.group(1)}{cc_match.group(2)}", cc)
    key = normalise_name(query)
    if key:
        _, aliases = _tables()
        for alias, entry in aliases:
            if key == alias:
                return _info(query, entry["product"], entry["cc"])
        for alias, entry in aliases:
            if key.startswith(alias):
                return _info(query, entry["product"], entry["cc"])
    raise UsageError(f"unknown GPU '{name}'; use a name such as "
                     f"{', '.join(known_gpu_names())}, or a compute capability (sm_75, 7.5)")
