"""Terminal and JSON output of ``trtlint convert``: preflight, live progress, the run,
the benchmark (as in the seed article's table) and the cross-check."""

from __future__ import annotations

import sys
import time
from collections import Counter
from typing import Any, Optional

from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..convert.preflight import Preflight
from ..convert.runner import ConversionRun, ProgressEvent

SCHEMA = "trtlint.convert/1"
CHECK_MARK = {"ok": ("✓", "green"), "failed": ("✗", "bold red"), "warning": ("!", "yellow"),
              "skipped": ("·", "dim")}
STATUS_TEXT = {"ok": ("converted", "bold green"), "error": ("FAILED", "bold red"),
               "aborted": ("ABORTED (SIGABRT)", "bold red"),
               "segfault": ("CRASHED (SIGSEGV)", "bold red"),
               "killed": ("KILLED (SIGKILL)", "bold red"), "timeout": ("TIMED OUT", "bold red"),
               "interrupted": ("INTERRUPTED", "bold yellow"), "crashed": ("DIED", "bold red")}


# -- preflight ------------------------------------------------------------------------------

def preflight_table(preflight: Preflight, problems_only: bool = False) -> Table:
    """The checks (with ``problems_only``: just the failed and warning ones)."""
    table = Table(title=f"Preflight: {preflight.python}", title_justify="left", show_header=False)
    table.add_column("", no_wrap=True)
    table.add_column("check", no_wrap=True)
    table.add_column("result", overflow="fold")
    for check in preflight.checks:
        if problems_only and check.status not in ("failed", "warning"):
            continue
        mark, style = CHECK_MARK.get(check.status, ("?", ""))
        result = Text(check.detail)
        if check.fix and check.status in ("failed", "warning"):
            result.append(f"\nfix: {check.fix}", style="cyan")
        table.add_row(Text(mark, style=style), check.title, result)
    return table


def render_preflight(preflight: Preflight, con: Console, problems_only: bool = False) -> None:
    con.print(preflight_table(preflight, problems_only))


# -- progress ----------------------------------------------------------------------------------

class ConvertProgress:
    """Shows what the child is doing while it runs, on stderr.

    On a terminal: a spinner with the stage, the elapsed time and the latest telling log
    line (Replaced segment ..., Building a new TensorRT engine ...). Elsewhere (CI logs,
    pipes): one line per stage and per telling log line, so a hung or dying conversion
    shows how far it got."""

    def __init__(self, quiet: bool = False, no_color: bool = False,
                 stream=None) -> None:
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.console = Console(file=self.stream, no_color=no_color, highlight=False)
        self.live = self.console.is_terminal and not quiet
        self.stage = "starting"
        self.last = ""
        self.started = time.monotonic()
        self._status = None

    def __enter__(self) -> "ConvertProgress":
        if self.live:
            self._status = self.console.status(self._text())
            self._status.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        if self._status is not None:
            self._status.__exit__(*exc)
            self._status = None

    def _text(self) -> str:
        elapsed = time.monotonic() - self.started
        line = f" — {self.last[:100]}" if self.last else ""
        return f"converting [{elapsed:5.1f}s] {self.stage}{line}"

    def __call__(self, event: ProgressEvent) -> None:
        if self.quiet:
            return
        if event.kind == "stage":
            self.stage = event.stage or event.text
            self.last = event.text if event.text != event.stage else ""
            if not self.live:
                detail = f": {event.text}" if event.text != event.stage else ""
                self.stream.write(f"trtlint convert: [{event.stage}]{detail}\n")
        else:
            self.last = event.text
            if not self.live:
                self.stream.write(f"trtlint convert:   {event.text[:200]}\n")
        if self._status is not None:
            self._status.update(self._text())
        else:
            self.stream.flush()

    def note(self, text: str) -> None:
        """A line about trtlint's own steps (preflight, cross-check)."""
        if self.quiet:
            return
        if self._status is not None:
            self.stage = text
            self._status.update(self._text())
        else:
            self.stream.write(f"trtlint convert: {text}\n")
            self.stream.flush()


# -- the run -----------------------------------------------------------------------------------

def log_summary(report) -> Optional[dict[str, Any]]:
    """What the conversion log says, in a few numbers (None: no TF-TRT line in it)."""
    if report is None:
        return None
    statuses = Counter(e.status for e in report.engines)
    un = report.unconverted
    return {"era": report.era, "candidate_segments": report.candidate_segments,
            "engines": dict(statuses),
            "unconverted": None if un is None else {"count": un.count, "types": un.types},
            "crashes": [c.text for c in report.crashes],
            "tensorrt": report.tensorrt_versions}


def run_panel(run: ConversionRun, summary: Optional[dict[str, Any]]) -> Panel:
    label, style = STATUS_TEXT.get(run.status, (run.status.upper(), "bold"))
    result = run.result or {}
    text = Text()
    text.append(label, style=style)
    text.append(f"  {run.request.model}\n", style="bold")
    text.append(f"TensorFlow {run.fact('tensorflow') or '?'} via {run.python}; API "
                f"{run.fact('api') or '?'}; {run.request.precision}; "
                f"{'dynamic shape' if run.request.dynamic_shape else 'implicit batch'}"
                f"{'; static engines, max_batch_size ' + str(run.request.max_batch_size) if run.request.max_batch_size else ''}"
                f"; minimum_segment_size {run.request.minimum_segment_size}\n")
    gpus = run.fact("gpus")
    if gpus is not None:
        text.append(f"GPUs: {', '.join(gpus) if gpus else 'none (conversion pass only)'}\n")
    stages = result.get("stages") or []
    if stages:
        text.append("stages: " + ", ".join(
            f"{s['stage']} {s['seconds']:.1f}s" if s.get("seconds") is not None else s["stage"]
            for s in stages) + "\n", style="dim")
    elif run.stages:
        text.append("stages: " + ", ".join(run.stages) + "\n", style="dim")
    if summary is not None:
        engines = summary["engines"]
        shown = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in engines.items()) or "none"
        text.append(f"log: {summary['candidate_segments'] if summary['candidate_segments'] is not None else '?'} "
                    f"candidate segment(s); engines: {shown}")
        if summary["unconverted"]:
            text.append(f"; {summary['unconverted']['count']} ops stay in TensorFlow")
        text.append("\n")
    if result.get("converted_model"):
        text.append(f"converted model: {result['converted_model']}\n")
    if result.get("converted_graph"):
        text.append(f"converted graph: {result['converted_graph']}\n")
    text.append(f"log: {run.log_path}")
    for note in result.get("notes") or []:
        text.append(f"\nnote: {note}", style="dim")
    return Panel(text, title="trtlint convert", expand=False)


def findings_text(run: ConversionRun) -> Optional[Text]:
    if not run.findings:
        return None
    text = Text()
    for finding in run.findings:
        text.append(f"{finding.rule} ", style="bold red")
        text.append(f"{finding.message}\n")
        if finding.fix:
            text.append(f"  fix: {finding.fix}\n", style="cyan")
    if run.last_log_lines:
        text.append(f"last lines of {run.log_path}:\n", style="bold")
        for line in run.last_log_lines[-12:]:
            text.append(f"  {line[:240]}\n", style="dim")
    return text


def benchmark_tables(bench: Optional[dict[str, Any]]) -> list:
    """The seed's comparison: native vs converted latency, and how far outputs moved."""
    if not bench:
        return []
    table = Table(title=f"Benchmark: {bench['warmup']} warm-up + {bench['runs']} timed runs, "
                        + ", ".join(f"{i['name']} {'x'.join(map(str, i['shape']))} "
                                    f"({i['source']})" for i in bench.get("inputs") or []),
                  title_justify="left")
    for column in ("model", "p50 ms", "p90 ms", "mean ms", "min ms", "speed-up"):
        table.add_column(column, justify="left" if column == "model" else "right")
    for label in ("native", "converted"):
        row = bench.get(label) or {}
        if "error" in row:
            table.add_row(label, Text(f"cannot run: {row['error'][:300]}", style="red"),
                          "", "", "", "")
            continue
        if not row:
            table.add_row(label, "-", "", "", "", "")
            continue
        speedup = "1.00×" if label == "native" else (
            f"{bench['speedup']:.2f}×" if bench.get("speedup") else "")
        table.add_row(label, f"{row['p50_ms']:.3f}", f"{row['p90_ms']:.3f}",
                      f"{row['mean_ms']:.3f}", f"{row['min_ms']:.3f}", speedup)
    out = [table]
    outputs = bench.get("outputs") or []
    if outputs:
        diff = Table(title="Outputs: converted vs native", title_justify="left")
        for column in ("output", "shape", "max |diff|", "max rel. diff"):
            diff.add_column(column, justify="left" if column in ("output", "shape") else "right")
        for row in outputs:
            shape = "x".join(map(str, row["shape_native"]))
            if not row["equal_shapes"]:
                shape += f" vs {'x'.join(map(str, row['shape_converted']))}"
            diff.add_row(row["name"], shape,
                         "" if row["max_abs_diff"] is None else f"{row['max_abs_diff']:.3g}",
                         "" if row["max_rel_diff"] is None else f"{row['max_rel_diff']:.3g}")
        out.append(diff)
    return out


def render_conversion(run: ConversionRun, summary: Optional[dict[str, Any]], con: Console) -> None:
    con.print(run_panel(run, summary))
    findings = findings_text(run)
    if findings is not None:
        con.print(findings)
    for table in benchmark_tables((run.result or {}).get("benchmark")):
        con.print(table)


def convert_json(preflight: Optional[Preflight], run: Optional[ConversionRun],
                 summary: Optional[dict[str, Any]], crosscheck=None) -> dict[str, Any]:
    return {"schema": SCHEMA,
            "preflight": None if preflight is None else preflight.to_json(),
            "run": None if run is None else run.to_json(),
            "log": summary,
            "crosscheck": None if crosscheck is None else crosscheck.to_json()}
