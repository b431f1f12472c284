"""Build the two sides of a cross-check: :class:`Prediction` from an Analysis,
:class:`Actual` from a parsed TF-TRT log."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from .model import Actual, ActualEngine, PredictedEngine, Prediction
from .names import SYNTHETIC

if TYPE_CHECKING:
    from ..analysis import Analysis
    from ..logs import LogReport

#: Log engine statuses that mean "this segment reached conversion".
REACHED_CONVERSION = ("succeeded", "replaced", "failed", "cannot_replace")


def prediction_from_analysis(analysis: "Analysis") -> Prediction:
    """What trtlint predicts, reduced to what a log can confirm."""
    from ..report import target_json

    engines = [PredictedEngine(name=s.name, index=s.index, nodes=frozenset(s.nodes),
                               will_build=s.will_build, reason=s.reason)
               for s in analysis.segments]
    known = {n.name for n in analysis.graph}
    known.update(n.name for n in analysis.model.graph)
    return Prediction(engines=engines, unconverted_count=analysis.unconverted.count,
                      unconverted_by_type=dict(analysis.unconverted.by_type),
                      candidate_segments=analysis.segmentation.candidate_segments,
                      known_nodes=frozenset(known), target=target_json(analysis))


def _members(record) -> Optional[frozenset[str]]:
    """An engine's members: its listed nodes without the consts TF-TRT copied in."""
    if record.node_names is None:
        return None
    copied = set(record.const_nodes)
    return frozenset(n for n in record.node_names if n not in copied)


def _dumps_kept(report: "LogReport") -> list:
    """The "Nodes in segment N" dumps of segments the segmenter did not drop.

    TF-TRT prints a segment's dump and then, if it has too few effective nodes,
    "Segment N has only K effective nodes, dropping" right after it; the numbers in both
    lines are working numbers that repeat, so the order of the lines decides: a dump is
    kept when the next message is anything but a drop."""
    kept = []
    pending = None
    by_line = {d.line: d for d in report.segments if d.index is not None}
    for event in report.events:
        if event.kind == "dropped_segment":
            pending = None
            continue
        if pending is not None:
            kept.append(pending)          # the segmenter went on without dropping it
            pending = None
        if event.kind == "segment_nodes":
            pending = by_line.get(event.line)
    # A dump at the very end of the log (an excerpt cut there): its fate is unknown.
    return kept


def actual_from_log(report: "LogReport") -> Actual:
    """What the log says TF-TRT did.

    Engines are the segments that reached conversion (built, replaced, or failed and
    kept in TensorFlow). Their members come from "Segment consists of nodes" lists when
    the log has them (TF 2.x with TF_CPP_VMODULE=convert_graph=2); a log with only the
    segmenter's "Nodes in segment N" dumps gives those dumps instead, unnamed."""
    engines = [ActualEngine(name=e.name, segment=e.segment, size=e.nodes, status=e.status,
                            nodes=_members(e), reason=e.reason,
                            runtime_fallback=e.runtime_fallback, line=e.line)
               for e in report.engines if e.status in REACHED_CONVERSION]
    node_lists = "engines" if engines and all(e.nodes is not None for e in engines) else None
    kept_dumps = _dumps_kept(report)
    if not engines and report.candidate_segments is None and kept_dumps:
        # No converter lines, only the segmenter's dumps: the segments it kept.
        engines = [ActualEngine(name=None, segment=d.index, size=len(d.nodes), status="dump",
                                nodes=frozenset(d.node_names), line=d.line)
                   for d in kept_dumps]
        node_lists = "dumps"
    elif node_lists is None and any(e.nodes is not None for e in engines):
        node_lists = "engines"            # some engines listed, some not
    mentioned = {n.op_name for n in report.not_candidates}
    for engine in engines:
        mentioned.update(engine.nodes or ())
    for dump in report.segments:
        mentioned.update(dump.node_names)
    un = report.unconverted
    return Actual(
        engines=engines,
        unconverted_count=un.count if un else None,
        unconverted_types=list(un.types) if un else None,
        unconverted_by_type=dict(un.per_type) if un and un.per_type else None,
        candidate_segments=report.candidate_segments,
        mentioned_nodes=frozenset(n for n in mentioned if not SYNTHETIC.match(n)),
        era=report.era, node_lists=node_lists,
        dropped_segments=sum(1 for e in report.engines if e.status == "dropped"),
        crashes=[c.text for c in report.crashes])
