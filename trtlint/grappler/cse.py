"""Common subgraph elimination (grappler's ``CommonSubgraphElimination``).

Two nodes that compute the same thing -- same op, device, inputs and attributes -- are
merged: consumers of the later one read the earlier one, and the later one is deleted.

How grappler does it, and so how this module does it:

* the graph is first sorted topologically (:mod:`.topology`), and every node's inputs
  are *canonicalized*: control inputs sorted; data inputs sorted too when the op is
  commutative (``Mul``, ``AddV2``, ``Add``, ``AddN``, ``Equal``, ...) -- this is why
  ``Mul(x, c)`` comes out as ``Mul(c, x)`` when ``"c" < "x"``;
* nodes are visited in that order, and the first node with a given signature is the
  representative that survives; rewiring a consumer changes its inputs, so the walk
  repeats until nothing merges (a chain of duplicates collapses in one or two rounds);
* never merged: preserved nodes (fetches, feeds), ``Enter``/``Exit``, nodes on an
  ``SPU`` device, nodes with side effects (stateful ops, reference inputs, queues,
  in-place updates) -- except ``Assert`` and ``Print``, which are merged -- and nodes
  that feed an in-place op;
* attributes are compared by value (constants with equal bytes are equal); the
  grappler item carries no ``_output_shapes`` or ``_class`` attributes, so those
  never keep two nodes apart.
"""

from __future__ import annotations

from typing import Any

from ..graph.tensors import TensorValue
from .folded import FoldedTensor
from .ops import OpInfo, is_commutative, is_enter, is_exit, modifies_inputs_in_place
from .topology import topological_sort
from .workgraph import WorkGraph, WorkNode, is_control, node_name, parse_input


def canonicalize(node: WorkNode) -> None:
    """Sort control inputs, and data inputs of commutative ops (``CanonicalizeNode``)."""
    inputs = node.inputs
    if len(inputs) < 2:
        return
    first_ctrl = len(inputs)
    for i, text in enumerate(inputs):
        if is_control(text):
            first_ctrl = i
            break
    if first_ctrl < len(inputs) - 1:
        inputs[first_ctrl:] = sorted(inputs[first_ctrl:])
    if first_ctrl > 1 and is_commutative(node):
        inputs[:first_ctrl] = sorted(inputs[:first_ctrl])


def attr_key(value: Any) -> Any:
    """A hashable, comparable form of an attribute value."""
    if isinstance(value, FoldedTensor):
        vals = value.values(limit=1 << 22)
        if vals is not None:
            return ("tensor", value.dtype, value.shape, _canonical_values(value.dtype, vals))
        # values not computed: equal when computed the same way from equal inputs
        if value.fingerprint is not None:
            return ("derived", value.dtype, value.shape, value.fingerprint)
        return ("unknown", id(value))
    if isinstance(value, TensorValue):
        proto = value._proto  # noqa: SLF001 - raw bytes identify the tensor exactly
        if proto is not None and proto.tensor_content:
            return ("tensor", value.dtype, value.shape, bytes(proto.tensor_content))
        vals = value.values(limit=1 << 22)
        if vals is not None:
            return ("tensor", value.dtype, value.shape, _canonical_values(value.dtype, vals))
        return ("tensor-proto", proto.SerializeToString() if proto is not None else id(value))
    if isinstance(value, list):
        return tuple(attr_key(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, attr_key(v)) for k, v in value.items()))
    try:
        hash(value)
        return value
    except TypeError:
        return repr(value)


def _canonical_values(dtype: str, vals: list) -> Any:
    """Values as TensorFlow would serialize them (``AsProtoTensorContent`` bytes)."""
    import array
    import struct

    codes = {"float32": "f", "float64": "d", "int32": "i", "int64": "q", "uint8": "B",
             "int8": "b", "int16": "h", "uint16": "H", "uint32": "I", "uint64": "Q"}
    code = codes.get(dtype)
    try:
        if code is not None:
            return array.array(code, vals).tobytes()
        if dtype == "bool":
            return bytes(bool(v) for v in vals)
        if dtype == "float16":
            return b"".join(struct.pack("<e", v) for v in vals)
    except (OverflowError, TypeError, struct.error):
        pass
    return tuple(vals)


#: attributes the grappler item does not carry (colocation, recorded shapes)
_IGNORED_ATTRS = frozenset({"_output_shapes", "_class"})


def _cheap_key(value: Any) -> Any:
    """Like :func:`attr_key` but without reading tensor contents (dtype, shape and
    stored size only): equal tensors always have equal cheap keys."""
    if isinstance(value, TensorValue):
        proto = getattr(value, "_proto", None)
        return ("t", value.dtype, value.shape)
    if isinstance(value, list):
        return tuple(_cheap_key(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _cheap_key(v)) for k, v in value.items()))
    try:
        hash(value)
        return value
    except TypeError:
        return repr(value)


class _Signature:
    """What must be equal for two nodes to be merged (``UniqueNodes::SameNode``).

    Nodes are bucketed by a cheap signature first; tensor contents are compared
    only between nodes that share a bucket (big weights are rarely read)."""

    @staticmethod
    def _attrs(node: WorkNode) -> dict:
        return node.attrs_view

    @classmethod
    def cheap(cls, node: WorkNode, attr_cache: dict) -> tuple:
        keys = attr_cache.get(node.name)
        if keys is None:
            keys = attr_cache[node.name] = tuple(sorted(
                (k, _cheap_key(v)) for k, v in cls._attrs(node).items()
                if k not in _IGNORED_ATTRS))
        return (node.op, node.device, tuple(node.inputs), node.has_shapes_attr, keys)

    @classmethod
    def full(cls, node: WorkNode) -> tuple:
        keys = tuple(sorted((k, attr_key(v)) for k, v in cls._attrs(node).items()
                            if k not in _IGNORED_ATTRS))
        return (node.op, node.device, tuple(node.inputs), node.has_shapes_attr, keys)


def eliminate_common_subgraphs(graph: WorkGraph, preserve: set[str], fetches_known: bool,
                               info: OpInfo, changes: list[str]) -> WorkGraph:
    """Merge duplicate nodes of ``graph`` (in place) and return it."""
    if not topological_sort(graph):
        changes.append("skipped: the graph could not be sorted topologically")
        return graph
    nodes = graph.nodes
    for n in nodes:
        canonicalize(n)
    feeds_inplace = _nodes_feeding_inplace_ops(nodes)
    can_dedup = [n.name not in feeds_inplace and _can_dedup(n, preserve, info) for n in nodes]
    fanouts: dict[str, dict[str, None]] = {n.name: {} for n in nodes}
    for n in nodes:
        for text in n.inputs:
            src = node_name(text)
            if src in fanouts:
                fanouts[src][n.name] = None
    by_name = {n.name: n for n in nodes}
    # cheap signature -> the only representative so far, or {full signature -> rep}
    buckets: dict[tuple, object] = {}
    cheap_of: dict[str, tuple] = {}
    full_of: dict[str, tuple] = {}
    attr_cache: dict[str, tuple] = {}  # attributes do not change here, inputs do

    def full(n: WorkNode) -> tuple:
        key = full_of.get(n.name)
        if key is None:
            key = full_of[n.name] = _Signature.full(n)
        return key

    def forget(n: WorkNode) -> None:
        old = cheap_of.pop(n.name, None)
        old_full = full_of.pop(n.name, None)
        if old is None:
            return
        bucket = buckets.get(old)
        if bucket is n:
            del buckets[old]
        elif isinstance(bucket, dict):
            key = old_full if old_full is not None else _Signature.full(n)
            if bucket.get(key) is n:
                del bucket[key]

    def find_or_add(n: WorkNode) -> WorkNode:
        sig = cheap_of.get(n.name)
        if sig is None:
            sig = cheap_of[n.name] = _Signature.cheap(n, attr_cache)
        bucket = buckets.get(sig)
        if bucket is None:
            buckets[sig] = n
            return n
        if isinstance(bucket, WorkNode):
            if bucket is n:
                return n
            bucket = buckets[sig] = {full(bucket): bucket}
        return bucket.setdefault(full(n), n)

    duplicates: set[int] = set()
    merged = 0
    while True:
        changed = False
        for i, node in enumerate(nodes):
            if not can_dedup[i] or i in duplicates:
                continue
            rep = find_or_add(node)
            if rep is node:
                continue
            for consumer_name in list(fanouts.get(node.name, ())):
                consumer = by_name[consumer_name]
                updated = False
                for k, text in enumerate(consumer.inputs):
                    src, port = parse_input(text)
                    if src != node.name:
                        continue
                    if not updated:
                        forget(consumer)
                    updated = True
                    if port > 0:
                        consumer.inputs[k] = f"{rep.name}:{port}"
                    elif port == 0:
                        consumer.inputs[k] = rep.name
                    else:
                        consumer.inputs[k] = "^" + rep.name
                if updated:
                    fanouts[node.name].pop(consumer_name, None)
                    fanouts[rep.name][consumer_name] = None
                    canonicalize(consumer)
            duplicates.add(i)
            merged += 1
            changed = True
        if not changed:
            break
    if fetches_known and duplicates:
        graph.nodes = [n for i, n in enumerate(nodes) if i not in duplicates]
    if merged:
        changes.append(f"merged {merged} duplicate node(s)")
    return graph


def _can_dedup(node: WorkNode, preserve: set[str], info: OpInfo) -> bool:
    if node.name in preserve or is_enter(node) or is_exit(node):
        return False
    if "SPU" in node.device:
        return False
    if node.op in ("Assert", "Print", "PrintV2"):
        return True
    return info.is_free_of_side_effect(node)


# ops that never hand an input buffer to their output (grappler's NeverForwardsInputs)
_NEVER_FORWARDS = frozenset({
    "ArgMax", "ArgMin", "AudioSpectrogram", "AvgPool", "BatchMatMul", "BatchMatMulV2",
    "BatchNormWithGlobalNormalization", "BatchToSpace", "BatchToSpaceND", "Bincount",
    "BroadcastArgs", "BroadcastGradientArgs", "Bucketize", "CTCBeamSearchDecoder",
    "CTCGreedyDecoder", "CTCLoss", "CompareAndBitpack", "ComplexAbs", "Concat",
    "ConcatOffset", "ConcatV2", "Conv2D", "Copy", "CopyHost", "Cross", "CudnnRNN",
    "CudnnRNNBackprop", "CudnnRNNBackpropV2", "CudnnRNNBackpropV3",
    "CudnnRNNCanonicalToParams", "CudnnRNNCanonicalToParamsV2", "CudnnRNNParamsSize",
    "CudnnRNNParamsToCanonical", "CudnnRNNParamsToCanonicalV2", "CudnnRNNV2", "CudnnRNNV3",
    "CumProd", "CumSum", "DebugNanCount", "DebugNumericSummary", "DecodeProtoV2",
    "DecodeWav", "DeepCopy", "DepthToSpace", "Dequantize", "Diag", "DiagPart",
    "EditDistance", "Empty", "EncodeProtoV2", "EncodeWav", "ExtractImagePatches",
    "ExtractVolumePatches", "Fill", "Gather", "GatherNd", "GatherV2", "HistogramFixedWidth",
    "InvertPermutation", "IsInf", "IsNan", "Isfinite", "LinSpace", "LowerBound", "MatMul",
    "MatrixDiag", "MatrixDiagPart", "MatrixDiagPartV2", "MatrixDiagV2", "Mfcc",
    "Multinomial", "OneHot", "Pack", "ParameterizedTruncatedNormal", "PopulationCount",
    "RandomGamma", "RandomPoisson", "RandomPoissonV2", "RandomStandardNormal",
    "RandomUniform", "RandomUniformInt", "Range", "Rank", "RequantizationRange",
    "Requantize", "ReverseSequence", "Shape", "ShapeN", "Size", "SpaceToBatch",
    "SpaceToBatchND", "SpaceToDepth", "SparseMatMul", "Split", "SplitV", "TruncatedNormal",
    "Unique", "UniqueV2", "UniqueWithCounts", "UniqueWithCountsV2", "Unpack", "UnravelIndex",
    "UpperBound", "Where"})


def _nodes_feeding_inplace_ops(nodes: list[WorkNode]) -> set[str]:
    """Nodes whose buffer may reach an in-place op (walk inputs while they forward)."""
    roots = [n for n in nodes if modifies_inputs_in_place(n)]
    if not roots:
        return set()
    by_name = {n.name: n for n in nodes}
    marked: set[str] = set()
    for root in roots:
        if root.name in marked:
            continue
        stack = [root]
        seen = {root.name}
        while stack:
            cur = stack.pop()
            marked.add(cur.name)
            for text in cur.inputs:
                src = by_name.get(node_name(text))
                if src is None or src.name in seen:
                    continue
                if src.op == root.op or src.op not in _NEVER_FORWARDS:
                    seen.add(src.name)
                    stack.append(src)
    return marked
