"""TRT402: --max-batch-size below the batch the graph's inputs are fixed to."""

from __future__ import annotations

from typing import Iterable

from ..base import Rule
from ..model import Finding


class MaxBatchBelowGraphBatch(Rule):
    """The graph's inputs have a fixed batch larger than ``max_batch_size``.

    A placeholder declared ``[8, 224, 224, 3]`` always carries 8 rows, so static engines
    built for ``max_batch_size=1`` can never run.  TF 1.13 only logs "Configured batch
    size 1 is less than input batch size 8" and builds engines that every run bypasses;
    TF 1.15 refuses the conversion ("Specified max_batch_size=1 is less than maximum batch
    dimension of inputs (8)") and leaves the graph without any engine; TF 2.x builds
    engines that fall back to TensorFlow at run time.

    Anti-pattern::

        x = tf.placeholder(tf.float32, [8, 224, 224, 3])
        trt.create_inference_graph(g, outputs, max_batch_size=1)

    Fix::

        trt.create_inference_graph(g, outputs, max_batch_size=8)   # >= the input batch
        # or declare the batch as unknown: tf.placeholder(tf.float32, [None, 224, 224, 3])
    """

    id = "TRT402"
    name = "max-batch-below-graph-batch"
    severity = "error"

    def check(self, analysis) -> Iterable[Finding]:
        a = analysis
        t = a.target
        if not t.static_engines or t.max_batch_size is None:
            return
        fixed = []
        for spec in a.model.inputs:
            if spec.name not in a.graph:
                continue
            shape = spec.shape  # as declared: --input-shape assumptions are not the model's
            if shape and shape[0] > t.max_batch_size:
                fixed.append((spec.name, shape[0]))
        if not fixed:
            return
        name, batch = max(fixed, key=lambda item: item[1])
        effect = {"tf1.15": "TF-TRT 1.15 rejects the conversion and the graph gets no engine",
                  "tf1.13": "TF-TRT 1.13 warns and builds engines no run can use"}.get(
            t.profile, "the engines never fit the batch the graph always carries and every run "
                       "falls back to TensorFlow")
        yield self.finding(
            f"graph input {name} has a fixed batch of {batch}, above --max-batch-size "
            f"{t.max_batch_size}: {effect}",
            node=name, fix=f"Set max_batch_size to at least {batch}, or give the input an "
                           f"unknown batch dimension.",
            input_batch=batch, max_batch_size=t.max_batch_size)
