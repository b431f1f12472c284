"""Built-in emulation of the grappler passes that run before TensorRTOptimizer.

TF-TRT's converter (``_get_tensorrt_rewriter_config`` in TF 2.17's ``trt_convert.py``)
configures grappler's meta optimizer with, in this order, ``pruning``,
``debug_stripper``, ``layout``, ``dependency``, ``constfold`` and
``common_subgraph_elimination``, one iteration, remapping off; then comes the
TensorRT pass.  The fetch nodes are the model's inputs and outputs (the ``train_op``
collection); every ``Placeholder`` counts as fed.  Nodes to preserve are fetches and
feeds.

Two meta-optimizer rules apply before any pass: a graph of fewer than 4 nodes is not
optimized at all (and TF-TRT's pass does not run on it either), and the function
library stays as it is.
"""

from __future__ import annotations

import gc
from typing import Optional

from ..graph.model import Graph
from ..load.model import Model
from ..target import Target
from .constfold import ConstantFolding
from .cse import eliminate_common_subgraphs
from .debug_stripper import strip_debug_ops
from .dependency import optimize_dependencies
from .layout import optimize_layout
from .ops import OpInfo
from .pruning import prune
from .record import GrapplerPass
from .topology import import_normalise
from .workgraph import WorkGraph

#: grappler's ``kDefaultMinGraphNodes``: smaller graphs are left alone
MIN_GRAPH_NODES = 4
PASS_ORDER = ("pruning", "debug_stripper", "layout", "dependency", "constfold",
              "common_subgraph_elimination")


def fetch_and_feed(model: Model) -> tuple[list[str], set[str]]:
    """The fetch nodes (inputs then outputs, as TF-TRT's ``train_op`` collection lists
    them) and the fed nodes (every ``Placeholder``)."""
    fetches = list(model.fetch_names)
    feeds = {n.name for n in model.graph if n.op in ("Placeholder", "PlaceholderV2")}
    return fetches, feeds


def run_passes(graph: Graph, fetches: list[str], feeds: set[str], gpu_layout: bool,
               only: tuple[str, ...] = PASS_ORDER, gpu: Optional[str] = None) -> tuple[Graph, list]:
    """Run the emulated passes on ``graph``; returns the new graph and pass records.

    Python's cyclic garbage collector is paused meanwhile: the passes allocate
    hundreds of thousands of small objects that hold no cycles, and the collector's
    repeated scans of them cost a third of the time on a 100k-node graph."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _run_passes(graph, fetches, feeds, gpu_layout, only, gpu)
    finally:
        if enabled:
            gc.enable()


def _run_passes(graph: Graph, fetches: list[str], feeds: set[str], gpu_layout: bool,
                only: tuple[str, ...], gpu: Optional[str]) -> tuple[Graph, list]:
    records: list = []
    if len(graph) < MIN_GRAPH_NODES:
        return graph, records
    preserve = set(fetches) | feeds
    fetches_known = bool(fetches)
    info = OpInfo(graph.registry)
    functions = set(graph.library)
    work = WorkGraph.from_graph(graph)
    import_normalise(work)

    def record(name: str, before: int, changes: list[str]) -> None:
        records.append(GrapplerPass(name, before, len(work), changes))

    if "pruning" in only:
        before, changes = len(work), []
        work = prune(work, preserve, info, functions, changes)
        record("pruning", before, changes)
    if "debug_stripper" in only:
        before, changes = len(work), []
        strip_debug_ops(work, changes)
        record("debug_stripper", before, changes)
    if "layout" in only:
        before, changes = len(work), []
        if gpu_layout:
            work = optimize_layout(work, preserve, feeds, info, gpu, changes)
        else:
            changes.append("not run: no GPU (--cpu-layout)")
        record("layout", before, changes)
    if "dependency" in only:
        before, changes = len(work), []
        optimize_dependencies(work, preserve, fetches_known, info, changes)
        record("dependency", before, changes)
    if "constfold" in only:
        before, changes = len(work), []
        folder = ConstantFolding(work, preserve, feeds, fetches, info)
        work = folder.run()
        if folder.folded:
            changes.append(f"folded {folder.folded} node(s) into constants")
        for what, count in sorted(folder.simplified.items(), key=lambda kv: -kv[1]):
            changes.append(f"{what.replace('_', ' ')}: {count}")
        record("constfold", before, changes)
    if "common_subgraph_elimination" in only:
        before, changes = len(work), []
        work = eliminate_common_subgraphs(work, preserve, fetches_known, info, changes)
        record("common_subgraph_elimination", before, changes)
    return work.to_graph(), records


def run_builtin(model: Model, target: Target) -> tuple[Graph, list]:
    fetches, feeds = fetch_and_feed(model)
    return run_passes(model.graph, fetches, feeds, target.gpu_layout, gpu=target.gpu)
