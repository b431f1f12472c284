"""The grappler emulation pass by pass, on small handmade graphs.

Each graph is written as a text GraphDef, so these tests need no TensorFlow; the
expected results were checked against TensorFlow 2.17, and
``test_case_matches_tensorflow`` (marker ``tensorflow``) checks every graph here
against TensorFlow's own grappler again.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Optional

import pytest
from google.protobuf import text_format

from trtlint.grappler import run_grappler
from trtlint.grappler.pipeline import MIN_GRAPH_NODES, PASS_ORDER, run_passes
from trtlint.grappler.topology import import_normalise
from trtlint.grappler.workgraph import WorkGraph
from trtlint.load.graphdef import build_graph
from trtlint.load.schema import GraphDef

REPO = Path(__file__).resolve().parents[1]


# --- a tiny text-GraphDef builder ------------------------------------------------------------------

def node(name: str, op: str, *inputs: str, **attrs: str) -> str:
    """One ``node { }`` entry; attr values are raw AttrValue text (``type: DT_FLOAT``)."""
    parts = [f'node {{ name: "{name}" op: "{op}"']
    parts += [f'input: "{i}"' for i in inputs]
    parts += [f'attr {{ key: "{k}" value {{ {v} }} }}' for k, v in attrs.items()]
    return " ".join(parts) + " }"


F = "type: DT_FLOAT"
I32 = "type: DT_INT32"


def shape(*dims: int) -> str:
    return "shape { " + " ".join(f"dim {{ size: {d} }}" for d in dims) + " }"


def tensor(dtype: str, dims: tuple, values: list) -> str:
    field = {"DT_FLOAT": "float_val", "DT_INT32": "int_val", "DT_BOOL": "bool_val"}[dtype]
    dim_text = " ".join(f"dim {{ size: {d} }}" for d in dims)
    vals = " ".join(f"{field}: {str(v).lower() if dtype == 'DT_BOOL' else v}" for v in values)
    return f"tensor {{ dtype: {dtype} tensor_shape {{ {dim_text} }} {vals} }}"


def const(name: str, values: list, dims: tuple = None, dtype: str = "DT_FLOAT", *ctrl: str) -> str:
    dims = (len(values),) if dims is None else dims
    return node(name, "Const", *ctrl, dtype=f"type: {dtype}", value=tensor(dtype, dims, values))


def placeholder(name: str, *dims: int) -> str:
    return node(name, "Placeholder", dtype=F, shape=shape(*dims))


def with_default(name: str, default: str, *dims: int) -> str:
    return node(name, "PlaceholderWithDefault", default, dtype=F, shape=shape(*dims))


def graph_def(*nodes: str) -> GraphDef:
    return text_format.Parse("\n".join(nodes), GraphDef())


def run(gd: GraphDef, fetches: list[str], gpu_layout: bool = False, gpu: Optional[str] = None,
        only: tuple = PASS_ORDER):
    graph = build_graph(gd, Path("case.pbtxt"))
    feeds = {n.name for n in graph if n.op == "Placeholder"}
    out, records = run_passes(graph, fetches, feeds, gpu_layout, only=only, gpu=gpu)
    return {n.name: n for n in out}, records


def wiring(n) -> list[str]:
    return [str(r) for r in n.inputs] + ["^" + c for c in n.control_inputs]


# --- the graphs ---------------------------------------------------------------------------------------

CASES: dict[str, tuple[GraphDef, list[str], bool, Optional[str]]] = {}


def case(name: str, gd: GraphDef, fetches: list[str], gpu_layout: bool = False,
         gpu: Optional[str] = None) -> GraphDef:
    CASES[name] = (gd, fetches, gpu_layout, gpu)
    return gd


PRUNE = case("prune", graph_def(
    placeholder("x", 2), const("c", [1.0, 2.0]),
    node("i1", "Identity", "x", T=F), node("i2", "Identity", "i1", T=F),
    node("a", "AddV2", "i2", "c", T=F), node("dead", "Neg", "x", T=F),
    node("out", "Identity", "a", T=F)), ["x", "out"])

VARIABLE = case("variable_read", graph_def(
    node("v", "VariableV2", dtype=F, shape=shape(2)), node("v/read", "Identity", "v", T=F),
    placeholder("x", 2), node("m", "Mul", "x", "v/read", T=F),
    node("out", "Identity", "m", T=F)), ["x", "out"])

DEBUG = case("debug", graph_def(
    placeholder("x", 2), const("cond", [True], (), "DT_BOOL"),
    node("chk", "CheckNumerics", "x", T=F, message='s: "bad"'),
    node("assert", "Assert", "cond", "x", T="list { type: DT_FLOAT }"),
    node("y", "Relu", "chk", "^assert", T=F), node("out", "Identity", "y", T=F)), ["x", "out"])

DEPENDENCY = case("dependency", graph_def(
    placeholder("x", 2), node("n", "NoOp", "^x"), const("c", [1.0, 1.0]),
    node("y", "Relu", "x", "^n", "^c", T=F), node("z", "AddV2", "y", "c", T=F),
    node("out", "Identity", "z", T=F)), ["x", "out"])

FOLD = case("fold", graph_def(
    placeholder("x", 2), const("a", [1.0, 2.0]), const("b", [3.0, 4.0]),
    node("s", "AddV2", "a", "b", T=F), node("m", "Mul", "x", "s", T=F),
    node("out", "Identity", "m", T=F)), ["x", "out"])

DIV = case("div_by_const", graph_def(
    placeholder("x", 2), const("two", [2.0], ()), node("d", "RealDiv", "x", "two", T=F),
    node("out", "Identity", "d", T=F)), ["x", "out"])

NEUTRAL = case("neutral_elements", graph_def(
    const("dflt", [1.0, 2.0]), with_default("p", "dflt", 2), const("ones", [1.0, 1.0]),
    const("target", [2], dtype="DT_INT32"),
    node("m", "Mul", "p", "ones", T=F),
    node("r", "Reshape", "m", "target", T=F, Tshape=I32),
    node("sh", "Shape", "r", T=F, out_type=I32),
    node("cast", "Cast", "sh", SrcT=I32, DstT=F, Truncate="b: false"),
    node("sum", "AddV2", "r", "cast", T=F),
    node("out", "Identity", "sum", T=F)), ["out"])

SPLIT = case("split", graph_def(
    placeholder("x", 2), const("axis", [0], (), "DT_INT32"), const("v", [1.0, 2.0, 3.0, 4.0]),
    node("sp", "Split", "axis", "v", T=F, num_split="i: 2"),
    node("a0", "AddV2", "x", "sp", T=F), node("a1", "AddV2", "x", "sp:1", T=F),
    node("out", "AddV2", "a0", "a1", T=F)), ["x", "out"])

CSE = case("cse", graph_def(
    placeholder("x", 2),
    node("r1", "Relu", "x", T=F), node("r2", "Relu", "x", T=F),
    node("m1", "Mul", "x", "r1", T=F), node("m2", "Mul", "r2", "x", T=F),
    node("a", "AddV2", "m1", "m2", T=F), node("out", "Identity", "a", T=F),
    node("r3", "Relu", "x", T=F)), ["x", "out", "r3"])

_CONV_ATTRS = dict(T=F, strides="list { i: 1 i: 1 i: 1 i: 1 }", padding='s: "SAME"',
                   data_format='s: "NHWC"')
CONV = graph_def(
    placeholder("x", 1, 8, 8, 3), const("w", [0.5] * 108, (3, 3, 3, 4)),
    node("conv", "Conv2D", "x", "w", **_CONV_ATTRS), node("relu", "Relu", "conv", T=F),
    node("out", "Identity", "relu", T=F))
case("layout_sm75", CONV, ["x", "out"], True, "sm_75")
case("layout_sm80", CONV, ["x", "out"], True, "sm_80")
case("layout_cpu", CONV, ["x", "out"], False)


# --- pass by pass ----------------------------------------------------------------------------------

def test_pruning_drops_what_fetches_do_not_need_and_identity_chains():
    out, records = run(PRUNE, ["x", "out"], only=("pruning",))
    assert set(out) == {"x", "c", "a", "out"}
    assert wiring(out["a"]) == ["x", "c"]
    assert records[0].name == "pruning" and records[0].nodes_before == 7 and records[0].nodes_after == 4


def test_pruning_keeps_the_read_of_a_variable():
    out, _ = run(VARIABLE, ["x", "out"], only=("pruning",))
    assert out["v/read"].op == "Identity" and wiring(out["m"]) == ["x", "v/read"]


def test_debug_stripper_turns_assert_into_noop_and_check_numerics_into_identity():
    out, records = run(DEBUG, ["x", "out"], only=("debug_stripper",))
    assert out["assert"].op == "NoOp" and wiring(out["assert"]) == ["^cond", "^x"]
    assert out["assert"].attrs.get("T") is None
    assert out["chk"].op == "Identity" and "message" not in out["chk"].attrs
    assert "1 Assert/PrintV2 node(s) turned into NoOp" in records[0].changes
    # the whole pipeline: the NoOp and the Identity are bypassed and removed
    out, _ = run(DEBUG, ["x", "out"])
    assert "assert" not in out and "chk" not in out and wiring(out["y"]) == ["x"]


def test_dependency_optimizer_bypasses_noops_and_drops_control_edges_from_constants():
    out, _ = run(DEPENDENCY, ["x", "out"], only=("dependency",))
    assert "n" not in out
    assert wiring(out["y"]) == ["x"]          # ^n bypassed onto ^x, a duplicate of x; ^c dropped
    assert wiring(out["z"]) == ["y", "c"]


def test_constant_folding_folds_in_place_keeping_the_name():
    out, records = run(FOLD, ["x", "out"])
    assert out["s"].op == "Const" and "a" not in out and "b" not in out
    assert out["s"].attrs["value"].values() == [4.0, 6.0]
    # (common subgraph elimination then sorts a commutative op's inputs by name)
    assert wiring(out["m"]) == ["s", "x"]
    assert "folded 1 node(s) into constants" in records[-2].changes


def test_constant_folding_divides_by_multiplying_with_the_reciprocal():
    out, _ = run(DIV, ["x", "out"])
    assert out["d"].op == "Mul"
    assert wiring(out["d"]) == ["ConstantFolding/d_recip", "x"]  # Mul's inputs sorted
    assert out["ConstantFolding/d_recip"].attrs["value"].values() == [0.5]


def test_constant_folding_removes_neutral_operations_and_materializes_shapes():
    out, _ = run(NEUTRAL, ["out"])
    assert out["m"].op == "Identity" and wiring(out["m"]) == ["p", "^ones"]
    assert out["r"].op == "Identity" and wiring(out["r"]) == ["m", "^target"]
    # Shape of a [2] tensor, then its Cast, become constants that remember their inputs
    assert out["cast"].op == "Const" and out["cast"].attrs["value"].values() == [2.0]
    assert "sh" not in out


def test_constant_folding_names_the_outputs_of_a_folded_multi_output_node():
    out, _ = run(SPLIT, ["x", "out"])
    assert "sp" not in out
    assert wiring(out["a0"]) == ["ConstantFolding/sp-folded-0", "x"]
    assert wiring(out["a1"]) == ["ConstantFolding/sp-folded-1", "x"]
    assert out["ConstantFolding/sp-folded-1"].attrs["value"].values() == [3.0, 4.0]


def test_common_subgraph_elimination_keeps_the_first_and_spares_fetches():
    out, _ = run(CSE, ["x", "out", "r3"])
    assert "r2" not in out and "m2" not in out          # Mul is commutative: m2 == m1
    assert "r3" in out                                  # fetched: never deduplicated
    assert wiring(out["a"]) == ["m1", "m1"]


def test_layout_on_a_turing_gpu_moves_the_convolution_to_nchw():
    out, records = run(CONV, ["x", "out"], True, "sm_75")
    conv = out["conv"]
    assert conv.attrs["data_format"] == "NCHW"
    assert wiring(conv) == ["conv-0-TransposeNHWCToNCHW-LayoutOptimizer", "w"]
    # the Relu after it is layout-agnostic: the transpose back moves past it
    assert wiring(out["out"]) == ["relu-0-0-TransposeNCHWToNHWC-LayoutOptimizer"]
    assert out["conv-0-TransposeNHWCToNCHW-LayoutOptimizer"].op == "Transpose"
    assert records[2].name == "layout" and records[2].nodes_after == records[2].nodes_before + 4


@pytest.mark.parametrize("gpu_layout,gpu", [(True, "sm_80"), (False, None)], ids=["ampere", "cpu-layout"])
def test_layout_leaves_nhwc_alone_on_ampere_and_with_cpu_layout(gpu_layout, gpu):
    out, records = run(CONV, ["x", "out"], gpu_layout, gpu)
    assert out["conv"].attrs["data_format"] == "NHWC"
    assert not any(n.op == "Transpose" for n in out.values())
    if not gpu_layout:
        assert records[2].changes == ["not run: no GPU (--cpu-layout)"]


def test_graphs_below_four_nodes_are_left_alone():
    gd = graph_def(placeholder("x", 2), node("i", "Identity", "x", T=F), node("out", "Identity", "i", T=F))
    graph = build_graph(gd, Path("tiny.pbtxt"))
    out, records = run_passes(graph, ["x", "out"], {"x"}, True)
    assert out is graph and records == [] and len(graph) < MIN_GRAPH_NODES


def test_import_normalise_orders_as_tensorflow_imports():
    """``import_graph_def`` + ``as_graph_def``: lowest-index ready node first, control
    inputs deduplicated and sorted (measured with TensorFlow 2.17)."""
    gd = graph_def(
        node("z", "Identity", "b", "^a", "^c", "^a", "^b", T=F), const("c", [1.0]),
        node("b", "Identity", "c", T=F), const("a", [1.0]), node("y", "Identity", "a", T=F))
    work = WorkGraph.from_graph(build_graph(gd, Path("order.pbtxt")))
    import_normalise(work)
    assert [n.name for n in work] == ["c", "b", "a", "z", "y"]
    assert work.nodes[3].inputs == ["b", "^a", "^b", "^c"]


def test_no_grappler_and_the_pass_record():
    from trtlint.load.model import Model
    from trtlint.target import make_target

    graph = build_graph(FOLD, Path("fold.pbtxt"))
    model = Model(Path("fold.pbtxt"), "pbtxt", graph, [], [])
    same, records = run_grappler(model, make_target(grappler="none"))
    assert same is graph and records == []
    _, records = run_grappler(model, make_target())
    assert [r.name for r in records] == list(PASS_ORDER)


def test_the_emulation_does_not_import_tensorflow():
    program = (
        "import sys\n"
        "sys.modules['tensorflow'] = None\n"
        "from pathlib import Path\n"
        "from trtlint.grappler.pipeline import run_passes\n"
        "from trtlint.load import load_model\n"
        f"m = load_model(Path({str(REPO / 'fixtures' / 'graphs' / 'conv_bn_unfused.pb')!r}))\n"
        "g, records = run_passes(m.graph, m.fetch_names, set(), True, gpu='sm_75')\n"
        "print(len(records))\n"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          timeout=120, cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "6"


# --- every graph above against TensorFlow ----------------------------------------------------------

def _normalise(nodes) -> dict:
    return {name: (op, data, frozenset(ctrl)) for name, op, data, ctrl in nodes}


@pytest.mark.tensorflow
@pytest.mark.parametrize("name", sorted(CASES))
def test_case_matches_tensorflow(name):
    from trtlint.grappler.tf_reference import run_tf_grappler
    from trtlint.grappler.layout import compute_capability
    from trtlint.load.graphdef import parse_binary

    gd, fetches, gpu_layout, gpu = CASES[name]
    ref_bytes = run_tf_grappler(gd.SerializeToString(), fetches, layout_gpu=gpu_layout,
                                gpu_compute_capability=f"{compute_capability(gpu):.1f}")
    ref = parse_binary(Path("ref.pb"), ref_bytes)
    theirs = _normalise(
        (n.name, n.op, [i[:-2] if i.endswith(":0") else i for i in n.input if not i.startswith("^")],
         [i[1:] for i in n.input if i.startswith("^")]) for n in ref.node)
    out, _ = run(gd, fetches, gpu_layout, gpu)
    ours = _normalise((n.name, n.op, [str(r) for r in n.inputs], n.control_inputs)
                      for n in out.values())
    assert ours == theirs
