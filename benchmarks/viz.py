#!/usr/bin/env python
"""How long the default (collapsed) picture of the 6k-node SSD takes to draw.

    .venv/bin/python benchmarks/viz.py                 # builds the graph first if missing
    .venv/bin/python benchmarks/viz.py GRAPH.pb --runs 5 --budget 5

The budget covers what ``trtlint viz`` adds on top of ``trtlint analyze``: choosing the
boxes (scope collapsing), writing the DOT text and laying it out with Graphviz's ``dot``
into SVG.  Loading and analysing the model are timed and printed separately.  The HTML
report (which embeds the same picture) is timed too.  Exit status 1 when the best run is
over budget, so CI or a developer can use it as a check.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_GRAPH = HERE / ".cache" / "ssd_large.pb"


def ensure_graph(path: Path) -> None:
    if path.exists():
        return
    if path != DEFAULT_GRAPH:
        sys.exit(f"no such graph: {path}")
    print(f"{path.name} is missing; building it with benchmarks/graphs.py (needs TensorFlow)")
    subprocess.run([sys.executable, str(HERE / "graphs.py"), "--only", "ssd_large"], check=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("graph", nargs="?", type=Path, default=DEFAULT_GRAPH)
    parser.add_argument("--runs", type=int, default=3, help="best of this many runs")
    parser.add_argument("--budget", type=float, default=5.0, help="seconds for the picture")
    args = parser.parse_args(argv)
    ensure_graph(args.graph)

    from trtlint.analysis import analyze
    from trtlint.load import load_model
    from trtlint.target import Target
    from trtlint.views.graphviz_view import analysis_dot, render
    from trtlint.views.html import render_html
    from trtlint.views.scopes import build_picture

    start = time.perf_counter()
    model = load_model(args.graph)
    loaded = time.perf_counter()
    analysis = analyze(model, Target())
    analysed = time.perf_counter()
    print(f"{args.graph.name}: {len(model.graph)} nodes, {len(analysis.graph)} after grappler; "
          f"load {loaded - start:.2f} s, analyse {analysed - loaded:.2f} s")

    best = None
    for run in range(args.runs):
        t0 = time.perf_counter()
        picture = build_picture(analysis)
        t1 = time.perf_counter()
        dot_text = analysis_dot(analysis, picture)
        t2 = time.perf_counter()
        svg = render(dot_text, "svg")
        t3 = time.perf_counter()
        total = t3 - t0
        print(f"run {run + 1}: boxes {t1 - t0:.3f} s, DOT {t2 - t1:.3f} s, dot -Tsvg "
              f"{t3 - t2:.3f} s, total {total:.3f} s ({len(picture.boxes)} boxes at depth "
              f"{picture.depth}, {len(picture.links)} links, {len(svg) // 1024} KiB SVG)")
        best = total if best is None else min(best, total)

    t0 = time.perf_counter()
    page = render_html(analysis)
    print(f"HTML report: {time.perf_counter() - t0:.3f} s, {len(page) // 1024} KiB")
    verdict = "within" if best <= args.budget else "OVER"
    print(f"collapsed picture: best {best:.3f} s of {args.runs}, {verdict} the "
          f"{args.budget:.1f} s budget")
    return 0 if best <= args.budget else 1


if __name__ == "__main__":
    sys.exit(main())
