"""TF-TRT's segment_test.cc cases against trtlint's tf2 segmenter, and their production
variants against trtlint's pipeline and TF 2.17 (see segment_cases.py for the approach)."""

from __future__ import annotations

from pathlib import Path

import pytest

from trtlint.analysis import analyze
from trtlint.graph.model import Graph
from trtlint.load import load_model
from trtlint.segments import segment_graph, tf2
from trtlint.shapes import infer_shapes
from trtlint.support.decision import SupportDecision
from trtlint.support.ruleset import load_ruleset
from trtlint.support.validator import CandidateValidator
from trtlint.target import Target, make_target

from .segment_cases import CASES, NOT_EXPRESSIBLE, TF1_CASES, SegmentCase

pytestmark = pytest.mark.tensorflow

#: the checks SegmentGraph runs itself before it calls the candidate function; trtlint
#: keeps them in its candidate validator (reason codes)
SEGMENTER_OWN_CHECKS = frozenset({"device", "implicit_batch_rank", "dynamic_non_batch"})


def segment_target(case: SegmentCase) -> Target:
    """SegmentOptions as the test sets them: minimum_segment_size 2, and explicit batch or
    implicit batch with static engines (unknown non-batch dims refused)."""
    return make_target("tf2", "FP32", dynamic_shape=not case.implicit_batch,
                       minimum_segment_size=2,
                       max_batch_size=case.maximum_batch_size if case.implicit_batch else None,
                       grappler="none", gpu_layout=False)


def write_graph(build, path: Path):
    """Run ``build(tf)`` in a fresh TensorFlow graph and write it.  Returns what build
    returned and the number of nodes."""
    import tensorflow as tf

    graph = tf.Graph()
    with graph.as_default():
        result = build(tf)
    graph_def = graph.as_graph_def()
    path.write_bytes(graph_def.SerializeToString(deterministic=True))
    return result, len(graph_def.node)


def segment_directly(case: SegmentCase, tmp_path: Path) -> list[frozenset]:
    """SegmentGraph(graph, candidate_fn = the test's set) with trtlint's segmenter."""
    path = tmp_path / f"{case.test}.pb"
    _, nodes = write_graph(lambda tf: case.build(tf, case.devices), path)
    # trtlint refuses an empty GraphDef as input; the segmenter itself takes an empty graph
    graph = load_model(path).graph if nodes else Graph([])
    target = segment_target(case)
    shapes = infer_shapes(graph, {})
    validator = CandidateValidator(graph, shapes, target, load_ruleset("tf2"))
    decisions = {}
    for node in graph:
        verdict = validator.decide(node)
        refused_by_segmenter = not verdict.supported and verdict.reason.code in SEGMENTER_OWN_CHECKS
        decisions[node.name] = SupportDecision(
            node.name, node.op, node.name in case.candidates and not refused_by_segmenter)
    result = tf2.segment_graph(graph, decisions, target,
                               lambda name: validator.leading_batch(graph[name]))
    return [frozenset(s.nodes) for s in result.segments]


def _ids(cases):
    return [pytest.param(c, id=c.id) for c in cases]


def test_the_ported_cases_cover_segment_test():
    """Every TEST_F of the 2.17 file is here, ported or listed as not expressible."""
    tests = {c.test for c in CASES} | {name.split("#")[0] for name, _ in NOT_EXPRESSIBLE}
    assert tests == {"Empty", "Simple", "WithDeviceAssignments", "AvoidCycle", "Multiple",
                     "BigIfElse", "IdentityOps", "ExcludeAddWithDynamicNonBatchDimension",
                     "ExcludeReshapeWithDynamicNonBatchDimensionInOutput",
                     "RankOneCannotUseImplicitBatch", "TwoChainsDiffBatchSizes",
                     "SameRankImplicitBroadcastingStaticBatchSize",
                     "SameRankImplicitBroadcastingDynamicBatchSize", "IncompatibleBatchSizes"}
    runs = {c.id for c in CASES} | {name for name, _ in NOT_EXPRESSIBLE}
    assert len(runs) == len(CASES) + len(NOT_EXPRESSIBLE) == 25   # RunTest calls in the file


@pytest.mark.parametrize("case", _ids(CASES))
def test_trtlint_tf2_segmenter(case: SegmentCase, tmp_path):
    segments = segment_directly(case, tmp_path)
    assert segments == list(case.truth()), (
        f"{case.id}: trtlint {[sorted(s) for s in segments]}, "
        f"expected {[sorted(s) for s in case.truth()]}")


@pytest.mark.parametrize("case", _ids(TF1_CASES))
def test_trtlint_tf1_segmenter(case: SegmentCase, tmp_path):
    """The TF 1.13/1.15 texts through trtlint's TF 1.x segmenter: SegmentGraph then had
    no checks of its own, so the test's candidate set is the decisions dict."""
    path = tmp_path / f"{case.test}.pb"
    _, nodes = write_graph(lambda tf: case.build(tf, case.devices), path)
    graph = load_model(path).graph if nodes else Graph([])
    decisions = {node.name: SupportDecision(node.name, node.op, node.name in case.candidates)
                 for node in graph}
    target = make_target(case.profile, "FP32", minimum_segment_size=2, grappler="none",
                         gpu_layout=False)
    result = segment_graph(graph, decisions, target, lambda name: None)
    assert [frozenset(s.nodes) for s in result.segments] == list(case.expected)
    assert all(s.name == f"TRTEngineOp_{i}" for i, s in enumerate(result.segments))


PRODUCTION = [c for c in CASES if c.production is not None]


def production_graph(case: SegmentCase, tmp_path: Path) -> tuple[Path, list[str]]:
    path = tmp_path / f"{case.test}_{case.run}_production.pb"
    fetches, _ = write_graph(case.production, path)
    return path, fetches


def production_target(case: SegmentCase) -> Target:
    """Dynamic shape mode for the explicit-batch cases; implicit batch with dynamic
    engines for the others (see segment_cases: their graphs have no unknown non-batch
    dims, so static engines would segment alike)."""
    return make_target("tf2", "FP32", dynamic_shape=not case.implicit_batch,
                       minimum_segment_size=2, grappler="none", gpu_layout=False)


@pytest.mark.parametrize("case", _ids(PRODUCTION))
def test_trtlint_pipeline_on_production_variant(case: SegmentCase, tmp_path):
    path, fetches = production_graph(case, tmp_path)
    analysis = analyze(load_model(path, outputs=fetches), production_target(case))
    assert [frozenset(s.nodes) for s in analysis.segments] == list(case.production_truth())


@pytest.mark.oracle
@pytest.mark.parametrize("case", _ids(PRODUCTION))
def test_tf217_on_production_variant(case: SegmentCase, tmp_path):
    """TF 2.17's real TF-TRT gives the test's segments (or the recorded 2.17 answer), in
    the test's order, and trtlint gives exactly TF 2.17's engines (members, names, copied
    Consts)."""
    from oracle import run_oracle

    path, fetches = production_graph(case, tmp_path)
    result = run_oracle(path, dynamic_shape=not case.implicit_batch, minimum_segment_size=2,
                        no_grappler=True, outputs=fetches)
    truth = [frozenset(s["members"]) for s in result["segments"]]
    assert truth == list(case.production_truth())
    if case.tf217 is not None and case.production_expected is None:
        assert truth != list(case.expected), case.tf217_note   # the disagreement is real
    analysis = analyze(load_model(path, outputs=fetches), production_target(case))
    assert [s.name for s in analysis.segments] == [s["name"] for s in result["segments"]]
    assert [sorted(s.const_inputs) for s in analysis.segments] == \
        [sorted(s["copied_consts"]) for s in result["segments"]]
