"""`trtlint crosscheck` on real TF-TRT logs.

- fixtures/logs/: real TF 2.17 logs (CPU oracle) of corpus graphs we have. Every number
  the cross-check reports is recomputed here from independent outputs: the prediction from
  `trtlint analyze --format json` and the engines from the log's own lines (`trtlint logs`
  facts), and the log side is checked against the oracle's record of the same run.
- corpus/logs/: real logs from public issues, mostly excerpts, whose graphs are NOT
  available. No comparison with a prediction is possible for them (not even counts-only:
  there is no graph to count). What can be checked is the log side of the comparison: the
  engines, sizes, statuses and engine numbers the cross-check would compare, against the
  facts their sidecars record. The seed log is also compared with the seed-like fixture
  graph (a different graph of the same kind) to show how a counts-only comparison and its
  caveats are reported.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from trtlint.cli import app
from trtlint.crosscheck import actual_from_log
from trtlint.crosscheck.names import engine_index
from trtlint.logs import read_log
from shared_data import SHARED

ROOT = Path(__file__).resolve().parents[1]
LOGS = ROOT / "fixtures" / "logs"
CORPUS = SHARED / "corpus"
MODELS = CORPUS / "models"

#: fixture log -> (graph, flags the run used)
RUNS = {
    "tf217_poets_dynamic_shape": ("030_poets_retrained_optimized.pb", ["--dynamic-shape"]),
    "tf217_face_detector_const_copies": ("011_opencv_face_detector_uint8.pb", []),
    "tf217_gru_unrolled_max_engines": ("002_tf2onnx_gru_unrolled.pb", []),
    "tf217_quantized_mlp_int8_no_engines": ("019_gtt_quantized_mnist_mlp.pb",
                                            ["--precision", "INT8"]),
}

runner = CliRunner()


def cli(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def need_corpus():
    if not MODELS.is_dir():
        pytest.skip(f"the shared corpus is not at {MODELS}")


@pytest.fixture(scope="module")
def runs():
    """For each fixture log: the cross-check JSON, its exit code, the prediction and the
    log facts, each from its own command."""
    need_corpus()
    out = {}
    for name, (graph, flags) in RUNS.items():
        model, log = MODELS / graph, LOGS / f"{name}.log"
        # The oracle ran on CPU: no GPU layout optimizer.
        check = cli("crosscheck", model, log, "--cpu-layout", *flags, "--format", "json")
        predicted = cli("analyze", model, "--cpu-layout", *flags, "--format", "json")
        facts = cli("logs", log, "--format", "json")
        out[name] = (json.loads(check.stdout), check.exit_code, json.loads(predicted.stdout),
                     json.loads(facts.stdout)["facts"])
    return out


@pytest.mark.parametrize("name", sorted(RUNS))
def test_every_number_recomputes_from_prediction_and_log(runs, name):
    result, code, report, facts = runs[name]
    predicted = {s["name"]: set(s["nodes"]) for s in report["segments"]}
    logged = {}
    for record, members in zip(facts.get("replaced_segments", []),
                               facts.get("segment_consists_of_nodes", [])):
        logged[record["name"]] = set(members)
    matches = result["engines"]["matches"]
    assert result["engines"]["predicted"] == len(predicted)
    assert result["engines"]["actual"] == len(logged)
    for m in matches:
        if m["predicted"] is None or m["actual"] is None:
            continue
        p, a = predicted[m["predicted"]["name"]], logged[m["actual"]["name"]]
        assert m["jaccard"] == pytest.approx(len(p & a) / len(p | a), abs=1e-4)
        assert m["precision"] == pytest.approx(len(p & a) / len(p), abs=1e-4)
        assert m["recall"] == pytest.approx(len(p & a) / len(a), abs=1e-4)
        # The pairing is the best available for this predicted engine (no better partner
        # left unmatched).
        best = max(len(p & other) / len(p | other) for other in logged.values())
        assert m["jaccard"] == pytest.approx(best, abs=1e-4) or len(logged) > 1
    un = result["unconverted"]
    assert un["predicted"]["count"] == report["unconverted"]["count"]
    assert un["actual"]["count"] == facts["report_total_nonconverted_ops"]
    assert set(un["missing_types"]) == set(un["actual"]["types"]) - set(un["predicted"]["types"])
    assert result["candidate_segments"]["actual"] == facts["candidate_segments"]
    assert code == (1 if result["disagreement"] > result["tolerance"] else 0)
    assert result["verdict"] == ("disagree" if code else "agree")


def test_log_side_equals_the_oracle_record_of_the_same_run():
    """Engine members + copied consts, as the cross-check reads them, are exactly the nodes
    of each engine's native segment function in the converted graph."""
    for name in RUNS:
        oracle = json.loads((LOGS / f"{name}.oracle.json").read_text())
        report = read_log(LOGS / f"{name}.log")
        actual = actual_from_log(report)
        consts = {e.name: set(e.const_nodes) for e in report.engines}
        got = {a.name: set(a.nodes) | consts[a.name] for a in actual.engines}
        assert got == {s["name"]: set(s["nodes"]) for s in oracle["segments"]}, name
        assert actual.node_lists == ("engines" if oracle["segments"] else None)


def test_poets_prediction_agrees_exactly(runs):
    result, code, _, _ = runs["tf217_poets_dynamic_shape"]
    assert code == 0 and result["verdict"] == "agree" and result["score"] == 1.0
    assert result["method"] == "node_sets"
    assert result["membership"] == {"precision": 1.0, "recall": 1.0, "jaccard": 1.0,
                                    "predicted_nodes": 171.0, "actual_nodes": 171.0}
    assert [m["jaccard"] for m in result["engines"]["matches"]] == [1.0, 1.0]


def test_no_engines_on_either_side_is_an_agreement_when_the_log_shows_the_pass_ran(runs):
    result, code, _, facts = runs["tf217_quantized_mlp_int8_no_engines"]
    assert facts["candidate_segments"] == 0
    assert result["method"] == "none" and result["engines"]["matches"] == []
    # The segmenter's dumps in this log are of segments it dropped: not engines.
    assert result["engines"]["actual"] == 0
    assert result["components"]["engines"] == 1.0


def test_gru_max_engines_disagreement_is_reported_with_the_nodes(runs):
    """Measured: TF-TRT keeps 20 segments of 7 members each; the prediction's engines are
    larger (13 members) - the cross-check must say which nodes differ."""
    result, code, _, _ = runs["tf217_gru_unrolled_max_engines"]
    pairs = [m for m in result["engines"]["matches"] if m["predicted"] and m["actual"]]
    assert len(pairs) == 20
    for m in pairs:
        assert m["actual"]["nodes"] == 7
        assert m["extra_count"] == m["predicted"]["nodes"] - (m["actual"]["nodes"] - m["missing_count"])
    if code == 1:
        rich = cli("crosscheck", MODELS / RUNS["tf217_gru_unrolled_max_engines"][0],
                   LOGS / "tf217_gru_unrolled_max_engines.log", "--cpu-layout", "--no-color")
        assert rich.exit_code == 1
        assert "DISAGREE" in rich.stdout and "Node differences" in rich.stdout
        lenient = cli("crosscheck", MODELS / RUNS["tf217_gru_unrolled_max_engines"][0],
                      LOGS / "tf217_gru_unrolled_max_engines.log", "--cpu-layout",
                      "--tolerance", "0.9", "--format", "json")
        assert lenient.exit_code == 0


# -- corpus logs (graphs not available) -------------------------------------------------------

def sidecar_engines(facts: dict) -> list[tuple]:
    """The engines a sidecar records, as (name, segment, nodes, status)."""
    out = []
    for e in facts.get("engines") or []:
        out.append((e.get("name"), e.get("segment"), e.get("nodes"), e["status"]))
    for e in facts.get("replaced_segments") or []:
        out.append((e["name"], e["segment"], e["nodes"], "replaced"))
    for e in facts.get("cannot_replace_segments") or []:
        out.append((e["name"], e["segment"], e["nodes"], "cannot_replace"))
    for e in facts.get("subgraph_conversion_errors") or []:
        out.append((None, e["subgraph_index"], e["nodes"], "failed"))
    for e in facts.get("finished_engines") or []:
        out.append((e["name"], None, e["nodes"], "succeeded"))
    return out


def corpus_logs():
    return sorted((CORPUS / "logs").glob("*.log")) if (CORPUS / "logs").is_dir() else []


@pytest.mark.parametrize("log", corpus_logs(), ids=lambda p: p.stem[:40])
def test_corpus_log_side_matches_its_sidecar(log):
    facts = json.loads(log.with_suffix(".json").read_text())["facts"]
    actual = actual_from_log(read_log(log))
    got = sorted(((e.name, e.segment, e.size, e.status) for e in actual.engines),
                 key=repr)
    assert got == sorted(sidecar_engines(facts), key=repr)
    candidates = facts.get("candidate_segments")
    if isinstance(candidates, list):
        candidates = candidates[-1]
    assert actual.candidate_segments == candidates
    for engine in actual.engines:
        if engine.name is not None:        # every era's engine name gives its number
            assert engine_index(engine.name) is not None, engine.name
            assert engine_index(engine.name) == engine.segment or engine.segment is None \
                or "my_trt_op" in engine.name


def test_corpus_logs_have_no_node_lists_so_only_counts_could_be_compared():
    """Not one corpus log lists engine members: even with the graph, a cross-check of
    them would be by counts and sizes."""
    logs = corpus_logs()
    if not logs:
        pytest.skip("corpus logs not available")
    assert all(actual_from_log(read_log(p)).node_lists in (None, "dumps") for p in logs)


def test_seed_log_against_the_seed_like_graph_is_a_counts_comparison_with_caveats():
    need_corpus()
    result = cli("crosscheck", ROOT / "fixtures" / "graphs" / "ssd_inception_v2_like.pb",
                 CORPUS / "logs" / "000_seed_ssd_inception_v2.log", "--profile", "tf1.13",
                 "--precision", "FP16", "--format", "json")
    data = json.loads(result.stdout)
    assert data["method"] == "counts"
    notes = " ".join(data["notes"])
    assert "names no node of the model" in notes
    assert "does not list the nodes" in notes
    assert "Check failed: t.TotalBytes() == device_tensor->TotalBytes()" in notes
    logged = {m["actual"]["name"]: m for m in data["engines"]["matches"] if m["actual"]}
    assert logged["TRTEngineOp_0"]["actual"]["status"] == "failed"
    assert "unknown non-batch dimension at dim 1" in logged["TRTEngineOp_0"]["actual"]["reason"]
    assert logged["TRTEngineOp_0"]["actual"]["nodes"] == 707
    assert data["unconverted"]["actual"]["count"] == 3962
    assert result.exit_code == (1 if data["disagreement"] > 0.1 else 0)


# -- command-line errors ---------------------------------------------------------------------------

def test_missing_log_is_one_line_and_exit_2(tmp_path):
    result = cli("crosscheck", ROOT / "fixtures" / "graphs" / "seg_shared_const.pb",
                 tmp_path / "nope.log")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"trtlint: error: {tmp_path / 'nope.log'}: no such file"]


def test_a_graph_given_as_log_is_rejected(tmp_path):
    graph = ROOT / "fixtures" / "graphs" / "seg_shared_const.pb"
    result = cli("crosscheck", graph, graph)
    assert result.exit_code == 2
    assert "binary file, not a text log" in result.stderr
    assert "Traceback" not in result.stderr


def test_text_that_is_not_a_tftrt_log_is_rejected(tmp_path):
    log = tmp_path / "notes.txt"
    log.write_text("nothing to see here\n")
    result = cli("crosscheck", ROOT / "fixtures" / "graphs" / "seg_shared_const.pb", log)
    assert result.exit_code == 2
    assert "does not look like a TF-TRT log" in result.stderr


def test_bad_tolerance_is_a_usage_error():
    graph = ROOT / "fixtures" / "graphs" / "seg_shared_const.pb"
    result = cli("crosscheck", graph, LOGS / "tf217_poets_dynamic_shape.log",
                 "--tolerance", "1.5")
    assert result.exit_code == 2
