"""TRT404: the graph's inputs fix a batch size other than the serving batch."""

from __future__ import annotations

from typing import Iterable

from ..base import Rule
from ..model import Finding


class FixedBatchInput(Rule):
    """A graph input has a fixed batch dimension that differs from ``--serving-batch``.

    A model exported with ``[1, 224, 224, 3]`` inputs accepts exactly one row: serving it
    at batch 4 fails in TensorFlow before TF-TRT's engines matter, and the engines were
    built (and TF-TRT's implicit batch size decided) for batch 1.

    Anti-pattern::

        x = tf.placeholder(tf.float32, [1, 224, 224, 3])    # exported for batch 1
        # ... served with batch_size=4

    Fix::

        x = tf.placeholder(tf.float32, [None, 224, 224, 3]) # unknown batch
    """

    id = "TRT404"
    name = "fixed-batch-input"
    severity = "error"

    def check(self, analysis) -> Iterable[Finding]:
        a = analysis
        serving = a.target.serving_batch
        if serving is None:
            return
        for spec in a.model.inputs:
            if spec.name not in a.graph:
                continue
            shape = spec.shape  # as declared: --input-shape assumptions are not the model's
            if not shape or shape[0] < 0 or shape[0] == serving:
                continue
            yield self.finding(
                f"graph input {spec.name} is fixed to batch {shape[0]} but the model is served "
                f"at batch {serving}: TensorFlow rejects the feed before any engine runs",
                node=spec.name, fix="Export the input with an unknown batch dimension (None), "
                                    "or serve at the batch the graph was built for.",
                input_batch=shape[0], serving_batch=serving)
