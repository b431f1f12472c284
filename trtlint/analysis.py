"""The analysis pipeline: load -> grappler -> shapes -> support -> segments.

``analyze(model, target)`` returns an :class:`Analysis`, the single object every view,
lint rule and cross-check reads.  Views never recompute anything.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator, Optional

from .graph.model import Graph
from .load.freeze import handles_fed_values
from .load.model import Model
from .segments import Segmentation, segment_graph
from .segments.build import predict_builds
from .shapes import ShapeMap, infer_shapes
from .support import SupportDecision, decide_support
from .support.validator import CandidateValidator
from .support.ruleset import load_ruleset
from .target import Target


@dataclass
class Unconverted:
    """What TF-TRT's op report would say: nodes left to TensorFlow, by op type."""

    count: int
    by_type: dict[str, int]          # op -> count, in report order (most first)

    @property
    def types(self) -> list[str]:
        return list(self.by_type)


@dataclass
class GrapplerPass:
    name: str
    nodes_before: int
    nodes_after: int
    changes: list[str] = field(default_factory=list)


@dataclass
class Analysis:
    model: Model
    target: Target
    graph: Graph                     # the graph TF-TRT sees (after grappler)
    shapes: ShapeMap
    decisions: dict[str, SupportDecision]
    segmentation: Segmentation
    unconverted: Unconverted
    grappler: list[GrapplerPass]
    notes: list[str] = field(default_factory=list)
    findings: list = field(default_factory=list)
    #: False when TF-TRT's pass never runs on this graph (grappler skips graphs that are
    #: too small): no segments, no op report
    tensorrt_pass_runs: bool = True
    #: (node, input index, producer): variable writers left without a variable by
    #: freezing, which make TensorFlow refuse the graph (TRT706)
    frozen_writes: list = field(default_factory=list)
    #: share of estimated FLOPs inside engines that will build (None: not estimable)
    flops_coverage: Optional[float] = None

    @property
    def all_notes(self) -> list[str]:
        """What a reader must know, in pipeline order: the loader's notes (e.g. which
        TF-TRT converter a TF1 SavedModel goes through), the analysis', the segmenter's."""
        return list(self.model.notes) + list(self.notes) + list(self.segmentation.notes)

    @property
    def segments(self):
        return self.segmentation.segments

    def segment_of(self, node: str) -> Optional[str]:
        for seg in self.segmentation.segments:
            if node in seg.nodes:
                return seg.name
        return None

    @property
    def converted_nodes(self) -> int:
        return sum(len(s.nodes) for s in self.segmentation.segments if s.will_build)

    @property
    def node_coverage(self) -> float:
        n = len(self.graph)
        return self.converted_nodes / n if n else 0.0


#: TF-TRT counts the graph's _SOURCE and _SINK NoOps among unconverted ops.
SOURCE_SINK_NOOPS = 2


def unconverted_report(graph: Graph, decisions: dict[str, SupportDecision],
                       target: Target) -> Unconverted:
    """What TF-TRT's report of non-converted ops says: every node that is not a
    candidate (inputs and outputs included) plus ``_SOURCE``/``_SINK``.

    TF 2.17 prints a table, most frequent type first.  TF 1.13/1.15 print one line,
    "There are N ops of M different types ...", whose type list comes out of a hash
    set in no meaningful order: we list the types by name."""
    rules = load_ruleset(target.profile)
    by_type: dict[str, int] = {}
    for d in decisions.values():
        if not d.supported:
            by_type[d.op] = by_type.get(d.op, 0) + 1
    if rules.segmenter.get("counts_source_and_sink", target.profile == "tf2"):
        by_type["NoOp"] = by_type.get("NoOp", 0) + SOURCE_SINK_NOOPS
    if "unconverted_line" in rules.segmenter:
        ordered = dict(sorted(by_type.items()))
    else:
        ordered = dict(sorted(by_type.items(), key=lambda kv: (-kv[1], kv[0])))
    return Unconverted(sum(ordered.values()), ordered)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for the duration (and back on after, if it
    was on).

    An analysis allocates millions of small objects (work nodes, input strings, shape
    tuples, segmenter edges) that stay alive until it ends and hold no reference cycles
    worth collecting early.  Each automatic collection re-walks all of them: on a
    6k-node graph that is ~15% of the analysis, more on larger ones.  Reference
    counting still frees everything that is not cyclic; cycles wait until the collector
    is back on."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def analyze(model: Model, target: Target) -> Analysis:
    """Predict what TF-TRT does to ``model`` under ``target``."""
    with collector_paused():
        return _analyze(model, target)


def _analyze(model: Model, target: Target) -> Analysis:
    from .grappler import run_grappler
    from .grappler.pipeline import MIN_GRAPH_NODES

    fetches = model.fetch_names
    if target.input_shapes:
        # Check the user's --input-shape against the model as loaded, before grappler
        # rewrites (or prunes) anything, so a typo is reported as such.
        from .shapes.overrides import check_overrides

        check_overrides(model.graph, target.overrides)
    graph, passes = run_grappler(model, target)
    rules = load_ruleset(target.profile)
    notes: list[str] = []
    if any(n.op in rules.explicit_qdq_ops for n in graph) and target.precision != "INT8":
        notes.append("the graph holds QuantizeAndDequantizeV2 ops: TF-TRT switches to explicit "
                     "QDQ mode and converts in INT8 whatever precision was asked")
    effective_precision = "INT8" if any(n.op in rules.explicit_qdq_ops for n in graph) \
        else target.precision
    if effective_precision == "FP16" and target.profile == "tf2":
        from .support.preprocess import rewrite_casts_for_fp16

        graph, split = rewrite_casts_for_fp16(graph)
        if split:
            notes.append(f"FP16: TF-TRT splits {len(split)} Cast(s) to float32 into a Cast to "
                         f"half (NAME_split) and a half->float Cast")
    shapes = infer_shapes(graph, target.overrides, grappler=True)
    validator = CandidateValidator(graph, shapes, target, rules, fetches)
    decisions = {node.name: validator.decide(node) for node in graph}
    # TF-TRT is one of grappler's meta-optimizer passes, and the meta-optimizer returns a
    # graph of fewer than min_graph_nodes nodes untouched (TF-TRT's converter does not
    # lower that limit), with or without the other grappler passes.
    pass_runs = len(model.graph) >= MIN_GRAPH_NODES
    written = handles_fed_values(model.graph)
    if written:
        # TensorFlow refuses the frozen graph, so TF-TRT's conversion fails (TRT706)
        pass_runs = False
    if pass_runs:
        segmentation = segment_graph(graph, decisions, target,
                                     lambda name: validator.leading_batch(graph[name]))
        predict_builds(graph, shapes, target, rules, segmentation, effective_precision)
        unconverted = unconverted_report(graph, decisions, target)
    elif written:
        segmentation = Segmentation([], [])
        unconverted = Unconverted(0, {})
        node, _, variable = written[0]
        notes.append(f"no engine: freezing turns variable {variable} into a constant, but "
                     f"{node} writes to it, and TensorFlow refuses that graph (TF2's freezing "
                     f"raises; after TF1's, TF-TRT's pass fails on it)"
                     + (f" (and {len(written) - 1} more such writes)" if len(written) > 1
                        else ""))
    else:
        segmentation = Segmentation([], [])
        unconverted = Unconverted(0, {})
        notes.append(f"TF-TRT does not run on this graph: it has {len(model.graph)} nodes, and "
                     f"grappler (TF-TRT is one of its passes) leaves graphs of fewer than "
                     f"{MIN_GRAPH_NODES} nodes alone; nothing is converted and TF-TRT prints "
                     f"no report")
    result = Analysis(model=model, target=target, graph=graph, shapes=shapes,
                      decisions=decisions, segmentation=segmentation, unconverted=unconverted,
                      grappler=passes, notes=notes, tensorrt_pass_runs=pass_runs,
                      frozen_writes=written)
    from .flops import flops_coverage

    inside = {n for s in segmentation.segments if s.will_build for n in s.nodes}
    result.flops_coverage = flops_coverage(graph, shapes, inside)
    from .findings import run_rules

    result.findings = run_rules(result)
    return result
