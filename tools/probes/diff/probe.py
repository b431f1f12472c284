#!/usr/bin/env python
"""Smallest graphs that show a trtlint / TF-TRT 2.17 difference, run through the
differential harness (tests/differential).

    .venv/bin/python tools/probes/diff/probe.py                 # every probe, every config
    .venv/bin/python tools/probes/diff/probe.py unary_scalar    # one probe
    .venv/bin/python tools/probes/diff/probe.py --config dynamic unary_scalar

Each probe is a function building a TF1-style graph (TensorFlow 2.17, graph mode) and
returning its fetch node names; the probes live in probes_*.py next to this file.  The
script freezes each one to a GraphDef, asks the oracle (tests/differential's client and
cache) and trtlint, and prints the harness's diff: agreement or every difference.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
sys.path[:0] = [str(REPO / "tests"), str(REPO), str(HERE)]

from differential.compare import compare_model  # noqa: E402
from differential.configs import BASE_CONFIGS, BY_NAME  # noqa: E402
from differential.oracle_client import OracleSession  # noqa: E402

PROBE_MODULES = sorted(p.stem for p in HERE.glob("probes_*.py"))


def all_probes() -> dict:
    found = {}
    for module_name in PROBE_MODULES:
        module = importlib.import_module(module_name)
        found.update(getattr(module, "PROBES", {}))
    return found


def build(builder, path: Path) -> list[str]:
    import tensorflow as tf

    graph = tf.Graph()
    with graph.as_default():
        outputs = builder(tf)
    path.write_bytes(graph.as_graph_def().SerializeToString(deterministic=True))
    return outputs


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("probes", nargs="*")
    parser.add_argument("--config", action="append", choices=sorted(BY_NAME))
    args = parser.parse_args(argv)
    probes = all_probes()
    names = args.probes or sorted(probes)
    configs = [BY_NAME[c] for c in args.config] if args.config else list(BASE_CONFIGS)
    with tempfile.TemporaryDirectory() as scratch, OracleSession() as oracle:
        for name in names:
            path = Path(scratch) / f"{name}.pb"
            outputs = build(probes[name], path)
            for config in configs:
                result = oracle.ask(path, config.oracle_flags(outputs))
                diff = compare_model(path, config, result, outputs=outputs, label=name)
                print(("agree  " if diff.agrees else "DIFFER ") + diff.describe())
    return 0


if __name__ == "__main__":
    sys.exit(main())
