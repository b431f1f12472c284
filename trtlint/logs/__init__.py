"""Parse TF-TRT logs: every era from tensorflow/contrib/tensorrt (TF 1.7 - 1.13) to
tensorflow/compiler/tf2tensorrt (TF 1.14 - 2.17), conversion and runtime messages.

    >>> from trtlint.logs import parse_log
    >>> report = parse_log(open("convert.log").read())          # doctest: +SKIP
    >>> [(e.name, e.status) for e in report.engines]            # doctest: +SKIP

``report.facts`` has the shape of the corpus sidecars (the ``trtlint.log/1`` JSON);
``report.engines``, ``report.unconverted`` etc. are the typed view ``crosscheck`` uses.
Pipeline: :mod:`.reader` (lines, prefixes, re-wraps) -> :mod:`.events` (messages, via
:mod:`.messages` and :mod:`.blocks`) -> :mod:`.facts` / :mod:`.engines`.
"""

from .model import (LOG_SCHEMA, Crash, EngineRecord, LogEvent, LogReport, NotCandidate,
                    SegmentDump, UnconvertedOps)
from .parser import NOT_A_TFTRT_LOG, parse_log, parse_log_bytes, read_log

__all__ = ["LOG_SCHEMA", "NOT_A_TFTRT_LOG", "Crash", "EngineRecord", "LogEvent", "LogReport",
           "NotCandidate", "SegmentDump", "UnconvertedOps", "parse_log", "parse_log_bytes",
           "read_log"]
