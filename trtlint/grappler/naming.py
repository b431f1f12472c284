"""Names and control-dependency anchors grappler's rewrites create.

Constant folding (and the dependency optimizer, which borrows its helper) names what
it adds after the node it rewrites, under a fixed prefix:

* ``ConstantFolding/<node><suffix>`` for constants and helpers it creates
  (``-folded-1``, ``_const_axis``, ``-matshapes-0``, ``_recip``, ...);
* ``ConstantFoldingCtrl/<switch>_<port>`` for the ``Identity`` that anchors a control
  dependency on one output of a ``Switch``.

Why the anchor: a control edge from a ``Switch`` fires whichever branch is taken, so a
dependency on "output 1 of this Switch" must go through a node that only runs when
that output is produced.  :func:`add_control_dependency` returns ``"^node"`` for any
other producer.
"""

from __future__ import annotations

from .ops import is_switch
from .workgraph import NodeMap, WorkGraph, WorkNode, is_control, node_name, parse_input

CONSTANT_FOLDING = "ConstantFolding"
CONSTANT_FOLDING_CTRL = "ConstantFoldingCtrl"


def add_prefix(name: str, prefix: str) -> str:
    """``AddPrefixToNodeName``: ``"prefix/name"`` (keeping a leading ``^`` in front)."""
    if name.startswith("^"):
        return f"^{prefix}/{name[1:]}"
    return f"{prefix}/{name}"


def optimized_name(node_name_: str, suffix: str) -> str:
    """``ConstantFolding::OptimizedNodeName``: ``ConstantFolding/<node><suffix>``."""
    return add_prefix(node_name_ + suffix, CONSTANT_FOLDING)


def add_control_dependency(input_name: str, graph: WorkGraph, node_map: NodeMap) -> str:
    """The control input to use for a dependency on ``input_name`` (grappler's
    ``ConstantFolding::AddControlDependency``), adding the Switch anchor if needed."""
    if is_control(input_name):
        return input_name
    node = node_map.get(input_name)
    if node is None:
        return input_name
    if not is_switch(node):
        return "^" + node.name
    for out in node_map.fanout(node.name):
        if out.op in ("Identity", "RefIdentity") or (
                out.op == "IdentityN" and len(out.attr("T") or ()) == 1):
            # Grappler compares the Switch's own first input with the requested
            # output here (a quirk): this only matches when they are the same tensor.
            if _same_input(node.inputs[0] if node.inputs else "", input_name):
                return "^" + out.name
    name, port = parse_input(input_name)
    anchor = add_prefix(f"{name}_{port}", CONSTANT_FOLDING_CTRL)
    added = node_map.nodes.get(anchor)
    if added is None:
        added = WorkNode(anchor, "Identity", [input_name], node.device, {"T": node.attr("T")})
        graph.nodes.append(added)
        node_map.add_node(added)
        node_map.add_output(node.name, anchor)
    return "^" + added.name


def _same_input(a: str, b: str) -> bool:
    return parse_input(a) == parse_input(b) and not is_control(a) and not is_control(b)


def has_regular_outputs(node: WorkNode, node_map: NodeMap) -> bool:
    """Whether some node reads ``node`` through a data edge."""
    name = node.name
    for out in node_map.fanout(name):
        for text in out.inputs:
            if is_control(text):
                break
            if node_name(text) == name:
                return True
    return False


def num_non_control_outputs(node: WorkNode, node_map: NodeMap) -> int:
    """Data edges leaving ``node`` (grappler's ``NumNonControlOutputs``)."""
    name = node.name
    count = 0
    for out in node_map.fanout(name):
        for text in out.inputs:
            if is_control(text):
                break
            if node_name(text) == name:
                count += 1
    return count
