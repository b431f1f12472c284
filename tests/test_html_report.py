"""``render_html`` and ``trtlint analyze --format html``: one self-contained page whose
summary, engines, ops and findings match the analysis, with the picture inline."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from trtlint.analysis import analyze
from trtlint.cli.options import target_from_options
from trtlint.insights import unconverted_by_type
from trtlint.load import load_model
from trtlint.views.html import render_html

ROOT = Path(__file__).resolve().parents[1]
GRAPHS = ROOT / "fixtures" / "graphs"
TRTLINT = Path(sys.executable).with_name("trtlint")
SVG = "{http://www.w3.org/2000/svg}"


class Page(HTMLParser):
    """Tags, attributes, and the rows of every table, as text."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str, str]] = []
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None
        self._stack: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend((tag, k, v or "") for k, v in attrs)
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


@pytest.fixture(scope="module")
def ssd():
    return analyze(load_model(GRAPHS / "ssd_inception_v2_like.pb"), target_from_options())


@pytest.fixture(scope="module")
def page_text(ssd):
    return render_html(ssd)


def test_page_is_self_contained(page_text):
    page = Page(page_text)
    assert page_text.startswith("<!DOCTYPE html>")
    assert "script" not in page.tags and "link" not in page.tags
    assert "img" not in page.tags and "iframe" not in page.tags
    for tag, key, value in page.attrs:
        if key in ("src", "href", "xlink:href", "action"):
            raise AssertionError(f"<{tag} {key}={value!r}> loads something")
    css = re.search(r"<style>(.*?)</style>", page_text, re.S).group(1)
    assert "url(" not in css and "@import" not in css
    # the only URLs are the SVG namespace names, which are identifiers, not fetched
    urls = set(re.findall(r"https?://[^\s\"'<>]+", page_text))
    assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}


def test_summary_cards_match_the_analysis(ssd, page_text):
    built = sum(1 for s in ssd.segments if s.will_build)
    cards = re.findall(r'<div class="n[^"]*">([^<]*)</div><div class="l">([^<]*)</div>',
                       page_text)
    by_label = {label: number for number, label in cards}
    assert by_label["TensorRT engines that build"] == str(built)
    converted = sum(len(s.nodes) for s in ssd.segments if s.will_build)
    assert f"{converted} / {len(ssd.graph)}" in by_label.values()
    assert by_label[f"ops of {len(ssd.unconverted.types)} types stay in TensorFlow"] == \
        str(ssd.unconverted.count)
    for severity, label in (("error", "errors"), ("warning", "warnings"), ("info", "info")):
        assert by_label[label] == str(sum(1 for f in ssd.findings if f.severity == severity))


def test_tables_list_engines_ops_and_findings(ssd, page_text):
    tables = Page(page_text).tables
    engines = next(t for t in tables if t[0][:2] == ["engine", "nodes"])
    assert [row[0] for row in engines[1:]] == [s.name for s in ssd.segments]
    assert [int(row[1]) for row in engines[1:]] == [len(s.nodes) for s in ssd.segments]
    assert all(row[6] == "yes" for row in engines[1:])
    ops = next(t for t in tables if t[0][:2] == ["op", "count"])
    expected = unconverted_by_type(ssd)
    assert [(r[0], int(r[1])) for r in ops[1:]] == [(u.op, u.count) for u in expected]
    findings = next(t for t in tables if t[0][:2] == ["severity", "rule"])
    assert len(findings) - 1 == len(ssd.findings) > 0
    assert {r[1] for r in findings[1:]} == {f.rule for f in ssd.findings}
    io = next(t for t in tables if t[0][:2] == ["", "node"])
    assert ["input", "image_tensor", "uint8", "[?, ?, ?, 3]"] in io


def test_inline_picture_is_the_collapsed_view(ssd, page_text):
    svg = re.search(r"<svg.*?</svg>", page_text, re.S).group(0)
    root = ET.fromstring(svg)
    clusters = [g for g in root.iter(SVG + "g") if "engine" in (g.get("class") or "").split()]
    assert len(clusters) == len(ssd.segments)
    scopes = [g for g in root.iter(SVG + "g") if "scope" in (g.get("class") or "").split()]
    assert scopes, "a 1.7k-node graph is drawn collapsed by name scope"
    assert "collapsed by name scope at depth 1" in page_text


def test_failing_engine_shows_its_reason():
    a = analyze(load_model(GRAPHS / "uint8_unknown_dims.pb"),
                target_from_options(max_batch_size=1))
    seg = next(s for s in a.segments if not s.will_build)
    rows = next(t for t in Page(render_html(a)).tables if t[0][:2] == ["engine", "nodes"])
    row = next(r for r in rows if r[0] == seg.name)
    assert row[6].startswith("no: ") and seg.reason.strip()[:40] in row[6]


def test_cli_writes_the_report(tmp_path):
    out = tmp_path / "report.html"
    result = subprocess.run([str(TRTLINT), "analyze", "--example", "ssd", "--format", "html",
                             "-o", str(out), "--no-config"], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode in (0, 1), result.stderr
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "<svg" in text
    assert "<title>trtlint: ssd.pb</title>" in text


def test_without_dot_the_report_says_so_and_keeps_everything_else(tmp_path):
    out = tmp_path / "report.html"
    env = dict(os.environ, PATH=str(TRTLINT.parent))
    result = subprocess.run([str(TRTLINT), "analyze", str(GRAPHS / "seg_control_deps.pb"),
                             "--format", "html", "-o", str(out), "--no-config"],
                            capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode in (0, 1), result.stderr
    warning = [line for line in result.stderr.splitlines() if "no picture" in line]
    assert len(warning) == 1 and "apt-get install graphviz" in warning[0]
    text = out.read_text(encoding="utf-8")
    assert "<svg" not in text and "No picture" in text
    assert "TRTEngineOp_000_000" in text
