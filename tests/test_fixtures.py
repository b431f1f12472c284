"""The committed fixtures are what their sidecars say, load in TensorFlow and in trtlint alike,
and regenerate byte for byte.

Tests that need TensorFlow carry the ``tensorflow`` marker; the others read the files with
trtlint's own loader only.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from trtlint.load import load_model

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures"
EXAMPLES = REPO / "trtlint" / "examples"
#: sidecar keys measured by other tools (the TF-TRT oracle), not produced by generation
MEASURED_KEYS = ("tftrt_2_17",)

SIDECARS = sorted((FIXTURES / "graphs").glob("*.json")) + \
    sorted((FIXTURES / "saved_models").glob("*.json"))
FROZEN = [p for p in SIDECARS if json.loads(p.read_text())["format"] == "frozen_graph"]
SAVED = [p for p in SIDECARS if json.loads(p.read_text())["format"] == "saved_model"]


def sidecar(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def model_file(side: Path) -> Path:
    return FIXTURES / sidecar(side)["file"]


def tree_digest(directory: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(directory)).encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def shape_tuple(shape):
    return None if shape is None else tuple(shape)


# --------------------------------------------------------------------------- without TensorFlow

def test_the_issue_fixtures_exist():
    names = {sidecar(p)["name"] for p in SIDECARS}
    required = {"conv_bn_fused", "conv_bn_unfused", "tf1_while_tensorarray", "tf2_module_while",
                "keras_conv_classifier", "uint8_unknown_dims", "shape_math_int32",
                "gtt_quantized_mlp", "gtt_quantized_conv", "fakequant", "seg_shared_const",
                "seg_control_deps", "seg_cycle_avoidance", "seg_identity_chains",
                "seg_int64_bool_crossing", "seg_batch_reshape_transpose", "seg_many_engines",
                "ssd_inception_v2_like", "ssd_inception_v2_like_quantized_area"}
    assert required <= names, required - names


@pytest.mark.parametrize("side", SIDECARS, ids=lambda p: p.stem)
def test_sidecar_matches_file(side):
    info = sidecar(side)
    path = model_file(side)
    assert path.exists(), path
    if path.is_dir():
        assert tree_digest(path) == info["sha256"], "SavedModel edited after generation"
        assert sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) == info["bytes"]
    else:
        assert hashlib.sha256(path.read_bytes()).hexdigest() == info["sha256"], \
            "graph edited after generation"
        assert path.stat().st_size == info["bytes"]
    for key in ("what", "exercises", "inputs", "outputs", "made_by"):
        assert info[key], f"sidecar lacks {key}"
    assert info["made_by"]["tensorflow"] == "2.17.0"


def test_sizes_stay_small():
    sizes = {}
    for side in SIDECARS:
        path = model_file(side)
        files = [p for p in path.rglob("*") if p.is_file()] if path.is_dir() else [path]
        sizes[side.stem] = sum(p.stat().st_size for p in files)
    for name, size in sizes.items():
        limit = 1.5e6 if name.startswith("ssd_") else 1.0e6
        assert size < limit, f"{name}: {size} bytes"
    assert sum(sizes.values()) < 8e6


@pytest.mark.parametrize("side", FROZEN, ids=lambda p: p.stem)
def test_frozen_graph_loads_in_trtlint_as_described(side):
    info = sidecar(side)
    model = load_model(model_file(side))
    assert model.format == "frozen_graph"
    assert len(model.graph) == info["node_count"]
    assert model.graph.op_histogram() == info["op_histogram"]
    assert [(i.name, i.dtype, i.shape) for i in model.inputs] == \
        [(i["name"], i["dtype"], shape_tuple(i["shape"])) for i in info["inputs"]]
    # The intended fetch nodes are exactly the graph's sinks, so analysing a fixture without
    # --output and with --output <its outputs> mean the same thing.
    assert sorted(o.name for o in model.outputs) == sorted(info["outputs"])


@pytest.mark.parametrize("side", SAVED, ids=lambda p: p.stem)
def test_saved_model_loads_in_trtlint_as_described(side):
    info = sidecar(side)
    model = load_model(model_file(side))
    assert model.format == "saved_model"
    assert model.signature == info["signature"]
    by_key = {spec.key or spec.name: spec for spec in model.inputs}
    for expected in info["inputs"]:
        spec = by_key[expected["name"]]
        assert spec.dtype == expected["dtype"]
        assert spec.shape == shape_tuple(expected["shape"])
    assert sorted(o.key for o in model.outputs) == sorted(info["outputs"])


def test_example_ssd_is_the_seed_fixture():
    from trtlint.examples import example_info, example_names, example_path

    assert "ssd" in example_names()
    assert example_path("ssd").read_bytes() == \
        (FIXTURES / "graphs" / "ssd_inception_v2_like.pb").read_bytes()
    info = example_info("ssd")
    assert info["outputs"] == ["detection_boxes", "detection_scores", "detection_classes",
                               "num_detections"]
    assert info["inputs"] == [{"name": "image_tensor", "dtype": "uint8",
                               "shape": [-1, -1, -1, 3]}]


def test_unknown_example_is_an_input_error():
    from trtlint.errors import InputError
    from trtlint.examples import example_path

    with pytest.raises(InputError, match="no example named 'yolo'.*ssd"):
        example_path("yolo")


def test_seed_ssd_has_the_article_structure():
    model = load_model(FIXTURES / "graphs" / "ssd_inception_v2_like.pb")
    graph = model.graph
    ops = graph.op_histogram()
    names = [node.name for node in graph]
    # TF1 loops with TensorArrays for preprocessing and for batched NMS
    for op in ("Enter", "Exit", "Merge", "Switch", "NextIteration", "LoopCond", "TensorArrayV3",
               "TensorArrayScatterV3", "TensorArrayReadV3", "TensorArrayWriteV3",
               "TensorArrayGatherV3", "ResizeBilinear", "NonMaxSuppressionV2", "TopKV2", "Where",
               "Gather", "ZerosLike", "Fill", "Assert", "Conv2D", "Relu6", "Exp", "Split",
               "Unpack", "Pack", "Tile", "Range", "Size"):
        assert op in ops, op
    assert 1500 <= len(graph) <= 3000
    assert any(n.startswith("Preprocessor/map/while/") for n in names)
    assert any(n.startswith("FeatureExtractor/InceptionV2/") for n in names)
    assert sum(1 for n in names if re.fullmatch(r"BoxPredictor_\d+/Reshape", n)) >= 2
    loop = "Postprocessor/BatchMultiClassNonMaxSuppression/map/while/MultiClassNonMaxSuppression/"
    areas = [n for n in names if re.fullmatch(re.escape(loop) + r"ClipToWindow(_\d+)?/Area/mul", n)]
    assert len(areas) == 24 and all(graph[n].op == "Mul" for n in areas)


def test_quantized_ssd_has_the_seed_crash_names():
    graph = load_model(FIXTURES / "graphs" / "ssd_inception_v2_like_quantized_area.pb").graph
    loop = "Postprocessor/BatchMultiClassNonMaxSuppression/map/while/MultiClassNonMaxSuppression/"
    # the node named in the seed article, for our class 5
    seed_like = f"{loop}ClipToWindow_5/Area/mul_eightbit/{loop}ClipToWindow_5/Area/sub_1/quantize"
    assert graph[seed_like].op == "QuantizeV2"
    assert graph[f"{loop}ClipToWindow_5/Area/mul/eightbit"].op == "QuantizedMul"
    assert graph[f"{loop}ClipToWindow_5/Area/mul/eightbit/requantize"].op == "Requantize"
    assert graph[f"{loop}ClipToWindow_5/Area/mul"].op == "Dequantize"
    quantize = [n for n in graph if n.op == "QuantizeV2"]
    assert len(quantize) == 48       # two inputs per class, 24 classes
    assert all(re.search(r"/ClipToWindow(_\d+)?/Area/mul_eightbit/", n.name) for n in quantize)
    # Min/Max of the flattened input give QuantizeV2 its runtime range
    assert graph[seed_like.replace("/quantize", "/min")].op == "Min"
    assert graph[seed_like.replace("/quantize", "/max")].op == "Max"


def test_many_engines_fixture_exceeds_the_engine_cap():
    graph = load_model(FIXTURES / "graphs" / "seg_many_engines.pb").graph
    blocks = {n.name.split("/")[0] for n in graph if n.op == "MatMul"}
    assert len(blocks) == 25 > 20
    assert graph.op_histogram()["Cumsum"] == 25


def test_fakequant_collapsed_range_reaches_through_read_identities():
    graph = load_model(FIXTURES / "graphs" / "fakequant.pb").graph
    node = graph["act2/FakeQuantWithMinMaxVars"]
    low, high = (ref.node for ref in node.inputs[1:3])
    assert (low, high) == ("act2/min/read", "act2/max/read")
    assert graph[low].op == graph[high].op == "Identity"
    assert graph[graph[low].inputs[0].node].op == "Const"


# --------------------------------------------------------------------------- with TensorFlow

@pytest.mark.tensorflow
@pytest.mark.parametrize("side", FROZEN, ids=lambda p: p.stem)
def test_frozen_graph_parses_and_imports_in_tensorflow(side):
    tf = pytest.importorskip("tensorflow")
    info = sidecar(side)
    graph_def = tf.compat.v1.GraphDef()
    graph_def.ParseFromString(model_file(side).read_bytes())
    assert len(graph_def.node) == info["node_count"] == len(load_model(model_file(side)).graph)
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.import_graph_def(graph_def, name="")
    for name in info["outputs"]:
        graph.get_operation_by_name(name)


@pytest.mark.tensorflow
@pytest.mark.parametrize("side", SAVED, ids=lambda p: p.stem)
def test_saved_model_loads_in_tensorflow(side):
    tf = pytest.importorskip("tensorflow")
    from tensorflow.core.protobuf import saved_model_pb2

    info = sidecar(side)
    proto = saved_model_pb2.SavedModel()
    proto.ParseFromString((model_file(side) / "saved_model.pb").read_bytes())
    assert len(proto.meta_graphs[0].graph_def.node) == info["main_graph_node_count"]
    function = tf.saved_model.load(str(model_file(side))).signatures[info["signature"]]
    _, inputs = function.structured_input_signature
    assert sorted(inputs) == sorted(i["name"] for i in info["inputs"])
    assert sorted(function.structured_outputs) == sorted(info["outputs"])
    # trtlint sees the same number of signature inputs and outputs
    model = load_model(model_file(side))
    assert len(model.inputs) == len(inputs)
    assert len(model.outputs) == len(function.structured_outputs)


def _run_detector(tf, path: Path, feeds: dict):
    graph_def = tf.compat.v1.GraphDef()
    graph_def.ParseFromString(path.read_bytes())
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.import_graph_def(graph_def, name="")
    with tf.compat.v1.Session(graph=graph) as session:
        return session.run(["detection_boxes:0", "num_detections:0"], feed_dict=feeds)


@pytest.mark.tensorflow
def test_quantized_ssd_reproduces_the_seed_crash_and_the_float_one_does_not():
    tf = pytest.importorskip("tensorflow")
    import numpy as np

    info = sidecar(FIXTURES / "graphs" / "ssd_inception_v2_like.json")
    image = np.random.RandomState(0).randint(0, 256, (1, 300, 300, 3)).astype(np.uint8)
    anchors = 19 * 19 * 3 + 10 * 10 * 6 + 5 * 5 * 6
    no_box = {"image_tensor:0": image,
              "Postprocessor/convert_scores:0": np.zeros([1, anchors, 25], np.float32)}
    boxes, counts = _run_detector(tf, FIXTURES / "graphs" / "ssd_inception_v2_like.pb", no_box)
    assert boxes.shape == (1, 20, 4) and counts.tolist() == [0.0]
    assert info["self_check"]["empty_classes"]["num_detections"] == [0]
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="input_max_range must be larger than input_min_range"):
        _run_detector(tf, FIXTURES / "graphs" / "ssd_inception_v2_like_quantized_area.pb",
                      no_box)
    # with boxes in every class, the quantized graph runs
    boxes, counts = _run_detector(
        tf, FIXTURES / "graphs" / "ssd_inception_v2_like_quantized_area.pb",
        {"image_tensor:0": image})
    assert boxes.shape == (1, 20, 4) and counts[0] > 0


@pytest.mark.tensorflow
def test_fakequant_with_min_equal_max_gives_nan_in_tensorflow():
    tf = pytest.importorskip("tensorflow")
    import numpy as np

    graph_def = tf.compat.v1.GraphDef()
    graph_def.ParseFromString((FIXTURES / "graphs" / "fakequant.pb").read_bytes())
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.import_graph_def(graph_def, name="")
    with tf.compat.v1.Session(graph=graph) as session:
        logits, collapsed = session.run(["logits:0", "collapsed_branch:0"],
                                        {"x:0": np.ones([2, 32], np.float32)})
    assert np.all(np.isfinite(logits))
    assert np.all(np.isnan(collapsed))


@pytest.mark.tensorflow
@pytest.mark.slow
def test_regenerating_gives_identical_files(tmp_path):
    pytest.importorskip("tensorflow")
    out = tmp_path / "fixtures"
    done = subprocess.run([sys.executable, str(FIXTURES / "generate.py"), "--out", str(out)],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    pairs = [(out / "README.md", FIXTURES / "README.md")]
    for sub in ("graphs", "saved_models"):
        for fresh in sorted((out / sub).rglob("*")):
            if fresh.is_file():
                pairs.append((fresh, FIXTURES / fresh.relative_to(out)))
    for fresh in sorted((out / "examples").glob("*")):
        pairs.append((fresh, EXAMPLES / fresh.name))
    committed = {p for p in (FIXTURES / "graphs").rglob("*") if p.is_file()} | \
        {p for p in (FIXTURES / "saved_models").rglob("*") if p.is_file()}
    assert committed == {c for _, c in pairs if c.parent != EXAMPLES and c.name != "README.md"}
    for fresh, committed_file in pairs:
        if fresh.suffix == ".json":
            new, old = json.loads(fresh.read_text()), json.loads(committed_file.read_text())
            for key in MEASURED_KEYS:
                old.pop(key, None)
            assert new == old, committed_file
        else:
            assert fresh.read_bytes() == committed_file.read_bytes(), committed_file
