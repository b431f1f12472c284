"""TRT701: training-only ops left in the graph TF-TRT converts."""

from __future__ import annotations

from typing import Iterable

from ..base import Rule
from ..model import Finding
from ._text import plural, some

#: op -> what it is there for; none of them belongs in an inference graph
TRAINING_OPS = {
    **{op: "debugging checks" for op in ("Assert", "CheckNumerics", "Print", "PrintV2")},
    **{op: "summaries" for op in ("ScalarSummary", "HistogramSummary", "ImageSummary",
                                "AudioSummary", "MergeSummary", "TensorSummary",
                                "TensorSummaryV2", "WriteSummary", "WriteScalarSummary")},
    **{op: "random number generators (dropout, noise, initializers)" for op in (
        "RandomUniform", "RandomStandardNormal", "TruncatedNormal", "RandomUniformInt",
        "RandomShuffle", "StatelessRandomUniformV2", "StatelessRandomNormalV2")},
    **{op: "optimizer updates" for op in (
        "ApplyGradientDescent", "ApplyAdam", "ApplyMomentum", "ApplyRMSProp", "ApplyAdagrad",
        "ResourceApplyGradientDescent", "ResourceApplyAdam", "ResourceApplyMomentum",
        "AssignAdd", "AssignSub", "AssignAddVariableOp", "AssignSubVariableOp")},
    **{op: "gradient computations" for op in ("BroadcastGradientArgs", "PreventGradient")},
    **{op: "checkpoint save/restore ops" for op in ("SaveV2", "RestoreV2", "SaveSlices",
                                                 "RestoreSlice", "ShardedFilename",
                                                 "MergeV2Checkpoints")},
}


def training_kind(op: str) -> str | None:
    if op in TRAINING_OPS:
        return TRAINING_OPS[op]
    if op.endswith("Grad") or op.endswith("GradV2") or op.startswith("Conv2DBackprop"):
        return "gradient computations"
    return None


class TrainingOps(Rule):
    """Training-only ops (asserts, dropout, summaries, gradients, savers) are left in.

    None of them is convertible, and each one that survives grappler splits the network
    around it: an ``Assert`` (with its control edges) between two layers, a
    ``RandomUniform`` of in-graph dropout in every block, the whole backward pass of a
    training graph.  Dropout left active also makes inference non-deterministic.  TF 2.x
    strips Assert/CheckNumerics/Print before TF-TRT runs (grappler's debug stripper),
    TF 1.x does not.

    Anti-pattern::

        x = tf.nn.dropout(x, keep_prob=keep_prob)        # exported with the training graph
        tf.debugging.assert_all_finite(x, "nan")          # CheckNumerics in the hot path

    Fix::

        # export the inference graph: build it with training=False, strip asserts and
        # summaries, and freeze only what the outputs need
        tf.compat.v1.graph_util.extract_sub_graph(graph_def, output_names)
    """

    id = "TRT701"
    name = "training-ops"
    severity = "warning"

    def check(self, analysis) -> Iterable[Finding]:
        groups: dict[str, list[str]] = {}
        for node in analysis.graph:
            kind = training_kind(node.op)
            if kind is not None:
                groups.setdefault(kind, []).append(node.name)
        for kind, names in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            ops = sorted({analysis.graph[n].op for n in names})
            yield self.finding(
                f"{kind.capitalize()} left in the graph TF-TRT sees: {plural(len(names), 'node')} "
                f"({', '.join(ops)}): {some(names)}; they stay in TensorFlow and split the "
                f"network around them",
                node=names[0], fix="Export an inference-only graph (training=False, no asserts, "
                                   "summaries, gradients or savers) before converting.",
                kind=kind, nodes=names)
