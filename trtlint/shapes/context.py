"""What a shape function can see of one node while shapes are being inferred."""

from __future__ import annotations

from typing import Any, Optional

from ..graph.model import Graph, Node, TensorRef
from ..graph.tensors import Shape

#: constant values are tracked only for tensors this small (shape arithmetic)
MAX_VALUE_ELEMENTS = 1024


class ShapeContext:
    """Inputs' shapes, dtypes and (when known) constant values for one node."""

    __slots__ = ("node", "graph", "_shapes", "_values", "num_outputs", "_out_values")

    def __init__(self, node: Node, graph: Graph, shapes: dict, values: dict,
                 num_outputs: Optional[int]) -> None:
        self.node = node
        self.graph = graph
        self._shapes = shapes
        self._values = values
        self.num_outputs = num_outputs
        self._out_values: dict[int, list] = {}

    # -- inputs ---------------------------------------------------------------------
    @property
    def num_inputs(self) -> int:
        return len(self.node.inputs)

    def input_ref(self, i: int) -> TensorRef:
        return self.node.inputs[i]

    def input_shape(self, i: int) -> Shape:
        """Shape of data input ``i`` (None when unknown or out of range)."""
        if i >= len(self.node.inputs):
            return None
        ref = self.node.inputs[i]
        outs = self._shapes.get(ref.node)
        if outs is None or ref.index >= len(outs):
            return None
        return outs[ref.index]

    def input_rank(self, i: int) -> Optional[int]:
        s = self.input_shape(i)
        return None if s is None else len(s)

    def input_value(self, i: int) -> Optional[list]:
        """Flattened constant value of input ``i`` when known (small tensors only)."""
        if i >= len(self.node.inputs):
            return None
        ref = self.node.inputs[i]
        return self._values.get((ref.node, ref.index))

    def input_dtype(self, i: int) -> Optional[str]:
        if i >= len(self.node.inputs):
            return None
        return self.graph.output_dtype(self.node.inputs[i])

    def input_node(self, i: int) -> Optional[Node]:
        if i >= len(self.node.inputs):
            return None
        return self.graph.get(self.node.inputs[i].node)

    # -- attributes -----------------------------------------------------------------
    def attr(self, key: str, default: Any = None) -> Any:
        return self.node.attr(key, default)

    # -- outputs --------------------------------------------------------------------
    def set_value(self, output: int, values: Optional[list]) -> None:
        """Record the constant value of an output (ignored when too large)."""
        if values is not None and len(values) <= MAX_VALUE_ELEMENTS:
            self._out_values[output] = values

    def unknown_outputs(self) -> list[Shape]:
        return [None] * (self.num_outputs or 1)
