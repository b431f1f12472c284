"""TRT105: graph inputs of unknown rank."""

from __future__ import annotations

from typing import Iterable

from ...insights import engine_of
from ..base import Rule
from ..model import Finding


class UnknownRankInput(Rule):
    """A graph input has unknown rank, so every shape computed from it is unknown.

    A placeholder declared without a shape (``shape=None``, or a SavedModel signature
    with ``unknown_rank``) gives TF-TRT nothing to build engines from: in implicit batch
    mode a node whose input rank is unknown is not a candidate, so the whole network
    behind the input stays in TensorFlow.  trtlint can assume a shape with
    ``--input-shape``; the model itself should declare one.

    Anti-pattern::

        x = tf.compat.v1.placeholder(tf.float32, name="input")        # no shape

    Fix::

        x = tf.compat.v1.placeholder(tf.float32, [None, 128, 128, 3], name="input")
        # or, to see what a shape would change: --input-shape input=1x128x128x3
    """

    id = "TRT105"
    name = "unknown-rank-input"
    severity = "warning"

    def check(self, analysis) -> Iterable[Finding]:
        a = analysis
        engines = engine_of(a)
        for spec in a.model.inputs:
            if spec.name not in a.graph or not a.graph.consumers(spec.name):
                continue
            if a.shapes.output_shape(spec.name, spec.index) is not None:
                continue
            in_engines = len(engines)
            yield self.finding(
                f"graph input {spec.name} ({spec.dtype or 'unknown dtype'}) has unknown rank: "
                f"the shapes of everything computed from it are unknown to TF-TRT"
                + ("" if in_engines else ", and no node of the graph lands in an engine"),
                node=spec.name,
                fix=f"Declare the input's shape in the model, or assume one with "
                    f"--input-shape {spec.name}=<dims, e.g. 1x224x224x3>.")
