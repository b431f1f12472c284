"""What a model is made of: the facts ``trtlint inspect`` reports.

This is the seed author's "Step 1" (finding input and output names with TensorBoard
and saved_model_cli) in one call: format, producer, op histogram, inputs, outputs,
parameters by dtype, control flow and the function library.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from .graph import dtypes
from .graph.attrs import FuncRef
from .graph.model import Graph
from .graph.tensors import num_elements
from .load.model import Model, TensorSpec

V1_CONTROL_FLOW = ("Switch", "Merge", "Enter", "Exit", "NextIteration", "LoopCond",
                   "RefSwitch", "RefMerge", "RefEnter", "RefExit", "RefNextIteration")
FUNCTIONAL_CONTROL_FLOW = ("While", "StatelessWhile", "If", "StatelessIf", "Case",
                           "StatelessCase")
VARIABLE_OPS = ("VariableV2", "Variable", "VarHandleOp")


@dataclass
class Parameters:
    count: int = 0
    bytes: int = 0
    by_dtype: dict[str, dict[str, int]] = field(default_factory=dict)
    unknown_size: int = 0        # weight tensors whose shape is not fully known

    def add(self, dtype: str, shape) -> None:
        n = num_elements(tuple(shape) if shape is not None else None)
        if n is None:
            self.unknown_size += 1
            return
        size = n * dtypes.size(dtype)
        entry = self.by_dtype.setdefault(dtype, {"count": 0, "bytes": 0})
        entry["count"] += n
        entry["bytes"] += size
        self.count += n
        self.bytes += size


@dataclass
class ControlFlow:
    v1: dict[str, int] = field(default_factory=dict)
    tensor_arrays: dict[str, int] = field(default_factory=dict)
    functional: dict[str, int] = field(default_factory=dict)
    #: functional control flow found inside library functions (not the main graph)
    in_functions: dict[str, int] = field(default_factory=dict)
    #: functional ops the loader lowered to v1 control flow (TF2 SavedModels), by op type
    lowered: dict[str, int] = field(default_factory=dict)

    @property
    def any(self) -> bool:
        return bool(self.v1 or self.tensor_arrays or self.functional or self.in_functions
                     or self.lowered)


@dataclass
class FunctionInfo:
    name: str
    nodes: int
    called_by: list[str]


@dataclass
class ModelSummary:
    model: Model
    op_types: dict[str, int]
    parameters: Parameters
    control_flow: ControlFlow
    functions: list[FunctionInfo]
    custom_ops: list[str]
    unfrozen_variables: int

    @property
    def graph(self) -> Graph:
        return self.model.graph


def summarize(model: Model) -> ModelSummary:
    graph = model.graph
    params = Parameters()
    cf = ControlFlow()
    unfrozen = 0
    for node in graph:
        op = node.op
        if op == "Const":
            value = node.value
            if value is not None:
                if value.num_elements is not None and value.num_elements > 1:
                    params.add(value.dtype, value.shape)
            elif node.attrs.get("_frozen_variable"):
                params.add(node.attr("dtype") or "float32", node.attrs.get("_variable_shape"))
        elif op in VARIABLE_OPS:
            unfrozen += 1
            params.add(dtypes.base(node.attr("dtype") or "float32"), node.attr("shape"))
        if op in V1_CONTROL_FLOW:
            cf.v1[op] = cf.v1.get(op, 0) + 1
        elif op.startswith("TensorArray"):
            cf.tensor_arrays[op] = cf.tensor_arrays.get(op, 0) + 1
        elif op in FUNCTIONAL_CONTROL_FLOW:
            cf.functional[op] = cf.functional.get(op, 0) + 1

    callers: dict[str, list[str]] = {}
    for node in graph:
        for value in node.attrs.values():
            for ref in value if isinstance(value, list) else [value]:
                if isinstance(ref, FuncRef):
                    callers.setdefault(ref.name, []).append(node.name)
    functions = []
    for name, fdef in graph.library.items():
        for nd in fdef.node_def:
            if nd.op in FUNCTIONAL_CONTROL_FLOW:
                cf.in_functions[nd.op] = cf.in_functions.get(nd.op, 0) + 1
        functions.append(FunctionInfo(name, len(fdef.node_def), callers.get(name, [])))

    for c in model.lowered_control_flow:
        cf.lowered[c.op] = cf.lowered.get(c.op, 0) + 1

    registry = graph.registry
    custom = sorted({n.op for n in graph if n.op not in registry and n.op not in graph.library})
    return ModelSummary(model, graph.op_histogram(), params, cf, functions, custom, unfrozen)


def spec_json(spec: TensorSpec) -> dict:
    out = {"name": spec.name, "dtype": spec.dtype,
           "shape": list(spec.shape) if spec.shape is not None else None}
    if spec.index:
        out["index"] = spec.index
    if spec.key is not None:
        out["signature_key"] = spec.key
    return out


def model_json(model: Model, op_types: Optional[dict[str, int]] = None) -> dict:
    """The ``model`` object of the JSON report contract (DESIGN.md)."""
    out = {"path": str(model.path), "format": model.format, "nodes": len(model.graph),
           "op_types": op_types if op_types is not None else model.graph.op_histogram()}
    if model.producer is not None:
        out["producer"] = model.producer
    if model.tensorflow_version:
        out["tensorflow_version"] = model.tensorflow_version
    if model.signature:
        out["signature"] = model.signature
        out["tags"] = model.tags
    return out


def summary_json(s: ModelSummary) -> dict:
    m = s.model
    return {
        "schema": "trtlint.inspect/1",
        "model": model_json(m, s.op_types),
        "inputs": [spec_json(i) for i in m.inputs],
        "outputs": [spec_json(o) for o in m.outputs],
        "outputs_from_sinks": m.outputs_from_sinks,
        "signatures": m.signatures,
        "parameters": {"count": s.parameters.count, "bytes": s.parameters.bytes,
                       "by_dtype": s.parameters.by_dtype,
                       "tensors_of_unknown_size": s.parameters.unknown_size},
        "unfrozen_variables": s.unfrozen_variables,
        "frozen_variables": len(m.frozen_variables),
        "control_flow": {"v1": s.control_flow.v1, "tensor_arrays": s.control_flow.tensor_arrays,
                         "functional": s.control_flow.functional,
                         "functional_in_library": s.control_flow.in_functions,
                         "lowered": [{"name": c.name, "op": c.op, "functions": list(c.functions)}
                                     for c in s.model.lowered_control_flow]},
        "functions": [{"name": f.name, "nodes": f.nodes, "called_by": f.called_by}
                      for f in s.functions],
        "custom_ops": s.custom_ops,
    }
