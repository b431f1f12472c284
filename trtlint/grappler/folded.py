"""Constant tensors that constant folding creates, and tests on constant values.

Grappler evaluates every foldable node with TensorFlow's CPU kernels.  trtlint does
not need the numbers of a folded weight tensor -- segmentation never looks at them --
but it does need

* the dtype and shape of every constant (shape inference downstream reads them), and
* the values of small integer tensors: shape arithmetic (``Reshape``'s target shape,
  ``Tile`` multiples, reduction axes) decides what TF-TRT accepts, and several of
  grappler's own rewrites (``Reshape`` to ``Identity``, ``x * 1``) depend on them.

:class:`FoldedTensor` is a :class:`~trtlint.graph.TensorValue` that carries exactly
that: dtype, shape and, when known (small tensors evaluated by shape inference),
the flat list of values.  Everything else about it is unknown, and says so
(``values()`` returns None) rather than inventing zeros.
"""

from __future__ import annotations

import struct
from typing import Optional, Sequence

from ..graph import dtypes
from ..graph.tensors import Shape, TensorValue, num_elements


class FoldedTensor(TensorValue):
    """A constant produced by folding: dtype, shape and (maybe) its values."""

    __slots__ = ("_values", "fingerprint")

    def __init__(self, dtype: str, shape: Shape, values: Optional[Sequence] = None,
                 fingerprint=None) -> None:
        # TensorValue reads a protobuf; this one has none, so set the fields directly.
        self._proto = None
        self.dtype = dtype
        self.shape = shape
        n = num_elements(shape)
        if values is not None and n is not None and len(values) == 1 and n != 1:
            values = list(values) * n  # a splat, as TensorFlow stores fills
        if values is None and n == 0:
            values = []  # an empty tensor has no unknown values
        self._values = list(values) if values is not None and (
            n is None or len(values) == n) else None
        #: when the values are unknown: a hashable description of how the tensor was
        #: computed (op, attributes, inputs), so equal computations compare equal
        self.fingerprint = fingerprint

    @property
    def nbytes(self) -> int:
        n = self.num_elements
        return 0 if n is None else n * dtypes.size(self.dtype)

    def values(self, limit: int = 1 << 20) -> Optional[list]:
        if self._values is None:
            return None
        n = self.num_elements
        if n is not None and n > limit:
            return None
        return list(self._values)

    def __repr__(self) -> str:
        known = "" if self._values is not None else ", values unknown"
        return f"FoldedTensor({self.dtype}{list(self.shape) if self.shape is not None else '?'}{known})"


# -- value tests used by the folding rules (IsZeros / IsOnes) ------------------------------
_ONE_BYTES = {
    "float32": struct.pack("<f", 1.0), "float64": struct.pack("<d", 1.0),
    "int32": struct.pack("<i", 1), "int64": struct.pack("<q", 1),
    "int8": b"\x01", "uint8": b"\x01", "int16": struct.pack("<h", 1),
    "uint16": struct.pack("<H", 1), "bool": b"\x01",
    "float16": struct.pack("<e", 1.0), "bfloat16": b"\x80\x3f",
}
_SCAN_LIMIT = 1 << 24  # elements; TensorFlow scans any size, so do we (bytes are cheap)


def all_values_equal(value: Optional[TensorValue], target: float) -> bool:
    """Whether every element of a constant equals ``target`` (0 or 1).

    Reads raw ``tensor_content`` bytes when the tensor stores them (fast for large
    weights), the decoded values otherwise.  Unknown values answer False."""
    if value is None:
        return False
    n = value.num_elements
    if n is None:
        return False
    if n == 0:
        return True  # TensorFlow's loop over no elements finds no difference
    proto = getattr(value, "_proto", None)
    if proto is not None and proto.tensor_content and n > 64:
        content = proto.tensor_content
        if target == 0:
            if not content.count(0) == len(content):
                # -0.0 also equals 0: fall back to decoding only for floats
                if value.dtype not in dtypes.FLOATING:
                    return False
            else:
                return True
        else:
            pattern = _ONE_BYTES.get(value.dtype)
            if pattern is not None and len(content) == n * len(pattern):
                return content == pattern * n
    values = value.values(limit=_SCAN_LIMIT)
    if values is None:
        return False
    if value.dtype == "bool":
        return all(bool(v) == bool(target) for v in values)
    return all(v == target for v in values)


def make_const_attrs(dtype: str, shape: Shape, values: Optional[Sequence] = None,
                     fingerprint=None) -> dict:
    """The attrs of a ``Const`` node holding a folded tensor."""
    return {"dtype": dtype, "value": FoldedTensor(dtype, shape, values, fingerprint)}


def const_values(attrs_value, limit: int = 1 << 16) -> Optional[list]:
    """The values of a Const's ``value`` attr (None when unknown or too large)."""
    if not isinstance(attrs_value, TensorValue):
        return None
    return attrs_value.values(limit=limit)
