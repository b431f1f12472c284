"""TRT506: a segment whose engine will fail to build and fall back to TensorFlow."""

from __future__ import annotations

from typing import Iterable

from ...insights import unknown_dim_failure
from ..base import Rule
from ..model import Finding
from ._text import plural


class EngineBuildFailure(Rule):
    """TF-TRT will create this engine and then fail to build it.

    Some converter checks only run when an engine is built, after the segment has been
    cut: TF 1.13 validates half of its converters at that stage, and static engines are
    built during conversion.  A failure anywhere in the segment sinks the whole engine:
    TF-TRT logs "... failed: <reason>. Fallback to TF..." and every node of the segment
    runs in TensorFlow.  (Unknown input dimensions, the most common cause, are TRT101.)

    Anti-pattern::

        # TF 1.13, static engines: a Mean over an empty axis list inside a 200-node segment
        # -> "TensorRT node TRTEngineOp_0 ... failed: ... Fallback to TF..."

    Fix::

        # change the node named in the reason (or keep it out of the segment), then
        # re-run trtlint to check that the engine builds
    """

    id = "TRT506"
    name = "engine-build-failure"
    severity = "error"

    def check(self, analysis) -> Iterable[Finding]:
        for seg in analysis.segments:
            if seg.will_build or unknown_dim_failure(seg.reason) is not None:
                continue
            yield self.finding(
                f"{seg.name} ({plural(len(seg.nodes), 'node')}) will fail to build and fall back "
                f"to TensorFlow: {seg.reason or 'no reason recorded'}",
                node=seg.nodes[0] if seg.nodes else None, segment=seg.name,
                fix="Change or exclude the node the reason names so that the segment builds.",
                reason=seg.reason)
