"""The graph simplifications constant folding applies after folding (``SimplifyNode``).

Each rule below is tried in grappler's order; the first one that rewrites a node ends
the node's turn.  Shapes come from the properties inferred when constant folding
started (:mod:`.properties`); a rule that needs a shape does nothing without one.

Rules that make a node an ``Identity`` (keeping its name; the extra data inputs become
control inputs):

* ``Split``/``SplitV`` with ``num_split == 1``;
* ``Transpose``/``Shuffle`` whose permutation only moves size-1 dims;
* ``RandomShuffle`` of a scalar or of a tensor whose first dim is 1;
* ``ReverseV2`` over size-1 dims only;
* ``Slice`` from 0 of the whole tensor; ``StridedSlice`` of the whole tensor with
  stride 1 (no new-axis/shrink masks);
* ``Tile`` with all multiples 1; ``Pad``/``PadV2`` with all paddings 0;
* ``Squeeze`` of a tensor without size-1 dims;
* a reduction over no axes, or (``keep_dims``) over size-1 axes only;
* ``Reshape`` to the shape its fully known input already has.

Arithmetic: ``x*1``, ``1*x``, ``x/1``, ``x+0``, ``0+x``, ``x-0`` become ``Identity``
(``Snapshot`` when the graph updates variables in place) or ``BroadcastTo`` when the
constant widens the result; ``0-x`` becomes ``Neg``; ``1/x`` becomes ``Reciprocal``;
``x*0`` becomes a zero constant when the shape is known; division by a constant
becomes ``Mul`` by ``ConstantFolding/<n>_recip`` (``Reciprocal`` of the constant,
folded in the next pass); a constant is pushed down a chain of
``Add``/``Sub``/``Mul``/``Div`` so that constants meet and fold; ``Mul`` of a
``Conv2D``/``Conv3D`` by a per-channel constant moves into the filter: the ``Mul``
is renamed ``<conv>/merged_input`` and multiplies the filter, the convolution takes
the ``Mul``'s name.

Structure: ``Pack`` of one tensor becomes ``ExpandDims`` with a
``ConstantFolding/<n>_const_axis`` constant; constant inputs of ``IdentityN`` are
forwarded to consumers; ``AddN`` with several constant inputs gets a
``ConstantFolding/<n>_partial_split_<k>`` sum of them; runs of constant inputs of a
concatenation get ``ConstantFolding/<n>_partial_split_<i>`` concatenations; nested
``ConcatV2`` on the same axis merge into one (the inner becomes ``NoOp``);
``Enter`` of a constant gets a ``ConstantFolding/<c>_enter`` copy inside the frame;
``Switch(x, x)`` gets ``_const_false``/``_const_true`` constants; ``Case`` with a
constant branch index becomes ``PartitionedCall``; ``Select`` with an all-true or
all-false condition becomes ``Identity``/``BroadcastTo``; variable updates by 0 (or
times 1) are removed.
"""

from __future__ import annotations

from typing import Optional

from ..graph import dtypes
from .folded import all_values_equal
from .naming import add_control_dependency, add_prefix, num_non_control_outputs, optimized_name
from .properties import shapes_equal
from .ops import is_commutative, is_aggregate, is_identity_n, is_identity_n_single_input
from .workgraph import WorkNode, as_control, is_control, node_name, parse_input

_SPLIT_OPS = ("Split", "SplitV")
_REDUCTIONS = ("Sum", "Prod", "Min", "Max", "Mean", "Any", "All", "EuclideanNorm")
_VARIABLE_UPDATES = ("AssignAddVariableOp", "AssignSubVariableOp", "AssignAdd", "AssignSub",
                     "ScatterAdd", "ScatterSub", "ScatterMul", "ScatterDiv", "ScatterNdAdd",
                     "ScatterNdSub", "ScatterNdMul", "ScatterNdDiv", "ResourceScatterAdd",
                     "ResourceScatterSub", "ResourceScatterMul", "ResourceScatterDiv",
                     "ResourceScatterNdAdd", "ResourceScatterNdSub", "ResourceScatterNdMul",
                     "ResourceScatterNdDiv")
#: every op some simplification looks at; other nodes are skipped outright
SIMPLIFIED_OPS = frozenset(
    _SPLIT_OPS + _REDUCTIONS + _VARIABLE_UPDATES + (
        "Transpose", "Shuffle", "RandomShuffle", "ReverseV2", "Slice", "StridedSlice", "Tile",
        "Pad", "PadV2", "Squeeze", "Pack", "Enter", "RefEnter", "Switch", "Reshape", "Mul",
        "MulNoNan", "LogicalAnd", "MatMul", "SparseMatMul", "BatchMatMul", "BatchMatMulV2",
        "QuantizedMatMul", "AddV2", "Add", "BiasAdd", "BiasAddV1", "LogicalOr", "Sub",
        "RealDiv", "Div", "Xdivy", "TruncateDiv", "IdentityN", "AddN", "AccumulateNV2",
        "Concat", "ConcatV2", "Case", "Select", "SelectV2"))


def _ints(value) -> Optional[list[int]]:
    if value is None:
        return None
    vals = value.values(limit=1 << 16)
    if vals is None:
        return None
    try:
        return [int(v) for v in vals]
    except (TypeError, ValueError):
        return None


def _fully_defined(shape) -> bool:
    return shape is not None and all(d >= 0 for d in shape)


class SimplifyRules:
    """Mixin of :class:`~trtlint.grappler.constfold.ConstantFolding`: the rules."""

    # -- helpers ---------------------------------------------------------------------
    def const_tensor(self, input_text: str):
        """The value of a really-constant input (``GetTensorFromConstNode``)."""
        node = self.nm.get(input_text)
        if not self.is_really_constant(node):
            return None
        return node.attr("value")

    def is_ones(self, node: Optional[WorkNode]) -> bool:
        return self._is_value(node, 1)

    def is_zeros(self, node: Optional[WorkNode]) -> bool:
        return self._is_value(node, 0)

    def _is_value(self, node: Optional[WorkNode], target: int) -> bool:
        if node is None or node.name in self.feeds:
            return False
        if node.op == "OnesLike":
            return target == 1
        if node.op == "ZerosLike":
            return target == 0
        if node.op == "Fill":
            values = self.nm.get(node.inputs[1]) if len(node.inputs) > 1 else None
            return values is not None and self._is_value(values, target)
        if node.op != "Const":
            return False
        dtype = node.attr("dtype")
        if dtype is None or dtype in ("string", "resource", "variant"):
            return False
        return all_values_equal(node.attr("value"), target)

    def replace_with_identity(self, index: int, node: WorkNode) -> None:
        if index < 0 or index >= len(node.inputs):
            return
        dtype = self.dtype_of(node)
        if dtype is None:
            return
        self._retype(node, "Identity", {"T": dtype}, index)
        self.graph_modified = True

    def replace_with_snapshot(self, index: int, node: WorkNode) -> None:
        if not self.contains_assign_or_inplace:
            self.replace_with_identity(index, node)
            return
        dtype = self.dtype_of(node)
        if dtype is None:
            return
        self._retype(node, "Snapshot", {"T": dtype}, index)
        self.graph_modified = True

    def _retype(self, node: WorkNode, op: str, attrs: dict, index: int) -> None:
        node.op = op
        node.erase_regular_attrs()
        node.attrs.update(attrs)
        inputs = node.inputs
        inputs[0], inputs[index] = inputs[index], inputs[0]
        for i in range(1, len(inputs)):
            if is_control(inputs[i]):
                break
            ctrl = add_control_dependency(inputs[i], self.graph, self.nm)
            self.nm.update_input(node.name, inputs[i], ctrl)
            inputs[i] = ctrl

    def replace_with_broadcast_to(self, index: int, node: WorkNode) -> bool:
        dtype = self.dtype_of(node)
        if dtype is None:
            return False
        props = self.props.output_props(node.name)
        shape = props[0][0] if props else None
        if not _fully_defined(shape):
            return False
        const_name = optimized_name(node.name, f"-broadcastto_shape-{index}")
        if self.nm.get(const_name) is not None:
            return False
        c = self.new_const(const_name, "int32", (len(shape),), list(shape), node.device)
        self.graph.nodes.append(c)
        self.nm.add_node(c)
        for i, text in enumerate(node.inputs):
            if i != index:
                ctrl = add_control_dependency(node_name(text), self.graph, self.nm)
                c.inputs.append(ctrl)
                self.nm.add_output(node_name(ctrl), const_name)
        node.op = "BroadcastTo"
        node.erase_regular_attrs()
        node.attrs.update({"T": dtype, "Tidx": "int32"})
        inputs = node.inputs
        inputs[0], inputs[index] = inputs[index], inputs[0]
        for i in range(1, len(inputs)):
            if is_control(inputs[i]):
                break
            ctrl = add_control_dependency(inputs[i], self.graph, self.nm)
            self.nm.update_input(node.name, inputs[i], ctrl)
            inputs[i] = ctrl
        inputs.append(const_name)
        self.nm.add_output(const_name, node.name)
        inputs[1], inputs[-1] = inputs[-1], inputs[1]
        return True

    # -- the driver ---------------------------------------------------------------
    def simplify_node(self, node: WorkNode) -> None:
        """Try the rules on ``node`` in grappler's order; the first that rewrites it
        ends its turn.

        Only the rules that can act on the node's op are called (:func:`rule_plan`):
        every rule starts by returning, without effect, for any other op.  A rule
        that changes the op without ending the turn would let later rules see the new
        op, so the plan is re-read for it then."""
        op = node.op
        if op not in SIMPLIFIED_OPS:
            return
        cached = self.graph_modified
        self.graph_modified = False
        use_shapes = self.props.has_properties
        plan = rule_plan(op)
        i = 0
        while i < len(plan):
            position, name, kind = plan[i]
            i += 1
            if kind == _BY_FLAG:
                getattr(self, name)(node)
            elif kind == _BY_FLAG_WITH_SHAPES:
                if use_shapes:
                    getattr(self, name)(node)
            else:
                self.graph_modified = bool(getattr(self, name)(node))
            if self.graph_modified:
                self.note(name)
                return
            if node.op != op:
                op = node.op
                plan = [step for step in rule_plan(op) if step[0] > position]
                i = 0
        self.graph_modified = cached
    # -- identity-like ops ----------------------------------------------------------
    def remove_split(self, node: WorkNode) -> None:
        if node.op not in _SPLIT_OPS or node.attr("num_split") != 1:
            return
        self.replace_with_identity(1 if node.op == "Split" else 0, node)

    def _input_shape(self, node: WorkNode, i: int = 0):
        props = self.props.input_props(node.name)
        return props[i][0] if i < len(props) else None

    def remove_transpose(self, node: WorkNode) -> None:
        if node.op not in ("Transpose", "Shuffle") or len(node.inputs) < 2:
            return
        perm = _ints(self.const_tensor(node.inputs[1]))
        if perm is None or not self.props.input_props(node.name):
            return
        shape = self._input_shape(node)
        if shape is None or len(perm) != len(shape):
            return
        if all(shape[j] == 1 or perm[j] == j for j in range(len(shape))):
            self.replace_with_identity(0, node)

    def remove_random_shuffle(self, node: WorkNode) -> None:
        if node.op != "RandomShuffle" or not self.props.input_props(node.name):
            return
        shape = self._input_shape(node)
        if shape is not None and (len(shape) == 0 or shape[0] == 1):
            self.replace_with_identity(0, node)

    def remove_reverse(self, node: WorkNode) -> None:
        if node.op != "ReverseV2" or len(node.inputs) < 2:
            return
        axis = _ints(self.const_tensor(node.inputs[1]))
        if axis is None or not self.props.input_props(node.name):
            return
        shape = self._input_shape(node)
        if shape is None:
            return
        rank = len(shape)
        if rank == 0:
            return
        targets = {(a + rank) % rank for a in axis}
        if all(shape[j] == 1 or j not in targets for j in range(rank)):
            self.replace_with_identity(0, node)

    def simplify_slice(self, node: WorkNode) -> None:
        if node.op != "Slice" or len(node.inputs) < 3 or not self.props.input_props(node.name):
            return
        begin = _ints(self.const_tensor(node.inputs[1]))
        size = _ints(self.const_tensor(node.inputs[2]))
        if begin is None or size is None:
            return
        shape = self._input_shape(node)
        if shape is None or len(begin) < len(shape) or len(size) < len(shape):
            return
        if all(begin[j] == 0 and (size[j] == -1 or size[j] == shape[j])
               for j in range(len(shape))):
            self.replace_with_identity(0, node)

    def simplify_strided_slice(self, node: WorkNode) -> None:
        if node.op != "StridedSlice" or len(self.props.input_props(node.name)) != 4:
            return
        if node.attr("new_axis_mask", 0) or node.attr("shrink_axis_mask", 0):
            return
        shape = self._input_shape(node)
        if shape is None or any(d < 0 for d in shape):
            return
        tensors = [_ints(self.const_tensor(node.inputs[i])) if i < len(node.inputs) else None
                   for i in (1, 2, 3)]
        if any(t is None for t in tensors):
            return
        begin, end, strides = tensors
        begin_mask = node.attr("begin_mask", 0)
        end_mask = node.attr("end_mask", 0)
        ellipsis_mask = node.attr("ellipsis_mask", 0)
        rank = len(shape)
        expanded: set[int] = set()
        ellipsis_index = -1
        for j in range(rank):
            if ellipsis_mask & (1 << j) or (ellipsis_index == -1 and j >= len(strides)):
                ellipsis_index = j
            if ellipsis_index != -1 and rank > len(strides) + j - ellipsis_index:
                expanded.add(j)
        for j in range(rank):
            if j in expanded:
                continue
            i = j
            if ellipsis_index != -1 and j >= ellipsis_index + len(expanded):
                i = j - len(expanded)
            if i >= len(begin) or i >= len(end) or i >= len(strides):
                return
            b, e, s = begin[i], end[i], strides[i]
            ok = ((begin_mask & (1 << i)) or b == 0) and \
                 ((end_mask & (1 << i)) or e == shape[j]) and s == 1
            if not ok:
                return
        self.replace_with_identity(0, node)

    def simplify_tile(self, node: WorkNode) -> None:
        if node.op != "Tile" or len(node.inputs) < 2:
            return
        mult = _ints(self.const_tensor(node.inputs[1]))
        if mult is not None and all(m == 1 for m in mult):
            self.replace_with_identity(0, node)

    def simplify_pad(self, node: WorkNode) -> None:
        if node.op not in ("Pad", "PadV2") or len(node.inputs) < 2:
            return
        pads = _ints(self.const_tensor(node.inputs[1]))
        if pads is not None and all(p == 0 for p in pads):
            self.replace_with_identity(0, node)

    def simplify_squeeze(self, node: WorkNode) -> None:
        if node.op != "Squeeze" or not self.props.input_props(node.name):
            return
        shape = self._input_shape(node)
        if shape is not None and all(d > 1 for d in shape):
            self.replace_with_identity(0, node)

    # -- structure ----------------------------------------------------------------
    def simplify_pack(self, node: WorkNode) -> bool:
        axis_name = optimized_name(node.name, "_const_axis")
        if node.op != "Pack" or node.num_data_inputs() != 1 or self.nm.exists(axis_name):
            return False
        if node_name(node.inputs[0]) in self.feeds:
            return False
        axis = node.attr("axis", 0)
        c = self.new_const(axis_name, "int32", (), [axis], node.device)
        self.graph.nodes.append(c)
        self.nm.add_node(c)
        ctrl = add_control_dependency(node.inputs[0], self.graph, self.nm)
        c.inputs.append(ctrl)
        self.nm.add_output(node_name(node.inputs[0]), axis_name)
        node.op = "ExpandDims"
        attrs = node.attrs
        attrs.pop("axis", None)
        attrs.pop("N", None)
        attrs["Tdim"] = "int32"
        node.inputs.append(axis_name)
        self.nm.add_output(axis_name, node.name)
        if len(node.inputs) > 2:
            node.inputs[1], node.inputs[-1] = node.inputs[-1], node.inputs[1]
        return True

    def move_constants_past_enter(self, node: WorkNode) -> bool:
        if node.op not in ("Enter", "RefEnter") or not node.inputs or \
                not node.attr("is_constant", False):
            return False
        src = self.nm.get(node.inputs[0])
        if not self.is_really_constant(src):
            return False
        new_name = optimized_name(src.name, "_enter")
        if self.nm.exists(new_name):
            return False
        consumers = [f for f in self.nm.fanout(node.name)
                     if f.op != "Const" and node.name in f.inputs]
        if not consumers:
            return False
        c = WorkNode(new_name, "Const", ["^" + node.name], node.device, dict(src.attrs_view), None,
                     src.has_shapes_attr)
        self.graph.nodes.append(c)
        self.nm.add_node(c)
        self.nm.add_output(node.name, new_name)
        for consumer in consumers:
            for i, text in enumerate(consumer.inputs):
                if node_name(text) == node.name:
                    self.nm.update_input(consumer.name, node.name, new_name)
                    consumer.inputs[i] = new_name
        return True

    def simplify_switch(self, node: WorkNode) -> bool:
        if node.op != "Switch" or len(node.inputs) < 2 or node.inputs[0] != node.inputs[1]:
            return False
        false_name = optimized_name(node.name, "_const_false")
        true_name = optimized_name(node.name, "_const_true")
        if self.nm.exists(false_name) or self.nm.exists(true_name):
            return False
        fanouts = self.nm.fanout(node.name)
        already = True
        if len(fanouts) == 2:
            for f in fanouts:
                single = f.op in ("Identity", "RefIdentity") or is_identity_n_single_input(f)
                if not single or self._has_regular_outputs(f):
                    already = False
                    break
        if already:
            return False
        consumers = self.nm.fanout_sorted(node.name)
        false_node = self.new_const(false_name, "bool", (), [False], node.device)
        true_node = self.new_const(true_name, "bool", (), [True], node.device)
        self.graph.nodes.extend([false_node, true_node])
        false_port, true_port = node.name, f"{node.name}:1"
        false_ctrl = add_control_dependency(false_port, self.graph, self.nm)
        false_node.inputs.append(false_ctrl)
        true_ctrl = add_control_dependency(true_port, self.graph, self.nm)
        true_node.inputs.append(true_ctrl)
        for c, ctrl in ((false_node, false_ctrl), (true_node, true_ctrl)):
            self.nm.add_node(c)
            self.nm.add_output(node_name(ctrl), c.name)
        for consumer in consumers:
            for i, text in enumerate(consumer.inputs):
                if text == false_port:
                    consumer.inputs[i] = false_name
                    self.nm.update_input(consumer.name, false_port, false_name)
                elif text == true_port:
                    consumer.inputs[i] = true_name
                    self.nm.update_input(consumer.name, true_port, true_name)
        return True

    def _has_regular_outputs(self, node: WorkNode) -> bool:
        return num_non_control_outputs(node, self.nm) > 0

    def simplify_reduction(self, node: WorkNode) -> bool:
        if node.op not in ("Sum", "Prod", "Min", "Max", "Mean", "Any", "All", "EuclideanNorm") \
                or len(node.inputs) < 2:
            return False
        indices_node = self.nm.get(node.inputs[1])
        if not self.is_really_constant(indices_node):
            return False
        value = indices_node.attr("value")
        if value is None:
            return False
        if value.num_elements == 0:
            return self._reduction_to_identity(node)
        in_props = self.props.input_props(node.name)
        out_props = self.props.output_props(node.name)
        if not in_props or not out_props:
            return False
        in_shape, out_shape = in_props[0][0], out_props[0][0]
        if not _fully_defined(in_shape) or not _fully_defined(out_shape):
            return False
        # grappler records no shape at all for a scalar (``has_shape()`` is false), and
        # then refuses: neither side may be a scalar
        if len(in_shape) == 0 or len(out_shape) == 0:
            return False
        indices = _ints(value)
        if indices is None:
            return False
        single = _prod(in_shape) == 1 and _prod(out_shape) == 1
        keep_dims = bool(node.attr("keep_dims", False))
        to_reshape = single and not keep_dims and node.has_attr("T")
        to_identity = not indices or (keep_dims and all(
            0 <= (d + len(in_shape) if d < 0 else d) < len(in_shape)
            and in_shape[d + len(in_shape) if d < 0 else d] == 1 for d in indices))
        if to_reshape:
            shape_name = optimized_name(node.name, "_shape_const")
            c = self.new_const(shape_name, "int32", (len(out_shape),), [1] * len(out_shape),
                               node.device, [as_control(node.inputs[1])])
            self.graph.nodes.append(c)
            self.nm.add_node(c)
            self.nm.add_output(node_name(node.inputs[1]), shape_name)
            node.op = "Reshape"
            self.nm.update_input(node.name, node.inputs[1], shape_name)
            node.inputs[1] = shape_name
            attrs = node.attrs
            attrs.pop("keep_dims", None)
            attrs.pop("Tidx", None)
            attrs["Tshape"] = "int32"
            return True
        if to_identity:
            return self._reduction_to_identity(node)
        return False

    def _reduction_to_identity(self, node: WorkNode) -> bool:
        dtype = node.attr("T")
        if dtype is None:
            if node.op in ("Any", "All"):
                dtype = "bool"
            else:
                return False
        node.op = "Identity"
        node.erase_regular_attrs()
        node.attrs["T"] = dtype
        node.inputs[1] = as_control(node.inputs[1])
        return True

    def simplify_reshape(self, node: WorkNode) -> bool:
        if node.op != "Reshape" or not node.has_attr("T") or len(node.inputs) < 2:
            return False
        new_shape = _ints(self.const_tensor(node.inputs[1]))
        if new_shape is None:
            return False
        props = self.props.input_props(node.name)
        if not props or props[0][1] is None:
            return False
        shape = props[0][0]
        if not _fully_defined(shape):
            return False
        if any(d < -1 for d in new_shape) or len(new_shape) != len(shape):
            return False
        if not all(n == -1 or n == d for n, d in zip(new_shape, shape)):
            return False
        dtype = node.attr("T")
        node.op = "Identity"
        node.erase_regular_attrs()
        node.attrs["T"] = dtype
        node.inputs[1] = as_control(node.inputs[1])
        return True

    # -- arithmetic ---------------------------------------------------------------
    def _output_matches_input(self, node: WorkNode, k: int) -> bool:
        """``ShapesSymbolicallyEqual(output, input k)`` for a broadcasting binary op:
        equal when every output dim provably *is* input k's dim (same known size, or
        the same unknown dim carried through because the other operand is 1 there)."""
        in_props = self.props.input_props(node.name)
        out_props = self.props.output_props(node.name)
        if len(in_props) < 2 or not out_props:
            return False
        out = out_props[0][0]
        mine = in_props[k][0]
        other = in_props[1 - k][0]
        if out is None or mine is None or len(out) != len(mine):
            return False
        if shapes_equal(out, mine):
            return True  # same known sizes or the same unknown-dim symbols
        same_tensor = node.inputs[0] == node.inputs[1]
        offset = len(out) - (len(other) if other is not None else 0)
        for j, (o, m) in enumerate(zip(out, mine)):
            if m >= 0 or m <= -2:
                if o != m:
                    return False
                continue
            if same_tensor:
                continue
            if other is None:
                return False
            oj = j - offset
            if oj >= 0 and other[oj] != 1:
                return False
        return True

    def simplify_arithmetic(self, node: WorkNode) -> None:
        op = node.op
        is_mul = op in ("Mul", "MulNoNan", "LogicalAnd")
        is_matmul = op in ("MatMul", "SparseMatMul", "BatchMatMul", "BatchMatMulV2",
                           "QuantizedMatMul")
        is_add = (op == "AddV2" or (op == "Add" and node.attr("T") != "string")
                  or op in ("BiasAdd", "BiasAddV1", "LogicalOr"))
        is_sub = op == "Sub"
        is_any_div = op in ("RealDiv", "Div", "Xdivy", "TruncateDiv")
        if not (is_mul or is_matmul or is_add or is_sub or is_any_div):
            return
        if not self.props.has_properties or not self.props.input_props(node.name) or \
                not self.props.output_props(node.name) or len(node.inputs) < 2:
            return
        x = self.nm.get(node.inputs[0])
        y = self.nm.get(node.inputs[1])
        if x is None or y is None:
            return
        out_shape = self.props.output_props(node.name)[0][0]
        # Whether the output has the shape of input 1 (y) or 0 (x): only needed once an
        # operand is a 0 or 1, which is rare, so asked then (both answers are pure).
        matches = self._output_matches_input
        x_zero = self.is_zeros(x)
        x_one = False if x_zero else self.is_ones(x)
        if (is_mul and x_one) or (is_add and x_zero):
            if matches(node, 1):
                self.replace_with_snapshot(1, node)
            elif matches(node, 0):
                if self.replace_with_broadcast_to(1, node):
                    self.graph_modified = True
            return
        if is_sub and x_zero and matches(node, 1):
            node.op = "Neg"
            self._swap_to_unary(node)
            return
        if is_any_div and x_one and matches(node, 1):
            dtype = node.attr("T")
            if dtype in dtypes.FLOATING or dtype in ("complex64", "complex128"):
                node.op = "Reciprocal"
                self._swap_to_unary(node)
                return
        y_zero = self.is_zeros(y)
        y_one = False if y_zero else self.is_ones(y)
        if ((is_mul or is_any_div) and y_one) or ((is_add or is_sub) and y_zero):
            if matches(node, 0):
                self.replace_with_snapshot(0, node)
            elif matches(node, 1):
                if self.replace_with_broadcast_to(0, node):
                    self.graph_modified = True
            return
        if _fully_defined(out_shape) and op == "LogicalOr" and (y_one or x_one):
            self.replace_with_constant(1, out_shape, node)
            return
        if (x_zero or y_zero) and (is_mul or is_matmul):
            if _fully_defined(out_shape):
                self.replace_with_constant(0, out_shape, node)
                return
            if is_mul and x_zero:
                if matches(node, 0):
                    self.replace_with_identity(0, node)
                elif matches(node, 1):
                    if self.replace_with_broadcast_to(0, node):
                        self.graph_modified = True
            elif is_mul and y_zero:
                if matches(node, 1):
                    self.replace_with_identity(1, node)
                elif matches(node, 0):
                    if self.replace_with_broadcast_to(1, node):
                        self.graph_modified = True

    def _swap_to_unary(self, node: WorkNode) -> None:
        inputs = node.inputs
        inputs[0], inputs[1] = inputs[1], inputs[0]
        ctrl = add_control_dependency(inputs[1], self.graph, self.nm)
        self.nm.update_input(node.name, inputs[1], ctrl)
        inputs[1] = ctrl
        self.graph_modified = True

    def reduce_div_to_reciprocal_mul(self, node: WorkNode) -> bool:
        if len(node.inputs) < 2 or node.op not in ("Div", "RealDiv", "Xdivy"):
            return False
        const_input = node.inputs[1]
        denom = self.nm.get(const_input)
        if not self.is_really_constant(denom):
            return False
        dtype = node.attr("T")
        if dtype is None:
            return False
        if node.op == "Div" and not (dtype in dtypes.FLOATING or dtype in ("complex64", "complex128")):
            return False
        recip_name = optimized_name(node.name, "_recip")
        recip = WorkNode(recip_name, "Reciprocal", [const_input], node.device, {"T": dtype})
        self.graph.nodes.append(recip)
        if node.op == "Xdivy":
            node.op = "MulNoNan"
            node.inputs[1] = node.inputs[0]
            node.inputs[0] = recip_name
        else:
            node.op = "Mul"
            node.inputs[1] = recip_name
        self.nm.add_node(recip)
        self.nm.update_output(node_name(const_input), node.name, recip_name)
        self.nm.add_output(recip_name, node.name)
        return True

    def _prepare_push_down(self, parent: WorkNode, must_have_props: bool) -> Optional[dict]:
        if not self.has_fetch or parent.num_data_inputs() != 2:
            return None
        left = self.nm.get(parent.inputs[0])
        right = self.nm.get(parent.inputs[1])
        if left is None or right is None:
            return None
        left_const = self.is_really_constant(left)
        right_const = self.is_really_constant(right)
        if not left_const and not right_const:
            return None
        op_child = right if left_const else left
        const_child = left if left_const else right
        if parent.device != op_child.device or parent.device != const_child.device:
            return None
        if len(op_child.inputs) < 2 or op_child.name in self.preserve or \
                num_non_control_outputs(op_child, self.nm) > 1:
            return None
        dtype = parent.attr("T")
        if dtype is None or dtype in ("bfloat16", "float16"):
            return None
        if const_child.name in self.nm.fanout_names(op_child.name):
            return None
        left_leaf = self.nm.get(op_child.inputs[0])
        right_leaf = self.nm.get(op_child.inputs[1])
        if left_leaf is None or right_leaf is None:
            return None
        left_leaf_const = self.is_really_constant(left_leaf)
        right_leaf_const = self.is_really_constant(right_leaf)
        if left_leaf_const and right_leaf_const:
            return None
        if parent.device != left_leaf.device or parent.device != right_leaf.device:
            return None
        parent_props = self.props.input_props(parent.name)
        child_props = self.props.input_props(op_child.name)
        if must_have_props and (len(parent_props) < 2 or len(child_props) < 2):
            return None
        return {"left_const": left_const, "op_child": op_child, "const_child": const_child,
                "left_leaf": left_leaf, "right_leaf": right_leaf,
                "left_leaf_const": left_leaf_const, "right_leaf_const": right_leaf_const,
                "parent_props": parent_props, "child_props": child_props}

    @staticmethod
    def _is_add(n: WorkNode) -> bool:
        return n.op == "AddV2" or (n.op == "Add" and n.attr("T") != "string")

    def constant_push_down(self, node: WorkNode) -> bool:
        is_add, is_sub = self._is_add(node), node.op == "Sub"
        is_mul, is_div = node.op == "Mul", node.op == "Div"
        if not (is_add or is_sub or is_mul or is_div):
            return False
        symmetric = is_add or is_mul
        ctx = self._prepare_push_down(node, False)
        if ctx is None:
            return False
        child = ctx["op_child"]
        c_add, c_sub = self._is_add(child), child.op == "Sub"
        c_mul, c_div = child.op == "Mul", child.op == "Div"
        add_sub = (is_add or is_sub) and (c_add or c_sub)
        mul_div = (is_mul or is_div) and (c_mul or c_div)
        if not add_sub and not mul_div:
            return False
        child_symmetric = c_add or c_mul
        dtype = node.attr("T")
        if not (symmetric and child_symmetric) and not (
                dtype in dtypes.FLOATING or dtype in ("complex64", "complex128")):
            return False
        left_leaf_const = ctx["left_leaf_const"]
        y_node = ctx["left_leaf"] if left_leaf_const else ctx["right_leaf"]
        parent_props, child_props = ctx["parent_props"], ctx["child_props"]
        if not self.is_really_constant(y_node) and parent_props and child_props:
            c_shape = parent_props[0 if ctx["left_const"] else 1][0]
            x_shape = child_props[0 if left_leaf_const else 1][0]
            if _fully_defined(c_shape) and _fully_defined(x_shape) and \
                    _prod(c_shape) > _prod(x_shape):
                return False
            if c_shape is not None and x_shape is not None and len(c_shape) > 0:
                for idx in range(min(len(x_shape), len(c_shape))):
                    if x_shape[idx] >= 0 and c_shape[idx] > x_shape[idx]:
                        return False
        input_x = child.inputs[1] if left_leaf_const else child.inputs[0]
        input_y = child.inputs[1] if input_x == child.inputs[0] else child.inputs[0]
        input_c = node.inputs[0] if ctx["left_const"] else node.inputs[1]
        input_op = node.inputs[1] if ctx["left_const"] else node.inputs[0]
        nm = self.nm
        nm.update_input(node.name, input_c, input_x)
        nm.add_output(node_name(input_c), child.name)
        if input_x != input_y:
            nm.remove_output(node_name(input_x), child.name)
        if symmetric and child_symmetric:
            node.inputs[0], node.inputs[1] = input_x, input_op
            child.inputs[0], child.inputs[1] = input_c, input_y
        else:
            left_const = ctx["left_const"]

            def leaf_negated(is_right_leaf: bool) -> bool:
                leaf_neg = not child_symmetric and is_right_leaf
                child_neg = not symmetric and left_const
                return leaf_neg != child_neg

            sym_op = "Add" if (is_add or is_sub) else "Mul"
            nonsym_op = "Sub" if (is_add or is_sub) else "Div"
            neg_c = not symmetric and not left_const
            neg_x = leaf_negated(left_leaf_const)
            neg_y = leaf_negated(not left_leaf_const)
            node.op = nonsym_op if (neg_x or (neg_c and neg_y)) else sym_op
            node.inputs[0] = input_op if neg_x else input_x
            node.inputs[1] = input_x if neg_x else input_op
            child.op = nonsym_op if neg_c != neg_y else sym_op
            child.inputs[0] = input_y if neg_c else input_c
            child.inputs[1] = input_c if neg_c else input_y
        return True

    def mul_conv_push_down(self, node: WorkNode) -> bool:
        if node.op not in ("Mul", "MulNoNan") or node.num_data_inputs() != 2:
            return False
        nm = self.nm
        left = nm.get(node.inputs[0])
        right = nm.get(node.inputs[1])
        if left is None or right is None:
            return False
        left_const = self.is_really_constant(left)
        right_const = self.is_really_constant(right)
        if not left_const and not right_const:
            return False
        conv = right if left_const else left
        if conv.op not in ("Conv2D", "Conv3D"):
            return False
        if node.device != left.device or node.device != right.device:
            return False
        if len(conv.inputs) < 2 or num_non_control_outputs(conv, nm) > 1 or \
                conv.name in self.preserve:
            return False
        conv_left = nm.get(conv.inputs[0])
        conv_right = nm.get(conv.inputs[1])
        cl_const = self.is_really_constant(conv_left)
        cr_const = self.is_really_constant(conv_right)
        if cl_const == cr_const:
            return False
        mul_props = self.props.output_props(node.name)
        conv_props = self.props.output_props(conv.name)
        if not mul_props or not conv_props:
            return False
        mul_shape, conv_shape = mul_props[0][0], conv_props[0][0]
        const_node = left if left_const else right
        if not self._mul_keeps_conv_shape(node, conv, mul_shape, conv_shape):
            return False
        conv_in = self.props.input_props(conv.name)
        if len(conv_in) < 2:
            return False
        filter_shape = conv_in[1][0]
        const_props = self.props.output_props(const_node.name)
        if not const_props:
            return False
        const_shape = const_props[0][0]
        if not _valid_const_for_conv(conv.attr("data_format", "NHWC"), filter_shape, const_shape):
            return False
        new_name = add_prefix("merged_input", conv.name)
        if nm.exists(new_name):
            return False
        conv_const_input = conv.inputs[0] if cl_const else conv.inputs[1]
        ctrl = "^" + conv.name
        if ctrl in const_node.inputs:
            const_node.inputs.remove(ctrl)
            nm.remove_output(conv.name, const_node.name)
            already = any(t == as_control(conv_const_input) or t == conv_const_input
                          for t in const_node.inputs)
            if not already:
                dep = add_control_dependency(conv_const_input, self.graph, nm)
                const_node.inputs.append(dep)
                nm.add_output(node_name(conv_const_input), const_node.name)
        # the convolution takes the Mul's name; the Mul becomes the filter's scaling
        mul_name, conv_name = node.name, conv.name
        mul_consumers = dict(nm.outputs.get(mul_name, {}))
        for old_name, n in ((mul_name, node), (conv_name, conv)):
            for text in n.inputs:
                nm.remove_output(node_name(text), old_name)
            nm.remove_node(old_name)
        conv.name, node.name = mul_name, new_name
        conv_const_node = conv_left if cl_const else conv_right
        if cl_const:
            conv.inputs[0] = new_name
        else:
            conv.inputs[1] = new_name
        if left_const:
            node.inputs[1] = conv_const_node.name
        else:
            node.inputs[0] = conv_const_node.name
        nm.add_node(conv)
        nm.add_node(node)
        nm.outputs[mul_name] = mul_consumers  # the Mul's readers now read the conv
        for n in (conv, node):
            for text in n.inputs:
                nm.add_output(node_name(text), n.name)
        return True

    def _mul_keeps_conv_shape(self, mul: WorkNode, conv: WorkNode, mul_shape, conv_shape) -> bool:
        """``ShapesSymbolicallyEqual(mul output, conv output)``."""
        if mul_shape is None or conv_shape is None or len(mul_shape) != len(conv_shape):
            return False
        if _fully_defined(mul_shape) and tuple(mul_shape) == tuple(conv_shape):
            return True
        k = 0 if self.nm.get(mul.inputs[0]) is conv else 1
        return self._output_matches_input(mul, k)

    def partial_const_prop_identity_n(self, node: WorkNode) -> bool:
        if not (is_identity_n(node) or is_identity_n_single_input(node)) or \
                node.num_data_inputs() == 0:
            return False
        forward = []
        for idx, text in enumerate(node.inputs):
            if is_control(text):
                return False
            src = self.nm.get(text)
            if src is None:
                return False
            if self.is_really_constant(src):
                forward.append(idx)
        return self.forward_inputs(node, forward)

    def forward_inputs(self, node: WorkNode, indices: list[int]) -> bool:
        for idx in indices:
            if idx < 0 or idx >= len(node.inputs):
                return False
        consumers = self.nm.fanout(node.name)
        updated = False
        for idx in indices:
            text = node.inputs[idx]
            if is_control(text) and len(consumers) > 1:
                continue
            if self.nm.get(text) is None:
                break
            for consumer in consumers:
                add_dep = False
                for j, ctext in enumerate(consumer.inputs):
                    if is_control(ctext) or consumer.op in ("_Retval", "_DeviceRetval"):
                        break
                    name, port = parse_input(ctext)
                    if name == node.name and port == idx:
                        consumer.inputs[j] = text
                        self.nm.add_output(node_name(text), consumer.name)
                        add_dep = True
                if add_dep:
                    consumer.inputs.append("^" + node.name)
                    updated = True
        if updated:
            for consumer in consumers:
                consumer.dedup_control_inputs()
        return updated

    def partial_assoc_op_const_folding(self, node: WorkNode) -> bool:
        if not is_aggregate(node) or not is_commutative(node):
            return False
        n_data = node.num_data_inputs()
        if n_data <= 2:
            return False
        n_ctrl = len(node.inputs) - n_data
        const_idx, nonconst_idx = [], []
        for i, text in enumerate(node.inputs):
            src = self.nm.get(text)
            if src is None:
                return False
            if not is_control(text) and self.is_really_constant(src):
                const_idx.append(i)
            else:
                nonconst_idx.append(i)
        if len(const_idx) == n_data and node.op == "AccumulateNV2":
            node.op = "AddN"
            node.attrs.pop("shape", None)
            return True
        new_name = optimized_name(node.name, f"_partial_split_{len(const_idx)}")
        if 1 < len(const_idx) < n_data and not self.nm.exists(new_name):
            added = WorkNode(new_name, "AddN", [], node.device, dict(node.attrs), node.origin,
                             node.has_shapes_attr)
            added.attrs.pop("shape", None)
            self.graph.nodes.append(added)
            self.nm.add_node(added)
            for i in const_idx:
                added.inputs.append(node.inputs[i])
                self.nm.update_output(node_name(node.inputs[i]), node.name, new_name)
            node.inputs[const_idx[0]] = new_name
            self.nm.add_output(new_name, node.name)
            nonconst_idx.append(const_idx[0])
            nonconst_idx.sort()
            for pos, i in enumerate(nonconst_idx):
                if pos != i:
                    node.inputs[pos] = node.inputs[i]
            del node.inputs[len(nonconst_idx):len(nonconst_idx) + len(const_idx) - 1]
            node.attrs["N"] = len(node.inputs) - n_ctrl
            added.attrs["N"] = len(const_idx)
            return True
        return False

    def _concat_axis(self, node: WorkNode) -> Optional[int]:
        if node.op != "ConcatV2":
            return None
        idx = len(node.inputs) - 1
        while idx > 0 and is_control(node.inputs[idx]):
            idx -= 1
        if idx <= 0:
            return None
        v = _ints(self.const_tensor(node.inputs[idx]))
        return v[0] if v else None

    def merge_concat(self, node: WorkNode) -> bool:
        if not self.props.has_properties:
            return False
        axis = self._concat_axis(node)
        if axis is None or node.name in self.preserve or len(self.nm.fanout_names(node.name)) != 1:
            return False
        n_reg = node.num_data_inputs()
        if all(self.is_really_constant(self.nm.get(node.inputs[i])) for i in range(n_reg - 1)):
            return False
        parent = self.nm.fanout(node.name)[0]
        if self._concat_axis(parent) != axis:
            return False
        tasks: set[str] = set()
        for i in range(parent.num_data_inputs() - 1):
            src = self.nm.get(parent.inputs[i])
            if src is not None and src.device:
                task = "/".join(p for p in src.device.split("/")
                                if p.split(":")[0] in ("job", "replica", "task"))
                tasks.add(task)
                if len(tasks) >= 2:
                    return False
        old = parent.inputs
        parent.inputs = []
        for text in old:
            if node_name(text) == node.name and not is_control(text) and parse_input(text)[1] == 0:
                for j in range(n_reg - 1):
                    parent.inputs.append(node.inputs[j])
                    self.nm.update_input(parent.name, node.name, node.inputs[j])
            else:
                parent.inputs.append(text)
        for i in range(len(node.inputs) - 1, n_reg - 1, -1):
            parent.inputs.append(node.inputs[i])
            self.nm.update_input(parent.name, node.name, node.inputs[i])
            node.inputs.pop()
        parent.attrs["N"] = parent.num_data_inputs() - 1
        parent.dedup_control_inputs()
        self._replace_with_noop(node)
        return True

    def _replace_with_noop(self, node: WorkNode) -> None:
        if num_non_control_outputs(node, self.nm) > 0:
            return
        node.op = "NoOp"
        node.erase_regular_attrs()
        node.attrs.pop("_output_shapes", None)
        node.has_shapes_attr = False
        for i in range(len(node.inputs)):
            if is_control(node.inputs[i]):
                break
            ctrl = add_control_dependency(node.inputs[i], self.graph, self.nm)
            self.nm.update_input(node.name, node.inputs[i], ctrl)
            node.inputs[i] = ctrl
        node.dedup_control_inputs()
        self.graph_modified = True

    def partial_concat_const_folding(self, node: WorkNode) -> bool:
        if node.op not in ("Concat", "ConcatV2") or "_partial_split_" in node.name:
            return False
        n_data = node.num_data_inputs()
        if n_data <= 3:
            return False
        if node.op == "Concat":
            begin, end, axis_arg = 1, n_data, 0
        else:
            begin, end, axis_arg = 0, n_data - 1, n_data - 1

        def const_at(i: int) -> bool:
            return self.is_really_constant(self.nm.get(node.inputs[i]))

        runs = []
        first = last = begin
        while last < end:
            while first < end and not const_at(first):
                first += 1
            last = first + 1
            while last < end and const_at(last):
                last += 1
            if first < end and last - first > 1:
                runs.append((first, last))
            first = last
        if not runs or (len(runs) == 1 and runs[0] == (begin, end)):
            return False
        delete: set[int] = set()
        for first, last in runs:
            new_name = optimized_name(node.name, "_partial_split")
            while True:
                new_name += f"_{first}"
                if not self.nm.exists(new_name):
                    break
            added = WorkNode(new_name, "ConcatV2", [], node.device, dict(node.attrs), node.origin,
                             node.has_shapes_attr)
            self.graph.nodes.append(added)
            self.nm.add_node(added)
            for i in range(first, last):
                added.inputs.append(node.inputs[i])
                self.nm.update_input(node.name, node.inputs[i], new_name)
                if i != first:
                    delete.add(i)
            added.inputs.append(node.inputs[axis_arg])
            added.attrs["N"] = last - first
            self.nm.add_output(node_name(node.inputs[axis_arg]), new_name)
            node.inputs[first] = new_name
        if delete:
            node.inputs = [t for i, t in enumerate(node.inputs) if i not in delete]
            node.attrs["N"] = len(node.inputs) - 1
        return True

    def constant_push_down_bias_add(self, node: WorkNode) -> bool:
        parent_bias = node.op in ("BiasAdd", "BiasAddV1")
        if not parent_bias and not self._is_add(node):
            return False
        ctx = self._prepare_push_down(node, True)
        if ctx is None:
            return False
        if ctx["left_const"] and parent_bias:
            return False
        child = ctx["op_child"]
        child_bias = child.op in ("BiasAdd", "BiasAddV1")
        if not child_bias and not self._is_add(child):
            return False
        pp, cp = ctx["parent_props"], ctx["child_props"]
        if not pp or not cp or any(p[0] is None for p in (pp[0], pp[1], cp[0], cp[1])):
            return False
        left_rank, right_rank = len(cp[0][0]), len(cp[1][0])
        if left_rank != 1 and right_rank != 1:
            return False
        vector_idx = 0 if left_rank == 1 else 1
        matrix_idx = 1 - vector_idx
        vector_type = cp[vector_idx][1]
        matrix_rank, matrix_type = len(cp[matrix_idx][0]), cp[matrix_idx][1]
        const_idx = 0 if ctx["left_const"] else 1
        const_rank, const_type = len(pp[const_idx][0]), pp[const_idx][1]
        swap = -1
        if not parent_bias and child_bias and const_rank == matrix_rank and const_type == matrix_type:
            swap = matrix_idx
        elif const_rank == 1 and const_type == vector_type:
            swap = vector_idx
        if swap == -1:
            return False
        leaf = self.nm.get(child.inputs[swap])
        if leaf is None or leaf.op == "Const":
            return False
        nm = self.nm
        nm.update_input(node.name, node.inputs[const_idx], child.inputs[swap])
        nm.add_output(node_name(node.inputs[const_idx]), child.name)
        if child.inputs[swap] != child.inputs[1 - swap]:
            nm.remove_output(node_name(child.inputs[swap]), child.name)
        node.inputs[const_idx], child.inputs[swap] = child.inputs[swap], node.inputs[const_idx]
        return True

    def simplify_case(self, node: WorkNode) -> bool:
        if node.op != "Case" or not node.inputs:
            return False
        idx_node = self.nm.get(node.inputs[0])
        if idx_node is None or not idx_node.has_attr("value"):
            return False
        vals = _ints(idx_node.attr("value"))
        branches = node.attr("branches") or []
        if not vals or not (0 <= vals[0] < len(branches)):
            return False
        out = vals[0]
        node.op = "PartitionedCall"
        node.inputs = node.inputs[1:]
        attrs = node.attrs
        attrs["f"] = branches[out]
        shapes = attrs.get("output_shapes") or []
        if len(shapes) > out:
            attrs["_output_shapes"] = [shapes[out]]
        attrs.pop("output_shapes", None)
        attrs.pop("branches", None)
        return True

    def simplify_select(self, node: WorkNode) -> bool:
        if node.op not in ("Select", "SelectV2"):
            return False
        props = self.props.input_props(node.name)
        if len(props) < 3:
            return False
        pred = self.nm.get(node.inputs[0])
        all_true = self.is_ones(pred)
        all_false = self.is_zeros(pred)
        if not all_true and not all_false:
            return False
        live = 1 if all_true else 2
        ignored = 2 if all_true else 1
        pshape = props[0][0]
        pred_scalar = pshape is not None and len(pshape) == 0
        if _sym_equal(props[1][0], props[2][0], node.inputs[1] == node.inputs[2]) and (
                _sym_equal(props[0][0], props[1][0], False) or pred_scalar):
            node.op = "Identity"
            node.inputs[0] = add_control_dependency(node.inputs[0], self.graph, self.nm)
            node.inputs[ignored] = add_control_dependency(node.inputs[ignored], self.graph, self.nm)
            node.inputs[0], node.inputs[live] = node.inputs[live], node.inputs[0]
        elif not self.replace_with_broadcast_to(live, node):
            return False
        node.dedup_control_inputs()
        return True

    def remove_redundant_variable_updates(self, node: WorkNode) -> None:
        ops = ("AssignAddVariableOp", "AssignSubVariableOp", "AssignAdd", "AssignSub",
               "ScatterAdd", "ScatterSub", "ScatterMul", "ScatterDiv", "ScatterNdAdd",
               "ScatterNdSub", "ScatterNdMul", "ScatterNdDiv", "ResourceScatterAdd",
               "ResourceScatterSub", "ResourceScatterMul", "ResourceScatterDiv",
               "ResourceScatterNdAdd", "ResourceScatterNdSub", "ResourceScatterNdMul",
               "ResourceScatterNdDiv")
        if node.op not in ops:
            return
        value_index = 2 if "Scatter" in node.op else 1
        if value_index >= len(node.inputs):
            return
        delta = self.nm.get(node.inputs[value_index])
        if delta is None:
            return
        add_sub = "Add" in node.op or "Sub" in node.op
        if (add_sub and self.is_zeros(delta)) or (not add_sub and self.is_ones(delta)):
            if "Variable" in node.op or "Resource" in node.op:
                self._replace_with_noop(node)
            else:
                self.replace_with_identity(0, node)


#: how a rule reports a rewrite: by setting ``graph_modified`` (some of those only run
#: when shapes are known), or by returning True
_BY_FLAG, _BY_FLAG_WITH_SHAPES, _BY_RETURN = 0, 1, 2
#: every rule in grappler's order, how it reports, and the ops it can act on (each
#: rule's own first test; None: whatever ``is_aggregate``/``is_commutative`` say)
_RULES: tuple[tuple[str, int, Optional[frozenset]], ...] = (
    ("remove_split", _BY_FLAG, frozenset(_SPLIT_OPS)),
    ("remove_transpose", _BY_FLAG_WITH_SHAPES, frozenset({"Transpose", "Shuffle"})),
    ("remove_random_shuffle", _BY_FLAG_WITH_SHAPES, frozenset({"RandomShuffle"})),
    ("remove_reverse", _BY_FLAG_WITH_SHAPES, frozenset({"ReverseV2"})),
    ("simplify_slice", _BY_FLAG_WITH_SHAPES, frozenset({"Slice"})),
    ("simplify_strided_slice", _BY_FLAG_WITH_SHAPES, frozenset({"StridedSlice"})),
    ("simplify_tile", _BY_FLAG_WITH_SHAPES, frozenset({"Tile"})),
    ("simplify_pad", _BY_FLAG_WITH_SHAPES, frozenset({"Pad", "PadV2"})),
    ("simplify_squeeze", _BY_FLAG_WITH_SHAPES, frozenset({"Squeeze"})),
    ("simplify_pack", _BY_RETURN, frozenset({"Pack"})),
    ("move_constants_past_enter", _BY_RETURN, frozenset({"Enter", "RefEnter"})),
    ("simplify_switch", _BY_RETURN, frozenset({"Switch"})),
    ("simplify_reduction", _BY_RETURN, frozenset(_REDUCTIONS)),
    ("simplify_reshape", _BY_RETURN, frozenset({"Reshape"})),
    ("simplify_arithmetic", _BY_FLAG, frozenset({
        "Mul", "MulNoNan", "LogicalAnd", "MatMul", "SparseMatMul", "BatchMatMul",
        "BatchMatMulV2", "QuantizedMatMul", "AddV2", "Add", "BiasAdd", "BiasAddV1",
        "LogicalOr", "Sub", "RealDiv", "Div", "Xdivy", "TruncateDiv"})),
    ("reduce_div_to_reciprocal_mul", _BY_RETURN, frozenset({"Div", "RealDiv", "Xdivy"})),
    ("constant_push_down", _BY_RETURN, frozenset({"Add", "AddV2", "Sub", "Mul", "Div"})),
    ("mul_conv_push_down", _BY_RETURN, frozenset({"Mul", "MulNoNan"})),
    ("partial_const_prop_identity_n", _BY_RETURN, frozenset({"IdentityN"})),
    ("partial_assoc_op_const_folding", _BY_RETURN, None),
    ("merge_concat", _BY_RETURN, frozenset({"ConcatV2"})),
    ("partial_concat_const_folding", _BY_RETURN, frozenset({"Concat", "ConcatV2"})),
    ("constant_push_down_bias_add", _BY_RETURN,
     frozenset({"BiasAdd", "BiasAddV1", "AddV2", "Add"})),
    ("simplify_case", _BY_RETURN, frozenset({"Case"})),
    ("simplify_select", _BY_RETURN, frozenset({"Select", "SelectV2"})),
    ("remove_redundant_variable_updates", _BY_FLAG, frozenset(_VARIABLE_UPDATES)),
)
_PLANS: dict[str, list[tuple[int, str, int]]] = {}


def rule_plan(op: str) -> list[tuple[int, str, int]]:
    """``(position, rule name, how it reports)`` of the rules that can act on ``op``,
    in grappler's order (cached per op)."""
    plan = _PLANS.get(op)
    if plan is None:
        probe = WorkNode("", op, [], "", {"T": "float32"})
        plan = _PLANS[op] = [
            (position, name, kind) for position, (name, kind, ops) in enumerate(_RULES)
            if (ops is None and is_aggregate(probe) and is_commutative(probe))
            or (ops is not None and op in ops)]
    return plan


def _prod(shape) -> int:
    n = 1
    for d in shape:
        n *= d
    return n


def _sym_equal(a, b, same_tensor: bool) -> bool:
    if a is None or b is None or len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if x >= 0 or y >= 0 or x <= -2 or y <= -2:
            if x != y:
                return False
        elif not same_tensor:
            return False
    return True


def _valid_const_for_conv(data_format: str, filter_shape, const_shape) -> bool:
    """``IsValidConstShapeForMulConvPushDown``."""
    if const_shape is None:
        return False
    if len(const_shape) <= len(data_format) and all(d >= 0 for d in const_shape) and \
            _prod(const_shape) == 1:
        return True
    if data_format in ("NHWC", "NDHWC"):
        if filter_shape is None or len(const_shape) > len(filter_shape):
            return False
        offset = len(filter_shape) - len(const_shape)
        for i, c in enumerate(const_shape):
            f = filter_shape[offset + i]
            if c == 1:
                continue
            if c < 0 or f < 0 or c != f:
                return False
        for d in const_shape[:-1]:
            if d > 1:
                return False
        return True
    return False
