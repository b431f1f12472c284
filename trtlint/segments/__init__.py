"""Replicas of TF-TRT's segmenter, one per profile."""

from __future__ import annotations

from typing import Callable, Optional

from ..graph.model import Graph
from ..support.decision import SupportDecision
from ..target import Target
from .model import DroppedSegment, Segment, Segmentation

__all__ = ["Segment", "DroppedSegment", "Segmentation", "segment_graph"]


def segment_graph(graph: Graph, decisions: dict[str, SupportDecision], target: Target,
                  batch_of: Callable[[str], Optional[int]]) -> Segmentation:
    """Segment ``graph`` the way the target's TF-TRT version does."""
    from . import tf2

    return tf2.segment_graph(graph, decisions, target, batch_of)
