"""Replicas of TF-TRT's segmenter, one per profile."""

from __future__ import annotations

from typing import Callable, Optional

from ..graph.model import Graph
from ..support.decision import SupportDecision
from ..target import Target
from .model import DroppedSegment, Segment, Segmentation

__all__ = ["Segment", "DroppedSegment", "Segmentation", "segment_graph"]

#: profile -> the module replicating its segmenter
SEGMENTERS = {"tf2": "tf2", "tf1.15": "tf1", "tf1.13": "tf1"}


def segment_graph(graph: Graph, decisions: dict[str, SupportDecision], target: Target,
                  batch_of: Callable[[str], Optional[int]]) -> Segmentation:
    """Segment ``graph`` the way the target's TF-TRT version does."""
    if SEGMENTERS.get(target.profile, "tf2") == "tf1":
        from ..support.ruleset import load_ruleset
        from . import tf1

        return tf1.segment_graph(graph, decisions, target, load_ruleset(target.profile))
    from . import tf2

    return tf2.segment_graph(graph, decisions, target, batch_of)
