"""What a parsed TF-TRT log is made of: events (one per recognised message) and the typed
summary other code consumes (:class:`LogReport`).

Nothing here parses text; :mod:`trtlint.logs.parser` fills these structures in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

#: Schema id of ``trtlint logs --format json``.
LOG_SCHEMA = "trtlint.log/1"

#: Values of :attr:`EngineRecord.status`.
ENGINE_STATUSES = ("succeeded", "failed", "replaced", "cannot_replace", "dropped")


@dataclass
class LogEvent:
    """One recognised message of the log.

    ``line`` is the 1-based number of the physical line the message starts on (after a
    copy-and-paste re-wrap is undone, still the number of its first piece). ``level`` is
    ``info|warning|error|fatal`` when the line carries a log prefix, else ``None``.
    ``source`` is the ``file.cc:123`` that printed it, when printed.
    ``kind`` names the message family (see :mod:`trtlint.logs.patterns`); ``fields`` holds
    what was parsed out of it. ``message`` is the message text without its log prefix.
    """

    line: int
    kind: str
    fields: dict[str, Any]
    message: str
    level: Optional[str] = None
    source: Optional[str] = None
    time: Optional[str] = None
    #: the message carries TF-TRT's own "TF-TRT Warning:" marker
    tf_trt_warning: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"line": self.line, "level": self.level, "source": self.source,
                "time": self.time, "kind": self.kind, "message": self.message,
                "fields": self.fields}


@dataclass
class EngineRecord:
    """What the log says about one TRTEngineOp (or a segment that did not become one).

    ``status``:
      - ``succeeded``: "TensorRT node X added for segment N ... succeeded" (TF 1.x - 2.0),
        the contrib "Engine X creation ... succeeded" or "finished engine X";
      - ``failed``: the engine could not be built at conversion time; TF runs the segment
        (``fallback_to_tf``);
      - ``replaced``: "Replaced segment N ... by X" (TF 2.1+, engines built lazily);
      - ``cannot_replace``: "Cannot replace segment N ..." (TF 2.1+, segment kept in TF);
      - ``dropped``: the segmenter discarded the segment before conversion (too few
        effective nodes, or not among the TF_TRT_MAX_ALLOWED_ENGINES largest).
    """

    name: Optional[str]
    segment: Optional[int]
    nodes: Optional[int]
    status: str
    reason: Optional[str] = None
    fallback_to_tf: bool = False
    #: node names of the segment when the log lists them ("Segment consists of nodes:"),
    #: plus the constants TF-TRT copied into the segment ("Adding const node ...")
    node_names: Optional[list[str]] = None
    #: constants copied into the segment from outside it
    const_nodes: list[str] = field(default_factory=list)
    #: a runtime message says this engine failed and its native segment ran instead
    runtime_fallback: bool = False
    #: 1-based line of the message the record comes from
    line: Optional[int] = None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "segment": self.segment, "nodes": self.nodes,
                "status": self.status, "reason": self.reason,
                "fallback_to_tf": self.fallback_to_tf, "node_names": self.node_names,
                "const_nodes": self.const_nodes, "runtime_fallback": self.runtime_fallback,
                "line": self.line}


@dataclass
class UnconvertedOps:
    """The ops TF-TRT reports as not converted, whichever way the log prints them.

    ``source`` is ``"summary"`` for the one-line "There are N ops of M different types ..."
    (TF 1.x - 2.7) and ``"op_report"`` for the multi-line "TensorRT unsupported/non-converted
    OP Report" (TF 2.8+). ``per_type`` (op -> count) and ``reasons`` (op -> [(count,
    reason)], only with TF_TRT_SHOW_DETAILED_REPORT=1) come from the OP report only.
    """

    count: Optional[int]
    type_count: Optional[int]
    types: list[str]
    source: str
    per_type: Optional[dict[str, int]] = None
    reasons: Optional[dict[str, list[tuple[int, str]]]] = None


@dataclass
class SegmentDump:
    """A verbose "Nodes in segment N with parent=P:" dump and its "[Op type: T] name" lines.

    ``index``/``parent`` are ``None`` for node lines whose header is not in the log.
    Segment numbers here are the segmenter's working numbers, not engine numbers."""

    index: Optional[int]
    parent: Optional[str]
    nodes: list[tuple[str, str]]          # (op type, node name)
    line: int = 0

    @property
    def node_names(self) -> list[str]:
        return [name for _, name in self.nodes]


@dataclass
class NotCandidate:
    """A verbose "Not a TF-TRT candidate, (Op type: T), (Op name: N), (Reason: R)" line."""

    op_type: str
    op_name: str
    reason: str


@dataclass
class Crash:
    """A sign the process died: a failed CHECK, a shell's "Aborted"/"Segmentation fault",
    a debugger's signal line."""

    kind: str                              # "check_failed" | "crash_marker"
    text: str
    line: int


@dataclass
class LogReport:
    """Everything trtlint read from one TF-TRT log.

    ``facts`` has exactly the keys and value shapes of the corpus sidecars
    (``corpus/logs/*.json``); the other attributes are the typed view of the same events.
    """

    facts: dict[str, Any]
    events: list[LogEvent]
    era: Optional[str]                     # "contrib" | "tf2tensorrt" | None
    engines: list[EngineRecord]
    unconverted: Optional[UnconvertedOps]
    candidate_segments: Optional[int]
    segments: list[SegmentDump]
    not_candidates: list[NotCandidate]
    validation_failures: list[str]
    crashes: list[Crash]
    #: "linked"/"loaded"/"compiled"/"library" -> version text, as the log states them
    tensorrt_versions: dict[str, str] = field(default_factory=dict)
    #: number of physical lines read
    line_count: int = 0
    #: how many lines were recognisably printed by TF-TRT (0 means: not a TF-TRT log)
    tftrt_lines: int = 0

    @property
    def is_tftrt_log(self) -> bool:
        return self.tftrt_lines > 0

    def engines_with_status(self, *statuses: str) -> list[EngineRecord]:
        return [e for e in self.engines if e.status in statuses]

    def to_json(self) -> dict[str, Any]:
        """The ``trtlint.log/1`` document of DESIGN.md."""
        return {"schema": LOG_SCHEMA, "facts": self.facts,
                "events": [e.to_json() for e in self.events]}
