"""``trtlint analyze --format html``: one self-contained HTML file.

Everything is inside the file: the CSS in a ``<style>`` element and the segment picture
as inline SVG rendered by Graphviz's ``dot``.  There is no script, no external
stylesheet, font or image, so the report opens offline, can be attached to a ticket or
archived by CI, and cannot phone home.

Node names, op types, messages and paths come from the model, and a model can name a
node ``<script>alert(1)</script>``: every such string goes through :func:`esc` (HTML
entities for ``& < > " '``) and nothing else reaches the page unescaped.  The inline SVG
is produced by ``dot`` from DOT text whose labels were escaped for Graphviz (see
:mod:`trtlint.views.graphviz_view`), and ``dot`` writes them back as XML text.

Sections: summary, notes, picture (the default view of ``trtlint viz``), engines (with
their members folded in ``<details>``), ops that stay in TensorFlow, findings, inputs
and outputs.
"""

from __future__ import annotations

import html
import sys
from pathlib import Path
from typing import Iterable, Optional, Sequence

from .. import __version__
from ..analysis import Analysis
from ..errors import TrtlintError
from ..findings.model import SEVERITY_RANK
from ..insights import unconverted_by_type
from .graphviz_view import analysis_dot, render, svg_for_html
from .scopes import ViewRequest, build_picture

#: engine members listed per engine before "... and N more"
MEMBERS_LIMIT = 400
#: findings rows before "... and N more"
FINDINGS_LIMIT = 500

CSS = """
:root { --fg: #1d1d1f; --muted: #5f6368; --line: #d9d9de; --bg-alt: #f6f7f9;
        --ok: #1e7b34; --bad: #c0392b; --warn: #a15c00; --info: #1f5f99; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif;
       color: var(--fg); margin: 0 auto; padding: 24px 32px 48px; max-width: 1400px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 32px 0 10px; border-bottom: 1px solid var(--line);
     padding-bottom: 4px; }
.meta { color: var(--muted); margin: 0 0 16px; word-break: break-all; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px;
        min-width: 170px; background: #fff; }
.card .n { font-size: 22px; font-weight: 600; }
.card .l { color: var(--muted); font-size: 12px; }
.ok { color: var(--ok); } .bad { color: var(--bad); } .warn { color: var(--warn); }
.info { color: var(--info); }
table { border-collapse: collapse; width: 100%; margin: 6px 0; }
th, td { text-align: left; vertical-align: top; padding: 5px 8px;
         border-bottom: 1px solid var(--line); }
th { background: var(--bg-alt); font-weight: 600; position: sticky; top: 0; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
code, .name { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace;
              font-size: 12.5px; word-break: break-all; }
.sev { font-weight: 600; text-transform: uppercase; font-size: 11.5px; }
.sev-error { color: var(--bad); } .sev-warning { color: var(--warn); }
.sev-info { color: var(--info); }
details summary { cursor: pointer; color: var(--info); }
details ul { margin: 6px 0; padding-left: 20px; columns: 2; }
.picture { border: 1px solid var(--line); border-radius: 8px; overflow: auto;
           max-height: 85vh; background: #fff; padding: 8px; }
.picture svg { display: block; }
.note { background: #fff8e1; border: 1px solid #f0d58c; border-radius: 6px;
        padding: 8px 12px; }
ul.notes { padding-left: 20px; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
"""


def esc(value: object) -> str:
    """Escape any model-provided text for HTML element content and attribute values."""
    return html.escape(str(value), quote=True)


def _pct(x: Optional[float]) -> str:
    return "n/a" if x is None else f"{100 * x:.1f}%"


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]],
           numeric: Sequence[int] = ()) -> str:
    """A table whose cells are already-escaped HTML fragments."""
    head = "".join(f'<th class="num">{esc(h)}</th>' if i in numeric else f"<th>{esc(h)}</th>"
                   for i, h in enumerate(headers))
    body = []
    for row in rows:
        cells = "".join(f'<td class="num">{c}</td>' if i in numeric else f"<td>{c}</td>"
                        for i, c in enumerate(row))
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _card(number: str, label: str, cls: str = "") -> str:
    return (f'<div class="card"><div class="n {cls}">{esc(number)}</div>'
            f'<div class="l">{esc(label)}</div></div>')


def _summary(a: Analysis) -> str:
    built = [s for s in a.segments if s.will_build]
    failed = [s for s in a.segments if not s.will_build]
    counts = {s: 0 for s in SEVERITY_RANK}
    for f in a.findings:
        counts[f.severity] = counts.get(f.severity, 0) + 1
    cards = [
        _card(str(len(built)), "TensorRT engines that build", "ok" if built else "bad"),
        _card(str(len(failed)), "engines that fail and fall back", "bad" if failed else ""),
        _card(f"{a.converted_nodes} / {len(a.graph)}",
              f"nodes in engines ({_pct(a.node_coverage)})"),
        _card(_pct(a.flops_coverage), "of estimated FLOPs in engines"),
        _card(str(a.unconverted.count),
              f"ops of {len(a.unconverted.types)} types stay in TensorFlow"),
        _card(str(counts["error"]), "errors", "bad" if counts["error"] else ""),
        _card(str(counts["warning"]), "warnings", "warn" if counts["warning"] else ""),
        _card(str(counts["info"]), "info", "info" if counts["info"] else ""),
    ]
    return f'<div class="cards">{"".join(cards)}</div>'


def _meta(a: Analysis) -> str:
    m, t = a.model, a.target
    nodes = f"{len(m.graph)} nodes"
    if len(a.graph) != len(m.graph):
        nodes += f", {len(a.graph)} after grappler"
    target = (f"profile {t.profile} · {t.precision} · {t.mode_name()} · "
              f"minimum_segment_size {t.minimum_segment_size}")
    if t.max_batch_size:
        target += f" · max_batch_size {t.max_batch_size}"
    return (f'<p class="meta"><span class="name">{esc(m.path)}</span> ({esc(m.format)}, '
            f"{esc(nodes)})<br>{esc(target)}</p>")


def _notes(a: Analysis) -> str:
    notes = a.all_notes
    if not notes:
        return ""
    items = "".join(f"<li>{esc(n)}</li>" for n in notes)
    return f'<ul class="notes">{items}</ul>'


def _picture(a: Analysis, request: ViewRequest) -> str:
    """The inline SVG, or a note saying why there is none (dot missing or failing)."""
    picture = build_picture(a, request)
    how = (f"collapsed by name scope at depth {picture.depth}" if picture.collapsed
           else "one box per node")
    caption = (f"<p>{esc(picture.nodes_shown)} nodes in {esc(len(picture.boxes))} boxes, "
               f"{esc(how)}. Other views: <code>trtlint viz MODEL -o out.svg</code> with "
               f"<code>--depth N</code>, <code>--expand SCOPE</code>, "
               f"<code>--focus NODE --radius K</code> or <code>--segment NAME</code>. "
               f"Hover a box for its full name and reason.</p>")
    try:
        svg = svg_for_html(render(analysis_dot(a, picture), "svg"))
    except TrtlintError as exc:
        message = exc.one_line()
        sys.stderr.write(f"trtlint: warning: the HTML report has no picture: {message}\n")
        return f'<p class="note">No picture: {esc(message)}</p>'
    return caption + f'<div class="picture">{svg}</div>'


def _engines(a: Analysis) -> str:
    if not a.segments:
        return "<p>No engines: TF-TRT would leave the whole graph to TensorFlow.</p>"
    rows = []
    for seg in a.segments:
        if seg.will_build:
            builds = '<span class="ok">yes</span>'
        else:
            builds = f'<span class="bad">no</span>: {esc(seg.reason or "")}'
        shown = seg.nodes[:MEMBERS_LIMIT]
        members = "".join(f'<li class="name">{esc(n)}</li>' for n in shown)
        if len(seg.nodes) > MEMBERS_LIMIT:
            members += f"<li>... and {len(seg.nodes) - MEMBERS_LIMIT} more</li>"
        inputs = "".join(f'<li class="name">{esc(n)}</li>' for n in seg.inputs)
        outputs = "".join(f'<li class="name">{esc(n)}</li>' for n in seg.outputs)
        detail = (f"<details><summary>{len(seg.nodes)} members</summary><ul>{members}</ul>"
                  f"</details><details><summary>{len(seg.inputs)} inputs, "
                  f"{len(seg.outputs)} outputs</summary><ul>{inputs}</ul><ul>{outputs}</ul>"
                  f"</details>")
        rows.append([f'<span class="name">{esc(seg.name)}</span>', esc(len(seg.nodes)),
                     esc(seg.effective_nodes), esc(len(seg.inputs)), esc(len(seg.outputs)),
                     f'<span class="name">{esc(seg.scope.rstrip("/") or "-")}</span>',
                     builds, detail])
    return _table(["engine", "nodes", "effective", "in", "out", "scope", "builds", "contents"],
                  rows, numeric=(1, 2, 3, 4))


def _unconverted(a: Analysis) -> str:
    groups = unconverted_by_type(a)
    if not groups:
        return "<p>Every node is a TF-TRT candidate.</p>"
    rows = []
    for u in groups:
        r = u.reasons[0]
        more = f" (+{len(u.reasons) - 1} other reasons)" if len(u.reasons) > 1 else ""
        rows.append([f"<code>{esc(u.op)}</code>", esc(u.count), esc(r.category),
                     esc(r.message) + esc(more), esc(r.fix or "")])
    return _table(["op", "count", "category", "main reason", "fix"], rows, numeric=(1,))


def _findings(a: Analysis) -> str:
    if not a.findings:
        return "<p>No findings.</p>"
    ordered = sorted(a.findings, key=lambda f: (-f.rank, f.rule, f.node or ""))
    rows = []
    for f in ordered[:FINDINGS_LIMIT]:
        rows.append([f'<span class="sev sev-{esc(f.severity)}">{esc(f.severity)}</span>',
                     f"<code>{esc(f.rule)}</code>",
                     f'<span class="name">{esc(f.node or "(model)")}</span>',
                     esc(f.message), esc(f.fix or "")])
    table = _table(["severity", "rule", "node", "message", "fix"], rows)
    if len(ordered) > FINDINGS_LIMIT:
        table += f"<p>... and {len(ordered) - FINDINGS_LIMIT} more findings.</p>"
    return table


def _io(a: Analysis) -> str:
    def shape(spec) -> str:
        if spec.shape is None:
            return "unknown rank"
        return "[" + ", ".join("?" if d is None or d < 0 else str(d) for d in spec.shape) + "]"

    rows = [["input", f'<span class="name">{esc(s.name)}</span>', esc(s.dtype or "?"),
             esc(shape(s))] for s in a.model.inputs]
    rows += [["output", f'<span class="name">{esc(s.name)}</span>', esc(s.dtype or "?"),
              esc(shape(s))] for s in a.model.outputs]
    return _table(["", "node", "dtype", "shape"], rows)


def render_html(analysis: Analysis, request: Optional[ViewRequest] = None) -> str:
    """The whole report as one HTML document (a string; write it with UTF-8)."""
    a = analysis
    title = f"trtlint: {Path(str(a.model.path)).name}"
    sections = [
        f"<h1>{esc(title)}</h1>",
        _meta(a),
        _summary(a),
        _notes(a),
        "<h2>Picture</h2>",
        _picture(a, request or ViewRequest()),
        f"<h2>Engines ({len(a.segments)})</h2>",
        _engines(a),
        f"<h2>Ops that stay in TensorFlow ({a.unconverted.count})</h2>",
        _unconverted(a),
        f"<h2>Findings ({len(a.findings)})</h2>",
        _findings(a),
        "<h2>Inputs and outputs</h2>",
        _io(a),
        f"<footer>Made by trtlint {esc(__version__)} without TensorFlow or a GPU: a "
        f"prediction of what TF-TRT will do, not a conversion.</footer>",
    ]
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
            + "\n".join(s for s in sections if s) + "\n</body>\n</html>\n")
