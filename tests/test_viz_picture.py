"""What a segment picture shows, checked against the analysis it is drawn from.

Every expectation here is recomputed independently from the Analysis (segments, graph
edges, decisions), never read back from the picture code's own helpers.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from trtlint.analysis import analyze
from trtlint.cli.options import target_from_options
from trtlint.errors import UsageError
from trtlint.load import load_model
from trtlint.views.scopes import (BOX_BUDGET, COLLAPSE_ABOVE, IN_ENGINE, NOT_IN_ENGINE,
                                  ViewRequest, build_picture, classify_nodes)
from shared_data import CORPUS_MODELS

ROOT = Path(__file__).resolve().parents[1]
GRAPHS = ROOT / "fixtures" / "graphs"


def _analysis(name: str, **target):
    return analyze(load_model(GRAPHS / name), target_from_options(**target))


@pytest.fixture(scope="module")
def ssd():
    return _analysis("ssd_inception_v2_like.pb")


@pytest.fixture(scope="module")
def ssd_dynamic():
    """The SSD in dynamic shape mode: besides the backbone, TF-TRT cuts the
    post-processing (box decoding, the NMS loop body) into a dozen small engines, so
    scopes are shared between engines and TensorFlow.  (TF 2.17's default implicit batch
    mode makes a single backbone engine and leaves the post-processing alone.)"""
    a = _analysis("ssd_inception_v2_like.pb", dynamic_shape=True)
    assert len(a.segments) >= 3, "fixture premise: several engines"
    return a


NMS_LOOP = "Postprocessor/BatchMultiClassNonMaxSuppression/map/while/"


def nms_engine(a):
    """The first engine that lies wholly inside the NMS while loop."""
    return next(s for s in a.segments if all(n.startswith(NMS_LOOP) for n in s.nodes))


@pytest.fixture(scope="module")
def control_deps():
    return _analysis("seg_control_deps.pb")


def _drawn_nodes(picture) -> list[str]:
    return [n for box in picture.boxes for n in box.nodes]


def test_status_of_every_node_follows_the_analysis(ssd):
    status = classify_nodes(ssd)
    assert set(status) == set(ssd.graph.nodes)
    members = {n: s.name for s in ssd.segments for n in s.nodes}
    for name, st in status.items():
        decision = ssd.decisions[name]
        if name in members:
            assert (st.engine, st.category) == (members[name], IN_ENGINE)
        elif not decision.supported:
            assert st.category == decision.reason.category
            assert st.detail == decision.reason.message
        else:
            assert st.category == NOT_IN_ENGINE and st.engine is None
    # the SSD has candidates the segmenter left out (tiny clusters, constants cut out)
    assert Counter(s.category for s in status.values())[NOT_IN_ENGINE] > 0


def test_big_graph_collapses_by_scope_and_keeps_every_node(ssd):
    assert len(ssd.graph) > COLLAPSE_ABOVE
    p = build_picture(ssd)
    assert p.collapsed and p.depth == 1
    drawn = _drawn_nodes(p)
    assert len(drawn) == len(set(drawn)), "a node is drawn in two boxes"
    # every node is in a box, except constants that only feed other scopes (counted)
    missing = set(ssd.graph.nodes) - set(drawn)
    assert len(missing) == p.hidden_constants
    assert all(ssd.graph[n].op == "Const" for n in missing)
    assert p.nodes_shown == len(ssd.graph)
    assert len(p.boxes) <= BOX_BUDGET


def test_engine_clusters_hold_exactly_their_members(ssd):
    p = build_picture(ssd)
    for seg in ssd.segments:
        inside = {n for box in p.boxes if box.engine == seg.name for n in box.nodes}
        assert inside == set(seg.nodes), seg.name
    assert [e.name for e in p.engines] == [s.name for s in ssd.segments]
    assert [e.size for e in p.engines] == [len(s.nodes) for s in ssd.segments]


def test_scope_summaries_count_the_whole_scope(ssd):
    p = build_picture(ssd)
    built = {n for s in ssd.segments if s.will_build for n in s.nodes}
    engine_of = {n: s.name for s in ssd.segments for n in s.nodes}
    roles = {s.name for s in ssd.model.inputs + ssd.model.outputs}
    for scope in ("FeatureExtractor", "Postprocessor", "Preprocessor"):
        nodes = [n for n in ssd.graph.nodes if n.startswith(scope + "/") and n not in roles]
        summary = p.scopes[scope]
        assert summary.nodes == len(nodes)
        assert summary.in_built_engines == sum(1 for n in nodes if n in built)
        assert set(summary.engines) == {engine_of[n] for n in nodes if n in engine_of}
    # the seed picture: the backbone converts, the NMS post-processing mostly does not
    assert p.scopes["FeatureExtractor"].converted > 0.9
    assert p.scopes["Postprocessor"].converted < 0.1


def test_a_scope_cut_by_an_engine_is_split_into_parts(ssd_dynamic):
    a = ssd_dynamic
    p = build_picture(a)
    parts = [b for b in p.boxes if b.kind == "scope" and b.name == "Postprocessor"]
    engines = {b.engine for b in parts}
    assert None in engines and len(engines) >= 2
    # one part for TensorFlow's share and one per engine with members in the scope
    assert engines - {None} == {s.name for s in a.segments
                                if any(n.startswith("Postprocessor/") for n in s.nodes)}
    assert sum(b.size for b in parts) + sum(
        1 for n in a.graph.nodes if n.startswith("Postprocessor/")
        and n not in _drawn_nodes(p)) == p.scopes["Postprocessor"].nodes


def test_links_count_the_edges_between_boxes(ssd_dynamic):
    ssd = ssd_dynamic
    p = build_picture(ssd)
    box_of = {n: b for b in p.boxes for n in b.nodes}
    expected: Counter = Counter()
    for node in ssd.graph:
        dst = box_of.get(node.name)
        for ref in node.inputs:
            src = box_of.get(ref.node)
            if dst is None or src is None or src is dst or ssd.graph[ref.node].op == "Const":
                continue
            expected[(src.id, dst.id, "data")] += 1
        for name in node.control_inputs:
            src = box_of.get(name)
            if dst is None or src is None or src is dst:
                continue
            expected[(src.id, dst.id, "control")] += 1
    got = Counter({(l.src, l.dst, l.kind): l.count for l in p.links})
    assert got == expected
    by_id = {b.id: b for b in p.boxes}
    for link in p.links:
        assert link.crosses_engine == (by_id[link.src].engine != by_id[link.dst].engine)
    # tensors go into and out of the NMS engine: crossing links both ways
    nms = nms_engine(ssd).name
    assert any(l.crosses_engine and by_id[l.dst].engine == nms for l in p.links)
    assert any(l.crosses_engine and by_id[l.src].engine == nms for l in p.links)


def test_small_graph_draws_one_box_per_node_with_const_edges(control_deps):
    p = build_picture(control_deps)
    assert not p.collapsed and p.depth is None
    assert sorted(b.name for b in p.boxes) == sorted(control_deps.graph.nodes)
    assert all(b.kind == "node" and b.size == 1 for b in p.boxes)
    kinds = Counter(l.kind for l in p.links)
    controls = sum(len(n.control_inputs) for n in control_deps.graph)
    assert kinds["control"] == controls > 0
    datas = sum(len(n.inputs) for n in control_deps.graph)
    assert sum(l.count for l in p.links if l.kind == "data") == datas
    # an edge from a Const is never a boundary crossing: TF-TRT copies the constant
    assert all(not l.crosses_engine for l in p.links if l.from_const)
    roles = {b.name: b.role for b in p.boxes if b.role}
    assert roles == {"x": "input", "y": "output"}


def test_depth_and_expand(ssd):
    deeper = build_picture(ssd, ViewRequest(depth=2))
    assert deeper.depth == 2 and len(deeper.boxes) > len(build_picture(ssd).boxes)
    assert all(b.name.count("/") <= 1 for b in deeper.boxes if b.kind == "scope")

    opened = build_picture(ssd, ViewRequest(expand=("Postprocessor/",)))
    names = {b.name for b in opened.boxes if b.kind == "scope"}
    assert "Postprocessor" not in names
    assert "Postprocessor/BatchMultiClassNonMaxSuppression" in names
    assert opened.expanded == ("Postprocessor",)
    # expanding a deep scope opens the scopes above it too
    deep = build_picture(ssd, ViewRequest(
        expand=("Postprocessor/BatchMultiClassNonMaxSuppression/map",)))
    names = {b.name for b in deep.boxes if b.kind == "scope"}
    assert "Postprocessor/BatchMultiClassNonMaxSuppression/map/while" in names
    assert "Postprocessor/BatchMultiClassNonMaxSuppression" not in names


def test_focus_draws_the_neighbourhood(ssd_dynamic):
    ssd = ssd_dynamic
    center = nms_engine(ssd).nodes[0]
    p = build_picture(ssd, ViewRequest(focus=center, radius=1))
    node = ssd.graph[center]
    expected = {center} | {r.node for r in node.inputs} | set(node.control_inputs)
    expected |= {c.node for c in ssd.graph.consumers(center)}
    expected |= set(ssd.graph.control_consumers(center))
    assert {b.name for b in p.boxes} == expected
    assert not p.collapsed
    wider = build_picture(ssd, ViewRequest(focus=center, radius=3))
    assert wider.nodes_shown > p.nodes_shown


def test_segment_view_shows_the_engine_and_its_neighbours(ssd_dynamic):
    ssd = ssd_dynamic
    seg = nms_engine(ssd)
    p = build_picture(ssd, ViewRequest(segment=seg.name))
    members = set(seg.nodes)
    around = set()
    for name in seg.nodes:
        around |= {r.node for r in ssd.graph[name].inputs}
        around |= {c.node for c in ssd.graph.consumers(name)}
    # control neighbours count too: the loop body's constants hang on the loop's
    # Identity by a control edge
    controls = set()
    for name in seg.nodes:
        controls |= set(ssd.graph[name].control_inputs)
        controls |= set(ssd.graph.control_consumers(name))
    assert controls - members - around, "premise: the engine has control-only neighbours"
    drawn = set(_drawn_nodes(p))
    assert members <= drawn and drawn == members | around | controls
    assert [e.name for e in p.engines] == [seg.name]
    # a suffix is enough when it names one engine ("000_002" for TRTEngineOp_000_002) ...
    suffix = seg.name.rpartition("TRTEngineOp_")[2]
    assert suffix and suffix != seg.name
    assert build_picture(ssd, ViewRequest(segment=suffix)).selection.startswith(seg.name)
    # ... and not when it names several (its last digit ends another engine's name too)
    assert sum(1 for s in ssd.segments if s.name.endswith(suffix[-1])) >= 2
    with pytest.raises(UsageError, match="the engines are"):
        build_picture(ssd, ViewRequest(segment=suffix[-1]))


@pytest.mark.parametrize("request_, message", [
    (ViewRequest(focus="no/such/node"), "no node called"),
    (ViewRequest(segment="TRTEngineOp_9"), "the engines are TRTEngineOp_000_000"),
    (ViewRequest(expand=("Postprocesor",)), "did you mean Postprocessor"),
    (ViewRequest(focus="x", segment="y"), "--focus and --segment"),
    (ViewRequest(full=True, depth=2), "--full"),
    (ViewRequest(depth=0), "--depth"),
])
def test_nonsense_requests_are_usage_errors(ssd, request_, message):
    with pytest.raises(UsageError, match=message):
        build_picture(ssd, request_)


def test_focus_on_a_node_grappler_removed(ssd):
    gone = next(n for n in ssd.model.graph.nodes if n not in ssd.graph)
    with pytest.raises(UsageError, match="grappler removed or folded it"):
        build_picture(ssd, ViewRequest(focus=gone))


def test_large_graph_picture_stays_small():
    a = _analysis("ssd_inception_v2_like_quantized_area.pb")
    p = build_picture(a)
    assert p.collapsed and len(p.boxes) <= BOX_BUDGET
    assert sum(b.size for b in p.boxes) + p.hidden_constants == len(a.graph)


CORPUS = CORPUS_MODELS


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"shared corpus not found at {CORPUS}")
def test_automatic_depth_looks_past_repeated_scopes_and_weight_scopes():
    """MobileNet exports name ops MobilenetV1/MobilenetV1/Conv2d_N/... and weights
    MobilenetV1/Conv2d_N/weights: levels 1 and 2 say almost nothing, and the weight
    scopes (constants, not drawn) must not use up the box budget."""
    a = analyze(load_model(CORPUS / "028_mobilenet_v1_025_128_frozen.pb"),
                target_from_options())
    p = build_picture(a)
    assert p.depth == 3
    assert 10 < len(p.boxes) <= BOX_BUDGET
    assert any(b.name.startswith("MobilenetV1/MobilenetV1/Conv2d_") for b in p.boxes)
    # a level that gives only a handful of boxes is passed over even if the next one
    # is a little over budget
    eval_graph = analyze(load_model(CORPUS / "036_mobilenet_v1_eval_pbtxt.pbtxt"),
                         target_from_options())
    p = build_picture(eval_graph)
    assert p.depth == 2 and BOX_BUDGET < len(p.boxes) <= 2 * BOX_BUDGET
