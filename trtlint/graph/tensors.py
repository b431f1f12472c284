"""Shapes and constant tensors, decoded from protobuf without NumPy.

A ``Shape`` is ``None`` when the rank is unknown, else a tuple of dims where -1 is an
unknown dim.  A ``TensorValue`` wraps a TensorProto and decodes its contents only
when asked: a 100 MB frozen graph is mostly weights that trtlint never reads.
"""

from __future__ import annotations

import array
import struct
import sys
from typing import Optional

from . import dtypes

Shape = Optional[tuple[int, ...]]

#: dtype -> array typecode for tensor_content decoding (little-endian data)
_TYPECODES = {
    "float32": "f", "float64": "d", "int32": "i", "int64": "q", "uint8": "B", "int8": "b",
    "int16": "h", "uint16": "H", "uint32": "I", "uint64": "Q", "qint8": "b", "quint8": "B",
    "qint16": "h", "quint16": "H", "qint32": "i", "bool": "B",
}
_FIELD_FOR = {
    "float32": "float_val", "float64": "double_val", "int32": "int_val", "int16": "int_val",
    "int8": "int_val", "uint8": "int_val", "uint16": "int_val", "qint8": "int_val",
    "quint8": "int_val", "qint16": "int_val", "quint16": "int_val", "qint32": "int_val",
    "int64": "int64_val", "bool": "bool_val", "string": "string_val", "float16": "half_val",
    "bfloat16": "half_val", "uint32": "uint32_val", "uint64": "uint64_val",
}


def shape_from_proto(proto) -> Shape:
    """TensorShapeProto -> Shape (dims of -1 or any negative become -1)."""
    if proto.unknown_rank:
        return None
    sizes = [d.size for d in proto.dim]
    return tuple(sizes) if min(sizes, default=0) >= 0 else tuple(d if d >= 0 else -1 for d in sizes)


def num_elements(shape: Shape) -> Optional[int]:
    """Element count, or None when any dim (or the rank) is unknown."""
    if shape is None or any(d < 0 for d in shape):
        return None
    n = 1
    for d in shape:
        n *= d
    return n


def format_shape(shape: Shape) -> str:
    """``(-1, 300, 300, 3) -> "[?,300,300,3]"`` as TensorFlow prints shapes."""
    if shape is None:
        return "<unknown>"
    return "[" + ",".join("?" if d < 0 else str(d) for d in shape) + "]"


def _half_to_float(bits: int) -> float:
    return struct.unpack("<e", struct.pack("<H", bits & 0xFFFF))[0]


def _bfloat_to_float(bits: int) -> float:
    return struct.unpack("<f", struct.pack("<I", (bits & 0xFFFF) << 16))[0]


class TensorValue:
    """A constant tensor (the ``value`` of a Const node), decoded lazily."""

    __slots__ = ("_proto", "dtype", "shape")

    def __init__(self, proto) -> None:
        self._proto = proto
        self.dtype: str = dtypes.name(proto.dtype)
        self.shape: Shape = shape_from_proto(proto.tensor_shape)

    @property
    def num_elements(self) -> Optional[int]:
        return num_elements(self.shape)

    @property
    def nbytes(self) -> int:
        """Size of the tensor's data, from its shape (strings count their bytes)."""
        if self.dtype == "string":
            return sum(len(s) for s in self._proto.string_val)
        n = self.num_elements
        return 0 if n is None else n * dtypes.size(self.dtype)

    def values(self, limit: int = 1 << 20) -> Optional[list]:
        """The elements in row-major order, or None when not decodable or larger than
        ``limit`` elements.  A proto that stores fewer values than the shape holds is
        filled by repeating the last value, as TensorFlow does."""
        n = self.num_elements
        if n is None or n > limit:
            return None
        p = self._proto
        if p.tensor_content:
            code = _TYPECODES.get(self.dtype)
            if self.dtype in ("float16", "bfloat16"):
                raw = array.array("H")
                raw.frombytes(p.tensor_content[: 2 * n])
                conv = _half_to_float if self.dtype == "float16" else _bfloat_to_float
                out = [conv(b) for b in raw]
            elif code is None:
                return None
            else:
                raw = array.array(code)
                if len(p.tensor_content) < raw.itemsize * n:
                    return None
                raw.frombytes(p.tensor_content[: raw.itemsize * n])
                if sys.byteorder != "little":  # TensorFlow writes host order; hosts are LE
                    raw.byteswap()
                out = raw.tolist()
                if self.dtype == "bool":
                    out = [bool(v) for v in out]
            return out
        field = _FIELD_FOR.get(self.dtype)
        if field is None:
            return None
        stored = list(getattr(p, field))
        if self.dtype == "float16":
            stored = [_half_to_float(v) for v in stored]
        elif self.dtype == "bfloat16":
            stored = [_bfloat_to_float(v) for v in stored]
        elif self.dtype == "string":
            stored = [bytes(v) for v in stored]
        if not stored:
            return [False if self.dtype == "bool" else 0] * n if self.dtype != "string" else [b""] * n
        if len(stored) < n:
            stored = stored + [stored[-1]] * (n - len(stored))
        return stored[:n]

    def scalar(self):
        """The single value of a one-element tensor, else None."""
        if self.num_elements != 1:
            return None
        v = self.values(limit=1)
        return v[0] if v else None

    def __repr__(self) -> str:
        return f"TensorValue({self.dtype}{format_shape(self.shape)})"
