"""Logical lines -> the ordered list of recognised messages (:class:`LogEvent`).

Most messages are one line and are recognised on their own (:mod:`trtlint.logs.messages`).
A little state connects the rest:

- the grappler item whose results are being listed ("Optimization results for grappler
  item: X" is printed once, then one line per optimizer);
- the open segment dump ("Nodes in segment N with parent=P:" + "[Op type: T] name" lines);
- the open OP report (header, "- Op -> Nx", "- [Count: Nx] reason", totals);
- the last prefixed line, whose level and source the prefix-less lines of a multi-line
  message inherit (TF prints one message over several lines; only the first is prefixed).

It also counts the evidence that the file is a TF-TRT log and the era votes.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any, Optional

from .blocks import match_block_line, match_crash
from .messages import TABLE
from .model import LogEvent
from .patterns import TFTRT_WARNING_MARK, strip_tftrt_mark
from .reader import LogLine

#: markers that tie a generic TensorFlow message to TF-TRT
_TRT_WORDS = ("TRTEngineOp", "TF-TRT", "TensorRT", "my_trt_op", "tensorrt", "_native_segment")

# Engine names tell the era too: contrib named engines "my_trt_op<N>" (2018), TF 2.1+
# names them "TRTEngineOp_<graph>_<segment>".
_CONTRIB_NAME = re.compile(r"\bmy_trt_op_?\d")
_TF2_NAME = re.compile(r"\bTRTEngineOp_\d+_\d+")


def era_of_names(fields: dict[str, Any]) -> Optional[str]:
    """The era an engine or grappler-item name in ``fields`` belongs to, if it tells."""
    for key in ("name", "item"):
        value = fields.get(key)
        if isinstance(value, str):
            if _CONTRIB_NAME.search(value):
                return "contrib"
            if _TF2_NAME.search(value):
                return "tf2tensorrt"
    return None


def _mentions_trt(text: Optional[str]) -> bool:
    return bool(text) and any(w in text for w in _TRT_WORDS)        # type: ignore[operator]


def era_of_source(source: Optional[str]) -> Optional[str]:
    """"contrib" for tensorflow/contrib/tensorrt/..., "tf2tensorrt" for
    tensorflow/compiler/tf2tensorrt/..., else None."""
    if not source:
        return None
    path = source.replace("\\", "/")
    if "contrib/tensorrt/" in path:
        return "contrib"
    if "tf2tensorrt/" in path:
        return "tf2tensorrt"
    return None


def is_complete_message(message: str) -> bool:
    """Is this message recognised, and finished, as it stands? The reader asks, to tell a
    message cut by a re-wrap from one followed by an unrelated line."""
    body, _ = strip_tftrt_mark(message)
    found = TABLE.match(body)
    if found is not None:
        ends = found.pattern.ends
        return ends is None or ends.search(body) is not None
    return match_block_line(body) is not None or match_crash(body) is not None


class EventCollector:
    """Feed logical lines in order; read :attr:`events`, :attr:`tftrt_lines`,
    :meth:`era` afterwards."""

    def __init__(self) -> None:
        self.events: list[LogEvent] = []
        self.tftrt_lines = 0
        self.path_votes: Counter[str] = Counter()
        self.wording_votes: Counter[str] = Counter()
        self._grappler_item: Optional[str] = None
        self._head: Optional[LogLine] = None        # last prefixed line, while its message lasts
        self._dump: Optional[LogEvent] = None
        self._report: Optional[LogEvent] = None

    # -- driving ----------------------------------------------------------------------

    def feed(self, line: LogLine) -> None:
        if line.prefixed:
            self._feed_prefixed(line)
        else:
            self._feed_bare(line)

    def era(self) -> Optional[str]:
        """The file paths decide when printed; otherwise era-specific wording does."""
        for votes in (self.path_votes, self.wording_votes):
            if votes:
                ranked = votes.most_common()
                if len(ranked) == 1 or ranked[0][1] > ranked[1][1]:
                    return ranked[0][0]
        return None

    # -- prefixed lines ---------------------------------------------------------------

    def _feed_prefixed(self, line: LogLine) -> None:
        self._head = line
        self._dump = None
        self._report = None
        path_era = era_of_source(line.source)
        if path_era:
            self.path_votes[path_era] += 1
        body, marked = strip_tftrt_mark(line.message)
        if not body:
            return                                  # a multi-line message starts below
        evidence = bool(path_era) or marked
        found = TABLE.match(body)
        if found is not None:
            self._emit(line, found.pattern.kind, found.fields, marked,
                       evidence or self._is_evidence(found.pattern.tftrt, body, found.fields),
                       found.pattern.era, inherit=False)
        elif marked:
            self._emit(line, "tf_trt_warning", {}, True, True, None, inherit=False)
        elif evidence:
            self.tftrt_lines += 1                   # a TF-TRT line we have no pattern for

    # -- bare lines -------------------------------------------------------------------

    def _feed_bare(self, line: LogLine) -> None:
        body = line.text.strip()
        if not body:
            return                                  # blank lines occur inside the OP report
        block = match_block_line(body)
        if block is not None:
            self._block_line(line, *block)
            return
        # without a prefix, only a line that starts with TF-TRT's marker is its message
        # (prose that quotes "TF-TRT Warning:" mid-line is not)
        marked = body.startswith(TFTRT_WARNING_MARK)
        stripped = body[len(TFTRT_WARNING_MARK):].lstrip() if marked else body
        found = TABLE.match(stripped)
        if found is not None:
            self._emit(line, found.pattern.kind, found.fields, marked,
                       marked or self._is_evidence(found.pattern.tftrt, stripped, found.fields),
                       found.pattern.era, inherit=True)
            return
        crash = match_crash(body)
        if crash is not None:
            self._emit(line, "crash_marker", {"text": crash}, False, False, None, inherit=False)
            return
        if marked:
            self._emit(line, "tf_trt_warning", {}, True, True, None, inherit=True)
            return
        # an unrelated line (a script's print, a traceback, device properties): whatever
        # multi-line message was open is over
        self._head = None
        self._dump = None
        self._report = None

    def _block_line(self, line: LogLine, kind: str, fields: dict[str, Any]) -> None:
        if kind == "decoration":
            return
        if kind == "node_line":
            if self._dump is None:                  # node lines whose header is not in the file
                self._dump = self._emit(line, "segment_nodes",
                                        {"segment": None, "parent": None, "header": False,
                                         "nodes": []},
                                        False, True, "tf2tensorrt", inherit=False)
            self._dump.fields["nodes"].append(fields)
            return
        report = self._report
        if report is None:                          # report lines whose header is not in the file
            report = self._open_report(line, header=False)
        if kind == "report_op":
            report.fields["ops"].append({"op": fields["op"], "count": fields["count"],
                                         "reasons": []})
        elif kind == "report_reason":
            if report.fields["ops"]:
                report.fields["ops"][-1]["reasons"].append(
                    {"count": fields["count"], "reason": fields["reason"]})
        elif kind == "report_total_ops":
            report.fields["total_ops"] = fields["count"]
        elif kind == "report_total_types":
            report.fields["total_types"] = fields["count"]

    def _open_report(self, line: LogLine, header: bool) -> LogEvent:
        self._report = self._emit(line, "op_report",
                                  {"header": header, "ops": [], "total_ops": None,
                                   "total_types": None},
                                  False, True, "tf2tensorrt", inherit=True)
        return self._report

    # -- events -----------------------------------------------------------------------

    def _is_evidence(self, tftrt: bool, body: str, fields: dict[str, Any]) -> bool:
        if tftrt:
            return True
        return _mentions_trt(body) or any(
            isinstance(v, str) and _mentions_trt(v) for v in fields.values())

    def _emit(self, line: LogLine, kind: str, fields: dict[str, Any], marked: bool,
              evidence: bool, era: Optional[str], *, inherit: bool) -> LogEvent:
        head = self._head if inherit else (line if line.prefixed else None)
        if kind == "grappler_item":
            self._grappler_item = fields["item"]
        elif kind in ("grappler_result", "grappler_did_nothing"):
            fields = {"item": self._grappler_item, **fields}
            evidence = evidence or _mentions_trt(self._grappler_item)
        message = line.message.strip() if line.prefixed else line.text.strip()
        event = LogEvent(line=line.number, kind=kind, fields=fields, message=message,
                         level=head.level if head else None,
                         source=head.source if head else None,
                         time=head.time if head else None, tf_trt_warning=marked)
        self.events.append(event)
        if evidence:
            self.tftrt_lines += 1
        era = era or era_of_names(fields)
        if era:
            self.wording_votes[era] += 1
        if kind == "segment_nodes_header":
            event.kind = "segment_nodes"
            event.fields = {**fields, "header": True, "nodes": []}
            self._dump = event
        elif kind == "op_report_header":
            event.kind = "op_report"
            event.fields = {"header": True, "ops": [], "total_ops": None, "total_types": None}
            self._report = event
        return event
