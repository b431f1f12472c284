"""Shared helpers for the lint-rule tests (tests/test_rules_*.py), plus checks of the helpers.

- ``FIXTURES``/``CORPUS``: the committed fixture graphs and the shared real-graph corpus.
- ``analysis_of(path, **target)``: trtlint's Analysis (findings included), cached per
  process because the SSD fixtures take a second or two each.
- ``findings(a, rule)``: the findings of one rule.
- ``frozen_graph(tmp_path, name, build)``: a small graph built with TensorFlow 1.x-style
  graph code, written as a frozen GraphDef. ``build(tf)`` creates ops in a fresh graph;
  the graph's sinks become the outputs.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Callable

import pytest

from trtlint.analysis import Analysis, analyze
from trtlint.findings import Finding
from trtlint.load import load_model
from trtlint.target import make_target
from shared_data import CORPUS_MODELS

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures"
GRAPHS = FIXTURES / "graphs"
SAVED_MODELS = FIXTURES / "saved_models"
CORPUS = CORPUS_MODELS


def _freeze(kw: dict) -> tuple:
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in kw.items()))


@lru_cache(maxsize=64)
def _cached_analysis(path: str, frozen: tuple) -> Analysis:
    kw = dict(frozen)
    profile = kw.pop("profile", "tf2")
    precision = kw.pop("precision", "FP32")
    if "input_shapes" in kw:
        kw["input_shapes"] = tuple(kw["input_shapes"])
    return analyze(load_model(Path(path)), make_target(profile, precision, **kw))


def analysis_of(path: Path | str, **target) -> Analysis:
    """Analyse ``path`` under a target given as make_target keywords (cached)."""
    return _cached_analysis(str(path), _freeze(target))


def findings(a: Analysis, rule: str) -> list[Finding]:
    return [f for f in a.findings if f.rule == rule]


def corpus(name: str) -> Path:
    path = CORPUS / name
    if not path.exists():
        pytest.skip(f"shared corpus graph {name} is not available here")
    return path


def frozen_graph(tmp_path: Path, name: str, build: Callable) -> Path:
    """Build a graph with TensorFlow (graph mode) and write it as ``tmp_path/name.pb``."""
    tf = pytest.importorskip("tensorflow")
    graph = tf.Graph()
    with graph.as_default():
        build(tf)
    path = tmp_path / f"{name}.pb"
    path.write_bytes(graph.as_graph_def().SerializeToString(deterministic=True))
    return path


# -- checks of the helpers themselves -------------------------------------------------------

def test_analysis_of_caches_and_distinguishes_targets():
    a = analysis_of(GRAPHS / "conv_bn_fused.pb")
    assert analysis_of(GRAPHS / "conv_bn_fused.pb") is a
    b = analysis_of(GRAPHS / "conv_bn_fused.pb", precision="FP16")
    assert b is not a and b.target.precision == "FP16"


@pytest.mark.tensorflow
def test_frozen_graph_writes_a_loadable_graph(tmp_path):
    def build(tf):
        x = tf.compat.v1.placeholder(tf.float32, [None, 4], name="x")
        tf.identity(x * 2.0, name="y")

    path = frozen_graph(tmp_path, "double", build)
    model = load_model(path)
    assert [i.name for i in model.inputs] == ["x"]
    assert "y" in model.graph
