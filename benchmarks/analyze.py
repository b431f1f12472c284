#!/usr/bin/env python
"""Full analysis speed: load, grappler emulation, shapes, support, segments, findings.

    .venv/bin/python benchmarks/analyze.py                    # both big graphs + growth series
    .venv/bin/python benchmarks/analyze.py --graphs ssd_large # one of them
    .venv/bin/python benchmarks/analyze.py --profile ssd_large  # where the time goes (cProfile)

Runs ``trtlint.analysis.analyze`` (profile tf2, FP32, what ``trtlint analyze`` does) on the
~100 MB / 6.3k-node SSD and on the 105k-node synthetic graph (benchmarks/graphs.py makes
them; the 12/25/50-chain cuts of the latter come from benchmarks/load.py), each in a fresh
interpreter, and prints the time of every stage next to the TensorFlow-based load of the
same graph (``import tensorflow`` + parse + ``import_graph_def``, from benchmarks/load.py):
trtlint predicts the whole conversion in less time than TensorFlow needs to hold the graph,
or the table says by how much it does not.

Stage times come from wrapping the stage functions that ``analyze`` calls; "other" is the
rest of ``analyze`` (candidate validation is "support").  A graph whose analysis runs past
``--timeout`` seconds is reported as such.  Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import load as load_bench  # noqa: E402  (benchmarks/load.py: graphs and the TensorFlow side)

CACHE = load_bench.CACHE
TARGETS = {"ssd_large": 1.0, "synthetic_100k": 10.0}

STAGES_CHILD = r"""
import functools, gc, json, sys, time
from collections import defaultdict

spent = defaultdict(float)

def timed(stage, fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[stage] += time.perf_counter() - start
    return wrapper

t0 = time.perf_counter()
import trtlint.analysis as analysis
import trtlint.findings as findings
import trtlint.flops as flops
import trtlint.grappler as grappler
from trtlint.load import load_model
from trtlint.target import Target
t1 = time.perf_counter()

grappler.run_grappler = timed("grappler", grappler.run_grappler)
analysis.infer_shapes = timed("shapes", analysis.infer_shapes)
analysis.segment_graph = timed("segments", analysis.segment_graph)
analysis.predict_builds = timed("builds", analysis.predict_builds)
findings.run_rules = timed("findings", findings.run_rules)
flops.flops_coverage = timed("flops", flops.flops_coverage)
Validator = analysis.CandidateValidator

class TimedValidator(Validator):
    def __init__(self, *args, **kwargs):
        start = time.perf_counter()
        super().__init__(*args, **kwargs)
        spent["support"] += time.perf_counter() - start

    def decide(self, node):
        start = time.perf_counter()
        try:
            return super().decide(node)
        finally:
            spent["support"] += time.perf_counter() - start

analysis.CandidateValidator = TimedValidator
if sys.argv[2] == "nogc":
    gc.disable()
t2 = time.perf_counter()
model = load_model(sys.argv[1])
t3 = time.perf_counter()
result = analysis.analyze(model, Target())
t4 = time.perf_counter()
segments = result.segmentation.segments
print(json.dumps({"import": t1 - t0, "load": t3 - t2, "analyze": t4 - t3,
                  "stages": dict(spent), "nodes": len(model.graph),
                  "nodes_after_grappler": len(result.graph),
                  "engines": sum(1 for s in segments if s.will_build),
                  "segments": len(segments), "findings": len(result.findings)}))
"""

PROFILE_CHILD = r"""
import cProfile, pstats, sys
from trtlint.load import load_model
from trtlint.analysis import analyze
from trtlint.target import Target
model = load_model(sys.argv[1])
profiler = cProfile.Profile()
profiler.enable()
analyze(model, Target())
profiler.disable()
stats = pstats.Stats(profiler)
stats.sort_stats("cumulative").print_stats(int(sys.argv[2]))
stats.sort_stats("tottime").print_stats(int(sys.argv[2]))
"""


def run_child(code: str, args: list[str], timeout: float) -> dict:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    try:
        proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True,
                              text=True, env=env, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"timeout": timeout}
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        return {"error": proc.stderr.strip().splitlines()[-1][:200] if proc.stderr.strip()
                else f"exit {proc.returncode}"}
    return json.loads(lines[-1])


def cli_seconds(path: Path, timeout: float) -> float | None:
    """Wall time of ``trtlint analyze PATH --format json`` as a user runs it."""
    start = time.perf_counter()
    try:
        proc = subprocess.run([sys.executable, "-m", "trtlint", "analyze", str(path),
                               "--format", "json"], capture_output=True, text=True,
                              timeout=timeout, env=dict(os.environ, PYTHONPATH=str(REPO)))
    except subprocess.TimeoutExpired:
        return None
    return time.perf_counter() - start if proc.returncode in (0, 1) else None


STAGE_ORDER = ("grappler", "shapes", "support", "segments", "builds", "flops", "findings")


def print_table(rows: list[dict]) -> None:
    head = (f"{'graph':<20} {'nodes':>7} | {'load':>5} " +
            " ".join(f"{s[:8]:>8}" for s in STAGE_ORDER) +
            f" {'other':>6} {'analyze':>8} {'CLI':>6} | {'TF load':>7} {'ratio':>6} | engines")
    print(head)
    print("-" * len(head))
    for r in rows:
        a = r["analysis"]
        if "timeout" in a or "error" in a:
            why = f"did not finish in {a['timeout']:.0f} s" if "timeout" in a else a["error"]
            print(f"{r['graph']:<20} {'':>7} | {why}")
            continue
        stages = a["stages"]
        other = a["analyze"] - sum(stages.get(s, 0.0) for s in STAGE_ORDER)
        total = a["load"] + a["analyze"]
        tf = r.get("tf")
        tf_total = tf and tf["import"] + tf["read"] + tf["parse"] + tf["import_graph_def"]
        cli = r.get("cli")
        print(f"{r['graph']:<20} {a['nodes']:>7} | {a['load']:5.2f} " +
              " ".join(f"{stages.get(s, 0.0):8.2f}" for s in STAGE_ORDER) +
              f" {other:6.2f} {a['analyze']:8.2f} {cli if cli is not None else float('nan'):6.2f} | "
              + (f"{tf_total:7.2f} {tf_total / (a['import'] + total):5.1f}x" if tf else
                 f"{'':>7} {'':>6}")
              + f" | {a['engines']}/{a['segments']}")
    print("\ncolumns: seconds; load = load_model; stages inside analyze (grappler emulation, "
          "shape inference, support decisions, segmentation, build prediction, FLOPs, lint "
          "findings); analyze = all of analyze; CLI = `trtlint analyze --format json` wall "
          "time in a fresh process; TF load = import tensorflow + parse + import_graph_def; "
          "ratio = TF load / trtlint (import + load + analyze); engines = built/segments.")


def print_verdict(rows: list[dict]) -> None:
    print()
    for r in rows:
        target = TARGETS.get(r["graph"])
        a = r["analysis"]
        if target is None:
            continue
        if "analyze" not in a:
            print(f"target {r['graph']}: analyze < {target:.0f} s -> MISSED (did not finish)")
            continue
        total = a["load"] + a["analyze"]
        print(f"target {r['graph']}: load + analyze < {target:.0f} s: {total:.2f} s -> "
              f"{'met' if total < target else 'MISSED'}")
        nogc = r.get("nogc")
        if nogc and "analyze" in nogc:
            print(f"  with the garbage collector off: {nogc['load'] + nogc['analyze']:.2f} s")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--graphs", nargs="*",
                        default=["ssd_large", "synthetic_12chains", "synthetic_25chains",
                                 "synthetic_50chains", "synthetic_100k"])
    parser.add_argument("--timeout", type=float, default=600.0,
                        help="seconds one analysis may take before it is reported as too slow")
    parser.add_argument("--no-tensorflow", action="store_true")
    parser.add_argument("--no-cli", action="store_true", help="skip the fresh-process CLI run")
    parser.add_argument("--profile", metavar="GRAPH", help="print a cProfile of one analysis")
    parser.add_argument("--json", type=Path, help="also write the measurements here")
    args = parser.parse_args(argv)
    CACHE.mkdir(exist_ok=True)
    load_bench.ensure_base_graphs()
    for chains in load_bench.SUBSETS:
        if f"synthetic_{chains}chains" in args.graphs:
            load_bench.synthetic_subset(chains)
    if args.profile:
        proc = subprocess.run([sys.executable, "-c", PROFILE_CHILD,
                               str(CACHE / f"{args.profile}.pb"), "35"],
                              env=dict(os.environ, PYTHONPATH=str(REPO)))
        return proc.returncode
    print(f"# benchmarks/analyze.py  {time.strftime('%Y-%m-%d %H:%M')}  {os.cpu_count()} CPUs  "
          f"profile tf2 FP32")
    rows = []
    for name in args.graphs:
        path = CACHE / f"{name}.pb"
        row = {"graph": name, "analysis": run_child(STAGES_CHILD, [str(path), "gc"],
                                                      args.timeout)}
        if name in TARGETS and "analyze" in row["analysis"]:
            row["nogc"] = run_child(STAGES_CHILD, [str(path), "nogc"], args.timeout)
        if not args.no_cli and "analyze" in row["analysis"]:
            row["cli"] = cli_seconds(path, args.timeout)
        if not args.no_tensorflow and name in TARGETS:
            row["tf"] = load_bench.child(load_bench.TF_CHILD, str(path))
        rows.append(row)
        print(f"  measured {name}", file=sys.stderr)
    print_table(rows)
    print_verdict(rows)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
