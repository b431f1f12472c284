"""Assemble the oracle's JSON result from the converted GraphDef and the parsed log.

Per engine the result carries two node lists, because they differ:

- `members`: the segment's exact membership, the nodes TF-TRT removed from the graph and replaced
  by the TRTEngineOp ("Replaced segment i consisting of M nodes": M == len(members)). This is what
  a prediction of TF-TRT's segmenter is compared with.
- `function_nodes` (alias `nodes`): the nodes of the engine's `*_native_segment` function in the
  converted graph, i.e. what runs when the engine falls back to TensorFlow. It is the members plus
  `copied_consts` (Consts feeding the segment from outside, which TF-TRT copies into every segment
  they feed), after grappler has optimized the function body too (it can drop a member, e.g. a
  Reshape to the shape its input already has).

`inputs` / `outputs` are the tensors crossing the segment boundary in engine-port order as logged;
TF-TRT numbers ports by edge id, which is not stable from run to run: compare them as sets.

Engine names carry the graph's sequence number in the process (TRTEngineOp_<seq>_<index>);
`name` is normalised to sequence 000, `raw_name` is what this process printed.
"""

from __future__ import annotations

from typing import Dict, List, Optional

from . import RUNNER_VERSION
from .logparse import ConversionLog, normalize_engine_name, tf_trt_records
from .models import PreparedModel
from .request import Request

_PLACEHOLDER_PREFIXES = ("TensorRTInputPH_", "TensorRTOutputPH_")


def target_of(request: Request) -> dict:
    return {"precision": request.precision, "minimum_segment_size": request.minimum_segment_size,
            "dynamic_shape": request.dynamic_shape, "no_grappler": request.no_grappler,
            "max_batch_size": request.max_batch_size, "layout_gpu": request.layout_gpu,
            "int8_calibration": request.int8_calibration}


def mode_of(request: Request) -> str:
    if request.grappler_only:
        return "grappler_only"
    return "dynamic_shape" if request.dynamic_shape else "implicit_batch_dynamic_engine"


def _function_nodes(graph_def, function_name: str) -> Optional[List[str]]:
    for function in graph_def.library.function:
        if function.signature.name == function_name:
            return sorted(node.name for node in function.node_def
                          if not node.name.startswith(_PLACEHOLDER_PREFIXES))
    return None


def _engines(graph_def) -> Dict[str, object]:
    return {node.name: node for node in graph_def.node if node.op == "TRTEngineOp"}


def segments_of(graph_def, log: ConversionLog) -> List[dict]:
    """One record per TRTEngineOp in the converted graph, sorted by (normalised) name."""
    facts = {segment.engine: segment for segment in log.segments}
    records = []
    for raw_name, node in _engines(graph_def).items():
        function_name = (node.attr["segment_func"].func.name if "segment_func" in node.attr
                         else raw_name + "_native_segment")
        fact = facts.get(raw_name)
        function_nodes = _function_nodes(graph_def, function_name)
        members = fact.members if fact else None
        records.append({
            "name": normalize_engine_name(raw_name),
            "raw_name": raw_name,
            "segment_func": normalize_engine_name(function_name),
            "members": members,
            "member_count": fact.member_count if fact else None,
            "members_complete": bool(fact and members is not None and len(members) == fact.member_count),
            "function_nodes": function_nodes,
            "nodes": function_nodes,
            "copied_consts": fact.copied_consts if fact else [],
            "inputs": fact.inputs if fact else [],
            "outputs": fact.outputs if fact else [],
        })
    return sorted(records, key=lambda record: record["name"])


def failed_segments_of(log: ConversionLog) -> List[dict]:
    """Segments TF-TRT could not replace by an engine: their nodes stay in TensorFlow."""
    return [{"name": normalize_engine_name(s.engine), "raw_name": s.engine, "members": s.members,
             "member_count": s.member_count, "reason": s.reason}
            for s in log.segments if not s.replaced]


def conversion_result(request: Request, model: PreparedModel, graph_def, log: ConversionLog,
                      tensorflow_version: str) -> dict:
    notes = list(model.notes)
    if not log.pass_ran:
        # Measured on 005_tfserving_counter_stateful (one node once frozen).
        notes.append("TensorRTOptimizer was not called on the graph: grappler leaves graphs of fewer "
                     "than RewriterConfig.min_graph_nodes (4) nodes alone")
    return {
        "runner_version": RUNNER_VERSION,
        "tensorflow": tensorflow_version,
        "model": request.model,
        "format": model.format,
        "converter": model.converter,
        "notes": notes,
        "tensorrt_pass_ran": log.pass_ran,
        "mode": mode_of(request),
        "target": target_of(request),
        # Static engines cannot be built with the stub TensorRT: run as dynamic engines instead.
        "max_batch_size_ignored": request.max_batch_size is not None,
        "inputs": model.inputs,
        "outputs": model.outputs,
        "segments": segments_of(graph_def, log),
        "failed_segments": failed_segments_of(log),
        "candidate_segments": log.candidate_segments,
        "dropped_segments": log.dropped_segments,
        "engine_info_failures": log.engine_info_failures,
        "unconverted": log.unconverted,
        # Per node: why TF-TRT's segmenter did not accept it (graph after grappler; TF-TRT's words).
        "rejected_nodes": log.rejected_nodes,
        "graph_out": request.graph_out,
        "graph_after_grappler": None,
        "log": tf_trt_records(log.records),
    }


def grappler_result(request: Request, model: PreparedModel, graph_def, log_records: List[str],
                    tensorflow_version: str) -> dict:
    op_types: Dict[str, int] = {}
    for node in graph_def.node:
        op_types[node.op] = op_types.get(node.op, 0) + 1
    return {
        "runner_version": RUNNER_VERSION,
        "tensorflow": tensorflow_version,
        "model": request.model,
        "format": model.format,
        "converter": model.converter,
        "notes": model.notes,
        "mode": "grappler_only",
        "target": target_of(request),
        "inputs": model.inputs,
        "outputs": model.outputs,
        "nodes": len(graph_def.node),
        "op_types": dict(sorted(op_types.items())),
        "graph_after_grappler": request.graph_out,
        "log": log_records,
    }
