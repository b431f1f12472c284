"""Turning FunctionDefs into graph nodes, and inlining function calls.

Inside a FunctionDef, a data input is written ``arg`` (a function argument) or
``node:output_arg:index`` (the index-th tensor of one output argument of a body
node).  A Graph speaks in flat output indexes (``node:3``), so resolving a
reference needs the op's output-argument layout, taken from the op registry.

Inlined nodes are named ``<call node>/<body node>``, the way TensorFlow's function
inliner names them, so that ``StatefulPartitionedCall/model/conv1/Conv2D`` reads
exactly as it does in TF-TRT's logs.
"""

from __future__ import annotations

from typing import Optional

from ..errors import InputError
from ..graph.attrs import FuncRef
from ..graph.model import Node, TensorRef
from ..graph.opdefs import OpRegistry
from ..graph import dtypes

CALL_OPS = frozenset({"StatefulPartitionedCall", "PartitionedCall"})
MAX_INLINE_DEPTH = 64


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


class FunctionBody:
    """The nodes of one function instance, with references resolved to flat indexes."""

    def __init__(self, fdef, registry: OpRegistry, prefix: str,
                 arg_sources: Optional[dict[str, TensorRef]],
                 library: dict, depth: int = 0, source: Optional[str] = None) -> None:
        self.fdef = fdef
        self.name = fdef.signature.name
        self.nodes: list[Node] = []
        self.outputs: list[TensorRef] = []
        self.control_outputs: list[str] = []
        self._lower(registry, prefix, arg_sources, library, depth, source or self.name)

    def _lower(self, registry, prefix, arg_sources, library, depth, source) -> None:
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
                    controls.append(prefix + ctl if ctl in by_name else arg_refs.get(ctl, TensorRef(prefix + ctl)).node)
                else:
                    inputs.append(resolve(text))
            node.name = prefix + node.name
            node.inputs, node.control_inputs = inputs, controls
            lowered.append(node)

        # Inline calls to library functions (PartitionedCall and direct calls).
        for node in lowered:
            target = _call_target(node, library)
            if target is None or depth >= MAX_INLINE_DEPTH:
                self.nodes.append(node)
                continue
            self.nodes.extend(inline_call(node, library[target], registry, library, depth + 1))

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


def inline_call(call: Node, fdef, registry: OpRegistry, library: dict, depth: int) -> list[Node]:
    """Replace a call node by the function's body.

    The call's name survives as an ``IdentityN`` that forwards the function's
    outputs, so consumers (and fetches) of ``call:i`` keep working, as TensorFlow's
    inliner keeps a fetchable caller node.  Control inputs of the call become control
    inputs of the body's argument forwarders.
    """
    sig = fdef.signature
    prefix = call.name + "/"
    arg_sources: dict[str, TensorRef] = {}
    forwarders: list[Node] = []
    for i, arg in enumerate(sig.input_arg):
        if i >= len(call.inputs):
            raise InputError(f"call {call.name} passes {len(call.inputs)} inputs to "
                             f"{sig.name}, which takes {len(sig.input_arg)}")
        fwd = Node(f"{prefix}input/_{i}", "Identity", [call.inputs[i]],
                   list(call.control_inputs),
                   attrs={"T": dtypes.name(arg.type) if arg.type else call_input_type(call, i)},
                   source=sig.name)
        forwarders.append(fwd)
        arg_sources[arg.name] = TensorRef(fwd.name, 0)
    body = FunctionBody(fdef, registry, prefix, arg_sources, library, depth, source=sig.name)
    out_types = [dtypes.name(a.type) if a.type else None for a in sig.output_arg]
    result = Node(call.name, "IdentityN", list(body.outputs), list(body.control_outputs),
                  call.device, attrs={"T": out_types}, source=sig.name)
    return forwarders + body.nodes + [result]


def call_input_type(call: Node, i: int) -> Optional[str]:
    tin = call.attrs.get("Tin")
    if isinstance(tin, list) and i < len(tin):
        return tin[i]
    return None
