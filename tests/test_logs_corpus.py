"""Every real log of ../shared/corpus/logs: the parser, reading only the .log, must produce
exactly the facts a person read off it (the sidecar JSON), and recognise its era."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trtlint.logs import parse_log, read_log
from shared_data import CORPUS_LOGS

CORPUS = CORPUS_LOGS
SIDECARS = sorted(CORPUS.glob("*.json"))

pytestmark = pytest.mark.skipif(not SIDECARS, reason="corpus not available")


def _sidecar(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_the_corpus_is_all_there():
    """Every log listed in INDEX.md has its sidecar, and every sidecar its log."""
    index = (CORPUS / "INDEX.md").read_text(encoding="utf-8")
    listed = {line.split("`")[1] for line in index.splitlines()
              if line.startswith("| `") and line.split("`")[1].endswith(".log")}
    assert listed == {p.with_suffix(".log").name for p in SIDECARS}
    assert len(SIDECARS) >= 27
    for sidecar in SIDECARS:
        assert sidecar.with_suffix(".log").is_file()


@pytest.mark.parametrize("sidecar", SIDECARS, ids=lambda p: p.stem)
def test_facts_equal_the_sidecar(sidecar: Path):
    expected = _sidecar(sidecar)["facts"]
    report = read_log(sidecar.with_suffix(".log"))
    assert report.facts == expected


@pytest.mark.parametrize("sidecar", SIDECARS, ids=lambda p: p.stem)
def test_era_equals_the_sidecar(sidecar: Path):
    report = read_log(sidecar.with_suffix(".log"))
    assert report.era == _sidecar(sidecar)["era"]


@pytest.mark.parametrize("sidecar", SIDECARS, ids=lambda p: p.stem)
def test_every_line_number_points_at_its_message(sidecar: Path):
    """Events carry the 1-based line of the message; the message text is on that line."""
    text = sidecar.with_suffix(".log").read_text(encoding="utf-8")
    lines = text.split("\n")
    report = parse_log(text)
    assert report.events
    for event in report.events:
        assert event.message[:30] in lines[event.line - 1]


def test_seed_log_typed_view():
    """The seed article's log: 4 candidate segments, the 707-node engine and a 3-node one
    failed validation and fell back to TF, two small engines were built, 3962 ops of 51
    types (Conv2D among them) stayed in TensorFlow, and the serving run died on a CHECK."""
    report = read_log(CORPUS / "000_seed_ssd_inception_v2.log")
    assert report.candidate_segments == 4
    assert [(e.name, e.nodes, e.status, e.fallback_to_tf) for e in report.engines] == [
        ("TRTEngineOp_0", 707, "failed", True), ("TRTEngineOp_1", 3, "failed", True),
        ("TRTEngineOp_2", 3, "succeeded", False), ("TRTEngineOp_3", 4, "succeeded", False)]
    assert "unknown non-batch dimension at dim 1" in report.engines[0].reason
    assert report.unconverted is not None
    assert (report.unconverted.count, report.unconverted.type_count) == (3962, 51)
    assert "Conv2D" in report.unconverted.types and report.unconverted.source == "summary"
    assert len(report.validation_failures) == 2
    assert [c.kind for c in report.crashes] == ["check_failed"]
    assert report.crashes[0].line == 14
    first = report.events[0]
    assert (first.level, first.source) == ("info", "tensorflow/contrib/tensorrt/segment/segment.cc:443")


def test_vlog_dump_with_and_without_header():
    """012: node lines whose header was cut from the excerpt form a headerless dump; the
    four "Nodes in segment 1 with parent=unknown_14N:" dumps hold one Const each."""
    report = read_log(CORPUS / "012_tf2_segment_dropping_vlog_multiline.log")
    orphan, *dumps = report.segments
    assert (orphan.index, orphan.parent) == (None, None)
    assert orphan.nodes[0] == ("Relu", "StatefulPartitionedCall/model_1/re_lu_18/Relu")
    assert len(orphan.nodes) == 11
    assert [(d.index, d.parent, d.nodes) for d in dumps] == [
        (1, f"unknown_{n}", [("Const", f"unknown_{n}")]) for n in (146, 147, 148, 149)]
    dropped = report.engines_with_status("dropped")
    assert len(dropped) == 7 and all(e.segment == 1 for e in dropped)


def test_runtime_fallbacks_mark_nothing_without_engine_lines():
    """005 is a runtime log: the engine that failed to enqueue is named, but no conversion
    line created an engine record for it."""
    report = read_log(CORPUS / "005_tf21_ssd_postprocessor_check_failed.log")
    assert report.engines == []
    assert [c.text for c in report.crashes] == [
        "Check failed: mutable_output(index) == nullptr (0x7ff68c02e790 vs. nullptr)", "Aborted"]


def test_tensorrt_versions_are_collected():
    assert read_log(CORPUS / "023_trt713_grappler_linked_version_empty_memory.log"
                    ).tensorrt_versions == {"linked": "7.1.3", "library": "libnvinfer.so.7",
                                            "loaded": "7.1.3"}
    assert read_log(CORPUS / "034_contrib_tf1101_mobilenet_v2_trt_mismatch_scopes.log"
                    ).tensorrt_versions == {"compiled": "3.0.4", "loaded": "4.0.1"}
