"""What the segmenter produces: engines (segments) and what happened to the rest."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional


@dataclass
class Segment:
    """One predicted TRTEngineOp and the original nodes it replaces."""

    name: str                       # e.g. "TRTEngineOp_000_000"
    index: int                      # segment number in TF-TRT's log
    nodes: list[str]                # members, sorted by name (TF-TRT's order)
    effective_nodes: int            # members that are not Identity/Snapshot/StopGradient
    inputs: list[str] = field(default_factory=list)    # tensors "node:i" entering
    outputs: list[str] = field(default_factory=list)   # member tensors used outside
    control_inputs: list[str] = field(default_factory=list)
    const_inputs: list[str] = field(default_factory=list)  # consts copied into the engine
    will_build: bool = True
    reason: Optional[str] = None    # why it will not build (TF-TRT's words)
    batch_size: Optional[int] = None  # implicit batch: -1 dynamic, N static
    root: str = ""                  # union-find root (TF-TRT's "parent=")
    scope: str = ""                 # longest name scope shared by the members
    device: str = ""

    @property
    def size(self) -> int:
        return len(self.nodes)


@dataclass
class DroppedSegment:
    """A cluster TF-TRT found but did not turn into an engine."""

    index: int                      # segment number when it was dropped
    nodes: list[str]
    effective_nodes: int
    reason: str                     # "minimum_segment_size" | "max_engines"
    root: str = ""


@dataclass
class Segmentation:
    segments: list[Segment]
    dropped: list[DroppedSegment]
    #: candidate nodes removed from a cluster because they were ineligible segment
    #: outputs (a Const feeding a node outside) and what they pulled with them
    removed_from_segments: list[str] = field(default_factory=list)
    candidate_segments: int = 0     # TF-TRT's "Number of TensorRT candidate segments"
    notes: list[str] = field(default_factory=list)
