"""Built-in emulation of the grappler passes that run before TensorRTOptimizer."""

from __future__ import annotations

from ..graph.model import Graph
from ..load.model import Model
from ..target import Target


def run_builtin(model: Model, target: Target) -> tuple[Graph, list]:
    return model.graph, []
