"""Fuzzing the loader with damaged real models: it loads them or says why, never crashes.

Real graph bytes -- frozen GraphDefs and SavedModels' ``saved_model.pb`` from the
fixtures and the corpus -- are mutated four ways:

* bit flips at random places,
* truncation at a random length,
* splices: a run of bytes from another real model pasted over or into this one,
* field-level edits of the parsed message: node names, op types and inputs replaced by
  hostile text, nodes dropped or duplicated, attributes swapped to another kind or given
  absurd dtypes, shapes and tensors, versions, library functions and signatures that
  point nowhere.

The property: ``load_model`` returns a model -- whose every attribute then decodes and
whose summary (what ``trtlint inspect`` prints) can be made -- or raises ``InputError``.
Any other exception is a bug.  Through the real CLI, a fixed sample of such files gives
exit 0, 1 or 2 and, on error, exactly one line on stderr, never a traceback.

Hypothesis runs derandomized with a fixed example budget (the same examples every run,
about 20 s in all); ``TRTLINT_FUZZ_EXAMPLES=N`` raises the budget for a longer hunt.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trtlint.errors import InputError
from trtlint.load import load_model
from trtlint.load.schema import DATA_TYPES, GraphDef, SavedModel
from trtlint.summary import summarize
from shared_data import CORPUS_MODELS

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures"
CORPUS = CORPUS_MODELS

EXAMPLES = int(os.environ.get("TRTLINT_FUZZ_EXAMPLES", "120"))
FUZZ = settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.data_too_large])


def _existing(paths):
    return [p for p in paths if p.exists()]


#: small real frozen graphs of different shapes: plain, v1 loop, quantized, corpus
FROZEN_SEEDS = _existing([
    FIXTURES / "graphs" / "seg_shared_const.pb",
    FIXTURES / "graphs" / "conv_bn_fused.pb",
    FIXTURES / "graphs" / "tf1_while_tensorarray.pb",
    FIXTURES / "graphs" / "gtt_quantized_conv.pb",
    FIXTURES / "graphs" / "shape_math_int32.pb",
    CORPUS / "014_standalone_nms_v3.pb",
    CORPUS / "001_tf2onnx_regression_tiny.pb",
])
#: SavedModels: TF2 with functions and a While, Keras, TF1
SAVED_SEEDS = _existing([
    FIXTURES / "saved_models" / "tf2_module_while" / "saved_model.pb",
    FIXTURES / "saved_models" / "keras_conv_classifier" / "saved_model.pb",
    CORPUS / "004_tfserving_half_plus_two_tf2" / "saved_model.pb",
    CORPUS / "003_tf2onnx_regression_savedmodel" / "saved_model.pb",
])
SEED_BYTES = {p: p.read_bytes() for p in FROZEN_SEEDS + SAVED_SEEDS}


def exercise(path: Path) -> str:
    """Load like the CLI does and touch everything lazy; 'ok' or 'input error'."""
    try:
        model = load_model(path)
    except InputError as exc:
        assert exc.one_line() and "\n" not in exc.one_line()
        return "input error"
    for node in model.graph:
        for value in node.attrs.values():
            if hasattr(value, "values"):
                value.values(limit=256)
                value.nbytes  # noqa: B018 - decoding must not raise
    summarize(model)
    return "ok"


def write_model(tmp: Path, seed: Path, data: bytes) -> Path:
    """Write mutated bytes where the loader will take them for what the seed was."""
    if seed.name == "saved_model.pb":
        folder = tmp / "sm"
        folder.mkdir(exist_ok=True)
        (folder / "saved_model.pb").write_bytes(data)
        return folder
    path = tmp / "model.pb"
    path.write_bytes(data)
    return path


# -- byte-level mutations --------------------------------------------------------------------
seeds = st.sampled_from(sorted(SEED_BYTES, key=str))


@st.composite
def bit_flips(draw):
    seed = draw(seeds)
    data = bytearray(SEED_BYTES[seed])
    for _ in range(draw(st.integers(1, 8))):
        pos = draw(st.integers(0, len(data) - 1))
        data[pos] ^= 1 << draw(st.integers(0, 7))
    return seed, bytes(data)


@st.composite
def truncations(draw):
    seed = draw(seeds)
    data = SEED_BYTES[seed]
    return seed, data[: draw(st.integers(0, len(data) - 1))]


@st.composite
def splices(draw):
    seed, donor = draw(seeds), draw(seeds)
    data, other = SEED_BYTES[seed], SEED_BYTES[donor]
    start = draw(st.integers(0, len(other) - 1))
    chunk = other[start: start + draw(st.integers(1, 512))]
    at = draw(st.integers(0, len(data)))
    if draw(st.booleans()):  # paste over
        return seed, data[:at] + chunk + data[at + len(chunk):]
    return seed, data[:at] + chunk + data[at:]  # insert


@pytest.mark.parametrize("mutation", [bit_flips, truncations, splices],
                         ids=["bit_flips", "truncations", "splices"])
def test_byte_mutations_load_or_raise_input_error(mutation, tmp_path):
    seen = set()

    @FUZZ
    @given(mutation())
    def check(case):
        seed, data = case
        seen.add(exercise(write_model(tmp_path, seed, data)))

    check()
    # the budget must reach both outcomes, or the test proves little
    assert seen == {"ok", "input error"} or mutation is truncations and "input error" in seen


# -- field-level mutations -------------------------------------------------------------------
hostile_text = st.one_of(
    st.sampled_from(["", ":", "^", "a:b:c", "x:99", "^^x", "node:-1", "/", "_", "1abc",
                     "Const", "Placeholder", "StatefulPartitionedCall", "\x00", "é/ü",
                     "x" * 5000, "While", "^x:0"]),
    st.text(max_size=40))
dtype_values = st.one_of(st.sampled_from(sorted(DATA_TYPES.values())),
                         st.integers(-5, 300))
dims = st.lists(st.integers(-(2 ** 40), 2 ** 40), max_size=6)


def _set_attr_kind(draw, value) -> None:
    """Replace an AttrValue by a value of a drawn kind with drawn content."""
    kind = draw(st.sampled_from(["s", "i", "f", "b", "type", "shape", "tensor", "list",
                                 "func", "placeholder", "clear"]))
    value.Clear()
    if kind == "s":
        value.s = draw(st.binary(max_size=30))
    elif kind == "i":
        value.i = draw(st.integers(-(2 ** 63), 2 ** 63 - 1))
    elif kind == "f":
        value.f = draw(st.floats(width=32, allow_nan=True))
    elif kind == "b":
        value.b = draw(st.booleans())
    elif kind == "type":
        value.type = draw(dtype_values)
    elif kind == "shape":
        value.shape.unknown_rank = draw(st.booleans())
        for d in draw(dims):
            value.shape.dim.add(size=d)
    elif kind == "tensor":
        t = value.tensor
        t.dtype = draw(dtype_values)
        for d in draw(dims):
            t.tensor_shape.dim.add(size=d)
        t.tensor_content = draw(st.binary(max_size=64))
        t.float_val.extend(draw(st.lists(st.floats(width=32), max_size=3)))
        t.int_val.extend(draw(st.lists(st.integers(-(2 ** 31), 2 ** 31 - 1), max_size=3)))
        t.half_val.extend(draw(st.lists(st.integers(0, 2 ** 31 - 1), max_size=3)))
        t.string_val.extend(draw(st.lists(st.binary(max_size=8), max_size=2)))
    elif kind == "list":
        lst = value.list
        which = draw(st.sampled_from(["i", "type", "shape", "s", "func", "empty"]))
        if which == "i":
            lst.i.extend(draw(st.lists(st.integers(-(2 ** 40), 2 ** 40), max_size=5)))
        elif which == "type":
            lst.type.extend(draw(st.lists(dtype_values, max_size=5)))
        elif which == "shape":
            for _ in range(draw(st.integers(0, 3))):
                s = lst.shape.add()
                for d in draw(dims):
                    s.dim.add(size=d)
        elif which == "s":
            lst.s.extend(draw(st.lists(st.binary(max_size=8), max_size=3)))
        elif which == "func":
            lst.func.add(name=draw(hostile_text))
    elif kind == "func":
        value.func.name = draw(hostile_text)
    elif kind == "placeholder":
        value.placeholder = draw(hostile_text)


def mutate_nodes(draw, nodes) -> None:
    """One edit of a repeated NodeDef field (a graph's or a function body's)."""
    if not len(nodes):
        return
    i = draw(st.integers(0, len(nodes) - 1))
    node = nodes[i]
    what = draw(st.sampled_from(["name", "op", "input", "drop_input", "del", "dup", "attr",
                                 "drop_attr", "device"]))
    if what == "name":
        node.name = draw(hostile_text)
    elif what == "op":
        node.op = draw(hostile_text)
    elif what == "input":
        text = draw(hostile_text)
        if node.input and draw(st.booleans()):
            node.input[draw(st.integers(0, len(node.input) - 1))] = text
        else:
            node.input.append(text)
    elif what == "drop_input" and node.input:
        del node.input[draw(st.integers(0, len(node.input) - 1))]
    elif what == "del":
        del nodes[i]
    elif what == "dup":
        nodes.add().CopyFrom(node)
    elif what == "attr":
        keys = sorted(node.attr) or ["T"]
        _set_attr_kind(draw, node.attr[draw(st.sampled_from(keys + ["dtype", "shape", "f"]))])
    elif what == "drop_attr" and node.attr:
        del node.attr[draw(st.sampled_from(sorted(node.attr)))]
    elif what == "device":
        node.device = draw(hostile_text)


def mutate_graph_def(draw, gd) -> None:
    what = draw(st.sampled_from(["nodes", "nodes", "nodes", "versions", "function"]))
    if what == "nodes":
        mutate_nodes(draw, gd.node)
    elif what == "versions":
        gd.versions.producer = draw(st.integers(-(2 ** 31), 2 ** 31 - 1))
    elif what == "function" and len(gd.library.function):
        f = gd.library.function[draw(st.integers(0, len(gd.library.function) - 1))]
        part = draw(st.sampled_from(["body", "name", "ret", "args", "drop"]))
        if part == "body":
            mutate_nodes(draw, f.node_def)
        elif part == "name":
            f.signature.name = draw(hostile_text)
        elif part == "ret" and f.ret:
            f.ret[draw(st.sampled_from(sorted(f.ret)))] = draw(hostile_text)
        elif part == "args":
            if f.signature.input_arg and draw(st.booleans()):
                del f.signature.input_arg[0]
            else:
                f.signature.input_arg.add(name=draw(hostile_text), type=draw(dtype_values))
        elif part == "drop":
            del gd.library.function[draw(st.integers(0, len(gd.library.function) - 1))]


@st.composite
def field_edits(draw):
    seed = draw(seeds)
    data = SEED_BYTES[seed]
    if seed.name == "saved_model.pb":
        msg = SavedModel()
        msg.ParseFromString(data)
        meta = msg.meta_graphs[0]
        for _ in range(draw(st.integers(1, 3))):
            what = draw(st.sampled_from(["graph", "graph", "signature", "tags", "op_list"]))
            if what == "graph":
                mutate_graph_def(draw, meta.graph_def)
            elif what == "signature" and meta.signature_def:
                sig = meta.signature_def[draw(st.sampled_from(sorted(meta.signature_def)))]
                infos = sig.outputs if draw(st.booleans()) or not sig.inputs else sig.inputs
                if infos:
                    info = infos[draw(st.sampled_from(sorted(infos)))]
                    info.name = draw(hostile_text)
                    info.dtype = draw(dtype_values)
            elif what == "tags":
                meta.meta_info_def.tags[:] = [draw(hostile_text)]
            elif what == "op_list" and len(meta.meta_info_def.stripped_op_list.op):
                op = meta.meta_info_def.stripped_op_list.op[0]
                op.output_arg.add(name=draw(hostile_text), number_attr=draw(hostile_text))
    else:
        msg = GraphDef()
        msg.ParseFromString(data)
        for _ in range(draw(st.integers(1, 3))):
            mutate_graph_def(draw, msg)
    return seed, msg.SerializeToString()


def test_field_edits_load_or_raise_input_error(tmp_path):
    seen = set()

    @FUZZ
    @given(field_edits())
    def check(case):
        seed, data = case
        seen.add(exercise(write_model(tmp_path, seed, data)))

    check()
    assert seen == {"ok", "input error"}


# -- through the CLI ---------------------------------------------------------------------------
def cli_sample(n: int = 10, seed: int = 20240607) -> list[tuple[str, Path, bytes]]:
    """A fixed sample of damaged files: flips, cuts and pastes of every seed."""
    rng = random.Random(seed)
    out = []
    paths = sorted(SEED_BYTES, key=str)
    for k in range(n):
        src = paths[k % len(paths)]
        data = bytearray(SEED_BYTES[src])
        how = ("flip", "cut", "paste")[k % 3]
        if how == "flip":
            for _ in range(3):
                data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        elif how == "cut":
            data = data[: rng.randrange(1, len(data))]
        else:
            other = SEED_BYTES[rng.choice(paths)]
            start = rng.randrange(len(other))
            at = rng.randrange(len(data))
            data[at:at] = other[start: start + 200]
        out.append((f"{src.parent.name}/{src.name}:{how}", src, bytes(data)))
    return out


def test_damaged_files_through_the_cli_give_exit_0_1_2_and_one_line(tmp_path):
    outcomes = []
    for k, (label, src, data) in enumerate(cli_sample()):
        case_dir = tmp_path / f"case{k}"
        case_dir.mkdir()
        model = write_model(case_dir, src, data)
        command = "analyze" if k % 2 else "inspect"
        proc = subprocess.run([sys.executable, "-m", "trtlint", command, str(model),
                               "--format", "json"], capture_output=True, text=True,
                              timeout=300, env=dict(os.environ, NO_COLOR="1"))
        assert proc.returncode in (0, 1, 2), (label, proc.returncode, proc.stderr[-2000:])
        assert "Traceback" not in proc.stderr + proc.stdout, (label, proc.stderr[-2000:])
        if proc.returncode == 2:
            lines = proc.stderr.splitlines()
            assert len(lines) == 1 and lines[0].startswith("trtlint: error: "), (label, lines)
            assert "internal error" not in lines[0], (label, lines[0])
            assert str(model) in lines[0], (label, lines[0])
        outcomes.append(proc.returncode)
    assert 2 in outcomes  # most damage is detected ...


# -- a library whose calls multiply ------------------------------------------------------------
def doubling_library(levels: int):
    """f0 calls f1 twice, f1 calls f2 twice, ...: inlining f0 makes 2**levels bodies."""
    gd = GraphDef()
    x = gd.node.add(name="x", op="Placeholder")
    x.attr["dtype"].type = 1
    gd.node.add(name="call", op="f0").input.append("x")
    for k in range(levels + 1):
        f = gd.library.function.add()
        f.signature.name = f"f{k}"
        f.signature.input_arg.add(name="a", type=1)
        f.signature.output_arg.add(name="o", type=1)
        if k < levels:
            f.node_def.add(name="c1", op=f"f{k + 1}").input.append("a")
            f.node_def.add(name="c2", op=f"f{k + 1}").input.append("c1:o:0")
            f.ret["o"] = "c2:o:0"
        else:
            ident = f.node_def.add(name="id", op="Identity")
            ident.input.append("a")
            ident.attr["T"].type = 1
            f.ret["o"] = "id:output:0"
    return gd


def test_calls_that_multiply_stop_with_an_input_error(tmp_path, monkeypatch):
    from trtlint.load import functions

    monkeypatch.setattr(functions, "MAX_INLINED_NODES", 5000)
    path = tmp_path / "doubling.pb"
    path.write_bytes(doubling_library(40).SerializeToString())
    graph = load_model(path).graph  # a frozen graph keeps its calls; inlining a body:
    with pytest.raises(InputError, match="more than 5000 nodes"):
        functions.FunctionBody(graph.library["f0"], graph.registry, "", None, graph.library)
    # below the limit the same library inlines completely: 2**8 Identity bodies
    path.write_bytes(doubling_library(8).SerializeToString())
    graph = load_model(path).graph
    body = functions.FunctionBody(graph.library["f0"], graph.registry, "", None, graph.library)
    assert sum(1 for n in body.nodes if n.op == "Identity" and n.name.endswith("/id")) == 2 ** 8
    assert not any(n.op.startswith("f") for n in body.nodes)
