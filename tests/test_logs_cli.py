"""`trtlint logs` through the real CLI: JSON shape, rich summary, and the one-line exit-2
errors for files that are not TF-TRT logs."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from trtlint.cli import app
from trtlint.logs import read_log
from shared_data import SHARED

ROOT = Path(__file__).resolve().parents[1]
CORPUS = SHARED / "corpus" / "logs"
FIXTURES = ROOT / "fixtures" / "logs"
SEED_LOG = CORPUS / "000_seed_ssd_inception_v2.log"

runner = CliRunner()
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"shared corpus not found at {CORPUS}")

# The trtlint.log/1 document of DESIGN.md, as a JSON Schema.
LOG_SCHEMA = {
    "type": "object",
    "required": ["schema", "facts", "events"],
    "additionalProperties": False,
    "properties": {
        "schema": {"const": "trtlint.log/1"},
        "facts": {"type": "object"},
        "events": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["line", "level", "source", "kind", "fields", "message"],
                "properties": {
                    "line": {"type": "integer", "minimum": 1},
                    "level": {"enum": [None, "debug", "info", "warning", "error", "fatal"]},
                    "source": {"type": ["string", "null"]},
                    "time": {"type": ["string", "null"]},
                    "kind": {"type": "string", "minLength": 1},
                    "message": {"type": "string"},
                    "fields": {"type": "object"},
                },
            },
        },
    },
}


def run(*args: str):
    return runner.invoke(app, ["logs", *args])


def assert_one_line_error(result, *needles: str) -> None:
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("trtlint: error: ")
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in lines[0]


@pytest.mark.parametrize("log", [
    pytest.param(SEED_LOG, marks=needs_corpus),
    FIXTURES / "tf217_gru_unrolled_max_engines.log",
    pytest.param(CORPUS / "022_multiline_grappler_native_segments_empty_memory.log",
                 marks=needs_corpus)], ids=lambda p: p.stem)
def test_json_output(log: Path):
    result = run(str(log), "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    jsonschema.validate(doc, LOG_SCHEMA)
    assert doc["facts"] == read_log(log).facts
    lines = [e["line"] for e in doc["events"]]
    assert lines == sorted(lines)                      # in log order


@needs_corpus
def test_json_facts_are_the_sidecar():
    doc = json.loads(run(str(SEED_LOG), "--format", "json").stdout)
    sidecar = json.loads(SEED_LOG.with_suffix(".json").read_text(encoding="utf-8"))
    assert doc["facts"] == sidecar["facts"]
    first = doc["events"][0]
    assert first == {
        "line": 1, "level": "info", "time": "2019-04-14 08:32:36.713848",
        "source": "tensorflow/contrib/tensorrt/segment/segment.cc:443",
        "kind": "unconverted_summary", "message": first["message"],
        "fields": sidecar["facts"]["unconverted"]}


@needs_corpus
def test_rich_summary_of_the_seed_log():
    result = run(str(SEED_LOG), "--no-color")
    assert result.exit_code == 0, result.stderr
    out = " ".join(result.stdout.split())             # rich wraps at the terminal width
    for expected in ("contrib", "candidate segments: 4", "TRTEngineOp_0", "707", "failed",
                     "runs in TensorFlow", "3962 ops of 51 types", "Conv2D", "TensorRTOptimizer",
                     "Check failed: t.TotalBytes()", "validation failed"):
        assert expected in out, expected


def test_rich_summary_of_a_tf217_log():
    out = " ".join(run(str(FIXTURES / "tf217_gru_unrolled_max_engines.log"),
                       "--no-color").stdout.split())
    for expected in ("tf2tensorrt", "TRTEngineOp_000_019", "replaced", "37× not among the 20 "
                     "largest segments", "51 ops of 17 types",
                     "Shape is only supported for explicit batch mode.", "TF_TRT_MAX_ALLOWED_ENGINES=20"):
        assert expected in out, expected


ALL_LOGS = sorted(CORPUS.glob("*.log")) + sorted(FIXTURES.glob("*.log"))


@pytest.mark.parametrize("log", ALL_LOGS, ids=lambda p: p.stem)
def test_rich_view_of_every_log(log: Path):
    """Every real log renders; the header names the era and the engines the parser found."""
    report = read_log(log)
    result = runner.invoke(app, ["logs", str(log), "--no-color"], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.stderr
    out = " ".join(result.stdout.split())
    assert ("TF-TRT era: " + (report.era or "not identifiable")) in out
    for engine in report.engines[:5]:
        if engine.status != "dropped" and engine.name:
            assert engine.name.split("/")[-1] in out


def test_gzip_log(tmp_path: Path):
    log = FIXTURES / "tf217_poets_dynamic_shape.log"
    packed = tmp_path / "convert.log.gz"
    packed.write_bytes(gzip.compress(log.read_bytes()))
    doc = json.loads(run(str(packed), "--format", "json").stdout)
    assert doc["facts"] == read_log(log).facts
    assert doc["facts"]["candidate_segments"] == 2


def test_standard_input():
    log = FIXTURES / "tf217_face_detector_const_copies.log"
    result = runner.invoke(app, ["logs", "-", "--format", "json"], input=log.read_bytes())
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["facts"] == read_log(log).facts
    assert_one_line_error(runner.invoke(app, ["logs", "-"], input=b"hello\n"),
                          "<stdin>", "no TF-TRT messages found")


def test_missing_file():
    assert_one_line_error(run("/nonexistent/convert.log"), "no such file")


def test_directory(tmp_path: Path):
    assert_one_line_error(run(str(tmp_path)), "directory")


def test_empty_file(tmp_path: Path):
    empty = tmp_path / "empty.log"
    empty.write_text("\n\n", encoding="utf-8")
    assert_one_line_error(run(str(empty)), "empty")


def test_a_graph_is_not_a_log():
    graph = ROOT / "fixtures" / "graphs" / "seg_many_engines.pb"
    assert graph.read_bytes()[:1]                      # a real, non-empty GraphDef
    assert_one_line_error(run(str(graph)), "binary file")


@pytest.mark.parametrize("prose", [
    FIXTURES / "README.md",
    pytest.param(SHARED / "DESIGN.md", marks=needs_corpus),
    pytest.param(CORPUS / "INDEX.md", marks=needs_corpus),
    pytest.param(SHARED / "tftrt-oracle" / "README.md", marks=needs_corpus)],
    ids=lambda p: f"{p.parent.name}/{p.name}")
def test_prose_about_tftrt_is_not_a_log(prose: Path):
    """Documents that quote TF-TRT messages inside sentences and tables are not logs."""
    assert_one_line_error(run(str(prose)), "no TF-TRT messages found")


@pytest.mark.tensorflow
@pytest.mark.slow
def test_a_tensorflow_log_without_tftrt_is_not_a_tftrt_log(tmp_path: Path):
    """A real TensorFlow run (CPU, no TF-TRT) logs devices, CPU features, grappler..."""
    pytest.importorskip("tensorflow")
    code = ("import tensorflow as tf\n"
            "@tf.function\n"
            "def f(x):\n    return tf.nn.relu(tf.matmul(x, x)) + 1.0\n"
            "print(f(tf.ones([4, 4])).numpy().sum())\n")
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="0", TF_CPP_VMODULE="meta_optimizer=1")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    log = tmp_path / "tf.log"
    log.write_text(done.stderr, encoding="utf-8")
    assert "tensorflow/" in done.stderr                # it is a TensorFlow log
    assert_one_line_error(run(str(log)), "no TF-TRT messages found")


@needs_corpus
def test_a_tftrt_excerpt_in_noise_is_still_a_log(tmp_path: Path):
    """Be liberal: three TF-TRT lines inside a long script output are enough."""
    noise = "\n".join(f"epoch {i}: loss={1.0 / (i + 1):.4f}" for i in range(2000))
    excerpt = (CORPUS / "018_triton_tensorpack_rcnn_scoped_engines.log").read_text("utf-8")
    log = tmp_path / "train.log"
    log.write_text(noise + "\n" + excerpt + noise, encoding="utf-8")
    doc = json.loads(run(str(log), "--format", "json").stdout)
    assert [e["name"] for e in doc["facts"]["engines"]] == [
        "TRTEngineOp_0", "TRTEngineOp_2", "decode_bbox_target/TRTEngineOp_4",
        "decode_bbox_target_1/TRTEngineOp_5"]
    assert doc["events"][0]["line"] == 2001


def test_parsing_never_imports_tensorflow():
    code = ("import sys\n"
            "from trtlint.cli import app\n"
            "from trtlint.logs import read_log\n"
            "from trtlint.views import logs_view\n"
            f"read_log({str(FIXTURES / 'tf217_face_detector_const_copies.log')!r})\n"
            "assert 'tensorflow' not in sys.modules, 'tensorflow imported'\n"
            "assert 'numpy' not in sys.modules, 'numpy imported'\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
