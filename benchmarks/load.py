#!/usr/bin/env python
"""Loading speed and memory: trtlint's loader next to TensorFlow's, measured in one run.

    .venv/bin/python benchmarks/load.py                 # the table (graphs made on first use)
    .venv/bin/python benchmarks/load.py --repeat 5      # best of 5 warm loads
    .venv/bin/python benchmarks/load.py --no-tensorflow # trtlint only

Graphs (benchmarks/graphs.py writes them into benchmarks/.cache/ with TensorFlow):

* ``ssd_large.pb``: a ~100 MB frozen SSD detector of ~6.3k nodes with random weights;
* ``synthetic_100k.pb``: 105k nodes of small conv blocks in 100 parallel chains;
* ``synthetic_<N>k.pb``: the first 12, 25 and 50 chains of the latter (cut here from its
  bytes, without TensorFlow), to see how load time grows with the node count.

Each measurement runs in a fresh interpreter, so that import costs and peak RSS belong
to one path only (``--runs`` processes each, the median one shown):

* trtlint: ``import trtlint.load``, then ``load_model`` (parse, build the graph, validate:
  what every command does first), then decoding every node's attributes (what a full
  analysis touches); "cold" is the first load in the process, "warm" the best of
  ``--repeat`` more;
* TensorFlow: ``import tensorflow``, ``GraphDef.ParseFromString``, then
  ``tf.compat.v1.import_graph_def`` (what TF-TRT's converter does before anything else).

The ratio compares whole paths as a user pays them: import + load for each side.  Peak
RSS is the process's ``ru_maxrss``, shown also as a multiple of the file size.  Nothing
here asserts a time: it prints what it measured.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CACHE = HERE / ".cache"
SUBSETS = (12, 25, 50)  # chains kept for the growth series (100 chains = the full graph)

#: targets from the issue, printed next to the measurements
TARGETS = {"load_100mb_s": 1.0, "speedup": 10.0, "rss_x_file": 3.0}

#: the peak-RSS function both child scripts define (pasted into their source)
PEAK_RSS = r'''
def peak_rss_kb():
    # VmHWM belongs to this process image; ru_maxrss can carry the parent's peak over a fork
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
'''

TRTLINT_CHILD = r"""
import gc, json, resource, sys, time

""" + PEAK_RSS + r"""t0 = time.perf_counter()
from trtlint.load import load_model
t1 = time.perf_counter()
base_rss = peak_rss_kb()
model = load_model(sys.argv[1])
t2 = time.perf_counter()
load_rss = peak_rss_kb()
for node in model.graph:
    node.attrs
t3 = time.perf_counter()
nodes = len(model.graph)
del model
warm, warm_decode = [], []
for _ in range(int(sys.argv[2])):
    gc.collect()
    a = time.perf_counter()
    model = load_model(sys.argv[1])
    b = time.perf_counter()
    for node in model.graph:
        node.attrs
    warm.append(b - a)
    warm_decode.append(time.perf_counter() - b)
    del model
print(json.dumps({"import": t1 - t0, "load": t2 - t1, "decode": t3 - t2, "nodes": nodes,
                  "warm_load": min(warm) if warm else None,
                  "warm_decode": min(warm_decode) if warm_decode else None,
                  "base_rss_kb": base_rss, "load_rss_kb": load_rss, "rss_kb": peak_rss_kb()}))
"""

TF_CHILD = r"""
import json, os, resource, sys, time

""" + PEAK_RSS + r"""os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
t0 = time.perf_counter()
import tensorflow as tf
t1 = time.perf_counter()
data = open(sys.argv[1], "rb").read()
t2 = time.perf_counter()
gd = tf.compat.v1.GraphDef()
gd.ParseFromString(data)
del data
t3 = time.perf_counter()
graph = tf.Graph()
with graph.as_default():
    tf.compat.v1.import_graph_def(gd, name="")
t4 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "read": t2 - t1, "parse": t3 - t2, "import_graph_def": t4 - t3,
                  "nodes": len(graph.get_operations()), "version": tf.__version__,
                  "rss_kb": peak_rss_kb()}))
"""


def child(code: str, *args: str) -> dict:
    env = dict(os.environ, PYTHONPATH=str(REPO), TF_CPP_MIN_LOG_LEVEL="3")
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          env=env, timeout=3600)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"measurement failed ({proc.returncode}): {proc.stderr[-1500:]}")
    return json.loads(lines[-1])


# -- the graphs ------------------------------------------------------------------------------
def ensure_base_graphs() -> None:
    """Write ssd_large.pb and synthetic_100k.pb with benchmarks/graphs.py if missing."""
    wanted = [name for name in ("ssd_large", "synthetic_100k")
              if not (CACHE / f"{name}.pb").is_file()]
    if wanted:
        args = [sys.executable, str(HERE / "graphs.py"), str(CACHE)]
        for name in wanted:
            args += ["--only", name]
        print(f"making {', '.join(wanted)} with TensorFlow (once; about a minute)...",
              file=sys.stderr)
        subprocess.run(args, check=True)


def synthetic_subset(chains: int) -> Path:
    """The first ``chains`` chains of synthetic_100k (see :func:`write_subset`), made in a
    child process so that this one stays small (children inherit its peak RSS)."""
    out = CACHE / f"synthetic_{chains}chains.pb"
    source = CACHE / "synthetic_100k.pb"
    if not (out.is_file() and out.stat().st_mtime >= source.stat().st_mtime):
        subprocess.run([sys.executable, __file__, "--write-subset", str(chains)], check=True,
                       env=dict(os.environ, PYTHONPATH=str(REPO)))
    return out


def write_subset(chains: int) -> None:
    """Written with trtlint's own schema: every node of ``chain_<k>/`` with k >= chains
    dropped, the final AddN reading the rest."""
    out = CACHE / f"synthetic_{chains}chains.pb"
    source = CACHE / "synthetic_100k.pb"
    from trtlint.load.schema import GraphDef

    full = GraphDef()
    full.ParseFromString(source.read_bytes())
    kept = GraphDef()
    kept.versions.CopyFrom(full.versions)
    for nd in full.node:
        head = nd.name.split("/", 1)[0]
        if head.startswith("chain_") and int(head[len("chain_"):]) >= chains:
            continue
        copy = kept.node.add()
        copy.CopyFrom(nd)
        if nd.op == "AddN":
            ends = [i for i in nd.input if int(i.split("/", 1)[0][len("chain_"):]) < chains]
            del copy.input[:]
            copy.input.extend(ends)
            copy.attr["N"].i = len(ends)
    out.write_bytes(kept.SerializeToString(deterministic=True))


# -- the report -------------------------------------------------------------------------------
def mb(n_bytes: float) -> str:
    return f"{n_bytes / 1e6:.1f}"


def median_run(code: str, args: list[str], runs: int, key) -> dict:
    """The run with the median ``key`` among ``runs`` fresh processes: one process can
    be slowed down by anything else on the machine, a median of a few cannot."""
    results = sorted((child(code, *args) for _ in range(max(1, runs))), key=key)
    return results[len(results) // 2]


def measure(path: Path, repeat: int, with_tf: bool, runs: int) -> dict:
    row = {"graph": path.stem, "bytes": path.stat().st_size,
           "trtlint": median_run(TRTLINT_CHILD, [str(path), str(repeat)], runs,
                                 lambda r: r["import"] + r["load"])}
    if with_tf:
        row["tf"] = median_run(TF_CHILD, [str(path)], runs,
                               lambda r: r["import"] + r["read"] + r["parse"]
                               + r["import_graph_def"])
    return row


def print_table(rows: list[dict]) -> None:
    head = (f"{'graph':<22} {'nodes':>7} {'MB':>6} | {'import':>6} {'load':>6} {'warm':>6} "
            f"{'+attrs':>6} {'RSS MB':>7} {'xfile':>5} {'+attrs':>6} | {'TF imp':>6} {'parse':>6} "
            f"{'import_gd':>9} {'total':>6} {'RSS MB':>7} | {'ratio':>6} {'ratio*':>6}")
    print(head)
    print("-" * len(head))
    for r in rows:
        t, tf = r["trtlint"], r.get("tf")
        ours_total = t["import"] + t["load"]
        rss = t["load_rss_kb"] * 1024
        line = (f"{r['graph']:<22} {t['nodes']:>7} {mb(r['bytes']):>6} | {t['import']:6.2f} "
                f"{t['load']:6.2f} {t['warm_load'] or 0:6.2f} {t['decode']:6.2f} "
                f"{rss / 1e6:7.0f} {rss / r['bytes']:5.1f} {t['rss_kb'] / 1024:6.0f} |")
        if tf:
            tf_load = tf["read"] + tf["parse"] + tf["import_graph_def"]
            tf_total = tf["import"] + tf_load
            line += (f" {tf['import']:6.2f} {tf['read'] + tf['parse']:6.2f} "
                     f"{tf['import_graph_def']:9.2f} {tf_total:6.2f} {tf['rss_kb'] / 1024:7.0f} |"
                     f" {tf_total / ours_total:5.1f}x {tf_load / t['load']:5.1f}x")
        print(line)
    print("\ncolumns: trtlint import = `import trtlint.load`; load = load_model, first in the "
          "process; warm = best later load; +attrs = decoding every node's attributes once; "
          "RSS = peak resident set of the process after the first load, xfile = RSS / file "
          "size, +attrs = peak RSS MB once all attributes are decoded.\n"
          "TF imp = `import tensorflow`; parse = read + GraphDef.ParseFromString; import_gd = "
          "tf.compat.v1.import_graph_def; ratio = TF (import+parse+import_gd) / trtlint "
          "(import+load); ratio* = the same without the imports.")


def print_growth(rows: list[dict]) -> None:
    series = sorted((r for r in rows if r["graph"].startswith("synthetic")),
                    key=lambda r: r["trtlint"]["nodes"])
    if len(series) < 2:
        return
    print("\ngrowth with the node count (synthetic family):")
    print(f"{'nodes':>8} {'load s':>7} {'us/node':>8} {'+attrs us/node':>15}")
    for r in series:
        t = r["trtlint"]
        load = t["warm_load"] or t["load"]
        decode = t["warm_decode"] or t["decode"]
        print(f"{t['nodes']:>8} {load:7.3f} {1e6 * load / t['nodes']:8.1f} "
              f"{1e6 * decode / t['nodes']:15.1f}")
    first, last = series[0]["trtlint"], series[-1]["trtlint"]
    per_first = (first["warm_load"] or first["load"]) / first["nodes"]
    per_last = (last["warm_load"] or last["load"]) / last["nodes"]
    print(f"per-node cost at {last['nodes']} nodes / at {first['nodes']} nodes: "
          f"{per_last / per_first:.2f} (1.00 = exactly linear)")


def print_verdict(rows: list[dict]) -> None:
    big = next((r for r in rows if r["graph"] == "ssd_large"), None)
    if big is None:
        return
    t, tf = big["trtlint"], big.get("tf")
    print(f"\ntargets on ssd_large ({mb(big['bytes'])} MB, {t['nodes']} nodes):")
    print(f"  load < {TARGETS['load_100mb_s']:.0f} s: {t['load']:.2f} s cold, "
          f"{t['warm_load']:.2f} s warm -> {'met' if t['load'] < TARGETS['load_100mb_s'] else 'MISSED'}")
    x = t["load_rss_kb"] * 1024 / big["bytes"]
    print(f"  peak RSS < {TARGETS['rss_x_file']:.0f}x file: {x:.2f}x "
          f"-> {'met' if x < TARGETS['rss_x_file'] else 'MISSED'}")
    if tf:
        ratio = (tf["import"] + tf["read"] + tf["parse"] + tf["import_graph_def"]) / \
            (t["import"] + t["load"])
        print(f"  >= {TARGETS['speedup']:.0f}x faster than the TensorFlow path: {ratio:.1f}x "
              f"-> {'met' if ratio >= TARGETS['speedup'] else 'MISSED'}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--repeat", type=int, default=3, help="warm loads per graph (best kept)")
    parser.add_argument("--runs", type=int, default=3,
                        help="fresh processes per measurement (the median one is shown)")
    parser.add_argument("--no-tensorflow", action="store_true", help="skip the TensorFlow side")
    parser.add_argument("--no-growth", action="store_true", help="skip the 12/25/50-chain graphs")
    parser.add_argument("--json", type=Path, help="also write the measurements here")
    parser.add_argument("--write-subset", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.write_subset:
        write_subset(args.write_subset)
        return 0
    CACHE.mkdir(exist_ok=True)
    ensure_base_graphs()
    graphs = [CACHE / "ssd_large.pb"]
    if not args.no_growth:
        graphs += [synthetic_subset(c) for c in SUBSETS]
    graphs.append(CACHE / "synthetic_100k.pb")
    import google.protobuf

    print(f"# benchmarks/load.py  {time.strftime('%Y-%m-%d %H:%M')}  {platform.node()}  "
          f"{os.cpu_count()} CPUs  Python {platform.python_version()}  protobuf "
          f"{google.protobuf.__version__}")
    rows = []
    for path in graphs:
        with_tf = not args.no_tensorflow and (path.stem in ("ssd_large", "synthetic_100k"))
        rows.append(measure(path, args.repeat, with_tf, args.runs))
        print(f"  measured {path.name}", file=sys.stderr)
    if rows and "tf" in rows[0]:
        print(f"# TensorFlow {rows[0]['tf']['version']}")
    print_table(rows)
    print_growth(rows)
    print_verdict(rows)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
