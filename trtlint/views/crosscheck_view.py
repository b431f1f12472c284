"""Terminal rendering of a cross-check (prediction versus a real TF-TRT log).

Order: the verdict first (one line a CI log can grep), then the engines side by side,
the engines where the build outcome differs or failed (with both reasons), the
unconverted op types that differ, and the notes that qualify the comparison.
``--format json`` (``trtlint.crosscheck/1``) carries every node difference.
"""

from __future__ import annotations

from typing import Optional

from rich import box
from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..crosscheck.compare import failed_engines
from ..crosscheck.model import Crosscheck, EngineMatch

VERDICT_STYLE = {"agree": "bold green", "disagree": "bold red", "inconclusive": "bold yellow"}
SAMPLE = 3


def _num(value: Optional[float]) -> str:
    return "" if value is None else f"{value:.2f}"


def verdict_panel(result: Crosscheck) -> Panel:
    text = Text()
    if result.model:
        text.append(f"model {result.model}\n")
    if result.log:
        text.append(f"log   {result.log}\n")
    t = result.target
    if t:
        text.append(f"predicted as profile {t.get('profile')} · {t.get('precision')} · "
                    f"{'dynamic shape' if t.get('dynamic_shape') else 'implicit batch'} · "
                    f"minimum_segment_size {t.get('minimum_segment_size')}\n", style="dim")
    verdict, _, rest = result.verdict_line.partition(": ")
    text.append(verdict, style=VERDICT_STYLE.get(result.verdict, "bold"))
    text.append(": " + rest)
    return Panel(text, title="trtlint crosscheck", expand=False)


def _names(m: EngineMatch) -> Text:
    """"TRTEngineOp_000_001" when both sides agree on the name, else "predicted → logged"."""
    p, a = m.predicted, m.actual
    logged = None if a is None else (
        a.name or (f"segment {a.segment}" if a.segment is not None else "(unnamed)"))
    if p is not None and logged == p.name:
        return Text(p.name)
    text = Text(p.name if p is not None else "(not predicted)",
                style="" if p is not None else "yellow")
    text.append(" → ")
    text.append(logged if logged is not None else "(not in the log)",
                style="" if logged is not None else "yellow")
    return text


def _sizes(m: EngineMatch) -> str:
    p, a = m.predicted, m.actual
    left = "-" if p is None else str(len(p.nodes))
    right = "-" if a is None else str(len(a.nodes) if a.nodes is not None else (a.size or "?"))
    return f"{left} → {right}"


def engines_table(result: Crosscheck, verbose: bool = False, limit: int = 40) -> Table:
    by_nodes = result.method == "node_sets"
    table = Table(title="Engines: predicted → logged"
                  + (" (matched by node sets)" if by_nodes else " (paired by number, sizes)"),
                  title_justify="left", box=box.SIMPLE_HEAD)
    table.add_column("engine", overflow="fold")
    table.add_column("nodes", justify="right", no_wrap=True)
    table.add_column("logged status", no_wrap=True)
    table.add_column("Jaccard" if by_nodes else "size ratio", justify="right", no_wrap=True)
    if by_nodes:
        table.add_column("prec.", justify="right", no_wrap=True)
        table.add_column("recall", justify="right", no_wrap=True)
    rows = result.matches if verbose else result.matches[:limit]
    for m in rows:
        a = m.actual
        status = Text("") if a is None else Text(
            a.status.replace("_", " "),
            style="green" if a.converted else ("red" if a.status != "dump" else ""))
        cells = [_names(m), _sizes(m), status,
                 _num(m.jaccard if m.jaccard is not None else m.size_similarity)]
        if by_nodes:
            cells += [_num(m.precision), _num(m.recall)]
        table.add_row(*cells)
    if len(result.matches) > len(rows):
        table.add_row(f"… {len(result.matches) - len(rows)} more (-v or --format json)",
                      *[""] * (len(table.columns) - 1))
    return table


def differences_text(result: Crosscheck, verbose: bool = False, limit: int = 10) -> Optional[Text]:
    """Which nodes differ, engine by engine (the worst first)."""
    rows = sorted((m for m in result.pairs() if m.missing or m.extra),
                  key=lambda m: m.similarity)
    if not rows:
        return None
    text = Text("Node differences (- in the logged engine only, + predicted only):", style="bold")
    shown = rows if verbose else rows[:limit]
    sample = None if verbose else SAMPLE
    for m in shown:
        text.append(f"\n  {m.predicted.name}: ")
        for sign, names in (("-", m.missing), ("+", m.extra)):
            if not names:
                continue
            cut = names if sample is None else names[:sample]
            more = "" if sample is None or len(names) <= sample else f" (+{len(names) - sample} more)"
            text.append(f"{sign}{len(names)} ", style="red" if sign == "-" else "yellow")
            text.append(", ".join(cut) + more + "  ")
    if len(rows) > len(shown):
        text.append(f"\n  … {len(rows) - len(shown)} more engines differ (-v or --format json)")
    return text


def failures_table(result: Crosscheck) -> Optional[Table]:
    rows = failed_engines(result)
    if not rows:
        return None
    table = Table(title="Engines that fail (predicted or logged)", title_justify="left")
    for column in ("engine", "predicted", "logged"):
        table.add_column(column, overflow="fold")
    for m in rows:
        p, a = m.predicted, m.actual
        name = (p.name if p else None) or (a.name if a else None) or "?"
        predicted = "-" if p is None else ("builds" if p.will_build else f"fails: {p.reason}")
        logged = "-" if a is None else (
            ("built" if a.converted else f"{a.status.replace('_', ' ')}: {a.reason or ''}")
            + (" (fell back to TensorFlow at run time)" if a.runtime_fallback else ""))
        agree = p is not None and a is not None and p.will_build == a.converted
        table.add_row(name, predicted, Text(logged, style="green" if agree else "red"))
    return table


def unconverted_text(result: Crosscheck) -> Optional[Text]:
    u = result.unconverted
    if u is None:
        return None
    text = Text("Unconverted ops: ", style="bold")
    text.append(f"{u.predicted_count} predicted, {u.actual_count} reported; op types Jaccard "
                f"{u.types_jaccard:.2f}")
    if u.missing_types:
        text.append(f"\n  reported but not predicted: {', '.join(u.missing_types)}", style="red")
    if u.extra_types:
        text.append(f"\n  predicted but not reported: {', '.join(u.extra_types)}", style="red")
    for op, (p, a) in list(u.count_differences.items())[:15]:
        text.append(f"\n  {op}: {p} predicted, {a} reported", style="dim")
    return text


def render_crosscheck(result: Crosscheck, con: Console, verbose: bool = False) -> None:
    con.print(verdict_panel(result))
    if result.matches:
        con.print(engines_table(result, verbose))
    differences = differences_text(result, verbose)
    if differences is not None:
        con.print(differences)
    failures = failures_table(result)
    if failures is not None:
        con.print(failures)
    unconverted = unconverted_text(result)
    if unconverted is not None:
        con.print(unconverted)
    if result.membership:
        m = result.membership
        con.print(f"Node membership (inside an engine or not): precision {m['precision']:.3f}, "
                  f"recall {m['recall']:.3f}, Jaccard {m['jaccard']:.3f} "
                  f"({int(m['predicted_nodes'])} predicted, {int(m['actual_nodes'])} logged)")
    for note in result.notes:
        con.print(Text(f"note: {note}", style="dim"))
