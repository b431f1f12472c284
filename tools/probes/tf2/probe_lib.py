"""Shared harness for the TF-TRT 2.17 converter probes.

Each probe script builds many tiny, independent test cases into ONE GraphDef
(each case: fresh Placeholders -> the node under test -> an Identity sink), runs
the TF-TRT CPU oracle (TF 2.17's real segmenter and validators, see
/work/shared/tftrt-oracle) once per configuration, and reads the per-node
verdicts that segment.cc logs:

    Accepted as a TF-TRT candidate, (Op type: X), (Op name: Y
    Not a TF-TRT candidate, (Op type: X), (Op name: Y), (Reason: Z)

Packing all cases into one graph makes a probe of 50 cases cost one oracle run
(~3 s) per configuration. The sink after each node under test matters: TF-TRT
never lets a fetch node into an engine, so the node under test must not be a
sink itself. Grappler is off (--no-grappler) so that the node reaches TF-TRT as
built (no constant folding of the very inputs we want to test).

Run a probe with the project venv (it has TensorFlow to BUILD graphs):
    /work/main/.venv/bin/python tools/probes/tf2/probe_binary.py
Environment: ORACLE (path to oracle.py), TFTRT_ORACLE_DIR, ORACLE_PYTHON.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from typing import Callable

ORACLE = os.environ.get("ORACLE", "/work/shared/tftrt-oracle/oracle.py")
ORACLE_DIR = os.environ.get("TFTRT_ORACLE_DIR", "/work/oracle")
ORACLE_PYTHON = os.environ.get("ORACLE_PYTHON", "/work/oracle/venv/bin/python")

# Named oracle configurations: extra command-line flags for oracle.py.
CONFIGS: dict[str, list[str]] = {
    "implicit": [],
    "dynamic": ["--dynamic-shape"],
    "fp16": ["--precision", "FP16"],
    "fp16-dynamic": ["--precision", "FP16", "--dynamic-shape"],
    "int8": ["--precision", "INT8"],
    "int8-dynamic": ["--precision", "INT8", "--dynamic-shape"],
}

ACCEPT = "ACCEPT"

_ACCEPTED = re.compile(r"Accepted as a TF-TRT candidate, \(Op type: ([^)]*)\), \(Op name: (.*)$")
_REJECTED = re.compile(r"Not a TF-TRT candidate, \(Op type: ([^)]*)\), \(Op name: ([^)]*)\), \(Reason: (.*)\)\s*$", re.S)


@dataclass
class Case:
    """One node under test.

    build(tf, p) must create the node under test with name=<case name> (the
    harness passes the name as the keyword `name` helper `n`), using p(shape,
    dtype) to make fresh Placeholders. It returns the node's first output.
    """
    name: str
    build: Callable
    note: str = ""
    expect: dict = field(default_factory=dict)   # config -> "ACCEPT" or a substring of the reason


def build_graph(cases: list[Case]):
    import tensorflow as tf  # only the probes import TensorFlow, never trtlint

    g = tf.Graph()
    with g.as_default():
        for case in cases:
            counter = [0]

            def p(shape, dtype=tf.float32, _c=case, _k=counter):
                _k[0] += 1
                return tf.compat.v1.placeholder(dtype, shape, name=f"{_c.name}__in{_k[0]}")

            out = case.build(tf, p, case.name)
            if isinstance(out, (list, tuple)):
                out = out[0]
            if hasattr(out, "op") and out.op.name != case.name:
                raise RuntimeError(f"case {case.name}: node under test is named {out.op.name}")
            tf.raw_ops.Identity(input=out, name=f"{case.name}__sink")
    return g.as_graph_def()


def run_oracle(graph_def, config: str, extra: list[str] | None = None) -> dict:
    """Run the oracle on graph_def under a named config; return {node: verdict}."""
    with tempfile.TemporaryDirectory() as tmp:
        pb = os.path.join(tmp, "probe.pb")
        with open(pb, "wb") as fh:
            fh.write(graph_def.SerializeToString())
        cmd = [ORACLE_PYTHON, ORACLE, "analyze", pb, "--format", "json", "--no-grappler",
               *CONFIGS[config], *(extra or [])]
        env = dict(os.environ, TFTRT_ORACLE_DIR=ORACLE_DIR)
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
        if proc.returncode != 0:
            raise RuntimeError(f"oracle failed ({config}):\n{proc.stderr[-3000:]}")
        report = json.loads(proc.stdout)
    verdicts: dict[str, str] = {}
    for record in report["log"]:
        first = record.splitlines()[0]
        m = _REJECTED.search(record)   # a reason can span several lines
        if m:
            verdicts[m.group(2)] = " ".join(m.group(3).split())
            continue
        m = _ACCEPTED.search(first)
        if m:
            verdicts[m.group(2)] = ACCEPT
    verdicts["__segments__"] = report["segments"]
    return verdicts


def run(cases: list[Case], configs=("implicit", "dynamic"), title: str = "", out=sys.stdout) -> dict:
    """Run every config, print a markdown table (case x config), check expectations.

    Returns {case: {config: verdict}}. A verdict is "ACCEPT" or TF-TRT's reason.
    """
    graph_def = build_graph(cases)
    table: dict[str, dict[str, str]] = {c.name: {} for c in cases}
    for config in configs:
        verdicts = run_oracle(graph_def, config)
        for c in cases:
            table[c.name][config] = verdicts.get(c.name, "(no verdict logged)")
    mismatches = []
    print(f"## {title}\n", file=out)
    print("| case | note | " + " | ".join(configs) + " |", file=out)
    print("|---|---|" + "---|" * len(configs), file=out)
    for c in cases:
        cells = []
        for config in configs:
            v = table[c.name][config]
            cells.append(v.replace("|", "\\|"))
            want = c.expect.get(config)
            if want is not None and not (v == want or (want != ACCEPT and want in v)):
                mismatches.append((c.name, config, want, v))
        print(f"| {c.name} | {c.note} | " + " | ".join(cells) + " |", file=out)
    if mismatches:
        print("\nEXPECTATION MISMATCHES:", file=out)
        for m in mismatches:
            print(f"- {m[0]} [{m[1]}]: expected {m[2]!r}, got {m[3]!r}", file=out)
    else:
        print("\nall expectations met", file=out)
    print(file=out)
    return table


def main(cases: list[Case], configs=("implicit", "dynamic"), title: str = "") -> None:
    """Entry point for probe scripts: print the table; exit 1 on a mismatch."""
    import io
    buf = io.StringIO()
    run(cases, configs, title, out=buf)
    text = buf.getvalue()
    print(text)
    sys.exit(1 if "EXPECTATION MISMATCHES" in text else 0)
