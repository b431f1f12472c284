"""Run one ported case: freeze its graph, predict with trtlint, ask the oracle.

The frozen graphs go to one directory per test session; a case's graph depends only on
the API (TF1 graph mode or TF2 function), not on the other run parameters, so it is
built once per API.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from trtlint.analysis import Analysis, analyze
from trtlint.load import load_model
from trtlint.target import Target, make_target

from .cases import IntegrationCase
from .engines import Conversion, from_analysis, from_oracle
from .runparams import RunParams, max_batch_size
from .tfgraphs import FrozenGraph, freeze


class GraphStore:
    """Frozen graphs of the cases, built on first use."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._graphs: dict[tuple[str, bool], FrozenGraph] = {}

    def get(self, case: IntegrationCase, is_v2: bool) -> FrozenGraph:
        key = (case.id, is_v2)
        if key not in self._graphs:
            name = f"{case.id}.{'v2' if is_v2 else 'v1'}"
            self._graphs[key] = freeze(case.graph_fn, case.inputs, is_v2,
                                       self.directory / f"{name}.pb", seed_name=case.id)
        return self._graphs[key]


def target_for(case: IntegrationCase, run: RunParams) -> Target:
    """The trtlint Target matching the test's converter parameters.

    TrtGraphConverterV2 clears device placements before grappler runs, so TF 2.17's
    layout optimizer, which only rewrites nodes placed on a GPU, leaves these graphs
    alone (the oracle, on CPU, agrees): no GPU layout emulation.  TF1-API graphs here
    carry no device either.
    """
    return make_target(
        case.profile, run.precision_mode,
        dynamic_shape=run.dynamic_shape,
        minimum_segment_size=case.minimum_segment_size,
        max_batch_size=max_batch_size(run, case.input_batches(), case.max_batch_size),
        grappler="none" if case.disable_non_trt_optimizers else "builtin",
        gpu_layout=False,
        use_calibration=run.use_calibration,
    )


def predict(graph: FrozenGraph, target: Target) -> Analysis:
    return analyze(load_model(graph.path, outputs=graph.outputs), target)


def oracle_flags(case: IntegrationCase, run: RunParams, graph: FrozenGraph) -> dict:
    """The oracle request matching ``target_for`` (static engines run as dynamic ones:
    the oracle cannot build engines)."""
    flags = {"precision": run.precision_mode, "dynamic_shape": run.dynamic_shape,
             "minimum_segment_size": case.minimum_segment_size,
             "no_grappler": case.disable_non_trt_optimizers, "outputs": list(graph.outputs)}
    if run.precision_mode == "INT8" and not run.use_calibration:
        flags["int8_calibration"] = False
    return flags


def grappler_flags(flags: dict) -> dict:
    """The grappler-only request that shows the graph TF-TRT received."""
    return {"grappler_only": True, "no_grappler": flags["no_grappler"],
            "outputs": flags["outputs"]}


def oracle_conversion(result: dict, grappler_result: Optional[dict]) -> Conversion:
    nodes: frozenset = frozenset()
    if grappler_result is not None and grappler_result.get("graph_after_grappler"):
        graph = load_model(grappler_result["graph_after_grappler"]).graph
        nodes = frozenset(node.name for node in graph)
    return from_oracle(result, nodes)


def conversion_of(analysis: Analysis) -> Conversion:
    return from_analysis(analysis)
