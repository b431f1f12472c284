"""Model pruning (grappler's ``ModelPruner``, the first pass TF-TRT's config runs).

What it does, in TF 2.17:

1. **Keep only what the fetches need.**  The graph is cut down to the transitive
   fan-in (data and control edges) of the nodes to preserve -- the fetches and every
   fed ``Placeholder`` -- and written in reversed depth-first order from the sorted
   terminal names (the meta optimizer re-sorts topologically only at the very end, so
   this order is what the next passes see).
2. **Remove trivial nodes** where that is safe.  Trivial are: ``StopGradient`` and
   ``PreventGradient``;
   ``Identity`` / single-input ``IdentityN`` with no control edge in or out, not fed by
   a ``Switch`` and not feeding a ``Merge``; ``NoOp`` without inputs; a ``Const``
   without inputs that nothing reads by data; ``AddN`` with at most one input.
   A trivial node is removed unless it is preserved, or (NoOp/unused Const aside):

   * removing it would add edges (``in * out > in + out``, counting control edges),
   * an input comes from another device,
   * an input or output is a call of a library function,
   * it reads a reference output (``VariableV2`` -> ``/read`` keeps its ``/read``).

   Consumers of a removed node read its inputs instead (transitively through chains
   of removed nodes); inputs reached through a control edge become control inputs;
   data inputs are moved before control inputs and duplicate control inputs dropped.

``IdentityN`` outputs that feed a terminal node are split into single ``Identity``
nodes named ``<identity_n>-<port>-grappler-ModelPruner`` when only some of its
ports reach terminals; that case is rare in inference graphs and is reproduced too.
"""

from __future__ import annotations

from .ops import (OpInfo, is_constant, is_identity, is_identity_n, is_identity_n_single_input,
                  is_merge, is_noop, is_switch)
from .topology import transitive_fanin_order
from .workgraph import WorkGraph, WorkNode, as_control, is_control, node_name, parse_input


class _View:
    """Grappler's ``GraphView`` over the pruned graph.

    Fan-ins are distinct (input node, output port) pairs, port -1 for a control edge.
    Fan-outs are (consumer, input slot) pairs, slot -1 for a control edge, so a node
    read twice by the same consumer counts twice unless both reads are control edges.
    """

    def __init__(self, nodes: list[WorkNode]) -> None:
        self.by_name = {n.name: n for n in nodes}
        self.fanouts: dict[str, list[tuple[WorkNode, int]]] = {n.name: [] for n in nodes}
        for n in nodes:
            seen_ctrl: set[str] = set()
            for slot, text in enumerate(n.inputs):
                src, port = parse_input(text)
                lst = self.fanouts.get(src)
                if lst is None:
                    continue
                if port < 0:
                    if src in seen_ctrl:
                        continue
                    seen_ctrl.add(src)
                    lst.append((n, -1))
                else:
                    lst.append((n, slot))

    def fanins(self, node: WorkNode) -> list[tuple[WorkNode, int]]:
        out: list[tuple[WorkNode, int]] = []
        seen: set[tuple[str, int]] = set()
        for text in node.inputs:
            key = parse_input(text)
            if key in seen:
                continue
            seen.add(key)
            src_node = self.by_name.get(key[0])
            if src_node is not None:
                out.append((src_node, key[1]))
        return out

    def fanouts_of(self, node: WorkNode, include_controls: bool = True) -> list[tuple[WorkNode, int]]:
        lst = self.fanouts.get(node.name, [])
        if include_controls:
            return lst
        return [(c, slot) for c, slot in lst if slot >= 0]


def _num_fanouts(view: _View, node: WorkNode, include_controls: bool) -> int:
    return len(view.fanouts_of(node, include_controls))


def _is_trivial_identity(node: WorkNode, view: _View) -> bool:
    for src, port in view.fanins(node):
        if port < 0 or is_switch(src):
            return False
    for consumer, port in view.fanouts_of(node):
        if port < 0 or is_merge(consumer):
            return False
    return True


def _is_trivial(node: WorkNode, view: _View) -> bool:
    if node.op in ("StopGradient", "PreventGradient"):
        return True
    if is_identity(node) or is_identity_n_single_input(node):
        return _is_trivial_identity(node, view)
    if is_noop(node) and not node.inputs:
        return True
    if is_constant(node) and not node.inputs and _num_fanouts(view, node, False) == 0:
        return True
    return node.op == "AddN" and node.num_data_inputs() <= 1


def _can_remove(node: WorkNode, view: _View, functions: set[str], info: OpInfo) -> bool:
    if is_noop(node) and (not node.inputs or _num_fanouts(view, node, True) == 0):
        return True
    if is_constant(node) and not node.inputs and _num_fanouts(view, node, False) == 0:
        return True
    in_degree = len(node.inputs)  # GraphView::NumFanins counts input strings
    out_degree = _num_fanouts(view, node, True)
    if in_degree * out_degree > in_degree + out_degree:
        return False
    for src, port in view.fanins(node):
        if node.device != src.device:
            return False
        if port < 0:
            continue
        if src.op in functions:
            return False
        if info.output_is_ref(src, port):
            return False
    for consumer, _ in view.fanouts_of(node, False):
        if consumer.op in functions:
            return False
    return True


def _forward_inputs(node: WorkNode, deleted: dict[str, WorkNode], as_ctrl: bool,
                    out: list[str], rewritten: dict[str, list[str]]) -> None:
    """Grappler's ``ForwardInputsInternal``: the inputs ``node`` will have once the
    deleted nodes it reads are bypassed."""
    done = rewritten.get(node.name)
    if done is not None:
        for text in done:
            out.append(as_control(text) if as_ctrl else text)
        return
    for text in node.inputs:
        src = node_name(text)
        src_node = deleted.get(src)
        if src_node is not None:
            _forward_inputs(src_node, deleted, as_ctrl or is_control(text), out, rewritten)
        else:
            out.append(as_control(text) if as_ctrl else text)


def _dedup_controls(inputs: list[str]) -> list[str]:
    """Data inputs first (stable), then controls, duplicates dropped as grappler does."""
    pos = 0
    for i in range(len(inputs)):
        if not is_control(inputs[i]):
            inputs[pos], inputs[i] = inputs[i], inputs[pos]
            pos += 1
    tmp = WorkNode("", "", inputs)
    tmp.dedup_control_inputs()
    return tmp.inputs


def prune(graph: WorkGraph, preserve: set[str], info: OpInfo, functions: set[str],
          changes: list[str]) -> WorkGraph:
    """Run the model pruner on ``graph`` with ``preserve`` as the terminal nodes."""
    if preserve:
        terminals = sorted(preserve)
        nodes = transitive_fanin_order(graph.nodes, terminals)
        dropped = len(graph.nodes) - len(nodes)
        if dropped:
            changes.append(f"pruned {dropped} node(s) no fetch depends on")
        nodes = _split_identity_n(nodes, terminals, changes)
    else:
        nodes = list(graph.nodes)
    view = _View(nodes)
    for n in nodes:
        n.dedup_control_inputs()
    to_delete: dict[str, WorkNode] = {}
    for n in nodes:
        if not _is_trivial(n, view) or n.name in preserve:
            continue
        if _can_remove(n, view, functions, info):
            to_delete[n.name] = n
    if not to_delete:
        return WorkGraph(nodes, graph.base)
    fetches_known = bool(preserve)
    out: list[WorkNode] = []
    rewritten: dict[str, list[str]] = {}
    for n in nodes:
        if fetches_known and n.name in to_delete:
            continue
        new_inputs: list[str] = []
        _forward_inputs(n, to_delete, False, new_inputs, rewritten)
        n.inputs = _dedup_controls(new_inputs)
        rewritten[n.name] = n.inputs
        out.append(n)
    changes.append(f"removed {len(to_delete)} trivial node(s) "
                   f"({_summarise_ops(to_delete.values())})")
    return WorkGraph(out, graph.base)


def _summarise_ops(nodes) -> str:
    hist: dict[str, int] = {}
    for n in nodes:
        hist[n.op] = hist.get(n.op, 0) + 1
    return ", ".join(f"{op} x{k}" for op, k in sorted(hist.items(), key=lambda kv: -kv[1]))


def _split_identity_n(nodes: list[WorkNode], terminals: list[str],
                      changes: list[str]) -> list[WorkNode]:
    """``SplitIdentityNInputs``: IdentityN nodes whose outputs feed terminals only on
    some ports get those other ports split into separate Identity nodes."""
    if not any(is_identity_n(n) for n in nodes):
        return nodes
    by_name = {n.name: n for n in nodes}
    visited = set(terminals)
    to_visit: list[str] = []
    for t in terminals:
        node = by_name.get(t)
        if node is not None:
            to_visit.extend(node.inputs)
    identity_n_fanouts: set[str] = set()
    while to_visit:
        cur = to_visit.pop()
        cur_node = by_name.get(node_name(cur))
        if cur_node is None or cur_node.name in visited:
            continue
        if is_identity_n(cur_node):
            if cur not in identity_n_fanouts:
                identity_n_fanouts.add(cur)
                name, port = parse_input(cur)
                if port >= 0 and port < len(cur_node.inputs) and name == cur_node.name:
                    to_visit.append(cur_node.inputs[port])
                for text in cur_node.inputs:
                    if is_control(text) and text not in identity_n_fanouts:
                        to_visit.append(text)
        else:
            to_visit.extend(cur_node.inputs)
            visited.add(cur_node.name)
    ports: dict[str, set[int]] = {}
    for text in identity_n_fanouts:
        name, port = parse_input(text)
        if port >= 0:
            ports.setdefault(name, set()).add(port)
    changed = False
    for name, terminal_ports in ports.items():
        node = by_name.get(name)
        if node is None:
            continue
        n_data = node.num_data_inputs()
        types = node.attr("T")
        if not isinstance(types, list) or len(types) != n_data or len(terminal_ports) >= n_data:
            continue
        changed = True
        _rewrite_identity_n(node, n_data, terminal_ports, nodes, by_name)
    if not changed:
        return nodes
    changes.append("split IdentityN outputs that do not reach a fetch")
    return transitive_fanin_order(nodes, terminals)


def _rewrite_identity_n(node: WorkNode, n_data: int, terminal_ports: set[int],
                        nodes: list[WorkNode], by_name: dict[str, WorkNode]) -> None:
    types = list(node.attr("T"))
    new_pos: dict[int, int] = {}
    new_identity: dict[int, str] = {}
    idx = 0
    for i in range(n_data):
        if i in terminal_ports:
            new_pos[i] = idx
            idx += 1
        else:
            ident_name = f"{node.name}-{i}-grappler-ModelPruner"
            ident = WorkNode(ident_name, "Identity", [node.inputs[i]], node.device,
                             {"T": types[i]})
            nodes.append(ident)
            by_name[ident_name] = ident
            new_identity[i] = ident_name
    for consumer in nodes:
        for k, text in enumerate(consumer.inputs):
            src, port = parse_input(text)
            if src != node.name or port < 0:
                continue
            if port not in terminal_ports:
                consumer.inputs[k] = new_identity[port]
            else:
                p = new_pos[port]
                consumer.inputs[k] = node.name if p == 0 else f"{node.name}:{p}"
    kept = [node.inputs[i] for i in range(n_data) if i in terminal_ports]
    node.inputs = kept + node.inputs[n_data:]
    node.attrs["T"] = [types[i] for i in range(n_data) if i in terminal_ports]
