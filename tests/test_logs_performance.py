"""A 50 MB verbose TF 2.17 log parses in seconds, and time grows linearly with size.

The log is the real verbose oracle logs repeated (every line a TF-TRT VLOG message, the
worst case: each one becomes an event). CPU time is measured, not wall time, so a busy
machine does not fail the test; the bound is generous (measured: about 5 s of CPU on the
development machine)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from trtlint.logs import parse_log

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "logs"


def _verbose_log(megabytes: float) -> str:
    base = "".join((FIXTURES / name).read_text(encoding="utf-8") for name in (
        "tf217_gru_unrolled_max_engines.log", "tf217_face_detector_const_copies.log"))
    return base * (int(megabytes * 1_000_000) // len(base) + 1)


def _cpu_seconds(text: str) -> tuple[float, int]:
    start = time.process_time()
    report = parse_log(text)
    return time.process_time() - start, len(report.engines)


@pytest.mark.slow
def test_fifty_megabytes_in_seconds():
    text = _verbose_log(50)
    assert len(text) >= 50_000_000
    seconds, engines = _cpu_seconds(text)
    repeats = text.count("Number of TensorRT candidate segments")
    assert engines > 0 and repeats > 100
    assert seconds < 20, f"{seconds:.1f} s of CPU for {len(text) / 1e6:.0f} MB"


@pytest.mark.slow
def test_time_grows_linearly():
    small, _ = _cpu_seconds(_verbose_log(2))
    large, _ = _cpu_seconds(_verbose_log(20))
    assert large < 10 * small * 2.5, (small, large)    # 10x the text, far from 100x the time
