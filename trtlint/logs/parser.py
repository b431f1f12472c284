"""The entry points: :func:`parse_log` (text -> :class:`LogReport`) and :func:`read_log`
(a file, with the checks that turn a wrong file into one clear error)."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Optional, Union

from ..errors import InputError
from .engines import build_engines
from .events import EventCollector, is_complete_message
from .facts import build_facts
from .model import Crash, LogEvent, LogReport, NotCandidate, SegmentDump, UnconvertedOps
from .reader import decode, logical_lines

NOT_A_TFTRT_LOG = "no TF-TRT messages found: this does not look like a TF-TRT log"


def parse_log(text: str) -> LogReport:
    """Parse the text of a TF-TRT log (any era, any excerpt; unrelated lines are skipped).

    Never raises on odd input: a text with no TF-TRT message gives a report whose
    :attr:`LogReport.is_tftrt_log` is false."""
    collector = EventCollector()
    lines = logical_lines(text, is_complete_message)
    for line in lines:
        collector.feed(line)
    events = collector.events
    return LogReport(
        facts=build_facts(events),
        events=events,
        era=collector.era(),
        engines=build_engines(events),
        unconverted=_unconverted(events),
        candidate_segments=_last_field(events, "candidate_segments", "count"),
        segments=[SegmentDump(e.fields["segment"], e.fields["parent"],
                              [(n["op_type"], n["name"]) for n in e.fields["nodes"]], e.line)
                  for e in events if e.kind == "segment_nodes"],
        not_candidates=[NotCandidate(e.fields["op_type"], e.fields["op_name"],
                                     e.fields["reason"])
                        for e in events if e.kind == "not_candidate"],
        validation_failures=[e.message for e in events if e.kind == "validation_failed"],
        crashes=[Crash(e.kind, e.fields["text"], e.line) for e in events
                 if e.kind in ("check_failed", "crash_marker")],
        tensorrt_versions=_tensorrt_versions(events),
        line_count=lines[-1].number if lines else 0,
        tftrt_lines=collector.tftrt_lines,
    )


def _last_field(events: list[LogEvent], kind: str, field: str) -> Optional[int]:
    for ev in reversed(events):
        if ev.kind == kind:
            return ev.fields[field]
    return None


def _unconverted(events: list[LogEvent]) -> Optional[UnconvertedOps]:
    """The last report of unconverted ops (a log may hold several conversions; the last
    is the one that produced the saved graph)."""
    for ev in reversed(events):
        f = ev.fields
        if ev.kind == "unconverted_summary":
            return UnconvertedOps(f["count"], f["type_count"], list(f["types"]), "summary")
        if ev.kind == "op_report":
            ops = f["ops"]
            reasons = {o["op"]: [(r["count"], r["reason"]) for r in o["reasons"]]
                       for o in ops if o["reasons"]}
            return UnconvertedOps(
                f["total_ops"], f["total_types"], [o["op"] for o in ops], "op_report",
                per_type={o["op"]: o["count"] for o in ops} if ops else None,
                reasons=reasons or None)
    return None


def _tensorrt_versions(events: list[LogEvent]) -> dict[str, str]:
    out: dict[str, str] = {}
    for ev in events:
        f = ev.fields
        if ev.kind == "tensorrt_version":
            out[f["which"].lower().replace(" ", "_")] = f["version"]
        elif ev.kind == "tensorrt_mismatch":
            out["compiled"] = f["compiled"]
            out["loaded"] = f["loaded"]
        elif ev.kind == "library_loaded" and f["library"].startswith("libnvinfer.so"):
            out.setdefault("library", f["library"])
    return out


# -- files --------------------------------------------------------------------------------

def _looks_binary(data: bytes) -> bool:
    """NUL bytes (outside UTF-16) or many control characters: a .pb, an image, a tarball."""
    sample = data[:65536]
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls > max(8, len(sample) // 100)


def read_log(path: Union[str, Path]) -> LogReport:
    """Read and parse a log file (plain or gzip-compressed).

    Raises :class:`~trtlint.errors.InputError` for a missing, unreadable, empty or binary
    file, and for a text file without a single TF-TRT message."""
    path = Path(path)
    if not path.exists():
        raise InputError("no such file", path)
    if path.is_dir():
        raise InputError("is a directory, not a log file", path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", path) from None
    return parse_log_bytes(data, str(path))


def parse_log_bytes(data: bytes, name: str = "<stdin>") -> LogReport:
    """:func:`read_log` for bytes already read (a pipe, an upload); ``name`` is what error
    messages call them."""
    if data.startswith(b"\x1f\x8b"):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise InputError(f"corrupt gzip file: {exc}", name) from None
    if not data.strip():
        raise InputError("the file is empty", name)
    if _looks_binary(data):
        raise InputError("binary file, not a text log (expected the text TF-TRT printed)",
                         name)
    report = parse_log(decode(data))
    if not report.is_tftrt_log:
        raise InputError(NOT_A_TFTRT_LOG, name)
    return report
