"""The grappler emulation is fast enough for big graphs, and scales linearly.

Measured in CPU time of this process (``time.process_time``), so a busy machine does not
fail the test; the garbage collector's share counts.  The graph is the shape of
``benchmarks/graphs.py``'s ``synthetic`` one (chains of Conv2D/BiasAdd/Relu/Mul/Add
blocks with per-block constants that common subgraph elimination merges, a Cumsum every
fifth block), written as a text GraphDef so no TensorFlow is needed.

Reference numbers (2-core VM under load), without / with the layout pass: 20k nodes
about 1.5 s / 3.7 s; ``benchmarks``' synthetic_100k (105k nodes) about 8.5 s / 19 s (the
layout pass adds and cancels some 150k Transpose and constant nodes there); ssd_large
(6.3k nodes, 98 MB) about 0.7 s / 0.95 s.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from google.protobuf import text_format

from trtlint.grappler.pipeline import run_passes
from trtlint.load.graphdef import build_graph
from trtlint.load.schema import GraphDef

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
CHANNELS = 2


def _floats(values) -> str:
    return " ".join(f"float_val: {v}" for v in values)


def _const(name: str, dims: tuple, values) -> str:
    dim_text = " ".join(f"dim {{ size: {d} }}" for d in dims)
    return (f'node {{ name: "{name}" op: "Const" attr {{ key: "dtype" value {{ type: DT_FLOAT }} }} '
            f'attr {{ key: "value" value {{ tensor {{ dtype: DT_FLOAT tensor_shape {{ {dim_text} }} '
            f'{_floats(values)} }} }} }} }}')


def _op(name: str, op: str, *inputs: str, extra: str = "") -> str:
    ins = " ".join(f'input: "{i}"' for i in inputs)
    return (f'node {{ name: "{name}" op: "{op}" {ins} '
            f'attr {{ key: "T" value {{ type: DT_FLOAT }} }} {extra}}}')


_CONV = ('attr { key: "strides" value { list { i: 1 i: 1 i: 1 i: 1 } } } '
         'attr { key: "padding" value { s: "SAME" } } '
         'attr { key: "data_format" value { s: "NHWC" } } ')
_CUMSUM = 'attr { key: "Tidx" value { type: DT_INT32 } } '


def synthetic(chains: int, blocks: int) -> GraphDef:
    c = CHANNELS
    lines = ['node { name: "input" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } } '
             'attr { key: "shape" value { shape { dim { size: -1 } dim { size: 8 } dim { size: 8 } '
             f'dim {{ size: {c} }} }} }} }} }}',
             'node { name: "axis3" op: "Const" attr { key: "dtype" value { type: DT_INT32 } } '
             'attr { key: "value" value { tensor { dtype: DT_INT32 tensor_shape { } int_val: 3 } } } }']
    ends = []
    for chain in range(chains):
        h = "input"
        for block in range(blocks):
            s = f"chain_{chain:03d}/block_{block:03d}"
            k = chain * blocks + block
            lines.append(_const(f"{s}/kernel", (3, 3, c, c), [round(k * 0.001 + i * 0.01, 4) for i in range(9 * c * c)]))
            lines.append(_const(f"{s}/bias", (c,), [round(0.0001 * k, 5)] * c))
            lines.append(_const(f"{s}/Mul/y", (), [0.5]))
            lines.append(_op(f"{s}/Conv2D", "Conv2D", h, f"{s}/kernel", extra=_CONV))
            lines.append(_op(f"{s}/BiasAdd", "BiasAdd", f"{s}/Conv2D", f"{s}/bias"))
            lines.append(_op(f"{s}/Relu", "Relu", f"{s}/BiasAdd"))
            lines.append(_op(f"{s}/Mul", "Mul", f"{s}/Relu", f"{s}/Mul/y"))
            lines.append(_op(f"{s}/Add", "AddV2", h, f"{s}/Mul"))
            h = f"{s}/Add"
            if (block + 1) % 5 == 0:
                lines.append(_op(f"{s}/Cumsum", "Cumsum", h, "axis3", extra=_CUMSUM))
                h = f"{s}/Cumsum"
        ends.append(h)
    ins = " ".join(f'input: "{e}"' for e in ends)
    lines.append(f'node {{ name: "sum/AddN" op: "AddN" {ins} '
                 f'attr {{ key: "N" value {{ i: {len(ends)} }} }} attr {{ key: "T" value {{ type: DT_FLOAT }} }} }}')
    lines.append(_op("output", "Identity", "sum/AddN"))
    return text_format.Parse("\n".join(lines), GraphDef())


def _cpu_seconds(graph, gpu_layout: bool = False) -> tuple[float, int]:
    start = time.process_time()
    out, _ = run_passes(graph, ["input", "output"], {"input"}, gpu_layout, gpu="sm_75")
    return time.process_time() - start, len(out)


def test_twenty_thousand_nodes_in_a_few_seconds():
    graph = build_graph(synthetic(chains=100, blocks=25), Path("synthetic.pbtxt"))
    assert len(graph) > 20_000
    seconds, after = _cpu_seconds(graph)
    # the per-block Mul/y constants are all 0.5: one survives
    assert after == len(graph) - (100 * 25 - 1)
    assert seconds < 6.0, f"{len(graph)} nodes took {seconds:.1f} s of CPU"
    gpu_seconds, _ = _cpu_seconds(graph, gpu_layout=True)
    assert gpu_seconds < 12.0, f"{len(graph)} nodes with the layout pass took {gpu_seconds:.1f} s"


@pytest.mark.parametrize("gpu_layout", [False, True], ids=["cpu-layout", "gpu-layout"])
def test_time_grows_linearly_with_the_graph(gpu_layout):
    small = build_graph(synthetic(chains=20, blocks=25), Path("small.pbtxt"))
    large = build_graph(synthetic(chains=100, blocks=25), Path("large.pbtxt"))
    t_small = min(_cpu_seconds(small, gpu_layout)[0] for _ in range(2))
    t_large = min(_cpu_seconds(large, gpu_layout)[0] for _ in range(2))
    ratio = t_large / max(t_small, 1e-3)
    assert ratio < 5 * 2, f"5x the nodes took {ratio:.1f}x the time"


@pytest.mark.skipif(not (REPO / "benchmarks" / ".cache" / "ssd_large.pb").exists(),
                    reason="benchmarks/.cache/ssd_large.pb not generated (python benchmarks/graphs.py)")
def test_large_ssd_benchmark_graph():
    from trtlint.grappler.pipeline import fetch_and_feed
    from trtlint.load import load_model

    model = load_model(REPO / "benchmarks" / ".cache" / "ssd_large.pb")
    fetches, feeds = fetch_and_feed(model)
    start = time.process_time()
    run_passes(model.graph, fetches, feeds, True, gpu="sm_75")
    seconds = time.process_time() - start
    assert seconds < 4.0, f"ssd_large ({len(model.graph)} nodes) took {seconds:.1f} s of CPU"
