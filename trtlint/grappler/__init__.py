"""The grappler passes TensorFlow runs before TF-TRT's pass, emulated.

TF-TRT segments the graph grappler hands it: after pruning, debug stripping, the
layout optimizer (on GPU), the dependency optimizer, constant folding and common
subgraph elimination.  ``run_grappler`` reproduces what of that changes
segmentation; ``--grappler tf`` runs TensorFlow's real passes instead and
``--no-grappler`` none.
"""

from __future__ import annotations

from ..graph.model import Graph
from ..load.model import Model
from ..target import Target


def run_grappler(model: Model, target: Target) -> tuple[Graph, list]:
    """The graph TF-TRT's pass receives, and a record of what each pass did."""
    if target.grappler == "none":
        return model.graph, []
    from .pipeline import run_builtin

    return run_builtin(model, target)
