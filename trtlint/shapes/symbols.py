"""Symbolic unknown dims: what grappler's shape inference calls "symbolic shapes".

TF-TRT does not segment with the shapes TensorFlow computes when it imports a graph.
It asks grappler (``GraphProperties::InferStatically``), whose refiner gives every unknown
dim an identity.  A shape function that passes a dim through (``Relu``, the batch dim
of ``Conv2D``, the rows of ``MatMul``) hands on the *same* unknown dim; one that creates
a dim it cannot compute (``UnknownDim()``: the output of ``Where``, the sum of two
unknown dims, every unknown dim of a ``StridedSlice``) makes a new one.  When a shape
function states that two dims are equal (``Merge``: the inner dims of a ``MatMul``, the
non-axis dims of a ``ConcatV2``), the two are unified once inference is over, and the
unknown-rank tensor a ``Conv2D`` requires to be rank 4 becomes rank 4.

In the final properties every class of unified dims has one value: a known size when
any member is known, else a negative symbol (-2, -3, ...).  TF-TRT compares those
values literally: two ops whose batch dims are -81 and -85 never share an engine.

Here a dim is a plain ``int``: ``>= 0`` known, ``<= -2`` a symbol (the identity of one
unknown dim), and ``-1`` "unknown, no identity yet" -- what shape functions write where
TensorFlow's would call ``UnknownDim()``; the driver turns each ``-1`` of an output into
a fresh symbol.  An unknown-rank tensor (``None``) gets an identity too, kept beside the
shapes (see :class:`SymbolTable`), because a consumer's rank requirement flows back to
every tensor that shares it.

Unification follows grappler's disjoint sets exactly, union by rank included: the
value a class ends with depends on the order merges are applied in (node by node, in
graph order, shape merges before dim merges), and grappler is not commutative there.
"""

from __future__ import annotations

from typing import Any, Optional

from ..graph.tensors import Shape

#: what a merge record holds for a shape: ("u", id) for an unknown-rank tensor with
#: identity ``id``; ("k", dims) for a shape of known rank
ShapeRef = tuple


class _Rep:
    """One node of a disjoint-set forest (grappler's ``Rep``)."""

    __slots__ = ("parent", "rank", "value")

    def __init__(self, value: Any) -> None:
        self.parent = self
        self.rank = 0
        self.value = value


class _DisjointSet:
    """Union-find with union by rank and path compression.

    ``merge_values(x, y, root_value)`` decides what the union's root holds, from the two
    members being merged (not from their roots): grappler's ``Processor::Merge``.
    ``initial(key)`` is the value a member starts with when first seen."""

    def __init__(self, initial, merge_values) -> None:
        self._nodes: dict = {}
        self._initial = initial
        self._merge_values = merge_values

    def find(self, key) -> _Rep:
        node = self._nodes.get(key)
        if node is None:
            node = self._nodes[key] = _Rep(self._initial(key))
            return node
        root = node.parent
        while root is not root.parent:
            root = root.parent
        while node.parent is not root:
            node.parent, node = root, node.parent
        return root

    def merge(self, x, y) -> None:
        rx, ry = self.find(x), self.find(y)
        if rx is ry:
            return
        if rx.rank < ry.rank:
            ry.value = self._merge_values(y, x, ry.value)
            rx.parent = ry
        elif rx.rank > ry.rank:
            rx.value = self._merge_values(x, y, rx.value)
            ry.parent = rx
        else:
            rx.value = self._merge_values(x, y, rx.value)
            ry.parent = rx
            rx.rank += 1

    def __contains__(self, key) -> bool:
        return key in self._nodes


class InconsistentShapes(ValueError):
    """Two merged dims have different known sizes: grappler then drops every merge."""


class KnownDim:
    """A known dim as a merge operand.  Grappler's dims are handles even when their
    value is known; each occurrence gets its own key here (only the union ranks can
    tell the difference, and only in orders no real graph produces)."""

    __slots__ = ("value",)

    def __init__(self, value: int) -> None:
        self.value = value


def _dim_value(key) -> int:
    """``InferenceContext::Value`` of a merge operand: the size, or -1 if unknown."""
    return key.value if isinstance(key, KnownDim) else -1


def _initial_dim(key) -> int:
    return key.value if isinstance(key, KnownDim) else key


def _refine(dim: int, result: int) -> int:
    if result >= 0:
        if dim >= 0 and dim != result:
            raise InconsistentShapes(f"dims {result} and {dim} merged")
        return result
    if dim >= 0:
        return dim
    return dim if dim < result else result


def _merge_dim_values(x, y, result: int) -> int:
    a, b = _dim_value(x), _dim_value(y)
    if a >= 0 and b >= 0:
        if a != b:
            raise InconsistentShapes(f"dims {a} and {b} merged")
        return _refine(a, result)
    if a >= 0:
        return _refine(a, result)
    if b >= 0:
        return _refine(b, result)
    return _refine(-1, result)


class KnownShape:
    """A shape of known rank as a merge operand (fresh key per occurrence)."""

    __slots__ = ("dims",)

    def __init__(self, dims: tuple) -> None:
        self.dims = dims


def _initial_shape(key):
    return key.dims if isinstance(key, KnownShape) else None


def _merge_shape_values(x, y, result):
    if result is not None:
        return result
    if isinstance(x, KnownShape):
        return x.dims
    return y.dims if isinstance(y, KnownShape) else None


class SymbolTable:
    """Identities of unknown dims and unknown-rank shapes for one inference run, the
    merges shape functions state, and their resolution into final values."""

    __slots__ = ("symbolic", "_next_dim", "_next_shape", "shape_merges", "dim_merges",
                 "_dims", "_shapes", "failed")

    def __init__(self, symbolic: bool = True) -> None:
        #: False: TensorFlow's import-time view, where unknown dims have no identity
        #: (every new dim is -1 and nothing is merged)
        self.symbolic = symbolic
        self._next_dim = -2
        self._next_shape = 0
        #: node -> merges its (last) shape-function run stated, in order
        self.shape_merges: dict[str, list] = {}
        self.dim_merges: dict[str, list] = {}
        self._dims: Optional[_DisjointSet] = None
        self._shapes: Optional[_DisjointSet] = None
        self.failed = False

    def new_dim(self) -> int:
        if not self.symbolic:
            return -1
        d = self._next_dim
        self._next_dim = d - 1
        return d

    def new_shape(self) -> int:
        s = self._next_shape
        self._next_shape = s + 1
        return s

    # -- resolution -----------------------------------------------------------------------
    def resolve(self, node_order) -> None:
        """Apply every node's merges in ``node_order`` (grappler: graph order, each
        node's shape merges before its dim merges).  A contradiction (two different
        known sizes in one class) makes grappler discard all merges: so do we."""
        dims = _DisjointSet(_initial_dim, _merge_dim_values)
        shapes = _DisjointSet(_initial_shape, _merge_shape_values)
        try:
            for name in node_order:
                for a, b in self.shape_merges.get(name, ()):
                    _merge_shapes(shapes, dims, a, b)
                for a, b in self.dim_merges.get(name, ()):
                    dims.merge(_dim_key(a), _dim_key(b))
        except InconsistentShapes:
            self.failed = True
            dims = _DisjointSet(_initial_dim, _merge_dim_values)
            shapes = _DisjointSet(_initial_shape, _merge_shape_values)
        self._dims, self._shapes = dims, shapes

    def dim(self, d: int) -> int:
        """The final value of dim ``d`` (itself unless it was merged)."""
        if d >= -1 or d not in self._dims:  # type: ignore[operator]
            return d
        return self._dims.find(d).value  # type: ignore[union-attr]

    def shape(self, shape: Shape, shape_id: Optional[int] = None, key: Any = None) -> Shape:
        """The final form of a shape; ``shape_id`` is the identity of an unknown-rank one,
        ``key`` the merge key of a known-rank one that stands for a class of shapes."""
        if key is not None and key in self._shapes:  # type: ignore[operator]
            shape = self._shapes.find(key).value  # type: ignore[union-attr]
        if shape is None:
            if shape_id is None or shape_id not in self._shapes:  # type: ignore[operator]
                return None
            shape = self._shapes.find(shape_id).value  # type: ignore[union-attr]
            if shape is None:
                return None
        dims = self._dims
        if not any(d < -1 and d in dims for d in shape):  # type: ignore[operator]
            return shape
        return tuple(self.dim(d) for d in shape)


def _dim_key(d: int):
    return KnownDim(d) if d >= 0 else d


def _shape_key(ref: ShapeRef):
    kind, payload = ref
    if kind == "u" or kind == "key":
        return payload
    return KnownShape(payload)


def _merge_shapes(shapes: _DisjointSet, dims: _DisjointSet, a: ShapeRef, b: ShapeRef) -> None:
    """``SymbolicShapeManager::Merge`` of two shapes: the shapes' classes, and when both
    have a known (non-zero) rank, their dims pairwise."""
    shapes.merge(_shape_key(a), _shape_key(b))
    da, db = _known_dims(a), _known_dims(b)
    if da and db:
        if len(da) != len(db):
            raise InconsistentShapes("shapes of different ranks merged")
        for x, y in zip(da, db):
            dims.merge(_dim_key(x), _dim_key(y))


def _known_dims(ref: ShapeRef):
    kind, payload = ref
    if kind == "k":
        return payload
    return payload.dims if kind == "key" else None
