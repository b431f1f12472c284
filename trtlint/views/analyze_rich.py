"""The default terminal report of ``trtlint analyze``."""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..analysis import Analysis
from ..insights import segment_breakers, unconverted_by_type

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def summary_panel(a: Analysis) -> Panel:
    m, t = a.model, a.target
    built = [s for s in a.segments if s.will_build]
    failed = [s for s in a.segments if not s.will_build]
    text = Text()
    text.append(f"{m.path}", style="bold")
    text.append(f"  ({m.format}, {len(m.graph)} nodes")
    if len(a.graph) != len(m.graph):
        text.append(f", {len(a.graph)} after grappler")
    text.append(")\n")
    text.append(f"profile {t.profile} · {t.precision} · {t.mode_name()} · "
                f"minimum_segment_size {t.minimum_segment_size}")
    if t.max_batch_size:
        text.append(f" · max_batch_size {t.max_batch_size}")
    text.append("\n")
    text.append(f"{len(built)} TensorRT engine(s)", style="bold green" if built else "bold red")
    if failed:
        text.append(f", {len(failed)} that will fail to build and fall back to TensorFlow",
                    style="bold red")
    text.append(f" · {a.converted_nodes} of {len(a.graph)} nodes in engines "
                f"({_pct(a.node_coverage)})\n")
    types = a.unconverted.types
    if a.tensorrt_pass_runs:
        text.append(f"{a.unconverted.count} ops of {len(types)} types stay in TensorFlow")
    else:
        text.append(f"TF-TRT's pass does not run: all {len(a.graph)} nodes stay in TensorFlow",
                    style="bold red")
    for note in a.all_notes:
        text.append(f"\nnote: {note}", style="dim")
    return Panel(text, title="trtlint analyze", expand=False)


def engines_table(a: Analysis, limit: int = 30) -> Table:
    t = Table(title="Predicted engines", title_justify="left")
    t.add_column("engine", no_wrap=True, min_width=19)
    t.add_column("nodes", justify="right")
    t.add_column("effective", justify="right")
    t.add_column("in", justify="right")
    t.add_column("out", justify="right")
    t.add_column("scope", overflow="fold")
    t.add_column("builds")
    for seg in a.segments[:limit]:
        builds = Text("yes", style="green") if seg.will_build else Text(
            "no: " + (seg.reason or ""), style="red")
        t.add_row(seg.name, str(len(seg.nodes)), str(seg.effective_nodes), str(len(seg.inputs)),
                  str(len(seg.outputs)), seg.scope.rstrip("/") or "-", builds)
    if len(a.segments) > limit:
        t.add_row(f"... {len(a.segments) - limit} more", "", "", "", "", "", "")
    if not a.segments:
        t.add_row("(none)", "", "", "", "", "", "")
    return t


def unconverted_table(a: Analysis, limit: int = 25) -> Table:
    t = Table(title="Ops that stay in TensorFlow", title_justify="left")
    t.add_column("op", no_wrap=True)
    t.add_column("count", justify="right")
    t.add_column("main reason", overflow="fold")
    rows = unconverted_by_type(a)
    for u in rows[:limit]:
        r = u.reasons[0]
        more = f"  (+{len(u.reasons) - 1} other reasons)" if len(u.reasons) > 1 else ""
        t.add_row(u.op, str(u.count), r.message + more)
    if len(rows) > limit:
        t.add_row(f"... {len(rows) - limit} more types", "", "")
    # The report's count also holds nodes that are not in the graph file (TF 2.x counts
    # the _SOURCE and _SINK NoOps of TensorFlow's own graph): say so, so the rows add up.
    listed = sum(u.count for u in rows)
    if a.unconverted.count > listed:
        t.add_row("NoOp", str(a.unconverted.count - listed),
                  "_SOURCE and _SINK: TensorFlow's own graph nodes, always in TF-TRT's report",
                  style="dim")
    return t


def breakers_table(a: Analysis) -> Table | None:
    rows = segment_breakers(a)
    if not rows:
        return None
    t = Table(title="Nodes that split the biggest engines", title_justify="left")
    t.add_column("node", overflow="fold")
    t.add_column("op")
    t.add_column("why", overflow="fold")
    t.add_column("next to")
    for b in rows:
        t.add_row(b.node, b.op, b.reason, ", ".join(b.touches))
    return t


def render_analysis(a: Analysis, con: Console, verbose: bool = False) -> None:
    con.print(summary_panel(a))
    if a.tensorrt_pass_runs:       # otherwise there is no engine and no reason to list
        con.print(engines_table(a, limit=1000 if verbose else 30))
        con.print(unconverted_table(a, limit=1000 if verbose else 25))
    b = breakers_table(a)
    if b is not None:
        con.print(b)
    if a.findings:
        from .findings_rich import findings_renderable

        con.print(findings_renderable(a.findings))
