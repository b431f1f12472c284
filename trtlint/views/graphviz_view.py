"""Segment pictures: a :class:`~trtlint.views.scopes.Picture` as Graphviz DOT, rendered by ``dot``.

What the picture says, and how:

* each predicted engine is a **cluster** with its own colour; its label gives the engine
  name, its node count and whether it will build (an engine that will not build has a
  dashed red border and TF-TRT's reason);
* nodes that stay in TensorFlow are filled by **reason category** (warm colours; engines
  use cool ones), explained with counts in the **legend**;
* an edge that **crosses an engine boundary** is thick and red (every one is a copy
  between TensorFlow and TensorRT, and a split in the graph); control edges are dashed;
* graph **inputs and outputs** are arrow-shaped boxes marked "graph input"/"graph output";
* a collapsed **name scope** is a folder-shaped box with its node count, the share of
  the scope in engines and the engines touching it.

The DOT text is written here rather than through ``graphviz.Digraph``: node and scope
names come from the model and can hold anything (quotes, ``<script>``, braces,
backslashes), and the package's quoting treats backslashes as DOT escapes.  Every label
is an HTML-like label built from :func:`html_text`, every other string attribute goes
through :func:`dot_string`, and DOT identifiers are generated (``b12``, ``cluster_e3``),
never taken from a name.  The graphviz package then runs the real ``dot`` binary.
"""

from __future__ import annotations

import math
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from ..analysis import Analysis
from ..errors import TrtlintError, UsageError
from ..support.decision import CATEGORIES
from .scopes import IN_ENGINE, NOT_IN_ENGINE, Box, EngineInfo, Link, Picture

FONT = "Helvetica"

#: output formats `dot` renders, by file extension (".dot"/".gv" need no `dot`)
RENDERED_FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf"}
DOT_SUFFIXES = (".dot", ".gv")

INSTALL_HINT = ("install Graphviz (Debian/Ubuntu: apt-get install graphviz; macOS: brew "
                "install graphviz; conda: conda install graphviz) or write a .dot file instead")


@dataclass(frozen=True)
class Swatch:
    fill: str
    border: str


#: engine colours: cool hues, so they never look like a reason category
ENGINE_COLORS = (
    Swatch("#9ecae1", "#2171b5"),   # blue
    Swatch("#a1d99b", "#238b45"),   # green
    Swatch("#bcbddc", "#6a51a3"),   # purple
    Swatch("#80cdc1", "#01665e"),   # teal
    Swatch("#c7e9b4", "#41ab5d"),   # spring green
    Swatch("#a6bddb", "#3f5f8a"),   # slate blue
    Swatch("#99d8c9", "#238b75"),   # sea green
    Swatch("#d4b9da", "#88419d"),   # orchid
    Swatch("#b3e2f0", "#2b8cbe"),   # sky
    Swatch("#d9f0a3", "#78a632"),   # lime
    Swatch("#c6dbef", "#4a6fa5"),   # pale blue
    Swatch("#b2abd2", "#5e3c99"),   # indigo
)

#: unconverted nodes: warm colours and greys, one per reason category
CATEGORY_COLORS = {
    "unsupported_op": Swatch("#fb9a99", "#c0392b"),
    "batch_dim": Swatch("#fdbf6f", "#d35400"),
    "dynamic_shape": Swatch("#fccde5", "#c51b7d"),
    "dtype": Swatch("#fff59d", "#a68a00"),
    "attribute": Swatch("#f7c9a3", "#a0522d"),
    "const_input": Swatch("#e5d8bd", "#8c6d31"),
    "weights": Swatch("#e5d8bd", "#8c6d31"),
    "shape": Swatch("#f4b6c2", "#b03060"),
    "precision": Swatch("#ffe0a3", "#b7791f"),
    "control_flow": Swatch("#d8b384", "#7a4a12"),
    "device": Swatch("#d9d9d9", "#525252"),
    "denylist": Swatch("#bdbdbd", "#252525"),
    "input": Swatch("#ffd8b1", "#c05a00"),
    "mode": Swatch("#fff0c2", "#a07800"),
    "io": Swatch("#ffffff", "#000000"),
    NOT_IN_ENGINE: Swatch("#f2f2f2", "#8c8c8c"),
}
OTHER_CATEGORY = Swatch("#e0e0e0", "#616161")

NOT_IN_ENGINE_TEXT = "a candidate no engine took (cluster too small, over the engine limit, or cut)"

EDGE_COLOR = "#808080"
CONST_EDGE_COLOR = "#c8c8c8"
CROSSING_COLOR = "#d7301f"
FAILED_ENGINE_COLOR = "#d7301f"

#: characters per line of a wrapped name
NAME_WIDTH = 30
#: lines a wrapped name may take before its middle is elided
NAME_LINES = 3


def engine_swatch(index: int) -> Swatch:
    return ENGINE_COLORS[index % len(ENGINE_COLORS)]


def category_swatch(category: str) -> Swatch:
    return CATEGORY_COLORS.get(category, OTHER_CATEGORY)


def category_text(category: str) -> str:
    if category == NOT_IN_ENGINE:
        return NOT_IN_ENGINE_TEXT
    return CATEGORIES.get(category, category)


# ---------------------------------------------------------------------------------------
# escaping: the only two ways model text enters DOT
# ---------------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def html_text(text: object) -> str:
    """Text for an HTML-like label that Graphviz shows as exactly ``text``.

    Entities for ``& < > " '``; backslashes doubled, because Graphviz still expands
    ``\\N`` (node name), ``\\G`` (graph name) and ``\\\\`` inside HTML-like labels
    after decoding entities.  Control characters (which XML, and so the SVG, cannot
    hold) become U+FFFD; tabs and line breaks become spaces.
    """
    s = _CONTROL.sub("\ufffd", str(text))
    s = s.replace("\r", " ").replace("\n", " ").replace("\t", " ")
    return (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;").replace("\\", "\\\\"))


def dot_string(text: object) -> str:
    """A double-quoted DOT string that Graphviz shows as exactly ``text``.

    Graphviz reads a string attribute such as ``tooltip`` in three steps: it decodes
    HTML entities, then treats it as an "escString" twice over -- once dropping the
    backslash of any ``\\x`` and once expanding ``\\N`` (node name), ``\\G`` (graph
    name)... and ``\\\\``.  So a literal backslash must be written as four, ``&`` as
    ``&amp;`` (or ``&amp;lt;`` in a name would come out as ``<``), and a line break as the
    entity ``&#10;``.  Quotes, ``<`` and ``>`` become entities too, so nothing from a name
    can end the string or look like markup in the DOT file.  Measured with the Graphviz
    2.43 that CI installs; tests/test_viz_hostile_names.py checks the round trip through
    the installed ``dot``.  Control characters become U+FFFD, tabs spaces.
    """
    s = _CONTROL.sub("\ufffd", str(text)).replace("\t", " ").replace("\r", "")
    s = (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
         .replace('"', "&quot;").replace("\\", "\\\\\\\\").replace("\n", "&#10;"))
    return f'"{s}"'


def wrap_name(name: str, width: int = NAME_WIDTH, max_lines: int = NAME_LINES) -> list[str]:
    """Split a node or scope name into lines at '/' (hard-split over-long parts); a
    name that needs more than ``max_lines`` keeps its first line and last lines."""
    pieces: list[str] = []
    parts = name.split("/")
    for i, part in enumerate(parts):
        piece = part + ("/" if i < len(parts) - 1 else "")
        while len(piece) > width:
            pieces.append(piece[:width])
            piece = piece[width:]
        if piece:
            pieces.append(piece)
    lines: list[str] = []
    for piece in pieces:
        if lines and len(lines[-1]) + len(piece) <= width:
            lines[-1] += piece
        else:
            lines.append(piece)
    if len(lines) > max_lines:
        lines = [lines[0], "\u2026"] + lines[-(max_lines - 1):]
    return lines or [""]


def _lines(lines: list[str], bold_first: bool = False, align: str = "CENTER") -> str:
    """Escaped lines joined with HTML-label line breaks."""
    out = []
    for i, line in enumerate(lines):
        text = html_text(line)
        if bold_first and i == 0:
            text = f"<B>{text}</B>"
        out.append(text)
    return f'<BR ALIGN="{align}"/>'.join(out)


def _pct(x: float) -> str:
    if 0 < x < 0.01:
        return "<1%"
    if 0.99 < x < 1:
        return ">99%"
    return f"{round(100 * x)}%"


# ---------------------------------------------------------------------------------------
# DOT text
# ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PictureText:
    """Words about the model and target the picture's title needs (not in a Picture)."""

    model_name: str
    target: str
    engines_built: int
    engines_failing: int
    converted_nodes: int
    total_nodes: int


def picture_text(a: Analysis) -> PictureText:
    t = a.target
    target = f"{t.profile} · {t.precision} · {t.mode_name()}"
    if t.max_batch_size:
        target += f" · max_batch_size {t.max_batch_size}"
    target += f" · minimum_segment_size {t.minimum_segment_size}"
    built = sum(1 for s in a.segments if s.will_build)
    return PictureText(Path(str(a.model.path)).name, target, built, len(a.segments) - built,
                       a.converted_nodes, len(a.graph))


def _heading(p: Picture, words: PictureText) -> list[str]:
    """Title lines: model and target, what converts, what this picture shows."""
    pct = _pct(words.converted_nodes / words.total_nodes) if words.total_nodes else "0%"
    engines = f"{words.engines_built} engine(s) will build"
    if words.engines_failing:
        engines += f", {words.engines_failing} will fail and fall back to TensorFlow"
    line2 = (f"{engines}; {words.converted_nodes} of {words.total_nodes} nodes in engines "
             f"({pct})")
    if p.collapsed:
        how = f"collapsed by name scope at depth {p.depth}"
        if p.expanded:
            how += ", expanded: " + ", ".join(p.expanded)
    else:
        how = "one box per node"
    line3 = f"{p.selection}: {p.nodes_shown} nodes, {len(p.boxes)} boxes, {how}"
    if p.hidden_constants:
        line3 += f"; {p.hidden_constants} constants feeding only other scopes not drawn"
    return [f"{words.model_name}  —  {words.target}", line2, line3]


def _table(rows: list[str], align: str = "CENTER") -> str:
    """An HTML-like label made of one-cell rows.  Tables size themselves reliably in
    every node shape, where mixed font sizes joined by <BR/> can overlap."""
    cells = "".join(f'<TR><TD ALIGN="{align}">{row}</TD></TR>' for row in rows)
    return (f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">{cells}'
            f"</TABLE>>")


def _engine_label(e: EngineInfo, scope: str) -> str:
    size = f"{e.size} nodes" if e.shown == e.size else f"{e.shown} of {e.size} nodes shown"
    rows = [f'<FONT POINT-SIZE="13"><B>{html_text(e.name)}</B></FONT>']
    if e.will_build:
        rows.append(f"{html_text(size)} · builds")
    else:
        rows.append(f'{html_text(size)} · <FONT COLOR="{FAILED_ENGINE_COLOR}"><B>will NOT '
                    f'build: falls back to TensorFlow</B></FONT>')
        if e.reason:
            reason = e.reason.strip()
            reason = reason if len(reason) <= 90 else reason[:87] + "..."
            rows.append(f'<FONT POINT-SIZE="10">{html_text(reason)}</FONT>')
    if scope:
        rows.append(f'<FONT POINT-SIZE="10">scope {html_text(scope)}</FONT>')
    return _table(rows, align="LEFT")


def _display_name(box: Box, engine_scope: dict[str, str]) -> str:
    """A node's name, without the scope its engine's label already shows."""
    scope = engine_scope.get(box.engine or "", "")
    if box.kind == "node" and scope and box.name.startswith(scope) and box.name != scope:
        return "\u2026/" + box.name[len(scope):]
    return box.name


def _node_box(box: Box, engine_scope: dict[str, str]) -> tuple[str, dict[str, str]]:
    name_lines = wrap_name(_display_name(box, engine_scope))
    rows = [_lines(name_lines)]
    op = html_text(box.op or "")
    rows.append(f'<FONT POINT-SIZE="10" COLOR="#404040">{op}</FONT>')
    attrs = {"shape": "box", "style": '"rounded,filled"'}
    if box.role is not None:
        rows.insert(0, f'<FONT POINT-SIZE="10"><B>graph {box.role}</B></FONT>')
        attrs.update(shape="cds", style="filled", penwidth="2", margin=dot_string("0.2,0.1"))
    tip = f"{box.name}\n{box.op}\n{box.detail}"
    attrs["tooltip"] = dot_string(tip)
    attrs["label"] = _table(rows)
    return "op" + (" io" if box.role else ""), attrs


def _composition_bar(box: Box, width: int = 120) -> str:
    """A strip of coloured cells, one per status category, widths by node count."""
    parts = sorted(box.categories.items(), key=lambda kv: (-kv[1], kv[0]))
    cells = []
    for category, count in parts:
        w = max(3, round(width * count / box.size))
        colour = category_swatch(category).border
        cells.append(f'<TD BGCOLOR="{colour}" WIDTH="{w}" HEIGHT="5" FIXEDSIZE="TRUE"></TD>')
    return ('<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0"><TR>'
            + "".join(cells) + "</TR></TABLE>")


def _scope_box(box: Box, p: Picture) -> tuple[str, dict[str, str]]:
    summary = p.scopes[box.name]
    rows = [f"<B>{_lines(wrap_name(box.name + '/'))}</B>"]
    if box.size == summary.nodes:
        rows.append(html_text(f"{box.size} nodes"))
    elif box.engine is None:
        rows.append(html_text(f"{box.size} of its {summary.nodes} nodes (the rest in engines)"))
    else:
        rows.append(html_text(f"{box.size} of its {summary.nodes} nodes"))
    rows.append(html_text(f"{_pct(summary.converted)} of the scope in engines"))
    others = [e for e in summary.engines if e != box.engine]
    if others:
        names = others[:2]
        more = f" +{len(others) - 2}" if len(others) > 2 else ""
        lead = "engines: " if box.engine is None else "also in "
        rows.append(f'<FONT POINT-SIZE="10">{html_text(lead + ", ".join(names) + more)}'
                    f"</FONT>")
    if box.engine is None:
        top = sorted(box.categories.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
        text = " · ".join(f"{c} {n}" for c, n in top)
        rows.append(f'<FONT POINT-SIZE="10" COLOR="#404040">{html_text(text)}</FONT>')
        if len(box.categories) > 1:
            rows.append(_composition_bar(box))
    tip_counts = ", ".join(f"{c}: {n}" for c, n in box.categories.most_common())
    attrs = {"shape": "folder", "style": "filled",
             "tooltip": dot_string(f"{box.name}/\n{box.size} nodes ({tip_counts})"),
             "label": _table(rows)}
    return "scope", attrs


def _box_colours(box: Box, engine_index: dict[str, int]) -> dict[str, str]:
    if box.engine is not None:
        sw = engine_swatch(engine_index[box.engine])
        return {"fillcolor": dot_string(sw.fill), "color": dot_string(sw.border)}
    category = box.main_category
    sw = category_swatch(category)
    out = {"fillcolor": dot_string(sw.fill), "color": dot_string(sw.border)}
    if category == NOT_IN_ENGINE and box.role is None:
        out["style"] = '"rounded,filled,dashed"' if box.kind == "node" else '"filled,dashed"'
    return out


def _attrs(attrs: dict[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in attrs.items())


def _link_attrs(link: Link) -> dict[str, str]:
    attrs: dict[str, str] = {}
    classes = [link.kind]
    width = 1.0 + min(3.0, math.log2(link.count) * 0.6) if link.count > 1 else 1.0
    if link.crosses_engine:
        classes.append("crossing")
        attrs["color"] = dot_string(CROSSING_COLOR)
        width += 1.4
    elif link.from_const:
        classes.append("const")
        attrs["color"] = dot_string(CONST_EDGE_COLOR)
    else:
        attrs["color"] = dot_string(EDGE_COLOR)
    if link.kind == "control":
        attrs["style"] = "dashed"
    attrs["penwidth"] = f"{width:.1f}"
    if link.count > 1:
        attrs["label"] = f'<<FONT POINT-SIZE="9">×{link.count}</FONT>>'
    attrs["class"] = dot_string(" ".join(classes))
    return attrs


#: engines listed by name in the legend (the rest are counted)
LEGEND_ENGINES = 12


def _legend_columns(p: Picture) -> list[str]:
    """The legend as HTML-like tables, one per column: engines, reasons, marks."""
    def swatch_row(fill: str, border: str, text: str, dashed: bool = False) -> str:
        style = ' STYLE="dashed"' if dashed else ""
        return (f'<TR><TD BGCOLOR="{fill}" COLOR="{border}" BORDER="1" WIDTH="20" HEIGHT="12"'
                f' FIXEDSIZE="TRUE"{style}></TD><TD ALIGN="LEFT">{text}</TD></TR>')

    def table(heading: str, rows: list[str]) -> str:
        head = f'<TR><TD COLSPAN="2" ALIGN="LEFT"><B>{heading}</B></TD></TR>'
        return ('<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="1">'
                + head + "".join(rows) + "</TABLE>")

    columns = []
    if p.engines:
        rows = []
        for e in p.engines[:LEGEND_ENGINES]:
            sw = engine_swatch(e.index)
            state = "builds" if e.will_build else "will NOT build"
            rows.append(swatch_row(sw.fill, sw.border if e.will_build else FAILED_ENGINE_COLOR,
                                   html_text(f"{e.name}: {e.size} nodes, {state}"),
                                   dashed=not e.will_build))
        if len(p.engines) > LEGEND_ENGINES:
            rows.append(f'<TR><TD></TD><TD ALIGN="LEFT">{len(p.engines) - LEGEND_ENGINES} more'
                        f' (colours repeat)</TD></TR>')
        columns.append(table("TensorRT engines (clusters)", rows))
    outside = [(c, n) for c, n in p.categories.items() if c != IN_ENGINE]
    if outside:
        rows = []
        for category, count in sorted(outside, key=lambda kv: (-kv[1], kv[0])):
            sw = category_swatch(category)
            text = (f"<B>{html_text(category)}</B> ({count}): "
                    f"{html_text(category_text(category))}")
            rows.append(swatch_row(sw.fill, sw.border, text, dashed=category == NOT_IN_ENGINE))
        columns.append(table("Stays in TensorFlow, by reason (nodes)", rows))
    marks = [f'<TR><TD><FONT COLOR="{CROSSING_COLOR}"><B>━━</B></FONT></TD><TD ALIGN="LEFT">'
             f'tensor crossing an engine boundary (a TensorFlow ↔ TensorRT copy)</TD></TR>',
             f'<TR><TD><FONT COLOR="{EDGE_COLOR}">──</FONT></TD><TD ALIGN="LEFT">tensor; ×N: '
             f'N edges between the two boxes</TD></TR>',
             f'<TR><TD><FONT COLOR="{EDGE_COLOR}">╌╌</FONT></TD><TD ALIGN="LEFT">control '
             f'dependency</TD></TR>',
             '<TR><TD>▷</TD><TD ALIGN="LEFT">arrow-shaped box: graph input or output</TD></TR>']
    if p.collapsed:
        marks.append('<TR><TD>▭</TD><TD ALIGN="LEFT">folder: the nodes of one name scope '
                     '(split where an engine cuts it)</TD></TR>')
        marks.append('<TR><TD></TD><TD ALIGN="LEFT">edges from constants are not drawn '
                     '(TF-TRT copies constants into engines)</TD></TR>')
    columns.append(table("Marks", marks))
    return columns


def _graph_label(p: Picture, words: PictureText) -> str:
    """Title and legend in one HTML-like table: the graph's own label, so the legend
    has a fixed place (top left) and never pulls the layout around."""
    title, line2, line3 = _heading(p, words)
    columns = _legend_columns(p)
    span = f' COLSPAN="{len(columns)}"'
    rows = [f'<TR><TD ALIGN="LEFT"{span}><FONT POINT-SIZE="16"><B>{html_text(title)}</B>'
            f'</FONT></TD></TR>',
            f'<TR><TD ALIGN="LEFT"{span}><FONT POINT-SIZE="13">{html_text(line2)}</FONT>'
            f'</TD></TR>',
            f'<TR><TD ALIGN="LEFT"{span}>{html_text(line3)}</TD></TR>',
            "<TR>" + "".join(f'<TD ALIGN="LEFT" VALIGN="TOP">{c}</TD>' for c in columns)
            + "</TR>"]
    return ('<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="6" CELLPADDING="0">'
            + "".join(rows) + "</TABLE>>")


def picture_dot(p: Picture, words: PictureText, engine_scopes: Optional[dict[str, str]] = None
                ) -> str:
    """The DOT text of a picture (deterministic: same picture, same text)."""
    engine_scopes = engine_scopes or {}
    engine_index = {e.name: e.index for e in p.engines}
    out = ["digraph trtlint {",
           f'  graph [rankdir=LR, fontname="{FONT}", labelloc=t, labeljust=l, newrank=true, '
           f'nodesep=0.25, ranksep=0.45, pad=0.3, label={_graph_label(p, words)}];',
           f'  node [fontname="{FONT}", fontsize=11, margin="0.12,0.06", penwidth=1.2];',
           f'  edge [fontname="{FONT}", arrowsize=0.7];']

    def box_line(box: Box, indent: str) -> str:
        if box.kind == "scope":
            cls, attrs = _scope_box(box, p)
        else:
            cls, attrs = _node_box(box, engine_scopes)
        attrs.update(_box_colours(box, engine_index))
        if box.engine is None:
            cls += " tf " + box.main_category
        else:
            cls += " member"
        attrs["class"] = dot_string(cls)
        return f"{indent}{box.id} [{_attrs(attrs)}];"

    by_engine: dict[Optional[str], list[Box]] = {}
    for box in p.boxes:
        by_engine.setdefault(box.engine, []).append(box)
    for e in p.engines:
        sw = engine_swatch(e.index)
        style = '"rounded,filled,bold"' if e.will_build else '"rounded,filled,dashed,bold"'
        border = sw.border if e.will_build else FAILED_ENGINE_COLOR
        cls = "engine" if e.will_build else "engine failed"
        out.append(f"  subgraph cluster_e{e.index} {{")
        out.append(f"    graph [{_attrs({'label': _engine_label(e, engine_scopes.get(e.name, '')), 'style': style, 'fillcolor': dot_string(_tint(sw.fill)), 'color': dot_string(border), 'penwidth': '2.2', 'class': dot_string(cls), 'fontsize': '12', 'tooltip': dot_string(e.name)})}];")
        for box in by_engine.get(e.name, []):
            out.append(box_line(box, "    "))
        out.append("  }")
    for box in by_engine.get(None, []):
        out.append(box_line(box, "  "))
    for link in p.links:
        out.append(f"  {link.src} -> {link.dst} [{_attrs(_link_attrs(link))}];")
    out.append("}")
    return "\n".join(out) + "\n"


def _tint(hex_colour: str, keep: float = 0.28) -> str:
    """A pale version of a colour (cluster backgrounds behind member boxes)."""
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    mix = [round(255 - (255 - c) * keep) for c in (r, g, b)]
    return "#" + "".join(f"{c:02x}" for c in mix)


# ---------------------------------------------------------------------------------------
# entry points
# ---------------------------------------------------------------------------------------

def analysis_dot(a: Analysis, picture: Picture) -> str:
    """The DOT text for ``picture`` of analysis ``a``."""
    scopes = {s.name: s.scope for s in a.segments if s.scope}
    return picture_dot(picture, picture_text(a), scopes)


class DotMissing(TrtlintError):
    """Graphviz's ``dot`` program is not installed (one line, exit code 2)."""


def _missing(fmt: str) -> DotMissing:
    return DotMissing(f"Graphviz's `dot` program is needed for {fmt} output but was not "
                      f"found on PATH; {INSTALL_HINT}")


def dot_available(fmt: str = "svg") -> None:
    """Raise :class:`DotMissing` unless ``dot`` is on PATH (where the graphviz package
    looks for it), so a command can fail before a long analysis rather than after."""
    if shutil.which("dot") is None:
        raise _missing(fmt)


def render(dot_text: str, fmt: str) -> bytes:
    """Run Graphviz's ``dot`` on ``dot_text``; ``fmt`` is svg, png or pdf."""
    import graphviz

    try:
        return graphviz.pipe("dot", fmt, dot_text.encode("utf-8"), quiet=True)
    except graphviz.ExecutableNotFound:
        raise _missing(fmt) from None
    except graphviz.CalledProcessError as exc:
        detail = (exc.stderr or b"").decode("utf-8", "replace").strip().splitlines()
        first = detail[0] if detail else f"exit status {exc.returncode}"
        raise TrtlintError(f"Graphviz's dot failed: {first}") from None


def output_format(path: Path) -> str:
    """``dot``, ``svg``, ``png`` or ``pdf`` from the output file's extension."""
    suffix = path.suffix.lower()
    if suffix in DOT_SUFFIXES:
        return "dot"
    if suffix in RENDERED_FORMATS:
        return RENDERED_FORMATS[suffix]
    raise UsageError(f"cannot tell the picture format from '{path.name}': end the file name "
                     f"in .svg, .png, .pdf or .dot")


def svg_for_html(svg: bytes) -> str:
    """An SVG document from ``dot`` as an element to inline in HTML (no XML prolog or
    DOCTYPE, which are not allowed in the middle of an HTML document)."""
    text = svg.decode("utf-8")
    start = text.find("<svg")
    return text[start:] if start >= 0 else text
