"""TF-TRT's candidate test, node by node, in the order TF-TRT applies it.

For profile ``tf2`` (TF 2.17's segment.cc and TrtNodeValidator) a node is rejected,
with the first reason that applies, when:

1. it is placed on a device that is not a GPU;
2. it is a graph input or output (the segmenter's exclude list);
3. implicit batch mode: its batch-determining inputs have unknown rank or a leading
   shape of rank < 2, or disagree on the batch size;
4. static engines only: its first output has an unknown non-batch dimension;
5. its op type has no converter (quantization ops only count in INT8);
6. one of its inputs cannot become a TensorRT tensor or weights (dtype, rank, scalar
   in implicit batch, empty dims);
7. the op's converter refuses it (rules/PROFILE.toml);
8. its op type is in TF_TRT_OP_DENYLIST.

Which of these generic steps run is the profile's (:class:`~.ruleset.CandidateSteps`,
the rules file's ``[segmenter]`` table): TF-TRT 1.13 and 1.15 have no device,
implicit-batch or dynamic-dimension test and no denylist, exclude every Placeholder,
check each input with the rules file's ``[tensor_inputs]``/``[const_inputs]``
requirements, and call an input "a Const" only when its producer's op is Const.
"""

from __future__ import annotations

from typing import Iterable, Optional

from ..graph.model import Graph, Node, TensorRef
from ..graph.tensors import Shape, format_shape
from ..shapes import ShapeMap
from ..target import Target
from . import checks
from .context import NodeContext
from .decision import Reason, SupportDecision
from .ruleset import CandidateSteps, Requirement, RuleSet

# Ops whose implicit-batch size is decided by all inputs (they broadcast), and ops
# whose batch comes from another input than the first (segment.cc, TF 2.17).
BROADCAST_OPS = frozenset({"Add", "AddV2", "Mul", "Sub", "Div", "FloorDiv", "RealDiv",
                           "Minimum", "Maximum", "Pow", "BiasAdd", "SquaredDifference",
                           "BatchMatMul", "BatchMatMulV2"})
BATCH_FROM_INPUT_2 = frozenset({"Conv2DBackpropInput", "Conv3DBackpropInputV2"})
#: TensorFlow data types TensorRT can hold as weights
WEIGHT_DTYPES = frozenset({"float32", "float16", "int32", "int8", "bool", "uint8", "int64",
                           "float64", "int16", "uint16", "bfloat16"})

IO_MESSAGE = "excluded by segmenter option. Most likely an input or output node."
#: TensorFlow's own dtype names, which TF-TRT prints in its messages
TF_DTYPE_NAMES = {"float32": "float", "float16": "half", "float64": "double"}
FAKE_QUANT_OPS = frozenset({"FakeQuantWithMinMaxArgs", "FakeQuantWithMinMaxVars"})


def tf_dtype_name(dtype) -> str:
    """``"float32" -> "float"``: how TF-TRT's messages spell a dtype."""
    return TF_DTYPE_NAMES.get(dtype, str(dtype)) if dtype is not None else "unknown"
DEFAULT_FIXES = {
    "io": None,
    "device": "Clear the device placement (TF-TRT only converts nodes that can run on a GPU).",
    "implicit_batch_rank": "Use dynamic shape mode (--dynamic-shape; TrtGraphConverterV2("
                           "use_dynamic_shape=True)), or give the tensor a batch dimension.",
    "dynamic_non_batch": "Fix the input shapes (--input-shape NAME=1x300x300x3 or a fixed "
                         "placeholder shape), or build dynamic engines (drop --max-batch-size).",
    "op_not_supported": "This op stays in TensorFlow: replace it with supported ops, move it out "
                        "of the inference graph, or accept the TensorFlow<->TensorRT boundary.",
    "denylist": "Remove the op type from TF_TRT_OP_DENYLIST.",
}


def parse_device_type(device: str) -> Optional[str]:
    """Device type of a TensorFlow device string ("/device:GPU:0" -> "GPU"), "" when the
    string names no type, None when it does not parse."""
    if not device:
        return ""
    text = device.strip()
    for part in text.split("/"):
        if not part:
            continue
        low = part.lower()
        if low.startswith("device:"):
            fields = part.split(":")
            return fields[1].upper() if len(fields) >= 2 and fields[1] else None
        if low.startswith(("job:", "replica:", "task:")):
            continue
        fields = part.split(":")
        if len(fields) == 2 and fields[1].isdigit() or fields[-1] == "*":
            return fields[0].upper()  # legacy "/gpu:0"
        return None
    return ""


def find_leading_shape(shapes: list[tuple[int, ...]]) -> Optional[tuple[int, ...]]:
    """The shape deciding an op's implicit batch size (segment.cc's FindLeadingShape)."""
    result = shapes[0]
    max_batch = 1 if len(result) < 1 else result[0]
    for s in shapes[1:]:
        if len(s) < len(result):
            continue
        if len(s) > len(result):
            result = s
            max_batch = 1 if len(s) < 1 else s[0]
            continue
        if len(result) < 1:
            continue
        if s[0] < 0 or result[0] < 0:
            if s[0] < 0 and result[0] >= 0:
                result = s
            else:
                max_batch = max(max_batch, s[0])
            continue
        if s[0] > result[0]:
            result = s
            max_batch = result[0]
    if len(result) > 0 and result[0] < 0:
        return result if max_batch <= 1 else None
    return result


class LiteralConstContext(NodeContext):
    """TF1's validators: an input is a Const only when its producer's op is Const (they
    do not look through Identity)."""

    def input_source(self, i: int) -> Optional[tuple[Node, int]]:
        ref = self.input_ref(i)
        node = None if ref is None else self.graph.get(ref.node)
        return None if node is None else (node, ref.index)  # type: ignore[union-attr]


#: op types a grappler item built from a MetaGraphDef feeds (every one of them is preserved)
FEED_OPS = frozenset({"Placeholder"})
#: op types the loader lists as graph inputs
INPUT_OPS = frozenset({"Placeholder", "PlaceholderWithDefault"})


class CandidateValidator:
    """Decides, per node, whether TF-TRT would accept it as a segment candidate."""

    def __init__(self, graph: Graph, shapes: ShapeMap, target: Target, rules: RuleSet,
                 exclude: Iterable[str] = ()) -> None:
        self.graph = graph
        self.shapes = shapes
        self.target = target
        self.rules = rules
        self.steps: CandidateSteps = rules.steps
        self.exclude = set(exclude)
        if "feed" in self.steps.exclude:
            self.exclude.update(n.name for n in graph if n.op in FEED_OPS)
        if self.steps.excluded_input_ops is not None:
            # an input TF-TRT does not feed (2.17: a PlaceholderWithDefault) is judged as an op
            self.exclude -= {name for name in self.exclude
                             if name in graph.nodes and graph[name].op in INPUT_OPS
                             and graph[name].op not in self.steps.excluded_input_ops}
        self._static = target.static_engines
        self._context = NodeContext if self.steps.identity_look_through else LiteralConstContext
        #: explicit QDQ mode: a QuantizeAndDequantizeV2 anywhere switches TF-TRT to INT8
        self.explicit_qdq = any(n.op in rules.explicit_qdq_ops for n in graph)
        self.weight_dtypes = rules.weight_dtypes or WEIGHT_DTYPES

    # -- helpers --------------------------------------------------------------------
    def batch_inputs(self, node: Node) -> list[Shape]:
        shapes = [self.shapes.shape(r) for r in node.inputs]
        if node.op in BATCH_FROM_INPUT_2:
            return shapes[2:3]
        if node.op in BROADCAST_OPS:
            return shapes
        return shapes[:1]

    def translatable_to_implicit_batch(self, node: Node) -> bool:
        if not node.inputs:
            return True
        inputs = self.batch_inputs(node)
        if not inputs or any(s is None for s in inputs):
            return False
        leading = find_leading_shape([tuple(s) for s in inputs])  # type: ignore[arg-type]
        return leading is not None and len(leading) >= 2

    def leading_batch(self, node: Node) -> Optional[int]:
        """The implicit batch size this node imposes on its segment (-1 dynamic)."""
        if not node.inputs:
            return None
        inputs = self.batch_inputs(node)
        if not inputs or any(s is None for s in inputs):
            return None
        leading = find_leading_shape([tuple(s) for s in inputs])  # type: ignore[arg-type]
        if leading is None or len(leading) < 1:
            return None
        return leading[0]

    def dynamic_non_batch(self, node: Node) -> bool:
        if not node.inputs or self.graph.num_outputs(node) == 0:
            return False
        s = self.shapes.output_shape(node.name, 0)
        if s is None:
            return True
        return any(d < 0 for d in s[1:])

    def _reason(self, code: str, message: str, category: str, fix: Optional[str] = None,
                input_index: Optional[int] = None) -> Reason:
        return Reason(code, message, category, fix if fix is not None else DEFAULT_FIXES.get(code),
                      input_index)

    # -- the decision ---------------------------------------------------------------
    def decide(self, node: Node) -> SupportDecision:
        reason = self._first_reason(node)
        if reason is None:
            return SupportDecision(node.name, node.op, True)
        return SupportDecision(node.name, node.op, False, [reason])

    def context(self, node: Node) -> NodeContext:
        """What the profile's predicates see of ``node``."""
        return self._context(node, self.graph, self.shapes, self.target)

    def _first_reason(self, node: Node) -> Optional[Reason]:
        rules, steps = self.rules, self.steps
        dev = parse_device_type(node.device)
        if steps.device_check and (dev is None or dev not in ("", "GPU")):
            return self._reason("device", rules.message("device", "node can't be placed on GPU"),
                                "device")
        if node.name in self.exclude:
            return self._reason("io", rules.message("io", IO_MESSAGE), "io")
        if steps.implicit_batch_check and self.target.implicit_batch and \
                not self.translatable_to_implicit_batch(node):
            return self._reason("implicit_batch_rank", rules.message(
                "implicit_batch_rank",
                "implicit batch mode requires input shape with at least two dimensions"),
                "batch_dim")
        if steps.dynamic_non_batch_check and self._static and self.dynamic_non_batch(node):
            return self._reason("dynamic_non_batch", rules.message(
                "dynamic_non_batch", "dynamic non-batch dimensions not allowed"), "dynamic_shape")
        reason = self._converter_reason(node)
        if reason is not None:
            return reason
        if steps.op_denylist_env and node.op in self.target.denylist:
            return self._reason("denylist", "Denylisted with the env var TF_TRT_OP_DENYLIST",
                                "denylist")
        return None

    def _converter_reason(self, node: Node) -> Optional[Reason]:
        rules = self.rules
        op_rules = rules.rules_for(node.op)
        precision = "INT8" if self.explicit_qdq else self.target.precision
        unsupported = node.op not in rules.registered or any(
            r.precision is not None and precision not in r.precision for r in op_rules)
        if unsupported:
            return self._reason("op_not_supported", rules.message(
                "op_not_supported", "Op type {op} is not supported.").format(op=node.op),
                "unsupported_op")
        reason = self._inputs_reason(node)
        if reason is not None:
            return reason
        if node.op == "Const":
            reason = self._const_reason(node)
            if reason is not None:
                return reason
        if self.explicit_qdq and node.op in FAKE_QUANT_OPS:
            return self._reason("explicit_qdq", "", "precision",
                                "Use one quantization style: QuantizeAndDequantizeV2 (explicit "
                                "QDQ) or FakeQuant with calibration, not both.")
        if self.explicit_qdq and node.op == "QuantizeAndDequantizeV3":
            return self._reason("explicit_qdq", "No attr named 'round_mode' in NodeDef:\n\t "
                                f"[[{{{{node {node.name}}}}}]]", "precision")
        ctx = self.context(node)
        for rule in op_rules:
            if rule.dtypes is not None:
                dtype = node.attr(rule.dtype_attr)
                if isinstance(dtype, str) and dtype not in rule.dtypes:
                    allowed = ", ".join(tf_dtype_name(d) for d in rule.dtypes)
                    msg = (rule.dtype_message or rules.message(
                        "op_dtype", "Data type {dtype} is not supported for {op}, must be one of "
                                    "[{allowed}]")).format(dtype=tf_dtype_name(dtype), op=node.op,
                                                           node=node.name, allowed=allowed)
                    return self._reason("dtype", msg, "dtype")
            for req in rule.requirements:
                r = self._requirement_reason(ctx, req)
                if r is not None:
                    return r
        return None

    def _requirement_reason(self, ctx: NodeContext, req: Requirement,
                            params: Optional[dict] = None) -> Optional[Reason]:
        """The reason a segment-stage requirement gives, or None when it holds (or does
        not apply).  ``params`` overrides the requirement's own parameters."""
        if req.stage != "segment" or req.severity != "error":
            return None
        precision = "INT8" if self.explicit_qdq else self.target.precision
        if not req.applies(self.target.implicit_batch, precision, self._static, ctx.node.op,
                           self.target.use_calibration):
            return None
        params = req.params if params is None else params
        predicate = checks.lookup(req.check)
        failed = predicate(ctx, params) if predicate is not None else None
        if failed is None:
            return None
        message = requirement_message(req, ctx.node, failed, params)
        return self._reason(req.check, message, req.category, req.fix,
                            failed.get("input") if isinstance(failed.get("input"), int) else None)

    def _const_reason(self, node: Node) -> Optional[Reason]:
        """Whether TF-TRT's Const converter takes this Const (as a candidate itself, or
        as the weights of an input): its dtype, then the profile's [const_inputs]."""
        dtype = node.attr("dtype")
        if isinstance(dtype, str) and dtype not in self.weight_dtypes:
            return self._reason("dtype", self.rules.message(
                "weights_dtype", "Unsupported tensorflow data type {dtype}").format(
                    dtype=tf_dtype_name(dtype)), "dtype")
        ctx = self.context(node)
        for req in self.rules.const_requirements:
            reason = self._requirement_reason(ctx, req)
            if reason is not None:
                return reason
        return None

    def _inputs_reason(self, node: Node) -> Optional[Reason]:
        """Every data input must convert to a TensorRT tensor or to weights."""
        if self.rules.tensor_requirements:
            return self._inputs_reason_by_rules(node)
        rules = self.rules
        prefix = rules.message("input_prefix",
                               "Failed to convert at least one input to a TRT_TensorOrWeights: ")
        ctx = NodeContext(node, self.graph, self.shapes, self.target)
        for i, ref in enumerate(node.inputs):
            src = ctx.input_source(i)
            if src is None:
                continue
            src_node, port = src
            if src_node.op in ("Placeholder", "VarHandleOp") and \
                    src_node.attr("dtype") == "resource":
                continue
            if src_node.op in ("Const", "VariableV2", "ReadVariableOp"):
                if src_node.op in ("Const", "VariableV2") and port != 0:
                    msg = f"{src_node.op} node should only have one output."
                    return self._reason("input", prefix + msg, "input", input_index=i)
                dtype = src_node.attr("dtype") or self.graph.output_dtype(ref)
                if src_node.op in self.rules.weight_ops and src_node.op != "Const":
                    # Converted to weights by its own converter (TF 2.17's VariableV2),
                    # which checks the dtype with its own list and words.
                    reason = self._own_dtype_reason(src_node)
                    if reason is not None:
                        return self._reason("input_dtype", prefix + reason, "dtype",
                                            input_index=i)
                    continue
                if dtype is not None and dtype not in self.weight_dtypes and dtype != "resource":
                    msg = rules.message("weights_dtype", "Unsupported tensorflow data type "
                                                         "{dtype}").format(dtype=tf_dtype_name(dtype))
                    return self._reason("input_dtype", prefix + msg, "dtype", input_index=i)
                continue
            src_ref = TensorRef(src_node.name, port)
            dtype = self.graph.output_dtype(src_ref)
            shape = self.shapes.shape(src_ref)
            msg, category = self._tensor_problem(src_node.op, dtype, shape)
            if msg is not None:
                return self._reason("input_dtype" if category == "dtype" else "input_shape",
                                    prefix + msg, category, input_index=i)
        return None

    def _own_dtype_reason(self, node: Node) -> Optional[str]:
        """The dtype rejection of ``node``'s own converter, or None."""
        for rule in self.rules.rules_for(node.op):
            dtype = node.attr(rule.dtype_attr)
            if rule.dtypes is not None and isinstance(dtype, str) and dtype not in rule.dtypes:
                allowed = ", ".join(tf_dtype_name(d) for d in rule.dtypes)
                return (rule.dtype_message or self.rules.message(
                    "op_dtype", "Data type {dtype} is not supported for {op}, must be one of "
                                "[{allowed}]")).format(dtype=tf_dtype_name(dtype), op=node.op,
                                                       node=node.name, allowed=allowed)
        return None

    def _inputs_reason_by_rules(self, node: Node) -> Optional[Reason]:
        """TF1: each data input in order; a Const producer goes through the Const
        converter, any other through the [tensor_inputs] dtypes and requirements.  The
        first failure is wrapped in the profile's ``input_prefix`` (``{index}``: the
        input's position; ``{input_name}``: the producer's node name)."""
        ctx = self.context(node)
        for i, ref in enumerate(node.inputs):
            producer = self.graph.get(ref.node)
            if producer is None:
                continue
            prefix = self.rules.message(
                "input_prefix", "Failed to convert input with index {index} to a "
                                "TRT_TensorOrWeights: ").format(index=i, input_name=producer.name)
            if producer.op == "Const":
                if ref.index != 0:
                    reason = self._reason("input", "Const node should only have one output.",
                                          "input", input_index=i)
                else:
                    reason = self._const_reason(producer)
            else:
                reason = self._tensor_input_reason(ctx, i, ref)
            if reason is not None:
                return Reason("input_" + reason.code if not reason.code.startswith("input")
                              else reason.code, prefix + reason.message, reason.category,
                              reason.fix, i)
        return None

    def _tensor_input_reason(self, ctx: NodeContext, i: int, ref: TensorRef) -> Optional[Reason]:
        dtype = self.graph.output_dtype(ref)
        if dtype is not None and dtype not in self.rules.tensor_dtypes:
            return self._reason("dtype", self.rules.message(
                "tensor_dtype", "Unsupported data type {dtype}").format(
                    dtype=tf_dtype_name(dtype)), "dtype")
        for req in self.rules.tensor_requirements:
            reason = self._requirement_reason(ctx, req, {**req.params, "input": i})
            if reason is not None:
                return reason
        return None

    def _tensor_problem(self, producer_op: str, dtype: Optional[str],
                        shape: Shape) -> tuple[Optional[str], str]:
        rules = self.rules
        if dtype is not None and dtype not in rules.tensor_dtypes:
            return rules.message("tensor_dtype", "Unsupported tensorflow data type {dtype}").format(
                dtype=tf_dtype_name(dtype)), "dtype"
        if shape is None:
            return rules.message("unknown_rank", "Input tensor rank is unknown."), "shape"
        implicit = self.target.implicit_batch
        max_rank = 8 + (1 if implicit else 0)
        if implicit and len(shape) == max_rank and "rank9_implicit" in rules.raw.get("messages", {}):
            return rules.message("rank9_implicit", ""), "shape"
        if len(shape) > max_rank:
            return rules.message("rank_too_big", "Input tensor rank is greater than {max}").format(
                max=max_rank), "shape"
        if implicit and producer_op != "Const" and len(shape) < 1:
            return rules.message(
                "scalar_input", "Scalar input tensor is not supported since the first dimension "
                                "is treated as batch dimension by TRT"), "batch_dim"
        first = 1 if implicit else 0
        if any(d == 0 for d in shape[first:]):
            return rules.message(
                "empty_tensor", "Input tensor with shape {shape} is an empty tensor, which is not "
                                "supported by TRT").format(shape=format_shape(shape)), "shape"
        return None, ""


def requirement_message(req: Requirement, node: Node, failed: dict,
                        params: Optional[dict] = None) -> str:
    """The text of a failed requirement: the predicate's own ``message``, the
    alternative it picked with ``which``, or the rule's ``message``; formatted with
    the node, the rule's parameters and what the predicate found."""
    values = {"op": node.op, "node": node.name, **(req.params if params is None else params),
              **failed}
    if "dtype" in values:
        values["dtype"] = tf_dtype_name(values["dtype"])
    which = failed.get("which")
    alternatives = req.messages or checks.default_messages(req.check)
    if "message" in failed:
        template = failed["message"]
    elif which is not None and which < len(alternatives) and not req.message:
        template = alternatives[which]
    else:
        template = req.message or (alternatives[0] if alternatives else f"{req.check} failed")
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return template
