"""Will each engine build?  What TF-TRT checks when it turns a segment into an engine.

Segmentation is not the end of it.  When TF-TRT builds an engine *during conversion*
(static engines: ``is_dynamic_op=False``, i.e. ``--max-batch-size N``; TF 1.13 also
builds an FP32 engine to validate INT8-calibration segments), a failure there leaves
the segment's nodes to TensorFlow, whole: "TensorRT node TRTEngineOp_0 added for
segment 0 consisting of 707 nodes failed: Invalid argument: Validation failed for
TensorRTInputPH_0 and input slot 0: Input tensor with shape [?,?,?,3] has an unknown
non-batch dimension at dim 1. Fallback to TF..." (the seed).  We predict that from

1. the profile's ``[engine_inputs]`` requirements, run on the engine's inputs
   ``TensorRTInputPH_<k>`` (unknown non-batch dims, disagreeing batch sizes, an
   engine without inputs);
2. the ``stage = "build"`` requirements of the op rules, run on each member in
   topological order (TF-TRT 1.13's whitelisted ops without a validator are only
   checked here; both 1.x releases check some things only after validation);
3. checks made when the outputs are marked (an engine output that is weights).

The first failure is the segment's ``reason`` in the profile's wording (TF1: the
Status with its code, as the "failed:" line prints it; TF 2.17: the message of its
"Cannot replace segment ... reason: ..." line).  Dynamic engines are built at run
time instead: a failure there makes TensorFlow run the native segment, so they keep
``will_build = True`` and the failure becomes a note.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from ..graph.model import Graph, TensorRef
from ..shapes import ShapeMap
from ..support import checks
from ..support.checks.tf1_engine import (OUTPUT_MARKING_CHECKS, EngineInput, EngineView,
                                         SegmentNodeContext)
from ..support.ruleset import Requirement, RuleSet
from ..support.validator import requirement_message
from ..target import Target
from .model import Segment, Segmentation

#: TF 2.17's CreateTRTNode checks (its rules file has no [engine_inputs] table)
TF2_ENGINE_REQUIREMENTS = (
    Requirement("engine_input_dims_known", {"zero_is_unknown": True}, mode="implicit",
                engines="static", stage="build", category="dynamic_shape", code="Internal",
                message="Not fully defined input shape when in static mode which should have "
                        "been excluded by the segmenter. ",
                fix="Give the inputs fixed shapes, or build dynamic engines "
                    "(drop --max-batch-size)."),
    Requirement("segment_has_inputs", {}, engines="any", stage="build", category="const_input",
                code="Internal", message="Segment has no inputs (possible constfold failure)"),
)
TF2_FAILED_LINE = "Cannot replace segment {segment} consisting of {nodes} nodes by {name} " \
                  "reason: {message} (keeping original segment)."


@dataclass(frozen=True)
class EngineKind:
    """How TF-TRT treats the engines of one conversion."""

    static: bool               # built once, for max_batch_size, with fixed shapes
    built_at_conversion: bool  # built inside the conversion pass

    @staticmethod
    def of(target: Target, rules: RuleSet, precision: str) -> "EngineKind":
        # INT8 with calibration always makes dynamic engines (calibration runs at
        # inference time); TF 1.13 still builds an FP32 engine to validate them.
        calibrating = precision == "INT8" and target.use_calibration
        static = target.static_engines and not calibrating
        kinds = rules.engines.get("built_at_conversion", ["static"])
        built = ("static" in kinds and static) or ("int8_calibration" in kinds and calibrating)
        return EngineKind(static, built)


@dataclass(frozen=True)
class BuildFailure:
    """The first thing that stops an engine from building."""

    message: str
    code: Optional[str]
    category: str
    node: Optional[str]
    at_conversion: bool        # False: only when a dynamic engine is built at run time


def predict_builds(graph: Graph, shapes: ShapeMap, target: Target, rules: RuleSet,
                   segmentation: Segmentation, precision: Optional[str] = None) -> None:
    """Set ``will_build``/``reason`` of every segment, and add notes on what happens
    at run time and on converter warnings."""
    precision = precision or target.precision
    kind = EngineKind.of(target, rules, precision)
    predictor = _BuildPredictor(graph, shapes, target, rules, precision, kind)
    for seg in segmentation.segments:
        failure, warnings = predictor.check(seg)
        segmentation.notes.extend(warnings)
        if failure is None:
            continue
        if failure.at_conversion:
            seg.will_build = False
            seg.reason = predictor.reason_text(failure)
            segmentation.notes.append(predictor.log_line(seg, failure))
        else:
            segmentation.notes.append(
                f"{seg.name} is built at run time and will fail there: "
                f"{predictor.reason_text(failure)}; TensorFlow then runs its native segment")


class _BuildPredictor:
    def __init__(self, graph: Graph, shapes: ShapeMap, target: Target, rules: RuleSet,
                 precision: str, kind: EngineKind) -> None:
        self.graph, self.shapes, self.target, self.rules = graph, shapes, target, rules
        self.precision, self.kind = precision, kind
        self.engine_requirements = list(rules.engine_requirements) or \
            (list(TF2_ENGINE_REQUIREMENTS) if rules.profile == "tf2" else [])
        order = graph.topological_order()
        self.position = {name: k for k, name in enumerate(order)}

    # -- texts ------------------------------------------------------------------------
    def reason_text(self, f: BuildFailure) -> str:
        """TF1 prints the whole Status ("Invalid argument: ..."); 2.17 its message."""
        if self.rules.engines.get("reason") == "status" and f.code:
            return f"{f.code}: {f.message}"
        return f.message

    def log_line(self, seg: Segment, f: BuildFailure) -> str:
        template = self.rules.engines.get("failed_line")
        values = {"name": seg.name, "segment": seg.index, "nodes": len(seg.nodes),
                  "status": self.reason_text(f), "message": f.message}
        return (template or TF2_FAILED_LINE).format(**values)

    # -- checks -----------------------------------------------------------------------
    def _applies(self, req: Requirement, op: str = "") -> bool:
        return req.stage == "build" and req.applies(
            self.target.implicit_batch, self.precision, True, op, self.target.use_calibration)

    def _bites_at_conversion(self, req: Requirement) -> Optional[bool]:
        """True: fails the conversion-time build; False: only a run-time build; None:
        not for this kind of engine."""
        if req.engines is None:
            return self.kind.built_at_conversion
        return True if req.engine_applies(self.kind.static, self.kind.built_at_conversion) \
            else None

    def check(self, seg: Segment) -> tuple[Optional[BuildFailure], list[str]]:
        members = frozenset(seg.nodes)
        failure = self._engine_failure(seg, members)
        warnings: list[str] = []
        ordered = sorted(seg.nodes, key=lambda n: self.position.get(n, 0))
        later: list[BuildFailure] = []
        for name in ordered:
            node = self.graph[name]
            ctx = SegmentNodeContext(node, self.graph, self.shapes, self.target, members)
            for rule in self.rules.rules_for(node.op):
                for req in rule.requirements:
                    if not self._applies(req, node.op):
                        continue
                    when = self._bites_at_conversion(req)
                    if when is None:
                        continue
                    failed = _run(req, ctx)
                    if failed is None:
                        continue
                    text = requirement_message(req, node, failed)
                    if req.severity == "warning":
                        warnings.append(f"{seg.name}: {text} (at {name})")
                        continue
                    found = BuildFailure(text, req.code, req.category, name, when)
                    if req.check in OUTPUT_MARKING_CHECKS:
                        later.append(found)
                    elif failure is None:
                        failure = found
        if failure is None and later:
            failure = later[0]
        return failure, warnings

    def _engine_failure(self, seg: Segment, members: frozenset[str]) -> Optional[BuildFailure]:
        view = EngineView(seg.name, members, self._engine_inputs(seg), self.graph,
                          self.shapes, self.target)
        reqs = [r for r in self.engine_requirements if self._applies(r)]
        k = 0
        while k < len(reqs):
            group = [reqs[k]]
            while reqs[k].per_input and k + 1 < len(reqs) and reqs[k + 1].per_input:
                k += 1
                group.append(reqs[k])
            k += 1
            # checks made input by input: the failure on the lowest slot comes first
            found: list[tuple[int, int, Requirement, dict]] = []
            for rank, req in enumerate(group):
                when = self._bites_at_conversion(req)
                if when is None:
                    continue
                failed = _run(req, view)
                if failed is not None:
                    found.append((int(failed.get("slot", 0)), rank, req, failed))
            if found:
                _, _, req, failed = min(found, key=lambda x: (x[0], x[1]))
                return BuildFailure(_engine_message(req, seg, failed), req.code, req.category,
                                    None, bool(self._bites_at_conversion(req)))
        return None

    def _engine_inputs(self, seg: Segment) -> list[EngineInput]:
        out = []
        for slot, text in enumerate(seg.inputs):
            ref = TensorRef.parse(text)
            out.append(EngineInput(slot, ref, self.shapes.shape(ref),
                                   self.graph.output_dtype(ref)))
        return out


def _run(req: Requirement, ctx) -> Optional[dict]:
    predicate = checks.lookup(req.check)
    return None if predicate is None else predicate(ctx, req.params)


def _engine_message(req: Requirement, seg: Segment, failed: dict) -> str:
    values = {"name": seg.name, "node": seg.name, "op": "TRTEngineOp", **req.params, **failed}
    template = req.message or (req.messages[0] if req.messages else f"{req.check} failed")
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return template
