"""Messages of the conversion pass (``convert/convert_graph.cc``, ``convert_nodes.cc``):
one line per segment that became (or failed to become) a TRTEngineOp, and the verbose
bookkeeping around it.

Wordings by era:

- contrib, 2018 (TF 1.7 - 1.10): "MULTIPLE tensorrt candidate conversion: K",
  "subgraph conversion error for subgraph_index:N due to: "..." SKIPPING......( K nodes)",
  "Segment @scope 'S', converted to graph", engine build steps ("starting build engine",
  ..., "finished engine X containing N nodes");
- contrib, late 2018 - TF 1.13, and tf2tensorrt up to TF 2.0:
  "TensorRT node X added for segment N consisting of M nodes succeeded|failed: R. Fallback
  to TF..." (also "Engine [X ]creation for segment N, composed of M nodes ...");
- tf2tensorrt, TF 2.1+: "Replaced segment N consisting of M nodes by X." and
  "[TF-TRT Warning: ]Cannot replace segment N consisting of M nodes by X reason: R
  (keeping original segment)."
"""

from __future__ import annotations

import re

from ..patterns import Fields, groups, ints, nothing, pattern


def _outcome(status: str, tail: str) -> Fields:
    """Split what follows "succeeded"/"failed": ": REASON. Fallback to TF...",
    ": REASON. Skipping...", ". Skipping" or just "."."""
    text = tail.strip()
    fallback = False
    skipping = False
    for marker in ("Fallback to TF", "Skipping"):
        cut = text.rfind(marker)
        if cut >= 0 and not text[cut + len(marker):].strip(". "):
            text = text[:cut].rstrip()
            if marker == "Fallback to TF":
                fallback = True
            else:
                skipping = True
    if text.endswith("."):
        text = text[:-1]
    reason = text[1:].strip() if text.startswith(":") else None
    return {"status": status, "reason": reason or None, "fallback_to_tf": fallback,
            "skipping": skipping}


def _engine_added(m: re.Match[str]) -> Fields:
    return {"name": m.group("name"), "segment": int(m.group("segment")),
            "nodes": int(m.group("nodes")), **_outcome(m.group("status"), m.group("tail"))}


def _cannot_replace(m: re.Match[str]) -> Fields:
    return {"segment": int(m.group("segment")), "nodes": int(m.group("nodes")),
            "name": m.group("name"), "reason": m.group("reason").strip()}


def _node_list(m: re.Match[str]) -> Fields:
    # "Segment consists of nodes: a, b, c, " (trailing separator as printed); TensorFlow
    # node names cannot contain commas, so splitting on them is exact
    names = [x.strip() for x in m.group("nodes").split(",")]
    return {"nodes": [x for x in names if x]}


def _subgraph_error(m: re.Match[str]) -> Fields:
    return {"subgraph_index": int(m.group("index")), "reason": m.group("reason"),
            "nodes": int(m.group("nodes"))}


#: contrib's engine build progress lines (convert_nodes.cc, 2018), verbatim
CONTRIB_BUILD_STEPS = ("starting build engine", "Built network", "Serialized engine",
                       "Finished op preparation", "OK finished op building")

PATTERNS = (
    pattern("candidate_segments", r"Number of TensorRT candidate segments: (?P<count>\d+)",
            ints("count")),
    pattern("multiple_candidate_conversion",
            r"MULTIPLE tensorrt candidate conversion: (?P<count>\d+)", ints("count"),
            era="contrib"),
    pattern("engine_added",
            r"TensorRT node (?P<name>\S+) added for segment (?P<segment>\d+) consisting of "
            r"(?P<nodes>\d+) nodes (?P<status>succeeded|failed)(?P<tail>.*)$",
            _engine_added, ends=r"(?:succeeded|\.)\s*$"),
    pattern("engine_creation",
            r"Engine (?:(?P<name>\S+) )?creation for segment (?P<segment>\d+), composed of "
            r"(?P<nodes>\d+) nodes (?P<status>succeeded|failed)(?P<tail>.*)$",
            _engine_added, start="Engine ", era="contrib"),
    pattern("replaced_segment",
            r"Replaced segment (?P<segment>\d+) consisting of (?P<nodes>\d+) nodes by "
            r"(?P<name>\S+?)\.?\s*$", groups(segment=int, nodes=int, name=str),
            era="tf2tensorrt", ends=r"\.\s*$"),
    pattern("cannot_replace_segment",
            r"Cannot replace segment (?P<segment>\d+) consisting of (?P<nodes>\d+) nodes by "
            r"(?P<name>\S+) reason: (?P<reason>.*?)\s*\(keeping original segment\)\.?\s*$",
            _cannot_replace, era="tf2tensorrt"),
    pattern("subgraph_conversion_error",
            r"subgraph conversion error for subgraph_index:\s*(?P<index>\d+) due to: "
            r"\"(?P<reason>.*)\" SKIPPING\.*\(\s*(?P<nodes>\d+) nodes\)",
            _subgraph_error, era="contrib"),
    pattern("finished_engine", r"finished engine (?P<name>\S+) containing (?P<nodes>\d+) nodes",
            groups(name=str, nodes=int), era="contrib"),
    pattern("contrib_build_params",
            r"Max batch size= ?(?P<max_batch_size>\d+) max workspace size= ?"
            r"(?P<max_workspace_size>\d+)", ints("max_batch_size", "max_workspace_size"),
            era="contrib"),
    *(pattern("contrib_build_step", re.escape(step) + r"\s*$",
              (lambda s: lambda m: {"step": s})(step), start=step, era="contrib")
      for step in CONTRIB_BUILD_STEPS),
    pattern("segment_scope_converted",
            r"Segment @scope '(?P<scope>.*)', converted to graph", groups(scope=str),
            era="contrib"),
    pattern("validation_failed",
            r"Validation failed for (?P<tensor>\S+?)(?: and input slot (?P<slot>\d+))?: "
            r"(?P<detail>.*)$", groups(tensor=str, slot=int, detail=str)),
    pattern("validation_failed", r"Validation failed for (?P<detail>.*)$",
            groups(detail=str)),
    pattern("removed_output_node",
            r"--> Need to remove output node (?P<node>\S+) which is a (?P<op>[^\s.]+)",
            groups(node=str, op=str)),
    pattern("converted_segment",
            r"Converted TensorRT candidate segment '(?P<name>.*)' to a GraphDef",
            groups(name=str)),
    pattern("native_segment_funcdef", r"Adding funcdef (?P<name>\S+) to graphlib",
            groups(name=str)),
    pattern("engine_added_to_graph", r"Adding TRTEngine (?P<name>\S+) to graph",
            groups(name=str)),
    pattern("const_copied_into_segment", r"Adding const node (?P<node>\S+)",
            groups(node=str)),
    pattern("segment_consists_of_nodes", r"Segment consists of nodes:\s*(?P<nodes>.*)$",
            _node_list),
    pattern("funcdef_optimizer_warning",
            r"TensorRTOptimizer is probably called on funcdef", nothing),
    pattern("narrow_range_warning",
            r"(?P<node>\S+) has narrow_range=true", groups(node=str),
            needle="narrow_range=true"),
    pattern("trt_pass_item",
            r"Called TRTOptimization Pass (?P<optimizer>\S+) on a grappler item with "
            r"id=(?P<item>.*)$", groups(optimizer=str, item=str), era="tf2tensorrt"),
)
