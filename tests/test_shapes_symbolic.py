"""Grappler's symbolic shapes: unknown dims with identities, unified by merges.

TF-TRT segments with grappler's static shapes, where every unknown dim is a symbol
(-2, -3, ...) shared by the tensors whose dims are provably the same, and where a
consumer's rank requirement gives an unknown-rank producer its rank.  These tests pin
down, op by op, which dims keep their symbol, which get a new one, and which are
unified -- first as plain facts about ``infer_shapes(..., grappler=True)``, then
against TensorFlow's own ``GraphProperties`` (the very inference TF-TRT calls), on
graphs built with TensorFlow.

The comparison is on the *partition*: symbol numbers are arbitrary, so two shape
maps agree when a bijection between their symbols makes every shape equal and every
known dim is the same number.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import pytest

from trtlint.load import load_model
from trtlint.shapes import infer_shapes
from trtlint.shapes.symbols import SymbolTable
from shared_data import CORPUS_MODELS

CORPUS = CORPUS_MODELS
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "graphs"


# -- the comparison -------------------------------------------------------------------
def partition_mismatches(theirs: dict, ours, graph, names=None) -> list:
    """Outputs whose shapes differ beyond a renaming of symbols (in graph order).

    ``theirs`` maps node -> list of shapes (lists of ints, None for unknown rank) with
    grappler's symbols; ``ours`` is a ShapeMap.  A TF symbol must always meet the same
    trtlint symbol and vice versa; known dims and ranks must be equal."""
    to_ours: dict[int, int] = {}
    to_theirs: dict[int, int] = {}
    bad = []
    for name in names or graph.nodes:
        t_outs = theirs.get(name)
        if t_outs is None:
            continue
        o_outs = ours.outputs(name)
        for k, t in enumerate(t_outs):
            o = o_outs[k] if k < len(o_outs) else None
            if not _same(t, o, to_ours, to_theirs):
                bad.append((name, graph[name].op, k, t, None if o is None else list(o)))
    return bad


def _same(t, o, to_ours: dict, to_theirs: dict) -> bool:
    if t is None or o is None:
        return t is None and o is None
    if len(t) != len(o):
        return False
    ok = True
    for dt, do in zip(t, o):
        if dt >= 0 or do >= 0:
            ok &= dt == do
            continue
        if to_ours.setdefault(dt, do) != do or to_theirs.setdefault(do, dt) != dt:
            ok = False
    return ok


def grappler_properties(graph_def) -> dict[str, list]:
    """TensorFlow's ``GraphProperties::InferStatically`` for every node's outputs.

    Python reaches it through a grappler Item, which feeds every Placeholder (and a
    fed tensor's shape is unknown to grappler); TF-TRT's call assumes feeds are valid.
    So placeholders become VariableV2 nodes here: their shape function makes the same
    shape from the same ``shape`` attr, and nothing is fed."""
    from tensorflow.core.protobuf import meta_graph_pb2
    from tensorflow.python.grappler import item as grappler_item

    graph_def = type(graph_def).FromString(graph_def.SerializeToString())
    consumed = {i.split(":")[0].lstrip("^") for n in graph_def.node for i in n.input}
    sinks = [n.name for n in graph_def.node if n.name not in consumed]
    for node in graph_def.node:
        if node.op in ("Placeholder", "PlaceholderV2"):
            node.op = "VariableV2"
            shape = node.attr["shape"].shape
            if graph_def.versions.producer <= 21 and not shape.unknown_rank and not shape.dim:
                shape.unknown_rank = True  # Placeholder's legacy reading of ()
    meta = meta_graph_pb2.MetaGraphDef()
    meta.graph_def.CopyFrom(graph_def)
    meta.collection_def["train_op"].node_list.value.extend(sinks)
    item = grappler_item.Item(meta, ignore_colocation=True, ignore_user_placement=False)
    return {name: [None if p.shape.unknown_rank else [d.size for d in p.shape.dim]
                   for p in props]
            for name, props in item.GetOpProperties().items()}


# -- plain facts (no TensorFlow) -------------------------------------------------------
def test_a_symbol_table_unifies_and_a_known_size_wins():
    table = SymbolTable()
    a, b, c = table.new_dim(), table.new_dim(), table.new_dim()
    assert (a, b, c) == (-2, -3, -4)
    table.dim_merges["n1"] = [(a, b)]
    table.dim_merges["n2"] = [(b, 128)]
    table.resolve(["n1", "n2"])
    assert table.dim(a) == table.dim(b) == 128
    assert table.dim(c) == c  # never merged: its own symbol
    assert table.shape((a, c, 3)) == (128, c, 3)


def test_an_unknown_rank_class_takes_the_rank_a_consumer_required():
    table = SymbolTable()
    x = table.new_shape()
    dims = (table.new_dim(), table.new_dim())
    table.shape_merges["consumer"] = [(("u", x), ("k", dims))]
    table.resolve(["consumer"])
    assert table.shape(None, x) == dims
    assert table.shape(None, table.new_shape()) is None


def test_contradictory_merges_drop_every_merge_as_grappler_does():
    table = SymbolTable()
    a, b = table.new_dim(), table.new_dim()
    table.dim_merges["n1"] = [(a, b)]
    table.dim_merges["n2"] = [(a, 3), (b, 4)]
    table.resolve(["n1", "n2"])
    assert table.failed
    assert table.dim(a) == a and table.dim(b) == b


def test_import_time_view_has_no_symbols(tmp_path):
    graph = _graph_from_text(tmp_path, """
        node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } }
               attr { key: "shape" value { shape { dim { size: -1 } dim { size: 8 } } } } }
        node { name: "r" op: "Relu" input: "x" attr { key: "T" value { type: DT_FLOAT } } }
        versions { producer: 1000 }""")
    assert infer_shapes(graph).output_shape("r") == (-1, 8)
    grappler = infer_shapes(graph, grappler=True)
    assert grappler.output_shape("r") == grappler.output_shape("x")
    assert grappler.output_shape("r")[0] <= -2


def _graph_from_text(tmp_path: Path, text: str):
    path = tmp_path / "g.pbtxt"
    path.write_text(text)
    return load_model(path).graph


# -- op by op, built with TensorFlow ---------------------------------------------------
tf_only = pytest.mark.tensorflow


@pytest.fixture(scope="module")
def tf():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf

    return tf


class Probe:
    """A graph built with TensorFlow, inferred by trtlint (grappler view) and by TF."""

    def __init__(self, tf, tmp_path: Path, build) -> None:
        g = tf.Graph()
        with g.as_default():
            build(tf, tf.compat.v1)
        self.graph_def = g.as_graph_def()
        path = tmp_path / "probe.pb"
        path.write_bytes(self.graph_def.SerializeToString())
        self.graph = load_model(path).graph
        self.ours = infer_shapes(self.graph, grappler=True)
        self.theirs = grappler_properties(self.graph_def)

    def __call__(self, name: str, k: int = 0):
        return self.ours.output_shape(name, k)

    def tf(self, name: str, k: int = 0) -> Optional[list]:
        return self.theirs[name][k]

    def mismatches(self) -> list:
        return partition_mismatches(self.theirs, self.ours, self.graph)


@pytest.fixture
def probe(tf, tmp_path):
    return lambda build: Probe(tf, tmp_path, build)


@tf_only
def test_pass_through_ops_keep_the_symbol_and_broadcasting_two_unknowns_makes_one(probe):
    def build(tf, v1):
        x = v1.placeholder(tf.float32, [None, 8], name="x")
        y = v1.placeholder(tf.float32, [None, 8], name="y")
        r = tf.nn.relu(x, name="relu")
        tf.identity(tf.cast(r, tf.float16, name="cast"), name="out1")
        tf.identity(tf.add(r, x, name="same_handle"), name="out2")
        tf.identity(tf.add(x, y, name="two_unknowns"), name="out3")
        tf.identity(tf.add(x, tf.constant(1.0, shape=[8]), name="with_weights"), name="out4")

    p = probe(build)
    assert p("relu") == p("x") and p("cast") == p("x")
    assert p("same_handle") == p("x")              # the same dim both sides: kept
    assert p("two_unknowns")[0] not in (p("x")[0], p("y")[0])  # a new unknown dim
    assert p("with_weights") == p("x")
    assert p.mismatches() == []


@tf_only
def test_matmul_states_its_inner_dims_equal_and_an_unknown_rank_input_becomes_rank_2(probe):
    def build(tf, v1):
        x = v1.placeholder(tf.float32, None, name="x")           # unknown rank
        m = tf.multiply(x, tf.constant(2.0, shape=[8]), name="scaled")
        # (tf.matmul of an unknown-rank tensor makes BatchMatMulV2, which refines nothing)
        mm = tf.raw_ops.MatMul(a=m, b=tf.constant(1.0, shape=[8, 4]), name="mm")
        tf.identity(mm, name="out")

    p = probe(build)
    assert p("x") is None                 # a Placeholder's own shape is its declaration...
    assert p("scaled")[1] == 8            # ...but MatMul made its input [?, 8]
    assert p("mm")[0] == p("scaled")[0] and p("mm")[1] == 4
    assert p.mismatches() == []


@tf_only
def test_rank_requirements_reach_back_through_forwarding_ops_only(probe):
    def build(tf, v1):
        k = tf.constant(1.0, shape=[3, 3, 3, 8])
        a = v1.placeholder(tf.float32, None, name="a")
        ra = tf.nn.relu(a, name="relu_a")
        tf.identity(tf.nn.conv2d(ra, k, [1, 1, 1, 1], "SAME", name="conv"), name="o1")
        b = v1.placeholder(tf.float32, None, name="b")
        rb = tf.nn.relu(b, name="relu_b")
        tf.identity(tf.nn.bias_add(rb, tf.constant(1.0, shape=[4]), name="bias"), name="o2")
        c = v1.placeholder(tf.float32, None, name="c")
        sc = tf.nn.sigmoid(c, name="sig_c")
        tf.identity(tf.transpose(sc, [0, 2, 1], name="tr"), name="o3")
        d = v1.placeholder(tf.float32, None, name="d")
        tf.identity(tf.matmul(d, d, name="bmm_like"), name="o4")
        e = v1.placeholder(tf.float32, None, name="e")
        se = tf.nn.softmax(tf.nn.relu(e, name="relu_e"), name="sm")
        tf.identity(tf.nn.max_pool2d(se, 2, 2, "VALID", name="pool"), name="o5")

    p = probe(build)
    assert len(p("relu_a")) == 4 and p("relu_a")[0] == p("conv")[0]   # Conv2D: rank 4
    assert p("relu_b") is None and p("bias") is None                   # BiasAdd: no
    assert len(p("sig_c")) == 3                                        # Transpose: len(perm)
    assert p("d") is None                                              # BatchMatMulV2: no
    assert len(p("relu_e")) == 4 and p("sm") == p("relu_e")            # through Softmax
    assert p.mismatches() == []


@tf_only
def test_rank_refinement_cases_measured_with_tf_trt(probe):
    """The cases probed with the TF-TRT oracle (a Relu becomes a candidate when a
    consumer needs its unknown-rank input to have a rank): each an unknown-rank
    placeholder, one op, and the consumer that may or may not refine it."""
    def build(tf, v1):
        k = lambda: tf.constant(1.0, shape=[3, 3, 3, 8])  # noqa: E731
        w = lambda: tf.constant(1.0, shape=[8, 4])         # noqa: E731

        def ph(name):
            return v1.placeholder(tf.float32, None, name=name)

        def conv(t, name):
            return tf.nn.conv2d(t, k(), [1, 1, 1, 1], "SAME", name=name)

        tf.identity(conv(tf.nn.relu(ph("b"), name="relu_before_conv"), "conv_b"))
        tf.identity(tf.nn.relu(ph("d"), name="relu_alone"))
        tf.identity(tf.nn.softmax(tf.nn.relu(ph("h"), name="relu_before_softmax")))
        r = tf.nn.relu6(tf.nn.relu(ph("l"), name="relu_l"), name="relu6_l")
        tf.identity(conv(r, "conv_l"))
        rm = tf.nn.relu(ph("m"), name="relu_m")         # two consumers: Reshape and Conv2D
        tf.identity(tf.reshape(rm, [-1, 4], name="rs_m"))
        tf.identity(conv(rm, "conv_m"))
        tf.identity(tf.squeeze(tf.nn.relu(ph("o"), name="relu_o"), [1]))
        tf.identity(tf.nn.relu(tf.expand_dims(ph("q"), 0, name="ed_q"), name="relu_q"))
        tf.identity(tf.raw_ops.MatMul(a=tf.nn.relu(ph("c"), name="relu_before_mm"), b=w()))

    p = probe(build)
    assert len(p("relu_before_conv")) == 4 and p("b") == p("relu_before_conv")  # one identity
    assert p("relu_alone") is None and p("relu_before_softmax") is None
    assert len(p("relu_l")) == len(p("relu6_l")) == 4
    assert len(p("relu_m")) == 4 and p("relu_m")[0] == p("conv_m")[0]
    assert p("relu_o") is None and p("relu_q") is None
    assert p("relu_before_mm")[1] == 8
    assert p.mismatches() == []


@tf_only
def test_reshape_keeps_the_one_unknown_dim_when_the_known_sizes_agree(probe):
    def build(tf, v1):
        x = v1.placeholder(tf.float32, [None, 8, 8], name="x")
        tf.identity(tf.reshape(x, [-1, 64], name="flat"), name="o1")
        tf.identity(tf.reshape(x, [-1, 32], name="other_count"), name="o2")
        n = tf.shape(x)[0]
        tf.identity(tf.reshape(x, tf.stack([n, -1]), name="packed"), name="o3")
        tf.identity(tf.reshape(x, tf.stack([n, 64]), name="packed_known"), name="o4")
        y = v1.placeholder(tf.float32, [None, 64], name="y")
        tf.identity(tf.reshape(y, tf.shape(x), name="as_shape_of_x"), name="o5")
        tf.identity(tf.fill(tf.shape(x), 0.0, name="fill_x"), name="o6")
        z = v1.placeholder(tf.float32, [None, 8, 8], name="z")
        tf.identity(tf.reshape(z, [2, 64], name="pins_batch"), name="o7")

    p = probe(build)
    x0 = p("x")[0]
    assert p("flat") == (x0, 64)
    assert p("other_count")[0] != x0 and p("other_count")[1] == 32
    packed = p("packed")
    assert packed[0] != x0 and packed[1] != x0 and packed[0] != packed[1]
    assert p("packed_known") == (x0, 64)       # one unknown each side, equal counts
    # Shape(x) read as a shape is x's very dims ([x0, 8, 8]); Reshape then swaps its
    # one unknown dim for the input's (the element counts agree)
    assert p("fill_x") == p("x")
    assert p("as_shape_of_x") == (p("y")[0], 8, 8)
    # a fully known target fixes the input's one unknown dim: z is [2, 8, 8] in the end
    assert p("pins_batch") == (2, 64) and p("z") == (2, 8, 8)
    assert p.mismatches() == []


@tf_only
def test_slicing_makes_new_dims_and_shape_reads_keep_them(probe):
    def build(tf, v1):
        x = v1.placeholder(tf.float32, [None, 10, 4], name="x")
        tf.identity(tf.identity(x[:, 1:], name="strided"), name="o1")
        tf.identity(tf.slice(x, [0, 0, 0], [-1, 5, -1], name="slice"), name="o2")
        tf.identity(tf.fill(tf.shape(x), 1.0, name="fill"), name="o3")
        tf.identity(tf.gather(x, [0, 2], axis=1, name="gather"), name="o4")
        tf.identity(tf.squeeze(tf.expand_dims(x, 1, name="ed"), [1], name="sq"), name="o5")
        tf.identity(tf.reduce_mean(x, axis=[1, 2], keepdims=True, name="mean"), name="o6")
        tf.identity(tf.pad(x, [[0, 0], [1, 1], [0, 0]], name="pad"), name="o7")
        tf.identity(tf.tile(x, [1, 2, 1], name="tile"), name="o8")

    p = probe(build)
    x0 = p("x")[0]
    assert p("strided")[0] != x0                # StridedSlice: new dims, even for ':'
    assert p("slice") == (x0, 5, 4)             # begin 0, size -1: the same dim
    assert p("fill") == p("x")
    assert p("gather")[0] == x0
    assert p("ed")[0] == x0 and p("sq") == p("x")
    assert p("mean") == (x0, 1, 1)
    assert p("pad") == (x0, 12, 4) and p("tile") == (x0, 20, 4)
    assert p.mismatches() == []


@tf_only
def test_concat_pack_and_select_unify_the_dims_they_line_up(probe):
    def build(tf, v1):
        a = v1.placeholder(tf.float32, [None, 3], name="a")
        b = v1.placeholder(tf.float32, [None, 5], name="b")
        tf.identity(tf.concat([a, b], 1, name="cat"), name="o1")
        c = v1.placeholder(tf.float32, [None, 3], name="c")
        tf.identity(tf.stack([a, c], name="pack"), name="o2")
        d = v1.placeholder(tf.float32, [None, 3], name="d")
        cond = v1.placeholder(tf.bool, [None, 3], name="cond")
        tf.identity(tf.compat.v1.where(cond, a, d, name="select"), name="o3")
        e = v1.placeholder(tf.float32, [None, 7], name="e")
        f = v1.placeholder(tf.float32, [None, 7], name="f")
        tf.identity(tf.add(e, f, name="after_no_merge"), name="o4")

    p = probe(build)
    # ConcatV2 merges the non-axis dims: a, b (and through Pack, Select: c, d) are one
    assert p("a")[0] == p("b")[0] == p("c")[0] == p("d")[0] == p("cat")[0]
    assert p("pack") == (2,) + p("a")
    assert p("e")[0] != p("f")[0]
    assert p.mismatches() == []


@tf_only
def test_new_dims_for_data_dependent_sizes_and_shared_dims_between_outputs(probe):
    def build(tf, v1):
        x = v1.placeholder(tf.float32, [None, 6], name="x")
        tf.identity(tf.where(x > 0, name="where"), name="o1")
        s0, s1 = tf.split(x, 2, axis=1, name="split")
        tf.identity(s0, name="o2")
        tf.identity(s1, name="o3")
        v, i = tf.math.top_k(x, 2, name="topk")
        tf.identity(v, name="o4")
        tf.identity(i, name="o5")
        boxes = v1.placeholder(tf.float32, [None, 4], name="boxes")
        scores = v1.placeholder(tf.float32, [None], name="scores")
        tf.identity(tf.image.non_max_suppression(boxes, scores, 10, name="nms"), name="o6")

    p = probe(build)
    assert p("where")[0] not in (p("x")[0],) and p("where")[1] == 2
    assert p("split", 0) == p("split", 1) == (p("x")[0], 3)
    assert p("topk", 0) == p("topk", 1)
    assert p("boxes")[0] == p("scores")[0]      # NMS: one box count
    assert p.mismatches() == []


@tf_only
def test_placeholder_with_default_takes_its_defaults_dims(probe):
    def build(tf, v1):
        x = v1.placeholder(tf.float32, [None, 16], name="x")
        y = tf.nn.relu(x, name="relu")
        z = v1.placeholder_with_default(y, [None, 16], name="pwd")
        tf.identity(tf.matmul(z, tf.constant(1.0, shape=[16, 2]), name="mm"), name="out")

    p = probe(build)
    assert p("pwd") == p("x")
    assert p.mismatches() == []


@tf_only
def test_conv_pool_and_batch_norm_keep_the_batch_symbol(probe):
    def build(tf, v1):
        x = v1.placeholder(tf.float32, [None, None, None, 3], name="x")
        k = tf.constant(1.0, shape=[3, 3, 3, 8])
        c = tf.nn.conv2d(x, k, [1, 1, 1, 1], "SAME", name="same1")
        c2 = tf.nn.conv2d(c, tf.constant(1.0, shape=[1, 1, 8, 8]), [1, 2, 2, 1], "VALID",
                          name="valid2")
        bn, _, _ = tf.compat.v1.nn.fused_batch_norm(
            c2, tf.constant(1.0, shape=[8]), tf.constant(0.0, shape=[8]),
            tf.constant(0.0, shape=[8]), tf.constant(1.0, shape=[8]), is_training=False,
            name="bn")
        tf.identity(tf.nn.avg_pool2d(bn, 2, 2, "SAME", name="pool"), name="out")

    p = probe(build)
    x = p("x")
    assert p("same1")[:3] == x[:3]              # SAME, stride 1: the same spatial dims
    assert p("valid2")[0] == x[0] and p("valid2")[1] != x[1]
    assert p("bn") == p("valid2") and p("pool")[0] == x[0]
    assert p.mismatches() == []


@tf_only
def test_tf1_while_loop_over_tensor_arrays(probe):
    def build(tf, v1):
        v1.disable_control_flow_v2()
        try:
            x = v1.placeholder(tf.float32, [None, None, 5], name="x")   # [batch, time, 5]
            xt = tf.transpose(x, [1, 0, 2], name="time_major")
            steps = tf.shape(xt)[0]
            inputs = tf.TensorArray(tf.float32, size=steps, element_shape=[None, 5],
                                    name="inputs").unstack(xt)
            outputs = tf.TensorArray(tf.float32, size=steps, name="outputs")
            w = tf.constant(1.0, shape=[5, 6])

            def body(t, acc):
                h = tf.nn.relu(tf.matmul(inputs.read(t), w), name="cell")
                return t + 1, acc.write(t, h)

            _, done = v1.while_loop(lambda t, acc: t < steps, body, [0, outputs])
            tf.identity(tf.transpose(done.stack(), [1, 0, 2]), name="out")
        finally:
            v1.enable_control_flow_v2()

    p = probe(build)
    # the outputs' TensorArray declares no element shape (and not identical elements):
    # its handle carries nothing, so stacking it knows only the rank
    assert len(p("out")) == 3 and p("out")[2] < 0
    read = p("while/TensorArrayReadV3")
    # the element shape [?, 5] was declared; scattering the input made its unknown dim
    # the input's batch dim
    assert read == (p("x")[0], 5)
    assert p.mismatches() == []


# -- whole graphs: corpus and fixtures -------------------------------------------------
def _graphs() -> list[Path]:
    paths = [p for p in sorted(CORPUS.glob("*")) if p.suffix in (".pb", ".pbtxt")]
    return paths + sorted(FIXTURES.glob("*.pb"))


#: graph file name -> why some of its outputs differ from grappler's (none today)
KNOWN_DIFFERENCES: dict[str, str] = {}


@tf_only
@pytest.mark.parametrize("path", _graphs(), ids=lambda p: p.name)
def test_whole_graph_symbols_match_grappler(tf, path: Path):
    from test_loader_vs_tf import tf_graph_def

    try:
        theirs = grappler_properties(tf_graph_def(path))
    except Exception as exc:  # noqa: BLE001 - custom ops TensorFlow does not have
        pytest.skip(f"TensorFlow cannot build a grappler item: {str(exc).splitlines()[0][:120]}")
    graph = load_model(path).graph
    bad = partition_mismatches(theirs, infer_shapes(graph, grappler=True), graph)
    if path.name in KNOWN_DIFFERENCES:
        assert bad, f"{path.name} now agrees: drop it from KNOWN_DIFFERENCES"
        return
    assert bad == [], bad[:10]


def test_grappler_view_of_100k_nodes_is_fast(tmp_path):
    """Symbols, merges and their resolution keep inference well under 5 s at 100k nodes
    (the synthetic residual stack of test_shapes_speed, with its runtime reshapes)."""
    import time

    from test_shapes_speed import NODES_PER_BLOCK, synthetic_graph
    from trtlint.load.graphdef import build_graph

    blocks = -(-100_000 // NODES_PER_BLOCK)
    graph = build_graph(synthetic_graph(blocks), tmp_path / "synthetic.pb")
    graph.consumers("input")
    start = time.perf_counter()
    shapes = infer_shapes(graph, grappler=True)
    elapsed = time.perf_counter() - start
    last = f"block{blocks - 1}/"
    batch = shapes.output_shape("input")[0]
    assert batch <= -2 and shapes.grappler
    # every block's runtime reshape keeps the input's batch symbol
    assert shapes.output_shape(last + "square") == (batch, 32, 32, 8)
    assert elapsed < 5.0, f"{elapsed:.2f} s"
