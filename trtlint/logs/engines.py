"""Events -> one :class:`EngineRecord` per TRTEngineOp (or segment that did not become one).

How the pieces of one engine are spread over the log (TF 2.17, verbose):

    Adding const node Pad_1/paddings                              (consts copied in)
    Converted TensorRT candidate segment 'TRTEngineOp_000_001' to a GraphDef
    ...
    Replaced segment 1 consisting of 31 nodes by TRTEngineOp_000_001.
    Segment consists of nodes: Pad_1, Relu_4, ...

The engine's full node list (what its ``*_native_segment`` function holds) is the listed
segment plus the copied constants. Older logs give one line per engine ("TensorRT node X
added for segment N ..."), contrib logs their own wordings; runtime messages (an engine
that fails at run time and falls back to its native segment) mark the engine afterwards.
"""

from __future__ import annotations

from typing import Optional

from .model import EngineRecord, LogEvent


def _names_match(logged: str, name: Optional[str]) -> bool:
    """Runtime messages may print the engine with or without its scope prefix."""
    if not name:
        return False
    return logged == name or logged.endswith("/" + name) or name.endswith("/" + logged)


def build_engines(events: list[LogEvent]) -> list[EngineRecord]:
    engines: list[EngineRecord] = []
    pending_consts: list[str] = []
    consts_by_engine: dict[str, list[str]] = {}
    last_conversion: Optional[EngineRecord] = None   # receives "Segment consists of nodes"
    limit: Optional[int] = None

    def add(record: EngineRecord) -> EngineRecord:
        engines.append(record)
        return record

    for ev in events:
        f = ev.fields
        kind = ev.kind
        if kind == "const_copied_into_segment":
            pending_consts.append(f["node"])
        elif kind == "converted_segment":
            consts_by_engine[f["name"]] = pending_consts
            pending_consts = []
        elif kind in ("engine_added", "engine_creation"):
            failed = f["status"] == "failed"
            last_conversion = add(EngineRecord(
                name=f["name"], segment=f["segment"], nodes=f["nodes"], status=f["status"],
                reason=f["reason"], fallback_to_tf=failed, line=ev.line))
        elif kind == "replaced_segment":
            last_conversion = add(EngineRecord(
                name=f["name"], segment=f["segment"], nodes=f["nodes"], status="replaced",
                const_nodes=list(consts_by_engine.get(f["name"], ())), line=ev.line))
        elif kind == "cannot_replace_segment":
            last_conversion = add(EngineRecord(
                name=f["name"], segment=f["segment"], nodes=f["nodes"],
                status="cannot_replace", reason=f["reason"], fallback_to_tf=True,
                const_nodes=list(consts_by_engine.get(f["name"], ())), line=ev.line))
        elif kind == "segment_consists_of_nodes":
            if last_conversion is not None and last_conversion.node_names is None:
                names = list(f["nodes"])
                seen = set(names)
                names += [c for c in last_conversion.const_nodes if c not in seen]
                last_conversion.node_names = names
        elif kind == "subgraph_conversion_error":
            add(EngineRecord(name=None, segment=f["subgraph_index"], nodes=f["nodes"],
                             status="failed", reason=f["reason"], fallback_to_tf=True,
                             line=ev.line))
        elif kind == "finished_engine":
            if not any(e.name == f["name"] for e in engines):
                add(EngineRecord(name=f["name"], segment=None, nodes=f["nodes"],
                                 status="succeeded", line=ev.line))
        elif kind == "dropped_segment":
            add(EngineRecord(name=None, segment=f["segment"], nodes=None, status="dropped",
                             reason=f"only {f['effective_nodes']} effective nodes "
                                    "(fewer than minimum_segment_size)", line=ev.line))
        elif kind == "max_engines_limit":
            limit = f["max_allowed_engines"]
        elif kind == "segment_selection" and f["decision"] == "rejected":
            add(EngineRecord(name=None, segment=f["segment"], nodes=f["nodes"],
                             status="dropped",
                             reason="not among the "
                                    f"{limit if limit is not None else 'N'} largest segments "
                                    "(TF_TRT_MAX_ALLOWED_ENGINES)", line=ev.line))
        elif kind in ("engine_creation_failed_runtime", "native_segment_retry",
                      "engine_retrieval_failed", "enqueue_failure"):
            for record in engines:
                if _names_match(f["name"], record.name):
                    record.runtime_fallback = True
    return engines
