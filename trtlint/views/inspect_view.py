"""Rich rendering of a :class:`~trtlint.summary.ModelSummary`."""

from __future__ import annotations

from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..graph.tensors import format_shape
from ..summary import ModelSummary


def _bytes(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def render_summary(s: ModelSummary, con: Console) -> None:
    m = s.model
    head = Text()
    head.append(f"{m.path}\n", style="bold")
    head.append(f"format {m.format}")
    if m.tensorflow_version:
        head.append(f" · TensorFlow {m.tensorflow_version}")
    if m.producer:
        head.append(f" · producer {m.producer}")
    head.append(f" · {len(m.graph)} nodes · {len(s.op_types)} op types")
    if m.signature:
        head.append(f"\nsignature {m.signature} (tags: {','.join(m.tags) or '-'})")
        others = [x for x in m.signatures if x != m.signature]
        if others:
            head.append(f" · other signatures: {', '.join(others)}")
    con.print(Panel(head, title="trtlint inspect", expand=False))

    for title, specs in (("Inputs", m.inputs), ("Outputs", m.outputs)):
        t = Table(title=title + (" (graph sinks)" if title == "Outputs" and m.outputs_from_sinks
                                 else ""), title_justify="left")
        t.add_column("name", overflow="fold")
        t.add_column("dtype")
        t.add_column("shape")
        if any(x.key for x in specs):
            t.add_column("signature key")
        for x in specs:
            row = [x.tensor if x.index else x.name, x.dtype or "?",
                   format_shape(x.shape) if x.shape is not None or title == "Inputs" else "?"]
            if any(y.key for y in specs):
                row.append(x.key or "")
            t.add_row(*row)
        if not specs:
            t.add_row("(none)", "", "")
        con.print(t)

    p = s.parameters
    t = Table(title=f"Parameters: {p.count:,} ({_bytes(p.bytes)})", title_justify="left")
    t.add_column("dtype")
    t.add_column("elements", justify="right")
    t.add_column("bytes", justify="right")
    for dtype, e in sorted(p.by_dtype.items(), key=lambda kv: -kv[1]["bytes"]):
        t.add_row(dtype, f"{e['count']:,}", _bytes(e["bytes"]))
    con.print(t)
    if s.unfrozen_variables:
        con.print(f"[yellow]{s.unfrozen_variables} variable(s) are not frozen[/] — TF-TRT "
                  "converts frozen graphs or SavedModels; freeze the graph first.")

    ops = Table(title="Op types", title_justify="left")
    ops.add_column("op")
    ops.add_column("count", justify="right")
    for op, n in s.op_types.items():
        ops.add_row(op, str(n))
    con.print(ops)

    cf = s.control_flow
    if cf.any:
        t = Table(title="Control flow", title_justify="left")
        t.add_column("kind")
        t.add_column("ops")
        for label, d in (("TF1 control flow (v1)", cf.v1), ("TensorArray", cf.tensor_arrays),
                         ("functional (main graph)", cf.functional),
                         ("functional (in functions)", cf.in_functions),
                         ("functional, lowered to v1 on loading", cf.lowered)):
            if d:
                t.add_row(label, ", ".join(f"{k}×{v}" for k, v in sorted(d.items())))
        con.print(t)
    if s.functions:
        t = Table(title=f"Function library ({len(s.functions)})", title_justify="left")
        t.add_column("function", overflow="fold")
        t.add_column("nodes", justify="right")
        t.add_column("used by", overflow="fold")
        for f in s.functions:
            t.add_row(f.name, str(f.nodes), ", ".join(f.called_by[:3]) +
                      (f" +{len(f.called_by) - 3}" if len(f.called_by) > 3 else ""))
        con.print(t)
    if s.custom_ops:
        con.print(f"[red]Custom ops not in stock TensorFlow:[/] {', '.join(s.custom_ops)} — "
                  "TensorFlow (and TF-TRT) can only load this graph with their op library.")
