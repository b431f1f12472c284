"""Messages about the surroundings of a conversion: grappler's per-optimizer results,
GPUs and devices, TensorRT's own logger, TensorRT versions, failed CHECKs."""

from __future__ import annotations

import re

from ..patterns import Fields, groups, ints, nothing, pattern


def _version(text: str) -> str:
    """"7.1.3" stays; Python's tuple form "(7, 1, 3)" becomes "7.1.3"."""
    text = text.strip().rstrip(".")
    tup = re.fullmatch(r"\(\s*(\d+(?:\s*,\s*\d+)*)\s*,?\s*\)", text)
    if tup:
        return ".".join(x.strip() for x in tup.group(1).split(","))
    return text


def _version_line(which: str):
    def extract(m: re.Match[str]) -> Fields:
        return {"which": which, "version": _version(m.group("version"))}
    return extract


PATTERNS = (
    pattern("grappler_item", r"Optimization results for grappler item: (?P<item>.*?)\s*$",
            groups(item=str), tftrt=False),
    pattern("grappler_result",
            r"^(?P<optimizer>[^:]+?): Graph size after: (?P<nodes_after>\d+) nodes "
            r"\((?P<delta>[-+]?\d+)\), (?P<edges_after>\d+) edges \((?P<edges_delta>[-+]?\d+)\)",
            groups(optimizer=str, nodes_after=int, delta=int, edges_after=int,
                   edges_delta=int),
            needle=": Graph size after:", tftrt=False),
    pattern("grappler_did_nothing", r"^(?P<optimizer>[^:]+?): .*? did nothing\.",
            groups(optimizer=str), needle=" did nothing", tftrt=False),
    pattern("eligible_gpus",
            r"Number of eligible GPUs \(core count >= \d+(?:, compute capability >= "
            r"[\d.]+)?\): (?P<count>\d+)", ints("count"), tftrt=False),
    pattern("trt_logger", r"DefaultLogger\s*(?P<text>.*)$", groups(text=str)),
    pattern("tensorrt_version", r"Linked TensorRT version:?\s*(?P<version>.+)$",
            _version_line("Linked")),
    pattern("tensorrt_version", r"Loaded TensorRT version:?\s*(?P<version>.+)$",
            _version_line("Loaded")),
    pattern("tensorrt_version", r"Running against TensorRT version:?\s*(?P<version>.+)$",
            _version_line("Running against")),
    pattern("tensorrt_mismatch",
            r"TensorRT mismatch\. Compiled against version (?P<compiled>[^\s,]+), but "
            r"loaded (?P<loaded>[^\s,]+?)\.?(?:\s|$)", groups(compiled=str, loaded=str)),
    pattern("library_loaded",
            r"Successfully opened dynamic library (?P<library>libnv\w*\.so[.\d]*)",
            groups(library=str), tftrt=False),
    pattern("no_tf_gpus", r"Could not find any TF GPUs", nothing),
    pattern("cant_identify_cuda_device", r"Can't identify the cuda device", nothing),
    pattern("cant_find_gpu_device", r"Can't find a GPU device to work with", nothing,
            era="contrib"),
    pattern("cant_determine_device_allocator",
            r"Can't determine the device, constructing an allocator at device (?P<device>\d+)",
            ints("device"), era="contrib"),
    pattern("check_failed", r"Check failed: .*$", lambda m: {"text": m.group(0).strip()},
            needle="Check failed:", tftrt=False),
)
