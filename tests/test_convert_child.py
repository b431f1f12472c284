"""`trtlint convert`'s child process with a real TensorFlow (the test venv's tensorflow-cpu
2.17, which has no TF-TRT): log capture, stage events, how every kind of death becomes a
finding, the timeout, and the command line around it.

Faults are injected the way a real conversion dies: a wrapper script imports the real
child (trtlint/convert/child.py) and, when the child enters a stage, runs TensorFlow's
own Abort op (LOG(FATAL) -> SIGABRT, as TF-TRT's failed CHECKs do), dereferences NULL
(SIGSEGV), or hangs. Without a fault the child runs until TF-TRT itself refuses: this
TensorFlow was built without TensorRT.
"""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from trtlint.cli import app
from trtlint.convert import runner as runner_module
from trtlint.convert.environment import child_environment
from trtlint.convert.request import build_request
from trtlint.convert.runner import CHILD_SCRIPT, run_conversion
from trtlint.load import load_model

pytestmark = pytest.mark.tensorflow

ROOT = Path(__file__).resolve().parents[1]
GRAPH = ROOT / "fixtures" / "graphs" / "conv_bn_fused.pb"
SAVED = ROOT / "fixtures" / "saved_models" / "keras_conv_classifier"

FAULTS = {
    "abort": """
        import tensorflow as tf
        graph = tf.Graph()
        with graph.as_default():
            op = tf.raw_ops.Abort(error_msg="trtlint test: abort while converting")
        with tf.compat.v1.Session(graph=graph) as session:
            session.run(op)
    """,
    "segfault": """
        import ctypes
        ctypes.string_at(0)
    """,
    "hang": """
        import time
        time.sleep(600)
    """,
}


def fault_child(tmp_path: Path, fault: str, stage: str) -> Path:
    """A child script: the real child, with ``fault`` injected when it enters ``stage``."""
    body = textwrap.indent(textwrap.dedent(FAULTS[fault]).strip(), " " * 8)
    script = tmp_path / f"child_{fault}.py"
    script.write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(CHILD_SCRIPT.parent)!r})\n"
        "import child\n\n"
        "def hook(stage):\n"
        f"    if stage == {stage!r}:\n"
        f"{body}\n\n"
        "child.STAGE_HOOKS.append(hook)\n"
        "sys.exit(child.main())\n")
    return script


def convert(tmp_path: Path, model: Path = GRAPH, script=None, timeout=300.0, **kw):
    request = build_request(load_model(model), tmp_path / "out", allow_no_gpu=True, **kw)
    events = []
    run = run_conversion(request, child_environment(allow_no_gpu=True), timeout=timeout,
                         progress=events.append, child_script=script)
    return run, events


def test_abort_in_tensorflow_becomes_a_finding_with_the_fatal_line(tmp_path):
    run, events = convert(tmp_path, script=fault_child(tmp_path, "abort", "convert"))
    assert run.status == "aborted" and run.end.signal_name == "SIGABRT"
    assert run.stage == "convert"
    assert [e.stage for e in events if e.kind == "stage"] == [
        "import_tensorflow", "check_environment", "load_model", "convert"]
    assert "Abort_op intentional failure; trtlint test: abort while converting" in run.fatal_line
    assert " F tensorflow/core/kernels/" in run.fatal_line
    (finding,) = run.findings
    assert finding.rule == "TRT901" and finding.severity == "error"
    assert finding.message.startswith(
        "the conversion process aborted (SIGABRT) during stage 'convert': Abort_op "
        "intentional failure; trtlint test: abort while converting")
    assert finding.data["last_log_lines"] == run.last_log_lines
    assert any("Abort_op intentional failure" in line for line in run.last_log_lines)
    # The log was captured from fd 2 by the child's parent: it survived the abort.
    log = run.log_path.read_text()
    assert "trtlint-convert: stage convert" in log
    assert run.result is None                 # the child never got to write its result
    assert run.fact("tensorflow") == "2.17.0"  # ...but it had announced its version


def test_segfault_becomes_a_finding_with_the_python_stack(tmp_path):
    run, _ = convert(tmp_path, script=fault_child(tmp_path, "segfault", "load_model"))
    assert run.status == "segfault" and run.stage == "load_model"
    (finding,) = run.findings
    assert finding.rule == "TRT902"
    assert "Fatal Python error: Segmentation fault" in finding.message
    # PYTHONFAULTHANDLER in the child's environment: the log shows where Python was.
    assert "in hook" in run.log_path.read_text()


def test_timeout_stops_the_child(tmp_path):
    run, _ = convert(tmp_path, script=fault_child(tmp_path, "hang", "load_model"), timeout=25)
    assert run.status == "timeout" and run.end.timed_out
    assert run.end.seconds < 60
    (finding,) = run.findings
    assert finding.rule == "TRT904" and "raise --timeout" in finding.fix


def test_tftrt_refusal_is_a_python_error_with_its_message(tmp_path):
    """No fault injected: TrtGraphConverterV2 itself refuses this TensorFlow."""
    run, events = convert(tmp_path)
    assert run.status == "error" and run.end.returncode == 1
    assert run.stage == "convert"
    assert run.error["type"] == "RuntimeError"
    assert run.error["message"] == "Tensorflow has not been built with TensorRT support."
    (finding,) = run.findings
    assert finding.rule == "TRT905"
    assert "trtlint convert --check" in finding.fix
    result = json.loads((tmp_path / "out" / "conversion.json").read_text())
    assert result["status"] == "error" and result["tensorflow"] == "2.17.0"
    assert [s["stage"] for s in result["stages"]] == [
        "import_tensorflow", "check_environment", "load_model", "convert"]
    # TensorFlow's own C++ logging reached the log file (fd 2), as did the traceback.
    log = (tmp_path / "out" / "conversion.log").read_text()
    assert "Tensorflow needs to be built with TensorRT support enabled" in log
    assert "Traceback (most recent call last)" in log
    request = json.loads((tmp_path / "out" / "request.json").read_text())
    assert request["outputs"] == ["predictions:0"] and request["inputs"] == ["input"]


def test_no_gpu_without_permission_is_refused_by_the_child(tmp_path):
    request = build_request(load_model(GRAPH), tmp_path / "out")
    run = run_conversion(request, child_environment(), timeout=300)
    assert run.status == "error"
    assert "no GPU is visible to TensorFlow" in run.error["message"]
    assert "--allow-no-gpu" in run.findings[0].fix


def test_saved_model_path_reaches_the_converter_too(tmp_path):
    run, _ = convert(tmp_path, model=SAVED)
    assert run.status == "error" and run.stage == "convert"
    assert "built with TensorRT" in run.error["message"]


# -- the command line ---------------------------------------------------------------------

cli_runner = CliRunner()


def test_cli_reports_an_abort_and_exits_1_without_traceback(tmp_path, monkeypatch):
    monkeypatch.setattr(runner_module, "CHILD_SCRIPT", fault_child(tmp_path, "abort", "convert"))
    out = tmp_path / "cli"
    result = cli_runner.invoke(app, ["convert", str(GRAPH), "-o", str(out), "--no-preflight",
                                     "--allow-no-gpu", "--no-color"])
    assert result.exit_code == 1
    text = " ".join(result.stdout.split())            # undo the terminal's line wrapping
    assert "ABORTED (SIGABRT)" in text
    assert "TRT901 the conversion process aborted (SIGABRT) during stage 'convert': " \
           "Abort_op intentional failure; trtlint test: abort while converting" in text
    assert "Traceback" not in result.stdout
    report = json.loads((out / "report.json").read_text())
    assert report["run"]["status"] == "aborted"
    assert report["run"]["exit"]["signal"] == "SIGABRT"
    assert report["run"]["findings"][0]["rule"] == "TRT901"
    assert report["log"] is None or report["log"]["engines"] == {}


def test_cli_json_of_a_python_error(tmp_path):
    out = tmp_path / "cli"
    result = cli_runner.invoke(app, ["convert", str(GRAPH), "-o", str(out), "--no-preflight",
                                     "--allow-no-gpu", "--format", "json", "--quiet"])
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["schema"] == "trtlint.convert/1"
    assert document["preflight"] is None
    assert document["run"]["status"] == "error"
    assert document["run"]["error"]["message"] == \
        "Tensorflow has not been built with TensorRT support."
    assert document == json.loads((out / "report.json").read_text())


def test_cli_progress_lines_in_a_pipe(tmp_path, monkeypatch):
    monkeypatch.setattr(runner_module, "CHILD_SCRIPT", fault_child(tmp_path, "abort", "convert"))
    result = cli_runner.invoke(app, ["convert", str(GRAPH), "-o", str(tmp_path / "p"),
                                     "--no-preflight", "--allow-no-gpu", "--format", "json"])
    progress = [line for line in result.stderr.splitlines() if line.startswith("trtlint convert:")]
    assert progress[:4] == ["trtlint convert: [import_tensorflow]",
                            "trtlint convert: [check_environment]",
                            f"trtlint convert: [load_model]: {GRAPH}",
                            "trtlint convert: [convert]: TrtGraphConverterV2 on the GraphDef "
                            "as a function"]
    assert any("Abort_op intentional failure" in line for line in progress)


@pytest.mark.parametrize("args,message", [
    (["--max-batch-size", "4", "--dynamic-shape"], "cannot be combined with --dynamic-shape"),
    (["--precision", "FP8"], "unknown precision 'FP8'"),
    (["--api", "v3"], "unknown --api 'v3'"),
    (["--max-batch-size", "2", "--api", "v2"], "static engines for --max-batch-size need --api v1"),
    (["--input-shape", "nope=1x2"], "--input-shape names nope"),
    (["--env", "NOEQUALS"], "--env expects KEY=VALUE"),
])
def test_flag_errors_fail_fast_before_any_process(tmp_path, args, message):
    result = cli_runner.invoke(app, ["convert", str(GRAPH), "-o", str(tmp_path / "o"), *args])
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists()


def test_input_errors(tmp_path):
    missing = cli_runner.invoke(app, ["convert", str(tmp_path / "none.pb")])
    assert missing.exit_code == 2 and "no such file or directory" in missing.stderr
    calib = cli_runner.invoke(app, ["convert", str(GRAPH), "-o", str(tmp_path / "o"),
                                    "--precision", "INT8", "--calibration-data",
                                    str(tmp_path)])
    assert calib.exit_code == 2 and "holds no .npz or .npy files" in calib.stderr
    bad_python = cli_runner.invoke(app, ["convert", str(GRAPH), "--python",
                                         str(tmp_path / "python9")])
    assert bad_python.exit_code == 2 and "no such interpreter" in bad_python.stderr
    no_model = cli_runner.invoke(app, ["convert"])
    assert no_model.exit_code == 2 and "--check" in no_model.stderr
    inside = cli_runner.invoke(app, ["convert", str(SAVED), "-o", str(SAVED / "out")])
    assert inside.exit_code == 2 and "inside the model" in inside.stderr


def test_default_outdir_is_in_the_working_directory_not_next_to_the_model():
    from trtlint.cli.convert_cmd import default_outdir

    assert default_outdir(GRAPH) == Path("trtlint-convert") / "conv_bn_fused"
    assert default_outdir(SAVED) == Path("trtlint-convert") / "keras_conv_classifier"
    assert default_outdir(SAVED / "saved_model.pb") == Path("trtlint-convert") / \
        "keras_conv_classifier"


def test_child_script_runs_on_old_pythons_syntax():
    """The child and the probe run in whatever interpreter has TensorFlow (TF 1.x: Python
    3.6): no syntax newer than 3.6 (no walrus, no positional-only parameters, no
    ``from __future__ import annotations``)."""
    import ast

    for script in (CHILD_SCRIPT, CHILD_SCRIPT.with_name("probe.py")):
        tree = ast.parse(script.read_text(), feature_version=(3, 6))
        futures = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)
                   and n.module == "__future__"]
        assert not futures
        assert not any(isinstance(n, ast.NamedExpr) for n in ast.walk(tree))
        imported = {a.name.split(".")[0] for n in ast.walk(tree)
                    if isinstance(n, (ast.Import, ast.ImportFrom))
                    for a in getattr(n, "names", []) if isinstance(n, ast.Import)}
        imported |= {n.module.split(".")[0] for n in ast.walk(tree)
                     if isinstance(n, ast.ImportFrom) and n.module}
        assert "trtlint" not in imported and "networkx" not in imported, script
    assert sys.version_info >= (3, 8)
