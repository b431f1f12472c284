"""Node names are user data: quotes, ``<script>``, braces, backslashes and unicode must
come out of DOT, SVG and HTML as the same text, never as markup or DOT syntax.

TensorFlow refuses such names, so the graph is written with trtlint's own protobuf
schema and loaded through the normal loader.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from trtlint.analysis import analyze
from trtlint.cli.options import target_from_options
from trtlint.graph.dtypes import VALUES as DTYPE_VALUES
from trtlint.load import load_model
from trtlint.load.schema import GraphDef, message_class
from trtlint.views.graphviz_view import analysis_dot, dot_string, html_text, render
from trtlint.views.html import render_html
from trtlint.views.scopes import build_picture

AttrValue = message_class("AttrValue")
SVG = "{http://www.w3.org/2000/svg}"
XLINK_TITLE = "{http://www.w3.org/1999/xlink}title"

INPUT = 'in"put'
WEIGHTS = "weights{0}"
SCRIPT = "<script>alert('x')</script>"
BACKSLASH = "back\\slash\\"
UNICODE = "ünï/cødé/名前Ω"
BREAKOUT = 'x"]; evil [label="pwn'
OUTPUT = "out&amp;<b>bold</b>"
HOSTILE = [INPUT, WEIGHTS, SCRIPT, BACKSLASH, UNICODE, BREAKOUT, OUTPUT]


def _hostile_graph(path: Path) -> Path:
    """input -> MatMul(weights) -> Relu -> Tanh -> Cumsum -> Identity, hostile names.

    MatMul, Relu and Tanh form an engine (the Cumsum has no converter), so hostile names
    land inside a cluster, outside it, on graph inputs and outputs, and on constants.
    """
    gd = GraphDef()
    gd.versions.producer = 1000
    f32 = AttrValue(type=DTYPE_VALUES["float32"])
    i32 = AttrValue(type=DTYPE_VALUES["int32"])

    def node(name, op, inputs=(), **attrs):
        nd = gd.node.add()
        nd.name, nd.op = name, op
        nd.input.extend(inputs)
        for key, value in attrs.items():
            nd.attr[key].CopyFrom(value)

    shape = AttrValue()
    for d in (-1, 8):
        shape.shape.dim.add().size = d
    node(INPUT, "Placeholder", dtype=f32, shape=shape)
    weights = AttrValue()
    weights.tensor.dtype = DTYPE_VALUES["float32"]
    for d in (8, 8):
        weights.tensor.tensor_shape.dim.add().size = d
    weights.tensor.float_val.append(0.5)
    node(WEIGHTS, "Const", dtype=f32, value=weights)
    node(SCRIPT, "MatMul", [INPUT, WEIGHTS], T=f32, transpose_a=AttrValue(b=False),
         transpose_b=AttrValue(b=False))
    node(BACKSLASH, "Relu", [SCRIPT], T=f32)
    node(UNICODE, "Tanh", [BACKSLASH], T=f32)
    axis = AttrValue()
    axis.tensor.dtype = DTYPE_VALUES["int32"]
    axis.tensor.int_val.append(1)
    node("axis", "Const", dtype=i32, value=axis)
    node(BREAKOUT, "Cumsum", [UNICODE, "axis"], T=f32, Tidx=i32)
    node(OUTPUT, "Identity", [BREAKOUT], T=f32)
    path.write_bytes(gd.SerializeToString())
    return path


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    path = _hostile_graph(tmp_path_factory.mktemp("hostile") / "hostile.pb")
    return analyze(load_model(path), target_from_options(no_grappler=True))


def test_premise_hostile_names_reach_an_engine_and_tensorflow(hostile):
    assert set(HOSTILE) <= set(hostile.graph.nodes)
    assert len(hostile.segments) == 1
    assert {SCRIPT, BACKSLASH, UNICODE} <= set(hostile.segments[0].nodes)
    assert not hostile.decisions[BREAKOUT].supported


def test_dot_text_holds_names_only_in_escaped_forms(hostile):
    picture = build_picture(hostile)
    dot = analysis_dot(hostile, picture)
    for name in (INPUT, SCRIPT, BREAKOUT, OUTPUT):
        assert name not in dot, name          # quotes and markup never appear raw
    assert "&lt;script&gt;" in dot
    assert "tooltip=" + dot_string(BACKSLASH)[:-1] + "&#10;Relu" in dot
    # one statement per box, each on its own line and closed: no name split a statement
    statements = [line for line in dot.splitlines() if re.match(r"\s+b\d+ \[", line)]
    assert len(statements) == len(picture.boxes)
    assert all(line.endswith("];") for line in statements)


def test_svg_reads_back_every_name_exactly(hostile):
    svg = render(analysis_dot(hostile, build_picture(hostile)), "svg")
    root = ET.fromstring(svg)                       # well-formed XML despite the names
    assert not [el for el in root.iter() if el.tag.endswith("script")]
    assert b"<script" not in svg
    tooltips = {el.get(XLINK_TITLE).split("\n")[0] for el in root.iter(SVG + "a")}
    assert set(HOSTILE) <= tooltips
    texts = {t.text for t in root.iter(SVG + "text")}
    for name in (INPUT, WEIGHTS, SCRIPT, BREAKOUT, OUTPUT):
        assert name in texts, name
    # inside the engine the cluster's scope is not repeated; the unicode name keeps its tail
    assert any(t and "名前Ω" in t for t in texts)


@pytest.mark.parametrize("text", HOSTILE + ["\\N \\G \\L", "tab\tand\nnewline", "\x07bell"])
def test_dot_string_and_html_text_round_trip_through_dot(text):
    dot = (f"digraph g {{ a [tooltip={dot_string(text)}, label=<{html_text(text)}>]; }}")
    root = ET.fromstring(render(dot, "svg"))
    tooltip = next(el.get(XLINK_TITLE) for el in root.iter(SVG + "a"))
    label = next(t.text for t in root.iter(SVG + "text"))
    clean = text.replace("\x07", "\ufffd").replace("\t", " ")
    assert tooltip == clean
    assert label == clean.replace("\n", " ")


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: list[str] = []
        self.attrs: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(v or "" for _, v in attrs)

    def handle_data(self, data):
        self.text.append(data)


def test_html_report_escapes_every_name(hostile):
    page = render_html(hostile)
    assert "<script" not in page.lower()
    assert "&lt;script&gt;" in page
    parsed = _Collector()
    parsed.feed(page)
    assert "script" not in parsed.tags and "b" not in parsed.tags
    text = "\n".join(parsed.text)
    for name in HOSTILE:
        assert name in text, name
    # no attribute value was broken open by a quote in a name
    assert not [v for v in parsed.attrs if "evil" in v and "label" in v and "\n" not in v
                and v.startswith("x")]
