"""TF1 SavedModels as TF-TRT 2.17 receives them: which converter prepares the graph,
and what that converter's freezing keeps.

A TF1 SavedModel (a MetaGraphDef whose signatures name tensors of the graph itself, no
``StatefulPartitionedCall`` wrapper) reaches TF-TRT in TensorFlow 2.17 in one of two ways.

1. **TrtGraphConverterV2**, the TF2 converter.  ``tf.saved_model.load`` reads the TF1
   MetaGraph through its v1 compatibility loader: the whole graph is imported into a
   wrapped function, and each signature becomes a *pruned* function of it (what the
   signature's outputs need, fed at its inputs).  The converter then freezes that
   function with ``convert_variables_to_constants_v2``.  The table initializers and the
   legacy init op are run by the loader and are no part of the pruned function, so
   TF-TRT never sees them.  The existing TF1 path of savedmodel.py models this.

2. **TrtGraphConverter**, the TF1 converter (``tf.compat.v1``, graph mode only: it
   refuses to run eagerly, so a TF2 user has to call
   ``tf.compat.v1.disable_eager_execution()`` first).  Its ``_convert_saved_model``
   loads the SavedModel into a Session and freezes with the v1
   ``convert_variables_to_constants``, asking to keep

   * the nodes of the signature's inputs and outputs, and
   * every *operation* listed in a collection other than the variable collections,
     ``train_op``, ``while_context`` and ``cond_context`` -- in practice the
     ``table_initializer`` ops (``LookupTableImportV2``, ``InitializeTableFromTextFileV2``)
     and the ``legacy_init_op`` / ``saved_model_main_op`` (``group_deps``, a NoOp).
     Tensors listed in a collection (``summaries``, ``asset_filepaths``) are not
     operations and are not asked for.

   Freezing first cuts the graph to the ancestors of those nodes (data and control
   edges, not stopping at the signature's inputs) in the graph's own node order
   (``extract_sub_graph``), then turns variables into constants.  So the init
   machinery -- the ``HashTableV2``, its ``LookupTableImportV2`` with the key/value
   constants, ``init_all_tables``, ``group_deps``, string asset-path constants,
   table-initializing function calls -- stays in the graph.  The converter then builds a
   MetaGraphDef of the frozen graph, the kept collections and the one signature, and
   grappler makes its item of it: fetch nodes = the signature's outputs; nodes to
   preserve = fetches, feeds (signature inputs and every Placeholder), the
   ``table_initializer`` ops (its init ops) and the *nodes* of every node-list
   collection (its keep ops, tensors included, by node name).  Preserved nodes survive
   grappler's pruning and TF-TRT's segmenter keeps them out of engines ("excluded by
   segmenter option"); the rest of the init machinery is simply unconvertible.

When does TF 2.17 fall back from 1 to 2?  TrtGraphConverterV2 fails on a TF1 SavedModel
(measured with TensorFlow 2.17; tests/test_loader_tf1_savedmodel.py checks it) when

* some signature of the MetaGraph reads or returns a tensor of a reference type (a
  ``VariableV2`` itself, an ``Assign``'s output): the v1 loader cannot wrap such a
  signature ("... has a reference type float_ref") and ``tf.saved_model.load`` fails;
* the ``table_initializer`` collection lists an op the signature's pruned function does
  not contain (the usual case: lookups need the table, not its initializer).  The
  pruned function still carries the collection, so the grappler item that
  ``convert_variables_to_constants_v2`` builds to inline functions names an init node
  missing from its graph ("Init node ... doesn't exist in graph") and freezing fails
  with "Failed to import metagraph".

Reference variables alone, or a TF1 SavedModel without tables, go through
TrtGraphConverterV2 fine.  The differential oracle follows the same rule (V2, else V1).

Nothing here imports TensorFlow: the collections are read with a small protobuf
declaration of our own (meta_graph.proto's ``collection_def``, field 4, and
``CollectionDef.node_list``, field 1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from google.protobuf import descriptor_pb2, descriptor_pool

from ..graph.model import Graph, Node, TensorRef
from .model import Model

#: collections TrtGraphConverter does not carry over (``_collections_to_keep``):
#: TensorFlow's ``GraphKeys._VARIABLE_COLLECTIONS`` plus train_op and the v1
#: control-flow contexts
DROPPED_COLLECTIONS = frozenset({
    "variables", "local_variables", "metric_variables", "model_variables",
    "trainable_variables", "moving_average_variables", "concatenated_variables",
    "trainable_resource_variables", "train_op", "while_context", "cond_context",
})
#: the collection grappler takes its init ops from (``GraphKeys.TABLE_INITIALIZERS``)
TABLE_INITIALIZERS = "table_initializer"


# -- reading collection_def without TensorFlow ----------------------------------------------
def _collections_message():
    """A message class that reads only ``MetaGraphDef.collection_def`` and, of each
    ``CollectionDef``, only its ``node_list`` (the other kinds -- bytes, int64, float and
    Any lists -- are parsed as unknown fields and ignored)."""
    f = descriptor_pb2.FieldDescriptorProto
    file = descriptor_pb2.FileDescriptorProto(name="trtlint_tf1_collections.proto",
                                              package="trtlint.tf1", syntax="proto3")
    node_list = file.message_type.add(name="NodeList")
    node_list.field.add(name="value", number=1, type=f.TYPE_STRING, label=f.LABEL_REPEATED)
    collection = file.message_type.add(name="CollectionDef")
    collection.field.add(name="node_list", number=1, type=f.TYPE_MESSAGE,
                         type_name=".trtlint.tf1.NodeList", label=f.LABEL_OPTIONAL)
    meta = file.message_type.add(name="MetaGraphCollections")
    entry = meta.nested_type.add(name="CollectionDefEntry")
    entry.options.map_entry = True
    entry.field.add(name="key", number=1, type=f.TYPE_STRING, label=f.LABEL_OPTIONAL)
    entry.field.add(name="value", number=2, type=f.TYPE_MESSAGE,
                    type_name=".trtlint.tf1.CollectionDef", label=f.LABEL_OPTIONAL)
    meta.field.add(name="collection_def", number=4, type=f.TYPE_MESSAGE, label=f.LABEL_REPEATED,
                   type_name=".trtlint.tf1.MetaGraphCollections.CollectionDefEntry")
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)
    try:  # protobuf >= 4.21
        from google.protobuf.message_factory import GetMessageClass
        return GetMessageClass(pool.FindMessageTypeByName("trtlint.tf1.MetaGraphCollections"))
    except ImportError:  # pragma: no cover - older protobuf runtimes
        from google.protobuf import message_factory

        return message_factory.MessageFactory(pool).GetPrototype(
            pool.FindMessageTypeByName("trtlint.tf1.MetaGraphCollections"))


_MetaGraphCollections = None


def node_list_collections(meta) -> dict[str, list[str]]:
    """``{collection key: [node or tensor names]}`` for the MetaGraph's node-list
    collections, in the MetaGraph's key order.  ``meta`` is trtlint's MetaGraphDef
    message (schema.py), which does not declare ``collection_def``: the protobuf runtime
    keeps it as an unknown field, so re-serialising the message and reading it back
    with our own declaration recovers it."""
    global _MetaGraphCollections
    if _MetaGraphCollections is None:
        _MetaGraphCollections = _collections_message()
    parsed = _MetaGraphCollections.FromString(meta.SerializeToString())
    return {key: list(col.node_list.value) for key, col in parsed.collection_def.items()
            if col.HasField("node_list")}


# -- which converter --------------------------------------------------------------------------
def _node_name(name: str) -> str:
    """A collection entry's node: ``"^a"``, ``"a:0"`` and ``"a"`` all name node ``a``."""
    return name.lstrip("^").split(":")[0]


def ancestors(graph: Graph, roots: list[str], stop: frozenset = frozenset()) -> set[str]:
    """The nodes ``roots`` need, through data and control edges; nodes in ``stop`` are
    kept but not looked past (TF2's pruning stops at the fed inputs, TF1's
    ``extract_sub_graph`` does not)."""
    seen: set[str] = set()
    stack = [r for r in roots if r in graph]
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        if name in stop:
            continue
        node = graph[name]
        stack.extend(r.node for r in node.inputs if r.node not in seen)
        stack.extend(c for c in node.control_inputs if c not in seen)
    return seen


#: ops whose first output is a reference, for MetaGraphs that carry no op list
REFERENCE_OUTPUT_OPS = frozenset({
    "VariableV2", "Variable", "TemporaryVariable", "Assign", "AssignAdd", "AssignSub",
    "ScatterUpdate", "ScatterAdd", "ScatterSub", "ScatterMul", "ScatterDiv", "ScatterMin",
    "ScatterMax", "ScatterNdUpdate", "ScatterNdAdd", "ScatterNdSub", "RefIdentity",
    "RefEnter", "RefExit", "RefMerge", "RefSwitch", "RefNextIteration", "RefSelect",
})


def _reference_outputs(meta) -> dict[str, list[bool]]:
    """``{op: [is_ref per output arg]}`` from the MetaGraph's stripped op list (TF1
    SavedModels carry one; ``OpDef.ArgDef.is_ref`` marks reference outputs)."""
    return {op.name: [arg.is_ref for arg in op.output_arg]
            for op in meta.meta_info_def.stripped_op_list.op}


def _is_reference(graph: Graph, ref: TensorRef, op_refs: dict[str, list[bool]]) -> bool:
    node = graph.get(ref.node)
    if node is None:
        return False
    flags = op_refs.get(node.op)
    if flags is None:
        return node.op in REFERENCE_OUTPUT_OPS and ref.index == 0
    # Output args map one to one onto output indices for the ops that return
    # references (none of them has list-valued outputs).
    return ref.index < len(flags) and flags[ref.index]


def reference_typed_signature_tensor(graph: Graph, meta) -> Optional[str]:
    """A tensor of a reference type named by any signature of the MetaGraph, or None.
    TF 2.17's v1 loader wraps every signature and cannot wrap such a tensor."""
    op_refs = _reference_outputs(meta)
    for sig in meta.signature_def.values():
        for info in list(sig.inputs.values()) + list(sig.outputs.values()):
            base, _, index = info.name.partition(":")
            if _is_reference(graph, TensorRef(base, int(index) if index.isdigit() else 0), op_refs):
                return info.name
    return None


def v2_failure(graph: Graph, meta, collections: dict[str, list[str]],
               in_refs: dict, out_refs: dict) -> Optional[str]:
    """Why TrtGraphConverterV2 cannot prepare this TF1 signature (so TF-TRT 2.17 is
    reached through TF1's TrtGraphConverter), or None when it can."""
    ref_tensor = reference_typed_signature_tensor(graph, meta)
    if ref_tensor is not None:
        return (f"tf.saved_model.load cannot wrap a signature that names the reference-typed "
                f"tensor {ref_tensor}")
    inits = [_node_name(n) for n in collections.get(TABLE_INITIALIZERS, [])]
    if inits:
        pruned = ancestors(graph, [r.node for r in out_refs.values()],
                           frozenset(r.node for r in in_refs.values()))
        missing = [n for n in inits if n not in pruned]
        if missing:
            return (f"the table initializer {missing[0]} is not in the signature's function, so "
                    f"convert_variables_to_constants_v2 fails to import its metagraph")
    return None


# -- TrtGraphConverter's freezing --------------------------------------------------------------
@dataclass
class TF1ConverterPlan:
    """What TF1's TrtGraphConverter asks of its freezing and of grappler."""

    #: node names handed to convert_variables_to_constants as its outputs
    freeze_outputs: list[str]
    #: nodes grappler preserves beyond the signature's inputs and outputs: the
    #: table-initializer ops and the nodes of the kept node-list collections
    preserved: list[str] = field(default_factory=list)


def plan_tf1_converter(graph: Graph, collections: dict[str, list[str]],
                       in_refs: dict, out_refs: dict) -> TF1ConverterPlan:
    signature_nodes = list(dict.fromkeys(
        [r.node for r in in_refs.values()] + [r.node for r in out_refs.values()]))
    kept = {k: v for k, v in collections.items() if k not in DROPPED_COLLECTIONS}
    # Only operations (entries without an output index) are asked of the freezing.
    ops = [name for values in kept.values() for name in values
           if ":" not in name and not name.startswith("^") and name in graph]
    freeze_outputs = list(dict.fromkeys(signature_nodes + ops))
    preserved = list(dict.fromkeys(
        _node_name(name) for values in kept.values() for name in values
        if _node_name(name) not in signature_nodes))
    return TF1ConverterPlan(freeze_outputs, preserved)


def extract_subgraph(graph: Graph, outputs: list[str]) -> list[Node]:
    """``extract_sub_graph``: the ancestors of ``outputs`` (data and control edges, fed
    inputs included), in the graph's own node order."""
    keep = ancestors(graph, outputs)
    return [n for n in graph if n.name in keep]


@dataclass
class TF1ConverterModel(Model):
    """A Model prepared as TF1's TrtGraphConverter prepares a SavedModel: besides the
    signature's inputs and outputs, grappler preserves the ``preserved_nodes`` (init
    ops and collection nodes), and TF-TRT's segmenter keeps them out of engines."""

    preserved_nodes: list[str] = field(default_factory=list)

    @property
    def fetch_names(self) -> list[str]:
        names = dict.fromkeys(Model.fetch_names.fget(self))  # type: ignore[attr-defined]
        for name in self.preserved_nodes:
            if name in self.graph:
                names.setdefault(name, None)
        return list(names)


def as_tf1_converter_model(model: Model, preserved: list[str], reason: str) -> TF1ConverterModel:
    """``model`` re-typed as a TF1-converter model, with a note saying why."""
    values = {name: getattr(model, name) for name in model.__dataclass_fields__}
    values["notes"] = list(model.notes) + [
        f"prepared as TF1's TrtGraphConverter does (TrtGraphConverterV2 fails: {reason}); "
        f"its freezing keeps the table initializers and init ops"]
    return TF1ConverterModel(**values, preserved_nodes=list(preserved))
