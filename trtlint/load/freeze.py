"""Freezing a SavedModel signature the way TF-TRT 2.x has TensorFlow do it.

``TrtGraphConverterV2`` hands TF-TRT the output of ``convert_variables_to_constants_v2``
on the signature function.  Two things of that step shape the graph TF-TRT sees, and
this module reproduces them without TensorFlow:

* **Variables become constants**, and what read them changes with them
  (:func:`freeze_variables`): a ``ReadVariableOp`` becomes an ``Identity``, a
  ``ResourceGather`` a ``GatherV2`` (plus a ``<name>/axis`` constant), a
  ``ResourceGatherNd`` a ``GatherNd``; the ``Identity``/``Enter``/``Switch``/``Merge``
  nodes that passed the variable's handle along now carry its dtype.  A handle that
  enters a function -- a functional While, If, Case or a call that was not inlined --
  changes that function's argument type too; the function is copied under a new name
  (``<name>_frozen_<n>``) and converted the same way inside.
* **The result is a pruned, re-ordered function graph** (:func:`function_order`):
  only what the outputs need, in the order ``WrappedFunction.prune`` copies it.

The variables' values stay in ``variables/``: a frozen variable is a ``Const`` without
a value, carrying ``_frozen_variable`` and ``_variable_shape`` attrs.
"""

from __future__ import annotations

from collections import deque
from typing import Optional

from ..graph import dtypes
from ..graph.attrs import FuncRef
from ..graph.model import Node, TensorRef

#: ops that pass a variable's handle on: once frozen, they carry its value instead
HANDLE_FORWARDERS = frozenset({"Identity", "Enter", "Exit", "NextIteration", "Switch",
                               "_SwitchN", "Merge"})
#: op -> (index of the first input passed to the functions, type attr, function attrs)
FUNCTION_CALLERS = {
    "While": (0, "T", ("body", "cond")), "StatelessWhile": (0, "T", ("body", "cond")),
    "If": (1, "Tin", ("then_branch", "else_branch")),
    "StatelessIf": (1, "Tin", ("then_branch", "else_branch")),
    "Case": (1, "Tin", ("branches",)), "StatelessCase": (1, "Tin", ("branches",)),
    "PartitionedCall": (0, "Tin", ("f",)), "StatefulPartitionedCall": (0, "Tin", ("f",)),
}
_WHILE_OPS = frozenset({"While", "StatelessWhile"})


def variable_const(name: str, var: Node, source: Optional[str]) -> Node:
    """A frozen variable: a Const whose value is in variables/ (kept unread)."""
    dtype = dtypes.base(var.attr("dtype") or "float32")
    return Node(name, "Const", attrs={"dtype": dtype, "value": None,
                                      "_frozen_variable": var.name,
                                      "_variable_shape": var.attr("shape")},
                source=source)


def _with_class(node: Node, attrs: dict) -> dict:
    """TensorFlow keeps only the colocation attr when it rewrites a variable reader."""
    if "_class" in node.attrs:
        attrs["_class"] = node.attrs["_class"]
    return attrs


def freeze_variables(nodes: list[Node], frozen: dict[str, Node],
                     library: dict) -> tuple[list[Node], dict]:
    """Rewrite what reads the frozen variables.

    ``frozen`` maps the name of each node that now is a Const to the variable node it
    stands for.  Returns the rewritten nodes (new nodes, such as gather axes, at the
    end) and the function library with the converted function copies added.
    """
    if not frozen:
        return nodes, library
    functions = _FunctionFreezer(library)
    readers: dict[str, list[tuple[int, int]]] = {}
    for i, n in enumerate(nodes):
        for j, ref in enumerate(n.inputs):
            readers.setdefault(ref.node, []).append((i, j))
    out = list(nodes)
    extra: list[Node] = []
    queue = deque((name, dtypes.base(var.attr("dtype") or "float32"), var.attr("shape"))
                  for name, var in frozen.items())
    seen = set(frozen)
    while queue:
        source, dtype, shape = queue.popleft()
        for i, j in readers.get(source, []):
            n = out[i]
            if n.op in HANDLE_FORWARDERS:
                if j == 0 or n.op == "Merge":
                    n.set_attr("T", dtype)
                n.attrs.pop("_output_shapes", None)
                if n.name not in seen:
                    seen.add(n.name)
                    queue.append((n.name, dtype, shape))
            elif n.op == "ReadVariableOp":
                out[i] = Node(n.name, "Identity", n.inputs, n.control_inputs, n.device,
                              attrs=_with_class(n, {"T": n.attr("dtype") or dtype}),
                              source=n.source)
            elif n.op == "ResourceGather":
                index_type = n.attr("Tindices") or "int32"
                axis = Node(n.name + "/axis", "Const",
                            attrs={"dtype": index_type, "value": None, "_scalar": 0},
                            source=n.source)
                extra.append(axis)
                out[i] = Node(n.name, "GatherV2", n.inputs[:2] + [TensorRef(axis.name)],
                              n.control_inputs, n.device,
                              attrs=_with_class(n, {"Tparams": n.attr("dtype") or dtype,
                                                    "Tindices": index_type,
                                                    "Taxis": index_type}),
                              source=n.source)
            elif n.op == "ResourceGatherNd":
                out[i] = Node(n.name, "GatherNd", n.inputs[:2], n.control_inputs, n.device,
                              attrs=_with_class(n, {"Tparams": n.attr("dtype") or dtype,
                                                    "Tindices": n.attr("Tindices") or "int32"}),
                              source=n.source)
            elif n.op in FUNCTION_CALLERS:
                functions.caller_node(n, j, dtype, shape)
    return out + extra, functions.library


class _FunctionFreezer:
    """Converted copies of library functions, one per function, as TensorFlow makes
    them: argument types changed, readers rewritten inside, calls followed."""

    def __init__(self, library: dict) -> None:
        self.library = dict(library)
        self._copies: dict[str, object] = {}   # original name -> converted FunctionDef
        self._origin: dict[str, str] = {}      # converted name -> original name
        self._done: set[tuple[str, int]] = set()

    def _copy(self, name: str):
        name = self._origin.get(name, name)
        if name not in self._copies:
            original = self.library[name]
            copy = type(original)()
            copy.CopyFrom(original)
            base, _, number = name.rpartition("_")
            base = base if number.isdigit() else name
            copy.signature.name = f"{base}_frozen_{len(self._copies)}"
            self._copies[name] = copy
            self._origin[copy.signature.name] = name
            self.library[copy.signature.name] = copy
        return self._copies[name]

    def renamed(self, name: str) -> str:
        copy = self._copies.get(self._origin.get(name, name))
        return copy.signature.name if copy is not None else name

    # -- a caller in the main graph (a Node) ------------------------------------------------
    def caller_node(self, node: Node, j: int, dtype: str, shape) -> None:
        first, type_attr, func_attrs = FUNCTION_CALLERS[node.op]
        if j < first:
            return
        k = j - first
        for attr in func_attrs:
            value = node.attrs.get(attr)
            refs = value if isinstance(value, list) else [value]
            for ref in refs:
                if isinstance(ref, FuncRef) and ref.name in self.library:
                    self.freeze_argument(ref.name, k, dtype)
            if isinstance(value, FuncRef):
                node.set_attr(attr, FuncRef(self.renamed(value.name), value.attrs))
            elif isinstance(value, list):
                node.set_attr(attr, [FuncRef(self.renamed(r.name), r.attrs)
                                     if isinstance(r, FuncRef) else r for r in value])
        types = node.attrs.get(type_attr)
        if isinstance(types, list) and k < len(types):
            node.set_attr(type_attr, types[:k] + [dtype] + types[k + 1:])
        if node.op in _WHILE_OPS:
            known = tuple(shape) if isinstance(shape, (list, tuple)) else None
            for key in ("output_shapes", "_output_shapes"):  # the loop carries the value now
                shapes = node.attrs.get(key)
                if isinstance(shapes, list) and k < len(shapes):
                    node.set_attr(key, shapes[:k] + [known] + shapes[k + 1:])
            body = node.attrs.get("body")
            if isinstance(body, FuncRef) and body.name in self.library:
                outs = self.library[body.name].signature.output_arg
                if k < len(outs):
                    outs[k].type = dtypes.VALUES[dtype]

    # -- inside a function (NodeDef messages) ----------------------------------------------
    def freeze_argument(self, name: str, index: int, dtype: str) -> None:
        """Argument ``index`` of function ``name`` now receives a ``dtype`` value."""
        name = self._origin.get(name, name)
        if (name, index) in self._done:
            return
        self._done.add((name, index))
        fdef = self._copy(name)
        if index >= len(fdef.signature.input_arg):
            return
        arg = fdef.signature.input_arg[index]
        arg.type = dtypes.VALUES[dtype]
        if "_input_shapes" in fdef.attr and index < len(fdef.attr["_input_shapes"].list.shape):
            shape = fdef.attr["_input_shapes"].list.shape[index]
            shape.unknown_rank = True
            del shape.dim[:]
        if index in fdef.arg_attr and "_output_shapes" in fdef.arg_attr[index].attr:
            shapes = fdef.arg_attr[index].attr["_output_shapes"].list.shape
            if shapes:
                shapes[0].unknown_rank = True
                del shapes[0].dim[:]
        self._propagate(fdef, arg.name, dtype)

    def _propagate(self, fdef, start: str, dtype: str) -> None:
        value = dtypes.VALUES[dtype]
        queue, seen = deque([start]), {start}
        while queue:
            source = queue.popleft()
            for nd in fdef.node_def:
                for j, text in enumerate(nd.input):
                    if text.startswith("^") or text.split(":")[0] != source:
                        continue
                    if nd.op in HANDLE_FORWARDERS:
                        if (j == 0 or nd.op == "Merge") and "T" in nd.attr and \
                                nd.attr["T"].WhichOneof("value") == "type":
                            nd.attr["T"].type = value
                        if "_output_shapes" in nd.attr:
                            del nd.attr["_output_shapes"]
                        if nd.name not in seen:
                            seen.add(nd.name)
                            queue.append(nd.name)
                    elif nd.op == "ReadVariableOp" and "dtype" in nd.attr:
                        _read_to_identity(fdef, nd)
                    elif nd.op == "ResourceGatherNd" and {"dtype", "Tindices"} <= set(nd.attr):
                        _gather_nd(nd)
                    elif nd.op in FUNCTION_CALLERS:
                        self._caller_def(nd, j, dtype)
                    # TensorFlow leaves ResourceGather inside functions as it is.

    def _caller_def(self, nd, j: int, dtype: str) -> None:
        first, type_attr, func_attrs = FUNCTION_CALLERS[nd.op]
        if j < first:
            return
        k = j - first
        for attr in func_attrs:
            if attr not in nd.attr:
                continue
            value = nd.attr[attr]
            funcs = [value.func] if value.WhichOneof("value") == "func" else list(value.list.func)
            for func in funcs:
                if func.name in self.library:
                    self.freeze_argument(func.name, k, dtype)
                    func.name = self.renamed(func.name)
        types = nd.attr[type_attr].list.type if type_attr in nd.attr else []
        if k < len(types):
            types[k] = dtypes.VALUES[dtype]
        if nd.op in _WHILE_OPS and "body" in nd.attr:
            body = self.library.get(nd.attr["body"].func.name)
            if body is not None and k < len(body.signature.output_arg):
                body.signature.output_arg[k].type = dtypes.VALUES[dtype]


def _read_to_identity(fdef, nd) -> None:
    """ReadVariableOp -> Identity inside a function; its readers name the output
    ``output`` (Identity's) instead of ``value`` (ReadVariableOp's)."""
    dtype = nd.attr["dtype"]
    keep = {k: nd.attr[k] for k in ("_class",) if k in nd.attr}
    saved_dtype = type(dtype)()
    saved_dtype.CopyFrom(dtype)
    nd.op = "Identity"
    nd.attr.clear()
    nd.attr["T"].CopyFrom(saved_dtype)
    for k, v in keep.items():
        nd.attr[k].CopyFrom(v)
    for other in fdef.node_def:
        for i, text in enumerate(other.input):
            parts = text.split(":")
            if len(parts) > 1 and parts[0] == nd.name and parts[1] == "value":
                parts[1] = "output"
                other.input[i] = ":".join(parts)
    for key, text in list(fdef.ret.items()):
        parts = text.split(":")
        if len(parts) > 1 and parts[0] == nd.name and parts[1] == "value":
            fdef.ret[key] = ":".join([parts[0], "output"] + parts[2:])


def _gather_nd(nd) -> None:
    dtype, tindices = nd.attr["dtype"], nd.attr["Tindices"]
    params, indices = type(dtype)(), type(tindices)()
    params.CopyFrom(dtype)
    indices.CopyFrom(tindices)
    nd.op = "GatherNd"
    del nd.input[2:]
    nd.attr.clear()
    nd.attr["Tparams"].CopyFrom(params)
    nd.attr["Tindices"].CopyFrom(indices)


def function_order(nodes: list[Node], fetches: list[str], feeds: list[str]) -> list[Node]:
    """The frozen signature as TensorFlow hands it to TF-TRT: pruned to what the
    fetches need (data and control inputs, stopping at the feeds) and ordered the way
    ``WrappedFunction.prune`` copies it (``lift_to_graph``): the feeds first, then the
    ops without inputs, then the rest, each group in reverse of a depth-first walk from
    the fetches that enters a node once all its consumers were entered."""
    by_name = {n.name: n for n in nodes}
    position = {n.name: i for i, n in enumerate(nodes)}

    def graph_inputs(name: str) -> list[str]:
        node = by_name[name]
        return [s for s in [r.node for r in node.inputs] + node.control_inputs if s in by_name]

    sources = set(feeds)
    visited = set(sources)
    consumers: dict[str, set[str]] = {}
    for fetch in fetches:  # the subgraph between the fetches and the feeds
        stack = [fetch]
        while stack:
            name = stack.pop()
            if name in visited or name not in by_name:
                continue
            visited.add(name)
            for source in graph_inputs(name):
                consumers.setdefault(source, set()).add(name)
                if source not in visited and source not in sources:
                    stack.append(source)
    copied: list[str] = []
    marked: set[str] = set()
    to_visit = [f for f in fetches if f in by_name and not consumers.get(f)]
    unvisited = set(to_visit)
    while unvisited:
        while to_visit:
            name = to_visit.pop()
            if name in marked:
                continue
            marked.add(name)
            copied.append(name)
            for source in graph_inputs(name):
                unvisited.add(source)
                if source not in sources and consumers.get(source, set()) <= marked:
                    to_visit.append(source)
        unvisited -= marked
        if unvisited:  # only on cycles (v1 loops); TensorFlow takes any, we the first
            to_visit.append(min(unvisited, key=position.__getitem__))
    copied.sort(key=lambda name: not graph_inputs(name))
    order = list(dict.fromkeys(f for f in feeds if f in by_name))
    order += [name for name in reversed(copied) if name not in sources]
    return [by_name[name] for name in order]


def handles_fed_values(graph) -> list[tuple[str, int, str]]:
    """``(node, input index, producer)`` wherever an op needs a variable's ``resource``
    handle but is fed a plain tensor.

    That is what freezing leaves when some op *writes* a resource variable (an
    ``AssignAddVariableOp`` in a loop body, the ``AssignVariableOp`` of a TF1
    ``main_op``): the variable becomes a constant and the writer has nothing to write to.
    TensorFlow refuses such a graph -- ``convert_variables_to_constants_v2`` raises
    ("expected type resource != float"), TF-TRT's pass fails on a TF1 freeze
    ("incompatible with expected resource") -- so no engine is built.  (TF1 reference
    variables written by ``Assign`` are not included: that case was not observed to fail.)"""
    from ..graph.opdefs import stock_registry

    # A SavedModel's own op list may carry the args without their types; TensorFlow's
    # stock definitions have them.
    stock, registry = stock_registry(), graph.registry
    found = []
    for node in graph:
        entry = stock.get(node.op) or registry.get(node.op)
        if entry is None or not node.inputs:
            continue
        args = entry["in"]
        if any("number_attr" in a or "type_list_attr" in a for a in args):
            continue           # variadic inputs: positions are not one per arg
        for i, arg in enumerate(args[:len(node.inputs)]):
            if arg.get("type") != "resource":
                continue
            ref = node.inputs[i]
            dtype = graph.output_dtype(ref) if ref.node in graph.nodes else None
            if dtype is not None and dtype != "resource":
                found.append((node.name, i, ref.node))
    return found
