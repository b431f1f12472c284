"""Lint rules with stable ids over an Analysis, and the findings they produce."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Optional

from .base import FAMILIES, Rule, all_rules, rule_by_id
from .model import SEVERITIES, SEVERITY_RANK, Finding

if TYPE_CHECKING:
    from ..analysis import Analysis

__all__ = ["Finding", "Rule", "all_rules", "rule_by_id", "run_rules", "SEVERITIES",
           "SEVERITY_RANK", "FAMILIES"]


def run_rules(analysis: "Analysis", select: Optional[Iterable[str]] = None,
              ignore: Iterable[str] = ()) -> list[Finding]:
    """Run the selected rules (default: all) and return findings, worst first."""
    chosen = {s.upper() for s in select} if select else None
    skip = {s.upper() for s in ignore}
    out: list[Finding] = []
    for cls in all_rules():
        if chosen is not None and not any(cls.id.startswith(c) for c in chosen):
            continue
        if any(cls.id.startswith(s) for s in skip):
            continue
        out.extend(cls().check(analysis))
    out.sort(key=lambda f: (-f.rank, f.rule, f.node or ""))
    return out
