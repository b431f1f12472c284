"""TensorFlow data types by the names TensorFlow's Python API gives them.

trtlint speaks of dtypes as strings (``"float32"``, ``"int32"``, ...), the names a
TensorFlow user sees in ``tf.float32.name``.  Reference types (``float32_ref``)
appear in TF1 graphs with unfrozen variables.
"""

from __future__ import annotations

# DataType enum value -> (name, size in bytes or 0 when variable/unknown)
_BASE: dict[int, tuple[str, int]] = {
    0: ("invalid", 0), 1: ("float32", 4), 2: ("float64", 8), 3: ("int32", 4),
    4: ("uint8", 1), 5: ("int16", 2), 6: ("int8", 1), 7: ("string", 0),
    8: ("complex64", 8), 9: ("int64", 8), 10: ("bool", 1), 11: ("qint8", 1),
    12: ("quint8", 1), 13: ("qint32", 4), 14: ("bfloat16", 2), 15: ("qint16", 2),
    16: ("quint16", 2), 17: ("uint16", 2), 18: ("complex128", 16), 19: ("float16", 2),
    20: ("resource", 0), 21: ("variant", 0), 22: ("uint32", 4), 23: ("uint64", 8),
    24: ("float8_e5m2", 1), 25: ("float8_e4m3fn", 1), 26: ("float8_e4m3fnuz", 1),
    27: ("float8_e4m3b11fnuz", 1), 28: ("float8_e5m2fnuz", 1), 29: ("int4", 1),
    30: ("uint4", 1), 31: ("int2", 1), 32: ("uint2", 1),
}

NAMES: dict[int, str] = {v: n for v, (n, _) in _BASE.items()}
NAMES.update({v + 100: n + "_ref" for v, (n, _) in _BASE.items() if v})
VALUES: dict[str, int] = {n: v for v, n in NAMES.items()}
SIZES: dict[str, int] = {n: s for _, (n, s) in _BASE.items()}

FLOATING = frozenset({"float16", "bfloat16", "float32", "float64"})
INTEGER = frozenset({"int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"})
QUANTIZED = frozenset({"qint8", "quint8", "qint16", "quint16", "qint32"})


def name(value: int) -> str:
    """The dtype name for a DataType enum value (``1 -> "float32"``)."""
    return NAMES.get(value, f"dtype_{value}")


def base(dtype: str) -> str:
    """``"float32_ref" -> "float32"``: reference types behave as their base type."""
    return dtype[:-4] if dtype.endswith("_ref") else dtype


def size(dtype: str) -> int:
    """Bytes per element; 0 for strings, resources, variants and unknown types."""
    return SIZES.get(base(dtype), 0)
