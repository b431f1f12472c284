"""The rule catalog itself, ``trtlint rules``, ``trtlint explain`` and how findings reach
the report: ids, names and docstrings follow the conventions, the CLI lists and explains
every rule, unknown ids are one-line usage errors, and analysis never imports TensorFlow."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from trtlint.cli import app
from trtlint.findings import FAMILIES, SEVERITIES, all_rules, rule_by_id, run_rules
from trtlint.findings.rules import __path__ as RULES_PATH

from test_rules_helpers import GRAPHS, REPO, analysis_of

runner = CliRunner()


def test_catalog_covers_every_family_with_stable_ids():
    rules = all_rules()
    assert len(rules) >= 30
    ids = [r.id for r in rules]
    assert len(ids) == len(set(ids))
    for r in rules:
        assert re.fullmatch(r"TRT[1-79]\d\d", r.id), r.id
        assert r.id[:4] in FAMILIES
    assert {r.id[:4] for r in rules} == set(FAMILIES)


def test_names_are_kebab_case_and_unique():
    names = [r.name for r in all_rules()]
    assert len(names) == len(set(names))
    for name in names:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", name), name


def test_docstrings_have_a_summary_an_anti_pattern_and_a_fix():
    for r in all_rules():
        doc = r.description()
        lines = doc.splitlines()
        assert len(lines[0]) <= 90 and lines[1] == "", f"{r.id}: one-line summary first"
        assert "Anti-pattern::" in lines and "Fix::" in lines, r.id
        assert lines.index("Anti-pattern::") < lines.index("Fix::"), r.id
        assert r.severity in SEVERITIES


def test_one_rule_per_module_named_after_its_id():
    import pkgutil

    modules = [m.name for m in pkgutil.iter_modules(RULES_PATH) if not m.name.startswith("_")]
    assert len(modules) == len(all_rules())
    for r in all_rules():
        assert r.__module__.rpartition(".")[2].startswith(r.id.lower() + "_"), r.id


def test_rule_by_id_accepts_ids_in_any_case_and_names():
    assert rule_by_id("trt101").id == "TRT101"
    assert rule_by_id("unknown-engine-input-dims").id == "TRT101"
    assert rule_by_id("TRT999") is None


def test_rules_command_lists_every_rule():
    result = runner.invoke(app, ["rules", "--no-color"])
    assert result.exit_code == 0, result.output
    for r in all_rules():
        assert r.id in result.output
        assert r.name in result.output


def test_rules_command_json_is_the_catalog():
    result = runner.invoke(app, ["rules", "--format", "json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["schema"] == "trtlint.rules/1"
    assert [r["id"] for r in data["rules"]] == [r.id for r in all_rules()]
    first = data["rules"][0]
    assert set(first) == {"id", "name", "severity", "family", "summary"}
    assert first["family"] == "shapes"


def test_rules_command_rejects_an_unknown_format():
    result = runner.invoke(app, ["rules", "--format", "xml"])
    assert result.exit_code == 2
    assert "unknown --format" in result.stderr


def test_explain_renders_the_docstring():
    result = runner.invoke(app, ["explain", "TRT301", "--no-color"])
    assert result.exit_code == 0, result.output
    assert "quantize-empty-input" in result.stdout
    assert "Anti-pattern" in result.stdout and "Fix" in result.stdout
    assert "input_max_range must be larger than input_min_range" in result.stdout
    assert "Anti-pattern::" not in result.stdout  # rendered, not dumped


def test_explain_by_name_and_lower_case_id_agree():
    by_id = runner.invoke(app, ["explain", "trt501", "--format", "markdown"])
    by_name = runner.invoke(app, ["explain", "tiny-engine", "--format", "markdown"])
    assert by_id.exit_code == by_name.exit_code == 0
    assert by_id.stdout == by_name.stdout
    assert by_id.stdout.startswith("# TRT501 tiny-engine (info, segmentation)")
    assert "```python" in by_id.stdout


def test_explain_json_carries_the_full_description():
    result = runner.invoke(app, ["explain", "TRT601", "--format", "json"])
    data = json.loads(result.stdout)
    assert data["id"] == "TRT601" and data["family"] == "precision and hardware"
    assert "GTX 1080" in data["description"]


def test_explain_unknown_rule_is_a_one_line_usage_error():
    result = runner.invoke(app, ["explain", "TRT999"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert lines == ["trtlint: error: unknown rule 'TRT999'; 'trtlint rules' lists them"]
    assert "Traceback" not in result.output


def test_findings_are_in_the_json_report_worst_first():
    result = runner.invoke(app, ["analyze", str(GRAPHS / "ssd_inception_v2_like_quantized_area.pb"),
                                 "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.stdout)
    rules = [f["rule"] for f in report["findings"]]
    assert "TRT301" in rules and "TRT201" in rules
    ranks = [{"error": 3, "warning": 2, "info": 1}[f["severity"]] for f in report["findings"]]
    assert ranks == sorted(ranks, reverse=True)
    first = report["findings"][0]
    assert first["rule"] == "TRT301" and first["severity"] == "error"
    assert {"rule", "severity", "node", "message", "fix"} <= set(first)


def test_run_rules_select_and_ignore_by_prefix():
    a = analysis_of(GRAPHS / "ssd_inception_v2_like_quantized_area.pb")
    only_quant = run_rules(a, select=["TRT3"])
    assert only_quant and all(f.rule.startswith("TRT3") for f in only_quant)
    without = run_rules(a, ignore=["TRT3", "TRT2"])
    assert without and not any(f.rule.startswith(("TRT3", "TRT2")) for f in without)


def test_analysis_path_never_imports_tensorflow():
    code = (
        "import sys\n"
        "from trtlint.cli import main\n"
        "try:\n"
        f"    main(['analyze', {str(GRAPHS / 'ssd_inception_v2_like.pb')!r}, '--format', 'json',"
        " '--gpu', 'T4', '--precision', 'FP16'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "import trtlint.findings\n"
        "assert trtlint.findings.all_rules()\n"
        "print('TF' if 'tensorflow' in sys.modules else 'NO-TF', file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=REPO, timeout=300)
    assert proc.stderr.strip().splitlines()[-1] == "NO-TF", proc.stderr
    assert json.loads(proc.stdout)["findings"]


@pytest.mark.parametrize("rule", [r.id for r in all_rules()])
def test_every_rule_runs_cleanly_on_every_fixture_graph(rule):
    # A rule must never crash, whatever the graph: run each one over all fixture graphs.
    cls = rule_by_id(rule)
    for path in sorted(GRAPHS.glob("*.pb")):
        a = analysis_of(path)
        for f in cls().check(a):
            assert f.rule == rule and f.severity in SEVERITIES and f.message
            assert f.node is None or f.node in a.graph or f.node in a.model.graph


@pytest.mark.parametrize("rule", [r.id for r in all_rules()])
def test_every_rule_explains_in_rich_and_markdown(rule):
    rich = runner.invoke(app, ["explain", rule, "--no-color"])
    assert rich.exit_code == 0 and rule in rich.stdout
    markdown = runner.invoke(app, ["explain", rule, "--format", "markdown"]).stdout
    # each "Title::" literal block became a fenced code block, and nothing was lost
    assert markdown.count("```python") == 2 and markdown.count("```") == 4
    assert "Anti-pattern::" not in markdown


def test_conversion_run_rules_are_the_ones_convert_raises():
    # TRT9xx document how `trtlint convert`'s child process can end; the runner takes
    # its ids and wording from them, and an analysis never yields them.
    from trtlint.convert.runner import status_rules
    from trtlint.findings.rules._conversion import ConversionRunRule

    run_rules_ = [r for r in all_rules() if issubclass(r, ConversionRunRule)]
    assert [r.id for r in run_rules_] == [f"TRT90{i}" for i in range(1, 8)]
    assert all(r.family() == "conversion run" and r.severity == "error" for r in run_rules_)
    assert set(status_rules()) == {"aborted", "segfault", "killed", "timeout", "error",
                                   "crashed", "interrupted"}
    assert status_rules()["aborted"] == ("TRT901", "aborted (SIGABRT)")
    result = runner.invoke(app, ["explain", "TRT901", "--format", "json"])
    assert result.exit_code == 0
    assert "TotalBytes()" in json.loads(result.stdout)["description"]
