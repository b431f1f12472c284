"""The layout optimizer on a GPU (TF 2.17's ``GenericLayoutOptimizer``).

cuDNN runs convolutions fastest in NCHW on older GPUs, so when a GPU is present
grappler rewrites NHWC convolutions, pools, batch norms and bias adds to NCHW and
surrounds them with ``Transpose`` nodes; shape vectors and axis numbers that cross the
boundary go through ``DataFormatVecPermute`` / ``DataFormatDimMap``.  That is where
the seed article's ``DataFormatVecPermute`` comes from.

When it acts
    Only with a GPU (``--cpu-layout`` means none: the pass leaves the graph alone), on
    nodes placed on it.  The direction depends on the GPU (``--gpu``, default T4 /
    sm_75 as the reference): when at least half of the convolutions are float16 on
    compute capability >= 7.0, or bfloat16 / float32 (TF32 on, no float32 backward
    convolution) on >= 8.0, it would convert NCHW to NHWC instead -- which leaves
    NHWC graphs alone.  Otherwise NHWC becomes NCHW.

What it does, in order
    1. *Layout-sensitive* nodes (``Conv2D``, ``DepthwiseConv2dNative``, ``MaxPool``,
       ``AvgPool``, ``BiasAdd``, ``FusedBatchNorm*``, ``DepthToSpace``,
       ``SpaceToDepth``, ``MaxPoolV2``, gradients) in NHWC with a rank-4 output, not
       preserved and read by someone, switch ``data_format`` (``strides``, ``ksize``,
       ``dilations`` permuted); their data input gets
       ``<node>-<port>-TransposeNHWCToNCHW-LayoutOptimizer`` (permutation constant
       ``<node>-<port>-PermConstNHWCToNCHW-LayoutOptimizer``), and every consumer edge
       gets ``<node>-<port>-<k>-TransposeNCHWToNHWC-LayoutOptimizer``.
    2. If anything changed, *layout-agnostic* nodes (elementwise ops, ``Identity``,
       ``AddN``, binary ops with a rank-4 operand, ``Concat``, ``Pad``, ``Slice``,
       ``StridedSlice``, ``Split``, ``Squeeze``, reductions, ``Shape``, ``Tile``,
       ``Fill``, ``Select``, ``Switch``/``Merge``, ...) that sit downstream of a
       transposed node through agnostic nodes are converted too, their shape/axis
       inputs going through ``DataFormatVecPermute``/``DataFormatDimMap`` and vector
       operands of binary ops through ``<node>-<i>-ReshapeNHWCToNCHW-LayoutOptimizer``.
    3. Back-to-back inverse transposes (and inverse data-format ops) cancel and are
       removed, also around ``Pad``; the graph is re-sorted.

The rank tests read grappler's shapes: feeds have unknown shapes there, except that a
placeholder feeding a convolution gets its rank from it (symbolic shape merging, see
:func:`~trtlint.grappler.properties.grappler_shapes`).
"""

from __future__ import annotations

from collections import deque
from typing import Optional

from ..graph.model import Graph
from .folded import make_const_attrs
from .ops import OpInfo, is_constant, is_enter, is_exit, is_merge, is_next_iteration
from .workgraph import WorkGraph, WorkNode, is_control, node_name, parse_input

SUFFIX = "LayoutOptimizer"
DEFAULT_COMPUTE_CAPABILITY = 7.5

_DEFAULT_SENSITIVE = frozenset({"AvgPool", "BiasAdd", "Conv2D", "DepthwiseConv2dNative",
                                "DepthToSpace", "FusedBatchNorm", "FusedBatchNormV2",
                                "FusedBatchNormV3", "FusedConv2DBiasActivation", "MaxPool",
                                "SpaceToDepth"})
_OTHER_SENSITIVE = frozenset({"AvgPoolGrad", "BiasAddGrad", "Conv2DBackpropFilter",
                              "Conv2DBackpropInput", "DepthwiseConv2dNativeBackpropFilter",
                              "DepthwiseConv2dNativeBackpropInput", "_FusedBatchNormEx",
                              "FusedBatchNormGrad", "FusedBatchNormGradV2",
                              "FusedBatchNormGradV3", "MaxPoolV2", "MaxPoolGrad",
                              "MaxPoolGradV2", "MaxPoolGradGrad", "MaxPoolGradGradV2"})
_DEFAULT_AGNOSTIC = frozenset({
    "Abs", "Acos", "Acosh", "Angle", "Asin", "Asinh", "Atan", "Atanh", "Bitcast", "Cast",
    "Ceil", "CheckNumerics", "ComplexAbs", "Conj", "Cos", "Cosh", "Digamma", "Elu", "Enter",
    "Erf", "Erfc", "Exit", "Exp", "Expm1", "Floor", "GuaranteeConst", "Identity", "Imag",
    "Inv", "IsFinite", "IsInf", "IsNan", "Lgamma", "Log", "LogicalNot", "Log1p", "Neg",
    "NextIteration", "OnesLike", "PreventGradient", "Real", "Reciprocal", "Relu", "Relu6",
    "Rint", "Selu", "Sigmoid", "Sign", "Sin", "Sinh", "Snapshot", "Softplus", "Round",
    "Rsqrt", "Sqrt", "Square", "StopGradient", "Tan", "Tanh", "ZerosLike",
    # measured with TF 2.17 (newer than the list above in older sources):
    "LeakyRelu", "FakeQuantWithMinMaxArgs", "FakeQuantWithMinMaxVars",
    "QuantizeAndDequantizeV2", "QuantizeAndDequantizeV3", "QuantizeAndDequantizeV4"})
_BINARY = frozenset({"Add", "AddV2", "Atan2", "ApproximateEqual", "Equal", "Greater",
                     "GreaterEqual", "Less", "LessEqual", "NotEqual", "Complex", "Div",
                     "FloorDiv", "Igamma", "Igammac", "LogicalAnd", "LogicalOr", "Maximum",
                     "Minimum", "Mod", "Mul", "Polygamma", "Pow", "RealDiv",
                     "SquaredDifference", "Sub", "TruncateDiv", "TruncateMod", "Zeta"})
_UNARY_GRAD = frozenset({"EluGrad", "InvGrad", "ReciprocalGrad", "Relu6Grad", "ReluGrad",
                         "RsqrtGrad", "SeluGrad", "SigmoidGrad", "SoftplusGrad",
                         "SoftsignGrad", "SqrtGrad", "TanhGrad"})
_REDUCE = frozenset({"Sum", "Mean", "Prod", "Max", "Min", "All", "Any"})
_OTHER_AGNOSTIC = frozenset({"AddN", "IdentityN", "Merge", "RefMerge", "MirrorPad",
                             "MirrorPadGrad", "Pad", "PadV2", "Select", "Switch", "RefSwitch",
                             "Betainc", "Concat", "ConcatV2", "ReverseV2", "Tile", "Shape",
                             "ShapeN", "Fill", "Slice", "Split", "Squeeze", "SplitV",
                             "StridedSlice"})


def is_sensitive(op: str) -> bool:
    return op in _DEFAULT_SENSITIVE or op in _OTHER_SENSITIVE


def is_agnostic(op: str) -> bool:
    return (op in _DEFAULT_AGNOSTIC or op in _BINARY or op in _UNARY_GRAD or op in _REDUCE
            or op in _OTHER_AGNOSTIC)


def _permutation(src: str, dst: str) -> list[int]:
    index = {c: i for i, c in enumerate(src)}
    return [index[c] for c in dst]


def compute_capability(gpu: Optional[str]) -> float:
    """The target GPU's compute capability (``--gpu``), T4's 7.5 by default."""
    if not gpu:
        return DEFAULT_COMPUTE_CAPABILITY
    try:
        from ..hardware import gpu_info

        return float(gpu_info(gpu).compute_capability)
    except Exception:  # noqa: BLE001 - an unknown name is the CLI's to report
        return DEFAULT_COMPUTE_CAPABILITY


def layout_formats(graph: WorkGraph, cc: float) -> tuple[str, str]:
    """(src, dst) formats ``GetSrcAndDstDataFormats`` picks for one GPU of ``cc``."""
    volta, ampere = cc >= 7.0, cc >= 8.0
    fp32_backprop = any(n.op in ("Conv2DBackpropFilter", "Conv2DBackpropInput",
                                 "Conv3DBackpropFilterV2", "Conv3DBackpropInputV2")
                        and n.attr("T") == "float32" for n in graph)
    convs = prefer_swap = 0
    for n in graph:
        if n.op not in ("Conv2D", "Conv3D"):
            continue
        convs += 1
        t = n.attr("T")
        if (volta and t == "float16") or (ampere and t == "bfloat16") or (
                ampere and t == "float32" and not fp32_backprop):
            prefer_swap += 1
    if convs and prefer_swap / convs >= 0.5:
        return "NCHW", "NHWC"
    return "NHWC", "NCHW"


class LayoutOptimizer:
    def __init__(self, graph: WorkGraph, preserve: set[str], info: OpInfo,
                 ranks: dict[str, list[Optional[int]]], src: str, dst: str) -> None:
        self.graph = graph
        self.preserve = preserve
        self.info = info
        self.src, self.dst = src, dst
        self.src_to_dst = _permutation(src, dst)
        self.dst_to_src = _permutation(dst, src)
        self.nodes: list[WorkNode] = graph.nodes
        self.num_nodes = len(self.nodes)
        self.index = {n.name: i for i, n in enumerate(self.nodes)}
        self.ranks = ranks  # node -> rank of each output (the _output_shapes annotation)
        # MutableGraphView's fan-out lists: (node, output port) -> [(consumer, slot)],
        # and node -> [controlled consumers], in the order edges were added; removing
        # an edge swaps the last entry into its place.  The final sort walks them.
        self.fanouts: dict[tuple[str, int], list[tuple[str, int]]] = {}
        self.controls: dict[str, list[str]] = {}
        for n in self.nodes:
            self._connect(n)
        self.pending_new: list[WorkNode] = []
        self.pending_updates: dict[str, dict[int, str]] = {}
        self.in_frame = _frames(self.nodes)
        self.added_perm_value: dict[str, list[int]] = {}
        self.changed = 0

    # -- graph queries ---------------------------------------------------------------
    def node(self, name: str) -> WorkNode:
        return self.nodes[self.index[name]]

    def regular_fanin(self, node: WorkNode, port: int) -> Optional[tuple[WorkNode, int]]:
        data = node.data_inputs()
        if port >= len(data):
            return None
        name, idx = parse_input(data[port])
        return self.node(name), idx

    def regular_fanouts(self, node: WorkNode, port: Optional[int] = None) -> list[tuple[str, int]]:
        if port is not None:
            return list(self.fanouts.get((node.name, port), ()))
        out: list[tuple[str, int]] = []
        p = 0
        while (node.name, p) in self.fanouts or p == 0:
            out.extend(self.fanouts.get((node.name, p), ()))
            p += 1
        return out

    def rank(self, name: str, port: int) -> Optional[int]:
        ranks = self.ranks.get(name)
        if ranks is None or port >= len(ranks):
            return None
        return ranks[port]

    def fanout_rank_is(self, node: WorkNode, port: int, n: int) -> bool:
        return self.rank(node.name, port) == n

    def fanin_rank_is(self, node: WorkNode, port: int, n: int) -> bool:
        fanin = self.regular_fanin(node, port)
        return fanin is not None and self.fanout_rank_is(fanin[0], fanin[1], n)

    def fanin_dims_if_const(self, node: WorkNode, port: int, dims: tuple[int, ...]) -> bool:
        fanin = self.regular_fanin(node, port)
        if fanin is None:
            return False
        src = fanin[0]
        if not is_constant(src):
            return True
        value = src.attr("value")
        return value is not None and tuple(value.shape or ()) == dims

    def should_process(self, node: WorkNode) -> bool:
        if is_sensitive(node.op) and node.attr("data_format") != self.src:
            return False
        if node.op == "Conv2D" and node.attr("T") not in ("float16", "bfloat16", "float32",
                                                           "float64"):
            return False  # only floating-point convolutions are transposed
        if node.name in self.preserve:
            return False
        return bool(self.regular_fanouts(node)) or bool(self.controls.get(node.name))

    def data_fanin_ports(self, node: WorkNode) -> list[int]:
        op = node.op
        n_data = node.num_data_inputs()
        if op in ("AvgPoolGrad", "Split"):
            return [1]
        if op == "StridedSliceGrad":
            return [4]
        if op in _BINARY or op in _UNARY_GRAD:
            return [0, 1]
        if op in ("Betainc", "Select", "MaxPoolGrad", "MaxPoolGradV2", "MaxPoolGradGrad",
                  "MaxPoolGradGradV2"):
            return [0, 1, 2]
        if op in ("ShapeN", "IdentityN", "AddN") or is_merge(node):
            return list(range(n_data))
        if op in ("Concat", "ConcatV2"):
            start = 1 if op == "Concat" else 0
            return list(range(start, start + int(node.attr("N", 0))))
        return [0] if n_data > 0 else []

    def data_fanout_ports(self, node: WorkNode) -> list[int]:
        op = node.op
        if op in ("IdentityN", "Shape", "ShapeN"):
            return self.data_fanin_ports(node)
        if op in ("Split", "SplitV"):
            return list(range(int(node.attr("num_split", 1))))
        if op in ("Switch", "RefSwitch"):
            return list(range(int(node.attr("num_outs", 2))))
        return [0]

    # -- recognising what this pass added --------------------------------------------
    def is_added(self, node: WorkNode) -> bool:
        return self.index[node.name] >= self.num_nodes

    def _const_perm(self, node: WorkNode) -> Optional[list[int]]:
        if node.op != "Transpose":
            return None
        fanin = self.regular_fanin(node, 1)
        if fanin is None or not is_constant(fanin[0]):
            return None
        value = fanin[0].attr("value")
        if value is None or value.dtype != "int32":
            return None
        vals = value.values()
        return [int(v) for v in vals] if vals is not None else None

    def is_added_dst_to_src(self, node: WorkNode) -> bool:
        if not self.is_added(node):
            return False
        if self._const_perm(node) == self.dst_to_src:
            return True
        return (node.op in ("DataFormatVecPermute", "DataFormatDimMap")
                and node.attr("src_format") == self.dst and node.attr("dst_format") == self.src)

    def is_added_dst_to_src_transpose(self, node: WorkNode) -> bool:
        return self.is_added(node) and self._const_perm(node) == self.dst_to_src

    def is_after_dst_to_src(self, node: WorkNode) -> bool:
        queue: deque[WorkNode] = deque()
        visited: set[str] = set()
        for port in self.data_fanin_ports(node):
            fanin = self.regular_fanin(node, port)
            if fanin is not None and fanin[0].name not in visited:
                visited.add(fanin[0].name)
                queue.append(fanin[0])
        while queue:
            cur = queue.popleft()
            if self.is_added_dst_to_src(cur):
                return True
            if is_agnostic(cur.op):
                for port in self.data_fanin_ports(cur):
                    fanin = self.regular_fanin(cur, port)
                    if fanin is not None and fanin[0].name not in visited:
                        visited.add(fanin[0].name)
                        queue.append(fanin[0])
        return False

    def variadic_4d_fanin_ports(self, node: WorkNode) -> list[int]:
        ports = []
        for i in range(node.num_data_inputs()):
            src, idx = self.regular_fanin(node, i)
            if self.fanout_rank_is(src, idx, 4) and (
                    (self.is_after_dst_to_src(src) and is_agnostic(src.op))
                    or self.is_added_dst_to_src_transpose(src)):
                ports.append(i)
        return ports

    # -- edits -----------------------------------------------------------------------
    def _connect(self, node: WorkNode) -> None:
        """Append ``node``'s fan-ins to their fan-out lists (graph construction order)."""
        seen_ctrl: set[str] = set()
        for slot, text in enumerate(node.inputs):
            src, port = parse_input(text)
            if port < 0:
                if src not in seen_ctrl:
                    seen_ctrl.add(src)
                    self.controls.setdefault(src, []).append(node.name)
            else:
                self.fanouts.setdefault((src, port), []).append((node.name, slot))

    def _unlink(self, consumer: str, slot: int, text: str) -> None:
        """Remove one regular edge from its fan-out list (swap with the last entry)."""
        lst = self.fanouts.get(parse_input(text))
        if not lst:
            return
        try:
            i = lst.index((consumer, slot))
        except ValueError:
            return
        lst[i] = lst[-1]
        lst.pop()

    def _add_node(self, node: WorkNode, ranks: list[Optional[int]]) -> None:
        """Queue a new node (added at the next :meth:`apply`)."""
        self.pending_new.append(node)
        self.ranks[node.name] = ranks

    def _set_input(self, node: WorkNode, slot: int, text: str) -> None:
        """Queue rewiring ``node``'s input ``slot`` (applied at the next :meth:`apply`)."""
        self.pending_updates.setdefault(node.name, {})[slot] = text

    def apply(self) -> None:
        """``Mutation::Apply``: add the new nodes, rewire updated nodes (in the order
        they were first touched), then connect the new nodes' own inputs."""
        for node in self.pending_new:
            self.index[node.name] = len(self.nodes)
            self.nodes.append(node)
        for name, updates in self.pending_updates.items():
            node = self.node(name)
            for slot in sorted(updates):
                text = updates[slot]
                self._unlink(name, slot, node.inputs[slot])
                node.inputs[slot] = text
                self.fanouts.setdefault(parse_input(text), []).append((name, slot))
        for node in self.pending_new:
            self._connect(node)
        self.pending_new = []
        self.pending_updates = {}

    def _data_slot(self, node: WorkNode, port: int) -> int:
        """Index in ``inputs`` of regular input ``port`` (data inputs come first)."""
        return port

    def update_edge(self, name_format: str, op: str, to_dst: bool, src: WorkNode,
                    src_port: int, dst: WorkNode, dst_port: int) -> None:
        dtype = self._edge_dtype(src, src_port)
        src_text = src.name if src_port == 0 else f"{src.name}:{src_port}"
        in_frame = self.in_frame.get(dst.name if to_dst else src.name, False)
        if op == "Transpose":
            perm = self.src_to_dst if to_dst else self.dst_to_src
            name = name_format.replace("$0", "Transpose")
            const_name = name_format.replace("$0", "PermConst")
            const = WorkNode(const_name, "Const", ["^" + src.name] if in_frame else [],
                             dst.device if to_dst else src.device,
                             make_const_attrs("int32", (4,), list(perm)))
            self._add_node(const, [1])
            node = WorkNode(name, "Transpose", [src_text, const_name],
                            dst.device if to_dst else src.device,
                            {"T": dtype, "Tperm": "int32"})
            self._add_node(node, [self.rank(src.name, src_port)])
        else:
            name = name_format.replace("$0", op)
            attrs = {"T": dtype, "src_format": self.src if to_dst else self.dst,
                     "dst_format": self.dst if to_dst else self.src}
            node = WorkNode(name, op, [src_text], dst.device if to_dst else src.device, attrs)
            self._add_node(node, [self.rank(src.name, src_port)])
        self._set_input(dst, self._data_slot(dst, dst_port), name)

    def _edge_dtype(self, src: WorkNode, port: int) -> Optional[str]:
        types = self.info.output_types(src)
        return types[port] if types is not None and port < len(types) else None

    def update_fanins(self, ports, node: WorkNode, op: str) -> None:
        for port in ports:
            fanin = self.regular_fanin(node, port)
            if fanin is None:
                continue
            fmt = f"{node.name}-{port}-$0{self.src}To{self.dst}-{SUFFIX}"
            self.update_edge(fmt, op, True, fanin[0], fanin[1], node, port)

    def update_fanouts(self, ports, node: WorkNode, op: str) -> None:
        for port in ports:
            consumers = sorted(self.regular_fanouts(node, port))
            for k, (consumer, slot) in enumerate(consumers):
                fmt = f"{node.name}-{port}-{k}-$0{self.dst}To{self.src}-{SUFFIX}"
                self.update_edge(fmt, op, False, node, port, self.node(consumer), slot)

    def update_sensitive_attrs(self, node: WorkNode) -> None:
        attrs = node.attrs
        attrs["data_format"] = self.dst
        for key in ("strides", "ksize", "dilations"):
            v = attrs.get(key)
            if isinstance(v, list) and len(v) == 4:
                attrs[key] = [v[i] for i in self.src_to_dst]
        pads = attrs.get("explicit_paddings")
        if isinstance(pads, list) and len(pads) == 8:
            attrs["explicit_paddings"] = [pads[2 * i + j] for i in self.src_to_dst for j in (0, 1)]

    # -- the transposers -------------------------------------------------------------
    def transpose_sensitive(self, node: WorkNode) -> None:
        op = node.op
        if not self.should_process(node):
            return
        if op in _DEFAULT_SENSITIVE or op == "_FusedBatchNormEx":
            if not self.fanout_rank_is(node, 0, 4):
                return
            self.update_sensitive_attrs(node)
            ports = [0, 5] if op == "_FusedBatchNormEx" and node.num_data_inputs() == 6 else [0]
            self.update_fanins(ports, node, "Transpose")
            self.update_fanouts([0], node, "Transpose")
        elif op == "MaxPoolV2":
            if not self.fanin_rank_is(node, 0, 4):
                return
            self.update_sensitive_attrs(node)
            self.update_fanins([0], node, "Transpose")
            self.update_fanins([1, 2], node, "DataFormatVecPermute")
            self.update_fanouts([0], node, "Transpose")
        elif op in ("Conv2DBackpropFilter", "DepthwiseConv2dNativeBackpropFilter"):
            if not self.fanout_rank_is(node, 0, 4):
                return
            self.update_sensitive_attrs(node)
            self.update_fanins([0, 2], node, "Transpose")
        elif op == "BiasAddGrad":
            if not self.fanin_rank_is(node, 0, 4):
                return
            self.update_sensitive_attrs(node)
            self.update_fanins([0], node, "Transpose")
        elif op in ("MaxPoolGrad", "MaxPoolGradGrad"):
            if not self.fanout_rank_is(node, 0, 4):
                return
            self.update_sensitive_attrs(node)
            self.update_fanins([0, 1, 2], node, "Transpose")
            self.update_fanouts([0], node, "Transpose")
        elif op in ("FusedBatchNormGrad", "FusedBatchNormGradV2", "FusedBatchNormGradV3"):
            if not self.fanout_rank_is(node, 0, 4) or not node.attr("is_training", False):
                return
            self.update_sensitive_attrs(node)
            self.update_fanins([0, 1], node, "Transpose")
            self.update_fanouts([0], node, "Transpose")
        elif op in ("Conv2DBackpropInput", "DepthwiseConv2dNativeBackpropInput"):
            if not self.fanout_rank_is(node, 0, 4):
                return
            fanin = self.regular_fanin(node, 0)
            shape = self.shapes_of(fanin[0].name, fanin[1]) if fanin else None
            if shape is None or len(shape) != 1 or shape[0] < 0 or shape[0] not in (2, 4):
                return
            self.update_sensitive_attrs(node)
            if shape[0] != 2:  # a size-2 input_sizes is HW whatever the layout
                self.update_fanins([0], node, "DataFormatVecPermute")
            self.update_fanins([2], node, "Transpose")
            self.update_fanouts([0], node, "Transpose")
        elif op == "AvgPoolGrad":
            if not self.fanin_rank_is(node, 1, 4):
                return
            self.update_sensitive_attrs(node)
            self.update_fanins([0], node, "DataFormatVecPermute")
            self.update_fanins([1], node, "Transpose")
            self.update_fanouts([0], node, "Transpose")
        elif op in ("MaxPoolGradV2", "MaxPoolGradGradV2"):
            if not self.fanout_rank_is(node, 0, 4):
                return
            self.update_sensitive_attrs(node)
            self.update_fanins([0, 1, 2], node, "Transpose")
            self.update_fanins([3, 4], node, "DataFormatVecPermute")
            self.update_fanouts([0], node, "Transpose")
        else:
            return
        self.apply()
        self.changed += 1

    def transpose_agnostic(self, node: WorkNode) -> None:
        op = node.op
        if not self.should_process(node):
            return
        after = self.is_after_dst_to_src
        if op in _DEFAULT_AGNOSTIC:
            if not self.fanout_rank_is(node, 0, 4) or not after(node):
                return
            self.update_fanins([0], node, "Transpose")
            self.update_fanouts([0], node, "Transpose")
        elif op == "AddN":
            if not self.fanout_rank_is(node, 0, 4) or not after(node):
                return
            self.update_fanins(self.data_fanin_ports(node), node, "Transpose")
            self.update_fanouts([0], node, "Transpose")
        elif op in _BINARY:
            r0 = self.rank_of_fanin(node, 0)
            r1 = self.rank_of_fanin(node, 1)
            if (r0, r1) not in ((4, 0), (4, 1), (4, 4), (0, 4), (1, 4)) or not after(node):
                return
            self.update_fanins([p for p, r in ((0, r0), (1, r1)) if r == 4], node, "Transpose")
            self._maybe_reshape_vector(node, r0, r1)
            self.update_fanouts([0], node, "Transpose")
        elif op in ("Concat", "ConcatV2"):
            if not self.fanout_rank_is(node, 0, 4) or not after(node):
                return
            self.update_fanins(self.data_fanin_ports(node), node, "Transpose")
            axis_port = int(node.attr("N", 0)) if op == "ConcatV2" else 0
            self.update_fanins([axis_port], node, "DataFormatDimMap")
            self.update_fanouts([0], node, "Transpose")
        elif op == "Fill":
            if not self.fanout_rank_is(node, 0, 4) or not self.fanin_dims_if_const(node, 0, (4,)) \
                    or not after(node):
                return
            self.update_fanins([0], node, "DataFormatVecPermute")
            self.update_fanouts([0], node, "Transpose")
        elif op == "IdentityN":
            ports = self.variadic_4d_fanin_ports(node)
            if not ports:
                return
            self.update_fanins(ports, node, "Transpose")
            self.update_fanouts(ports, node, "Transpose")
        elif op in ("Merge", "RefMerge"):
            if not self.fanout_rank_is(node, 0, 4) or not self._every_fanin_after(node):
                return
            self.update_fanins(self.data_fanin_ports(node), node, "Transpose")
            self.update_fanouts([0], node, "Transpose")
        elif op in ("Pad", "PadV2", "MirrorPad", "MirrorPadGrad"):
            if not self.fanout_rank_is(node, 0, 4) or not self.fanin_dims_if_const(node, 1, (4, 2)) \
                    or not after(node):
                return
            self.update_fanins([0], node, "Transpose")
            self.update_fanins([1], node, "DataFormatVecPermute")
            self.update_fanouts([0], node, "Transpose")
        elif op in _REDUCE:
            if not self.fanin_rank_is(node, 0, 4) or not self._reduce_axis_supported(node) \
                    or not after(node):
                return
            self.update_fanins([0], node, "Transpose")
            self.update_fanins([1], node, "DataFormatDimMap")
            if node.attr("keep_dims", False):
                self.update_fanouts([0], node, "Transpose")
        elif op == "ReverseV2":
            if not self.fanout_rank_is(node, 0, 4) or not after(node):
                return
            self.update_fanins([0], node, "Transpose")
            self.update_fanins([1], node, "DataFormatDimMap")
            self.update_fanouts([0], node, "Transpose")
        elif op == "Select":
            cond = self.regular_fanin(node, 0)
            if cond is None or not self.fanout_rank_is(node, 0, 4):
                return
            cr = self.rank(cond[0].name, cond[1])
            if cr not in (0, 1, 4) or not after(node):
                return
            self.update_fanins([0, 1, 2] if cr == 4 else [1, 2], node, "Transpose")
            self.update_fanouts([0], node, "Transpose")
        elif op == "Shape":
            if not self.fanin_rank_is(node, 0, 4) or not after(node):
                return
            self.update_fanins([0], node, "Transpose")
            self.update_fanouts([0], node, "DataFormatVecPermute")
        elif op == "ShapeN":
            ports = self.variadic_4d_fanin_ports(node)
            if not ports:
                return
            self.update_fanins(ports, node, "Transpose")
            self.update_fanouts(ports, node, "DataFormatVecPermute")
        elif op == "Slice":
            if not self.fanout_rank_is(node, 0, 4) or not all(
                    self.fanin_dims_if_const(node, p, (4,)) for p in (1, 2)) or not after(node):
                return
            self.update_fanins([0], node, "Transpose")
            self.update_fanins([1, 2], node, "DataFormatVecPermute")
            self.update_fanouts([0], node, "Transpose")
        elif op in ("Split", "SplitV"):
            ports = self.data_fanout_ports(node)
            if not all(self.fanout_rank_is(node, p, 4) for p in ports) or not after(node):
                return
            data, axis = (1, 0) if op == "Split" else (0, 2)
            self.update_fanins([data], node, "Transpose")
            self.update_fanins([axis], node, "DataFormatDimMap")
            self.update_fanouts(ports, node, "Transpose")
        elif op == "Squeeze":
            if not self._squeeze_supported(node) or not after(node):
                return
            self.update_fanins([0], node, "Transpose")
            dims = list(node.attr("squeeze_dims") or [])
            mapped = sorted(self.dst_to_src[d + 3 if d < 0 else d] for d in dims)
            node.attrs["squeeze_dims"] = mapped
        elif op == "StridedSlice":
            if not self.fanout_rank_is(node, 0, 4) or not all(
                    self.fanin_dims_if_const(node, p, (4,)) for p in (1, 2, 3)):
                return
            if node.attr("ellipsis_mask", 0) or node.attr("new_axis_mask", 0) or \
                    node.attr("shrink_axis_mask", 0) or not after(node):
                return
            self.update_fanins([0], node, "Transpose")
            for mask in ("begin_mask", "end_mask"):
                m = int(node.attr(mask, 0))
                node.attrs[mask] = sum(((m >> p) & 1) << i for i, p in enumerate(self.src_to_dst))
            self.update_fanins([1, 2, 3], node, "DataFormatVecPermute")
            self.update_fanouts([0], node, "Transpose")
        elif op in ("Switch", "RefSwitch"):
            if not self.fanin_rank_is(node, 0, 4) or not after(node):
                return
            self.update_fanins([0], node, "Transpose")
            self.update_fanouts(self.data_fanout_ports(node), node, "Transpose")
        elif op == "Betainc" or op in _UNARY_GRAD:
            if not self.fanout_rank_is(node, 0, 4) or not after(node):
                return
            self.update_fanins([0, 1, 2] if op == "Betainc" else [0, 1], node, "Transpose")
            self.update_fanouts([0], node, "Transpose")
        elif op == "Tile":
            if not self.fanout_rank_is(node, 0, 4) or not self.fanin_dims_if_const(node, 1, (4,)) \
                    or not after(node):
                return
            self.update_fanins([0], node, "Transpose")
            self.update_fanins([1], node, "DataFormatVecPermute")
            self.update_fanouts([0], node, "Transpose")
        else:
            return
        self.apply()
        self.changed += 1

    def rank_of_fanin(self, node: WorkNode, port: int) -> Optional[int]:
        fanin = self.regular_fanin(node, port)
        return None if fanin is None else self.rank(fanin[0].name, fanin[1])

    def _every_fanin_after(self, node: WorkNode) -> bool:
        for i in range(node.num_data_inputs()):
            src, idx = self.regular_fanin(node, i)
            if self.fanout_rank_is(src, idx, 4) and (
                    (self.is_after_dst_to_src(src) and is_agnostic(src.op))
                    or self.is_added_dst_to_src_transpose(src)):
                continue
            return False
        return True

    def _reduce_axis_supported(self, node: WorkNode) -> bool:
        if node.attr("keep_dims", False):
            return True
        fanin = self.regular_fanin(node, 1)
        if fanin is None or not is_constant(fanin[0]):
            return False
        value = fanin[0].attr("value")
        vals = value.values() if value is not None else None
        if vals is None or value.shape is None or len(value.shape) != 1:
            return False
        idx = {c: i for i, c in enumerate(self.src)}
        axes = [int(v) + 4 if int(v) < 0 else int(v) for v in vals]
        for labels in ("NHWC", "HWC", "NHW", "HW", "C"):
            want = {idx[c] for c in labels}
            if len(axes) == len(labels) and all(a in want for a in axes):
                return True
        return False

    def _squeeze_supported(self, node: WorkNode) -> bool:
        dims = node.attr("squeeze_dims")
        if dims is None:
            return False
        idx = {c: i for i, c in enumerate(self.src)}

        def along(labels: str) -> bool:
            if not dims:
                return True
            if len(dims) != len(labels):
                return False
            want = {idx[c] for c in labels}
            return all((d + 4 if d < 0 else d) in want for d in dims)

        ok = (self.fanout_rank_is(node, 0, 2) and along("HW")) or (
            self.fanout_rank_is(node, 0, 1) and along("NHW"))
        if not ok:
            return False
        # the input must be rank 4 with H and W of size 1
        fanin = self.regular_fanin(node, 0)
        shape = self.shapes_of(fanin[0].name, fanin[1]) if fanin else None
        return shape is not None and len(shape) == 4 and shape[idx["H"]] == 1 and \
            shape[idx["W"]] == 1

    def shapes_of(self, name: str, port: int):
        getter = getattr(self, "_shapes", None)
        return getter(name, port) if getter else None

    def _maybe_reshape_vector(self, node: WorkNode, r0, r1) -> None:
        vector_index = 1 if (r0, r1) == (4, 1) else 0 if (r0, r1) == (1, 4) else -1
        if vector_index < 0:
            return
        fanin = self.regular_fanin(node, vector_index)
        shape = self.shapes_of(fanin[0].name, fanin[1])
        size = shape[0] if shape else -1
        reshape_name = f"{node.name}-{vector_index}-Reshape{self.src}To{self.dst}-{SUFFIX}"
        const_name = f"{node.name}-{vector_index}-ReshapeConst-{SUFFIX}"
        in_frame = self.in_frame.get(node.name, False)
        const = WorkNode(const_name, "Const", ["^" + fanin[0].name] if in_frame else [],
                         node.device, make_const_attrs("int32", (4,), [1, size, 1, 1]))
        self._add_node(const, [1])
        src_text = fanin[0].name if fanin[1] == 0 else f"{fanin[0].name}:{fanin[1]}"
        reshape = WorkNode(reshape_name, "Reshape", [src_text, const_name], node.device,
                           {"T": node.attr("T"), "Tshape": "int32"})
        self._add_node(reshape, [4])
        self._set_input(node, vector_index, reshape_name)

    # -- clean-up --------------------------------------------------------------------
    def erase_cancellable(self) -> None:
        remove: list[str] = []
        removing: set[str] = set()
        end = len(self.nodes)
        for i in range(self.num_nodes, end):
            node = self.nodes[i]
            if node.num_data_inputs() < 1:
                continue
            fanin_name, _ = parse_input(node.inputs[0])
            fanin = self.node(fanin_name)
            if self.index[fanin.name] < self.num_nodes:
                continue
            if not self._cancellable(node, fanin):
                continue
            forward = fanin.inputs[0]
            for consumer, slot in self.regular_fanouts(node, 0):
                self._set_input(self.node(consumer), slot, forward)
            for name in (node.name, node_name(node.inputs[1]) if node.num_data_inputs() > 1 else None,
                         fanin.name,
                         node_name(fanin.inputs[1]) if fanin.num_data_inputs() > 1 else None):
                if name is not None and name not in removing:
                    removing.add(name)
                    remove.append(name)
        self.apply()
        self._remove(remove)

    def _cancellable(self, node: WorkNode, fanin: WorkNode) -> bool:
        a, b = self._const_perm(node), self._const_perm(fanin)
        if a is not None and b is not None and len(a) == len(b):
            return all(a[b[i]] == i for i in range(len(a)))
        data_ops = ("DataFormatVecPermute", "DataFormatDimMap")
        if node.op in data_ops and fanin.op in data_ops:
            return (fanin.attr("src_format") == node.attr("dst_format")
                    and node.attr("src_format") == fanin.attr("dst_format"))
        return False

    def erase_around_pad(self) -> None:
        cancelled: set[str] = set()
        for node in list(self.nodes):
            if node.op != "Transpose" or node.name in cancelled:
                continue
            pad_fanin = self.regular_fanin(node, 0)
            if pad_fanin is None or pad_fanin[0].op not in ("Pad", "PadV2"):
                continue
            pad = pad_fanin[0]
            before_fanin = self.regular_fanin(pad, 0)
            if before_fanin is None or before_fanin[0].op != "Transpose":
                continue
            before = before_fanin[0]
            if len(self.regular_fanouts(before)) != 1:
                continue
            pa, pb = self._const_perm(node), self._const_perm(before)
            if pa is None or pb is None or len(pa) != len(pb) or \
                    not all(pa[pb[i]] == i for i in range(len(pa))):
                continue
            paddings_fanin = self.regular_fanin(pad, 1)
            if paddings_fanin is None or not is_constant(paddings_fanin[0]):
                continue
            paddings = paddings_fanin[0]
            pvalue = paddings.attr("value")
            pvals = pvalue.values() if pvalue is not None and pvalue.dtype == "int32" else None
            if pvals is None or len(self.regular_fanouts(paddings)) != 1:
                continue
            after_nodes = [node]
            ok = True
            for consumer, _ in self.regular_fanouts(pad, 0):
                extra = self.node(consumer)
                if extra is node:
                    continue
                if self._const_perm(extra) != pa:
                    ok = False
                    break
                after_nodes.append(extra)
            if not ok:
                continue
            permuted = []
            for i in pa:
                permuted.extend(pvals[2 * i:2 * i + 2])
            paddings.attrs.update(make_const_attrs("int32", pvalue.shape, permuted))
            for t in [before] + after_nodes:
                t.op = "Identity"
                t.attrs.pop("Tperm", None)
                perm_slot = 1
                self._unlink(t.name, perm_slot, t.inputs[perm_slot])
                del t.inputs[perm_slot]
                cancelled.add(t.name)

    def _remove(self, names: list[str]) -> None:
        """Remove nodes the way ``MutableGraphView`` does: their fan-in edges leave the
        fan-out lists first, then the nodes go in descending index order, each removed
        slot taken by the current last node (so later nodes move up)."""
        if not names:
            return
        for name in sorted(names, key=lambda n: self.index[n]):
            node = self.node(name)
            for slot, text in enumerate(node.inputs):
                src, port = parse_input(text)
                if port < 0:
                    lst = self.controls.get(src)
                    if lst and name in lst:
                        i = lst.index(name)
                        lst[i] = lst[-1]
                        lst.pop()
                else:
                    self._unlink(name, slot, text)
        nodes = self.nodes
        for idx in sorted((self.index[n] for n in names), reverse=True):
            last = len(nodes) - 1
            if last > idx:
                nodes[idx], nodes[last] = nodes[last], nodes[idx]
            nodes.pop()
        gone = set(names)
        for name in gone:
            self.controls.pop(name, None)
        for key in [k for k in self.fanouts if k[0] in gone]:
            del self.fanouts[key]
        self.index = {n.name: i for i, n in enumerate(nodes)}

    def sort(self) -> None:
        """``MutableGraphView::SortTopologically``: reversed post-order DFS from the
        sources taken last to first, fan-outs in list order (regular by port, then
        controlled), ``NextIteration -> Merge`` edges ignored."""
        nodes = self.nodes
        index = {n.name: i for i, n in enumerate(nodes)}
        count = len(nodes)
        children: list[list[int]] = [[] for _ in range(count)]
        by_node: dict[str, list[tuple[int, list]]] = {}
        for (name, port), lst in self.fanouts.items():
            by_node.setdefault(name, []).append((port, lst))
        for name, ports in by_node.items():
            i = index.get(name)
            if i is None:
                continue
            for _, lst in sorted(ports, key=lambda pl: pl[0]):
                children[i].extend(index[c] for c, _ in lst if c in index)
        for name, lst in self.controls.items():
            i = index.get(name)
            if i is not None:
                children[i].extend(index[c] for c in lst if c in index)
        has_fanin = [bool(n.inputs) for n in nodes]
        state = [0] * count  # 0 pending, 1 processing, 2 processed
        order = [0] * count
        pos = count - 1
        for root in range(count - 1, -1, -1):
            if has_fanin[root] or state[root] != 0:
                continue
            stack = [(root, True)]
            while stack:
                cur, enter = stack.pop()
                if state[cur] == 2:
                    continue
                if not enter:
                    order[cur] = pos
                    state[cur] = 2
                    pos -= 1
                    continue
                state[cur] = 1
                stack.append((cur, False))
                back_edge = is_next_iteration(nodes[cur])
                for nxt in children[cur]:
                    if back_edge and is_merge(nodes[nxt]):
                        continue
                    if state[nxt] == 0:
                        stack.append((nxt, True))
        if pos != -1:
            return  # a cycle grappler could not sort either: keep the order
        out = [None] * count
        for i in range(count):
            out[order[i]] = nodes[i]
        self.nodes = out  # type: ignore[assignment]

    def run(self) -> list[WorkNode]:
        for i in range(self.num_nodes):
            node = self.nodes[i]
            if is_sensitive(node.op):
                self.transpose_sensitive(node)
        if len(self.nodes) > self.num_nodes:
            for i in range(self.num_nodes):
                node = self.nodes[i]
                if is_agnostic(node.op):
                    self.transpose_agnostic(node)
            self.erase_cancellable()
            self.erase_around_pad()
            self.sort()
        return self.nodes


def _frames(nodes: list[WorkNode]) -> dict[str, bool]:
    """Which nodes run inside a TF1 while-loop frame (between Enter and Exit)."""
    by_name = {n.name: n for n in nodes}
    depth: dict[str, int] = {}
    pending = list(nodes)
    # propagate along the graph order a few times (loops make it cyclic)
    for _ in range(3):
        changed = False
        for n in pending:
            d = 0
            for text in n.inputs:
                src = by_name.get(node_name(text))
                if src is None:
                    continue
                ds = depth.get(src.name, 0)
                if is_enter(src):
                    ds += 1
                if is_exit(src):
                    ds -= 1
                d = max(d, ds)
            if depth.get(n.name) != d:
                depth[n.name] = d
                changed = True
        if not changed:
            break
    return {name: (d > 0 or is_enter(by_name[name])) for name, d in depth.items()}


def optimize_layout(graph: WorkGraph, preserve: set[str], feeds: set[str], info: OpInfo,
                    gpu: Optional[str], changes: list[str]) -> WorkGraph:
    """Run the layout optimizer as on one GPU of the target's compute capability."""
    if not any(is_sensitive(n.op) for n in graph):
        changes.append("nothing layout-sensitive in the graph")
        return graph
    cc = compute_capability(gpu)
    src, dst = layout_formats(graph, cc)
    shapes = _layout_shapes(graph, feeds)
    ranks = {name: [None if s is None else len(s) for s in outs] for name, outs in shapes.items()}
    opt = LayoutOptimizer(graph, preserve, info, ranks, src, dst)
    opt._shapes = lambda name, port: (shapes.get(name) or [None] * (port + 1))[port] \
        if port < len(shapes.get(name) or ()) else None
    nodes = opt.run()
    if opt.changed:
        changes.append(f"{opt.changed} node(s) converted from {src} to {dst} "
                       f"(GPU compute capability {cc:g})")
    else:
        changes.append(f"no {src} node to convert to {dst} (GPU compute capability {cc:g})")
    return WorkGraph(nodes, graph.base)


def _layout_shapes(graph: WorkGraph, feeds: set[str]) -> dict[str, list]:
    """Output shapes as the layout pass reads them: grappler's view (feeds unknown,
    ranks merged from what consumers require)."""
    from .properties import grappler_shapes

    entry: Graph = graph.to_graph()
    shapes = grappler_shapes(entry, feeds)
    return {node.name: list(shapes.outputs(node.name)) if shapes is not None else []
            for node in entry}
