#!/usr/bin/env python
"""TF-TRT's own conversion pass (the CPU oracle) against trtlint's prediction, in time.

    .venv/bin/python benchmarks/oracle_vs_trtlint.py            # fixtures + corpus
    .venv/bin/python benchmarks/oracle_vs_trtlint.py --large    # + the 100 MB SSD
    .venv/bin/python benchmarks/oracle_vs_trtlint.py --no-single  # batch numbers only

For every fixture and corpus model, on the same files and with the same defaults (profile
tf2: TF 2.17, FP32, implicit batch, minimum segment size 3):

* oracle, single run: ``oracle.py analyze MODEL`` in a fresh process -- TensorFlow's
  import, the grappler passes and TF-TRT's segmentation, what one conversion costs;
* oracle, in batch: the same requests through one ``oracle.py batch`` process (TensorFlow
  imported once, before the first model; that start-up is shown on its own line);
* trtlint, CLI: ``trtlint analyze MODEL --format json`` in a fresh process;
* trtlint, in process: ``load_model`` + ``analyze`` in one warm process.

Ratios: oracle single / trtlint CLI (what a user waits for either answer) and oracle in
batch / trtlint in process (the work alone).  The engine counts (built engines per side)
are there to show both answered the same question; tests/ check the answers themselves.
The oracle environment comes from $TRTLINT_ORACLE_DIR or <repo>/.tftrt-oracle (see
tests/oracle.py); the result cache is not used: every number is a fresh run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
FIXTURES = REPO / "fixtures"
CORPUS = REPO.parent / "shared" / "corpus" / "models"
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO))

from oracle import RUNNER, oracle_available, oracle_dir, oracle_python, why_unavailable  # noqa: E402

WARMUP = FIXTURES / "graphs" / "seg_shared_const.pb"


def models() -> list[Path]:
    """Fixture and corpus models: .pb/.pbtxt files and SavedModel folders."""
    found = []
    for root in (FIXTURES / "graphs", FIXTURES / "saved_models", CORPUS):
        if not root.is_dir():
            continue
        for p in sorted(root.iterdir()):
            if p.is_dir() and (p / "saved_model.pb").exists():
                found.append(p)
            elif p.suffix in (".pb", ".pbtxt"):
                found.append(p)
    return found


def label(path: Path) -> str:
    return path.name if path.parent.name != "models" else f"corpus/{path.name}"


# -- the oracle --------------------------------------------------------------------------------
def oracle_env() -> dict:
    return dict(os.environ, TFTRT_ORACLE_DIR=str(oracle_dir()))


def oracle_single(path: Path, timeout: float) -> dict:
    start = time.perf_counter()
    try:
        proc = subprocess.run([str(oracle_python()), str(RUNNER), "analyze", str(path),
                               "--format", "json"], capture_output=True, text=True,
                              env=oracle_env(), timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"seconds": None, "error": f"over {timeout:.0f} s"}
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        return {"seconds": seconds, "error": (proc.stderr.strip().splitlines() or ["?"])[-1][:80]}
    return {"seconds": seconds, "engines": len(json.loads(proc.stdout).get("segments", []))}


def oracle_batch(paths: list[Path], timeout: float) -> tuple[float, list[dict]]:
    """(start-up seconds, per-model results with seconds) from one batch process: each
    result line is timed as it arrives."""
    requests = [WARMUP] + paths
    proc = subprocess.Popen([str(oracle_python()), str(RUNNER), "batch"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env=oracle_env())
    start = time.perf_counter()
    assert proc.stdin is not None and proc.stdout is not None
    for i, path in enumerate(requests):
        proc.stdin.write(json.dumps({"id": i, "model": str(path.resolve())}) + "\n")
    proc.stdin.close()
    results: list[dict] = []
    previous = start
    for line in proc.stdout:
        now = time.perf_counter()
        try:
            result = json.loads(line)
        except ValueError:
            continue
        entry = {"seconds": now - previous}
        if result.get("error"):
            entry["error"] = result["error"][:80]
        else:
            entry["engines"] = len(result.get("segments", []))
        results.append(entry)
        previous = now
        if now - start > timeout * len(requests):
            proc.kill()
            break
    proc.wait()
    startup = results[0]["seconds"] if results else float("nan")
    return startup, results[1:]


# -- trtlint -----------------------------------------------------------------------------------
def trtlint_cli(path: Path, timeout: float) -> float | None:
    start = time.perf_counter()
    try:
        proc = subprocess.run([sys.executable, "-m", "trtlint", "analyze", str(path), "--format",
                               "json"], capture_output=True, text=True, timeout=timeout,
                              env=dict(os.environ, PYTHONPATH=str(REPO)))
    except subprocess.TimeoutExpired:
        return None
    return time.perf_counter() - start if proc.returncode in (0, 1) else None


def trtlint_in_process(paths: list[Path]) -> list[dict]:
    from trtlint.analysis import analyze
    from trtlint.errors import TrtlintError
    from trtlint.load import load_model
    from trtlint.target import Target

    analyze(load_model(WARMUP), Target())  # imports and registries, as the batch's warm-up
    out = []
    for path in paths:
        start = time.perf_counter()
        try:
            result = analyze(load_model(path), Target())
        except TrtlintError as exc:
            out.append({"seconds": time.perf_counter() - start, "error": exc.one_line()[:80]})
            continue
        out.append({"seconds": time.perf_counter() - start, "nodes": len(result.model.graph),
                    "engines": sum(1 for s in result.segmentation.segments if s.will_build)})
    return out


# -- the table ---------------------------------------------------------------------------------
def fmt(x) -> str:
    return f"{x:7.2f}" if isinstance(x, (int, float)) else f"{'-':>7}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--large", action="store_true", help="add benchmarks/.cache/ssd_large.pb")
    parser.add_argument("--no-single", action="store_true", help="skip single oracle/CLI runs")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per model")
    parser.add_argument("--json", type=Path, help="also write the measurements here")
    args = parser.parse_args(argv)
    if not oracle_available():
        print(f"oracle not available: {why_unavailable()}", file=sys.stderr)
        return 2
    paths = models()
    if args.large:
        sys.path.insert(0, str(HERE))
        import load as load_bench

        load_bench.ensure_base_graphs()
        paths.append(load_bench.CACHE / "ssd_large.pb")

    print(f"# benchmarks/oracle_vs_trtlint.py  {time.strftime('%Y-%m-%d %H:%M')}  "
          f"{os.cpu_count()} CPUs  {len(paths)} models  oracle: {oracle_dir()}")
    ours = trtlint_in_process(paths)
    print("  trtlint in process: done", file=sys.stderr)
    startup, batch = oracle_batch(paths, args.timeout)
    print("  oracle batch: done", file=sys.stderr)
    singles: list[dict] = [{} for _ in paths]
    clis: list = [None for _ in paths]
    if not args.no_single:
        for i, path in enumerate(paths):
            singles[i] = oracle_single(path, args.timeout)
            clis[i] = trtlint_cli(path, args.timeout)
            print(f"  single runs: {label(path)}", file=sys.stderr)

    head = (f"{'model':<44} {'nodes':>6} | {'oracle':>7} {'batch':>7} | {'trtlint':>7} "
            f"{'in-proc':>7} | {'ratio':>6} {'ratio*':>6} | engines")
    print(head)
    print("-" * len(head))
    single_ratios, batch_ratios = [], []
    totals = {"oracle": 0.0, "batch": 0.0, "cli": 0.0, "ours": 0.0}
    for path, one, b, cli, mine in zip(paths, singles, batch + [{}] * len(paths), clis, ours):
        r1 = one["seconds"] / cli if one.get("seconds") and cli and "error" not in one else None
        r2 = b.get("seconds") / mine["seconds"] if b.get("seconds") and "error" not in mine \
            and "error" not in b else None
        if r1:
            single_ratios.append(r1)
        if r2:
            batch_ratios.append(r2)
        engines = f"{b.get('engines', one.get('engines', '-'))}/{mine.get('engines', '-')}"
        note = b.get("error") or one.get("error") or mine.get("error") or ""
        print(f"{label(path)[:44]:<44} {mine.get('nodes', 0):>6} | {fmt(one.get('seconds'))} "
              f"{fmt(b.get('seconds'))} | {fmt(cli)} {fmt(mine['seconds'])} | "
              f"{(f'{r1:5.1f}x' if r1 else '-'):>6} {(f'{r2:5.1f}x' if r2 else '-'):>6} | "
              f"{engines}{'  ' + note if note else ''}")
        totals["oracle"] += one.get("seconds") or 0.0
        totals["batch"] += b.get("seconds") or 0.0
        totals["cli"] += cli or 0.0
        totals["ours"] += mine["seconds"]
    print("-" * len(head))
    print(f"{'total':<44} {'':>6} | {fmt(totals['oracle'] if not args.no_single else None)} "
          f"{fmt(totals['batch'])} | {fmt(totals['cli'] if not args.no_single else None)} "
          f"{fmt(totals['ours'])} |")
    print(f"oracle batch start-up (import TensorFlow, first conversion): {startup:.2f} s")
    if single_ratios:
        print(f"median ratio oracle single run / trtlint CLI: {statistics.median(single_ratios):.1f}x")
    if batch_ratios:
        print(f"median ratio oracle in batch / trtlint in process: "
              f"{statistics.median(batch_ratios):.1f}x")
    print("\ncolumns: seconds; oracle = TF-TRT 2.17's pass in a fresh process; batch = the same "
          "in one process (TensorFlow already imported); trtlint = `trtlint analyze --format "
          "json` in a fresh process; in-proc = load + analyze in a warm process; ratio = oracle "
          "/ trtlint; ratio* = batch / in-proc; engines = oracle/trtlint engine counts.")
    if args.json:
        args.json.write_text(json.dumps({"paths": [str(p) for p in paths], "ours": ours,
                                         "batch": batch, "single": singles, "cli": clis,
                                         "startup": startup}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
