"""``trtlint viz`` through the real CLI: formats from the extension, DOT on stdout, target
flags, views, one-line errors, and what happens without Graphviz's ``dot``."""

from __future__ import annotations

import json

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from trtlint.cli import app

ROOT = Path(__file__).resolve().parents[1]
GRAPHS = ROOT / "fixtures" / "graphs"
TRTLINT = Path(sys.executable).with_name("trtlint")
SMALL = GRAPHS / "seg_control_deps.pb"
runner = CliRunner()


def viz(*args: str):
    return runner.invoke(app, ["viz", *args, "--no-config"])


def one_error_line(result) -> str:
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("trtlint: error: "), result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    return lines[0]


@pytest.mark.parametrize("suffix, magic", [(".svg", b"<?xml"), (".png", b"\x89PNG"),
                                           (".pdf", b"%PDF-"), (".dot", b"digraph trtlint"),
                                           (".gv", b"digraph trtlint")])
def test_format_follows_the_extension(tmp_path, suffix, magic):
    out = tmp_path / ("picture" + suffix)
    result = viz(str(SMALL), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert out.read_bytes().startswith(magic)
    assert f"wrote {out}" in result.stderr and "15 nodes in 15 boxes" in result.stderr


def analyze_json(*args: str) -> str:
    result = CliRunner().invoke(app, ["analyze", *args, "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    return result.stdout


def test_dot_text_on_stdout_without_output_file():
    result = viz(str(SMALL))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("digraph trtlint {") and result.stdout.rstrip().endswith("}")
    assert "cluster_e0" in result.stdout and "cluster_e1" in result.stdout


def test_example_collapses_and_views_change_it(tmp_path):
    out = tmp_path / "ssd.svg"
    result = viz("--example", "ssd", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert "collapsed by name scope at depth 1" in result.stderr
    root = ET.parse(out).getroot()
    scopes = [g for g in root.iter("{http://www.w3.org/2000/svg}g")
              if "scope" in (g.get("class") or "").split()]
    assert len(scopes) >= 5
    deeper = viz("--example", "ssd", "--depth", "2")
    assert deeper.exit_code == 0 and "collapsed by name scope at depth 2" in deeper.stdout
    expanded = viz("--example", "ssd", "--expand", "Postprocessor")
    assert "expanded: Postprocessor" in expanded.stdout
    # the example's engines: the view of the last one leaves out every other cluster
    report = json.loads(analyze_json("--example", "ssd"))
    last = report["segments"][-1]["name"]
    seg = viz("--example", "ssd", "--segment", last)
    assert f"{last} with the nodes that feed it and read it" in seg.stdout
    if len(report["segments"]) > 1:
        assert "cluster_e0" not in seg.stdout
    focus = viz("--example", "ssd", "--focus", "Postprocessor/ToFloat", "--radius", "1")
    assert focus.exit_code == 0, focus.stderr
    assert "neighbourhood of Postprocessor/ToFloat (radius 1)" in focus.stdout


def test_target_flags_reach_the_picture():
    model = str(GRAPHS / "uint8_unknown_dims.pb")
    dynamic = viz(model)
    assert dynamic.exit_code == 0 and "will NOT build" not in dynamic.stdout
    static = viz(model, "--max-batch-size", "1")
    assert static.exit_code == 0 and "will NOT build" in static.stdout
    assert "max_batch_size 1" in static.stdout
    tf1 = viz(model, "--profile", "tf1.13")
    assert "tf1.13" in tf1.stdout and "TRTEngineOp_0" in tf1.stdout


def test_config_file_sets_the_target(tmp_path):
    model = tmp_path / "model.pb"
    model.write_bytes((GRAPHS / "uint8_unknown_dims.pb").read_bytes())
    (tmp_path / "trtlint.toml").write_text("max-batch-size = 1\n", encoding="utf-8")
    result = runner.invoke(app, ["viz", str(model)])
    assert result.exit_code == 0, result.stderr
    assert "will NOT build" in result.stdout


@pytest.mark.parametrize("args, expected", [
    (["-o", "picture.jpg"], "end the file name in .svg, .png, .pdf or .dot"),
    (["--focus", "nope"], "no node called 'nope'"),
    (["--segment", "TRTEngineOp_7"], "the engines are TRTEngineOp_000_000, TRTEngineOp_000_001"),
    (["--expand", "zz"], "no name scope"),
    (["--radius", "2"], "--radius goes with --focus"),
    (["--full", "--depth", "1"], "--full draws every node"),
])
def test_usage_errors_are_one_line(args, expected):
    line = one_error_line(viz(str(SMALL), *args))
    assert expected in line


def test_input_errors_are_one_line(tmp_path):
    junk = tmp_path / "junk.pb"
    junk.write_bytes(b"\xff\x00 this is not a graph")
    one_error_line(viz(str(junk), "-o", str(tmp_path / "x.svg")))
    one_error_line(viz(str(tmp_path / "missing.pb")))
    one_error_line(viz())
    out = tmp_path / "no" / "such" / "dir" / "x.dot"
    assert "cannot write output" in one_error_line(viz(str(SMALL), "-o", str(out)))


def test_without_dot_one_line_says_how_to_install_and_dot_output_still_works(tmp_path):
    # a PATH holding only this Python's bin dir: trtlint is there, Graphviz's dot is not
    env = dict(os.environ, PATH=str(TRTLINT.parent))
    assert not (TRTLINT.parent / "dot").exists()
    svg = subprocess.run([str(TRTLINT), "viz", str(SMALL), "-o", str(tmp_path / "x.svg"),
                          "--no-config"], capture_output=True, text=True, env=env, timeout=120)
    assert svg.returncode == 2
    lines = svg.stderr.strip().splitlines()
    assert len(lines) == 1, svg.stderr
    assert "`dot` program is needed for svg output" in lines[0]
    assert "apt-get install graphviz" in lines[0] and ".dot file" in lines[0]
    assert not (tmp_path / "x.svg").exists()
    dot = subprocess.run([str(TRTLINT), "viz", str(SMALL), "-o", str(tmp_path / "x.dot"),
                          "--no-config"], capture_output=True, text=True, env=env, timeout=120)
    assert dot.returncode == 0, dot.stderr
    assert (tmp_path / "x.dot").read_text(encoding="utf-8").startswith("digraph trtlint")
