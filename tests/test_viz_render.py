"""Real pictures: DOT rendered by Graphviz's ``dot`` into SVG, parsed as XML, checked
against the analysis (engines, their colours and counts, reason colours, the legend,
boundary and control edges, graph inputs and outputs); PNG and PDF come out too.

These tests need the ``dot`` program (.ci/run installs Debian's graphviz package); they
fail, not skip, without it, because the pictures are the feature under test.
"""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest

from trtlint.analysis import analyze
from trtlint.cli.options import target_from_options
from trtlint.load import load_model
from trtlint.views.graphviz_view import (CATEGORY_COLORS, CROSSING_COLOR, ENGINE_COLORS,
                                         FAILED_ENGINE_COLOR, analysis_dot, render)
from trtlint.views.scopes import ViewRequest, build_picture

ROOT = Path(__file__).resolve().parents[1]
GRAPHS = ROOT / "fixtures" / "graphs"
SVG = "{http://www.w3.org/2000/svg}"
XLINK_TITLE = "{http://www.w3.org/1999/xlink}title"


def test_dot_is_installed():
    assert shutil.which("dot"), "Graphviz's dot is missing: apt-get install graphviz"


def _analysis(name: str, **target):
    return analyze(load_model(GRAPHS / name), target_from_options(**target))


def _svg(a, request: ViewRequest = ViewRequest()):
    picture = build_picture(a, request)
    root = ET.fromstring(render(analysis_dot(a, picture), "svg"))
    return picture, root


def _groups(root, cls: str) -> list:
    return [g for g in root.iter(SVG + "g") if cls in (g.get("class") or "").split()]


def _title(g) -> str:
    return g.find(SVG + "title").text


def _texts(g) -> list[str]:
    return [t.text or "" for t in g.iter(SVG + "text")]


def _shape(g):
    """The element drawing a node or cluster outline (first filled path/polygon)."""
    for el in g.iter():
        if el.tag in (SVG + "path", SVG + "polygon") and el.get("fill") not in (None, "none"):
            return el
    raise AssertionError(f"no shape in {_title(g)}")


def _tooltip(g) -> str:
    return next(el.get(XLINK_TITLE) for el in g.iter(SVG + "a"))


def _tint(hex_colour: str, keep: float = 0.28) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{round(255 - (255 - c) * keep):02x}" for c in (r, g, b))


@pytest.fixture(scope="module")
def ssd():
    return _analysis("ssd_inception_v2_like.pb")


@pytest.fixture(scope="module")
def ssd_svg(ssd):
    return _svg(ssd)


@pytest.fixture(scope="module")
def ssd_dynamic():
    """The SSD in dynamic shape mode: the backbone engine plus a dozen small engines in
    the post-processing, so the Postprocessor scope is shared between TensorFlow and
    engines (TF 2.17's default mode leaves it wholly to TensorFlow)."""
    a = _analysis("ssd_inception_v2_like.pb", dynamic_shape=True)
    assert len(a.segments) >= 3, "fixture premise: several engines"
    return a


@pytest.fixture(scope="module")
def ssd_dynamic_svg(ssd_dynamic):
    return _svg(ssd_dynamic)


NMS_LOOP = "Postprocessor/BatchMultiClassNonMaxSuppression/map/while/"


def nms_engine(a):
    """The first engine that lies wholly inside the NMS while loop."""
    return next(s for s in a.segments if all(n.startswith(NMS_LOOP) for n in s.nodes))


def test_ssd_engines_are_coloured_clusters_with_counts(ssd, ssd_svg):
    _, root = ssd_svg
    clusters = _groups(root, "engine")
    assert [_title(c) for c in clusters] == [f"cluster_e{i}" for i in range(len(ssd.segments))]
    fills = set()
    for i, (seg, cluster) in enumerate(zip(ssd.segments, clusters)):
        texts = _texts(cluster)
        assert texts[0] == seg.name
        assert texts[1] == f"{len(seg.nodes)} nodes · builds"
        shape = _shape(cluster)
        swatch = ENGINE_COLORS[i % len(ENGINE_COLORS)]
        assert shape.get("stroke") == swatch.border
        assert shape.get("fill") == _tint(swatch.fill)
        fills.add(shape.get("fill"))
    assert len(fills) == len(ssd.segments), "two engines share a colour"


def test_ssd_scope_boxes_state_counts_share_and_engines(ssd_dynamic, ssd_dynamic_svg):
    ssd = ssd_dynamic
    picture, root = ssd_dynamic_svg
    boxes = {b.id: b for b in picture.boxes}
    fe_nodes = [n for n in ssd.graph.nodes if n.startswith("FeatureExtractor/")]
    in_built = sum(1 for s in ssd.segments if s.will_build for n in s.nodes
                   if n.startswith("FeatureExtractor/"))
    post = [n for n in ssd.graph.nodes if n.startswith("Postprocessor/")]
    post_in = {n for s in ssd.segments for n in s.nodes if n.startswith("Postprocessor/")}
    # the TensorFlow part names the engines that share the scope: two, then "+N"
    post_engines = [s.name for s in ssd.segments
                    if any(n.startswith("Postprocessor/") for n in s.nodes)]
    assert len(post_engines) > 2, "premise: the Postprocessor is cut by several engines"
    engines_line = f"engines: {', '.join(post_engines[:2])} +{len(post_engines) - 2}"
    seen = set()
    for g in _groups(root, "scope"):
        box = boxes[_title(g)]
        texts = _texts(g)
        assert texts[0].rstrip("/") in box.name or box.name.startswith(texts[0].rstrip("/"))
        if box.name == "FeatureExtractor":
            seen.add("fe")
            assert f"{len(fe_nodes)} nodes" in texts
            assert f"{round(100 * in_built / len(fe_nodes))}% of the scope in engines" in texts
        if box.name == "Postprocessor" and box.engine is None:
            seen.add("post")
            outside = len(post) - len(post_in)
            assert f"{outside} of its {len(post)} nodes (the rest in engines)" in texts
            assert engines_line in texts
            # the TensorFlow part is coloured by its most common reason
            top = Counter(ssd.decisions[n].category or "not_in_engine" for n in post
                          if n not in post_in and not ssd.decisions[n].supported).most_common(1)
            assert _shape(g).get("fill") == CATEGORY_COLORS[top[0][0]].fill
    assert seen == {"fe", "post"}


def test_ssd_legend_lists_engines_and_reason_counts(ssd, ssd_svg):
    _, root = ssd_svg
    texts = [t for t in _texts(root)]
    joined = "\n".join(texts)
    assert "TensorRT engines (clusters)" in texts
    assert "Stays in TensorFlow, by reason (nodes)" in texts
    for seg in ssd.segments:
        assert f"{seg.name}: {len(seg.nodes)} nodes, builds" in texts
    members = {n for s in ssd.segments for n in s.nodes}
    expected = Counter(d.reason.category for d in ssd.decisions.values()
                       if not d.supported and d.node not in members)
    assert expected
    for category, count in expected.items():
        # the legend row is "<category> (<count>): <description>" in two text runs
        assert re.search(rf"^{re.escape(category)}\n \({count}\): ", joined, re.M), category
    for mark in ("tensor crossing an engine boundary (a TensorFlow ↔ TensorRT copy)",
                 "control dependency", "arrow-shaped box: graph input or output"):
        assert mark in texts
    title = texts[0]
    assert title.startswith("ssd_inception_v2_like.pb")


def test_ssd_boundary_edges_are_red_and_io_marked(ssd, ssd_svg):
    picture, root = ssd_svg
    crossing = _groups(root, "crossing")
    assert len(crossing) == sum(1 for l in picture.links if l.crosses_engine) > 0
    for g in crossing:
        path = g.find(SVG + "path")
        assert path.get("stroke") == CROSSING_COLOR
        assert float(path.get("stroke-width")) >= 2.4
    plain = [g for g in _groups(root, "edge") if "crossing" not in g.get("class")]
    assert plain and all(g.find(SVG + "path").get("stroke") != CROSSING_COLOR for g in plain)
    io = {_tooltip(g).split("\n")[0]: _texts(g)[0] for g in _groups(root, "io")}
    assert io == {"image_tensor": "graph input", "detection_boxes": "graph output",
                  "detection_scores": "graph output", "detection_classes": "graph output",
                  "num_detections": "graph output"}


def test_full_view_control_edges_dashed_and_nodes_by_reason():
    a = _analysis("seg_control_deps.pb")
    picture, root = _svg(a)
    boxes = {b.id: b for b in picture.boxes}
    controls = _groups(root, "control")
    assert len(controls) == sum(len(n.control_inputs) for n in a.graph) > 0
    assert all(g.find(SVG + "path").get("stroke-dasharray") for g in controls)
    datas = _groups(root, "data")
    assert all(not g.find(SVG + "path").get("stroke-dasharray") for g in datas)
    members = {n: i for i, s in enumerate(a.segments) for n in s.nodes}
    for g in _groups(root, "op"):
        box = boxes[_title(g)]
        assert _tooltip(g).split("\n")[:2] == [box.name, a.graph[box.name].op]
        fill = _shape(g).get("fill")
        if box.name in members:
            assert fill == ENGINE_COLORS[members[box.name]].fill
        elif not a.decisions[box.name].supported:
            assert fill == CATEGORY_COLORS[a.decisions[box.name].reason.category].fill
        else:
            assert fill == CATEGORY_COLORS["not_in_engine"].fill
            assert _shape(g).get("stroke-dasharray"), "left-out candidates are dashed"


def test_engine_that_will_not_build_is_dashed_red_with_reason():
    a = _analysis("uint8_unknown_dims.pb", max_batch_size=1)
    failing = [s for s in a.segments if not s.will_build]
    assert failing, "fixture premise: a static engine with unknown dims fails to build"
    _, root = _svg(a)
    clusters = _groups(root, "failed")
    assert len(clusters) == len(failing)
    shape = _shape(clusters[0])
    assert shape.get("stroke") == FAILED_ENGINE_COLOR and shape.get("stroke-dasharray")
    texts = _texts(clusters[0])
    assert any("will NOT build" in t for t in texts)
    assert any(failing[0].reason.strip()[:40] in t for t in texts)
    assert f"{failing[0].name}: {len(failing[0].nodes)} nodes, will NOT build" in _texts(root)


def test_segment_and_focus_views_render(ssd_dynamic):
    ssd = ssd_dynamic
    seg = nms_engine(ssd)
    picture, root = _svg(ssd, ViewRequest(segment=seg.name))
    # the cluster keeps the engine's position among all engines (its colour key)
    position = ssd.segments.index(seg)
    assert position > 0
    assert [_title(c) for c in _groups(root, "engine")] == [f"cluster_e{position}"]
    assert len(_groups(root, "node")) == len(picture.boxes)
    picture, root = _svg(ssd, ViewRequest(focus=seg.nodes[0], radius=1))
    assert {_tooltip(g).split("\n")[0] for g in _groups(root, "node")} == \
        {b.name for b in picture.boxes}


@pytest.mark.parametrize("fmt, magic", [("png", b"\x89PNG\r\n\x1a\n"), ("pdf", b"%PDF-")])
def test_png_and_pdf(ssd, fmt, magic):
    data = render(analysis_dot(ssd, build_picture(ssd)), fmt)
    assert data.startswith(magic) and len(data) > 20_000
