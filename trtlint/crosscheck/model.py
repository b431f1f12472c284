"""The two sides of a cross-check and its result, as plain data.

- :class:`Prediction`: what trtlint predicted (built from an Analysis by
  :func:`trtlint.crosscheck.sides.prediction_from_analysis`);
- :class:`Actual`: what a TF-TRT log says happened (from a LogReport by
  :func:`trtlint.crosscheck.sides.actual_from_log`);
- :class:`Crosscheck`: the comparison (``trtlint.crosscheck/1`` JSON).

Keeping the sides as small records makes the comparison a pure function that unit tests
can feed by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

SCHEMA = "trtlint.crosscheck/1"
#: Statuses of log engines that mean "TF-TRT made an engine of it".
CONVERTED = ("succeeded", "replaced")
#: Statuses of log engines that reached conversion and failed (the segment stays in TF).
FAILED = ("failed", "cannot_replace")


@dataclass
class PredictedEngine:
    name: str
    index: int
    nodes: frozenset[str]
    will_build: bool = True
    reason: Optional[str] = None


@dataclass
class Prediction:
    engines: list[PredictedEngine]
    unconverted_count: Optional[int]
    unconverted_by_type: dict[str, int]
    candidate_segments: Optional[int]
    #: every node name the model and its analysed graph know (to align and vet log names)
    known_nodes: frozenset[str]
    target: dict[str, Any] = field(default_factory=dict)


@dataclass
class ActualEngine:
    """One segment the log says reached conversion (an engine, or a failed attempt)."""

    name: Optional[str]
    segment: Optional[int]
    size: Optional[int]                      # "consisting of M nodes"
    status: str                              # succeeded|replaced|failed|cannot_replace|dump
    nodes: Optional[frozenset[str]] = None   # members, when the log lists them
    reason: Optional[str] = None
    runtime_fallback: bool = False
    line: Optional[int] = None

    @property
    def converted(self) -> bool:
        return self.status in CONVERTED and not self.runtime_fallback


@dataclass
class Actual:
    engines: list[ActualEngine]
    unconverted_count: Optional[int]
    unconverted_types: Optional[list[str]]
    unconverted_by_type: Optional[dict[str, int]]
    candidate_segments: Optional[int]
    #: node names the log mentions (segment members, rejected candidates)
    mentioned_nodes: frozenset[str]
    era: Optional[str] = None
    #: where the node lists come from: "engines" (Segment consists of nodes), "dumps"
    #: (segmenter VLOG dumps), or None
    node_lists: Optional[str] = None
    dropped_segments: int = 0
    crashes: list[str] = field(default_factory=list)


@dataclass
class EngineMatch:
    predicted: Optional[PredictedEngine]
    actual: Optional[ActualEngine]
    #: node-set measures (None when compared by size)
    jaccard: Optional[float] = None
    precision: Optional[float] = None
    recall: Optional[float] = None
    #: min/max of the two sizes (always, when both exist)
    size_similarity: Optional[float] = None
    missing: list[str] = field(default_factory=list)   # actual members not predicted
    extra: list[str] = field(default_factory=list)     # predicted members not in the engine
    by: str = "nodes"                                  # "nodes" | "index" | "size"

    @property
    def similarity(self) -> float:
        if self.predicted is None or self.actual is None:
            return 0.0
        if self.jaccard is not None:
            return self.jaccard
        return self.size_similarity or 0.0

    def to_json(self, limit: int = 50) -> dict[str, Any]:
        p, a = self.predicted, self.actual
        return {
            "predicted": None if p is None else {
                "name": p.name, "nodes": len(p.nodes), "will_build": p.will_build,
                "reason": p.reason},
            "actual": None if a is None else {
                "name": a.name, "segment": a.segment, "nodes": a.size if a.nodes is None
                else len(a.nodes), "status": a.status, "reason": a.reason,
                "runtime_fallback": a.runtime_fallback, "line": a.line},
            "matched_by": self.by, "jaccard": _round(self.jaccard),
            "precision": _round(self.precision), "recall": _round(self.recall),
            "size_similarity": _round(self.size_similarity),
            "missing": self.missing[:limit], "missing_count": len(self.missing),
            "extra": self.extra[:limit], "extra_count": len(self.extra),
        }


@dataclass
class UnconvertedComparison:
    predicted_count: Optional[int]
    actual_count: Optional[int]
    predicted_types: list[str]
    actual_types: list[str]
    types_jaccard: float
    missing_types: list[str]            # reported by TF-TRT, not predicted
    extra_types: list[str]              # predicted, not reported
    count_differences: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def count_similarity(self) -> Optional[float]:
        if self.predicted_count is None or self.actual_count is None:
            return None
        high = max(self.predicted_count, self.actual_count)
        return 1.0 if high == 0 else min(self.predicted_count, self.actual_count) / high

    def to_json(self) -> dict[str, Any]:
        return {"predicted": {"count": self.predicted_count, "types": self.predicted_types},
                "actual": {"count": self.actual_count, "types": self.actual_types},
                "types_jaccard": _round(self.types_jaccard),
                "count_similarity": _round(self.count_similarity),
                "missing_types": self.missing_types, "extra_types": self.extra_types,
                "count_differences": {k: {"predicted": p, "actual": a}
                                      for k, (p, a) in self.count_differences.items()}}


@dataclass
class Crosscheck:
    method: str                          # "node_sets" | "counts" | "none"
    matches: list[EngineMatch]
    membership: Optional[dict[str, float]]
    unconverted: Optional[UnconvertedComparison]
    build_agreement: Optional[tuple[int, int]]      # (agreeing pairs, compared pairs)
    candidate_segments: tuple[Optional[int], Optional[int]]
    name_alignment: dict[str, Any]
    components: dict[str, float]
    score: Optional[float]
    tolerance: float
    verdict: str                         # "agree" | "disagree" | "inconclusive"
    verdict_line: str
    notes: list[str] = field(default_factory=list)
    model: Optional[str] = None
    log: Optional[str] = None
    target: dict[str, Any] = field(default_factory=dict)

    @property
    def disagreement(self) -> Optional[float]:
        return None if self.score is None else 1.0 - self.score

    @property
    def exceeds_tolerance(self) -> bool:
        return self.disagreement is not None and self.disagreement > self.tolerance + 1e-12

    def pairs(self) -> list[EngineMatch]:
        return [m for m in self.matches if m.predicted is not None and m.actual is not None]

    def to_json(self) -> dict[str, Any]:
        agree = self.build_agreement
        return {
            "schema": SCHEMA, "model": self.model, "log": self.log, "target": self.target,
            "method": self.method,
            "engines": {
                "predicted": sum(1 for m in self.matches if m.predicted is not None),
                "actual": sum(1 for m in self.matches if m.actual is not None),
                "matched": len(self.pairs()),
                "matches": [m.to_json() for m in self.matches],
            },
            "membership": None if self.membership is None else
            {k: _round(v) for k, v in self.membership.items()},
            "unconverted": None if self.unconverted is None else self.unconverted.to_json(),
            "build": None if agree is None else {"agree": agree[0], "compared": agree[1]},
            "candidate_segments": {"predicted": self.candidate_segments[0],
                                   "actual": self.candidate_segments[1]},
            "name_alignment": self.name_alignment,
            "components": {k: _round(v) for k, v in self.components.items()},
            "score": _round(self.score), "disagreement": _round(self.disagreement),
            "tolerance": self.tolerance, "verdict": self.verdict,
            "verdict_line": self.verdict_line, "notes": self.notes,
        }


def _round(value: Optional[float]) -> Optional[float]:
    return None if value is None else round(value, 4)
