"""What constant folding knows about each node: grappler's ``GraphProperties``.

Constant folding infers shapes once, on the graph as it enters the pass, and keeps
using those answers (looked up by node name) while it rewrites the graph.  It does not
trust feeds: every fed ``Placeholder`` has an unknown shape there, whatever its
declaration says, so only shapes that follow from constants are known (a model with a
fixed ``1x224x224x3`` input still gets no ``Shape`` materialized from it).  This module
gives the same view, from trtlint's own shape inference:

* input and output ``(shape, dtype)`` of every node that existed at entry;
* the **value** grappler attaches to an output.  Without "aggressive" inference
  grappler evaluates nothing: it only knows the values of constants, of ``Rank`` and
  ``Size`` of tensors whose rank/size is known, and of integer vectors it can read as
  *shapes*: ``Shape``, and ``Pack``/``ConcatV2``/``Slice``/``StridedSlice``/
  ``Identity`` of such shape vectors (negative constants count as unknown dims).  A
  value exists when that shape vector is fully known.  This matters because a
  foldable node with a value is replaced in place with its data inputs turned into
  control inputs, which keeps those input constants alive; one without a value is
  folded normally and its inputs vanish.
"""

from __future__ import annotations

import inspect
from typing import Optional

from ..graph import dtypes
from ..graph.model import Graph, Node, TensorRef
from ..graph.tensors import Shape
from ..shapes import ShapeMap, infer_shapes

#: whether trtlint's shape inference has a grappler mode (symbolic dims, merges)
_HAS_GRAPPLER_MODE = "grappler" in inspect.signature(infer_shapes).parameters

#: the ops :meth:`GrapplerProperties.output_value` can know a value for: those
#: ``_compute_proto`` reads (constants, ``Rank``, ``Size``, identities) and those
#: ``_compute_tas`` reads as shape vectors; keep in step with both
_VALUE_SOURCE_OPS = frozenset({"Const", "Rank", "Size", "Identity", "RefIdentity", "IdentityN",
                               "Shape", "ShapeN", "ConcatV2", "Pack", "Slice",
                               "StridedSlice"})
#: a dim that came from a negative constant in a shape vector (``kUnknownDimFromConst``)
UNKNOWN_FROM_CONST = object()
_INT = ("int32", "int64")
#: grappler skips instantiating constants larger than this for shape propagation
_CONST_SHAPE_LIMIT = 1 << 20

Props = list[tuple[Shape, Optional[str]]]


class _Tas:
    """A tensor read as a shape: ``dims`` is None when its rank is unknown; each dim is
    an int >= 0, None (unknown) or :data:`UNKNOWN_FROM_CONST`."""

    __slots__ = ("dims",)

    def __init__(self, dims: Optional[list]) -> None:
        self.dims = dims

    def fully_defined(self) -> bool:
        return self.dims is not None and all(isinstance(d, int) for d in self.dims)


class GrapplerProperties:
    """Shapes, dtypes and values of the graph constant folding started from."""

    def __init__(self, graph: Graph, shapes: Optional[ShapeMap]) -> None:
        self.graph = graph
        self.shapes = shapes
        self._tas: dict[tuple[str, int], Optional[_Tas]] = {}
        self._proto: dict[tuple[str, int], Optional[list]] = {}
        self._out_props: dict[str, Props] = {}
        self._in_props: dict[str, Props] = {}

    @property
    def has_properties(self) -> bool:
        return self.shapes is not None

    def has(self, name: str) -> bool:
        return self.shapes is not None and name in self.graph.nodes

    # -- shapes and dtypes ----------------------------------------------------------
    def output_props(self, name: str) -> Props:
        cached = self._out_props.get(name)
        if cached is None:
            cached = self._out_props[name] = self._output_props(name)
        return cached

    def input_props(self, name: str) -> Props:
        cached = self._in_props.get(name)
        if cached is None:
            cached = self._in_props[name] = self._input_props(name)
        return cached

    def _output_props(self, name: str) -> Props:
        node = self.graph.nodes.get(name)
        if node is None or self.shapes is None:
            return []
        shapes = self.shapes.outputs(name)
        types = self.graph.registry.output_dtypes(node.op, node.attrs) or []
        n = max(len(shapes), len(types))
        out: Props = []
        for i in range(n):
            out.append((shapes[i] if i < len(shapes) else None,
                        types[i] if i < len(types) else None))
        return out

    def _input_props(self, name: str) -> Props:
        node = self.graph.nodes.get(name)
        if node is None or self.shapes is None:
            return []
        return [(self.shapes.shape(ref), self.graph.output_dtype(ref)) for ref in node.inputs]

    def output_shape(self, name: str, port: int = 0) -> Shape:
        if self.shapes is None:
            return None
        return self.shapes.output_shape(name, port)

    # -- values ---------------------------------------------------------------------
    def may_have_value(self, name: str) -> bool:
        """False when :meth:`output_value` is None for sure: the node did not exist at
        entry, or its op is none of those whose value grappler reads (a cheap test
        that spares the value lookup for the great majority of nodes)."""
        node = self.graph.nodes.get(name)
        return node is not None and node.op in _VALUE_SOURCE_OPS

    def output_value(self, name: str) -> Optional[list]:
        """The value grappler records for output 0 of ``name`` (flat ints), or None."""
        node = self.graph.nodes.get(name)
        if node is None or self.shapes is None:
            return None
        proto = self._proto_value(name, 0)
        if proto is not None:
            return proto
        props = self.output_props(name)
        if len(props) != 1:
            return None
        shape, dtype = props[0]
        if dtype not in _INT or shape is None or len(shape) > 1:
            return None
        tas = self._tensor_as_shape(name, 0)
        if tas is None or not tas.fully_defined():
            return None
        if len(shape) == 0:
            return list(tas.dims) if len(tas.dims) == 1 else None
        return list(tas.dims)

    def _proto_value(self, name: str, port: int) -> Optional[list]:
        key = (name, port)
        if key in self._proto:
            return self._proto[key]
        self._proto[key] = None  # guards cycles
        result = self._compute_proto(name, port)
        self._proto[key] = result
        return result

    def _compute_proto(self, name: str, port: int) -> Optional[list]:
        node = self.graph.nodes.get(name)
        if node is None or self._is_fed(node):
            return None
        op = node.op
        if op == "Const":
            if port != 0:
                return None
            value = node.value
            if value is None or value.dtype in ("string", "variant", "resource"):
                return None
            n = value.num_elements
            if n is None or n > 4096:
                return None
            return value.values(limit=4096)
        if op == "Rank" and node.inputs:
            shape = self.shapes.shape(node.inputs[0])
            return None if shape is None else [len(shape)]
        if op == "Size" and node.inputs:
            shape = self.shapes.shape(node.inputs[0])
            if shape is None or any(d < 0 for d in shape):
                return None
            size = 1
            for d in shape:
                size *= d
            if node.attr("out_type", "int32") == "int32" and size >= (1 << 31) - 1:
                return None
            return [size]
        if op in ("Identity", "RefIdentity") or (
                op == "IdentityN" and len(node.attr("T") or ()) == 1):
            if node.inputs:
                ref = node.inputs[0]
                return self._proto_value(ref.node, ref.index)
        return None

    def _input_tensor(self, ref: TensorRef) -> Optional[list]:
        return self._proto_value(ref.node, ref.index)

    def _tensor_as_shape(self, name: str, port: int) -> Optional[_Tas]:
        key = (name, port)
        if key in self._tas:
            return self._tas[key]
        self._tas[key] = None
        result = self._compute_tas(name, port)
        self._tas[key] = result
        return result

    def _is_fed(self, node) -> bool:
        return node.op in ("Placeholder", "PlaceholderV2")

    def _compute_tas(self, name: str, port: int) -> Optional[_Tas]:
        node = self.graph.nodes.get(name)
        if node is None or self._is_fed(node):
            return None
        op = node.op
        inputs = node.inputs
        if op == "Const":
            value = node.value
            if value is None or value.dtype not in _INT or value.shape is None:
                return None
            if len(value.shape) > 1 or (value.num_elements or 0) > _CONST_SHAPE_LIMIT:
                return None
            vals = value.values(limit=_CONST_SHAPE_LIMIT)
            if vals is None:
                return None
            if len(value.shape) == 1:
                if any(v < -1 for v in vals):
                    return None
                return _Tas([UNKNOWN_FROM_CONST if v < 0 else v for v in vals])
            v = vals[0]
            if v == -1:
                return _Tas(None)
            return _Tas([v]) if v >= 0 else None
        if op == "Shape" and inputs:
            return _shape_tas(self.shapes.shape(inputs[0]))
        if op == "ShapeN" and port < len(inputs):
            return _shape_tas(self.shapes.shape(inputs[port]))
        if op == "ConcatV2" and len(inputs) >= 2:
            dims: list = []
            for ref in inputs[:-1]:
                t = self._tensor_as_shape(ref.node, ref.index)
                if t is None or t.dims is None:
                    return None
                dims.extend(t.dims)
            return _Tas(dims)
        if op == "Pack":
            dims = []
            for ref in inputs:
                t = self._input_tensor(ref)
                if t is not None:
                    shape = self.shapes.shape(ref)
                    dtype = self.graph.output_dtype(ref)
                    if shape != () or dtype not in _INT:
                        return None
                    dims.append(UNKNOWN_FROM_CONST if t[0] < 0 else int(t[0]))
                else:
                    s = self._tensor_as_shape(ref.node, ref.index)
                    if s is not None and s.dims and s.dims[0] is not None:
                        dims.append(s.dims[0])
                    else:
                        dims.append(UNKNOWN_FROM_CONST)
            return _Tas(dims)
        if op in ("Identity", "RefIdentity") or (
                op == "IdentityN" and len(node.attr("T") or ()) == 1):
            if inputs:
                return self._tensor_as_shape(inputs[0].node, inputs[0].index)
            return None
        if op == "Slice" and len(inputs) >= 3:
            src = self._tensor_as_shape(inputs[0].node, inputs[0].index)
            begin = self._input_tensor(inputs[1])
            size = self._input_tensor(inputs[2])
            if src is None or src.dims is None or begin is None or size is None:
                return None
            if len(begin) != 1 or len(size) != 1:
                return None
            start = int(begin[0])
            end = None if size[0] == -1 else start + int(size[0])
            return _subshape(src.dims, start, end, 1)
        if op == "StridedSlice" and len(inputs) >= 4:
            src = self._tensor_as_shape(inputs[0].node, inputs[0].index)
            b, e, s = (self._input_tensor(inputs[i]) for i in (1, 2, 3))
            if src is None or src.dims is None or b is None or e is None or s is None:
                return None
            if len(b) != 1 or len(e) != 1 or len(s) != 1:
                return None
            if node.attr("ellipsis_mask", 0) or node.attr("new_axis_mask", 0) or \
                    node.attr("shrink_axis_mask", 0):
                return None
            bm, em = node.attr("begin_mask", 0), node.attr("end_mask", 0)
            if bm not in (0, 1) or em not in (0, 1):
                return None
            start = 0 if bm else int(b[0])
            end = None if em else int(e[0])
            return _subshape(src.dims, start, end, int(s[0]))
        return None


# -- grappler's view of shapes ----------------------------------------------------------
#: ops whose output *values* grappler's (non-aggressive) shape inference knows
_VALUE_OPS = frozenset({"Const", "HostConst", "Shape", "ShapeN", "Size", "Rank", "Identity",
                        "RefIdentity", "IdentityN", "Pack", "ConcatV2", "Slice",
                        "StridedSlice"})


def _keeps_values(node) -> bool:
    """Whether grappler's shape inference would know the values ``node`` produces
    (when trtlint's inference does): it evaluates nothing, it only reads shape
    vectors through a few ops."""
    op = node.op
    if op not in _VALUE_OPS:
        return False
    if op == "IdentityN":
        return len(node.attr("T") or ()) == 1
    if op == "StridedSlice":
        if node.attr("ellipsis_mask", 0) or node.attr("new_axis_mask", 0) or \
                node.attr("shrink_axis_mask", 0):
            return False
        return node.attr("begin_mask", 0) in (0, 1) and node.attr("end_mask", 0) in (0, 1)
    return True


def grappler_shapes(graph: Graph, feeds: set[str]) -> Optional[ShapeMap]:
    """Shapes as constant folding's ``GraphProperties`` sees them.

    * fed placeholders have unknown shapes (``assume_valid_feeds`` is off);
    * recorded ``_output_shapes`` annotations are not read;
    * values are known only where grappler knows them (see :func:`_keeps_values`):
      trtlint's inference evaluates small tensors through arithmetic, grappler
      does not, and a shape computed from such a value must stay unknown here.

    Grappler also unifies unknown dims symbolically across the whole graph (a
    ``Reshape`` to a constant shape can pin a batch dim upstream).  trtlint's shape
    inference does that in its grappler mode, used when it has one; otherwise a
    local emulation runs (feeds unknown, values kept only where grappler keeps
    them, ranks merged) and such dims stay unknown.
    """
    nodes = []
    stripped = False
    for n in graph:
        proto = n._proto_attrs  # noqa: SLF001 - cheap test without decoding every node
        has_recorded = (proto is not None and "_output_shapes" in proto) or (
            proto is None and n._attrs is not None and "_output_shapes" in n._attrs)  # noqa: SLF001
        if has_recorded:
            attrs = {k: v for k, v in n.attrs.items() if k != "_output_shapes"}
            n = Node(n.name, n.op, n.inputs, n.control_inputs, n.device, attrs=attrs,
                     source=n.source)
            stripped = True
        nodes.append(n)
    if stripped:
        graph = graph.replace_nodes(nodes)
    overrides = {name: None for name in feeds if name in graph}
    if _HAS_GRAPPLER_MODE:
        # trtlint's shape inference models grappler's static properties itself
        # (symbolic dims, rank merges, no evaluation): use it, feeds unknown
        return infer_shapes(graph, overrides, grappler=True)
    try:
        from ..shapes.infer import _Inference

        class _GrapplerInference(_Inference):
            def run(self, node):  # type: ignore[override]
                super().run(node)
                if not _keeps_values(node):
                    for i in range(len(self.shapes.get(node.name) or ())):
                        self.values.pop((node.name, i), None)

        from ..shapes.overrides import check_overrides

        shapes = _GrapplerInference(graph, check_overrides(graph, overrides)).infer()
    except (ImportError, AttributeError, TypeError):
        shapes = infer_shapes(graph, overrides)
    _merge_ranks(graph, shapes)
    return shapes


#: ops whose output *is* their input's shape (the same symbolic shape handle)
_SAME_SHAPE_OPS = frozenset({
    "Identity", "RefIdentity", "Snapshot", "StopGradient", "PreventGradient", "CheckNumerics",
    "Relu", "Relu6", "Elu", "Selu", "LeakyRelu", "Sigmoid", "Tanh", "Softplus", "Softsign",
    "Abs", "Neg", "Exp", "Expm1", "Log", "Log1p", "Sqrt", "Rsqrt", "Square", "Reciprocal",
    "Inv", "Floor", "Ceil", "Round", "Rint", "Sign", "Cast", "Softmax", "LogSoftmax", "Erf",
    "Sin", "Cos", "IsNan", "IsInf", "IsFinite", "LogicalNot", "OnesLike", "ZerosLike",
    "FakeQuantWithMinMaxArgs", "FakeQuantWithMinMaxVars", "QuantizeAndDequantizeV2",
    "QuantizeAndDequantizeV3", "QuantizeAndDequantizeV4", "Enter", "Exit", "NextIteration"})
_RANK4_INPUT0 = frozenset({"Conv2D", "DepthwiseConv2dNative", "MaxPool", "AvgPool",
                           "FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3",
                           "DepthToSpace", "SpaceToDepth", "Conv2DBackpropFilter"})


def _required_rank(graph: Graph, shapes: ShapeMap, consumer, index: int) -> Optional[int]:
    """The exact rank ``consumer``'s shape function demands of its input ``index`` (its
    ``WithRank`` calls, which merge that input's symbolic shape), when it demands one."""
    op = consumer.op
    if op in _RANK4_INPUT0:
        return 4 if index == 0 else None
    if op in ("Conv3D", "MaxPool3D", "AvgPool3D"):
        return 5 if index == 0 else None
    if op == "MatMul":
        return 2
    if op in ("Slice", "Tile", "Pad", "PadV2", "MirrorPad", "Transpose") and index == 0:
        arg = 2 if op == "Slice" else 1
        if arg >= len(consumer.inputs) and op != "Slice":
            return None
        ref = consumer.inputs[1]
        shape = shapes.shape(ref)
        if shape is None or not shape or shape[0] < 0:
            return None
        return shape[0]
    return None


def _merge_ranks(graph: Graph, shapes: ShapeMap) -> None:
    """Give unknown-rank tensors the rank grappler's symbolic shapes end up with.

    Grappler merges a tensor's shape handle with the rank its consumers require
    (``Conv2D`` wants rank 4, ``Slice`` the length of its begin vector, ...), and that
    handle is shared by ops that pass shapes through unchanged (``Identity``, ``Relu``,
    ...).  So a placeholder fed into a convolution has rank 4 there even though fed
    shapes are unknown.  Only ranks are merged; dims stay unknown."""
    parent: dict[tuple[str, int], tuple[str, int]] = {}

    def find(x):
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x])
            x = parent[x]
        return x

    def union(a, b):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb

    for node in graph:
        if node.op in _SAME_SHAPE_OPS and node.inputs:
            ref = node.inputs[0]
            union((node.name, 0), (ref.node, ref.index))
    ranks: dict[tuple[str, int], int] = {}
    for node in graph:
        for i, ref in enumerate(node.inputs):
            rank = _required_rank(graph, shapes, node, i)
            if rank is not None:
                ranks.setdefault(find((ref.node, ref.index)), rank)
    if not ranks:
        return
    for node in graph:
        outs = shapes._shapes.get(node.name)  # noqa: SLF001 - refine in place
        if not outs:
            continue
        for port, shape in enumerate(outs):
            if shape is None:
                rank = ranks.get(find((node.name, port)))
                if rank is not None:
                    outs[port] = (-1,) * rank


def _shape_tas(shape: Shape) -> _Tas:
    if shape is None:
        return _Tas(None)
    return _Tas([d if d >= 0 else None for d in shape])


def _subshape(dims: list, start: int, end: Optional[int], stride: int) -> Optional[_Tas]:
    """``InferenceContext::Subshape`` on a known-rank shape (positive strides only)."""
    if stride <= 0:
        return None
    rank = len(dims)
    if start < 0:
        start += rank
    if end is None or end > rank:
        end = rank
    elif end < 0:
        end += rank
    if start < 0 or start > rank or end < 0:
        return None
    return _Tas(list(dims[start:end:stride]))


def dims_equal(a: int, b: int) -> bool:
    """Symbolic equality of two dims: equal known sizes, or the same unknown-dim
    symbol (``<= -2``); a bare ``-1`` (unknown, no identity) equals nothing."""
    if a >= 0 or b >= 0:
        return a == b
    return a == b and a <= -2


def shapes_equal(a: Shape, b: Shape) -> bool:
    """Grappler's ``ShapesSymbolicallyEqual``."""
    if a is None or b is None or len(a) != len(b):
        return False
    return all(dims_equal(x, y) for x, y in zip(a, b))


def dtype_size(dtype: Optional[str]) -> int:
    return 0 if dtype is None else dtypes.size(dtype)
