"""Constant folding (grappler's ``ConstantFolding``), the pass that changes most.

One run repeats a *pass* until nothing changes (no rewrite flagged and the same node
count).  Shapes are inferred once, on the graph as it entered, and reused by node name
in every pass (:mod:`.properties`).  Each pass:

1. **Materializes shapes**: ``Shape``/``Size``/``Rank`` of a tensor whose shape (rank
   for ``Rank``) is fully known become ``Const`` in place, their input turned into a
   control input (``Shape`` of a tensor with a leading 0 dim is left alone);
   ``ShapeN`` outputs get ``ConstantFolding/<n>-matshapes-<i>`` constants;
   ``TensorArraySizeV3`` of a fixed-size array becomes the array's size.
2. **Materializes constants**: ``BroadcastGradientArgs`` of known shapes gets
   ``-bcastargs-<i>`` constants; a full reduction with non-constant axes gets a
   ``-reduction_indices`` constant; ``Fill``/``ZerosLike``/``OnesLike`` of a fully
   known shape become ``Const`` in place; a foldable node whose value shape inference
   already knows (integer shape vectors) becomes ``Const`` in place with its inputs as
   control inputs.
3. **Folds**: a node is foldable when it is free of side effects, not preserved
   (unless it is a single-output fetch), not a loop-frame op, placeholder, quantization
   emulation (TensorRT >= 8 config), ``*Quantized*``/``Sparse*``/save-restore op,
   has outputs (none of them variant), somebody reads it, all its data inputs are
   non-string constants and its output is not a large tensor grown from small inputs
   (> 100 KiB).  Folding walks a queue from the foldable nodes in graph order; a
   single-output node becomes ``Const`` in place (keeping its name, inheriting the
   control inputs of the node and of its constant inputs); a multi-output node gets
   ``ConstantFolding/<n>-folded-<i>`` constants.  ``Merge`` with a constant input gets
   ``_const``/``_index`` constants.  Nodes nobody reads any more are dropped.
4. **Simplifies** every node (:mod:`.constfold_rules`): identity-like ops become
   ``Identity``, ``x*1``/``x+0`` become ``Identity``/``Snapshot``, division by a
   constant becomes multiplication by ``ConstantFolding/<n>_recip``, constants are
   pushed through chains of ``Add``/``Mul`` and into ``Conv2D`` filters
   (``<conv>/merged_input``), ``Pack`` of one input becomes ``ExpandDims`` with a
   ``_const_axis``, partial constant sums and concatenations are split out
   (``_partial_split_<k>``), and more.

Folded values: trtlint evaluates a folded node with its shape function
(:mod:`.evaluate`), which yields the shape and -- for small tensors -- the values.
"""

from __future__ import annotations

from collections import deque
from typing import Optional

from ..graph import dtypes
from ..graph.model import Graph
from .constfold_rules import SimplifyRules
from .evaluate import evaluate
from .folded import make_const_attrs
from .naming import add_control_dependency, optimized_name
from .ops import (OpInfo, is_constant, is_identity, is_identity_n_single_input, is_merge,
                  is_placeholder, modifies_frame_info, modifies_inputs_in_place)
from .properties import GrapplerProperties, dtype_size, grappler_shapes
from .workgraph import NodeMap, WorkGraph, WorkNode, as_control, is_control, node_name, parse_input

#: grappler folds/materializes nothing that would grow beyond this many bytes
MAX_CONSTANT_SIZE = 100 * 1024
_REDUCTION_OPS = frozenset({"Sum", "Prod", "Min", "Max", "Mean", "Any", "All", "EuclideanNorm"})
#: passes over the graph before giving up (grappler loops until a fixed point)
MAX_PASSES = 100


class FoldError(Exception):
    """A node could not be folded (grappler's non-OK status from FoldNode)."""

    def __init__(self, too_large: bool = False) -> None:
        super().__init__("fold failed")
        self.too_large = too_large


class ConstantFolding(SimplifyRules):
    def __init__(self, graph: WorkGraph, preserve: set[str], feeds: set[str],
                 fetches: list[str], info: OpInfo, graph_for_shapes: Optional[Graph] = None) -> None:
        self.graph = graph
        self.preserve = preserve
        self.feeds = feeds
        self.fetches = fetches
        self.info = info
        self.registry = info.registry
        self.has_fetch = bool(fetches)
        self.fold_quantization_emulation = False  # TF-TRT sets the flag for TensorRT >= 8
        self.maybe_foldable_cache: dict[tuple[str, str], bool] = {}
        self.graph_modified = False
        #: the fan-out index of the graph being rewritten; each pass builds its own
        self.nm: Optional[NodeMap] = None
        self.allowlist: set[str] = set()
        self.contains_assign_or_inplace = any(
            modifies_inputs_in_place(n) or info.has_ref_input(n.op) for n in graph)
        entry = graph_for_shapes if graph_for_shapes is not None else graph.to_graph()
        try:
            shapes = grappler_shapes(entry, feeds)
        except Exception:  # noqa: BLE001 - grappler clears properties when inference fails
            shapes = None
        self.props = GrapplerProperties(entry, shapes)
        self.folded = 0
        self.simplified: dict[str, int] = {}

    # -- small helpers --------------------------------------------------------------
    def is_really_constant(self, node: Optional[WorkNode]) -> bool:
        return node is not None and node.op == "Const" and node.name not in self.feeds

    def note(self, what: str) -> None:
        self.simplified[what] = self.simplified.get(what, 0) + 1

    def new_const(self, name: str, dtype: str, shape, values, device: str,
                  inputs: Optional[list[str]] = None, fingerprint=None) -> WorkNode:
        return WorkNode(name, "Const", inputs or [], device,
                        make_const_attrs(dtype, shape, values, fingerprint))

    def fingerprint(self, node: WorkNode, port: int) -> tuple:
        """How a folded output was computed: op, attributes and the input tensors."""
        from .cse import attr_key

        attrs = tuple(sorted((k, attr_key(v)) for k, v in node.attrs_view.items()
                             if not k.startswith("_")))
        inputs = []
        for text in node.inputs:
            if is_control(text):
                break
            src = self.nm.get(text)
            inputs.append(attr_key(src.attr("value")) if src is not None else text)
        return (node.op, attrs, tuple(inputs), port)

    # -- the driver -----------------------------------------------------------------
    def run(self) -> WorkGraph:
        current = self.graph
        for _ in range(MAX_PASSES):
            self.graph_modified = False
            count = len(current.nodes)
            current = self.run_pass(current)
            if not (self.graph_modified or len(current.nodes) != count):
                break
        return current

    def run_pass(self, graph: WorkGraph) -> WorkGraph:
        self.graph = graph
        self.nm = graph.node_map()
        self.allowlist = set()
        for fetch in self.fetches:
            node = self.nm.nodes.get(fetch)
            if node is not None and self.info.num_outputs(node) == 1:
                self.allowlist.add(node.name)
        not_simplify: set[str] = set()
        if self.props.has_properties:
            self.materialize_shapes()
            self.materialize_constants()
            out = self.fold_graph(not_simplify)
        else:
            out = WorkGraph(list(graph.nodes), graph.base)
        self.graph = out
        self.nm = out.node_map()
        self.simplify_graph(not_simplify)
        return out

    # -- 1. shapes ------------------------------------------------------------------
    def materialize_shapes(self) -> None:
        graph = self.graph
        nm = self.nm
        props = self.props
        count = len(graph.nodes)
        for idx in range(count):
            node = graph.nodes[idx]
            op = node.op
            if op not in ("Shape", "Size", "Rank", "ShapeN", "TensorArraySizeV3"):
                continue
            outputs = props.output_props(node.name)
            inputs = props.input_props(node.name)
            if not inputs or not outputs:
                continue
            if op in ("Shape", "Size", "Rank"):
                shape, _ = inputs[0]
                out_type = outputs[0][1]
                if out_type not in ("int32", "int64"):
                    continue
                if op == "Rank":
                    if shape is None:
                        continue
                    value = [len(shape)]
                    out_shape: tuple = ()
                else:
                    if shape is None or any(d < 0 for d in shape):
                        continue
                    if op == "Shape":
                        if shape and shape[0] == 0:
                            continue
                        value = list(shape)
                        out_shape = (len(shape),)
                    else:
                        size = 1
                        for d in shape:
                            size *= d
                        value = [size]
                        out_shape = ()
                    if out_type == "int32" and any(v >= (1 << 31) - 1 for v in value):
                        continue
                self.graph_modified = True
                node.op = "Const"
                node.erase_regular_attrs()
                node.attrs.update(make_const_attrs(out_type, out_shape, value))
                ctrl = add_control_dependency(node.inputs[0], graph, nm)
                nm.update_input(node.name, node.inputs[0], ctrl)
                node.inputs[0] = ctrl
                self.note(f"{op} materialized")
                continue
            if op == "TensorArraySizeV3":
                array = nm.get(node.inputs[0]) if node.inputs else None
                if array is None or not array.inputs or array.attr("dynamic_size", False):
                    continue
                size_node = nm.get(array.inputs[0])
                if not self.is_really_constant(size_node):
                    continue
                value = size_node.attr("value")
                if value is None or value.dtype != "int32":
                    continue
                vals = value.values(limit=1)
                if not vals or vals[0] == 0:
                    continue
                self.graph_modified = True
                node.op = "Const"
                node.set_attrs(dict(size_node.attrs_view))
                node.has_shapes_attr = size_node.has_shapes_attr
                node.inputs[0] = as_control(node.inputs[0])
                if len(node.inputs) > 1:
                    node.inputs[1] = add_control_dependency(node_name(node.inputs[1]), graph, nm)
                self.note("TensorArraySizeV3 materialized")
                continue
            # ShapeN: one constant per output port with a fully known shape
            for port in range(min(len(outputs), len(inputs))):
                out_type = outputs[port][1]
                shape = inputs[port][0]
                if out_type not in ("int32", "int64") or shape is None or any(d < 0 for d in shape):
                    continue
                for consumer in nm.fanout(node.name):
                    direct_other = False
                    for k, text in enumerate(consumer.inputs):
                        src, p = parse_input(text)
                        if src == node.name and p == port:
                            const_name = optimized_name(node.name, f"-matshapes-{port}")
                            if nm.get(const_name) is None:
                                ctrl = add_control_dependency(node.name, graph, nm)
                                c = self.new_const(const_name, out_type, (len(shape),), list(shape),
                                                   node.device, [ctrl])
                                graph.nodes.append(c)
                                nm.add_node(c)
                                nm.add_output(node_name(ctrl), const_name)
                            consumer.inputs[k] = const_name
                            nm.add_output(const_name, consumer.name)
                            self.graph_modified = True
                        if src == node.name and p != port:
                            direct_other = True
                    if not direct_other:
                        nm.remove_output(node.name, consumer.name)

    # -- 2. constants ---------------------------------------------------------------
    def materialize_constants(self) -> None:
        graph = self.graph
        count = len(graph.nodes)
        for i in range(count):
            node = graph.nodes[i]
            op = node.op
            if op == "BroadcastGradientArgs":
                self.materialize_bcast_grad_args(node)
            elif op in _REDUCTION_OPS:
                self.materialize_reduction_indices(node)
            elif op in ("Fill", "ZerosLike", "OnesLike"):
                self.materialize_constant_valued(node)
            else:
                self.materialize_output_values(node)

    def _extract_shape(self, shape_node: WorkNode, min_id: list[int]) -> Optional[list[int]]:
        if shape_node.op == "Shape":
            props = self.props.input_props(shape_node.name)
            if len(props) != 1 or props[0][0] is None:
                return None
            dims = list(props[0][0])
            for d in dims:
                min_id[0] = min(min_id[0], d)
            return dims
        value = shape_node.attr("value")
        if value is None or value.dtype not in ("int32", "int64"):
            return None
        vals = value.values(limit=1 << 16)
        return None if vals is None else [int(v) for v in vals]

    def materialize_bcast_grad_args(self, node: WorkNode) -> None:
        nm = self.nm
        if len(node.inputs) < 2:
            return
        s1, s2 = nm.get(node.inputs[0]), nm.get(node.inputs[1])
        for s in (s1, s2):
            if s is None or (s.op != "Shape" and not self.is_really_constant(s)):
                return
        names = [optimized_name(node.name, "-folded-1"), optimized_name(node.name, "-folded-2")]
        if any(nm.exists(n) for n in names):
            return
        min_id = [0]
        shape1 = self._extract_shape(s1, min_id)
        if shape1 is None:
            return
        shape2 = self._extract_shape(s2, min_id)
        if shape2 is None:
            return
        # every unknown (-1) dim gets its own id: unknown dims never match each other
        for shape in (shape1, shape2):
            for k, d in enumerate(shape):
                if d == -1:
                    min_id[0] -= 1
                    shape[k] = min_id[0]
        common = min(len(shape1), len(shape2))
        for k in range(common):
            a, b = shape1[k], shape2[k]
            if a >= 0 and b >= 0:
                continue
            if a != b:
                return
        if any(d < 0 for d in shape1[common:]) or any(d < 0 for d in shape2[common:]):
            return
        reduce = _bcast_reduce_indices(shape1, shape2)
        if reduce is None:
            return
        dtype = node.attr("T", "int32")
        consts = []
        for j in range(2):
            name = optimized_name(node.name, f"-bcastargs-{j}")
            c = nm.nodes.get(name)
            if c is None:
                ctrl = add_control_dependency(node.name, self.graph, nm)
                c = self.new_const(name, dtype, (len(reduce[j]),), reduce[j], node.device, [ctrl])
                self.graph.nodes.append(c)
                nm.add_node(c)
                nm.add_output(node_name(ctrl), name)
            consts.append(c)
        for out in nm.fanout(node.name):
            for k, text in enumerate(out.inputs):
                src, port = parse_input(text)
                if src == node.name and 0 <= port < 2:
                    out.inputs[k] = consts[port].name
                    nm.update_input(out.name, src, consts[port].name)
        self.note("BroadcastGradientArgs materialized")

    def materialize_reduction_indices(self, node: WorkNode) -> None:
        nm = self.nm
        if len(node.inputs) < 2:
            return
        indices = nm.get(node.inputs[1])
        if indices is None or self.is_really_constant(indices):
            return
        in_props = self.props.input_props(node.name)
        if len(in_props) != 2:
            return
        in_shape = in_props[0][0]
        if in_shape is None or len(in_shape) < 1:
            return
        rank = len(in_shape)
        idx_shape, idx_dtype = in_props[1]
        if idx_dtype not in ("int32", "int64"):
            return
        n_idx = -1 if idx_shape is None or any(d < 0 for d in idx_shape) else _prod(idx_shape)
        out_props = self.props.output_props(node.name)
        if len(out_props) != 1:
            return
        out_shape = out_props[0][0]
        out_rank = -1 if out_shape is None else len(out_shape)
        full = out_rank == 0 or n_idx == rank
        if not full:
            for fanout in nm.fanout(node.name):
                full = False
                if fanout.op != "Reshape":
                    return
                rprops = self.props.output_props(fanout.name)
                if len(rprops) != 1:
                    return
                rshape = rprops[0][0]
                if rshape is None or any(d < 0 for d in rshape) or _prod(rshape) != 1:
                    return
                full = True
            if not full:
                return
        name = optimized_name(node.name, "-reduction_indices")
        if nm.get(name) is not None:
            return
        ctrl = add_control_dependency(node.inputs[1], self.graph, nm)
        c = self.new_const(name, idx_dtype, (rank,), list(range(rank)), node.device, [ctrl])
        self.graph.nodes.append(c)
        nm.add_node(c)
        nm.add_output(node_name(ctrl), name)
        nm.update_input(node.name, indices.name, name)
        node.inputs[1] = name
        self.note("reduction indices materialized")

    def materialize_constant_valued(self, node: WorkNode) -> None:
        out_props = self.props.output_props(node.name)
        if len(out_props) != 1:
            return
        shape, dtype = out_props[0]
        if shape is None or any(d < 0 for d in shape):
            return
        nm = self.nm
        if node.op == "Fill":
            if len(node.inputs) < 2:
                return
            value_node = None
            for k in range(2):
                value_node = nm.get(node.inputs[k])
                if not self.is_really_constant(value_node):
                    return
            fill_value = value_node.attr("value")
            vals = fill_value.values(limit=1) if fill_value is not None else None
            node.op = "Const"
            attrs = node.attrs
            attrs.pop("T", None)
            attrs.pop("index_type", None)
            attrs.update(make_const_attrs(dtype or value_node.attr("dtype"), shape, vals))
            for k in range(2):
                ctrl = as_control(node.inputs[k])
                nm.update_input(node.name, node.inputs[k], ctrl)
                node.inputs[k] = ctrl
            self.graph_modified = True
            self.note("Fill materialized")
            return
        value = 0 if node.op == "ZerosLike" else 1
        self.replace_with_constant(value, shape, node)
        self.note(f"{node.op} materialized")

    def materialize_output_values(self, node: WorkNode) -> None:
        # Skipped outright when no value can be known, and for constants (never
        # foldable): both tests only spare lookups whose answers are cached anyway.
        if node.op == "Const" or not self.props.may_have_value(node.name):
            return
        out_props = self.props.output_props(node.name)
        if len(out_props) != 1:
            return
        value = self.props.output_value(node.name)
        if value is None or not self.is_foldable(node):
            return
        if is_identity(node):
            src = self.nm.get(node.inputs[0])
            if self.is_really_constant(src):
                # grappler forwards an empty list of inputs here, then records that
                # nothing changed: the flag is reset, not just left alone
                self.graph_modified = False
                return
        shape, dtype = out_props[0]
        self.replace_with_constant_tensor(dtype, shape if shape is not None else (len(value),),
                                          value, node)
        self.note("shape vector materialized")

    # -- rewrites shared with the simplifications ------------------------------------
    def replace_with_constant_tensor(self, dtype, shape, values, node: WorkNode) -> None:
        if dtype == "variant":
            return
        node.op = "Const"
        node.erase_regular_attrs()
        node.attrs.update(make_const_attrs(dtype, shape, values))
        self._data_inputs_to_controls(node)
        node.dedup_control_inputs()
        self.graph_modified = True

    def replace_with_constant(self, value: float, shape, node: WorkNode) -> None:
        dtype = self.dtype_of(node)
        if dtype == "variant" or dtype is None or dtype in ("string", "resource", "complex64",
                                                            "complex128"):
            return
        if dtype == "bool":
            value = bool(value)
        elif dtype not in dtypes.FLOATING:
            value = int(value)
        n = _prod(shape)
        self.replace_with_constant_tensor(dtype, tuple(shape), [value] * n if n <= 4096 else [value],
                                          node)

    def _data_inputs_to_controls(self, node: WorkNode) -> None:
        inputs = node.inputs
        for i in range(len(inputs)):
            if is_control(inputs[i]):
                break
            ctrl = add_control_dependency(inputs[i], self.graph, self.nm)
            self.nm.update_input(node.name, inputs[i], ctrl)
            inputs[i] = ctrl

    def dtype_of(self, node: WorkNode) -> Optional[str]:
        """``GetDataTypeFromNodeOrProps``."""
        t = node.attr("T")
        if isinstance(t, str):
            return t
        t = node.attr("dtype")
        if isinstance(t, str):
            return t
        if node.op in ("LogicalOr", "LogicalAnd"):
            return "bool"
        props = self.props.output_props(node.name)
        return props[0][1] if props else None

    # -- 3. folding -----------------------------------------------------------------
    def maybe_foldable(self, node: WorkNode) -> bool:
        if is_constant(node):
            return False
        if not self.info.is_free_of_side_effect(node):
            return False
        if node.name in self.preserve and node.name not in self.allowlist:
            return False
        if modifies_frame_info(node) or is_placeholder(node):
            return False
        op = node.op
        if op in ("FakeParam", "AccumulateNV2", "LoopCond"):
            return False
        if not self.fold_quantization_emulation and (
                op.startswith("QuantizeAndDequantize") or op.startswith("FakeQuantWithMinMax")):
            return False
        if "Save" in op or "Restore" in op or "Reader" in op:
            return False
        if "Quantized" in op or op.startswith("Sparse"):
            return False
        if node.has_tpu_attr():
            return False
        entry = self.registry.get(op)
        if entry is None or not entry.get("out"):
            return False
        if any(arg.get("type") == "variant" for arg in entry["out"]):
            return False
        if not self.nm.fanout_names(node.name) and node.name not in self.allowlist:
            return False
        return True

    def is_foldable(self, node: WorkNode) -> bool:
        key = (node.name, node.op)
        cached = self.maybe_foldable_cache.get(key)
        if cached is None:
            cached = self.maybe_foldable(node)
            self.maybe_foldable_cache[key] = cached
        if not cached:
            return False
        return self.is_foldable_uncached(node)

    def is_foldable_uncached(self, node: WorkNode) -> bool:
        if not node.inputs:
            return False
        merge = is_merge(node)
        merge_has_const = False
        nm = self.nm
        for text in node.inputs:
            if is_control(text):
                continue
            src = nm.get(text)
            if src is None:
                return False
            if self.is_really_constant(src):
                dt = src.attr("dtype")
                if dt is None or dt == "string":
                    return False
                merge_has_const |= not src.has_control_inputs()
            elif not merge:
                return False
        if merge and not merge_has_const:
            return False
        props = self.props
        if props.has_properties and props.has(node.name):
            in_bytes = 0
            for shape, dtype in props.input_props(node.name):
                if shape is not None and all(d >= 0 for d in shape):
                    in_bytes += _prod(shape) * dtype_size(dtype)
            for shape, dtype in props.output_props(node.name):
                if shape is not None and all(d >= 0 for d in shape):
                    size = _prod(shape) * dtype_size(dtype)
                    if size > in_bytes and size > MAX_CONSTANT_SIZE:
                        return False
        return True

    def fold_graph(self, not_simplify: set[str]) -> WorkGraph:
        graph = self.graph
        nm = self.nm
        out_nodes: list[WorkNode] = []
        self._out_nodes = out_nodes
        processed: set[str] = set()
        queue: deque[WorkNode] = deque(
            n for n in graph.nodes if self.is_foldable(n) and n.name not in not_simplify)
        while queue:
            node = queue.popleft()
            if node.name in processed:
                continue
            fanout = nm.fanout_sorted(node.name)
            try:
                self.fold_node(node)
                ok = True
            except FoldError as err:
                ok = False
                if err.too_large:
                    not_simplify.add(node.name)
            processed.add(node.name)
            if ok:
                for f in fanout:
                    if self.is_foldable(f) and f.name not in not_simplify:
                        queue.append(f)
        kept_added = [n for n in out_nodes if nm.fanout_names(n.name)]
        kept = [n for n in graph.nodes
                if nm.fanout_names(n.name) or not self.has_fetch or n.name in self.preserve]
        dropped = len(graph.nodes) - len(kept)
        if dropped:
            self.note("dropped after folding")
        return WorkGraph(kept_added + kept, graph.base)

    def fold_node(self, node: WorkNode) -> None:
        if is_merge(node):
            self.fold_merge(node)
            return
        nm = self.nm
        inputs: dict[str, WorkNode] = {}
        total_in = 0
        for text in node.inputs:
            if is_control(text):
                break
            src = nm.get(text)
            if not self.is_really_constant(src):
                raise FoldError()
            if src.attr("dtype") is None:
                raise FoldError()
            inputs[src.name] = src
            total_in += _const_nbytes(src)
        if _calls_function(node, self.graph):
            # grappler evaluates on a bare CPU device without a function runtime:
            # If/Case/While/PartitionedCall and library calls fail to evaluate
            raise FoldError()
        outputs = evaluate(node, inputs, self.registry)
        if not outputs:
            raise FoldError()
        names = []
        const_nodes: list[Optional[WorkNode]] = []
        for i, (shape, dtype, vals) in enumerate(outputs):
            name = optimized_name(node.name, "-folded")
            if len(outputs) > 1:
                name = f"{name}-{i}"
            if dtype is None:
                raise FoldError()
            if shape is not None and all(d >= 0 for d in shape):
                encoded = _encoded_size(shape, dtype, vals)
                if encoded > total_in and encoded >= MAX_CONSTANT_SIZE:
                    raise FoldError(too_large=True)
            c = self.new_const(name, dtype, shape, vals, node.device,
                               fingerprint=None if vals is not None else self.fingerprint(node, i))
            # control inputs: the node's own, then those of its constant inputs
            for text in node.inputs:
                if is_control(text):
                    if text not in c.inputs:
                        c.inputs.append(text)
                else:
                    src = nm.get(text)
                    for fanin in src.inputs:
                        if fanin not in c.inputs:
                            c.inputs.append(fanin)
            names.append(name)
            const_nodes.append(c)
        self.folded += 1
        if len(const_nodes) == 1:
            c = const_nodes[0]
            node.op = "Const"
            nm.remove_inputs(node.name)
            node.inputs = list(c.inputs)
            for text in node.inputs:
                nm.add_output(node_name(text), node.name)
            node.set_attrs(c.attrs)
            node.has_shapes_attr = False
            return
        last = None
        for c in const_nodes:
            if nm.exists(c.name):
                raise FoldError()
            c.device = node.device
            self._out_nodes.append(c)
            nm.add_node(c)
            for text in c.inputs:
                nm.add_output(node_name(text), c.name)
            last = c
        for out in nm.fanout(node.name):
            for k, text in enumerate(out.inputs):
                src, port = parse_input(text)
                if src != node.name:
                    continue
                if port < 0:
                    if last is not None:
                        nm.update_input(src, node_name(text), last.name)  # mirrors grappler
                        out.inputs[k] = "^" + last.name
                elif port < len(const_nodes):
                    nm.update_input(out.name, src, const_nodes[port].name)
                    out.inputs[k] = const_nodes[port].name
        if not nm.fanout_names(node.name) and self.has_fetch and node.name not in self.preserve:
            nm.remove_inputs(node.name)
            node.inputs = []

    def fold_merge(self, node: WorkNode) -> None:
        nm = self.nm
        for idx, text in enumerate(node.inputs):
            if is_control(text):
                continue
            src = nm.get(text)
            if not self.is_really_constant(src):
                continue
            if any(is_control(t) for t in src.inputs):
                continue
            out_name = optimized_name(node.name, "_const")
            index_name = optimized_name(node.name, "_index")
            if nm.get(out_name) or nm.get(index_name):
                raise FoldError()
            const_out = WorkNode(out_name, "Const", ["^" + node.name], node.device,
                                 dict(src.attrs_view), None, src.has_shapes_attr)
            const_index = self.new_const(index_name, "int32", (), [idx], node.device,
                                         ["^" + node.name])
            for c in (const_out, const_index):
                self._out_nodes.append(c)
                nm.add_node(c)
                nm.add_output(node.name, c.name)
            for out in nm.fanout(node.name):
                for k, t in enumerate(out.inputs):
                    s, port = parse_input(t)
                    if s != node.name:
                        continue
                    if port == 0:
                        out.inputs[k] = out_name
                        nm.add_output(out_name, out.name)
                    elif port == 1:
                        out.inputs[k] = index_name
                        nm.add_output(index_name, out.name)
            self.folded += 1
            return

    # -- 4. simplifications -----------------------------------------------------------
    def simplify_graph(self, not_simplify: set[str]) -> None:
        nodes = self.graph.nodes
        i = 0
        while i < len(nodes):
            node = nodes[i]
            if node.name not in not_simplify:
                if node.has_tpu_attr():
                    not_simplify.add(node.name)
                else:
                    self.simplify_node(node)
            i += 1


_FUNCTIONAL_OPS = frozenset({"If", "StatelessIf", "Case", "StatelessCase", "While",
                             "StatelessWhile", "PartitionedCall", "StatefulPartitionedCall",
                             "SymbolicGradient", "RemoteCall", "For"})


def _calls_function(node: WorkNode, graph: WorkGraph) -> bool:
    from ..graph.attrs import FuncRef

    if node.op in _FUNCTIONAL_OPS:
        return True
    if graph.base is not None and node.op in graph.base.library:
        return True
    return any(isinstance(v, FuncRef) or (isinstance(v, list) and v and isinstance(v[0], FuncRef))
               for v in node.attrs_view.values())


def _const_nbytes(node: WorkNode) -> int:
    from .evaluate import const_shape

    value = node.attr("value")
    if value is not None:
        return value.nbytes
    shape = const_shape(node)
    if shape is None or any(d < 0 for d in shape):
        return 0
    return _prod(shape) * dtype_size(node.attr("dtype"))


def _prod(shape) -> int:
    n = 1
    for d in shape:
        n *= d
    return n


def _encoded_size(shape, dtype: str, vals) -> int:
    """Bytes grappler's ``CreateNodeDef`` would store for a folded tensor: repeated
    trailing values are stored once when the tensor has more than 4 elements."""
    n = _prod(shape)
    size = dtype_size(dtype)
    if vals is not None and n > 4 and len(vals) == n:
        last_change = 0
        for i in range(1, n):
            if vals[i] != vals[i - 1]:
                last_change = i
        field = 8 if dtype in ("float64", "int64", "uint64") else 4
        if dtype == "bool":
            field = 1
        return (last_change + 1) * field
    return n * size


def _bcast_reduce_indices(shape1: list[int], shape2: list[int]) -> Optional[list[list[int]]]:
    """The reduction axes ``BroadcastGradientArgs`` returns for two shapes (grappler's
    ``BCast`` with symbolic negative ids), or None when they do not broadcast.
    Identical shapes reduce nothing; otherwise an axis where an operand has size 1 is
    reduced for that operand (for both when both have size 1)."""
    if shape1 == shape2:
        return [[], []]
    rank = max(len(shape1), len(shape2))
    a = [1] * (rank - len(shape1)) + shape1
    b = [1] * (rank - len(shape2)) + shape2
    ra: list[int] = []
    rb: list[int] = []
    for i in range(rank):
        x, y = a[i], b[i]
        if x == y:
            if x == 1:
                ra.append(i)
                rb.append(i)
            continue
        if x == 1:
            ra.append(i)
        elif y == 1:
            rb.append(i)
        else:
            return None
    return [ra, rb]
