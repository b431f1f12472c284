"""Real TF 2.17 TF-TRT logs (fixtures/logs, produced by the CPU oracle): the parser must
recover from the log alone exactly what the oracle read from the converted graph: every
TRTEngineOp and the node list of its native segment function.

The last test runs the oracle now (TF 2.17 with stub TensorRT) and checks the same on a
fresh log; it is skipped where the oracle environment is not installed."""

from __future__ import annotations

import json
import os
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from trtlint.logs import read_log

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures" / "logs"
LOGS = sorted(FIXTURES.glob("*.log"))


def _oracle(log: Path) -> dict:
    return json.loads(log.with_suffix(".oracle.json").read_text(encoding="utf-8"))


def _engines_by_name(report) -> dict:
    return {e.name: e for e in report.engines_with_status("replaced")}


def test_fixtures_present():
    assert len(LOGS) == 4
    for log in LOGS:
        assert log.with_suffix(".oracle.json").is_file()


@pytest.mark.parametrize("log", LOGS, ids=lambda p: p.stem)
def test_engine_node_lists_equal_the_oracle(log: Path):
    expected = {s["name"]: s["nodes"] for s in _oracle(log)["segments"]}
    report = read_log(log)
    engines = _engines_by_name(report)
    assert list(engines) == sorted(expected)          # same engines, in TF-TRT's order
    for name, nodes in expected.items():
        assert sorted(engines[name].node_names) == nodes, name
    assert report.candidate_segments == len(expected)
    assert report.era == "tf2tensorrt"


@pytest.mark.parametrize("log", LOGS, ids=lambda p: p.stem)
def test_engine_sizes_are_the_listed_segment_plus_copied_constants(log: Path):
    for engine in read_log(log).engines_with_status("replaced"):
        assert engine.nodes + len(engine.const_nodes) == len(engine.node_names)
        assert set(engine.const_nodes) <= set(engine.node_names)


@pytest.mark.parametrize("log", LOGS, ids=lambda p: p.stem)
def test_op_report_agrees_with_the_not_candidate_lines(log: Path):
    """TF 2.17 prints one "Not a TF-TRT candidate" line per node the OP report counts;
    the totals, per-type counts and (detailed report) reasons must agree with them."""
    report = read_log(log)
    unconverted = report.unconverted
    assert unconverted is not None and unconverted.source == "op_report"
    assert unconverted.count == len(report.not_candidates) == sum(unconverted.per_type.values())
    assert unconverted.type_count == len(unconverted.types)
    assert Counter(n.op_type for n in report.not_candidates) == Counter(unconverted.per_type)
    assert report.facts["report_total_nonconverted_ops"] == unconverted.count
    assert report.facts["report_total_nonconverted_op_types"] == unconverted.type_count
    detailed = "TF_TRT_SHOW_DETAILED_REPORT=1" in _oracle(log)["command"]
    assert (unconverted.reasons is not None) == detailed
    if detailed:
        for op in unconverted.types:
            logged = Counter(n.reason for n in report.not_candidates if n.op_type == op)
            assert logged == Counter({reason: n for n, reason in unconverted.reasons[op]})


def test_twenty_engine_limit():
    """57 segments of >= 3 nodes, TF_TRT_MAX_ALLOWED_ENGINES=20: 37 of the smallest are
    dropped (none larger than a kept one) and the kept ones renumbered 0..19."""
    report = read_log(FIXTURES / "tf217_gru_unrolled_max_engines.log")
    assert report.facts["max_allowed_engines_warning"] == [
        {"max_allowed_engines": 20, "engines": 57, "minimum_segment_size": 3}]
    beyond = [e for e in report.engines_with_status("dropped") if "largest" in e.reason]
    assert len(beyond) == 37
    assert [e.segment for e in report.engines_with_status("replaced")] == list(range(20))
    accepted = [e.fields for e in report.events
                if e.kind == "segment_selection" and e.fields["decision"] == "accepted"]
    assert [a["new_segment"] for a in accepted] == list(range(20))
    assert max(e.nodes for e in beyond) <= min(a["nodes"] for a in accepted)
    assert {a["segment"] for a in accepted}.isdisjoint(e.segment for e in beyond)
    # reasons with nested parentheses survive whole
    reasons = {n.reason for n in report.not_candidates if n.op_type == "Mul"}
    assert ("Infeasible broadcast scheme (batch_dim: -1, nvinfer1::Dims(nbDims=1, d=-1,) vs "
            "batch_dim: -1, nvinfer1::Dims(nbDims=1, d=128,))") in reasons


def test_constants_shared_by_two_engines_are_copied_into_both():
    report = read_log(FIXTURES / "tf217_face_detector_const_copies.log")
    engines = _engines_by_name(report)
    assert engines["TRTEngineOp_000_001"].const_nodes == ["Pad_1/paddings"]
    assert engines["TRTEngineOp_000_003"].const_nodes == ["Pad_1/paddings"]
    assert engines["TRTEngineOp_000_000"].const_nodes == []


def test_nothing_converts_in_the_quantized_graph():
    report = read_log(FIXTURES / "tf217_quantized_mlp_int8_no_engines.log")
    assert report.candidate_segments == 0
    assert report.engines_with_status("replaced", "succeeded") == []
    assert "QuantizedMatMul" in report.unconverted.types
    assert report.unconverted.reasons is None          # run without the detailed report
    assert [d.parent for d in report.segments] == [
        "Layer1/Variable_1", "Layer2/Variable_1", "OuputLayer/Variable_1"]


# -- a live run of the oracle ------------------------------------------------------------
# The project's oracle (tools/tftrt-oracle, built into $TRTLINT_ORACLE_DIR or
# <repo>/.tftrt-oracle by tools/tftrt-oracle/ci-setup.sh) converts a graph now; the parser
# must find in the fresh log the engines the oracle read from the converted graph: each
# segment's members and its native-segment function. Skipped where the oracle is not
# built, unless TRTLINT_REQUIRE_ORACLE=1 (CI), where that is a failure.

ORACLE_DIR = Path(os.environ.get("TRTLINT_ORACLE_DIR") or ROOT / ".tftrt-oracle")
ORACLE_PYTHON = ORACLE_DIR / "venv" / "bin" / "python"
ORACLE_RUNNER = ROOT / "tools" / "tftrt-oracle" / "oracle.py"


def _require_oracle() -> None:
    if (ORACLE_DIR / "READY").is_file() and ORACLE_PYTHON.exists() and ORACLE_RUNNER.exists():
        return
    why = f"TF-TRT oracle not built at {ORACLE_DIR} (bash tools/tftrt-oracle/ci-setup.sh)"
    if os.environ.get("TRTLINT_REQUIRE_ORACLE") == "1":
        pytest.fail(why, pytrace=False)
    pytest.skip(why)


@pytest.mark.oracle
@pytest.mark.slow
@pytest.mark.parametrize("graph", ["seg_shared_const.pb", "seg_many_engines.pb"])
def test_fresh_oracle_log(tmp_path: Path, graph: str):
    _require_oracle()
    raw_log = tmp_path / "run.log"
    env = dict(os.environ, TFTRT_ORACLE_DIR=str(ORACLE_DIR), TF_TRT_SHOW_DETAILED_REPORT="1")
    done = subprocess.run(
        [str(ORACLE_PYTHON), str(ORACLE_RUNNER), "analyze",
         str(ROOT / "fixtures" / "graphs" / graph), "--raw-log", str(raw_log)],
        capture_output=True, text=True, env=env, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    expected = json.loads(done.stdout)["segments"]
    assert expected, "the graph should give engines"
    report = read_log(raw_log)
    engines = _engines_by_name(report)
    assert sorted(engines) == sorted(s["raw_name"] for s in expected)
    for segment in expected:
        engine = engines[segment["raw_name"]]
        assert sorted(engine.node_names) == sorted(segment["function_nodes"])
        assert sorted(set(engine.node_names) - set(engine.const_nodes)) == sorted(segment["members"])
        assert engine.nodes == segment["member_count"]
