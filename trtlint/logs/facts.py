"""Events -> the ``facts`` object, with exactly the keys and value shapes of the corpus
sidecars (``corpus/logs/*.json``, explained in that folder's INDEX.md).

A key is present only when the log shows evidence for it. Scalars that a log can state
several times (``candidate_segments``, ``unconverted``, ...) are a single value when stated
once and a list, in log order, when stated more than once. Repeated identical messages
that only matter by how often they occur (device warnings, the funcdef warning) are
counts.
"""

from __future__ import annotations

from typing import Any, Callable

from .model import LogEvent

Facts = dict[str, Any]


def _scalar_or_list(facts: Facts, key: str, value: Any) -> None:
    """First statement: the value; later ones turn the key into a list of all of them."""
    if key not in facts:
        facts[key] = value
        return
    current = facts[key]
    marker = f"__{key}_is_list"
    if not facts.get(marker):
        facts[key] = [current]
        facts[marker] = True
    facts[key].append(value)


def _append(facts: Facts, key: str, value: Any) -> None:
    facts.setdefault(key, []).append(value)


def _count(facts: Facts, key: str) -> None:
    facts[key] = facts.get(key, 0) + 1


def _engine(f: dict[str, Any], wording: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"name": f["name"], "segment": f["segment"], "nodes": f["nodes"],
                           "status": f["status"]}
    if f["reason"]:
        out["reason"] = f["reason"]
    if f["fallback_to_tf"]:
        out["fallback_to_tf"] = True
    if wording:
        out["wording"] = wording
    return out


def _grappler(f: dict[str, Any]) -> dict[str, Any]:
    return {"item": f["item"], "optimizer": f["optimizer"], "nodes_after": f["nodes_after"],
            "delta": f["delta"], "edges_after": f["edges_after"],
            "edges_delta": f["edges_delta"]}


def _op_report(facts: Facts, f: dict[str, Any]) -> None:
    if f["total_ops"] is not None:
        _scalar_or_list(facts, "report_total_nonconverted_ops", f["total_ops"])
    if f["total_types"] is not None:
        _scalar_or_list(facts, "report_total_nonconverted_op_types", f["total_types"])


def _segments_converted(facts: Facts, f: dict[str, Any]) -> None:
    entry = facts.setdefault("segments_converted_to_graph", {"count": 0, "scopes": []})
    entry["count"] += 1
    entry["scopes"].append(f["scope"])


def _quant_range(facts: Facts, f: dict[str, Any]) -> None:
    entry = facts.setdefault("quantization_range_not_found", {"count": 0, "tensors": []})
    entry["count"] += 1
    entry["tensors"].append(f["tensor"])


# kind -> how its event lands in the facts
_RULES: dict[str, Callable[[Facts, LogEvent], None]] = {
    "unconverted_summary": lambda F, e: _scalar_or_list(F, "unconverted", dict(e.fields)),
    "candidate_segments": lambda F, e: _scalar_or_list(F, "candidate_segments",
                                                       e.fields["count"]),
    "multiple_candidate_conversion": lambda F, e: _scalar_or_list(
        F, "multiple_tensorrt_candidate_conversion", e.fields["count"]),
    "engine_added": lambda F, e: _append(F, "engines", _engine(e.fields, None)),
    "engine_creation": lambda F, e: _append(F, "engines",
                                            _engine(e.fields, "engine_creation")),
    "replaced_segment": lambda F, e: _append(F, "replaced_segments", {
        "segment": e.fields["segment"], "nodes": e.fields["nodes"], "name": e.fields["name"]}),
    "cannot_replace_segment": lambda F, e: _append(F, "cannot_replace_segments", {
        "segment": e.fields["segment"], "nodes": e.fields["nodes"], "name": e.fields["name"],
        "reason": e.fields["reason"]}),
    "subgraph_conversion_error": lambda F, e: _append(F, "subgraph_conversion_errors",
                                                      dict(e.fields)),
    "finished_engine": lambda F, e: _append(F, "finished_engines", dict(e.fields)),
    "contrib_build_step": lambda F, e: _append(F, "contrib_build_steps", e.fields["step"]),
    "contrib_build_params": lambda F, e: _append(F, "contrib_build_params", dict(e.fields)),
    "segment_scope_converted": lambda F, e: _segments_converted(F, e.fields),
    "dropped_segment": lambda F, e: _append(F, "dropped_segments", dict(e.fields)),
    "validation_failed": lambda F, e: _append(F, "validation_failures", e.message),
    "engine_creation_failed_runtime": lambda F, e: _append(
        F, "engine_creation_failures_runtime",
        {"name": e.fields["name"], "reason": e.fields["reason"]}),
    "native_segment_retry": lambda F, e: _append(F, "native_segment_retries",
                                                 e.fields["name"]),
    # the TF 2.5+ successor of "retrying with native segment" on the same code path
    "engine_retrieval_failed": lambda F, e: _append(F, "native_segment_retries",
                                                    e.fields["name"]),
    "enqueue_failure": lambda F, e: _append(F, "enqueue_failures", e.fields["name"]),
    "input_node_not_found": lambda F, e: _append(F, "input_node_not_found",
                                                 e.fields["name"]),
    "op_requires_failed": lambda F, e: _append(F, "op_requires_failed", dict(e.fields)),
    "not_in_trt_cache": lambda F, e: _append(F, "not_in_trt_cache", e.fields["name"]),
    "engine_build": lambda F, e: _append(F, "engine_builds", dict(e.fields)),
    "calibration_thread": lambda F, e: _append(F, "calibration_threads", dict(e.fields)),
    "quantization_range_missing": lambda F, e: _quant_range(F, e.fields),
    "grappler_result": lambda F, e: _append(F, "grappler", _grappler(e.fields)),
    "grappler_did_nothing": lambda F, e: _append(F, "grappler_did_nothing", {
        "item": e.fields["item"], "optimizer": e.fields["optimizer"]}),
    "eligible_gpus": lambda F, e: _scalar_or_list(F, "grappler_eligible_gpus",
                                                  e.fields["count"]),
    "check_failed": lambda F, e: _append(F, "check_failed", e.fields["text"]),
    "crash_marker": lambda F, e: _append(F, "crash_markers", e.fields["text"]),
    "trt_logger": lambda F, e: _append(F, "trt_logger_messages", e.fields["text"]),
    "op_report": lambda F, e: _op_report(F, e.fields),
    "max_engines_no_effect": lambda F, e: _append(F, "max_allowed_engines_warning",
                                                  dict(e.fields)),
    "max_engines_limit": lambda F, e: _append(F, "max_allowed_engines_warning",
                                              dict(e.fields)),
    "segment_original_size": lambda F, e: _append(F, "vlog_segment_original_sizes",
                                                  e.fields["size"]),
    "segment_new_size": lambda F, e: _append(F, "vlog_segment_new_sizes", e.fields["size"]),
    "removed_output_node": lambda F, e: _append(F, "vlog_removed_output_nodes",
                                                dict(e.fields)),
    "segment_nodes": lambda F, e: e.fields["header"] and _append(
        F, "vlog_nodes_in_segment_headers",
        {"segment": e.fields["segment"], "parent": e.fields["parent"]}),
    "accepted_candidate": lambda F, e: _append(F, "accepted_candidates", dict(e.fields)),
    "not_candidate": lambda F, e: _append(F, "not_candidates", dict(e.fields)),
    "converted_segment": lambda F, e: _append(F, "converted_segment_graphdefs",
                                              e.fields["name"]),
    "native_segment_funcdef": lambda F, e: _append(F, "native_segment_funcdefs",
                                                   e.fields["name"]),
    "engine_added_to_graph": lambda F, e: _append(F, "trt_engines_added_to_graph",
                                                  e.fields["name"]),
    "segment_consists_of_nodes": lambda F, e: _append(F, "segment_consists_of_nodes",
                                                      list(e.fields["nodes"])),
    "funcdef_optimizer_warning": lambda F, e: _count(F, "funcdef_optimizer_warnings"),
    "tensorrt_version": lambda F, e: e.fields["which"] in ("Linked", "Loaded") and _append(
        F, "tensorrt_version_lines", f"{e.fields['which']}: {e.fields['version']}"),
    "tensorrt_mismatch": lambda F, e: _append(F, "tensorrt_mismatch", dict(e.fields)),
    "narrow_range_warning": lambda F, e: _append(F, "narrow_range_warnings",
                                                 e.fields["node"]),
    "no_tf_gpus": lambda F, e: _count(F, "could_not_find_tf_gpus"),
    "cant_identify_cuda_device": lambda F, e: _count(F, "cant_identify_cuda_device"),
    "cant_find_gpu_device": lambda F, e: _count(F, "cant_find_gpu_device"),
    "cant_determine_device_allocator": lambda F, e: _count(F,
                                                           "cant_determine_device_allocator"),
}


def build_facts(events: list[LogEvent]) -> Facts:
    """The sidecar-shaped facts of a log, keys in order of first evidence."""
    facts: Facts = {}
    for ev in events:
        rule = _RULES.get(ev.kind)
        if rule is not None:
            rule(facts, ev)
        if ev.tf_trt_warning:
            _append(facts, "tf_trt_warnings", ev.message)
    return {k: v for k, v in facts.items() if not k.startswith("__")}
