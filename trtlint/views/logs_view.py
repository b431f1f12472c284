"""Rich rendering of a parsed TF-TRT log (:class:`~trtlint.logs.LogReport`).

Order: what the log is (era, versions, size), what became an engine and what did not,
which ops stayed in TensorFlow and why, grappler's effect on the graph, then everything
that went wrong (crashes first). Long lists are cut; ``--format json`` has them all.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Iterable, Optional

from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..logs import LogReport

ERA_TEXT = {
    "contrib": "contrib (tensorflow/contrib/tensorrt, TF 1.7 - 1.13)",
    "tf2tensorrt": "tf2tensorrt (tensorflow/compiler/tf2tensorrt, TF 1.14 - 2.17)",
}
STATUS_STYLE = {"succeeded": "green", "replaced": "green", "failed": "red",
                "cannot_replace": "red", "dropped": "yellow"}
MAX_ROWS = 40


def _more(table: Table, hidden: int, columns: int) -> None:
    if hidden > 0:
        table.add_row(f"… {hidden} more (see --format json)", *[""] * (columns - 1))


def _tally(items: Iterable[str]) -> list[tuple[str, int]]:
    """Distinct texts with how often they occur, most frequent first, log order on ties."""
    return Counter(items).most_common()


def _header(report: LogReport, path: Optional[str]) -> Panel:
    text = Text()
    if path:
        text.append(f"{path}\n", style="bold")
    text.append("TF-TRT era: ")
    text.append(ERA_TEXT.get(report.era or "", "not identifiable from the lines present"))
    versions = report.tensorrt_versions
    if versions:
        shown = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in versions.items())
        text.append(f"\nTensorRT: {shown}")
    text.append(f"\n{report.line_count} lines, {len(report.events)} recognised messages")
    if report.candidate_segments is not None:
        text.append(f"\ncandidate segments: {report.candidate_segments}")
    statuses = Counter(e.status for e in report.engines)
    if statuses:
        text.append("\nsegments/engines: " + ", ".join(
            f"{n} {status.replace('_', ' ')}" for status, n in statuses.items()))
    return Panel(text, title="trtlint logs", expand=False)


def _engines_table(report: LogReport) -> Optional[Table]:
    rows = [e for e in report.engines if e.status != "dropped"]
    if not rows:
        return None
    table = Table(title="Engines", title_justify="left")
    for col, justify in (("engine", "left"), ("segment", "right"), ("nodes", "right"),
                         ("status", "left"), ("reason", "left")):
        table.add_column(col, justify=justify, overflow="fold")
    for e in rows[:MAX_ROWS]:
        reason = e.reason or ""
        if e.fallback_to_tf:
            reason = (reason + " " if reason else "") + "→ runs in TensorFlow"
        if e.runtime_fallback:
            reason = (reason + " " if reason else "") + "(fell back to native segment at run time)"
        table.add_row(e.name or "(unnamed)", "" if e.segment is None else str(e.segment),
                      "" if e.nodes is None else str(e.nodes),
                      Text(e.status, style=STATUS_STYLE.get(e.status, "")), reason)
    _more(table, len(rows) - MAX_ROWS, 5)
    return table


def _dropped_line(report: LogReport) -> Optional[Text]:
    dropped = report.engines_with_status("dropped")
    if not dropped:
        return None
    reasons = _tally((e.reason or "").split(" (")[0] for e in dropped)
    text = Text(f"{len(dropped)} segments dropped before conversion: ", style="yellow")
    text.append("; ".join(f"{n}× {r}" for r, n in reasons))
    return text


def _unconverted(report: LogReport) -> Optional[Table | Text]:
    """The OP report as a table; the older one-line summary (types only) as a list."""
    unconverted = report.unconverted
    if unconverted is None:
        return None
    title = "Not converted to TensorRT"
    if unconverted.count is not None:
        title += f": {unconverted.count} ops of {unconverted.type_count} types"
    if unconverted.per_type is None:
        text = Text(title + "\n", style="bold")
        text.append(", ".join(unconverted.types), style="")
        return text
    table = Table(title=title, title_justify="left")
    table.add_column("op type")
    table.add_column("count", justify="right")
    table.add_column("why", overflow="fold")
    per_type = unconverted.per_type or {}
    reasons = unconverted.reasons or {}
    for op in unconverted.types[:MAX_ROWS]:
        why = "; ".join(f"{n}× {r}" if len(reasons[op]) > 1 else r
                        for n, r in reasons[op]) if op in reasons else ""
        table.add_row(op, str(per_type[op]) if op in per_type else "", why)
    _more(table, len(unconverted.types) - MAX_ROWS, 3)
    return table


def _not_candidate_table(report: LogReport) -> Optional[Table]:
    if not report.not_candidates:
        return None
    by_reason: dict[str, Counter[str]] = {}
    for nc in report.not_candidates:
        by_reason.setdefault(nc.reason, Counter())[nc.op_type] += 1
    table = Table(title=f"Not TF-TRT candidates ({len(report.not_candidates)} nodes)",
                  title_justify="left")
    table.add_column("reason", overflow="fold")
    table.add_column("nodes", justify="right")
    table.add_column("op types", overflow="fold")
    ranked = sorted(by_reason.items(), key=lambda kv: -sum(kv[1].values()))
    for reason, ops in ranked[:MAX_ROWS]:
        table.add_row(reason, str(sum(ops.values())),
                      ", ".join(f"{op}×{n}" for op, n in ops.most_common()))
    _more(table, len(ranked) - MAX_ROWS, 3)
    return table


def _grappler_table(facts: dict[str, Any]) -> Optional[Table]:
    steps = facts.get("grappler")
    if not steps:
        return None
    table = Table(title="Grappler (Graph size after each optimizer)", title_justify="left")
    for col, justify in (("item", "left"), ("optimizer", "left"), ("nodes", "right"),
                         ("Δ", "right"), ("edges", "right"), ("Δ", "right")):
        table.add_column(col, justify=justify, overflow="fold")
    for s in steps[:MAX_ROWS]:
        style = "bold" if s["optimizer"] == "TensorRTOptimizer" else ""
        table.add_row(s["item"] or "?", Text(s["optimizer"], style=style), str(s["nodes_after"]),
                      f"{s['delta']:+d}", str(s["edges_after"]), f"{s['edges_delta']:+d}")
    _more(table, len(steps) - MAX_ROWS, 6)
    return table


def _problems(report: LogReport) -> list[Text]:
    facts = report.facts
    out: list[Text] = []

    def line(style: str, label: str, body: str, count: int = 1) -> None:
        text = Text(f"{label}: ", style=style)
        text.append(body + (f"  (×{count})" if count > 1 else ""))
        out.append(text)

    for crash in report.crashes:
        line("bold red", f"crash (line {crash.line})", crash.text)
    for text, n in _tally(report.validation_failures):
        line("red", "validation failed", text, n)
    for item in facts.get("engine_creation_failures_runtime", []):
        line("red", "engine failed at run time", f"{item['name']}: {item['reason'] or ''}")
    for key, label in (("native_segment_retries", "retried with native segment"),
                       ("enqueue_failures", "failed to enqueue"),
                       ("input_node_not_found", "input node not found")):
        for name, n in _tally(facts.get(key, [])):
            line("red", label, name, n)
    for text, n in _tally(facts.get("tf_trt_warnings", [])):
        line("yellow", "TF-TRT warning", text, n)
    for text, n in _tally(facts.get("trt_logger_messages", [])):
        line("yellow", "TensorRT logger", text, n)
    for item in facts.get("max_allowed_engines_warning", []):
        line("yellow", "engine limit", f"TF_TRT_MAX_ALLOWED_ENGINES={item['max_allowed_engines']}, "
             f"{item['engines']} segments of ≥{item['minimum_segment_size']} nodes")
    quant = facts.get("quantization_range_not_found")
    if quant:
        line("yellow", "INT8", f"no quantization range for {quant['count']} tensors "
             f"(e.g. {quant['tensors'][0]})")
    threads = facts.get("calibration_threads")
    if threads:
        line("cyan", "INT8", f"{len(threads)} calibration thread(s) started")
    for build in facts.get("engine_builds", [])[:MAX_ROWS]:
        line("cyan", "engine built at run time", f"{build['name']} for input shapes "
             f"{build['input_shapes']}")
    for key, label in (("could_not_find_tf_gpus", "no TF GPUs found"),
                       ("cant_identify_cuda_device", "cuda device not identified, used 0"),
                       ("cant_find_gpu_device", "no GPU device to work with"),
                       ("cant_determine_device_allocator", "allocator placed on device 0")):
        if facts.get(key):
            line("yellow", "device", label, facts[key])
    return out


def render_log_report(report: LogReport, con: Console, path: Optional[str] = None) -> None:
    con.print(_header(report, path))
    engines = _engines_table(report)
    if engines is not None:
        con.print(engines)
    dropped = _dropped_line(report)
    if dropped is not None:
        con.print(dropped)
    for table in (_unconverted(report), _not_candidate_table(report),
                  _grappler_table(report.facts)):
        if table is not None:
            con.print(table)
    problems = _problems(report)
    if problems:
        con.print(Text("Problems and warnings", style="bold"))
        for text in problems[:MAX_ROWS]:
            con.print(text)
        if len(problems) > MAX_ROWS:
            con.print(f"… {len(problems) - MAX_ROWS} more (see --format json)")
