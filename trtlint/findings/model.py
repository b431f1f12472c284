"""A finding: one thing a lint rule has to say about a model."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

SEVERITIES = ("error", "warning", "info")
SEVERITY_RANK = {"error": 3, "warning": 2, "info": 1}


@dataclass
class Finding:
    rule: str                       # stable id, e.g. "TRT101"
    severity: str                   # "error" | "warning" | "info"
    message: str
    node: Optional[str] = None      # the node it is about (None: the whole model)
    fix: Optional[str] = None
    segment: Optional[str] = None   # the engine it concerns, if any
    data: dict[str, Any] = field(default_factory=dict)  # machine-readable details

    @property
    def rank(self) -> int:
        return SEVERITY_RANK.get(self.severity, 0)

    @property
    def scope(self) -> str:
        """The node's name scope (for grouping), '' for model-level findings."""
        return self.node.rpartition("/")[0] if self.node else ""

    def fingerprint(self) -> str:
        """Stable identity for baselines: rule + node + message."""
        return f"{self.rule}|{self.node or ''}|{self.message}"

    def to_json(self) -> dict[str, Any]:
        out = {"rule": self.rule, "severity": self.severity, "node": self.node,
               "message": self.message, "fix": self.fix}
        if self.segment:
            out["segment"] = self.segment
        if self.data:
            out["data"] = self.data
        return out
