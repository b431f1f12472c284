"""The cross-check's matching and scoring logic, on hand-made logs and hand-written predictions.

The logs in fixtures/crosscheck/ are HAND-MADE (see its README): they set up situations
(swapped engine numbers, scoped names, excerpts, contrib logs without node lists) that no
real log of a graph we have shows. The predictions are written here by hand too, so each
test states exactly what the matcher must conclude. Real logs are tested in
test_crosscheck_real_logs.py.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trtlint.crosscheck import (Actual, ActualEngine, PredictedEngine, Prediction,
                                actual_from_log, crosscheck)
from trtlint.crosscheck.matching import jaccard, match_by_nodes
from trtlint.crosscheck.names import NameAlignment, align_names, engine_index
from trtlint.logs import read_log

HANDMADE = Path(__file__).resolve().parents[1] / "fixtures" / "crosscheck"


def prediction(engines, unconverted=None, candidates=None, known=()) -> Prediction:
    """Predicted engines as (name, index, nodes[, will_build, reason])."""
    made = []
    for item in engines:
        name, index, nodes = item[:3]
        made.append(PredictedEngine(name, index, frozenset(nodes),
                                    item[3] if len(item) > 3 else True,
                                    item[4] if len(item) > 4 else None))
    by_type = dict(unconverted or {})
    names = set(known)
    for e in made:
        names |= e.nodes
    return Prediction(engines=made, unconverted_count=sum(by_type.values()) if by_type else None,
                      unconverted_by_type=by_type, candidate_segments=candidates,
                      known_nodes=frozenset(names))


A = ["a/bias", "a/matmul", "a/relu", "a/tanh"]
B = ["b/add", "b/mul", "b/relu"]
UNCONVERTED = {"NoOp": 2, "Cumsum": 1, "Identity": 1, "Placeholder": 1}


def test_node_sets_pair_engines_whose_numbers_are_swapped():
    # Predicted: A is engine 0, B engine 1. The log numbers them the other way round.
    pred = prediction([("TRTEngineOp_000_000", 0, A), ("TRTEngineOp_000_001", 1, B)],
                      UNCONVERTED, known=["x", "cut", "y", "a/kernel"])
    actual = actual_from_log(read_log(HANDMADE / "handmade_tf217_swapped_numbers.log"))
    result = crosscheck(pred, actual)
    pairs = {(m.predicted.name, m.actual.name): m for m in result.pairs()}
    assert set(pairs) == {("TRTEngineOp_000_000", "TRTEngineOp_000_001"),
                          ("TRTEngineOp_000_001", "TRTEngineOp_000_000")}
    assert all(m.jaccard == 1.0 and m.precision == 1.0 and m.recall == 1.0
               for m in pairs.values())
    # The copied const is not a member: the engine has its 4 members, not 5.
    assert len(pairs[("TRTEngineOp_000_000", "TRTEngineOp_000_001")].actual.nodes) == 4
    assert result.method == "node_sets"
    assert result.score == 1.0 and result.verdict == "agree"
    assert result.unconverted.types_jaccard == 1.0
    assert result.unconverted.actual_count == 5 == result.unconverted.predicted_count
    assert result.verdict_line.startswith("AGREE: 2 of 2 predicted / 2 logged engines")


def test_numbering_alone_would_have_paired_them_wrongly():
    """The counterfactual: without node lists the same log pairs by number, and the
    sizes (4 vs 3) show the disagreement the node sets resolve."""
    pred = prediction([("TRTEngineOp_000_000", 0, A), ("TRTEngineOp_000_001", 1, B)])
    actual = actual_from_log(read_log(HANDMADE / "handmade_tf217_swapped_numbers.log"))
    for engine in actual.engines:
        engine.nodes = None
    result = crosscheck(pred, actual)
    assert result.method == "counts"
    sims = sorted(m.size_similarity for m in result.pairs())
    assert sims == [pytest.approx(0.75), pytest.approx(0.75)]
    assert result.components["engines"] == pytest.approx(0.75)


def test_scoped_log_names_are_aligned_to_the_model():
    pred = prediction([("TRTEngineOp_000_000", 0, A), ("TRTEngineOp_000_001", 1, B)],
                      UNCONVERTED, known=["x", "cut", "y", "a/kernel"])
    actual = actual_from_log(read_log(HANDMADE / "handmade_tf217_scoped_partitionedcall.log"))
    result = crosscheck(pred, actual)
    assert result.name_alignment["strip_prefix"] == "PartitionedCall/PartitionedCall/"
    # 7 engine members and 3 rejected candidates (x, cut, y); _SOURCE/_SINK are not model nodes
    assert result.name_alignment["found_in_model"] == result.name_alignment["log_names"] == 10
    assert all(m.jaccard == 1.0 for m in result.pairs())
    assert result.verdict == "agree"
    assert any("removed 'PartitionedCall/PartitionedCall/'" in n for n in result.notes)


def test_alignment_can_add_a_scope_and_keeps_plain_names_when_they_match():
    model = ["StatefulPartitionedCall/net/conv", "StatefulPartitionedCall/net/relu", "x"]
    added = align_names(["net/conv", "net/relu"], model)
    assert added.add == "StatefulPartitionedCall/" and added.found == 2
    plain = align_names(["x", "StatefulPartitionedCall/net/conv"], model)
    assert plain == NameAlignment(found=2, total=2)
    assert align_names(["_SOURCE", "TensorRTInputPH_0"], model).total == 0


def test_an_excerpt_counts_only_the_engines_it_shows():
    pred = prediction([("TRTEngineOp_000_000", 0, ["n%d" % i for i in range(4)]),
                       ("TRTEngineOp_000_001", 1, ["m%d" % i for i in range(5)]),
                       ("TRTEngineOp_000_002", 2, ["k0", "k1", "k2"], True),
                       ("TRTEngineOp_000_003", 3, ["j0", "j1", "j2"])])
    actual = actual_from_log(read_log(HANDMADE / "handmade_tf217_excerpt_cannot_replace.log"))
    result = crosscheck(pred, actual)
    assert result.method == "counts"
    assert any("excerpt" in n for n in result.notes)
    # Both logged engines pair by number with equal sizes: the shown part agrees fully...
    assert result.components["engines"] == 1.0
    # ...but engine 2 was predicted to build and the log kept it in TensorFlow.
    assert result.build_agreement == (1, 2)
    failed = [m for m in result.pairs() if m.actual.status == "cannot_replace"]
    assert failed[0].actual.reason == "Segment has no inputs (possible constfold failure)"
    assert result.components["build"] == 0.5


def test_contrib_log_without_node_lists_compares_sizes_and_build_outcomes():
    pred = prediction([("TRTEngineOp_0", 0, ["p", "q", "r", "s"], False,
                        "Input tensor with shape [?,?,8] has an unknown non-batch dimension"),
                       ("TRTEngineOp_1", 1, ["t", "u", "v"])],
                      {"Placeholder": 1, "Cumsum": 2, "Identity": 2})
    actual = actual_from_log(read_log(HANDMADE / "handmade_contrib_counts_validation.log"))
    assert actual.era == "contrib" and actual.node_lists is None
    result = crosscheck(pred, actual)
    assert result.method == "counts"
    assert [m.by for m in result.pairs()] == ["index", "index"]
    assert result.build_agreement == (2, 2)
    assert result.unconverted.types_jaccard == 1.0 and result.unconverted.count_similarity == 1.0
    assert result.score == 1.0
    assert any("does not list the nodes" in n for n in result.notes)
    assert any("names no node" in n for n in result.notes)


def test_missing_and_extra_engines_cost_like_wrong_ones_and_trip_the_tolerance():
    pred = prediction([("TRTEngineOp_000_000", 0, A), ("TRTEngineOp_000_001", 1, B),
                       ("TRTEngineOp_000_002", 2, ["c1", "c2", "c3"])])
    actual = actual_from_log(read_log(HANDMADE / "handmade_tf217_swapped_numbers.log"))
    result = crosscheck(pred, actual, tolerance=0.1)
    assert len(result.pairs()) == 2
    unmatched = [m for m in result.matches if m.actual is None]
    assert [m.predicted.name for m in unmatched] == ["TRTEngineOp_000_002"]
    assert result.components["engines"] == pytest.approx(2 / 3)
    assert result.exceeds_tolerance and result.verdict == "disagree"
    assert not crosscheck(pred, actual, tolerance=0.5).exceeds_tolerance


def test_partial_overlap_measures():
    pred = prediction([("TRTEngineOp_000_000", 0, ["a/bias", "a/matmul", "a/relu", "x1", "x2"])])
    actual = actual_from_log(read_log(HANDMADE / "handmade_tf217_swapped_numbers.log"))
    result = crosscheck(pred, actual)
    match = next(m for m in result.pairs())
    assert match.actual.name == "TRTEngineOp_000_001"
    assert match.jaccard == pytest.approx(3 / 6)
    assert match.precision == pytest.approx(3 / 5)
    assert match.recall == pytest.approx(3 / 4)
    assert match.missing == ["a/tanh"] and match.extra == ["x1", "x2"]
    assert result.membership["precision"] == pytest.approx(3 / 5)
    assert result.membership["recall"] == pytest.approx(3 / 7)


@pytest.mark.parametrize("name,index", [
    ("TRTEngineOp_0", 0), ("TRTEngineOp_000_003", 3), ("TRTEngineOp_0_12", 12),
    ("StatefulPartitionedCall/efficientnet-b0/TRTEngineOp_1", 1),
    ("decode_bbox_target_1/TRTEngineOp_5", 5), ("dense/my_trt_op0", 0), ("my_trt_op_7", 7),
    ("TRTEngineOp_000_001_native_segment", None), ("conv1/Conv2D", None), (None, None)])
def test_engine_numbers_of_every_era(name, index):
    assert engine_index(name) == index


def test_nothing_to_compare_is_inconclusive():
    empty = Actual(engines=[], unconverted_count=None, unconverted_types=None,
                   unconverted_by_type=None, candidate_segments=None,
                   mentioned_nodes=frozenset())
    result = crosscheck(prediction([("TRTEngineOp_000_000", 0, A)]), empty)
    assert result.score is None and result.verdict == "inconclusive"
    assert not result.exceeds_tolerance


def test_a_log_of_another_model_is_called_out():
    pred = prediction([("TRTEngineOp_000_000", 0, ["conv%d" % i for i in range(12)])])
    foreign = Actual(engines=[ActualEngine("TRTEngineOp_000_000", 0, 12, "replaced",
                                           frozenset("other%d" % i for i in range(12)))],
                     unconverted_count=None, unconverted_types=None, unconverted_by_type=None,
                     candidate_segments=1, mentioned_nodes=frozenset("other%d" % i for i in range(12)))
    result = crosscheck(pred, foreign)
    assert result.notes[0].startswith("the log names 12 nodes and only 0 of them are in this model")
    assert result.verdict == "disagree"


# -- the assignment is optimal ----------------------------------------------------------------

@st.composite
def partitions(draw):
    nodes = ["n%d" % i for i in range(draw(st.integers(6, 40)))]
    cuts = sorted(draw(st.sets(st.integers(1, len(nodes) - 1), max_size=6)))
    groups, start = [], 0
    for cut in cuts + [len(nodes)]:
        groups.append(nodes[start:cut])
        start = cut
    return groups


@settings(max_examples=60, deadline=None)
@given(partitions(), st.randoms(use_true_random=False))
def test_a_prediction_matches_itself_under_any_renumbering(groups, rnd):
    pred = prediction([("TRTEngineOp_000_%03d" % i, i, g) for i, g in enumerate(groups)])
    order = list(range(len(groups)))
    rnd.shuffle(order)
    actual = Actual(
        engines=[ActualEngine("TRTEngineOp_000_%03d" % j, j, len(groups[i]), "replaced",
                              frozenset(groups[i])) for j, i in enumerate(order)],
        unconverted_count=None, unconverted_types=None, unconverted_by_type=None,
        candidate_segments=len(groups), mentioned_nodes=frozenset(pred.known_nodes))
    result = crosscheck(pred, actual)
    assert len(result.pairs()) == len(groups)
    assert all(m.jaccard == 1.0 for m in result.pairs())
    assert result.score == 1.0


@settings(max_examples=60, deadline=None)
@given(partitions(), partitions())
def test_matching_is_at_least_as_good_as_greedy(left, right):
    """Max-weight matching never totals less Jaccard than picking the best pair first."""
    pred = [PredictedEngine("p%d" % i, i, frozenset(g)) for i, g in enumerate(left)]
    act = [ActualEngine("a%d" % j, j, len(g), "replaced", frozenset(g)) for j, g in enumerate(right)]
    optimal = sum(m.jaccard or 0.0 for m in match_by_nodes(pred, act, NameAlignment())
                  if m.predicted is not None and m.actual is not None)
    candidates = sorted(((jaccard(p.nodes, a.nodes), i, j) for i, p in enumerate(pred)
                         for j, a in enumerate(act)), reverse=True)
    used_p, used_a, greedy = set(), set(), 0.0
    for weight, i, j in candidates:
        if weight > 0 and i not in used_p and j not in used_a:
            used_p.add(i)
            used_a.add(j)
            greedy += weight
    assert optimal >= greedy - 1e-9


def test_matching_is_fast_enough_for_hundreds_of_engines():
    import time

    rnd = random.Random(3)
    groups = [["e%d_%d" % (i, k) for k in range(rnd.randint(3, 30))] for i in range(300)]
    pred = [PredictedEngine("p%d" % i, i, frozenset(g)) for i, g in enumerate(groups)]
    act = [ActualEngine("a%d" % i, i, len(g), "replaced", frozenset(g[:-1] + ["extra%d" % i]))
           for i, g in enumerate(groups)]
    start = time.perf_counter()
    matches = match_by_nodes(pred, act, NameAlignment())
    assert time.perf_counter() - start < 5.0
    assert all(m.predicted.name[1:] == m.actual.name[1:] for m in matches
               if m.predicted and m.actual)
