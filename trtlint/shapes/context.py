"""What a shape function can see of one node while shapes are being inferred.

Besides shapes, the driver tracks two kinds of side information, as TensorFlow's shape
inference does:

* **values** of small tensors (shape arithmetic: ``Shape -> StridedSlice -> Pack ->
  Reshape``).  A value is the flat row-major list of elements; an element may be
  ``None`` when only part of the tensor is known (``Shape`` of a ``[?, 3]`` tensor is
  ``[None, 3]``), which is what TensorFlow calls a *partial shape* of a shape tensor.
* **handle data**: the shape a resource handle's payload has (a TensorArray's element
  shape, a variable's shape), so that reads through the handle know their shape.
"""

from __future__ import annotations

from typing import Any, Optional

from ..graph.model import Graph, Node, TensorRef
from ..graph.tensors import Shape
from .util import ShapeError, dims_from_values, with_rank

#: constant values are tracked only for tensors this small (shape arithmetic)
MAX_VALUE_ELEMENTS = 1024

#: dtypes whose constants are decoded for value propagation
VALUE_DTYPES = frozenset({"int32", "int64", "int16", "int8", "uint8", "uint16", "uint32",
                          "uint64", "bool", "float32", "float64", "float16", "bfloat16"})

_CONST_OPS = frozenset({"Const", "HostConst"})


class ShapeContext:
    """Inputs' shapes, dtypes and (when known) constant values for one node."""

    __slots__ = ("node", "graph", "_shapes", "_values", "_handles", "num_outputs",
                 "_out_values", "_out_handles")

    def __init__(self, node: Node, graph: Graph, shapes: dict, values: dict,
                 num_outputs: Optional[int], handles: Optional[dict] = None) -> None:
        self.node = node
        self.graph = graph
        self._shapes = shapes
        self._values = values
        self._handles = handles if handles is not None else {}
        self.num_outputs = num_outputs
        self._out_values: dict[int, list] = {}
        self._out_handles: dict[int, Any] = {}

    # -- inputs ---------------------------------------------------------------------
    @property
    def num_inputs(self) -> int:
        return len(self.node.inputs)

    def input_ref(self, i: int) -> TensorRef:
        return self.node.inputs[i]

    def input_shape(self, i: int) -> Shape:
        """Shape of data input ``i`` (None when unknown or out of range)."""
        inputs = self.node.inputs
        if i >= len(inputs):
            return None
        ref = inputs[i]
        outs = self._shapes.get(ref.node)
        if outs is None or ref.index >= len(outs):
            return None
        return outs[ref.index]

    def input_shapes(self) -> list[Shape]:
        return [self.input_shape(i) for i in range(len(self.node.inputs))]

    def input_rank(self, i: int) -> Optional[int]:
        s = self.input_shape(i)
        return None if s is None else len(s)

    def input_partial(self, i: int) -> Optional[list]:
        """Flattened value of input ``i``; elements may be None where unknown."""
        inputs = self.node.inputs
        if i >= len(inputs):
            return None
        ref = inputs[i]
        key = (ref.node, ref.index)
        v = self._values.get(key)
        if v is None and ref.index == 0 and key not in self._values:
            src = self.graph.get(ref.node)
            if src is not None and src.op in _CONST_OPS:
                v = const_value(src)
                # None is cached too: a weight tensor is looked at once, not per use
                self._values[key] = v
        return v

    def input_value(self, i: int) -> Optional[list]:
        """Flattened constant value of input ``i`` when every element is known."""
        v = self.input_partial(i)
        if v is None or any(x is None for x in v):
            return None
        return v

    def input_scalar(self, i: int) -> Any:
        """The single element of a known one-element input, else None."""
        v = self.input_value(i)
        if v is None or len(v) != 1:
            return None
        return v[0]

    def input_ints(self, i: int) -> Optional[list[int]]:
        v = self.input_value(i)
        return None if v is None else [int(x) for x in v]

    def input_dtype(self, i: int) -> Optional[str]:
        if i >= len(self.node.inputs):
            return None
        return self.graph.output_dtype(self.node.inputs[i])

    def input_node(self, i: int) -> Optional[Node]:
        if i >= len(self.node.inputs):
            return None
        return self.graph.get(self.node.inputs[i].node)

    def input_handle(self, i: int) -> Any:
        """Handle data (payload shape) of resource input ``i``, when known."""
        if i >= len(self.node.inputs):
            return None
        ref = self.node.inputs[i]
        return self._handles.get((ref.node, ref.index))

    def shape_from_tensor(self, i: int, scalar_means_unknown: bool = False) -> Shape:
        """The shape a 1-D shape tensor (input ``i``) describes.

        Uses the tensor's (partial) value when known; otherwise its length gives the
        rank.  With ``scalar_means_unknown`` a scalar -1 stands for "unknown rank", the
        convention of ops such as ``TensorListReserve``'s element_shape.
        """
        value = self.input_partial(i)
        in_shape = self.input_shape(i)
        if scalar_means_unknown and in_shape is not None and len(in_shape) == 0:
            if value is not None and value[0] is not None and int(value[0]) == -1:
                return None
            if value is None:
                return None
        if value is not None:
            if in_shape is not None and len(in_shape) == 0:
                raise ShapeError("shape tensor must be a vector")
            return dims_from_values(value)
        if in_shape is None:
            return None
        n = with_rank(in_shape, 1)[0]
        return None if n < 0 else (-1,) * n

    # -- attributes -----------------------------------------------------------------
    def attr(self, key: str, default: Any = None) -> Any:
        return self.node.attr(key, default)

    @property
    def op(self) -> str:
        return self.node.op

    # -- outputs --------------------------------------------------------------------
    def set_value(self, output: int, values: Optional[list]) -> None:
        """Record the (partial) value of an output (ignored when too large)."""
        if values is not None and len(values) <= MAX_VALUE_ELEMENTS:
            self._out_values[output] = values

    def set_handle(self, output: int, data: Any) -> None:
        """Record what resource output ``output`` points to (e.g. an element shape)."""
        if data is not None:
            self._out_handles[output] = data

    def unknown_outputs(self) -> list[Shape]:
        return [None] * (self.num_outputs or 1)


def const_value(node: Node) -> Optional[list]:
    """The flat value of a small numeric Const node (None when large or undecodable)."""
    value = node.value
    if value is None:
        # The loader synthesises scalar constants (e.g. a gather axis) as ``_scalar``.
        scalar = node.attrs.get("_scalar")
        return [scalar] if scalar is not None else None
    if value.dtype not in VALUE_DTYPES:
        return None
    n = value.num_elements
    if n is None or n > MAX_VALUE_ELEMENTS:
        return None
    return value.values(limit=MAX_VALUE_ELEMENTS)
