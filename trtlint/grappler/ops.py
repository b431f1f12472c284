"""Op classes grappler's passes test for (``grappler/op_types.cc``), without TensorFlow.

Most predicates are name tests.  The ones that depend on the op definition (stateful,
reference inputs, number of outputs) read trtlint's op registry; the commutative and
aggregate flags are not in that registry, so they are listed here (read off
TensorFlow 2.17's registry: ``OpDef.is_commutative`` / ``is_aggregate``).
"""

from __future__ import annotations

from typing import Optional

from ..graph.opdefs import OpRegistry
from .workgraph import WorkNode

#: ops whose OpDef says ``is_commutative`` (TF 2.17); "Add" is treated specially
COMMUTATIVE_OPS = frozenset({
    "AccumulateNV2", "AddN", "AddV2", "ApproximateEqual", "BitwiseAnd", "BitwiseOr",
    "BitwiseXor", "Equal", "LogicalAnd", "LogicalOr", "Mul", "NotEqual", "RiscAdd",
    "SquaredDifference"})
#: ops whose OpDef says ``is_aggregate`` (TF 2.17); "Add" is treated specially
AGGREGATE_OPS = frozenset({"AccumulateNV2", "AddN", "AddV2", "RiscAdd"})

PLACEHOLDER_OPS = frozenset({"Placeholder", "PlaceholderV2", "PlaceholderWithDefault"})
VARIABLE_OPS = frozenset({"Variable", "VariableV2", "AutoReloadVariable", "VarHandleOp",
                          "_VarHandlesOp", "ReadVariableOp", "_ReadVariablesOp"})
CONTROL_FLOW_OPS = frozenset({"ControlTrigger", "Enter", "Exit", "LoopCond", "Merge",
                              "_XlaMerge", "NextIteration", "Switch", "_SwitchN"})


def is_constant(n: WorkNode) -> bool:
    return n.op == "Const"


def is_identity(n: WorkNode) -> bool:
    return n.op in ("Identity", "RefIdentity")


def is_identity_n(n: WorkNode) -> bool:
    return n.op == "IdentityN"


def is_identity_n_single_input(n: WorkNode) -> bool:
    if n.op != "IdentityN":
        return False
    types = n.attr("T")
    return isinstance(types, list) and len(types) == 1


def is_noop(n: WorkNode) -> bool:
    return n.op == "NoOp"


def is_switch(n: WorkNode) -> bool:
    # _SwitchN: the N-way Switch of a lowered Case (TensorFlow's IsSwitch counts it)
    return n.op in ("Switch", "_SwitchN", "RefSwitch")


def is_merge(n: WorkNode) -> bool:
    return n.op in ("Merge", "RefMerge", "_XlaMerge")


def is_enter(n: WorkNode) -> bool:
    return n.op in ("Enter", "RefEnter")


def is_exit(n: WorkNode) -> bool:
    return n.op in ("Exit", "RefExit")


def is_next_iteration(n: WorkNode) -> bool:
    return n.op in ("NextIteration", "RefNextIteration")


def modifies_frame_info(n: WorkNode) -> bool:
    return is_enter(n) or is_exit(n) or is_next_iteration(n)


def is_placeholder(n: WorkNode) -> bool:
    return n.op in PLACEHOLDER_OPS


def is_variable(n: WorkNode) -> bool:
    return n.op in VARIABLE_OPS


def is_recv(n: WorkNode) -> bool:
    return n.op in ("_Recv", "_HostRecv")


def is_send(n: WorkNode) -> bool:
    return n.op in ("_Send", "_HostSend")


def is_retval(n: WorkNode) -> bool:
    return n.op in ("_Retval", "_DeviceRetval")


def is_commutative(n: WorkNode) -> bool:
    if n.op == "Add":
        t = n.attr("T")
        return t is not None and t != "string"
    return n.op in COMMUTATIVE_OPS


def is_aggregate(n: WorkNode) -> bool:
    if n.op == "Add":
        t = n.attr("T")
        return t is not None and t != "string"
    return n.op in AGGREGATE_OPS


def modifies_inputs_in_place(n: WorkNode) -> bool:
    op = n.op
    if op in ("AssignVariableOp", "AssignAddVariableOp", "AssignSubVariableOp",
              "ResourceScatterUpdate", "ResourceScatterAdd", "ResourceScatterSub",
              "ResourceScatterMul", "ResourceScatterDiv", "ResourceScatterMin",
              "ResourceScatterMax"):
        return False
    if "inplace" in op.lower():
        return True
    return bool(n.attr("in_place", False)) or bool(n.attr("inplace", False))


class OpInfo:
    """Op-definition lookups for one registry (stateful, ref inputs, outputs)."""

    def __init__(self, registry: OpRegistry) -> None:
        self.registry = registry
        self._op_side_effects: dict[str, bool] = {}

    def has_op_def(self, op: str) -> bool:
        return op in self.registry

    def is_stateful(self, op: str) -> bool:
        return self.registry.is_stateful(op)

    def has_ref_input(self, op: str) -> bool:
        entry = self.registry.get(op)
        return bool(entry) and any(a.get("is_ref") for a in entry.get("in", ()))

    def num_output_args(self, op: str) -> Optional[int]:
        entry = self.registry.get(op)
        return None if entry is None else len(entry.get("out", ()))

    def output_types(self, n: WorkNode) -> Optional[list[Optional[str]]]:
        """Declared dtypes of every output of ``n`` (None when the op is unknown)."""
        return self.registry.output_dtypes(n.op, _AttrView(n))

    def num_outputs(self, n: WorkNode) -> Optional[int]:
        return self.registry.num_outputs(n.op, _AttrView(n))

    def output_is_ref(self, n: WorkNode, port: int) -> bool:
        """Whether output ``port`` of ``n`` is a reference (``VariableV2``'s output)."""
        entry = self.registry.get(n.op)
        if entry is None:
            return False
        view = _AttrView(n)
        index = 0
        for arg in entry.get("out", ()):
            count = 1
            if "number_attr" in arg:
                count = view.get(arg["number_attr"]) or 0
            elif "type_list_attr" in arg:
                count = len(view.get(arg["type_list_attr"]) or ())
            if index <= port < index + count:
                return bool(arg.get("is_ref"))
            index += count
        return False

    def is_free_of_side_effect(self, n: WorkNode) -> bool:
        """Grappler's ``IsFreeOfSideEffect``: not a placeholder, a registered op that
        is not stateful, reads no reference, touches no queue, sends nothing and does
        not update its inputs in place."""
        op = n.op
        cached = self._op_side_effects.get(op)
        if cached is None:
            entry = self.registry.get(op)
            attrs = entry.get("attrs", {}) if entry else {}
            if is_placeholder(n) or entry is None or self.is_stateful(op) or \
                    self.has_ref_input(op) or "Queue" in op or is_send(n):
                cached = False  # has side effects, whatever the node's attributes
            elif "in_place" in attrs or "inplace" in attrs or "inplace" in op.lower():
                cached = None  # decided per node below
            else:
                cached = True
            self._op_side_effects[op] = cached if cached is not None else "attr"
        if cached == "attr":
            return not modifies_inputs_in_place(n)
        return bool(cached)


class _AttrView:
    """Read-only attr access in the shape the registry expects (``.get``)."""

    __slots__ = ("_node",)

    def __init__(self, node: WorkNode) -> None:
        self._node = node

    def get(self, key: str, default=None):
        return self._node.attr(key, default)
