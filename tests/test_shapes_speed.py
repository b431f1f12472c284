"""Shape inference on a 100k-node graph must take well under 5 seconds.

The graph is synthetic but shaped like real ones: a deep residual conv stack where
every block also does the runtime shape arithmetic exported models are full of
(``Shape -> StridedSlice -> Pack -> Reshape``), built as a GraphDef with trtlint's
own protobuf schema (no TensorFlow) and loaded through the normal loader, so that
attribute decoding is part of what is measured.
"""

from __future__ import annotations

import time

from trtlint.graph.dtypes import VALUES as DTYPE_VALUES
from trtlint.load.graphdef import build_graph
from trtlint.load.schema import GraphDef, message_class
from trtlint.shapes import infer_shapes

AttrValue = message_class("AttrValue")

#: nodes per residual block below
NODES_PER_BLOCK = 22


class _Builder:
    def __init__(self) -> None:
        self.gd = GraphDef()
        self.gd.versions.producer = 1000

    def node(self, name: str, op: str, inputs=(), **attrs) -> str:
        nd = self.gd.node.add()
        nd.name, nd.op = name, op
        nd.input.extend(inputs)
        for key, value in attrs.items():
            nd.attr[key].CopyFrom(value)
        return name

    @staticmethod
    def type_attr(dtype: str):
        return AttrValue(type=DTYPE_VALUES[dtype])

    @staticmethod
    def int_attr(v: int):
        return AttrValue(i=v)

    @staticmethod
    def str_attr(v: str):
        return AttrValue(s=v.encode())

    @staticmethod
    def ints_attr(values):
        a = AttrValue()
        a.list.i.extend(values)
        return a

    def const(self, name: str, dtype: str, shape, int_values=None) -> str:
        a = AttrValue()
        t = a.tensor
        t.dtype = DTYPE_VALUES[dtype]
        for d in shape:
            t.tensor_shape.dim.add().size = d
        if int_values is not None:
            t.int_val.extend(int_values)
        return self.node(name, "Const", dtype=self.type_attr("float32" if dtype == "float32"
                                                             else dtype), value=a)

    def placeholder(self, name: str, shape) -> str:
        a = AttrValue()
        for d in shape:
            a.shape.dim.add().size = d
        return self.node(name, "Placeholder", dtype=self.type_attr("float32"), shape=a)


def synthetic_graph(blocks: int, channels: int = 8) -> GraphDef:
    """A residual conv stack of ``blocks`` blocks of NODES_PER_BLOCK nodes each."""
    b = _Builder()
    f32 = b.type_attr("float32")
    i32 = b.type_attr("int32")
    x = b.placeholder("input", [-1, 32, 32, channels])
    for k in range(blocks):
        p = f"block{k}/"
        w = b.const(p + "w", "float32", [3, 3, channels, channels])
        conv = b.node(p + "conv", "Conv2D", [x, w], T=f32, strides=b.ints_attr([1, 1, 1, 1]),
                      padding=b.str_attr("SAME"), data_format=b.str_attr("NHWC"))
        bias = b.const(p + "b", "float32", [channels])
        added = b.node(p + "bias", "BiasAdd", [conv, bias], T=f32)
        relu = b.node(p + "relu", "Relu", [added], T=f32)
        shape = b.node(p + "shape", "Shape", [relu], T=f32, out_type=i32)
        begin = b.const(p + "begin", "int32", [1], [0])
        end = b.const(p + "end", "int32", [1], [1])
        stride = b.const(p + "stride", "int32", [1], [1])
        batch = b.node(p + "batch", "StridedSlice", [shape, begin, end, stride], T=i32,
                       Index=i32, shrink_axis_mask=b.int_attr(1))
        hw = b.const(p + "hw", "int32", [], [32 * 32])
        ch = b.const(p + "ch", "int32", [], [channels])
        target = b.node(p + "target", "Pack", [batch, hw, ch], T=i32, N=b.int_attr(3))
        flat = b.node(p + "flat", "Reshape", [relu, target], T=f32, Tshape=i32)
        back = b.const(p + "back", "int32", [4], [-1, 32, 32, channels])
        square = b.node(p + "square", "Reshape", [flat, back], T=f32, Tshape=i32)
        scale = b.const(p + "scale", "float32", [])
        scaled = b.node(p + "scaled", "Mul", [square, scale], T=f32)
        x = b.node(p + "residual", "AddV2", [x, scaled], T=f32)
        axes = b.const(p + "axes", "int32", [2], [1, 2])
        b.node(p + "mean", "Mean", [x, axes], T=f32, Tidx=i32, keep_dims=AttrValue(b=True))
        b.node(p + "out", "Identity", [p + "mean"], T=f32)
    return b.gd


def test_synthetic_graph_is_what_it_claims(tmp_path):
    gd = synthetic_graph(3)
    assert len(gd.node) == 1 + 3 * NODES_PER_BLOCK
    graph = build_graph(gd, tmp_path / "synthetic.pb")
    shapes = infer_shapes(graph)
    assert shapes.output_shape("block2/flat") == (-1, 1024, 8)
    assert shapes.output_shape("block2/square") == (-1, 32, 32, 8)
    assert shapes.output_shape("block2/mean") == (-1, 1, 1, 8)
    with_batch = infer_shapes(graph, {"input": (4, 32, 32, 8)})
    assert with_batch.output_shape("block2/flat") == (4, 1024, 8)


def test_100k_nodes_well_under_five_seconds(tmp_path, capsys):
    blocks = -(-100_000 // NODES_PER_BLOCK)
    graph = build_graph(synthetic_graph(blocks), tmp_path / "synthetic.pb")
    assert len(graph) >= 100_000
    graph.consumers("input")  # build the edge index outside the measurement, as loading does
    start = time.perf_counter()
    shapes = infer_shapes(graph)
    elapsed = time.perf_counter() - start
    with capsys.disabled():
        print(f"\ninfer_shapes on {len(graph)} nodes: {elapsed:.2f} s")
    last = f"block{blocks - 1}/"
    assert shapes.output_shape(last + "square") == (-1, 32, 32, 8)
    assert elapsed < 5.0
