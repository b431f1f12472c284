"""The SARIF, Markdown and GitHub views as pure functions of analyses and findings.

Real analyses of fixture graphs, their real findings, plus findings whose node names and
messages carry every character that could break the format (| ` * _ < > % , : and
newlines).  SARIF is validated against the official 2.1.0 schema; Markdown is rendered
with a CommonMark+tables parser and inspected as HTML; GitHub commands are parsed back
with GitHub's grammar.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from markdown_it import MarkdownIt

from trtlint.analysis import analyze
from trtlint.findings import Finding, all_rules, run_rules
from trtlint.load import load_model
from trtlint.outcome import ModelOutcome, outcome_from_analysis
from trtlint.target import make_target
from trtlint.views.github import escape_data, escape_property, render_github
from trtlint.views.markdown import md_code, md_text, render_markdown
from trtlint.views.sarif import artifact_uri, render_sarif, sarif_log

ROOT = Path(__file__).resolve().parents[1]
GRAPHS = ROOT / "fixtures" / "graphs"
SAVED = ROOT / "fixtures" / "saved_models"
SARIF_SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json")
                          .read_text(encoding="utf-8"))

HOSTILE_NODES = [
    "scope|with|pipes/op",
    "tick`name``s/op",
    "`leading_and_trailing`",
    "stars*and_underscores_/x*y*",
    "angle<script>alert(1)</script>/op",
    "percent%25,comma:colon/op",
    "amp&lt;entity/op",
]


def _analysis(path: Path, **target):
    a = analyze(load_model(path), make_target(**target))
    # The views must not care how findings were produced; run the catalog explicitly so
    # these tests do not depend on where the pipeline wires it.
    a.findings = run_rules(a)
    return a


@pytest.fixture(scope="module")
def reshape_analysis():
    return _analysis(GRAPHS / "seg_batch_reshape_transpose.pb")


@pytest.fixture(scope="module")
def ssd_analysis():
    return _analysis(GRAPHS / "ssd_inception_v2_like.pb")


def _rule_ids() -> list[str]:
    ids = [r.id for r in all_rules()]
    assert ids, "the rule catalog is empty"
    return ids


def hostile_findings() -> list[Finding]:
    ids = _rule_ids()
    severities = ["error", "warning", "info"]
    out = []
    for i, node in enumerate(HOSTILE_NODES):
        out.append(Finding(rule=ids[i % len(ids)], severity=severities[i % 3],
                           message=f"message for {node}\nsecond line | with *stars* and "
                                   f"<b>bold</b> 100% sure, a:b",
                           node=node, fix="use `tf.identity` | or *not* <i>", segment=None))
    out.append(Finding(rule=ids[0], severity="warning", message="model-level: # not a heading",
                       node=None, fix=None))
    return out


def hostile_outcome(path: str = "models/odd|name*.pb") -> ModelOutcome:
    from trtlint.report import report_json

    a = _analysis(GRAPHS / "conv_bn_fused.pb")
    a.findings = hostile_findings()
    return ModelOutcome(path=path, report=report_json(a), findings=list(a.findings))


# -- SARIF -------------------------------------------------------------------------------

def test_sarif_validates_and_maps_every_finding(ssd_analysis):
    assert ssd_analysis.findings, "the seed-like graph must have findings"
    log = sarif_log(ssd_analysis)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "trtlint"
    # every registered rule is described, with its metadata
    described = {d["id"]: d for d in driver["rules"]}
    for rule in all_rules():
        d = described[rule.id]
        assert d["name"] == rule.name
        assert d["shortDescription"]["text"] == rule.summary()
        assert d["defaultConfiguration"]["level"] == {"error": "error", "warning": "warning",
                                                      "info": "note"}[rule.severity]
        assert rule.family() in d["properties"]["tags"]
    results = run["results"]
    assert len(results) == len(ssd_analysis.findings)
    assert run["artifacts"][0]["location"]["uri"] == artifact_uri(str(ssd_analysis.model.path))
    for finding, result in zip(ssd_analysis.findings, results, strict=True):
        assert result["ruleId"] == finding.rule
        assert driver["rules"][result["ruleIndex"]]["id"] == finding.rule
        assert result["level"] == {"error": "error", "warning": "warning",
                                   "info": "note"}[finding.severity]
        assert result["message"]["text"].startswith(finding.message)
        loc = result["locations"][0]
        assert loc["physicalLocation"]["artifactLocation"]["index"] == 0
        if finding.node:
            assert loc["logicalLocations"][0]["fullyQualifiedName"] == finding.node
            assert loc["logicalLocations"][0]["name"] == finding.node.rsplit("/", 1)[-1]
        else:
            assert "logicalLocations" not in loc
    # fingerprints are stable and distinguish different findings
    fps = [r["partialFingerprints"]["trtlintFinding/v1"] for r in results]
    assert fps == [r["partialFingerprints"]["trtlintFinding/v1"]
                   for r in sarif_log(ssd_analysis)["runs"][0]["results"]]
    assert len(set(fps)) == len({f.fingerprint() for f in ssd_analysis.findings})
    # the prediction summary travels with the artifact
    props = run["artifacts"][0]["properties"]
    assert props["engines"] == sum(1 for s in ssd_analysis.segments if s.will_build)
    assert props["target"]["profile"] == "tf2"


def test_sarif_hostile_names_and_errors_validate():
    ok = hostile_outcome("models/with space/odd.pb")
    broken = ModelOutcome(path="/abs/missing model.pb", error="/abs/missing model.pb: no such "
                                                               "file or directory")
    saved = outcome_from_analysis(_analysis(SAVED / "keras_conv_classifier"))
    log = json.loads(render_sarif([ok, broken, saved]))
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)
    run = log["runs"][0]
    uris = [a["location"]["uri"] for a in run["artifacts"]]
    assert uris[0] == "models/with%20space/odd.pb"
    assert uris[1] == "file:///abs/missing%20model.pb"
    assert uris[2].endswith("keras_conv_classifier/saved_model.pb")
    inv = run["invocations"][0]
    assert inv["executionSuccessful"] is False
    note = inv["toolExecutionNotifications"][0]
    assert note["level"] == "error" and "no such file" in note["message"]["text"]
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["index"] == 1
    names = [r["locations"][0].get("logicalLocations", [{}])[0].get("fullyQualifiedName")
             for r in run["results"] if r["properties"]["model"] == ok.path]
    assert names == [f.node for f in ok.findings]
    # the fix text is carried both in the message and as a property
    first = run["results"][0]
    assert first["properties"]["fix"] == ok.findings[0].fix
    assert first["message"]["text"].endswith("Fix: " + ok.findings[0].fix)


def test_sarif_unknown_rule_gets_a_descriptor():
    outcome = hostile_outcome()
    outcome.findings.append(Finding("XYZ900", "warning", "from a plugin", "a/b"))
    log = sarif_log(outcome)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)
    run = log["runs"][0]
    last = run["results"][-1]
    assert run["tool"]["driver"]["rules"][last["ruleIndex"]]["id"] == "XYZ900"


# -- GitHub ------------------------------------------------------------------------------

COMMAND = re.compile(r"^::(?P<level>error|warning|notice)(?: (?P<props>[^:]*))?::(?P<msg>.*)$")


def _unescape(text: str) -> str:
    return (text.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":")
            .replace("%2C", ",").replace("%25", "%"))


def parse_command(line: str) -> tuple[str, dict[str, str], str]:
    """Parse a workflow command the way the runner does (split props on ',' then '=')."""
    m = COMMAND.match(line)
    assert m, f"not a workflow command: {line!r}"
    props = {}
    for part in (m.group("props") or "").split(","):
        if part:
            key, _, value = part.partition("=")
            props[key] = _unescape(value)
    return m.group("level"), props, _unescape(m.group("msg"))


def test_github_escaping_round_trips():
    nasty = "100% a,b:c\r\nnext"
    assert _unescape(escape_data(nasty)) == nasty
    assert _unescape(escape_property(nasty)) == nasty
    assert "," not in escape_property(nasty) and ":" not in escape_property(nasty)
    assert "\n" not in escape_data(nasty) and "\r" not in escape_data(nasty)


def test_github_one_command_per_finding_with_hostile_text():
    outcome = hostile_outcome("models/a,b:c%.pb")
    text = render_github(outcome)
    lines = text.splitlines()
    commands = [ln for ln in lines if ln.startswith("::")]
    assert len(commands) == len(outcome.findings)
    for finding, line in zip(outcome.findings, commands, strict=True):
        level, props, msg = parse_command(line)
        assert level == {"error": "error", "warning": "warning", "info": "notice"}[
            finding.severity]
        assert props["file"] == "models/a,b:c%.pb"
        assert props["title"].startswith(finding.rule)
        if finding.node:
            assert msg.startswith(f"{finding.node}: {finding.message}")
        if finding.fix:
            assert msg.endswith(f"\nFix: {finding.fix}")
    # the summary is a plain line, not a command
    assert lines[-1].startswith("trtlint: ") and "8 finding" not in lines[-1]
    assert "error(s)" in lines[-1]


def test_github_real_findings_and_saved_model_file(reshape_analysis):
    outcome = outcome_from_analysis(reshape_analysis)
    commands = [ln for ln in render_github(outcome).splitlines() if ln.startswith("::")]
    assert len(commands) == len(reshape_analysis.findings) > 0
    saved = outcome_from_analysis(_analysis(SAVED / "keras_conv_classifier"))
    for line in render_github(saved).splitlines():
        if line.startswith("::"):
            assert parse_command(line)[1]["file"].endswith("keras_conv_classifier/saved_model.pb")
    failed = ModelOutcome(path="x.pb", error="x.pb: the file is empty")
    level, props, msg = parse_command(render_github(failed).splitlines()[0])
    assert (level, props["file"], msg) == ("error", "x.pb", "x.pb: the file is empty")


# -- Markdown ----------------------------------------------------------------------------

def _html(markdown: str) -> str:
    return MarkdownIt("commonmark").enable("table").render(markdown)


def _tables(html: str) -> list[list[list[str]]]:
    """Each table as rows of cell HTML (header row first)."""
    tables = []
    for body in re.findall(r"<table>(.*?)</table>", html, flags=re.S):
        rows = []
        for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S):
            rows.append(re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S))
        tables.append(rows)
    return tables


def test_markdown_escaping_helpers():
    for name in HOSTILE_NODES:
        html = _html(f"x {md_code(name)} y")
        code = re.findall(r"<code>(.*?)</code>", html)
        assert len(code) == 1
        assert code[0] == name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") \
            .replace('"', "&quot;")
    html = _html(md_text("*a* _b_ `c` <d> [e](f) ~~g~~ | h"))
    assert "<em>" not in html and "<code>" not in html and "<d>" not in html
    assert "<a " not in html and "<del>" not in html and "<s>" not in html
    for start in ("# heading", "- item", "1. item", "+ item", "12) item"):
        html = _html(md_text(start))
        assert html.startswith("<p>"), (start, html)


def test_markdown_hostile_report_keeps_structure():
    outcome = hostile_outcome()
    md = render_markdown(outcome)
    html = _html(md)
    assert "<script" not in html and "<b>" not in html and "<i>" not in html
    tables = _tables(html)
    summary = tables[0]
    assert len(summary) == 2 and len(summary[0]) == len(summary[1]) == 9
    assert summary[1][0] == "<code>models/odd|name*.pb</code>"
    for table in tables:
        widths = {len(row) for row in table}
        assert len(widths) == 1, table
    codes = re.findall(r"<code>(.*?)</code>", html)
    for node in HOSTILE_NODES:
        escaped = node.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") \
            .replace('"', "&quot;")
        assert escaped in codes, node
    # emphasis only where the view puts it (the *Fix:* labels), never from user text
    assert set(re.findall(r"<em>(.*?)</em>", html)) <= {"Fix:"}
    items = re.findall(r"<li>(.*?)</li>", html, flags=re.S)
    assert len(items) == len(outcome.findings)
    assert not re.search(r"<h\d>not a heading", html)


def test_markdown_real_report_contents(ssd_analysis, reshape_analysis):
    md = render_markdown([ssd_analysis, reshape_analysis,
                          ModelOutcome(path="broken.pb", error="broken.pb: the file is empty")])
    html = _html(md)
    summary = _tables(html)[0]
    assert [row[0] for row in summary[1:]] == [
        f"<code>{ssd_analysis.model.path}</code>", f"<code>{reshape_analysis.model.path}</code>",
        "<code>broken.pb</code>"]
    ssd_row = summary[1]
    counts = {s: sum(1 for f in ssd_analysis.findings if f.severity == s)
              for s in ("error", "warning", "info")}
    assert ssd_row[6:] == [str(counts["error"]), str(counts["warning"]), str(counts["info"])]
    assert ssd_row[2] == str(sum(1 for s in ssd_analysis.segments if s.will_build))
    assert "could not analyse" in summary[3][1]
    # an engines table per analysed model with one row per engine
    engine_tables = [t for t in _tables(html)[1:] if t[0][0] == "engine"]
    assert [len(t) - 1 for t in engine_tables] == [len(ssd_analysis.segments),
                                                   len(reshape_analysis.segments)]
    # findings grouped by rule, worst first, each group's count correct
    ssd_section = html.split("<h3>")[1]
    headers = re.findall(r"<p><strong>(TRT\d+)\b.*?</strong> \((\w+), (\d+)\)</p>",
                         ssd_section)
    by_rule = {}
    for f in ssd_analysis.findings:
        by_rule.setdefault(f.rule, []).append(f)
    assert {rid: int(n) for rid, _, n in headers} == {k: len(v) for k, v in by_rule.items()}
    ranks = {"error": 3, "warning": 2, "info": 1}
    worst = [ranks[sev] for _, sev, _ in headers]
    assert worst == sorted(worst, reverse=True)


def test_markdown_cuts_long_lists(monkeypatch):
    import trtlint.views.markdown as markdown

    # dynamic shape mode cuts the SSD's post-processing into many engines (TF 2.17's
    # default implicit batch mode makes one), so both lists have something to cut
    many = _analysis(GRAPHS / "ssd_inception_v2_like.pb", dynamic_shape=True)
    assert len(many.segments) >= 3
    outcome = outcome_from_analysis(many)
    biggest = max({f.rule for f in outcome.findings},
                  key=lambda r: sum(1 for f in outcome.findings if f.rule == r))
    n = sum(1 for f in outcome.findings if f.rule == biggest)
    assert n >= 2
    monkeypatch.setattr(markdown, "MAX_FINDINGS_PER_RULE", n - 1)
    monkeypatch.setattr(markdown, "MAX_ENGINE_ROWS", 1)
    md = markdown.render_markdown(outcome)
    assert "- ... and 1 more" in md
    assert len(_tables(_html(md))[1]) == 1 + 1  # header + one engine row
    assert f"... and {len(many.segments) - 1} more engines." in md


# -- text graphs: findings point at the node's line --------------------------------------

@pytest.mark.tensorflow
def test_text_graph_findings_carry_the_node_line(tmp_path):
    import tensorflow as tf

    graph_def = tf.compat.v1.GraphDef()
    graph_def.ParseFromString((GRAPHS / "seg_batch_reshape_transpose.pb").read_bytes())
    tf.io.write_graph(graph_def, str(tmp_path), "model.pbtxt", as_text=True)
    path = tmp_path / "model.pbtxt"
    lines = path.read_text().splitlines()
    a = _analysis(path)
    assert a.model.format == "pbtxt" and a.findings
    outcome = outcome_from_analysis(a)
    with_node = [f for f in a.findings if f.node]
    assert with_node and set(outcome.node_lines) == {f.node for f in with_node}
    for node, line in outcome.node_lines.items():
        assert lines[line - 1].strip() == f'name: "{node}"'
        assert lines[line - 2] == "node {"
    log = sarif_log(outcome)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)
    for finding, result in zip(a.findings, log["runs"][0]["results"], strict=True):
        region = result["locations"][0]["physicalLocation"].get("region")
        if finding.node:
            assert region == {"startLine": outcome.node_lines[finding.node]}
        else:
            assert region is None
    commands = [ln for ln in render_github(outcome).splitlines() if ln.startswith("::")]
    for finding, line in zip(a.findings, commands, strict=True):
        props = parse_command(line)[1]
        if finding.node:
            assert props["line"] == str(outcome.node_lines[finding.node])
    # binary graphs have no lines
    assert outcome_from_analysis(_analysis(GRAPHS / "seg_batch_reshape_transpose.pb")) \
        .node_lines == {}
