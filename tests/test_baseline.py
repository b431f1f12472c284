"""Baselines: `trtlint baseline` records findings, `analyze --baseline` reports only new ones."""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from trtlint.baseline import SCHEMA, load_baseline, model_key, split_new
from trtlint.cli import app
from trtlint.errors import InputError
from trtlint.findings import Finding

ROOT = Path(__file__).resolve().parents[1]
GRAPHS = ROOT / "fixtures" / "graphs"
SAVED = ROOT / "fixtures" / "saved_models"
runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


def analyze_json(*args: str) -> tuple[int, dict]:
    result = invoke("analyze", *args, "--format", "json", "--no-config")
    assert result.exit_code in (0, 1), result.stderr
    return result.exit_code, json.loads(result.stdout)


@pytest.fixture()
def project(tmp_path):
    """A repository-like folder: two models with findings, one without."""
    models = tmp_path / "repo" / "models"
    models.mkdir(parents=True)
    for name in ("seg_batch_reshape_transpose.pb", "tf1_while_tensorarray.pb",
                 "conv_bn_fused.pb"):
        shutil.copy(GRAPHS / name, models / name)
    return tmp_path / "repo"


def test_baseline_file_records_every_reported_finding(project):
    out = project / "trtlint-baseline.json"
    result = invoke("baseline", str(project / "models"), "-o", str(out), "--no-config")
    assert result.exit_code == 0, result.stderr
    data = json.loads(out.read_text())
    assert data["schema"] == SCHEMA
    assert list(data["models"]) == sorted(data["models"])
    assert set(data["models"]) == {"models/conv_bn_fused.pb",
                                   "models/seg_batch_reshape_transpose.pb",
                                   "models/tf1_while_tensorarray.pb"}
    for key, entries in data["models"].items():
        _, report = analyze_json(str(project / key))
        assert Counter(e["fingerprint"] for e in entries) == Counter(
            f"{f['rule']}|{f['node'] or ''}|{f['message']}" for f in report["findings"])
        assert entries == sorted(entries, key=lambda e: (e["rule"], e["node"] or "",
                                                         e["message"]))
    assert "wrote" in result.stderr
    total = sum(len(v) for v in data["models"].values())
    assert f"wrote {total} finding(s) of 3 model(s)" in result.stderr
    # regenerating gives the same bytes (reviewable diffs)
    first = out.read_bytes()
    assert invoke("baseline", str(project / "models"), "-o", str(out),
                  "--no-config").exit_code == 0
    assert out.read_bytes() == first


def test_analyze_with_baseline_reports_only_new_findings(project):
    model = project / "models" / "tf1_while_tensorarray.pb"
    _, before = analyze_json(str(model))
    rules = {f["rule"] for f in before["findings"]}
    assert len(rules) >= 2, before["findings"]
    left_out = sorted(rules)[-1]
    out = project / "baseline.json"
    # baseline made while one rule was ignored: its findings are "new" afterwards
    assert invoke("baseline", str(model), "-o", str(out), "--no-config",
                  "--ignore", left_out).exit_code == 0
    code, after = analyze_json(str(model), "--baseline", str(out), "--fail-on", "info")
    assert {f["rule"] for f in after["findings"]} == {left_out}
    assert after["baselined"] == sum(1 for f in before["findings"] if f["rule"] != left_out)
    assert code == 1
    # a complete baseline silences the model: exit 0 even with --fail-on info
    assert invoke("baseline", str(model), "-o", str(out), "--no-config").exit_code == 0
    code, after = analyze_json(str(model), "--baseline", str(out), "--fail-on", "info")
    assert (code, after["findings"], after["baselined"]) == (0, [], len(before["findings"]))
    # every format honours it (the rich view says how many are hidden)
    rich = invoke("analyze", str(model), "--baseline", str(out), "--fail-on", "info",
                  "--no-config")
    assert rich.exit_code == 0
    assert f"{len(before['findings'])} finding(s) already in the baseline" in \
        " ".join(rich.stdout.split())
    for fmt in ("sarif", "github", "markdown"):
        res = invoke("analyze", str(model), "--baseline", str(out), "--fail-on", "info",
                     "--no-config", "--format", fmt)
        assert res.exit_code == 0, (fmt, res.stderr)
    sarif = json.loads(invoke("analyze", str(model), "--baseline", str(out), "--no-config",
                              "--format", "sarif").stdout)
    assert sarif["runs"][0]["results"] == []


def test_baseline_survives_moving_the_repository(project, tmp_path):
    out = project / "trtlint-baseline.json"
    assert invoke("baseline", str(project / "models"), "-o", str(out),
                  "--no-config").exit_code == 0
    moved = tmp_path / "elsewhere"
    shutil.copytree(project, moved)
    cwd = os.getcwd()
    try:
        os.chdir(moved)  # relative paths on the command line, as in CI
        result = invoke("analyze", "models", "--baseline", "trtlint-baseline.json",
                        "--fail-on", "info", "--format", "json", "--no-config")
    finally:
        os.chdir(cwd)
    assert result.exit_code == 0, result.stdout
    data = json.loads(result.stdout)
    assert all(r["findings"] == [] for r in data["reports"])


def test_counts_matter_and_known_is_not_consumed():
    a = Finding("TRT102", "warning", "same message", "n")
    b = Finding("TRT102", "warning", "same message", "n")
    c = Finding("TRT201", "info", "other", None)
    known = Counter({a.fingerprint(): 1, c.fingerprint(): 1})
    new, matched = split_new([a, b, c], known)
    assert new == [b] and matched == 2
    assert known[a.fingerprint()] == 1  # the caller's counter is untouched
    # severity is not part of identity: a rule that changes severity stays baselined
    d = Finding("TRT201", "error", "other", None)
    assert split_new([d], known) == ([], 1)


def test_saved_model_key_is_the_folder(tmp_path):
    saved = tmp_path / "sm"
    shutil.copytree(SAVED / "keras_conv_classifier", saved)
    assert model_key(saved / "saved_model.pb", tmp_path) == model_key(saved, tmp_path) == "sm"
    out = tmp_path / "b.json"
    assert invoke("baseline", str(saved), "-o", str(out), "--no-config").exit_code == 0
    # pre-commit passes saved_model.pb: the same baseline entry applies
    code, report = analyze_json(str(saved / "saved_model.pb"), "--baseline", str(out),
                                "--fail-on", "info")
    assert report["findings"] == [] and code == 0


@pytest.mark.parametrize("content, expected", [
    (None, "baseline file not found"),
    ("{not json", "invalid JSON"),
    ('{"schema": "trtlint.report/1", "models": {}}', "schema 'trtlint.report/1'"),
    ('[1, 2]', "not a trtlint baseline"),
    ('{"schema": "trtlint.baseline/1", "models": []}', "'models' must be an object"),
    ('{"schema": "trtlint.baseline/1", "models": {"a.pb": [{"rule": "x"}]}}',
     "need a 'fingerprint'"),
])
def test_bad_baseline_files_exit_2(tmp_path, content, expected):
    path = tmp_path / "b.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(InputError, match=expected):
        load_baseline(path)
    result = invoke("analyze", str(GRAPHS / "conv_bn_fused.pb"), "--baseline", str(path))
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0] and str(path) in lines[0]
    assert result.stdout == ""


def test_baseline_not_written_when_a_model_fails(tmp_path):
    bad = tmp_path / "broken.pb"
    bad.write_bytes(b"\x00\x01 not a graph")
    out = tmp_path / "b.json"
    result = invoke("baseline", str(GRAPHS / "conv_bn_fused.pb"), str(bad), "-o", str(out))
    assert result.exit_code == 2
    assert not out.exists()
    assert "baseline not written" in result.stderr
    assert "Traceback" not in result.stderr
    result = invoke("baseline", str(GRAPHS / "conv_bn_fused.pb"), "-o", str(tmp_path))
    assert result.exit_code == 2 and "is a directory" in result.stderr
