"""The JSON report (schema ``trtlint.report/1``, see DESIGN.md) built from an Analysis."""

from __future__ import annotations

from typing import Any

from .analysis import Analysis
from .summary import model_json, spec_json

SCHEMA = "trtlint.report/1"


def target_json(a: Analysis) -> dict[str, Any]:
    t = a.target
    return {"profile": t.profile, "precision": t.precision, "dynamic_shape": t.dynamic_shape,
            "minimum_segment_size": t.minimum_segment_size, "max_batch_size": t.max_batch_size}


def segment_json(seg) -> dict[str, Any]:
    return {"name": seg.name, "nodes": list(seg.nodes), "effective_nodes": seg.effective_nodes,
            "inputs": list(seg.inputs), "outputs": list(seg.outputs),
            "will_build": seg.will_build, "reason": seg.reason}


def report_json(a: Analysis, verbose: bool = False) -> dict[str, Any]:
    """The report object; ``verbose`` adds per-node decisions."""
    m = a.model
    out: dict[str, Any] = {
        "schema": SCHEMA,
        "model": model_json(m),
        "inputs": [spec_json(i) for i in m.inputs],
        "outputs": [spec_json(o) for o in m.outputs],
        "target": target_json(a),
        "segments": [segment_json(s) for s in a.segments],
        "unconverted": {"count": a.unconverted.count, "types": a.unconverted.types,
                        "by_type": a.unconverted.by_type},
        "coverage": {"nodes": round(a.node_coverage, 4),
                     "flops": None if a.flops_coverage is None else round(a.flops_coverage, 4)},
        "findings": [f.to_json() for f in a.findings],
        # beyond the DESIGN.md contract: what a reader of the numbers must know
        "tensorrt_pass_runs": a.tensorrt_pass_runs,
        "notes": a.all_notes,
    }
    if verbose:
        out["decisions"] = [
            {"node": d.node, "op": d.op, "supported": d.supported,
             "reasons": [{"code": r.code, "category": r.category, "message": r.message,
                          "fix": r.fix} for r in d.reasons]}
            for d in a.decisions.values()]
        out["dropped_segments"] = [
            {"index": d.index, "nodes": d.nodes, "effective_nodes": d.effective_nodes,
             "reason": d.reason} for d in a.segmentation.dropped]
    return out
