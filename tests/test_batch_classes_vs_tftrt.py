"""trtlint's implicit-batch view vs TF-TRT's own, node by node (TF 2.17, real TF-TRT).

With ``TF_CPP_VMODULE=segment=3`` TF-TRT's segmenter logs, for every node it examines,
the grappler shapes of the inputs that decide its batch size (unknown dims as grappler's
symbols), its verdict, and for a candidate the batch value it imposes on its cluster.
Two candidates whose batch values differ ("-81" and "-85") never share an engine, so
the *partition* of candidates into equal-batch classes decides the segments as much as
the verdicts do.  For every corpus graph TensorFlow imports and every fixture graph,
in implicit batch mode with grappler off (so that only the segmenter is compared):

* batch classes: trtlint's leading batch value per TF-TRT candidate partitions them as
  TF-TRT's does (known sizes equal, symbols a renaming of TF-TRT's);
* segmenter input shapes: every shape TF-TRT logged equals trtlint's, up to renaming
  symbols -- one bijection for the whole graph;
* verdicts and segments: equal, except the differences listed below with their cause
  (none of them about shapes).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Optional

import pytest

from oracle import run_segment_traces
from trtlint.analysis import analyze
from trtlint.load import load_model
from trtlint.support.ruleset import load_ruleset
from trtlint.support.validator import CandidateValidator
from trtlint.target import Target
from shared_data import CORPUS_MODELS

pytestmark = pytest.mark.oracle

REPO = Path(__file__).resolve().parents[1]
CORPUS = CORPUS_MODELS
FIXTURES = REPO / "fixtures" / "graphs"
FLAGS = {"no_grappler": True}


def _models() -> list[Path]:
    corpus = [p for p in sorted(CORPUS.iterdir())
              if p.suffix in (".pb", ".pbtxt") or (p.is_dir() and (p / "saved_model.pb").exists())]
    return corpus + sorted(FIXTURES.glob("*.pb"))


MODELS = _models()

# Verdicts that differ for reasons outside shapes: graph -> [(op type, a substring of
# TF-TRT's reason ("accepted" for a candidate), why)].  Every listed difference must
# still occur, and every difference must be listed.  (The ExpandDims, Tile, VariableV2,
# FusedBatchNorm and PlaceholderWithDefault differences once listed here were fixed in
# rules/tf2.toml, found by tests/differential.)
KNOWN_DECISION_DIFFERENCES: dict[str, list[tuple[str, str, str]]] = {}
#: graphs whose segments differ, and why (their verdicts differ first)
KNOWN_SEGMENT_DIFFERENCES: dict[str, str] = {}


@pytest.fixture(scope="module")
def traces() -> dict:
    results = run_segment_traces([(path, FLAGS) for path in MODELS])
    return dict(zip(MODELS, results))


def _trace(traces: dict, path: Path) -> dict:
    result = traces[path]
    if "error" in result:
        pytest.skip(f"TF-TRT cannot convert this model here: {result['error'][:120]}")
    return result


@lru_cache(maxsize=None)
def _analysis(path: Path):
    model = load_model(path)
    target = Target(grappler="none")
    analysis = analyze(model, target)
    validator = CandidateValidator(analysis.graph, analysis.shapes, target,
                                   load_ruleset(target.profile), model.fetch_names)
    return analysis, validator


def batch_classes(batches: dict[str, Optional[int]]) -> set:
    """{(frozenset of nodes, known size or "symbol")}: the partition by batch value."""
    by_value: dict = {}
    for name, value in batches.items():
        by_value.setdefault(value, set()).add(name)
    return {(frozenset(nodes), value if value is not None and value >= 0 else "symbol")
            for value, nodes in by_value.items()}


def renaming_conflicts(pairs) -> list:
    """(theirs, ours) shape pairs that no single renaming of symbols makes equal."""
    to_ours: dict[int, int] = {}
    to_theirs: dict[int, int] = {}
    bad = []
    for key, theirs, ours in pairs:
        ok = (theirs is None) == (ours is None) and (theirs is None or len(theirs) == len(ours))
        if ok and theirs is not None:
            for t, o in zip(theirs, ours):
                if t >= 0 or o >= 0:
                    ok &= t == o
                elif to_ours.setdefault(t, o) != o or to_theirs.setdefault(o, t) != t:
                    ok = False
        if not ok:
            bad.append((key, theirs, ours))
    return bad


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.name)
def test_batch_classes_match_tf_trt(traces, path):
    trace = _trace(traces, path)["trace"]
    analysis, validator = _analysis(path)
    theirs = {name: info["batch"] for name, info in trace.items() if info["batch"] is not None}
    ours = {name: validator.leading_batch(analysis.graph[name]) for name in theirs}
    assert batch_classes(ours) == batch_classes(theirs)


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.name)
def test_segmenter_input_shapes_match_tf_trt(traces, path):
    trace = _trace(traces, path)["trace"]
    analysis, _ = _analysis(path)
    pairs = []
    for name, info in trace.items():
        # (a SavedModel frozen by TensorFlow may hold nodes trtlint's loader does not make)
        if info["inputs"] is None or name not in analysis.graph.nodes:
            continue
        ours = analysis.shapes.input_shapes(analysis.graph[name])
        assert len(ours) == len(info["inputs"]), name
        pairs.extend(((name, i), t, o) for i, (t, o) in enumerate(zip(info["inputs"], ours)))
    assert pairs or not any(i["inputs"] for i in trace.values())
    assert renaming_conflicts(pairs) == []


def decision_differences(trace: dict, analysis) -> list[tuple[str, str, str, str]]:
    out = []
    for name, info in trace.items():
        verdict = info["verdict"]
        decision = analysis.decisions.get(name)
        if verdict is None or decision is None:
            continue
        ours = "accepted" if decision.supported else decision.reason.message
        if ours != verdict:
            out.append((name, decision.op, verdict, ours))
    return out


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.name)
def test_decisions_match_tf_trt(traces, path):
    trace = _trace(traces, path)["trace"]
    analysis, _ = _analysis(path)
    known = KNOWN_DECISION_DIFFERENCES.get(path.name, [])
    differences = decision_differences(trace, analysis)
    unexplained = [d for d in differences
                   if not any(d[1] == op and text in d[2] for op, text, _ in known)]
    assert unexplained == []
    stale = [(op, text) for op, text, _ in known
             if not any(d[1] == op and text in d[2] for d in differences)]
    assert stale == [], "listed differences that no longer occur"


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.name)
def test_segments_match_tf_trt(traces, path):
    result = _trace(traces, path)
    analysis, _ = _analysis(path)
    theirs = sorted(sorted(s["members"] or []) for s in result["segments"])
    ours = sorted(sorted(s.nodes) for s in analysis.segments)
    if path.name in KNOWN_SEGMENT_DIFFERENCES:
        assert theirs != ours, f"{path.name} now agrees: drop it from KNOWN_SEGMENT_DIFFERENCES"
        return
    assert ours == theirs


# -- a graph built to show why symbols matter ---------------------------------------------
@pytest.mark.tensorflow
def test_two_inputs_with_unknown_batches_give_three_engines(tmp_path):
    """Two [?, 8] inputs: import-time shapes say "-1" for both batches, but grappler
    gives each its own symbol, and the Add takes its first input's.  TF-TRT then keeps
    y's branch out of x's engine ("incompatible batch sizes"); so must trtlint."""
    import tensorflow as tf

    v1 = tf.compat.v1
    g = tf.Graph()
    with g.as_default():
        x = v1.placeholder(tf.float32, [None, 8], name="x")
        y = v1.placeholder(tf.float32, [None, 8], name="y")
        a = tf.nn.relu(tf.nn.relu(x, name="x_relu") * 2.0, name="x_relu2")
        b = tf.nn.sigmoid(tf.nn.tanh(y, name="y_tanh") + 1.0, name="y_sigmoid")
        s = tf.add(a, b, name="sum")
        tf.identity(tf.nn.relu6(tf.nn.relu(s, name="s_relu") * 3.0, name="s_relu6"), name="out")
    path = tmp_path / "two_batches.pb"
    path.write_bytes(g.as_graph_def().SerializeToString())

    result = run_segment_traces([(path, FLAGS)])[0]
    assert "error" not in result, result.get("error")
    analysis, validator = _analysis(path)
    batch = {n: validator.leading_batch(analysis.graph[n]) for n in ("x_relu", "y_tanh", "sum")}
    assert batch["sum"] == batch["x_relu"] != batch["y_tanh"]
    assert batch["y_tanh"] < -1 and batch["x_relu"] < -1
    theirs = sorted(sorted(s["members"]) for s in result["segments"])
    ours = sorted(sorted(s.nodes) for s in analysis.segments)
    assert ours == theirs
    # x's branch joins the Add (same symbol); y's does not; and the Add's output batch
    # is a new symbol (two different unknown dims broadcast), so what follows is a third
    assert ours == [["add", "add/y", "y_sigmoid", "y_tanh"],
                    ["mul", "mul/y", "sum", "x_relu", "x_relu2"],
                    ["mul_1", "mul_1/y", "s_relu", "s_relu6"]]
