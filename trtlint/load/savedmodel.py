"""SavedModel directories: pick a MetaGraph and signature, and build the graph
TF-TRT's converter sees.

* TF2 SavedModels keep the computation in functions.  A signature's outputs are
  produced by a ``StatefulPartitionedCall`` to a signature wrapper function; the
  converter (TrtGraphConverterV2) freezes that function with
  ``convert_variables_to_constants_v2``, which inlines nested calls.  We do the same:
  the wrapper's body becomes the graph, its arguments become Placeholders named after
  the arguments, captured variables become constants, ``ReadVariableOp`` becomes
  ``Identity``, and nested calls are inlined as ``<call>/<node>`` with TensorFlow's
  ``Func/<call>/input/_N`` forwarders (see functions.py).  The result is pruned to what
  the signature's outputs need and ordered as TensorFlow's frozen function is, so node
  names and order match what TF-TRT receives (tests/test_loader_vs_tf.py checks it).
  Functional While/If/Case are lowered into Switch/Merge control flow in the same
  pass, as TensorFlow does there (see lower.py).
* TF1 SavedModels keep the graph in the MetaGraphDef; the signature's fetches are
  pruned from it and variables are frozen, as TrtGraphConverterV2 does through TF's v1
  loader.  When that converter cannot prepare the signature (tables to initialize,
  reference-typed signature tensors), TF-TRT 2.17 is reached through TF1's
  TrtGraphConverter, whose graph keeps the init machinery (see tf1_savedmodel.py).
"""

from __future__ import annotations

import bisect
from pathlib import Path
from typing import Optional

from google.protobuf import message as pb_message
from google.protobuf import text_format

from ..errors import InputError
from ..graph import dtypes
from ..graph.attrs import FuncRef
from ..graph.model import Graph, Node, TensorRef
from ..graph.opdefs import OpRegistry, stock_registry
from ..graph.tensors import shape_from_proto
from .detect import SAVED_MODEL_SIDE_FILES
from .freeze import freeze_variables, function_order, variable_const
from .functions import CALL_OPS, FunctionBody, constructor_order
from .graphdef import validate
from .lower import (LoweringInliner, copy_like_lift_to_graph, grappler_sorted,
                    serialized_controls)
from .model import LoweredControlFlow, Model, TensorSpec
from .schema import SavedModel
from . import tf1_savedmodel

VARIABLE_OPS = frozenset({"VarHandleOp", "VariableV2", "Variable"})
DEFAULT_SIGNATURE = "serving_default"
DEFAULT_TAG = "serve"


def read_saved_model(directory: Path):
    pb, pbtxt = directory / "saved_model.pb", directory / "saved_model.pbtxt"
    sm = SavedModel()
    if pb.is_file():
        data = pb.read_bytes()
        if not data:
            raise InputError("saved_model.pb is empty", pb)
        try:
            sm.ParseFromString(data)
        except (pb_message.DecodeError, RuntimeError, ValueError) as exc:
            raise InputError(f"saved_model.pb is truncated or corrupt ({str(exc)[:120]})",
                             pb) from None
        where = pb
    elif pbtxt.is_file():
        try:
            text_format.Parse(pbtxt.read_text(encoding="utf-8"), sm, allow_unknown_field=True)
        except (text_format.ParseError, UnicodeDecodeError) as exc:
            raise InputError(f"saved_model.pbtxt syntax error at {str(exc)[:160]}", pbtxt) from None
        where = pbtxt
    else:
        hint = ""
        pbs = sorted(p.name for p in directory.glob("*.pb") if p.name not in SAVED_MODEL_SIDE_FILES)
        if pbs:
            hint = f"; did you mean the graph file {directory / pbs[0]}?"
        elif (directory / "variables").is_dir() or any(directory.glob("*.index")):
            hint = "; it holds variables or a checkpoint but no graph"
        raise InputError(f"not a SavedModel directory: no saved_model.pb{hint}", directory)
    if not sm.meta_graphs:
        raise InputError("the SavedModel holds no MetaGraph", where)
    return sm, where


def _registry_for(meta) -> OpRegistry:
    """Stock registry overridden by the op definitions the SavedModel carries."""
    extra = {}
    for op in meta.meta_info_def.stripped_op_list.op:
        outs = []
        for a in op.output_arg:
            entry = {"name": a.name}
            if a.type:
                entry["type"] = dtypes.name(a.type)
            for f in ("type_attr", "number_attr", "type_list_attr"):
                if getattr(a, f):
                    entry[f] = getattr(a, f)
            outs.append(entry)
        from ..graph.attrs import decode

        defaults = {a.name: decode(a.default_value) for a in op.attr if a.HasField("default_value")}
        stock = stock_registry().get(op.name) or {}
        extra[op.name] = {"in": [{"name": a.name} for a in op.input_arg], "out": outs,
                          "defaults": defaults, "attrs": {a.name: a.type for a in op.attr},
                          **({"stateful": True} if op.is_stateful or stock.get("stateful") else {})}
    return stock_registry().with_ops(extra)


def _pick_meta_graph(sm, tags: Optional[list[str]], where: Path):
    available = [sorted(m.meta_info_def.tags) for m in sm.meta_graphs]
    if tags:
        want = sorted(tags)
        for m, t in zip(sm.meta_graphs, available):
            if t == want:
                return m
        raise InputError(f"no MetaGraph with tags {','.join(want)}; available tag-sets: "
                         + "; ".join(",".join(t) or "(empty)" for t in available), where)
    for m, t in zip(sm.meta_graphs, available):
        if t == [DEFAULT_TAG]:
            return m
    if len(sm.meta_graphs) == 1:
        return sm.meta_graphs[0]
    raise InputError("several MetaGraphs and none tagged 'serve'; choose one with --tag: "
                     + "; ".join(",".join(t) or "(empty)" for t in available), where)


def _pick_signature(meta, signature: Optional[str], where: Path) -> tuple[str, object]:
    sigs = dict(meta.signature_def.items())
    if signature:
        if signature not in sigs:
            raise InputError(f"no signature '{signature}'; available: "
                             + (", ".join(sorted(sigs)) or "none"), where)
        return signature, sigs[signature]
    if DEFAULT_SIGNATURE in sigs:
        return DEFAULT_SIGNATURE, sigs[DEFAULT_SIGNATURE]
    real = [k for k in sigs if not k.startswith("__")]
    if len(real) == 1:
        return real[0], sigs[real[0]]
    if not real:
        raise InputError("the SavedModel has no signature to analyse", where)
    raise InputError("no 'serving_default' signature; choose one with --signature: "
                     + ", ".join(sorted(real)), where)


def _split_tensor_name(name: str) -> TensorRef:
    base, _, idx = name.partition(":")
    return TensorRef(base, int(idx) if idx.isdigit() else 0)


def load_saved_model(directory: Path, signature: Optional[str] = None,
                     tags: Optional[list[str]] = None) -> Model:
    sm, where = read_saved_model(directory)
    meta = _pick_meta_graph(sm, tags, where)
    sig_key, sig = _pick_signature(meta, signature, where)
    registry = _registry_for(meta)
    gd = meta.graph_def
    library = {f.signature.name: f for f in gd.library.function}
    outer = Graph([Node.from_proto(nd) for nd in gd.node], library, registry,
                  producer=gd.versions.producer if gd.HasField("versions") else None)
    validate(outer, where, gd)

    out_refs = {k: _split_tensor_name(v.name) for k, v in sig.outputs.items() if v.name}
    in_refs = {k: _split_tensor_name(v.name) for k, v in sig.inputs.items() if v.name}
    for ref in list(out_refs.values()) + list(in_refs.values()):
        if ref.node not in outer:
            raise InputError(f"signature '{sig_key}' names tensor '{ref}', which is not in "
                             f"the graph", where)
    call_nodes = {outer[r.node] for r in out_refs.values()}
    is_tf2 = bool(call_nodes) and all(
        n.op in CALL_OPS and isinstance(n.attrs.get("f"), FuncRef) and n.attrs["f"].name in library
        for n in call_nodes) and len(call_nodes) == 1

    if is_tf2:
        graph, inputs, outputs, frozen, lowered = _tf2_signature_graph(
            outer, next(iter(call_nodes)), sig, in_refs, out_refs, registry, library, where)
        tf1_converter = None
    else:
        graph, inputs, outputs, frozen, tf1_converter = _tf1_signature_graph(
            outer, meta, sig, in_refs, out_refs, where)
        lowered = []

    model = Model(path=directory, format="saved_model", graph=graph, inputs=inputs, outputs=outputs,
                  producer=outer.producer,
                  tensorflow_version=meta.meta_info_def.tensorflow_version or None,
                  signature=sig_key, tags=sorted(meta.meta_info_def.tags),
                  signatures=sorted(k for k in meta.signature_def.keys()),
                  frozen_variables=frozen,
                  lowered_control_flow=_still_present(lowered, graph))
    if tf1_converter is not None:
        model = tf1_savedmodel.as_tf1_converter_model(model, *tf1_converter)
    return model


def _still_present(lowered: list[LoweredControlFlow], graph: Graph) -> list[LoweredControlFlow]:
    """The lowered ops some of whose nodes survived pruning to the signature's outputs."""
    names = sorted(graph.nodes)
    kept = []
    for c in lowered:
        i = bisect.bisect_left(names, c.name + "/")
        if i < len(names) and names[i].startswith(c.name + "/"):
            kept.append(c)
    return kept


def _tf2_signature_graph(outer: Graph, call: Node, sig, in_refs, out_refs, registry, library, where):
    fdef = library[call.attrs["f"].name]
    inliner = LoweringInliner(library, registry)
    body = FunctionBody(fdef, registry, "", None, library, inliner=inliner)
    args = [a.name for a in fdef.signature.input_arg]
    by_name = {n.name: n for n in body.nodes}
    resource_vars: dict[str, Node] = {}
    frozen: list[str] = []
    for i, ref in enumerate(call.inputs):
        if i >= len(args):
            break
        src = outer.get(ref.node)
        if src is not None and src.op in VARIABLE_OPS:
            ph = by_name[args[i]]
            resource_vars[ph.name] = src
            frozen.append(src.attr("shared_name") or src.name)
    nodes = []
    for n in grappler_sorted(body.nodes):
        if n.name in resource_vars:
            n = variable_const(n.name, resource_vars[n.name], n.source)
        nodes.append(n)
    feeds = [args[i] for i, ref in enumerate(call.inputs[:len(args)])
             if args[i] not in resource_vars]
    nodes, library = freeze_variables(nodes, resource_vars, library)
    serialized_controls(nodes)  # grappler hands its result on as a GraphDef
    nodes = function_order(constructor_order(nodes), [r.node for r in body.outputs], feeds)
    nodes = copy_like_lift_to_graph(nodes, feeds, registry)
    graph = Graph(nodes, library, registry, outer.producer)
    validate(graph, where)

    # Map signature inputs to the wrapper's argument placeholders.
    inputs = []
    for key, ref in sorted(in_refs.items()):
        info = sig.inputs[key]
        arg_name = None
        for i, cref in enumerate(call.inputs):
            if cref.node == ref.node and i < len(args):
                arg_name = args[i]
                break
        name = arg_name or ref.node
        inputs.append(TensorSpec(name, dtypes.name(info.dtype) if info.dtype else None,
                                 shape_from_proto(info.tensor_shape)
                                 if info.HasField("tensor_shape") else None, 0, key))
        ph = graph.get(name)
        if ph is not None and ph.op == "Placeholder" and ph.attr("shape") is None:
            ph.set_attr("shape", inputs[-1].shape)
    outputs = []
    for key, ref in sorted(out_refs.items()):
        info = sig.outputs[key]
        target = body.outputs[ref.index] if ref.index < len(body.outputs) else ref
        outputs.append(TensorSpec(target.node, dtypes.name(info.dtype) if info.dtype else None,
                                  shape_from_proto(info.tensor_shape)
                                  if info.HasField("tensor_shape") else None, target.index, key))
    return graph, inputs, outputs, frozen, inliner.lowered


def _tf1_signature_graph(outer: Graph, meta, sig, in_refs, out_refs, where):
    """The graph TF-TRT 2.17 receives for a TF1 signature.  When TrtGraphConverterV2
    cannot prepare it, TF1's TrtGraphConverter does, and its freezing keeps the table
    initializers and init ops (see tf1_savedmodel.py); the last value returned is then
    ``(preserved nodes, why)``, else None."""
    collections = tf1_savedmodel.node_list_collections(meta)
    failure = tf1_savedmodel.v2_failure(outer, meta, collections, in_refs, out_refs)
    if failure is not None:
        plan = tf1_savedmodel.plan_tf1_converter(outer, collections, in_refs, out_refs)
        graph, frozen = _tf1_frozen(
            outer, tf1_savedmodel.extract_subgraph(outer, plan.freeze_outputs), None)
        inputs, outputs = _tf1_specs(sig, in_refs, out_refs)
        return graph, inputs, outputs, frozen, (plan.preserved, failure)
    feeds = {r.node for r in in_refs.values()}
    # TrtGraphConverterV2: the signature's pruned function -- what the outputs need, not
    # looking past the fed inputs, which become Placeholders.
    keep = tf1_savedmodel.ancestors(outer, [r.node for r in out_refs.values()],
                                    frozenset(feeds))
    nodes = []
    for n in outer:
        if n.name not in keep:
            continue
        if n.name in feeds and n.op not in ("Placeholder", "PlaceholderWithDefault"):
            n = Node(n.name, "Placeholder", attrs={"dtype": outer.output_dtype(TensorRef(n.name)),
                                                   "shape": None})
        nodes.append(n)
    # ... ordered as that function is.
    order = ([r.node for _, r in sorted(out_refs.items())],
             [r.node for _, r in sorted(in_refs.items())])
    graph, frozen = _tf1_frozen(outer, nodes, order)
    inputs, outputs = _tf1_specs(sig, in_refs, out_refs)
    return graph, inputs, outputs, frozen, None


def _tf1_frozen(outer: Graph, nodes: list[Node], order) -> tuple[Graph, list[str]]:
    """Variables of ``nodes`` frozen into constants; ``order`` = (fetches, feeds) puts the
    result in the pruned function's order, None keeps the graph's own order (TF1's
    ``extract_sub_graph``)."""
    frozen: list[str] = []
    resource_vars: dict[str, Node] = {}
    out = []
    for n in nodes:
        if n.op in VARIABLE_OPS:
            if n.op == "VarHandleOp":
                resource_vars[n.name] = n
            frozen.append(n.name)
            n = variable_const(n.name, n, None)
        out.append(n)
    out, library = freeze_variables(out, resource_vars, outer.library)
    if order is not None:
        out = function_order(out, *order)
    return Graph(out, library, outer.registry, outer.producer), frozen


def _tf1_specs(sig, in_refs, out_refs) -> tuple[list[TensorSpec], list[TensorSpec]]:
    inputs = [TensorSpec(r.node, dtypes.name(sig.inputs[k].dtype) if sig.inputs[k].dtype else None,
                         shape_from_proto(sig.inputs[k].tensor_shape)
                         if sig.inputs[k].HasField("tensor_shape") else None, r.index, k)
              for k, r in sorted(in_refs.items())]
    outputs = [TensorSpec(r.node, dtypes.name(sig.outputs[k].dtype) if sig.outputs[k].dtype else None,
                          shape_from_proto(sig.outputs[k].tensor_shape)
                          if sig.outputs[k].HasField("tensor_shape") else None, r.index, k)
               for k, r in sorted(out_refs.items())]
    return inputs, outputs
