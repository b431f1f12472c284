"""Turning FunctionDefs into graph nodes, and inlining function calls.

Inside a FunctionDef, a data input is written ``arg`` (a function argument) or
``node:output_arg:index`` (the index-th tensor of one output argument of a body
node).  A Graph speaks in flat output indexes (``node:3``), so resolving a
reference needs the op's output-argument layout, taken from the op registry.

Calls are inlined the way grappler's function optimizer does it when
``convert_variables_to_constants_v2`` prepares a signature for TF-TRT, so that the
names match TF-TRT's logs node for node:

* body nodes are named ``<call>/<body node>`` (``StatefulPartitionedCall/model/conv1/Conv2D``);
* every argument passes through an ``Identity`` named ``Func/<call>/input/_<n>``, every
  result through an ``Identity`` named ``Func/<call>/output/_<n>``; control edges into
  and out of the call go through ``NoOp`` nodes ``Func/<call>/input_control_node/_<n>``
  and ``Func/<call>/output_control_node/_<n>``;
* ``<n>`` is one counter for the whole graph, advanced in the order TensorFlow creates
  those nodes: calls are inlined in node order, and the nodes an inlined body brings are
  appended at the end, so nested calls are inlined after every call of the level above;
* the call node itself disappears: its consumers read the output ``Identity`` nodes;
* devices follow grappler's placer for the call: a TF2 call (``PartitionedCall``,
  ``StatefulPartitionedCall``, or a call marked ``_lower_as_multi_device_function``)
  puts each input ``Identity`` on the device of the node it reads, leaves the output
  ``Identity`` nodes unplaced, puts the control ``NoOp`` nodes on the call's device, and
  gives the call's device to every body node that has none (a body node's own device
  keeps its device type and id; only job, replica and task it lacks come from the
  call); a TF1 call by function name puts everything on the call's device.  A
  multi-device call also colocates each forwarder with the node it reads
  (``_class: loc:@<node>``), and colocation groups inside the body are renamed with it.

Node order follows TensorFlow's graph constructor: a body's nodes are placed in
topological order, always taking the ready node that comes first in the FunctionDef.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from typing import Iterable, Optional

from ..errors import InputError
from ..graph.attrs import FuncRef
from ..graph.model import Node, TensorRef
from ..graph.opdefs import OpRegistry
from ..graph import dtypes

CALL_OPS = frozenset({"StatefulPartitionedCall", "PartitionedCall"})
MAX_INLINE_DEPTH = 64
#: a library whose calls multiply (f calls g twice, g calls h twice, ...) must not take
#: the machine down: past this many nodes inlining stops with an error
MAX_INLINED_NODES = 500_000
#: the label TensorFlow's inliner puts in front of the nodes it adds
INLINE_LABEL = "Func"
_RESOURCE = "resource"
_ENTER_OPS = frozenset({"Enter", "RefEnter"})
_NEXT_ITERATION_OPS = frozenset({"NextIteration", "RefNextIteration"})
_MERGE_OPS = frozenset({"Merge", "RefMerge"})
#: colocation constraints: ``_class`` holds ``loc:@<node>`` entries.  The inliner puts
#: one on each forwarder of a multi-device call (its source); importing the frozen graph
#: turns them into devices, and the prune copy drops them (see lower.py)
COLOCATION_ATTR = "_class"
COLOCATION_PREFIX = "loc:@"


def _flat_index(node: Node, arg: str, index: int, registry: OpRegistry) -> int:
    sizes = registry.output_arg_sizes(node.op, node.attrs)
    if sizes is None:
        return index  # unknown op: assume one tensor per output argument
    offset = 0
    for name, count in sizes:
        if name == arg:
            return offset + index
        offset += count
    return index


def constructor_order(nodes: list[Node]) -> list[Node]:
    """``nodes`` in the order TensorFlow's graph constructor adds them: topological,
    always taking the ready node listed first.  A Merge does not wait for its
    NextIteration input (the loop back edge); nodes left on a cycle keep their place
    at the end.  A list that is already topological comes back unchanged."""
    index = {n.name: i for i, n in enumerate(nodes)}
    pending = [0] * len(nodes)
    users: list[list[int]] = [[] for _ in nodes]
    for i, n in enumerate(nodes):
        is_merge = n.op in _MERGE_OPS
        sources = [r.node for r in n.inputs] + n.control_inputs
        for src in sources:
            j = index.get(src)
            if j is None or j == i:
                continue
            if is_merge and nodes[j].op in _NEXT_ITERATION_OPS:
                continue
            pending[i] += 1
            users[j].append(i)
    ready = [i for i, p in enumerate(pending) if p == 0]
    heapq.heapify(ready)
    order: list[int] = []
    while ready:
        i = heapq.heappop(ready)
        order.append(i)
        for k in users[i]:
            pending[k] -= 1
            if pending[k] == 0:
                heapq.heappush(ready, k)
    if len(order) < len(nodes):
        placed = set(order)
        order.extend(i for i in range(len(nodes)) if i not in placed)
    return [nodes[i] for i in order]


class FunctionBody:
    """The nodes of one function instance, with references resolved to flat indexes.

    ``arg_sources`` None: each argument becomes a Placeholder named after it (the
    first nodes of :attr:`nodes`, in argument order), as when a function is looked at
    on its own.  Otherwise body references to argument ``a`` read ``arg_sources[a]``.
    Calls inside the body are inlined (see the module docstring) by ``inliner``, or by
    a fresh :class:`CallInliner` when none is given.
    """

    def __init__(self, fdef, registry: OpRegistry, prefix: str,
                 arg_sources: Optional[dict[str, TensorRef]],
                 library: dict, depth: int = 0, source: Optional[str] = None,
                 inliner: Optional["CallInliner"] = None, inline: bool = True) -> None:
        self.fdef = fdef
        self.name = fdef.signature.name
        self.nodes: list[Node] = []
        self.outputs: list[TensorRef] = []
        self.control_outputs: list[str] = []
        self._lower(registry, prefix, arg_sources, source or self.name)
        if inline:
            inliner = inliner or CallInliner(library, registry)
            self.nodes = inliner.inline_all(self.nodes, depth)
            self.outputs = [inliner.follow(r) for r in self.outputs]
            self.control_outputs = [inliner.follow_control(c) for c in self.control_outputs]

    def _lower(self, registry, prefix, arg_sources, source) -> None:
        fdef = self.fdef
        sig = fdef.signature
        arg_refs: dict[str, TensorRef] = {}
        if arg_sources is None:
            for i, arg in enumerate(sig.input_arg):
                ph = _arg_placeholder(fdef, i, arg, prefix, source)
                self.nodes.append(ph)
                arg_refs[arg.name] = TensorRef(ph.name, 0)
        else:
            arg_refs = dict(arg_sources)

        body = [Node.from_proto(nd, source=source) for nd in fdef.node_def]
        by_name = {n.name: n for n in body}

        def resolve(text: str) -> TensorRef:
            parts = text.split(":")
            if len(parts) == 1:
                if text in arg_refs:
                    return arg_refs[text]
                if text in by_name:  # plain node reference (seen in hand-written functions)
                    return TensorRef(prefix + text, 0)
                raise InputError(f"function {self.name}: input '{text}' names no argument or node")
            if len(parts) == 2 and parts[1].isdigit() and parts[0] in arg_refs:
                return arg_refs[parts[0]]
            node_name, arg, idx = parts[0], parts[1], parts[-1]
            inner = by_name.get(node_name)
            if inner is None:
                raise InputError(f"function {self.name}: input '{text}' names no node")
            index = _flat_index(inner, arg, int(idx) if idx.isdigit() else 0, registry)
            return TensorRef(prefix + node_name, index)

        lowered: list[Node] = []
        for nd, node in zip(fdef.node_def, body):
            inputs, controls = [], []
            for text in nd.input:
                if text.startswith("^"):
                    ctl = text[1:]
                    controls.append(prefix + ctl if ctl in by_name
                                    else arg_refs.get(ctl, TensorRef(prefix + ctl)).node)
                else:
                    inputs.append(resolve(text))
            node.name = prefix + node.name
            node.inputs, node.control_inputs = inputs, controls
            if prefix and node.op in _ENTER_OPS:
                # TensorFlow keeps loop frames of different call sites apart this way.
                frame = node.attrs.get("frame_name")
                if isinstance(frame, str):
                    node.set_attr("frame_name", prefix + frame)
            groups = node.attrs.get(COLOCATION_ATTR)
            if isinstance(groups, list) and (prefix or arg_sources is not None):
                node.set_attr(COLOCATION_ATTR, [_inlined_group(g, prefix, by_name, arg_refs)
                                                for g in groups])
            lowered.append(node)
        self.nodes.extend(constructor_order(lowered))

        for out in sig.output_arg:
            text = fdef.ret.get(out.name)
            if text is None:
                raise InputError(f"function {self.name}: output '{out.name}' has no return value")
            self.outputs.append(resolve(text))
        for name in sig.control_output:
            ret = fdef.control_ret.get(name)
            if ret:
                self.control_outputs.append(prefix + ret)


def _arg_placeholder(fdef, i: int, arg, prefix: str, source: str) -> Node:
    attrs: dict = {"dtype": dtypes.name(arg.type) if arg.type else None}
    arg_attr = fdef.arg_attr.get(i) if i in fdef.arg_attr else None
    shape = None
    if arg_attr is not None:
        from ..graph.attrs import decode

        if "_output_shapes" in arg_attr.attr:
            shapes = decode(arg_attr.attr["_output_shapes"])
            if isinstance(shapes, list) and shapes:
                shape = shapes[0]
        if "_user_specified_name" in arg_attr.attr:
            attrs["_user_specified_name"] = decode(arg_attr.attr["_user_specified_name"])
    attrs["shape"] = shape
    return Node(prefix + arg.name, "Placeholder", attrs=attrs, source=source)


def _call_target(node: Node, library: dict) -> Optional[str]:
    if node.op in CALL_OPS:
        f = node.attrs.get("f")
        if isinstance(f, FuncRef) and f.name in library:
            return f.name
        return None
    if node.op in library:  # a function called directly by its name as op type
        return node.op
    return None


@dataclass
class InlinePass:
    """What one inlining pass knows about the nodes it has seen."""

    depths: dict[str, int] = field(default_factory=dict)     # node -> call nesting level
    op_of: dict[str, str] = field(default_factory=dict)      # node -> op type
    control_users: dict[str, int] = field(default_factory=dict)  # node -> control consumers


class CallInliner:
    """Inlines every function call of a node list, as grappler's function optimizer
    does (see the module docstring for names and order).

    One inliner numbers the nodes it adds with one counter, so use one per graph.
    """

    def __init__(self, library: dict, registry: OpRegistry) -> None:
        self.library = library
        self.registry = registry
        self._counter = 0
        #: (call, output index) -> the Identity that now carries that output
        self._outputs: dict[tuple[str, int], TensorRef] = {}
        #: call -> the NoOp that now stands for it as a control source
        self._controls: dict[str, str] = {}
        #: node -> its requested device, for placing the input forwarders of calls
        self._devices: dict[str, str] = {}

    def _new_name(self, call: str, what: str) -> str:
        name = f"{INLINE_LABEL}/{call}/{what}/_{self._counter}"
        self._counter += 1
        return name

    def follow(self, ref: TensorRef) -> TensorRef:
        """Where a tensor of an inlined call went (the ref itself otherwise)."""
        return self._outputs.get((ref.node, ref.index), ref)

    def follow_control(self, name: str) -> str:
        return self._controls.get(name, name)

    def inline_all(self, nodes: Iterable[Node], depth: int = 0) -> list[Node]:
        """The nodes with every call inlined, in TensorFlow's order (see module doc):
        visited in the order they were added, new nodes appended and visited in turn."""
        work = list(nodes)
        state = InlinePass()
        self._register(work, depth, state)
        removed: set[int] = set()
        i = 0
        while i < len(work):
            node = work[i]
            level = state.depths.get(node.name, depth)
            expanded = self._expand(node, level, state)
            if expanded is not None:
                added, added_level = expanded
                self._register(added, added_level, state)
                work.extend(added)
                removed.add(i)
                if len(work) > MAX_INLINED_NODES:
                    raise InputError(f"inlining the function calls makes more than "
                                     f"{MAX_INLINED_NODES} nodes (calls that multiply or "
                                     f"recurse through {node.name})")
            i += 1
        out = []
        for j, n in enumerate(work):
            if j in removed:
                continue
            self._resolve(n)
            out.append(n)
        return out

    def _register(self, added: list[Node], level: int, state: "InlinePass") -> None:
        """Record nodes that joined the pass at nesting ``level``."""
        for n in added:
            state.depths[n.name] = level
            state.op_of[n.name] = n.op
            self._devices[n.name] = n.device
            for c in n.control_inputs:
                state.control_users[c] = state.control_users.get(c, 0) + 1

    def _expand(self, node: Node, level: int,
                state: "InlinePass") -> Optional[tuple[list[Node], int]]:
        """What replaces ``node`` and at which level, or None to keep it: a call is
        inlined (its body one level deeper)."""
        target = _call_target(node, self.library)
        if target is None or level >= MAX_INLINE_DEPTH:
            return None
        self._resolve(node)
        added = self._inline(node, self.library[target], state.op_of,
                             state.control_users.get(node.name, 0) > 0)
        return added, level + 1

    def _resolve(self, node: Node) -> None:
        """Point the node's inputs at what replaced inlined calls (and lowered ops)."""
        node.inputs = [self.follow(r) for r in node.inputs]
        node.control_inputs = [self.follow_control(c) for c in node.control_inputs]

    def _strict_inputs(self, call: Node, fdef, op_of: dict[str, str]) -> list[str]:
        """TensorFlow's AddStrictInputSemantics: a call that takes a resource and has no
        control input waits for every data input that is not a Placeholder."""
        if call.control_inputs:
            return []
        types = [dtypes.name(a.type) if a.type else call_input_type(call, i)
                 for i, a in enumerate(fdef.signature.input_arg)]
        if _RESOURCE not in types:
            return []
        extra: list[str] = []
        for ref in call.inputs:
            if op_of.get(ref.node) != "Placeholder" and ref.node not in extra:
                extra.append(ref.node)
        return extra

    def _inline(self, call: Node, fdef, op_of: dict[str, str],
                has_control_users: bool) -> list[Node]:
        sig = fdef.signature
        if len(call.inputs) < len(sig.input_arg):
            raise InputError(f"call {call.name} passes {len(call.inputs)} inputs to "
                             f"{sig.name}, which takes {len(sig.input_arg)}")
        controls = list(call.control_inputs) + self._strict_inputs(call, fdef, op_of)
        multi_device = is_multi_device_call(call)
        added: list[Node] = []
        input_control: Optional[str] = None
        if controls:
            input_control = self._new_name(call.name, "input_control_node")
            added.append(Node(input_control, "NoOp", [], controls, call.device,
                              attrs={}, source=sig.name))
        arg_sources: dict[str, TensorRef] = {}
        for i, arg in enumerate(sig.input_arg):
            source_device = self._devices.get(call.inputs[i].node, "") if multi_device \
                else call.device
            attrs = {"T": dtypes.name(arg.type) if arg.type else call_input_type(call, i)}
            if multi_device:
                attrs[COLOCATION_ATTR] = [COLOCATION_PREFIX + call.inputs[i].node]
            fwd = Node(self._new_name(call.name, "input"), "Identity", [call.inputs[i]],
                       [input_control] if input_control else [], source_device,
                       attrs=attrs, source=sig.name)
            added.append(fwd)
            arg_sources[arg.name] = TensorRef(fwd.name, 0)
        body = FunctionBody(fdef, self.registry, call.name + "/", arg_sources, self.library,
                            source=sig.name, inline=False)
        for n in body.nodes:
            n.device = body_node_device(n.device, call.device) if multi_device else call.device
        if input_control:
            # Nodes that would otherwise start on their own, and nested calls, must not
            # run unless the call would have run.
            for n in body.nodes:
                is_call = n.op in CALL_OPS or n.op in self.library
                if not n.control_inputs and (not n.inputs or is_call):
                    n.control_inputs.append(input_control)
        added.extend(body.nodes)
        out_types = call.attrs.get("Tout")
        outputs: list[str] = []
        for i, (arg, ref) in enumerate(zip(sig.output_arg, body.outputs)):
            dtype = dtypes.name(arg.type) if arg.type else (
                out_types[i] if isinstance(out_types, list) and i < len(out_types) else None)
            attrs = {"T": dtype}
            if multi_device:
                attrs[COLOCATION_ATTR] = [COLOCATION_PREFIX + ref.node]
            fwd = Node(self._new_name(call.name, "output"), "Identity", [ref], [],
                       "" if multi_device else call.device, attrs=attrs, source=sig.name)
            added.append(fwd)
            outputs.append(fwd.name)
            self._outputs[(call.name, i)] = TensorRef(fwd.name, 0)
        if has_control_users:
            sources = (list(body.control_outputs) if call.op in CALL_OPS else outputs) or \
                ([input_control] if input_control else [])
            name = self._new_name(call.name, "output_control_node")
            added.append(Node(name, "NoOp", [], sources, call.device, attrs={}, source=sig.name))
            self._controls[call.name] = name
        return added


def _inlined_group(group, prefix: str, body_nodes: dict, arg_refs: dict):
    """A colocation group of an inlined body node, renamed as TensorFlow renames it:
    an argument becomes the input forwarder standing for it, a body node gets the
    call's prefix."""
    if not isinstance(group, str) or not group.startswith(COLOCATION_PREFIX):
        return group
    target = group[len(COLOCATION_PREFIX):]
    if target in arg_refs:
        return COLOCATION_PREFIX + arg_refs[target].node
    if target in body_nodes:
        return COLOCATION_PREFIX + prefix + target
    return group


#: the attr TensorFlow's lowering puts on the cond/body/branch calls it makes
_MULTI_DEVICE_ATTR = "_lower_as_multi_device_function"
_DEVICE_PARTS = ("job", "replica", "task")


def is_multi_device_call(call: Node) -> bool:
    """Whether grappler inlines ``call`` with its multi-device placer (TF2 calls and the
    calls lowered control flow makes) rather than on the call's single device."""
    return call.op in CALL_OPS or call.attrs.get(_MULTI_DEVICE_ATTR) is True


def _device_parts(device: str) -> Optional[dict[str, str]]:
    """``/job:a/replica:0/task:1/device:GPU:0`` -> {"job": "a", ..., "device": "GPU:0"};
    None when it is not a full device name."""
    parts: dict[str, str] = {}
    for piece in device.split("/")[1:] if device.startswith("/") else [None]:
        if piece is None or ":" not in piece:
            return None
        key, _, value = piece.partition(":")
        if key not in _DEVICE_PARTS + ("device",) or key in parts:
            return None
        parts[key] = value
    return parts


def body_node_device(device: str, caller_device: str) -> str:
    """The device a body node of a multi-device call gets: the caller's when it has
    none; otherwise its own, with the job, replica and task it does not name taken
    from the caller (TensorFlow merges the parsed names; the common case, no job on
    either side, leaves the node's device as written)."""
    if not device:
        return caller_device
    mine, callers = _device_parts(device), _device_parts(caller_device)
    if mine is None or callers is None:
        return device
    missing = [k for k in _DEVICE_PARTS if k not in mine and k in callers]
    if not missing:
        return device
    merged = {**{k: callers[k] for k in missing}, **mine}
    return "".join(f"/{k}:{merged[k]}" for k in _DEVICE_PARTS + ("device",) if k in merged)


def call_input_type(call: Node, i: int) -> Optional[str]:
    tin = call.attrs.get("Tin")
    if isinstance(tin, list) and i < len(tin):
        return tin[i]
    return None
