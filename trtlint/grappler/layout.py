"""The generic layout optimizer (placeholder until implemented)."""

from __future__ import annotations

from .ops import OpInfo
from .workgraph import WorkGraph


def optimize_layout(graph: WorkGraph, preserve: set[str], info: OpInfo,
                    changes: list[str]) -> WorkGraph:
    return graph
