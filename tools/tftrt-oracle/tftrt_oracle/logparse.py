"""Read what TF-TRT 2.17 logged during one conversion pass. Pure Python: no TensorFlow needed.

The oracle turns on TF-TRT's verbose logging (TF_CPP_VMODULE=segment=2,convert_graph=2,...), so
besides the INFO/WARNING lines every TF-TRT user sees, the log carries what the converter knows
about each segment. The facts used here, all from tensorflow/compiler/tf2tensorrt in TF 2.17:

- segment.cc decides per node (VLOG 2) "Not a TF-TRT candidate, (Op type: T), (Op name: N),
  (Reason: R)" or "Accepted as a TF-TRT candidate, ...": the truth behind trtlint's per-node
  support verdicts.
- segment.cc prints the "TensorRT unsupported/non-converted OP Report" (a WARNING whose lines
  follow the first one without a log prefix): one "- Op -> Nx" line per op type (with
  TF_TRT_SHOW_DETAILED_REPORT=1 followed by "- [Count: Kx] reason" lines), then
  "Total nonconverted OPs: N" and "Total nonconverted OP Types: M".
- convert_graph.cc prints "Number of TensorRT candidate segments: K" once segmentation is done.
- For each candidate segment t it builds the engine description (GetEngineInfo). Every tensor
  entering the segment from outside is logged (VLOG 1) as "Input edge = node:port", every tensor
  leaving it as "Output edge = node:port" (the first mention of a tensor fixes its engine port),
  except that a Const feeding the segment is copied into the segment's function instead,
  logged as "Adding const node NAME". The description ends with
  "Converted TensorRT candidate segment 'ENGINE' to a GraphDef".
- It then creates one TRTEngineOp per segment and logs "Replaced segment i consisting of M nodes
  by ENGINE." (or the "Cannot replace segment ... reason: ... (keeping original segment)." warning),
  immediately followed (VLOG 1) by "Segment consists of nodes: a, b, c, ". M and that list are the
  segment's exact membership: the nodes removed from the graph. Copied consts are not in it.

The log is a sequence of records: a record starts with a log prefix (C++ timestamped lines,
absl-style "I0000 ..." lines, Python "WARNING:..." lines) and continues over unprefixed lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional

_RECORD_START = re.compile(
    r"^(?:\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?: [IWEF] "  # TF C++ logging
    r"|[IWEF]\d{4} \d\d:\d\d:\d\d"                               # absl logging
    r"|(?:INFO|WARNING|ERROR|CRITICAL|DEBUG|FATAL):"            # Python logging
    r"|\[trt-stub\] )"
)
# Engine names: "TRTEngineOp_<graph sequence number>_<segment index>", both zero-padded to 3.
ENGINE_NAME = re.compile(r"TRTEngineOp_(\d+)_(\d+)")

_REPORT_HEADER = "TensorRT unsupported/non-converted OP Report"
_REPORT_OP = re.compile(r"^\s*-\s+(\S+)\s+->\s+(\d+)x\s*$")
_REPORT_REASON = re.compile(r"^\s*-\s+\[Count:\s*(\d+)x\]\s+(.*?)\s*$")
_NOT_CANDIDATE = re.compile(r"\] Not a TF-TRT candidate, \(Op type: (.*?)\), \(Op name: (.*?)\), \(Reason: (.*)\)\s*$", re.S)
# TF-TRT's graph has these two bookkeeping nodes; they are not nodes of the model.
_GRAPH_BOOKKEEPING = ("_SOURCE", "_SINK")
_REPORT_TOTAL = re.compile(r"Total nonconverted OPs:\s*(\d+)")
_REPORT_TYPES = re.compile(r"Total nonconverted OP Types:\s*(\d+)")
_PASS_CALLED = re.compile(r"Called TRTOptimization Pass \S+ on a grappler item with id=tf_graph")
_CANDIDATES = re.compile(r"Number of TensorRT candidate segments: (\d+)")
_ADDING_CONST = re.compile(r"\] Adding const node (\S+)\s*$")
_EDGE = re.compile(r"\] (Input|Output) edge = (\S+)\s*$")
_CONVERTED = re.compile(r"Converted TensorRT candidate segment '([^']+)' to a GraphDef")
_ENGINE_INFO_FAILED = re.compile(r"Failed to get engine info for segment (\d+): (.*)", re.S)
_REPLACED = re.compile(r"\] Replaced segment (\d+) consisting of (\d+) nodes by (\S+)\.\s*$")
_CANNOT_REPLACE = re.compile(
    r"Cannot replace segment (\d+) consisting of (\d+) nodes by (\S+) reason: (.*) \(keeping original segment\)\.",
    re.S)
_CONSISTS_OF = re.compile(r"\] Segment consists of nodes: (.*)$", re.S)
_DROPPING = re.compile(r"Segment (\d+) has only (\d+) effective nodes, dropping")


def split_records(text: str) -> List[str]:
    """Split a captured log into records, joining continuation lines to the record they belong to."""
    records: List[str] = []
    for line in text.splitlines():
        if _RECORD_START.match(line) or not records:
            records.append(line)
        else:
            records[-1] += "\n" + line
    return records


def normalize_engine_name(name: str) -> str:
    """Set the graph sequence number of TRTEngineOp names to 000.

    TF-TRT numbers every graph it converts in a process (a static counter), so the third graph
    converted in one process gets TRTEngineOp_002_000 where a fresh process says
    TRTEngineOp_000_000. The normalised name is what a single conversion would print.
    """
    return ENGINE_NAME.sub(lambda m: "TRTEngineOp_" + "0" * len(m.group(1)) + "_" + m.group(2), name)


@dataclass
class SegmentFacts:
    """What the log says about one candidate segment that reached engine creation."""

    engine: str                      # raw engine name as logged
    index: int                       # i in "Replaced segment i" (position among converted segments)
    member_count: int                # M in "... consisting of M nodes"
    members: Optional[List[str]]     # "Segment consists of nodes:" list; None if not logged
    replaced: bool                   # False: "Cannot replace segment", the nodes stay in TensorFlow
    reason: Optional[str] = None     # why it could not be replaced
    copied_consts: List[str] = field(default_factory=list)
    inputs: List[str] = field(default_factory=list)    # outside tensors feeding the engine, by port
    outputs: List[str] = field(default_factory=list)   # segment tensors the engine outputs, by port


@dataclass
class ConversionLog:
    """Everything the oracle reads from one conversion's log."""

    records: List[str]
    unconverted: Optional[dict]
    candidate_segments: Optional[int]
    segments: List[SegmentFacts]
    dropped_segments: List[int]              # effective sizes of segments dropped as too small
    engine_info_failures: List[str]
    rejected_nodes: Dict[str, dict]          # node -> {"op", "reason"}: not a TF-TRT candidate
    pass_ran: bool                           # TensorRTOptimizer was called on the main graph


def parse_unconverted_report(records: List[str]) -> Optional[dict]:
    """The first "non-converted OP Report" as {"count", "type_count", "types": {op: n}, "reasons"}.

    `reasons` ({op: {reason: n}}) is filled only by a detailed report
    (TF_TRT_SHOW_DETAILED_REPORT=1). The first report is the main graph's; TF-TRT 2.17 does not
    convert function bodies.
    """
    for record in records:
        if _REPORT_HEADER not in record:
            continue
        types: Dict[str, int] = {}
        reasons: Dict[str, Dict[str, int]] = {}
        current: Optional[str] = None
        for line in record.splitlines():
            match = _REPORT_OP.match(line)
            if match:
                current = match.group(1)
                types[current] = types.get(current, 0) + int(match.group(2))
            elif current and (match := _REPORT_REASON.match(line)):
                by_reason = reasons.setdefault(current, {})
                by_reason[match.group(2)] = by_reason.get(match.group(2), 0) + int(match.group(1))
        total = _REPORT_TOTAL.search(record)
        type_total = _REPORT_TYPES.search(record)
        return {
            "count": int(total.group(1)) if total else sum(types.values()),
            "type_count": int(type_total.group(1)) if type_total else len(types),
            "types": types,
            "reasons": reasons,
        }
    return None


def _split_node_list(text: str) -> List[str]:
    # The list is "a, b, c, ": node names never contain ", " (TF's node-name grammar has no
    # spaces or commas), so splitting on it is exact.
    return [name for name in (part.strip() for part in text.split(", ")) if name]


def parse_conversion_log(text: str) -> ConversionLog:
    """Parse a captured TF-TRT conversion log (one TensorRTOptimizer run on the main graph)."""
    records = split_records(text)
    candidates: Optional[int] = None
    segments: List[SegmentFacts] = []
    dropped: List[int] = []
    engine_info_failures: List[str] = []
    rejected: Dict[str, dict] = {}
    # What GetEngineInfo logs for the engine being described, until it names the engine.
    pending: Dict[str, List[str]] = {"consts": [], "Input": [], "Output": []}
    described: Dict[str, Dict[str, List[str]]] = {}
    last: Optional[SegmentFacts] = None       # the segment whose node list comes next

    for record in records:
        if m := _NOT_CANDIDATE.search(record):
            if m.group(2) not in _GRAPH_BOOKKEEPING:
                rejected[m.group(2)] = {"op": m.group(1), "reason": " ".join(m.group(3).split())}
        elif candidates is None and (m := _CANDIDATES.search(record)):
            candidates = int(m.group(1))
        elif m := _DROPPING.search(record):
            dropped.append(int(m.group(2)))
        elif m := _ADDING_CONST.search(record):
            pending["consts"].append(m.group(1))
        elif m := _EDGE.search(record):
            if m.group(2) not in pending[m.group(1)]:
                pending[m.group(1)].append(m.group(2))
        elif m := _CONVERTED.search(record):
            described[m.group(1)] = pending
            pending = {"consts": [], "Input": [], "Output": []}
        elif m := _ENGINE_INFO_FAILED.search(record):
            engine_info_failures.append(" ".join(m.group(0).split()))
            pending = {"consts": [], "Input": [], "Output": []}
        elif m := _REPLACED.search(record):
            last = SegmentFacts(engine=m.group(3), index=int(m.group(1)), member_count=int(m.group(2)),
                                members=None, replaced=True)
            segments.append(last)
        elif m := _CANNOT_REPLACE.search(record):
            last = SegmentFacts(engine=m.group(3), index=int(m.group(1)), member_count=int(m.group(2)),
                                members=None, replaced=False, reason=" ".join(m.group(4).split()))
            segments.append(last)
        elif (m := _CONSISTS_OF.search(record)) and last is not None and last.members is None:
            last.members = sorted(_split_node_list(m.group(1)))

    for segment in segments:
        facts = described.get(segment.engine, {})
        segment.copied_consts = sorted(facts.get("consts", []))
        segment.inputs = list(facts.get("Input", []))
        segment.outputs = list(facts.get("Output", []))
    return ConversionLog(records=records, unconverted=parse_unconverted_report(records),
                         candidate_segments=candidates, segments=segments, dropped_segments=dropped,
                         engine_info_failures=engine_info_failures, rejected_nodes=rejected,
                         pass_ran=any(_PASS_CALLED.search(record) for record in records))


_TF_TRT_RECORD = re.compile(r"tf2tensorrt|TF-TRT|TensorRT|trt_convert|\[trt-stub\]")


def tf_trt_records(records: List[str]) -> List[str]:
    """The records a TF-TRT user would look at: those from or about TF-TRT."""
    return [record for record in records if _TF_TRT_RECORD.search(record)]
