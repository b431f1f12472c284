"""Messages of TF-TRT's segmenter (``segment/segment.cc``): which nodes are candidates,
which segments survive, what is reported as not converted."""

from __future__ import annotations

import re

from ..patterns import Fields, drop_closing_paren, groups, ints, pattern


def _unconverted_summary(m: re.Match[str]) -> Fields:
    """"There are N ops of M different types ...: A, B, (For more information see ...)."

    The type list is comma separated with a trailing comma before the link (TF 1.x - 2.7)."""
    listed = m.group("types")
    cut = listed.find("(For more information")
    if cut >= 0:
        listed = listed[:cut]
    types = [t.strip().rstrip(".") for t in listed.split(",")]
    return {"count": int(m.group("count")), "type_count": int(m.group("type_count")),
            "types": [t for t in types if t]}


def _not_candidate(m: re.Match[str]) -> Fields:
    return {"op_type": m.group("op_type"), "op_name": m.group("op_name"),
            "reason": m.group("reason")}


def _accepted(m: re.Match[str]) -> Fields:
    return {"op_type": m.group("op_type"), "op_name": drop_closing_paren(m.group("op_name"))}


def _selection(m: re.Match[str]) -> Fields:
    new_id = m.group("new_id")
    return {"segment": int(m.group("segment")), "nodes": int(m.group("nodes")),
            "decision": m.group("decision"),
            "new_segment": None if new_id is None else int(new_id)}


PATTERNS = (
    pattern("unconverted_summary",
            r"There are (?P<count>\d+) ops of (?P<type_count>\d+) different types in the "
            r"graph that are not converted to TensorRT:\s*(?P<types>.*)$",
            _unconverted_summary, ends=r"[.)]\s*$"),
    pattern("segment_original_size", r"Segment original size: (?P<size>\d+)", ints("size")),
    pattern("segment_new_size", r"Segment new size: (?P<size>\d+)", ints("size")),
    pattern("dropped_segment",
            r"Segment (?P<segment>\d+) has only (?P<effective_nodes>\d+) effective nodes?, "
            r"dropping", ints("segment", "effective_nodes"), start="Segment "),
    pattern("segment_nodes_header",
            r"Nodes in segment (?P<segment>\d+) with parent=(?P<parent>.*?):?\s*$",
            groups(segment=int, parent=str)),
    pattern("not_candidate",
            r"Not a TF-TRT candidate, \(Op type: (?P<op_type>.*?)\), "
            r"\(Op name: (?P<op_name>.*?)\), \(Reason: (?P<reason>.*)\)\s*$",
            _not_candidate, era="tf2tensorrt"),
    pattern("accepted_candidate",
            r"Accepted as a TF-TRT candidate, \(Op type: (?P<op_type>.*?)\), "
            r"\(Op name: (?P<op_name>.*)$", _accepted, era="tf2tensorrt"),
    pattern("max_engines_no_effect",
            r"The environment variable TF_TRT_MAX_ALLOWED_ENGINES=(?P<max_allowed_engines>\d+)"
            r" has no effect since there are only (?P<engines>\d+) TRT Engines with\s+at "
            r"least minimum_segment_size=(?P<minimum_segment_size>\d+) nodes",
            ints("max_allowed_engines", "engines", "minimum_segment_size"),
            era="tf2tensorrt"),
    pattern("max_engines_limit",
            r"A total of (?P<engines>\d+) segments with at least minimum_segment_size="
            r"(?P<minimum_segment_size>\d+) nodes have been found\. TF-TRT will only convert "
            r"the (?P<max_allowed_engines>\d+) largest segments",
            ints("max_allowed_engines", "engines", "minimum_segment_size"),
            era="tf2tensorrt"),
    pattern("segment_selection",
            r"\[\*\] Segment (?P<segment>\d+) \[node count: (?P<nodes>\d+)\] "
            r"(?P<decision>accepted|rejected)(?:\. Re-assigned segment id=(?P<new_id>\d+))?",
            _selection, era="tf2tensorrt"),
    pattern("op_report_header", r"TensorRT unsupported/non-converted OP Report:?",
            lambda m: {}, era="tf2tensorrt"),
)
