"""`trtlint convert` end to end against a real TF-TRT: the CPU oracle (TensorFlow 2.17 with
stub TensorRT libraries, tools/tftrt-oracle). Its conversion pass is TF-TRT's own; only
engine building needs real TensorRT and a GPU (tests/test_convert_gpu.py).

convert -> conversion.log -> crosscheck runs here for dynamic engines (the TF2 default),
on a fixture graph and on a corpus SavedModel. Static engines (--max-batch-size) make
TF-TRT build an engine during the conversion, which the stub cannot: a real segfault that
trtlint must report and survive.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from trtlint.cli import app
from shared_data import CORPUS_MODELS

pytestmark = pytest.mark.oracle

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "fixtures" / "graphs" / "conv_bn_fused.pb"
CORPUS = CORPUS_MODELS
runner = CliRunner()


def convert(tmp_path: Path, model: Path, *flags: str):
    """Run the CLI against the oracle; return (exit code, JSON document, output dir)."""
    from oracle import oracle_dir

    out = tmp_path / "out"
    result = runner.invoke(app, ["convert", str(model), "-o", str(out), "--oracle-dir",
                                 str(oracle_dir()), "--format", "json", "--quiet", *flags])
    assert "Traceback" not in result.stderr
    return result.exit_code, json.loads(result.stdout), out


def engines_from_converted_graph(document) -> dict[str, set]:
    """Engine -> nodes of its native segment, as the child read the converted graph."""
    return {e["name"]: set(e["nodes"]) for e in document["run"]["engines"]}


def engines_from_log(out: Path) -> dict[str, set]:
    """Engine -> members + copied consts, from the conversion log alone."""
    from trtlint.logs import read_log

    report = read_log(out / "conversion.log")
    return {e.name: set(e.node_names or ()) for e in report.engines
            if e.status in ("replaced", "succeeded")}


def test_fixture_graph_convert_log_crosscheck(tmp_path):
    code, document, out = convert(tmp_path, FIXTURE, "--crosscheck")
    run = document["run"]
    assert run["status"] == "ok" and run["exit"]["returncode"] == 0
    assert run["tensorflow"] == "2.17.0" and run["api"] == "v2" and run["gpus"] == []
    assert document["preflight"]["ok"] and document["preflight"]["profile"] == "tf2"
    for name in ("conversion.log", "conversion.json", "request.json", "report.json",
                 "crosscheck.json", "converted_graph.pb", "converted_model/saved_model.pb"):
        assert (out / name).exists(), name
    log = (out / "conversion.log").read_text()
    assert "Replaced segment 0 consisting of 47 nodes by TRTEngineOp_000_000." in log
    assert "TensorRT unsupported/non-converted OP Report" in log       # TF_TRT_SHOW_DETAILED_REPORT
    assert "[Count: " in log
    # The log, read by trtlint, says what the converted graph holds.
    assert engines_from_log(out) == engines_from_converted_graph(document)
    assert document["log"]["engines"] == {"replaced": 1}
    check = document["crosscheck"]
    assert check["method"] == "node_sets"
    assert check["target"]["profile"] == "tf2" and check["target"]["dynamic_shape"] is False
    assert check["verdict"] == "agree" and code == 0
    assert check["score"] == 1.0
    assert json.loads((out / "crosscheck.json").read_text()) == check


def test_corpus_saved_model_dynamic_shape(tmp_path):
    from trtlint.analysis import analyze
    from trtlint.cli.options import target_from_options
    from trtlint.load import load_model

    model = CORPUS / "004_tfserving_half_plus_two_tf2"
    if not model.exists():
        pytest.skip("corpus not available")
    code, document, out = convert(tmp_path, model, "--dynamic-shape", "--crosscheck")
    run = document["run"]
    assert run["status"] == "ok"
    assert run["converted_model"] == str(out / "converted_model")
    converted = engines_from_converted_graph(document)
    assert engines_from_log(out) == converted and len(converted) == 1
    # Recompute the cross-check's Jaccard from an independent prediction.
    predicted = analyze(load_model(model), target_from_options(dynamic_shape=True,
                                                               cpu_layout=True))
    check = document["crosscheck"]
    (match,) = [m for m in check["engines"]["matches"] if m["predicted"] and m["actual"]]
    p = set(next(s.nodes for s in predicted.segments if s.name == match["predicted"]["name"]))
    from trtlint.logs import read_log

    report = read_log(out / "conversion.log")
    record = next(e for e in report.engines if e.name == match["actual"]["name"])
    a = set(record.node_names) - set(record.const_nodes)
    assert match["jaccard"] == pytest.approx(len(p & a) / len(p | a), abs=1e-4)
    assert code == (1 if check["disagreement"] > check["tolerance"] else 0)


def test_frozen_graph_conversion_is_the_oracles(tmp_path):
    """The frozen-graph path (the GraphDef converted as a function by TrtGraphConverterV2's
    pass) keeps node names and fetch nodes: its engines are exactly those the oracle
    recorded for the same graph and flags."""
    model = CORPUS / "030_poets_retrained_optimized.pb"
    if not model.exists():
        pytest.skip("corpus not available")
    code, document, _ = convert(tmp_path, model, "--dynamic-shape")
    assert code == 0
    oracle = json.loads((ROOT / "fixtures" / "logs" /
                         "tf217_poets_dynamic_shape.oracle.json").read_text())
    assert engines_from_converted_graph(document) == {
        s["name"]: set(s["nodes"]) for s in oracle["segments"]}


def test_static_engines_segfault_in_the_stub_is_a_finding(tmp_path):
    code, document, out = convert(tmp_path, FIXTURE, "--max-batch-size", "1", "--crosscheck")
    run = document["run"]
    assert code == 1
    assert run["status"] == "segfault" and run["exit"]["signal"] == "SIGSEGV"
    assert run["api"] == "v1" and run["stage"] == "convert"
    (finding,) = run["findings"]
    assert finding["rule"] == "TRT902"
    assert "last TensorFlow line: " in finding["message"]
    assert "convert_nodes.cc" in finding["message"]       # TF-TRT was building the engine
    assert finding["fix"].startswith("static engines (--max-batch-size) are built during the "
                                     "conversion")
    assert any("Fatal Python error: Segmentation fault" in line
               for line in run["last_log_lines"])
    # The log up to the crash still says how many segments TF-TRT found.
    assert document["log"]["candidate_segments"] == 1
    notes = " ".join(document["crosscheck"]["notes"])
    assert "died before reporting any engine" in notes


def test_benchmark_runs_native_and_reports_why_the_converted_model_cannot(tmp_path):
    code, document, _ = convert(tmp_path, FIXTURE, "--benchmark", "5", "--warmup", "1")
    bench = document["run"]["benchmark"]
    assert code == 0
    assert bench["inputs"] == [{"name": "input", "shape": [1, 64, 64, 3], "dtype": "float32",
                                "source": "random"}]
    native = bench["native"]
    assert native["runs"] == 5 and 0 < native["min_ms"] <= native["p50_ms"] <= native["p90_ms"]
    # TRTEngineOp has no CPU kernel: the converted model runs only where a GPU is.
    assert "No OpKernel was registered to support Op 'TRTEngineOp'" in bench["converted"]["error"]
    assert bench["outputs"] == []


def test_int8_without_gpu_segments_but_does_not_calibrate(tmp_path):
    code, document, out = convert(tmp_path, FIXTURE, "--precision", "INT8", "--crosscheck")
    run = document["run"]
    assert code == 0 and run["status"] == "ok"
    assert run["converted_model"] is None and (out / "converted_graph.pb").exists()
    assert any("INT8 calibration runs TensorRT engines" in n for n in run["notes"])
    assert document["crosscheck"]["target"]["precision"] == "INT8"


def test_rich_output_of_a_conversion(tmp_path):
    from oracle import oracle_dir

    result = runner.invoke(app, ["convert", str(FIXTURE), "-o", str(tmp_path / "r"),
                                 "--oracle-dir", str(oracle_dir()), "--crosscheck",
                                 "--no-color"])
    text = " ".join(result.stdout.split())
    assert result.exit_code == 0
    assert "converted" in text and "TensorFlow 2.17.0" in text
    assert "log: 1 candidate segment(s); engines: 1 replaced" in text
    assert "AGREE:" in text
    assert "no GPU is visible to TensorFlow" in text           # the preflight's warning
    progress = result.stderr
    assert "trtlint convert: [convert]" in progress
    assert "Replaced segment 0 consisting of 47 nodes by TRTEngineOp_000_000." in progress


def test_tf1_api_with_dynamic_engines_makes_the_same_engines(tmp_path):
    """TrtGraphConverter (TF1 API, is_dynamic_op=True) and TrtGraphConverterV2's pass
    segment the same GraphDef alike; the TF1 path benchmarks through a Session."""
    _, v2, _ = convert(tmp_path / "v2", FIXTURE)
    code, v1, out = convert(tmp_path / "v1", FIXTURE, "--api", "v1", "--benchmark", "3",
                            "--warmup", "0")
    assert code == 0 and v1["run"]["api"] == "v1"
    assert engines_from_converted_graph(v1) == engines_from_converted_graph(v2)
    assert v1["run"]["converted_model"] is None and (out / "converted_graph.pb").exists()
    bench = v1["run"]["benchmark"]
    assert bench["native"]["runs"] == 3
    assert "TRTEngineOp_000_000" in bench["converted"]["error"]
