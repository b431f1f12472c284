"""TRT201: TF1 control flow (while loops and conds built from Switch/Merge/Enter/Exit)."""

from __future__ import annotations

from typing import Iterable

from ...insights import ControlFlowRegion, control_flow_regions
from ..base import Rule
from ..model import Finding
from ._text import family, plural, some


class ControlFlowV1(Rule):
    """A TF1 while loop or cond keeps its body in TensorFlow.

    TF1 control flow is built from Switch, Merge, Enter, Exit, NextIteration and LoopCond.
    A TF2 SavedModel gets it too: when TF-TRT freezes the signature it lowers every
    functional While/If/Case into these ops (trtlint's loader does the same), so a
    ``tf.while_loop`` inside a ``tf.function`` is reported here, named after its While.

    TF-TRT has no converter for control flow v1 ops, and its segmenter never builds an
    engine across a frame boundary, so a ``tf.while_loop``/``tf.map_fn`` body (the
    Preprocessor and per-class NMS of an object-detection export) stays in TensorFlow
    except for small islands.  Every iteration then crosses between TensorFlow and any
    engine inside the body.  The finding says how many of the loop's nodes stay in
    TensorFlow and which op types make up the body.

    Anti-pattern::

        images = tf.map_fn(preprocess, image_batch)        # TF1 while loop + TensorArrays
        dets = tf.while_loop(cond, per_class_nms, [i, acc])

    Fix::

        images = preprocess_batched(image_batch)           # vectorised, no loop
        dets = tf.image.combined_non_max_suppression(...)  # one op, converted with
                                                           # --dynamic-shape
        # or keep pre/post-processing outside the graph you give TF-TRT
    """

    id = "TRT201"
    name = "control-flow-v1"
    severity = "warning"

    def check(self, analysis) -> Iterable[Finding]:
        g = analysis.graph
        # Repeated blocks (one batch-norm cond per layer, one loop per class) are reported
        # once per family of scopes.
        groups: dict[tuple[str, str], list[ControlFlowRegion]] = {}
        for region in control_flow_regions(analysis):
            if not region.nodes:
                continue
            groups.setdefault((region.kind, family(region.scope)), []).append(region)
        for (kind, _), regions in groups.items():
            nodes = [n for r in regions for n in r.nodes]
            kept = sum(r.kept_in_tf for r in regions)
            in_engines = sum(r.in_engines for r in regions)
            ops: dict[str, int] = {}
            for r in regions:
                for op, n in r.ops.items():
                    ops[op] = ops.get(op, 0) + n
            top_ops = some((f"{op} {n}" for op, n in
                            sorted(ops.items(), key=lambda kv: (-kv[1], kv[0]))), 5)
            what = "while loop" if kind == "while" else "cond"
            scope = regions[0].scope.rstrip("/") or regions[0].name
            lowered = regions[0].lowered_from
            if lowered:
                what = f"{what} ({lowered} lowered to TF1 control flow when TF-TRT freezes " \
                       f"the model)" if len(regions) == 1 else f"{what} ({lowered}, lowered)"
                head = f"{lowered} {scope}" if len(regions) == 1 else \
                    f"{len(regions)} {lowered}s like {scope}"
                head = f"{head}: {what}"
            else:
                head = f"TF1 {what} {scope}" if len(regions) == 1 else \
                    f"{len(regions)} TF1 {what}s like {scope}"
            message = (f"{head}: {kept} of {plural(len(nodes), 'node')} stay in TensorFlow"
                       + (f", {in_engines} in engines" if in_engines else "") + f" ({top_ops})")
            # the shallowest loop/cond op (the loop's Enter, the cond's Switch) names it
            first = min(regions[0].nodes, key=lambda n: (g[n].op not in ("Enter", "Switch"),
                                                         n.count("/"), n))
            yield self.finding(
                message, node=first, severity="warning" if kind == "while" else "info",
                fix="Vectorise the loop or move it (pre/post-processing) out of the graph TF-TRT "
                    "converts; for a cond, fold the branch at export time (e.g. a fixed "
                    "learning phase).",
                kind=kind, scopes=[r.scope.rstrip("/") for r in regions], nodes=len(nodes),
                lowered_from=lowered,
                kept_in_tf=kept, in_engines=in_engines)
