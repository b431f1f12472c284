"""trtlint's grappler emulation against TensorFlow's real grappler, node by node.

For every corpus graph and every fixture TensorFlow can import, the same graph (the one
trtlint loaded, written back as a GraphDef) goes through TensorFlow 2.17's passes as
TF-TRT configures them (``trtlint.grappler.tf_reference``) and through trtlint's
emulation, with the same fetches.  The two results are compared node by node: the set
of node names, each node's op type, its data inputs (``name:index``, in order) and its
control inputs (as a set).

CPU mode (no layout pass, what the CPU TF-TRT oracle sees) must agree exactly, except
for the few nodes listed in ``KNOWN_CPU`` with their cause.  GPU mode (layout pass on
a virtual sm_75 GPU) likewise with ``KNOWN_GPU``, up to one thing TensorFlow itself does
not decide the same way twice: with the layout pass, the node order grappler ends up
with depends on the iteration order of hash sets (absl's per-process hash seed; the same
graph run six times gave three different results), and common subgraph elimination
keeps the first of two identical nodes in that order.  So in GPU mode a node trtlint
kept may stand in for an identical one TensorFlow kept (``Shape`` vs ``Shape_1`` of one
tensor); :func:`rename_survivors` pairs such nodes by structure before comparing.  A
known difference that disappears fails the test too, so the lists stay true.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Optional

import pytest

from trtlint.errors import InputError
from trtlint.grappler.graphdef_out import graph_to_bytes
from trtlint.grappler.pipeline import fetch_and_feed, run_passes
from trtlint.load import load_model
from trtlint.shapes import infer_shapes
from shared_data import CORPUS_MODELS

pytestmark = pytest.mark.tensorflow

REPO = Path(__file__).resolve().parents[1]
CORPUS = CORPUS_MODELS
FIXTURES = REPO / "fixtures"

#: differences that remain, by model, with the reason.  With trtlint's shape inference
#: in its grappler mode (symbolic dims, merges) there are none; an older one without it
#: leaves these.
KNOWN_CPU: dict[str, tuple[dict[str, set[str]], str]] = {}
if "grappler" not in inspect.signature(infer_shapes).parameters:
    KNOWN_CPU["028_mobilenet_v1_025_128_frozen.pb"] = (
        {"op": {"MobilenetV1/Predictions/Reshape", "MobilenetV1/Predictions/Reshape_1"}},
        "grappler's Reshape shape function merges the one unknown input dim with the size "
        "the constant target implies (batch 1 here), for the whole graph; both Reshapes "
        "then are no-ops")
    KNOWN_CPU["022_speech_commands_train_pbtxt.pbtxt"] = (
        {"op": {"train/gradients/cross_entropy/sparse_softmax_cross_entropy_loss/num_present/"
                "broadcast_weights_grad/mul"}},
        "grappler compares unknown dims symbolically: a Mul by ones-like of the same "
        "unknown shape is a no-op")
KNOWN_GPU: dict[str, tuple[dict[str, set[str]], str]] = dict(KNOWN_CPU)


def _models() -> list[Path]:
    found: list[Path] = []
    if CORPUS.is_dir():
        for p in sorted(CORPUS.iterdir()):
            if p.suffix in (".pb", ".pbtxt") or (p.is_dir() and (p / "saved_model.pb").exists()):
                found.append(p)
    for p in sorted((FIXTURES / "graphs").glob("*.pb")):
        found.append(p)
    saved = FIXTURES / "saved_models"
    if saved.is_dir():
        found.extend(sorted(d for d in saved.iterdir() if (d / "saved_model.pb").exists()))
    return found


MODELS = _models()


def _normalise_tf(graph_def) -> dict[str, tuple]:
    out = {}
    for n in graph_def.node:
        data = [i[:-2] if i.endswith(":0") else i for i in n.input if not i.startswith("^")]
        ctrl = frozenset(i[1:] for i in n.input if i.startswith("^"))
        out[n.name] = (n.op, data, ctrl)
    return out


def _normalise_ours(graph) -> dict[str, tuple]:
    return {n.name: (n.op, [str(r) for r in n.inputs], frozenset(n.control_inputs))
            for n in graph}


def compare(ref: dict, ours: dict) -> dict[str, set[str]]:
    """Differences by kind: missing/extra nodes, op types, data inputs, control inputs."""
    both = set(ref) & set(ours)
    return {
        "missing": set(ref) - set(ours),
        "extra": set(ours) - set(ref),
        "op": {n for n in both if ref[n][0] != ours[n][0]},
        "inputs": {n for n in both if ref[n][0] == ours[n][0] and ref[n][1] != ours[n][1]},
        "controls": {n for n in both if ref[n][:2] == ours[n][:2] and ref[n][2] != ours[n][2]},
    }


def rename_survivors(ref: dict, ours: dict) -> dict:
    """``ours`` with each node that ``ref`` lacks renamed to an identical node of ``ref``
    that ``ours`` lacks: same op, same data inputs and control inputs once the renaming
    found so far is applied (repeated until nothing changes, so chains of duplicates
    pair up from their roots).  What stays unpaired remains a difference."""
    mapping: dict[str, str] = {}

    def renamed(value: tuple) -> tuple:
        op, data, ctrl = value
        return (op, [_rename_input(i, mapping) for i in data],
                frozenset(mapping.get(c, c) for c in ctrl))

    changed = True
    while changed:
        changed = False
        missing = set(ref) - set(ours) - set(mapping.values())
        extra = [n for n in set(ours) - set(ref) if n not in mapping]
        for name in sorted(extra):
            value = renamed(ours[name])
            match = sorted(m for m in missing if ref[m] == value)
            if match:
                mapping[name] = match[0]
                missing.discard(match[0])
                changed = True
    return {mapping.get(n, n): renamed(v) for n, v in ours.items()}


def _rename_input(text: str, mapping: dict[str, str]) -> str:
    name, sep, port = text.partition(":")
    return mapping.get(name, name) + sep + port


def _run_both(path: Path, layout_gpu: bool):
    from tensorflow.core.framework import graph_pb2

    from trtlint.grappler.tf_reference import run_tf_grappler

    try:
        model = load_model(path)
    except InputError as exc:
        if "--signature" not in str(exc):
            raise
        # a SavedModel without a default signature: take its first one
        first = str(exc).split("--signature:")[1].split(",")[0].strip()
        model = load_model(path, signature=first)
    fetches, feeds = fetch_and_feed(model)
    try:
        ref_bytes = run_tf_grappler(graph_to_bytes(model.graph), fetches, layout_gpu=layout_gpu)
    except InputError as exc:
        pytest.skip(f"TensorFlow cannot take this graph: {exc}")
    ref = graph_pb2.GraphDef.FromString(ref_bytes)
    ours, passes = run_passes(model.graph, fetches, feeds, layout_gpu, gpu="sm_75")
    return _normalise_tf(ref), _normalise_ours(ours), passes


def _check(name: str, diff: dict[str, set[str]], known: Optional[tuple]) -> None:
    expected, reason = known if known else ({}, "")
    for kind, names in diff.items():
        allowed = expected.get(kind, set())
        if "*" in allowed:
            continue  # inputs that only follow from the listed node differences
        assert names == allowed, (
            f"{name}: {kind} differ from TensorFlow: unexpected {sorted(names - allowed)[:10]}, "
            f"no longer different {sorted(allowed - names)[:10]}" + (f" ({reason})" if reason else ""))


def _exact(ref: dict, ours: dict) -> int:
    return sum(1 for n, v in ref.items() if ours.get(n) == v)


@pytest.mark.parametrize("path", MODELS, ids=[p.name for p in MODELS])
def test_cpu_matches_tensorflow(path: Path) -> None:
    ref, ours, passes = _run_both(path, layout_gpu=False)
    diff = compare(ref, ours)
    print(f"{path.name}: {len(ref)} nodes after grappler, {_exact(ref, ours)} exact")
    _check(path.name, diff, KNOWN_CPU.get(path.name))
    assert [p.name for p in passes] == ["pruning", "debug_stripper", "layout", "dependency",
                                        "constfold", "common_subgraph_elimination"] or not passes


@pytest.mark.parametrize("path", MODELS, ids=[p.name for p in MODELS])
def test_gpu_layout_matches_tensorflow(path: Path) -> None:
    ref, ours, _ = _run_both(path, layout_gpu=True)
    ours = rename_survivors(ref, ours)
    diff = compare(ref, ours)
    print(f"{path.name}: {len(ref)} nodes after grappler on GPU, {_exact(ref, ours)} exact")
    _check(path.name, diff, KNOWN_GPU.get(path.name))


def test_corpus_is_present_and_covered() -> None:
    """The comparison above must actually cover graphs: corpus and fixtures."""
    names = {p.name for p in MODELS}
    assert any(n.endswith(".pb") for n in names)
    if CORPUS.is_dir():
        assert "028_mobilenet_v1_025_128_frozen.pb" in names
    assert "ssd_inception_v2_like.pb" in names
