#!/usr/bin/env python
"""Generate the large graphs trtlint's benchmarks run on (not committed: written on demand).

    .venv/bin/python benchmarks/graphs.py                  # both, into benchmarks/.cache/
    .venv/bin/python benchmarks/graphs.py /tmp/bench --only ssd_large
    .venv/bin/python benchmarks/graphs.py --force          # rebuild even if cached

* ``ssd_large.pb`` (~100 MB, ~6k nodes): the seed SSD builder of fixtures/gen/ssd.py at
  full size -- 90 classes, Inception-v2 channel counts, 3x3 box predictors and the
  six SSD feature maps, random weights.  Most of the bytes are weights, most of the nodes
  are the per-class NMS loop body: the shape of a real object-detection export.
* ``synthetic_100k.pb`` (~105k nodes, ~19 MB): 100 parallel chains of 125 small blocks
  (Conv2D, BiasAdd, Relu, Mul, residual Add, and every fifth block a Cumsum TF-TRT cannot
  convert) summed by one AddN.  It stresses per-node costs and deep chains, and yields
  thousands of candidate segments.

Each graph gets a sidecar ``NAME.json`` (node count, bytes, config).  A graph whose
sidecar matches the requested config is not rebuilt unless ``--force``.  Output is
deterministic (fixed seeds, ``deterministic=True`` serialization).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "fixtures" / "gen"))

DEFAULT_CACHE = HERE / ".cache"

#: the full-size detector: what benchmarks call "a 100 MB frozen graph of ~6k nodes"
SSD_LARGE = dict(num_classes=90, depth_multiplier=1.0, min_depth=16, mixed_4_blocks=4,
                 mixed_5_blocks=2, extra_feature_maps=4, box_predictor_kernel=3,
                 max_detections_per_class=100, max_total_detections=100, seed=9001)

#: the synthetic many-node graph
SYNTHETIC = dict(chains=100, blocks_per_chain=125, channels=4, spatial=8,
                 unsupported_every=5, seed=9002)


def tf1_mode():
    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")
    tf.compat.v1.disable_v2_behavior()
    tf.compat.v1.disable_control_flow_v2()
    return tf


def build_ssd_large(config: dict):
    from ssd import SSDConfig, build_ssd_graph

    return build_ssd_graph(SSDConfig(**config)), ["detection_boxes", "detection_scores",
                                                  "detection_classes", "num_detections"]


def build_synthetic(config: dict):
    """Chains of small conv/elementwise blocks; see the module docstring."""
    import numpy as np
    import tensorflow as tf
    from common import pruned

    rng = np.random.RandomState(config["seed"])
    c, s = config["channels"], config["spatial"]
    graph = tf.Graph()
    with graph.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None, s, s, c], name="input")
        ends = []
        for chain in range(config["chains"]):
            h = x
            for block in range(config["blocks_per_chain"]):
                scope = f"chain_{chain:03d}/block_{block:03d}"
                kernel = tf.constant((rng.standard_normal([3, 3, c, c]) * 0.1).astype(np.float32),
                                     name=f"{scope}/kernel")
                bias = tf.constant((rng.standard_normal([c]) * 0.01).astype(np.float32),
                                   name=f"{scope}/bias")
                y = tf.nn.conv2d(h, kernel, 1, "SAME", name=f"{scope}/Conv2D")
                y = tf.nn.relu(tf.nn.bias_add(y, bias, name=f"{scope}/BiasAdd"),
                               name=f"{scope}/Relu")
                y = tf.multiply(y, 0.5, name=f"{scope}/Mul")
                h = tf.add(h, y, name=f"{scope}/Add")
                if (block + 1) % config["unsupported_every"] == 0:
                    h = tf.cumsum(h, axis=3, name=f"{scope}/Cumsum")
            ends.append(h)
        tf.identity(tf.add_n(ends, name="sum/AddN"), name="output")
    return pruned(graph, ["output"]), ["output"]


GRAPHS = {"ssd_large": (build_ssd_large, SSD_LARGE),
          "synthetic_100k": (build_synthetic, SYNTHETIC)}


def generate(name: str, out: Path, force: bool) -> dict:
    build, config = GRAPHS[name]
    pb, sidecar_path = out / f"{name}.pb", out / f"{name}.json"
    if not force and pb.is_file() and sidecar_path.is_file():
        sidecar = json.loads(sidecar_path.read_text())
        if sidecar.get("config") == config and sidecar.get("bytes") == pb.stat().st_size:
            sidecar["cached"] = True
            return sidecar
    started = time.perf_counter()
    graph_def, outputs = build(config)
    data = graph_def.SerializeToString(deterministic=True)
    pb.write_bytes(data)
    sidecar = {"name": name, "file": pb.name, "node_count": len(graph_def.node),
               "bytes": len(data), "outputs": outputs, "config": config,
               "built_in_seconds": round(time.perf_counter() - started, 1),
               "made_by": "benchmarks/graphs.py"}
    sidecar_path.write_text(json.dumps(sidecar, indent=1) + "\n")
    return sidecar


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("out", nargs="?", type=Path, default=DEFAULT_CACHE,
                        help=f"directory to write into (default: {DEFAULT_CACHE})")
    parser.add_argument("--only", action="append", choices=sorted(GRAPHS), default=[])
    parser.add_argument("--force", action="store_true", help="rebuild cached graphs")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    tf1_mode()
    for name in args.only or sorted(GRAPHS):
        info = generate(name, args.out, args.force)
        note = " (cached)" if info.get("cached") else f" (built in {info['built_in_seconds']} s)"
        print(f"{args.out / info['file']}: {info['node_count']} nodes, "
              f"{info['bytes'] / 1e6:.1f} MB{note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
