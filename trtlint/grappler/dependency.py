"""The dependency optimizer (grappler's ``DependencyOptimizer``).

It simplifies control flow *of dependencies*, in two rounds, each of which:

1. **Sorts the graph topologically** (grappler's Kahn order, see :mod:`.topology`).
2. **Transitive reduction of control edges**: a control edge ``a -> b`` is dropped when
   ``b`` also depends on ``a`` through a path of two or more edges (loop frame
   boundaries -- ``Enter``/``Exit``/``NextIteration`` and ``Merge`` inputs -- are not
   crossed).
3. **Rewrites nodes**, worklist-driven (last in, first out):

   * a ``Const`` without inputs loses every control edge it drives (a constant needs no
     ordering); once nothing reads it, it is deleted;
   * a node whose outputs nobody reads by data -- only by control edges -- becomes a
     ``NoOp`` if that is safe: fetches known, not preserved, not ``Merge``/``Switch``/
     loop-frame op, free of side effects (variable reads and gathers count as free), has
     outputs in its op definition and is not ``Assert``/``CheckNumerics``/... Its data
     inputs become control inputs;
   * a ``NoOp``, and an ``Identity``/``IdentityN`` that is safe to remove (not preserved,
     not reading a variable, not between a ``Switch`` and a control consumer), is
     **bypassed** when that does not add edges or cross devices: consumers read the
     Identity's input directly; control dependencies are re-attached to the node's own
     inputs; the node is deleted.
4. Deduplicates control inputs and groups control edges that cross devices.

Control edges are compared as sets by trtlint's checks; their order inside a node
depends on hash-set iteration in TensorFlow and is not reproduced.
"""

from __future__ import annotations

from typing import Optional

from .naming import add_control_dependency, has_regular_outputs
from .ops import (OpInfo, is_constant, is_identity, is_identity_n, is_identity_n_single_input,
                  is_merge, is_noop, is_recv, is_retval, is_switch, is_variable,
                  modifies_frame_info)
from .topology import topological_sort
from .workgraph import NodeMap, WorkGraph, WorkNode, as_control, is_control, node_name, parse_input

_DO_NOT_REWRITE = frozenset({"Assert", "CheckNumerics", "_Retval", "_Arg",
                             "_ParallelConcatUpdate", "TPUExecute", "TPUCompile",
                             "ControlTrigger"})
_GATHER_OPS = frozenset({"Gather", "GatherV2", "GatherNd", "ResourceGather", "ResourceGatherNd"})


class _StackSet:
    """Grappler's ``SetVector``: a LIFO stack that holds each element at most once."""

    def __init__(self) -> None:
        self._items: list[int] = []
        self._set: set[int] = set()

    def push(self, value: int) -> None:
        if value not in self._set:
            self._set.add(value)
            self._items.append(value)

    def pop(self) -> int:
        value = self._items.pop()
        self._set.discard(value)
        return value

    def __bool__(self) -> bool:
        return bool(self._items)


class DependencyOptimizer:
    def __init__(self, graph: WorkGraph, preserve: set[str], fetches_known: bool,
                 info: OpInfo) -> None:
        self.graph = graph
        self.preserve = preserve
        self.fetches_known = fetches_known
        self.info = info
        self.node_map: NodeMap = graph.node_map()
        self.index: dict[str, int] = {}
        self.removed = 0
        self.converted = 0
        self.reduced = 0

    # -- safety predicates ----------------------------------------------------------
    def safe_to_remove_identity(self, node: WorkNode) -> bool:
        if not is_identity(node) and not is_identity_n(node):
            return True
        if node.name in self.preserve or not self.fetches_known or not node.inputs:
            return False
        src = self.node_map.get(node.inputs[0])
        if src is None:
            return False
        if is_variable(src) or is_recv(src):
            return False
        control_self = as_control(node.name)
        for consumer in self.node_map.fanout(node.name):
            if len(node.inputs) > 1 and (is_retval(consumer) or is_merge(consumer)):
                return False
            if is_switch(src) and control_self in consumer.inputs:
                return False
        return True

    def safe_to_convert_to_noop(self, node: WorkNode) -> bool:
        if has_regular_outputs(node, self.node_map):
            return False
        if not self.fetches_known or node.name in self.preserve:
            return False
        if is_merge(node) or is_switch(node) or modifies_frame_info(node):
            return False
        is_variable_read = node.op in ("ReadVariableOp", "_ReadVariablesOp") or node.op in _GATHER_OPS
        if not is_variable_read and not self.info.is_free_of_side_effect(node):
            return False
        if node.op.startswith("Submodel"):
            return False
        n_out = self.info.num_output_args(node.op)
        if not n_out:
            return False
        if node.op in _DO_NOT_REWRITE:
            return False
        return self.safe_to_remove_identity(node)

    def _edges_if_bypassed(self, node: WorkNode, outputs: list[WorkNode]) -> int:
        multi = is_identity_n(node) and not is_identity_n_single_input(node)
        n_out = len(outputs)
        n_in = len(node.inputs)
        if not multi:
            return n_in * n_out
        total = 0
        for text in node.inputs:
            total += n_out if is_control(text) else 1
        for consumer in outputs:
            for text in consumer.inputs:
                src, port = parse_input(text)
                if src == node.name:
                    total += n_in if port < 0 else 1
        return total

    def _bypass_is_beneficial(self, node: WorkNode, inputs: list[WorkNode],
                              outputs: list[WorkNode]) -> bool:
        is_ident = is_identity(node) or is_identity_n_single_input(node)
        multi = is_identity_n(node) and not is_identity_n_single_input(node)
        n_out = len(outputs)
        n_in = len(node.inputs)
        if self._edges_if_bypassed(node, outputs) > n_in + n_out:
            return False
        dev = node.device
        if (n_in == 1 and n_out > 1 and inputs[0].device != dev) or (
                n_in > 1 and n_out == 1 and outputs[0].device != dev):
            return False
        cross_in = sum(1 for i in inputs if i.device != dev)
        cross_out = sum(1 for o in outputs if o.device != dev)
        cross_after = sum(1 for i in inputs for o in outputs if i.device != o.device)
        if cross_after > cross_in + cross_out:
            return False
        if (is_ident or multi) and cross_in > 0 and cross_out > 0 and cross_after > 0:
            return False
        return True

    # -- one node -------------------------------------------------------------------
    def optimize_node(self, idx: int, work: _StackSet, delete: set[int]) -> None:
        node = self.graph.nodes[idx]
        nm = self.node_map
        name = node.name
        is_nop = is_noop(node)
        is_ident = is_identity(node) or is_identity_n_single_input(node)
        is_multi = is_identity_n(node) and not is_identity_n_single_input(node)

        if is_constant(node) and not node.inputs:
            ctrl_name = "^" + name
            fanouts = nm.fanout(name)
            if not any(ctrl_name in f.inputs for f in fanouts):
                # no control edge from it: nothing to drop (the common case)
                if not fanouts and self.fetches_known and name not in self.preserve:
                    delete.add(idx)
                return
            for fanout in fanouts:
                optimize_fanout = False
                data_connection = False
                inputs = fanout.inputs
                for i in range(len(inputs) - 1, -1, -1):
                    src, port = parse_input(inputs[i])
                    if src == name:
                        if port < 0:
                            inputs[i] = inputs[-1]
                            inputs.pop()
                            optimize_fanout = True
                        else:
                            data_connection = True
                if optimize_fanout:
                    work.push(self.index[fanout.name])
                    if not data_connection:
                        nm.remove_output(name, fanout.name)
            if not nm.fanout_names(name) and self.fetches_known and name not in self.preserve:
                delete.add(idx)
            return

        if not is_nop and self.safe_to_convert_to_noop(node):
            seen_ctrl: set[str] = set()
            pos = 0
            inputs = node.inputs
            while pos < len(inputs):
                old = inputs[pos]
                if is_control(old):
                    if old in seen_ctrl:
                        inputs[pos] = inputs[-1]
                        inputs.pop()
                    else:
                        seen_ctrl.add(old)
                        pos += 1
                    continue
                ctrl = add_control_dependency(old, self.graph, nm)
                self._index_new_nodes()
                seen_ctrl.add(ctrl)
                inputs[pos] = ctrl
                nm.update_input(name, old, ctrl)
                old_node = nm.get(old)
                if old_node is not None:
                    work.push(self.index[old_node.name])
                pos += 1
            node.op = "NoOp"
            node.erase_regular_attrs()
            node.dedup_control_inputs()
            work.push(idx)
            self.converted += 1
            return

        if not (is_nop or ((is_ident or is_multi) and self.safe_to_remove_identity(node))):
            return
        input_nodes: list[WorkNode] = []
        for text in node.inputs:
            src = nm.get(text)
            if src is None:
                return
            input_nodes.append(src)
        outputs = nm.fanout(name)
        if not self._bypass_is_beneficial(node, input_nodes, outputs):
            return
        ctrl_self = "^" + name
        for consumer in outputs:
            updated = False
            for i, src in enumerate(input_nodes):
                text = node.inputs[i]
                if (is_ident and i == 0) or (is_multi and not is_control(text)):
                    forward = text
                    for j, ctext in enumerate(consumer.inputs):
                        cname, cport = parse_input(ctext)
                        if cname != name:
                            continue
                        if cport == i:
                            nm.update_input(consumer.name, cname, forward)
                            consumer.inputs[j] = forward
                        elif cport == -1:
                            new = "^" + node_name(forward)
                            nm.update_input(consumer.name, cname, new)
                            consumer.inputs[j] = new
                    updated = True
                else:
                    if consumer.name not in nm.fanout_names(src.name):
                        consumer.inputs.append("^" + src.name)
                        nm.add_output(src.name, consumer.name)
                        work.push(self.index[src.name])
                        updated = True
            updated |= _remove_control_input(consumer, ctrl_self, nm)
            if updated:
                work.push(self.index[consumer.name])
        nm.remove_outputs(name)
        if self.fetches_known and name not in self.preserve:
            delete.add(idx)
            nm.remove_inputs(name)
            node.inputs = []
            self.removed += 1

    def _index_new_nodes(self) -> None:
        nodes = self.graph.nodes
        if len(self.index) < len(nodes):
            for i in range(len(self.index), len(nodes)):
                self.index[nodes[i].name] = i

    # -- whole rounds ---------------------------------------------------------------
    def optimize_dependencies(self) -> None:
        work = _StackSet()
        delete: set[int] = set()
        for i, node in enumerate(self.graph.nodes):
            if (is_noop(node) or is_identity(node) or is_identity_n(node) or is_constant(node)
                    or self.safe_to_convert_to_noop(node)):
                work.push(i)
        while work:
            idx = work.pop()
            while idx in delete:
                if not work:
                    idx = -1
                    break
                idx = work.pop()
            if idx < 0:
                break
            self.optimize_node(idx, work, delete)
        if self.fetches_known and delete:
            nodes = self.graph.nodes
            self.graph.nodes = [n for i, n in enumerate(nodes) if i not in delete]
            self._rebuild()

    def _rebuild(self) -> None:
        self.node_map = self.graph.node_map()
        self.index = {n.name: i for i, n in enumerate(self.graph.nodes)}

    def transitive_reduction(self) -> None:
        nodes = self.graph.nodes
        if not any(n.inputs and n.inputs[-1][:1] == "^" for n in nodes):
            return  # no control edge at all: nothing to reduce
        count = len(nodes)
        index = self.index
        outputs: list[list[int]] = [[] for _ in range(count)]
        control_outputs: list[list[tuple[int, int]]] = [[] for _ in range(count)]
        lo = [count] * count
        hi = [-1] * count
        info = self.info
        for idx, node in enumerate(nodes):
            if modifies_frame_info(node) or not info.has_op_def(node.op):
                continue
            for slot, text in enumerate(node.inputs):
                src_name = node_name(text)
                src_idx = index.get(src_name)
                if src_idx is None:
                    continue
                src = nodes[src_idx]
                if modifies_frame_info(src) or is_merge(src):
                    continue
                outputs[src_idx].append(idx)
                if idx < lo[src_idx]:
                    lo[src_idx] = idx
                if is_control(text):
                    control_outputs[src_idx].append((idx, slot))
                    if idx > hi[src_idx]:
                        hi[src_idx] = idx
        to_remove: dict[int, set[tuple[int, int]]] = {}
        distance = [0] * count
        for source in range(count):
            first, last = lo[source], hi[source]
            if first >= last or last <= source:
                continue
            for k in range(first, last + 1):
                distance[k] = 0
            stack = [source]
            while stack:
                cur = stack.pop()
                for out in outputs[cur]:
                    if first <= out <= last and distance[out] != 2:
                        distance[out] = 1 if distance[out] == 0 else 2
                        stack.append(out)
            for target, slot in control_outputs[source]:
                if distance[target] == 2:
                    to_remove.setdefault(target, set()).add((slot, source))
        for target, pairs in to_remove.items():
            tnode = nodes[target]
            for slot, source in sorted(pairs, reverse=True):
                inputs = tnode.inputs
                inputs[slot], inputs[-1] = inputs[-1], inputs[slot]
                self.node_map.remove_output(nodes[source].name, tnode.name)
                inputs.pop()
                self.reduced += 1

    def group_cross_device_control_edges(self, host_granularity: bool) -> None:
        nm = self.node_map
        nodes = self.graph.nodes
        for i in range(len(nodes)):
            node = nodes[i]
            if not node.device:
                continue
            node_dev = _host(node.device) if host_granularity else node.device
            noops: dict[str, Optional[WorkNode]] = {}
            num_noops = 0
            for text in node.inputs:
                if not is_control(text):
                    continue
                src = nm.get(text)
                if src is None or not src.device:
                    continue
                src_dev = _host(src.device) if host_granularity else src.device
                if src_dev == node_dev:
                    continue
                if src_dev not in noops:
                    noops[src_dev] = None
                elif noops[src_dev] is None:
                    while True:
                        group = f"{node.name}/GroupCrossDeviceControlEdges_{num_noops}"
                        num_noops += 1
                        if not nm.exists(group):
                            break
                    noop = WorkNode(group, "NoOp", [], src.device, {})
                    nodes.append(noop)
                    nm.add_node(noop)
                    noops[src_dev] = noop
            if not any(v is not None for v in noops.values()):
                continue
            pos = 0
            inputs = node.inputs
            while pos < len(inputs):
                text = inputs[pos]
                if not is_control(text):
                    pos += 1
                    continue
                src = nm.get(text)
                if src is None:
                    pos += 1
                    continue
                src_dev = _host(src.device) if host_granularity else src.device
                group_node = noops.get(src_dev)
                if group_node is None:
                    pos += 1
                    continue
                inputs[pos] = inputs[-1]
                inputs.pop()
                group_node.inputs.append("^" + src.name)
                nm.update_output(src.name, node.name, group_node.name)
            for group_node in noops.values():
                if group_node is not None:
                    node.inputs.append("^" + group_node.name)
                    nm.add_output(group_node.name, node.name)

    def run(self) -> None:
        for n in self.graph.nodes:
            n.dedup_control_inputs()
        for round_ in range(2):
            sorted_ok = topological_sort(self.graph)
            if round_ == 1 and unchanged:
                # round 1 found nothing to do: every decision is local to a node and
                # its edges, and the edges are the same, so round 2 finds nothing
                # either; only its topological sort (a new order) remains
                break
            before = _wiring(self.graph)
            self._rebuild()
            if sorted_ok:
                self.transitive_reduction()
            self.optimize_dependencies()
            for n in self.graph.nodes:
                n.dedup_control_inputs()
            self.group_cross_device_control_edges(False)
            self.group_cross_device_control_edges(True)
            unchanged = _wiring(self.graph) == before


def _wiring(graph: WorkGraph) -> list:
    """Names, ops and inputs of every node, in order: equal before and after a round
    exactly when the round changed nothing."""
    return [(n.name, n.op, tuple(n.inputs)) for n in graph.nodes]


def _host(device: str) -> str:
    """The ``/job:x/replica:y/task:z`` part of a device name (``SplitDeviceName``)."""
    parts = [p for p in device.split("/") if p]
    host = [p for p in parts if p.split(":")[0] in ("job", "replica", "task")]
    return "/" + "/".join(host) if host else ""


def _remove_control_input(node: WorkNode, ctrl: str, nm: NodeMap) -> bool:
    """Remove one trailing control input ``ctrl`` (swap with last), as grappler does."""
    inputs = node.inputs
    for pos in range(len(inputs) - 1, -1, -1):
        text = inputs[pos]
        if not text.startswith("^"):
            break
        if text == ctrl:
            inputs[pos], inputs[-1] = inputs[-1], inputs[pos]
            inputs.pop()
            nm.remove_output(text[1:], node.name)
            return True
    return False


def optimize_dependencies(graph: WorkGraph, preserve: set[str], fetches_known: bool,
                          info: OpInfo, changes: list[str]) -> None:
    """Run the dependency optimizer on ``graph`` in place."""
    opt = DependencyOptimizer(graph, preserve, fetches_known, info)
    opt.run()
    if opt.removed:
        changes.append(f"bypassed and removed {opt.removed} NoOp/Identity node(s)")
    if opt.converted:
        changes.append(f"turned {opt.converted} node(s) with only control outputs into NoOp")
    if opt.reduced:
        changes.append(f"dropped {opt.reduced} redundant control edge(s)")
