"""What a shape function can see of one node while shapes are being inferred.

Besides shapes, the driver tracks two kinds of side information, as TensorFlow's shape
inference does:

* **values** of small tensors (shape arithmetic: ``Shape -> StridedSlice -> Pack ->
  Reshape``).  A value is the flat row-major list of elements; an element may be
  ``None`` when only part of the tensor is known (``Shape`` of a ``[?, 3]`` tensor is
  ``[None, 3]``), which is what TensorFlow calls a *partial shape* of a shape tensor.
* **handle data**: the shape a resource handle's payload has (a TensorArray's element
  shape, a variable's shape), so that reads through the handle know their shape.

Two views of values exist (see :mod:`trtlint.shapes.infer`).  TensorFlow's import-time
inference evaluates any constant-foldable subgraph, so a shape function sees the value
of ``Shape(x)[1] * 2``.  Grappler, whose shapes TF-TRT uses, evaluates nothing: a shape
function there sees only small constants (at most 128 elements), the values of ``Rank``
and ``Size``, and *tensors read as shapes* -- ``Shape``, and ``Pack``/``ConcatV2``/
``Slice``/``StridedSlice``/``Identity`` of shape vectors -- whose unknown elements keep
their symbols (``Reshape(y, Shape(x))`` has exactly x's dims).

Unknown dims are symbols (:mod:`trtlint.shapes.symbols`).  :meth:`ShapeContext.with_rank`
is the rank requirement that refines an unknown-rank *input* (its identity is known
here, not to the free function :func:`~trtlint.shapes.util.with_rank`).
"""

from __future__ import annotations

from typing import Any, Optional

from ..graph.model import Graph, Node, TensorRef
from ..graph.tensors import Shape
from .util import ShapeError, dims_from_values, merge, with_rank

#: constant values are tracked only for tensors this small (shape arithmetic)
MAX_VALUE_ELEMENTS = 1024
#: grappler instantiates constants for shape functions only up to this many elements
GRAPPLER_CONST_ELEMENTS = 128

#: dtypes whose constants are decoded for value propagation
VALUE_DTYPES = frozenset({"int32", "int64", "int16", "int8", "uint8", "uint16", "uint32",
                          "uint64", "bool", "float32", "float64", "float16", "bfloat16"})

_CONST_OPS = frozenset({"Const", "HostConst"})


class ShapeContext:
    """Inputs' shapes, dtypes and (when known) constant values for one node."""

    __slots__ = ("node", "graph", "_shapes", "_values", "_handles", "num_outputs",
                 "_out_values", "_out_handles", "_run", "forwards", "output_ids", "refined")

    def __init__(self, node: Node, graph: Graph, shapes: dict, values: dict,
                 num_outputs: Optional[int], handles: Optional[dict] = None,
                 run: Any = None) -> None:
        self.node = node
        self.graph = graph
        self._shapes = shapes
        self._values = values
        self._handles = handles if handles is not None else {}
        self.num_outputs = num_outputs
        self._out_values: dict[int, list] = {}
        self._out_handles: dict[int, Any] = {}
        #: the inference run (symbols, merge log, value view); None for a bare context
        self._run = run
        #: output -> input whose (unknown-rank) shape it is, beyond the op's declaration
        self.forwards: Optional[dict[int, int]] = None
        #: output -> the identity its unknown rank has (a TensorArray's element shape)
        self.output_ids: Optional[dict[int, int]] = None
        #: id(dims) -> merge key of a shape ``with_rank`` gave an unknown-rank input: an
        #: output that *is* that shape takes whatever the input's class resolves to
        self.refined: Optional[dict[int, Any]] = None

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
        """Flattened value of input ``i``; elements may be None where unknown.

        In grappler's view only whole values exist (no partial ones), and a constant
        counts only when it has at most 128 elements."""
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
        if v is not None and self._run is not None and self._run.grappler and \
                len(v) > GRAPPLER_CONST_ELEMENTS:
            return None
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

        Uses the tensor's (partial) value when known -- in grappler's view, the tensor
        read as a shape, whose unknown elements keep their symbols -- otherwise its
        length gives the rank.  With ``scalar_means_unknown`` a scalar -1 stands for
        "unknown rank", the convention of ops such as ``TensorListReserve``'s
        element_shape.
        """
        run = self._run
        if run is not None and run.grappler and i < len(self.node.inputs):
            from .tensors_as_shapes import tensor_as_shape

            as_shape = tensor_as_shape(run, self.node.inputs[i])
            if as_shape is not None:
                in_shape = self.input_shape(i)
                if not scalar_means_unknown and in_shape is not None and len(in_shape) != 1:
                    raise ShapeError("shape tensor must be a vector")
                return as_shape
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

    # -- symbols ----------------------------------------------------------------------
    @property
    def grappler(self) -> bool:
        """True when inferring grappler's view (symbols, merges, no evaluation)."""
        return self._run is not None and self._run.grappler

    def new_dim(self) -> int:
        """A new unknown dim (TensorFlow's ``UnknownDim()``): a fresh symbol."""
        return self._run.symbols.new_dim() if self._run is not None else -1

    def shared(self, shape: Shape) -> Shape:
        """A shape several outputs have (TensorFlow sets one shape on each): its new
        unknown dims are made here, once, so that the outputs share them.  (Every -1
        left in an output becomes a dim of its own.)"""
        if shape is None or -1 not in shape:
            return shape
        return tuple(self.new_dim() if d == -1 else d for d in shape)

    def same_shape(self, output: int, i: int) -> Shape:
        """Output ``output`` *is* input ``i``'s shape (``set_output(k, input(i))``):
        returns that shape, and an unknown rank keeps the input's identity."""
        if self.forwards is None:
            self.forwards = {}
        self.forwards[output] = i
        return self.input_shape(i)

    def new_shape_id(self) -> Optional[int]:
        """A new identity for an unknown-rank shape (TensorFlow's ``UnknownShape()``)."""
        return self._run.symbols.new_shape() if self._run is not None else None

    def unknown_shape_as(self, output: int, shape_id: Optional[int]) -> Shape:
        """Output ``output`` has unknown rank, with identity ``shape_id``."""
        if shape_id is not None:
            if self.output_ids is None:
                self.output_ids = {}
            self.output_ids[output] = shape_id
        return None

    def input_shape_ref(self, i: int) -> tuple:
        """Input ``i``'s shape as a merge operand: ("u", identity) for an unknown rank,
        ("k", dims) otherwise (("u", None) when the identity is not tracked)."""
        shape = self.input_shape(i)
        if shape is not None:
            return ("k", shape)
        run = self._run
        if run is None or i >= len(self.node.inputs):
            return ("u", None)
        ref = self.node.inputs[i]
        return ("u", run.shape_ids.get((ref.node, ref.index)))

    def merge_shapes(self, a: tuple, b: tuple) -> tuple:
        """TensorFlow's ``Merge`` of two shapes given as merge operands (see
        :meth:`input_shape_ref`); returns the merged operand.  A merge that involves
        an unknown rank is recorded: grappler gives the unknown-rank tensor the other
        shape (and unifies the two unknown-rank tensors)."""
        if a == b:
            return a
        if a[0] == "u" or b[0] == "u":
            self._record_shape_merge(a, b)
            return a if b[0] == "u" else b
        return ("k", merge(a[1], b[1]))

    def merge_inputs(self, indices) -> Shape:
        """TensorFlow's fold ``cur = input(last); cur = Merge(input(i), cur)`` over
        ``indices`` from the last to the first: the shape all these inputs share (Pack,
        AddN).  Merging an unknown rank with a known shape gives it that shape in
        grappler's final view."""
        indices = list(indices)
        if not indices:
            return None
        cur = self.input_shape_ref(indices[-1])
        for i in reversed(indices[:-1]):
            cur = self.merge_shapes(self.input_shape_ref(i), cur)
        return cur[1] if cur[0] == "k" else None

    def with_rank(self, i: int, rank: int) -> tuple:
        """Input ``i``'s shape, required to have ``rank`` dims (TensorFlow's ``WithRank``).

        An unknown-rank input gets ``rank`` new dims, and grappler's final shapes give
        the input -- and every tensor sharing its identity, e.g. through a ``Relu`` --
        those dims: a ``Conv2D`` makes its unknown-rank input rank 4."""
        shape = self.input_shape(i)
        if shape is not None:
            if len(shape) != rank:
                raise ShapeError(f"shape must be rank {rank}, got {len(shape)}")
            return tuple(shape)
        dims = tuple(self.new_dim() for _ in range(rank))
        if dims and dims[0] == -1:
            return dims  # no inference run: nothing to refine
        ref = self.input_shape_ref(i)
        if ref[1] is not None and self._run.grappler:
            from .symbols import KnownShape

            key = KnownShape(dims)
            self._run.node_shape_merges.append((ref, ("key", key)))
            if self.refined is None:
                self.refined = {}
            self.refined[id(dims)] = key
        return dims

    def _record_shape_merge(self, a: tuple, b: tuple) -> None:
        run = self._run
        if run is None or not run.grappler or (a[0] == "u" and a[1] is None) or \
                (b[0] == "u" and b[1] is None):
            return
        a, b = self._identified(a), self._identified(b)
        run.node_shape_merges.append((a, b))

    def _identified(self, ref: tuple) -> tuple:
        # A known-rank operand made up inside the shape function may hold -1 dims;
        # merges need identities, so those become new dims.
        if ref[0] == "k" and -1 in ref[1]:
            return ("k", tuple(self.new_dim() if d == -1 else d for d in ref[1]))
        return ref


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
