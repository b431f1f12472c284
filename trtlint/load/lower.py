"""Lowering functional control flow the way TF-TRT's freezing step does it.

``TrtGraphConverterV2`` freezes a SavedModel signature with
``convert_variables_to_constants_v2``, whose default ``lower_control_flow=True``
has grappler's function optimizer rewrite every functional ``While``/``If``/``Case``
(and their ``Stateless`` twins) carrying ``_lower_using_switch_merge=True`` into TF1
control flow, in the same pass that inlines function calls.  TF-TRT never sees a
``While``: it sees ``Enter``/``Merge``/``Switch``/``NextIteration``/``Exit``/
``LoopCond`` frames, and ``Switch``/``Merge`` around inlined branches.  This module
reproduces that rewrite node for node (names, op types, data and control inputs, the
attrs TensorFlow sets, the order nodes are added), and the two things the later
``WrappedFunction.prune`` copy does to the resulting loops.

How TensorFlow 2.17 does it (facts read off ``lower_while_op.cc``,
``lower_if_op.cc``, ``lower_case_op.cc`` and grappler's ``function_optimizer.cc``):

* One pass walks the graph's nodes by id, i.e. in the order they were added; nodes a
  rewrite adds go to the end and are visited later.  A call is inlined, a functional
  control-flow op is lowered; the cond/body/branch functions become *call nodes*
  (op type = function name, ``_lower_as_multi_device_function=True``) that the same
  pass inlines when it reaches them -- so control flow nested in a loop body is
  lowered after that body is inlined.
* Names come from one graph-wide counter, ``<prefix>/_<n>``, shared with the
  inliner's ``Func/<call>/input/_<n>`` nodes.  A lowering reserves the names of its
  call nodes first (``cond``, ``body``; ``then``, ``else``; ``branch0``...) and creates
  the nodes later, so names and creation order differ.
* Before lowering, "strict input semantics" may add control edges from the op's
  data inputs (not Placeholders): when it has no control input but a resource input,
  or when an input comes from a constant ``Enter``.  Calls get the same treatment
  before they are inlined.
* ``While``: one ``Enter`` per loop variable (a resource variable gets
  ``is_constant=True`` and nothing else: no Merge/Switch/Exit/NextIteration; the
  body and cond read the Enter directly, and consumers of that output read the
  variable itself); control inputs of the While gather in a ``LoopControlInputs``
  NoOp that every Enter waits for; ``Merge`` (Enter, NextIteration); the cond call
  reads the Merges (and waits for the first one); ``LoopCond``; one
  ``<input node>_switch`` per variable; the body call reads ``Switch:1`` and waits for
  ``loop_body_control`` (an Identity of the first Switch's true output); ``Exit``
  reads ``Switch:0``; ``LoopExecuted`` waits for every Exit; ``NextIteration`` reads
  the body's output (and waits for the body).
* ``If``: ``switch_pred`` (Switch of the predicate on itself) with ``pivot_f`` and
  ``pivot_t`` Identities; one Switch per data input, named after its source node;
  the then/else calls wait for their pivot; one ``output`` Merge per result;
  ``branch_executed`` merges the pivots and waits for both calls.
  ``Case`` is the same with ``_SwitchN`` on the branch index, ``pivot_<b>`` and
  ``branch<b>`` calls, ``merge`` results.
* The op's name lives on as a ``NoOp`` waiting for ``LoopExecuted`` /
  ``branch_executed`` (grappler lowers with ``keep_node_fetchable=false``: no
  ``IdentityN``); data consumers read the Exit/Merge nodes directly, control
  consumers now wait for ``LoopExecuted``/``branch_executed``.
* Grappler's frame-forwarding edge (``AddFrameForwardingControlEdge``) only applies
  to nodes of the graph as it was before the pass inside a TF1 loop; the signature
  wrapper a TF2 SavedModel starts from has none, so it is not modelled.

What the prune copy (``lift_to_graph``) then does, see :func:`copy_like_lift_to_graph`:
a loop is a cycle, so some node is copied before one of its inputs; TensorFlow gives
it a disconnected ``unused_control_flow_input`` Placeholder first and rewires the
input afterwards.  And a control input whose node is already a data input of the
same node is dropped.  Which node of a cycle gets copied first is TensorFlow's
arbitrary choice (the iteration order of a Python set of ops); trtlint takes the
node that comes first in the graph, so the number of those Placeholders can differ
from one TensorFlow run to another but is always one TensorFlow could produce.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable, Optional

from ..errors import InputError
from ..graph.attrs import FuncRef
from ..graph.model import Node, TensorRef
from ..graph.opdefs import OpRegistry
from .model import LoweredControlFlow
from .functions import (CALL_OPS, COLOCATION_ATTR, COLOCATION_PREFIX, MAX_INLINE_DEPTH,
                        CallInliner, InlinePass)

#: attr that asks for the Switch/Merge rewrite (set by tf.function on its While/If/Case)
LOWER_USING_SWITCH_MERGE = "_lower_using_switch_merge"
#: attr the rewrite puts on the cond/body/branch call nodes it makes: inline them as
#: TF2 multi-device calls (control outputs = the function's control returns)
LOWER_AS_MULTI_DEVICE_FUNCTION = "_lower_as_multi_device_function"
WHILE_OPS = frozenset({"While", "StatelessWhile"})
IF_OPS = frozenset({"If", "StatelessIf"})
CASE_OPS = frozenset({"Case", "StatelessCase"})
LOWERABLE_OPS = WHILE_OPS | IF_OPS | CASE_OPS
#: the name ``lift_to_graph`` gives the stand-ins for inputs it copies after their users
UNUSED_LOOP_INPUT = "unused_control_flow_input"
_RESOURCE = "resource"


def asks_for_lowering(node: Node) -> bool:
    """Whether grappler lowers ``node`` (any op carrying the attr is taken out of
    inlining; only While/If/Case and their Stateless forms are rewritten)."""
    return node.attrs.get(LOWER_USING_SWITCH_MERGE) is True


@dataclass
class Lowered:
    """What one lowering made: the nodes in the order TensorFlow adds them, where
    each output of the lowered op now comes from, and the node its control
    consumers now wait for."""

    nodes: list[Node] = field(default_factory=list)
    outputs: dict[int, TensorRef] = field(default_factory=dict)
    control: Optional[str] = None

    def add(self, node: Node) -> Node:
        self.nodes.append(node)
        return node


NameMaker = Callable[[str], str]


def _types(value, count: int) -> list[Optional[str]]:
    """A list(type) attr padded to ``count`` entries (None where unknown)."""
    types = list(value) if isinstance(value, list) else []
    return (types + [None] * count)[:count]


def _call_node(name: str, func: FuncRef, inputs: list[TensorRef], device: str,
               source: Optional[str]) -> Node:
    """A direct call of ``func`` as the lowerings make them (inlined later)."""
    attrs = {LOWER_AS_MULTI_DEVICE_FUNCTION: True, **dict(func.attrs)}
    return Node(name, func.name, inputs, [], device, attrs=attrs, source=source)


def lower_while(node: Node, new_name: NameMaker,
                device_of: Callable[[str], str]) -> Optional[Lowered]:
    """The TF1 loop a functional While becomes (see the module docstring); None for a
    loop over resources only."""
    cond, body = node.attrs.get("cond"), node.attrs.get("body")
    if not isinstance(cond, FuncRef) or not isinstance(body, FuncRef):
        raise InputError(f"{node.op} {node.name} has no cond or body function")
    count = len(node.inputs)
    types = _types(node.attrs.get("T"), count)
    is_resource = [t == _RESOURCE for t in types]
    if all(is_resource):
        # TensorFlow would index the first Merge, which does not exist; such a loop
        # computes nothing, and trtlint keeps it as it is.
        return None
    iterations = node.attrs.get("parallel_iterations")
    iterations = iterations if isinstance(iterations, int) else 10
    src, out = node.source, Lowered()
    cond_name, body_name = new_name("cond"), new_name("body")

    enters = []
    for i, ref in enumerate(node.inputs):
        enters.append(out.add(Node(
            new_name("enter"), "Enter", [ref], [], device_of(ref.node),
            attrs={"T": types[i], "frame_name": node.name, "is_constant": is_resource[i],
                   "parallel_iterations": iterations}, source=src)))
    if node.control_inputs:
        gate = out.add(Node(new_name("LoopControlInputs"), "NoOp", [],
                            list(node.control_inputs), node.device, attrs={}, source=src))
        for enter in enters:
            enter.control_inputs.append(gate.name)

    merges: dict[int, Node] = {}
    for i, enter in enumerate(enters):
        if not is_resource[i]:
            merges[i] = out.add(Node(new_name("merge"), "Merge",
                                     [TensorRef(enter.name), TensorRef(enter.name)], [],
                                     enter.device, attrs={"T": types[i], "N": 2}, source=src))
    first_merge = merges[min(merges)]

    cond_call = out.add(_call_node(
        cond_name, cond, [TensorRef(enters[i].name) if is_resource[i] else TensorRef(merges[i].name)
                          for i in range(count)], node.device, src))
    cond_call.control_inputs.append(first_merge.name)
    loop_cond = out.add(Node(new_name("LoopCond"), "LoopCond", [TensorRef(cond_call.name)], [],
                             node.device, attrs={}, source=src))

    switches: dict[int, Node] = {}
    for i in merges:
        switches[i] = out.add(Node(
            new_name(f"{node.inputs[i].node}_switch"), "Switch",
            [TensorRef(merges[i].name), TensorRef(loop_cond.name)], [], merges[i].device,
            attrs={"T": types[i]}, source=src))
    body_call = out.add(_call_node(
        body_name, body, [TensorRef(enters[i].name) if is_resource[i]
                          else TensorRef(switches[i].name, 1) for i in range(count)],
        node.device, src))
    first_switch = switches[min(switches)]
    body_gate = out.add(Node(new_name("loop_body_control"), "Identity",
                             [TensorRef(first_switch.name, 1)], [], node.device,
                             attrs={"T": first_switch.attrs["T"]}, source=src))
    body_call.control_inputs.append(body_gate.name)

    exits: dict[int, Node] = {}
    for i, switch in switches.items():
        exits[i] = out.add(Node(new_name("exit"), "Exit", [TensorRef(switch.name)], [],
                                switch.device, attrs={"T": types[i]}, source=src))
    executed = out.add(Node(new_name("LoopExecuted"), "NoOp", [],
                            [e.name for e in exits.values()], node.device, attrs={}, source=src))
    out.add(Node(node.name, "NoOp", [], [executed.name], node.device, attrs={}, source=src))
    for i, merge in merges.items():
        step = out.add(Node(new_name("next_iteration"), "NextIteration",
                            [TensorRef(body_call.name, i)], [body_call.name], merge.device,
                            attrs={"T": types[i]}, source=src))
        merge.inputs[1] = TensorRef(step.name)

    for i in range(count):
        out.outputs[i] = node.inputs[i] if is_resource[i] else TensorRef(exits[i].name)
    out.control = executed.name
    return out


def _lower_branches(node: Node, new_name: NameMaker, device_of: Callable[[str], str],
                    functions: list[FuncRef], selector_type: Optional[str],
                    input_types: list[Optional[str]], output_types: list[Optional[str]],
                    naming: dict[str, str]) -> Lowered:
    """If and Case: Switch the inputs on the selector, call one function per branch,
    Merge the results.  ``naming`` holds the few names in which they differ."""
    src, out = node.source, Lowered()
    branches = len(functions)
    two_way = naming["kind"] == "if"
    call_names = [new_name(n) for n in (("then", "else") if two_way
                                        else [f"branch{b}" for b in range(branches)])]
    selector = node.inputs[0]

    if two_way:
        gate = out.add(Node(new_name("switch_pred"), "Switch", [selector, selector], [],
                            node.device, attrs={"T": selector_type}, source=src))
        # the then branch is Switch output 1, the else branch output 0
        outputs_for = [1, 0]
        pivot_f = Node(new_name("pivot_f"), "Identity", [TensorRef(gate.name, 0)], [],
                       node.device, attrs={"T": selector_type}, source=src)
        pivot_t = Node(new_name("pivot_t"), "Identity", [TensorRef(gate.name, 1)], [],
                       node.device, attrs={"T": selector_type}, source=src)
        out.add(pivot_f)
        out.add(pivot_t)
        pivots = [pivot_t, pivot_f]
    else:
        gate = out.add(Node(new_name("branch_index"), "_SwitchN", [selector, selector], [],
                            node.device, attrs={"T": selector_type, "num_outs": branches},
                            source=src))
        outputs_for = list(range(branches))
        pivots = [out.add(Node(new_name(f"pivot_{b}"), "Identity", [TensorRef(gate.name, b)],
                               [], node.device, attrs={"T": selector_type}, source=src))
                  for b in range(branches)]

    call_inputs: list[list[TensorRef]] = [[] for _ in range(branches)]
    for k, ref in enumerate(node.inputs[1:]):
        attrs = {"T": input_types[k]}
        if not two_way:
            attrs["num_outs"] = branches
        switch = out.add(Node(new_name(ref.node), "Switch" if two_way else "_SwitchN",
                              [ref, selector], [], device_of(ref.node), attrs=attrs, source=src))
        for b in range(branches):
            call_inputs[b].append(TensorRef(switch.name, outputs_for[b]))
    gate.control_inputs.extend(node.control_inputs)

    calls = []
    for b in range(branches):
        call = out.add(_call_node(call_names[b], functions[b], call_inputs[b], node.device, src))
        call.control_inputs.append(pivots[b].name)
        calls.append(call)
    merges = []
    for i, dtype in enumerate(output_types):
        merges.append(out.add(Node(new_name(naming["result"]), "Merge",
                                   [TensorRef(c.name, i) for c in calls], [], node.device,
                                   attrs={"T": dtype, "N": branches}, source=src)))
    executed = out.add(Node(new_name("branch_executed"), "Merge",
                            [TensorRef(p.name) for p in pivots], [c.name for c in calls],
                            node.device, attrs={"T": selector_type, "N": branches}, source=src))
    out.add(Node(node.name, "NoOp", [], [executed.name], node.device, attrs={}, source=src))
    out.outputs = {i: TensorRef(m.name) for i, m in enumerate(merges)}
    out.control = executed.name
    return out


def _branch_outputs(node: Node, functions: list[FuncRef], library: dict) -> list[Optional[str]]:
    """The result types: one per output of the branch functions (TensorFlow counts the
    first branch's outputs), typed by ``Tout``."""
    fdef = library.get(functions[0].name) if functions else None
    count = len(fdef.signature.output_arg) if fdef is not None else len(
        node.attrs.get("Tout") or [])
    return _types(node.attrs.get("Tout"), count)


def lower_if(node: Node, new_name: NameMaker, device_of: Callable[[str], str],
             library: dict) -> Lowered:
    """The Switch/Merge conditional a functional If becomes."""
    then_f, else_f = node.attrs.get("then_branch"), node.attrs.get("else_branch")
    if not isinstance(then_f, FuncRef) or not isinstance(else_f, FuncRef):
        raise InputError(f"{node.op} {node.name} has no then or else function")
    if not node.inputs:
        raise InputError(f"{node.op} {node.name} has no predicate input")
    selector_type = node.attrs.get("Tcond") or "bool"
    inputs = _types(node.attrs.get("Tin"), len(node.inputs) - 1)
    outputs = _branch_outputs(node, [then_f, else_f], library)
    return _lower_branches(node, new_name, device_of, [then_f, else_f], selector_type, inputs,
                           outputs, {"kind": "if", "result": "output"})


def lower_case(node: Node, new_name: NameMaker, device_of: Callable[[str], str],
               library: dict) -> Lowered:
    """The _SwitchN/Merge selection a functional Case becomes."""
    branches = node.attrs.get("branches")
    if not isinstance(branches, list) or not branches or \
            not all(isinstance(b, FuncRef) for b in branches):
        raise InputError(f"{node.op} {node.name} has no branch functions")
    if not node.inputs:
        raise InputError(f"{node.op} {node.name} has no branch index input")
    inputs = _types(node.attrs.get("Tin"), len(node.inputs) - 1)
    outputs = _branch_outputs(node, branches, library)
    return _lower_branches(node, new_name, device_of, branches, "int32", inputs, outputs,
                           {"kind": "case", "result": "merge"})


def _function_names(node: Node) -> list[str]:
    """The cond/body or branch functions a functional control-flow op calls."""
    names: list[str] = []
    for key in ("cond", "body", "then_branch", "else_branch", "branches"):
        value = node.attrs.get(key)
        for ref in value if isinstance(value, list) else [value]:
            if isinstance(ref, FuncRef):
                names.append(ref.name)
    return names


def _input_types(node: Node, fdef=None) -> list[Optional[str]]:
    """The dtypes of a node's data inputs, for the resource test of strict input
    semantics (control-flow ops and calls; other ops need not be asked)."""
    attrs = node.attrs
    count = len(node.inputs)
    if node.op in WHILE_OPS:
        return _types(attrs.get("T"), count)
    if node.op in IF_OPS:
        return [attrs.get("Tcond")] + _types(attrs.get("Tin"), count - 1)
    if node.op in CASE_OPS:
        return ["int32"] + _types(attrs.get("Tin"), count - 1)
    from ..graph import dtypes

    if fdef is not None:
        tin = _types(attrs.get("Tin"), count)
        return [dtypes.name(a.type) if a.type else tin[i]
                for i, a in enumerate(fdef.signature.input_arg)]
    return _types(attrs.get("Tin"), count)


class LoweringInliner(CallInliner):
    """Inlines calls and lowers functional control flow in one pass, as grappler's
    function optimizer does for ``convert_variables_to_constants_v2``.

    Use it in place of :class:`CallInliner`; it shares the inliner's name counter, so
    ``Func/...`` forwarders and lowered nodes are numbered as TensorFlow numbers them.
    """

    def __init__(self, library: dict, registry: OpRegistry) -> None:
        super().__init__(library, registry)
        #: Enter nodes with is_constant=True: reading one asks for strict input semantics
        self._constant_enters: set[str] = set()
        #: what was lowered, in the order it was (outer ops before the ones in their bodies)
        self.lowered: list[LoweredControlFlow] = []

    # -- naming ---------------------------------------------------------------------------
    def _graph_name(self, prefix: str) -> str:
        """TensorFlow's ``Graph::NewName``: ``<prefix>/_<n>`` from the shared counter."""
        name = f"{prefix}/_{self._counter}"
        self._counter += 1
        return name

    # -- the pass (CallInliner.inline_all, with lowering as a second kind of expansion) ----
    def _register(self, added: list[Node], level: int, state: InlinePass) -> None:
        super()._register(added, level, state)
        for n in added:
            if n.op == "Enter" and n.attrs.get("is_constant") is True:
                self._constant_enters.add(n.name)

    def _expand(self, node: Node, level: int,
                state: InlinePass) -> Optional[tuple[list[Node], int]]:
        if not asks_for_lowering(node):
            return super()._expand(node, level, state)
        # Taken out of inlining whether or not it is an op that lowers.
        if node.op not in LOWERABLE_OPS or level >= MAX_INLINE_DEPTH:
            return None
        self._resolve(node)
        node.control_inputs += self._strict_sources(node, _input_types(node), state.op_of)
        lowered = self._lower(node)
        if lowered is None:
            return None
        self._outputs.update({(node.name, k): ref for k, ref in lowered.outputs.items()})
        if lowered.control is not None:
            self._controls[node.name] = lowered.control
        self.lowered.append(LoweredControlFlow(node.name, node.op,
                                               tuple(_function_names(node))))
        return lowered.nodes, level     # the lowered nodes stay at the op's level

    def _lower(self, node: Node) -> Optional[Lowered]:
        prefix = node.name

        def new_name(infix: str) -> str:
            return self._graph_name(f"{prefix}/{infix}")

        def device_of(name: str) -> str:
            return self._devices.get(name, "")

        if node.op in WHILE_OPS:
            return lower_while(node, new_name, device_of)
        if node.op in IF_OPS:
            return lower_if(node, new_name, device_of, self.library)
        return lower_case(node, new_name, device_of, self.library)

    # -- strict input semantics -----------------------------------------------------------
    def _strict_sources(self, node: Node, types: list[Optional[str]],
                        op_of: dict[str, str]) -> list[str]:
        """The control edges grappler's AddStrictInputSemantics adds to ``node``: from
        every data input that is not a Placeholder, when the node has no control input
        but a resource input, or when any of its inputs comes from a constant Enter."""
        existing = set(node.control_inputs)
        sources = [r.node for r in node.inputs] + node.control_inputs
        reads_constant_enter = any(s in self._constant_enters for s in sources)
        if not ((not existing and _RESOURCE in types) or reads_constant_enter):
            return []
        extra: list[str] = []
        for ref in node.inputs:
            name = ref.node
            if name in existing or name in extra or op_of.get(name) == "Placeholder":
                continue
            extra.append(name)
        return extra

    def _strict_inputs(self, call: Node, fdef, op_of: dict[str, str]) -> list[str]:
        return self._strict_sources(call, _input_types(call, fdef), op_of)

    # -- inlining the calls the lowering made ---------------------------------------------
    def _inline(self, call: Node, fdef, op_of: dict[str, str],
                has_control_users: bool) -> list[Node]:
        added = super()._inline(call, fdef, op_of, has_control_users)
        if has_control_users and call.op not in CALL_OPS and \
                call.attrs.get(LOWER_AS_MULTI_DEVICE_FUNCTION) is True:
            # A multi-device call's output control node waits for the function's control
            # returns, not for its data outputs (the base inliner's rule for direct calls).
            control_node = added[-1]
            returns = [call.name + "/" + fdef.control_ret[name]
                       for name in fdef.signature.control_output if fdef.control_ret.get(name)]
            if not returns:
                first = added[0] if added else None
                returns = [first.name] if first is not None and first.op == "NoOp" and \
                    first.name.startswith(f"Func/{call.name}/input_control_node/") else []
            control_node.control_inputs = returns
        return added


# -- the prune copy ---------------------------------------------------------------------------
def grappler_sorted(nodes: list[Node]) -> list[Node]:
    """The nodes in the order grappler's meta optimizer writes its result: its
    ``TopologicalSort`` (Kahn's algorithm: nodes without inputs first, in list order,
    then a FIFO queue in which a node is ready once all its distinct input nodes are
    placed, fan-outs in list order; a Merge counts its NextIteration inputs as ready).
    The list as it is when the sort fails (a cycle without a Merge).
    (trtlint/grappler/topology.py has the same sort for its own graph type.)"""
    index = {n.name: i for i, n in enumerate(nodes)}
    fanins: list[list[int]] = [[] for _ in nodes]
    fanouts: list[list[int]] = [[] for _ in nodes]
    for i, node in enumerate(nodes):
        seen: set[int] = set()
        for name in [r.node for r in node.inputs] + node.control_inputs:
            j = index.get(name)
            if j is None or j in seen:
                continue
            seen.add(j)
            fanins[i].append(j)
            fanouts[j].append(i)
    for outs in fanouts:
        outs.sort()
    ready_inputs = [0] * len(nodes)
    order = [i for i in range(len(nodes)) if not fanins[i]]
    for i, node in enumerate(nodes):
        if node.op in ("Merge", "RefMerge"):
            ready_inputs[i] = sum(1 for j in fanins[i]
                                  if nodes[j].op in ("NextIteration", "RefNextIteration"))
    front = 0
    while front < len(order):
        for out in fanouts[order[front]]:
            ready_inputs[out] += 1
            if ready_inputs[out] == len(fanins[out]):
                order.append(out)
        front += 1
    if len(order) != len(nodes):
        return nodes
    return [nodes[i] for i in order]


def serialized_controls(nodes: Iterable[Node]) -> None:
    """Control inputs as ``Graph::ToGraphDef`` writes them, sorted by name and each
    once: the order TensorFlow's later passes (the prune copy) walk them in."""
    for node in nodes:
        if node.control_inputs:
            node.control_inputs = sorted(set(node.control_inputs))


def _colocation_groups(node: Node) -> Optional[list]:
    """The node's ``_class`` list, looked up without decoding the other attrs of a node
    read from a proto (most nodes have none, and graphs can be large)."""
    if node._attrs is None and (node._proto_attrs is None
                                or COLOCATION_ATTR not in node._proto_attrs):
        return None
    groups = node.attrs.get(COLOCATION_ATTR)
    return groups if isinstance(groups, list) else None


def place_colocated(nodes: list[Node]) -> None:
    """Devices as importing the frozen GraphDef sets them, then colocation dropped as
    the prune copy drops it.  The importer takes a node that names other nodes in its
    ``_class`` (``loc:@<node>``) off its own device and puts it on the device of the
    first of those that exists and has one (none: no device); every ``_class`` attr
    is then left out of the copy."""
    by_name = {n.name: n for n in nodes}
    colocated: list[tuple[Node, list[str]]] = []
    for node in nodes:
        groups = _colocation_groups(node)
        if groups is None:
            continue
        others = [g[len(COLOCATION_PREFIX):] for g in groups
                  if isinstance(g, str) and g.startswith(COLOCATION_PREFIX)
                  and g[len(COLOCATION_PREFIX):] != node.name]
        if others:
            colocated.append((node, others))
            node.device = ""
        del node.attrs[COLOCATION_ATTR]
    for node, others in colocated:
        for name in others:
            other = by_name.get(name)
            if other is not None and other.device:
                node.device = other.device
                break


def copy_like_lift_to_graph(nodes: list[Node], sources: Iterable[str],
                            registry: OpRegistry) -> list[Node]:
    """What ``lift_to_graph`` does to nodes it copies in ``nodes``' order (the order
    :func:`~trtlint.load.freeze.function_order` gives): before a node that reads an
    output of a node not copied yet (a loop's back edge), one disconnected
    ``unused_control_flow_input`` Placeholder per such input; a control input that
    is already one of the node's data input nodes at copy time is dropped; control
    inputs come out sorted by name, as ``as_graph_def`` writes them.  Devices first go
    through the import's colocation rule (:func:`place_colocated`)."""
    place_colocated(nodes)
    source_set = set(sources)
    copied: set[str] = set()
    by_name = {n.name: n for n in nodes}
    used_names = set(by_name)
    count = 0
    out: list[Node] = []
    for node in nodes:
        if node.name in source_set:
            out.append(node)
            copied.add(node.name)
            continue
        read_now: set[str] = set()
        for ref in node.inputs:
            if ref.node in copied or ref.node not in by_name:
                read_now.add(ref.node)
                continue
            name = UNUSED_LOOP_INPUT if count == 0 else f"{UNUSED_LOOP_INPUT}_{count}"
            while name in used_names:
                count += 1
                name = f"{UNUSED_LOOP_INPUT}_{count}"
            count += 1
            used_names.add(name)
            producer = by_name[ref.node]
            types = registry.output_dtypes(producer.op, producer.attrs) or []
            dtype = types[ref.index] if ref.index < len(types) else None
            out.append(Node(name, "Placeholder", attrs={"dtype": dtype, "shape": None},
                            source=node.source))
        # Copied controls go in with the node, less those it already reads data from;
        # the others are added once their node is copied.  The copy is serialized
        # with each node's control inputs sorted by name.
        kept = sorted({c for c in node.control_inputs if c not in copied or c not in read_now})
        if kept != node.control_inputs:
            node.control_inputs = kept
        out.append(node)
        copied.add(node.name)
    return out
