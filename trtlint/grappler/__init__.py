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
    if target.grappler == "tf":
        return run_tensorflow(model, target)
    from .pipeline import run_builtin

    return run_builtin(model, target)


def run_tensorflow(model: Model, target: Target) -> tuple[Graph, list]:
    """``--grappler tf``: TensorFlow's own passes (``tf_reference``) on the loaded graph,
    with the fetches and GPU the emulation would use; one record for all passes."""
    from ..load.graphdef import build_graph, parse_binary
    from .graphdef_out import graph_to_bytes
    from .layout import compute_capability
    from .pipeline import MIN_GRAPH_NODES, fetch_and_feed
    from .record import GrapplerPass
    from .tf_reference import run_tf_grappler

    graph = model.graph
    if len(graph) < MIN_GRAPH_NODES:
        return graph, []
    fetches, _ = fetch_and_feed(model)
    cc = compute_capability(target.gpu)
    data = run_tf_grappler(graph_to_bytes(graph), fetches, layout_gpu=target.gpu_layout,
                           gpu_compute_capability=f"{cc:.1f}")
    out = build_graph(parse_binary(model.path, data), model.path, graph.registry)
    result = Graph(out, graph.library or out.library, graph.registry, graph.producer)
    layout = (f"layout on a GPU of compute capability {cc:.1f}" if target.gpu_layout
              else "no layout pass (--cpu-layout)")
    return result, [GrapplerPass("tensorflow", len(graph), len(result),
                                 [f"TensorFlow's grappler as TF-TRT configures it; {layout}"])]
