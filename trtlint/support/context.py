"""What a support predicate can see of a node: inputs, shapes, constness, target."""

from __future__ import annotations

from typing import Any, Optional

from ..graph.model import Graph, Node, TensorRef
from ..graph.tensors import Shape
from ..shapes import ShapeMap
from ..target import Target

# TF-TRT's validator looks through chains of Identity to find where an input comes from.
PASS_THROUGH = ("Identity",)


def plain_dims(shape: Shape) -> Shape:
    """``shape`` with every unknown dim as -1 (symbols dropped)."""
    if shape is None or all(d >= -1 for d in shape):
        return shape
    return tuple(-1 if d < 0 else d for d in shape)


class NodeContext:
    def __init__(self, node: Node, graph: Graph, shapes: ShapeMap, target: Target) -> None:
        self.node = node
        self.graph = graph
        self.shapes = shapes
        self.target = target

    # -- inputs ---------------------------------------------------------------------
    @property
    def num_inputs(self) -> int:
        return len(self.node.inputs)

    def input_ref(self, i: int) -> Optional[TensorRef]:
        return self.node.inputs[i] if i < len(self.node.inputs) else None

    def input_source(self, i: int) -> Optional[tuple[Node, int]]:
        """The node (and output index) that really produces input ``i``, looking through
        Identity chains as TF-TRT's validator does."""
        ref = self.input_ref(i)
        if ref is None:
            return None
        node = self.graph.get(ref.node)
        index = ref.index
        seen = 0
        while node is not None and node.op in PASS_THROUGH and node.inputs and seen < 1000:
            ref = node.inputs[0]
            node, index = self.graph.get(ref.node), ref.index
            seen += 1
        return (node, index) if node is not None else None

    def input_is_const(self, i: int) -> bool:
        """Whether input ``i`` reaches the converter as weights rather than a tensor: its
        producer is one of the profile's weight ops (TF 2.17 converts a VariableV2 to
        weights like a Const; TF1's validators know only Const)."""
        src = self.input_source(i)
        return src is not None and src[0].op in self.weight_ops

    @property
    def weight_ops(self) -> frozenset:
        # Imported here: the rule set imports the predicates, which import this module.
        from .ruleset import load_ruleset

        return load_ruleset(self.target.profile).weight_ops

    def input_shape(self, i: int) -> Shape:
        """Input ``i``'s shape as TF-TRT's converters see it: grappler's symbols for
        unknown dims arrive as plain -1 in TensorRT dims, so -1 it is here."""
        ref = self.input_ref(i)
        return None if ref is None else plain_dims(self.shapes.shape(ref))

    def input_rank(self, i: int) -> Optional[int]:
        s = self.input_shape(i)
        return None if s is None else len(s)

    def input_dtype(self, i: int) -> Optional[str]:
        ref = self.input_ref(i)
        return None if ref is None else self.graph.output_dtype(ref)

    def input_value(self, i: int) -> Optional[list]:
        """Constant value of input ``i`` (small tensors), from a Const or folding."""
        ref = self.input_ref(i)
        if ref is None:
            return None
        v = self.shapes.value(ref)
        if v is not None:
            return v
        src = self.input_source(i)
        if src is not None and src[0].op == "Const" and src[0].value is not None:
            return src[0].value.values(limit=4096)
        return None

    def output_shape(self, i: int = 0) -> Shape:
        return plain_dims(self.shapes.output_shape(self.node.name, i))

    # -- attributes & target --------------------------------------------------------
    def attr(self, key: str, default: Any = None) -> Any:
        return self.node.attr(key, default)

    @property
    def implicit_batch(self) -> bool:
        return self.target.implicit_batch

    @property
    def precision(self) -> str:
        return self.target.precision
