"""Our static shapes never contradict the shapes a graph really produces when it runs.

test_shapes_vs_tf checks that we know at least what TensorFlow's static inference
knows; where we know *more* (loop-carried shapes, Enter frames, function bodies,
folded shape arithmetic) only running the graph can tell whether we are right.  Each
graph here is run once in a TF1 session with full tracing, which records the shape
of every output of every kernel execution (every loop iteration included); each of
those must be compatible with what we inferred:

* without overrides (what ``trtlint analyze MODEL`` assumes), and
* with ``--input-shape`` overrides equal to the fed shapes, where much more is known.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Optional

import pytest

from test_shapes_vs_tf import CORPUS, FIXTURES, read_graph_def

pytestmark = pytest.mark.tensorflow

#: corpus graphs and how to feed them: {placeholder: (shape, dtype)}, fetches
CORPUS_RUNS = {
    "002_tf2onnx_gru_unrolled.pb": ({"X": ((3, 28, 28), "float32"),
                                     "keep_prob": ((), "float32")}, ["output"]),
    "006_cms_track_classifier_ckf.pb": ({"x": ((4, 29), "float32"), "y": ((4, 1), "float32")},
                                        ["Identity"]),
    "009_cms_deepsc_graphnet.pb": ({"input_1": ((3, 45, 12), "float32"),
                                    "input_2": ((3, 18), "float32"),
                                    "input_3": ((3, 45, 40, 4), "float32"),
                                    "input_4": ((3, 45, 1), "float32"),
                                    "input_5": ((3,), "float32")}, ["cl_class", "wind_class"]),
    "011_opencv_face_detector_uint8.pb": ({"data": ((1, 300, 300, 3), "float32")},
                                          ["mbox_loc", "mbox_conf_flatten"]),
    "014_standalone_nms_v3.pb": ({"boxlist": ((10, 4), "float32"), "conflist": ((10,), "float32"),
                                  "maxoutput": ((), "int32"), "iouthreshold": ((), "float32")},
                                 ["nms"]),
    "024_crnn_ctc_captcha.pb": ({"input": ((2, 120, 43, 3), "float32")}, ["dense_decoded"]),
    "025_ntm_binary_sum_whileloop.pb": ({"root/Placeholder": ((), "int32"),
                                         "root/Placeholder_1": ((32, 5, 4), "float32")},
                                        ["root/Sigmoid"]),
    "028_mobilenet_v1_025_128_frozen.pb": ({"input": ((1, 128, 128, 3), "float32")},
                                           ["MobilenetV1/Predictions/Reshape_1"]),
}

#: fixture inputs whose unknown dims are not the batch: what to feed there
FIXTURE_IMAGE_SIZES = [(1, 300, 300, 3), (2, 120, 160, 3)]


def _value(rng, shape, dtype):
    import numpy as np

    if dtype == "int32":
        return np.full(shape, 5, np.int32)  # sequence lengths, max_output_size, ...
    if dtype == "uint8":
        return rng.randint(0, 256, size=shape).astype(np.uint8)
    # In [0, 1): valid as probabilities, thresholds and images alike.
    return rng.uniform(0.0, 1.0, size=shape).astype(dtype)


def runs() -> list[tuple[str, Path, dict, list]]:
    """(id, graph path, {placeholder: (shape, dtype)}, fetch node names)."""
    out = []
    for name, (feeds, fetches) in CORPUS_RUNS.items():
        if (CORPUS / name).exists():
            out.append((f"corpus/{name}", CORPUS / name, feeds, fetches))
    roots = [FIXTURES] + [Path(p) for p in filter(
        None, os.environ.get("TRTLINT_SHAPES_EXTRA_GRAPHS", "").split(os.pathsep))]
    sidecars = [(root, s) for root in roots if root.exists() for s in sorted(root.glob("**/*.json"))]
    for root, sidecar in sidecars:
        graph = sidecar.with_suffix(".pb")
        saved_model = sidecar.with_suffix("")
        if (saved_model / "saved_model.pb").exists():
            graph = saved_model  # frozen by the test, then run
        elif not graph.exists():
            continue
        meta = json.loads(sidecar.read_text())
        inputs = meta.get("inputs") or []
        fetches = [o.split(":")[0] for o in meta.get("outputs") or []]
        if graph.is_dir():
            fetches = ["<sinks>"]
        if not inputs or not fetches or any(i.get("shape") is None for i in inputs):
            continue
        fed = (meta.get("self_check") or {}).get("fed") or {}
        shapes_list = []
        if all(f"{i['name']}:0" in fed for i in inputs):
            shapes_list.append({i["name"]: tuple(fed[f"{i['name']}:0"]) for i in inputs})
        elif all(len(i["shape"]) == 4 and i["shape"][3] == 3 and -1 in i["shape"][1:3]
                 for i in inputs):
            shapes_list.extend({i["name"]: size for i in inputs} for size in FIXTURE_IMAGE_SIZES)
        else:
            shapes_list.append({i["name"]: tuple(d if d >= 0 else (2 if k == 0 else 4)
                                                 for k, d in enumerate(i["shape"]))
                                for i in inputs})
        dtypes = {i["name"]: i["dtype"] for i in inputs}
        for k, shapes in enumerate(shapes_list):
            feeds = {n: (s, dtypes[n]) for n, s in shapes.items()}
            out.append((f"{root.name}/{graph.relative_to(root)}#{k}", graph, feeds, fetches))
    return out


def executed_shapes(path: Path, feeds: dict, fetches: list[str]) -> dict:
    """{(node, output): {shapes seen}} over one traced run, grappler disabled."""
    import numpy as np
    import tensorflow as tf
    from tensorflow.core.protobuf import config_pb2

    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.import_graph_def(read_graph_def(path), name="")
    config = config_pb2.ConfigProto()
    # What runs must be the graph as written: no grappler rewrites, no folding.
    config.graph_options.rewrite_options.disable_meta_optimizer = True
    config.graph_options.optimizer_options.opt_level = config_pb2.OptimizerOptions.L0
    config.graph_options.optimizer_options.do_constant_folding = False
    options = tf.compat.v1.RunOptions(trace_level=tf.compat.v1.RunOptions.FULL_TRACE)
    metadata = tf.compat.v1.RunMetadata()
    rng = np.random.RandomState(0)
    feed_dict = {f"{name}:0": _value(rng, shape, dtype) for name, (shape, dtype) in feeds.items()}
    with tf.compat.v1.Session(graph=graph, config=config) as session:
        session.run([f + ":0" for f in fetches], feed_dict=feed_dict, options=options,
                    run_metadata=metadata)
    seen: dict = {}
    for device in metadata.step_stats.dev_stats:
        for stats in device.node_stats:
            for out in stats.output:
                shape = tuple(d.size for d in out.tensor_description.shape.dim)
                seen.setdefault((stats.node_name, out.slot), set()).add(shape)
    return seen


def contradictions(seen: dict, graph, shape_map) -> tuple[int, list]:
    from trtlint.graph.model import TensorRef

    checked, bad = 0, []
    for (name, slot), shapes in seen.items():
        if name not in graph:
            continue  # nodes the runtime adds (_SOURCE, send/recv)
        if graph.output_dtype(TensorRef(name, slot)) in ("resource", "variant"):
            continue  # handles: TensorFlow's static [2] vs a scalar handle at run time
        ours = shape_map.output_shape(name, slot)
        for real in shapes:
            checked += 1
            if ours is None:
                continue
            if len(ours) != len(real) or any(o >= 0 and o != r for o, r in zip(ours, real)):
                bad.append((name, graph[name].op, slot, ours, real))
    return checked, bad


RUNS = runs()


@pytest.mark.parametrize("run", RUNS, ids=[r[0] for r in RUNS])
def test_static_shapes_hold_at_run_time(run, tmp_path):
    from test_shapes_vs_tf import freeze_saved_model
    from trtlint.load import load_model
    from trtlint.shapes import infer_shapes

    _, path, feeds, fetches = run
    if path.is_dir():  # a SavedModel: run its frozen serving signature
        frozen = tmp_path / "frozen.pb"
        freeze_saved_model(path, frozen)
        path = frozen
    model = load_model(path)
    if fetches == ["<sinks>"]:
        fetches = [spec.name for spec in model.outputs]
    seen = executed_shapes(path, feeds, fetches)
    checked, bad = contradictions(seen, model.graph, infer_shapes(model.graph))
    assert checked > 0
    assert not bad, f"{len(bad)} executed shapes contradict ours, e.g. {bad[:5]}"

    overrides = {name: shape for name, (shape, _) in feeds.items()}
    with_overrides = infer_shapes(model.graph, overrides)
    checked, bad = contradictions(seen, model.graph, with_overrides)
    assert not bad, f"with --input-shape overrides: {len(bad)} contradictions, e.g. {bad[:5]}"
    # With every input known, most of what runs has a fully known static shape.
    known = sum(1 for (name, slot) in seen if name in model.graph and
                _fully_known(with_overrides.output_shape(name, slot)))
    assert known > 0


def _fully_known(shape: Optional[tuple]) -> bool:
    return shape is not None and all(d >= 0 for d in shape)


def test_there_are_runs():
    assert any(r[0].startswith("corpus/") for r in RUNS)
