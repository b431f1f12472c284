"""`trtlint analyze` through the real CLI: exit codes in every format, several models and
folders, --jobs determinism, the progress bar, html dispatch, one-line errors."""

from __future__ import annotations

import importlib.util
import json
import os
import pty
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from trtlint.cli import app
from shared_data import CORPUS_MODELS

ROOT = Path(__file__).resolve().parents[1]
GRAPHS = ROOT / "fixtures" / "graphs"
SAVED = ROOT / "fixtures" / "saved_models"
TRTLINT = Path(sys.executable).with_name("trtlint")
SARIF_SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json")
                          .read_text(encoding="utf-8"))
HAS_HTML = importlib.util.find_spec("trtlint.views.html") is not None
FORMATS = ["rich", "json", "sarif", "markdown", "github"] + (["html"] if HAS_HTML else [])
runner = CliRunner()

CLEAN = GRAPHS / "conv_bn_fused.pb"               # no batch-dimension change
WARNS = GRAPHS / "seg_batch_reshape_transpose.pb"  # Reshape/Transpose over the batch dim
#: the exit-code matrix looks at one rule so that new rules elsewhere cannot move it
PIN = ["--select", "TRT102"]


def invoke(*args: str):
    return runner.invoke(app, ["analyze", *args, "--no-config"])


def findings_of(path: Path, *args: str) -> list[dict]:
    result = invoke(str(path), "--format", "json", *args)
    assert result.exit_code in (0, 1), result.stderr
    return json.loads(result.stdout)["findings"]


def expected_exit(findings: list[dict], fail_on: str) -> int:
    floor = {"error": 3, "warning": 2, "info": 1, "none": 99}[fail_on]
    rank = {"error": 3, "warning": 2, "info": 1}
    return 1 if any(rank[f["severity"]] >= floor for f in findings) else 0


def test_fixture_premises():
    """The two models the exit-code matrix is built on are what it assumes."""
    assert findings_of(CLEAN, *PIN) == []
    warns = findings_of(WARNS, *PIN)
    assert warns and {f["severity"] for f in warns} == {"warning"}, warns
    assert {f["rule"] for f in warns} == {"TRT102"}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("model, fail_on, code", [
    (CLEAN, None, 0), (CLEAN, "info", 0),
    (WARNS, None, 0), (WARNS, "error", 0), (WARNS, "warning", 1), (WARNS, "info", 1),
    (WARNS, "none", 0),
])
def test_exit_codes_in_every_format(fmt, model, fail_on, code):
    args = [str(model), *PIN, "--format", fmt] + (["--fail-on", fail_on] if fail_on else [])
    result = invoke(*args)
    assert result.exit_code == code, (result.stdout[-500:], result.stderr)
    assert result.stderr == ""
    if fmt in ("json", "sarif"):
        json.loads(result.stdout)
    if fmt == "sarif":
        jsonschema.Draft4Validator(SARIF_SCHEMA).validate(json.loads(result.stdout))


SEED_LIKE = GRAPHS / "ssd_inception_v2_like.pb"
SEED_TARGET = ["--profile", "tf1.13", "--max-batch-size", "1"]


@pytest.fixture(scope="module")
def seed_findings() -> list[dict]:
    findings = findings_of(SEED_LIKE, *SEED_TARGET)
    # the seed's big engine fails on the unknown image size: an error naming image_tensor
    assert any(f["severity"] == "error" and "image_tensor" in f["message"] for f in findings)
    return findings


@pytest.mark.parametrize("fmt", FORMATS)
def test_exit_code_follows_the_findings_for_error_models(fmt, seed_findings):
    """A model with errors under a static-engine, TF 1.13 target (the seed's setting):
    exit 1 exactly when a finding reaches --fail-on, in every format."""
    for fail_on in ("error", "none"):
        result = invoke(str(SEED_LIKE), *SEED_TARGET, "--format", fmt, "--fail-on", fail_on)
        assert result.exit_code == expected_exit(seed_findings, fail_on), (fmt, fail_on)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("args, message", [
    (["/no/such/model.pb"], "/no/such/model.pb: no such file or directory"),
    ([str(ROOT / "pyproject.toml")], "pyproject.toml"),
    ([str(CLEAN), "--precision", "FP8"], "unknown precision 'FP8'"),
    ([str(CLEAN), "--profile", "tf3"], "unknown profile 'tf3'"),
    ([str(CLEAN), "--input-shape", "x"], "expected NAME=DIMS"),
    ([str(CLEAN), "--select", "TRT000"], "unknown rule 'TRT000'"),
])
def test_input_and_usage_errors_exit_2_in_every_format(fmt, args, message):
    result = invoke(*args, "--format", fmt)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("trtlint: error: ") and message in lines[0]
    assert "Traceback" not in result.stderr


def test_unknown_format_and_no_model():
    result = invoke(str(CLEAN), "--format", "xml")
    assert result.exit_code == 2 and "unknown --format 'xml'" in result.stderr
    result = runner.invoke(app, ["analyze"])
    assert result.exit_code == 2 and "give a model path" in result.stderr
    empty = runner.invoke(app, ["analyze", str(ROOT / "fixtures" / "gen")])
    assert empty.exit_code == 2 and "no models here" in empty.stderr


def test_html_dispatch():
    result = invoke(str(CLEAN), "--format", "html")
    if not HAS_HTML:
        assert result.exit_code == 2
        assert "--format html is not available" in result.stderr
        return
    assert result.exit_code == 0, result.stderr
    assert "<html" in result.stdout.lower()
    several = invoke(str(CLEAN), str(WARNS), "--format", "html")
    assert several.exit_code == 2 and "renders one model" in several.stderr


# -- several models ----------------------------------------------------------------------

@pytest.fixture()
def model_tree(tmp_path):
    """models/ with graphs at two levels, a SavedModel, a hidden folder and a non-model."""
    root = tmp_path / "models"
    (root / "nested").mkdir(parents=True)
    shutil.copy(CLEAN, root / "b_clean.pb")
    shutil.copy(WARNS, root / "nested" / "a_warns.pb")
    shutil.copytree(SAVED / "keras_conv_classifier", root / "nested" / "classifier")
    (root / ".cache").mkdir()
    shutil.copy(CLEAN, root / ".cache" / "ignored.pb")
    (root / "notes.txt").write_text("not a model")
    return root


def test_folder_expansion_and_combined_json(model_tree):
    result = invoke(str(model_tree), "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["schema"] == "trtlint.reports/1"
    paths = [r["model"]["path"] for r in data["reports"]]
    assert paths == [str(model_tree / "b_clean.pb"), str(model_tree / "nested" / "a_warns.pb"),
                     str(model_tree / "nested" / "classifier")]
    assert [r["model"]["format"] for r in data["reports"]] == ["frozen_graph", "frozen_graph",
                                                               "saved_model"]
    assert all(r["schema"] == "trtlint.report/1" for r in data["reports"])
    assert data["errors"] == []
    # the same model named twice, or through its SavedModel files, is analysed once
    classifier = model_tree / "nested" / "classifier"
    result = invoke(str(classifier), str(classifier / "saved_model.pb"),
                    str(classifier / "fingerprint.pb"), "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["schema"] == "trtlint.report/1"


def test_one_model_keeps_the_single_report_object():
    result = invoke(str(CLEAN), "--format", "json")
    data = json.loads(result.stdout)
    assert data["schema"] == "trtlint.report/1" and "reports" not in data


@pytest.mark.parametrize("fmt", ["json", "sarif", "markdown", "github", "rich"])
def test_combined_exit_code(fmt, tmp_path):
    broken = tmp_path / "broken.pb"
    broken.write_bytes(b"")
    # clean + warnings: 1 with --fail-on warning, 0 by default
    assert invoke(str(CLEAN), str(WARNS), "--format", fmt).exit_code == 0
    assert invoke(str(CLEAN), str(WARNS), "--format", fmt,
                  "--fail-on", "warning").exit_code == 1
    # an unreadable model makes it 2, and the others are still reported
    result = invoke(str(CLEAN), str(broken), str(WARNS), "--format", fmt, "--fail-on", "warning")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"trtlint: error: {broken}: the file is empty"]
    if fmt == "json":
        data = json.loads(result.stdout)
        assert [r["model"]["path"] for r in data["reports"]] == [str(CLEAN), str(WARNS)]
        assert data["errors"] == [{"path": str(broken),
                                   "message": f"{broken}: the file is empty"}]
    elif fmt == "sarif":
        log = json.loads(result.stdout)
        jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)
        assert len(log["runs"][0]["artifacts"]) == 3
        assert log["runs"][0]["invocations"][0]["executionSuccessful"] is False
    elif fmt == "rich":
        text = " ".join(result.stdout.split())
        assert "3 models" in text and "cannot analyse" in text and "fails" in text


def test_results_do_not_depend_on_jobs(model_tree):
    outputs = {}
    for jobs in ("1", "2"):
        for fmt in ("json", "sarif", "markdown", "github"):
            result = invoke(str(model_tree), str(GRAPHS / "tf1_while_tensorarray.pb"),
                            "--format", fmt, "--jobs", jobs, "--fail-on", "info")
            assert result.exit_code == 1, result.stderr
            outputs.setdefault(fmt, set()).add(result.stdout)
    for fmt, seen in outputs.items():
        assert len(seen) == 1, f"{fmt} output differs between --jobs values"


def test_rich_report_for_several_models_has_each_model_and_a_summary(model_tree, monkeypatch):
    monkeypatch.chdir(model_tree.parent)  # short relative paths: table rows stay on one line
    result = invoke("models", "--fail-on", "warning")
    assert result.exit_code == 1
    text = result.stdout
    for name in ("b_clean.pb", "a_warns.pb", "classifier"):
        assert name in text
    assert text.count("trtlint analyze") == 3   # one summary panel per model
    summary = text[text.index("3 models"):]
    assert re.search(r"a_warns\.pb\s+\d+\s+[\d.]+%\s+0/\d+/\d+\s+fails", summary)
    assert re.search(r"b_clean\.pb\s+\d+\s+[\d.]+%\s+0/0/0\s+ok", summary)


def test_output_file(tmp_path):
    for fmt in ("json", "markdown", "rich"):
        out = tmp_path / f"report.{fmt}"
        result = invoke(str(CLEAN), str(WARNS), "--format", fmt, "-o", str(out),
                        "--fail-on", "warning")
        assert result.exit_code == 1
        assert result.stdout == ""
        text = out.read_text()
        assert "seg_batch_reshape_transpose" in text and "conv_bn_fused" in text
        assert "\x1b[" not in text


# -- as a user runs it (subprocess) ------------------------------------------------------

def _run_with_tty_stderr(args: list[str]) -> tuple[int, str, str]:
    """Run trtlint with stderr on a pseudo-terminal and stdout on a pipe."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([str(TRTLINT), *args], stdout=subprocess.PIPE, stderr=slave,
                            stdin=subprocess.DEVNULL, env={**os.environ, "COLUMNS": "100"})
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    stdout = proc.stdout.read().decode()
    code = proc.wait()
    os.close(master)
    return code, stdout, b"".join(chunks).decode(errors="replace")


def test_progress_bar_only_on_a_terminal_with_several_models(model_tree):
    code, stdout, stderr = _run_with_tty_stderr(
        ["analyze", str(model_tree), "--format", "json", "--no-config", "--jobs", "2"])
    assert code == 0
    assert "analysing models" in stderr
    assert json.loads(stdout)["schema"] == "trtlint.reports/1"
    # one model on a terminal: no bar
    code, stdout, stderr = _run_with_tty_stderr(
        ["analyze", str(CLEAN), "--format", "json", "--no-config"])
    assert code == 0 and "analysing models" not in stderr
    # several models, stderr not a terminal: no bar either
    proc = subprocess.run([str(TRTLINT), "analyze", str(model_tree), "--format", "json",
                           "--no-config"], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stderr == ""


def test_subprocess_exit_codes_and_no_tensorflow(tmp_path):
    code = ("import sys, runpy\n"
            "sys.argv = ['trtlint', 'analyze', sys.argv[1], '--format', 'sarif', "
            "'--fail-on', 'warning', '--no-config']\n"
            "try:\n"
            "    from trtlint.cli import main; main()\n"
            "except SystemExit as e:\n"
            "    assert 'tensorflow' not in sys.modules, 'tensorflow was imported'\n"
            "    raise\n")
    proc = subprocess.run([sys.executable, "-c", code, str(WARNS)], capture_output=True,
                          text=True)
    assert proc.returncode == 1, proc.stderr
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(json.loads(proc.stdout))
    proc = subprocess.run([str(TRTLINT), "analyze", str(tmp_path / "missing.pb")],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"trtlint: error: {tmp_path / 'missing.pb'}: no such file or directory"]


def test_example_still_works():
    result = runner.invoke(app, ["analyze", "--example", "ssd", "--format", "json"])
    assert result.exit_code in (0, 1), result.stderr
    assert json.loads(result.stdout)["schema"] == "trtlint.report/1"


def test_worker_count():
    from trtlint.cli.run_models import worker_count

    assert worker_count(1, 10) == 1
    assert worker_count(4, 2) == 2          # never more workers than models
    assert worker_count(0, 64) == min(64, os.cpu_count() or 1)
    assert worker_count(3, 0) == 1


_SMALL_PBTXT = """
node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } }
       attr { key: "shape" value { shape { dim { size: -1 } dim { size: 4 } } } } }
node { name: "y" op: "Relu" input: "x" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "z" op: "Relu" input: "y" attr { key: "T" value { type: DT_FLOAT } } }
"""
_FOURTH = 'node { name: "w" op: "Relu" input: "z" attr { key: "T" value { type: DT_FLOAT } } }\n'


@pytest.mark.parametrize("extra,runs", [("", False), (_FOURTH, True)])
def test_graph_below_grapplers_minimum_gets_no_tftrt_pass(tmp_path, extra, runs):
    # grappler's meta-optimizer returns graphs of < 4 nodes untouched, TF-TRT included
    path = tmp_path / "small.pbtxt"
    path.write_text(_SMALL_PBTXT + extra, encoding="utf-8")
    result = invoke(str(path), "--format", "json", "--minimum-segment-size", "1")
    report = json.loads(result.stdout)
    assert report["tensorrt_pass_runs"] is runs
    assert bool(report["segments"]) is runs
    if runs:
        assert report["unconverted"]["count"] > 0
    else:
        assert report["unconverted"]["count"] == 0
        assert any(n.startswith("TF-TRT does not run") for n in report["notes"])
        text = invoke(str(path), "--minimum-segment-size", "1").stdout
        assert "TF-TRT's pass does not run: all 3 nodes stay in TensorFlow" in text


def test_loader_notes_reach_the_report():
    # a TF1 Estimator export goes through TF1's TrtGraphConverter: the report says so
    model = CORPUS_MODELS / "017_guesslang_estimator_savedmodel"
    if not model.is_dir():
        pytest.skip("the shared corpus is not next to the repository")
    report = json.loads(invoke(str(model), "--format", "json").stdout)
    assert any("TrtGraphConverter does" in n for n in report["notes"])
    assert "prepared as TF1's TrtGraphConverter" in invoke(str(model)).stdout.replace("\n", " ")
