"""TRT501: engines barely above minimum_segment_size, and clusters below it."""

from __future__ import annotations

from typing import Iterable

from ..base import Rule
from ..model import Finding
from ._text import plural, some

#: an engine with at most minimum_segment_size + TINY_MARGIN effective nodes is "tiny"
TINY_MARGIN = 2
#: above this many tiny engines, report them together
MAX_SEPARATE = 3


class TinyEngine(Rule):
    """An engine holds only a handful of nodes (or a cluster was too small to become one).

    Every engine costs a TensorFlow<->TensorRT hand-over for each input and output
    tensor, plus its own memory and launch overhead.  An engine of three or four
    element-wise nodes (the seed's TRTEngineOp_2 and _3) rarely pays that back; it is a
    sign that the nodes around it could not be converted.  Clusters smaller than
    ``minimum_segment_size`` are not turned into engines at all.

    Anti-pattern::

        # 3-node engines squeezed between unsupported ops:
        # TensorRT node TRTEngineOp_2 added for segment 2 consisting of 3 nodes succeeded.

    Fix::

        # make the neighbours convertible (see the other findings on the nodes next to the
        # engine), or raise minimum_segment_size so such islands stay in TensorFlow:
        trt.TrtGraphConverterV2(..., minimum_segment_size=10)
    """

    id = "TRT501"
    name = "tiny-engine"
    severity = "info"

    def check(self, analysis) -> Iterable[Finding]:
        a = analysis
        mss = a.target.minimum_segment_size
        tiny = [s for s in a.segments if s.will_build and s.effective_nodes <= mss + TINY_MARGIN]
        if len(tiny) > MAX_SEPARATE:
            crossings = sum(len(s.inputs) + len(s.outputs) for s in tiny)
            yield self.finding(
                f"{len(tiny)} engines hold at most {mss + TINY_MARGIN} effective nodes each "
                f"(minimum_segment_size {mss}) and move {plural(crossings, 'tensor')} between "
                f"TensorFlow and TensorRT in all: "
                f"{some(f'{s.name} ({s.effective_nodes})' for s in tiny)}",
                node=tiny[0].nodes[0] if tiny[0].nodes else None,
                fix="Make the nodes around them convertible so they grow, or raise "
                    "--minimum-segment-size to leave them in TensorFlow.",
                engines=[s.name for s in tiny], crossings=crossings)
            tiny = []
        for seg in tiny:
            crossings = len(seg.inputs) + len(seg.outputs)
            yield self.finding(
                f"{seg.name} holds only {plural(seg.effective_nodes, 'effective node')} "
                f"(minimum_segment_size {mss}) and moves {plural(crossings, 'tensor')} between "
                f"TensorFlow and TensorRT: an engine this small rarely pays for the hand-over",
                node=seg.nodes[0] if seg.nodes else None, segment=seg.name,
                severity="warning" if crossings > seg.effective_nodes else "info",
                fix="Make the nodes around it convertible so it grows, or raise "
                    "--minimum-segment-size to leave it in TensorFlow.",
                effective_nodes=seg.effective_nodes, crossings=crossings)
        # A lone Const is no computation: only clusters that do something are worth naming.
        small = [d for d in a.segmentation.dropped if d.reason == "minimum_segment_size"
                 and any(n in a.graph and a.graph[n].op != "Const" for n in d.nodes)]
        if small:
            nodes = sum(len(d.nodes) for d in small)
            yield self.finding(
                f"{plural(len(small), 'cluster')} of convertible nodes ({plural(nodes, 'node')} in "
                f"all) {'is' if len(small) == 1 else 'are'} smaller than minimum_segment_size "
                f"{mss} and stay{'s' if len(small) == 1 else ''} in TensorFlow: "
                f"{some(d.nodes[0] for d in small if d.nodes)}",
                node=small[0].nodes[0] if small[0].nodes else None,
                fix="Usually harmless; if these clusters matter, lower --minimum-segment-size "
                    "or remove what separates them from larger engines.",
                clusters=[d.nodes for d in small])
