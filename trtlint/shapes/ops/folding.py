"""Evaluating small tensors on flat Python lists, the way shape arithmetic needs it.

TensorFlow's import-time shape inference evaluates constant subgraphs that feed shape
arguments (``Reshape``'s shape, ``Fill``'s dims, ``Tile``'s multiples).  We do the same
on the flat row-major lists the driver tracks, with ``None`` standing for an element
that is not known (a partial value, e.g. ``Shape`` of a ``[?, 3]`` tensor is
``[None, 3]``).  Every helper here returns None when it cannot be sure.
"""

from __future__ import annotations

import math
from typing import Callable, Optional, Sequence

from ...graph.tensors import Shape

_INT_DTYPES = frozenset({"int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
                         "uint64", "qint8", "quint8", "qint16", "quint16", "qint32"})
_FLOAT_DTYPES = frozenset({"float16", "bfloat16", "float32", "float64"})
_INT_RANGES = {
    "int8": (-(1 << 7), 1 << 8), "uint8": (0, 1 << 8),
    "int16": (-(1 << 15), 1 << 16), "uint16": (0, 1 << 16),
    "int32": (-(1 << 31), 1 << 32), "uint32": (0, 1 << 32),
    "int64": (-(1 << 63), 1 << 64), "uint64": (0, 1 << 64),
}


def is_int_dtype(dtype: Optional[str]) -> bool:
    return dtype in _INT_DTYPES


def is_float_dtype(dtype: Optional[str]) -> bool:
    return dtype in _FLOAT_DTYPES


def wrap_int(v: int, dtype: Optional[str]) -> int:
    """Two's-complement wrap-around of an integer into ``dtype``."""
    rng = _INT_RANGES.get(dtype or "")
    if rng is None:
        return v
    low, span = rng
    return (v - low) % span + low


def cast_value(values: Sequence, dtype: Optional[str]) -> Optional[list]:
    """Elements converted as ``Cast`` to ``dtype`` converts them."""
    if dtype is None:
        return None
    out: list = []
    if dtype in _INT_DTYPES:
        for v in values:
            if v is None:
                out.append(None)
            elif isinstance(v, float):
                if not math.isfinite(v):
                    return None  # platform-defined in C++: do not pretend to know
                out.append(wrap_int(int(v), dtype))
            else:
                out.append(wrap_int(int(v), dtype))
        return out
    if dtype in _FLOAT_DTYPES:
        return [None if v is None else float(v) for v in values]
    if dtype == "bool":
        return [None if v is None else bool(v) for v in values]
    return None


def strides_of(shape: Sequence[int]) -> list[int]:
    out = [1] * len(shape)
    acc = 1
    for i in range(len(shape) - 1, -1, -1):
        out[i] = acc
        acc *= shape[i]
    return out


def broadcast_index_maps(a: Sequence[int], b: Sequence[int], out: Sequence[int]):
    """For each flat output index, the flat index into ``a`` and into ``b``."""
    rank = len(out)
    a2 = [1] * (rank - len(a)) + list(a)
    b2 = [1] * (rank - len(b)) + list(b)
    sa, sb = strides_of(a2), strides_of(b2)
    total = 1
    for d in out:
        total *= d
    ia, ib = [0] * total, [0] * total
    out_strides = strides_of(out)
    for flat in range(total):
        rem = flat
        xa = xb = 0
        for k in range(rank):
            q, rem = divmod(rem, out_strides[k]) if out_strides[k] else (0, rem)
            if a2[k] != 1:
                xa += q * sa[k]
            if b2[k] != 1:
                xb += q * sb[k]
        ia[flat], ib[flat] = xa, xb
    return ia, ib


def broadcast_indices(shape: Sequence[int], out: Sequence[int]) -> list[int]:
    """For each flat index of the broadcast result ``out``, the flat index into a
    tensor of ``shape`` that supplies it."""
    return broadcast_index_maps(shape, out, out)[0]


def elementwise(fn: Callable, va: Sequence, sa: Shape, vb: Sequence, sb: Shape,
                out_shape: Shape) -> Optional[list]:
    """``fn`` applied with broadcasting; unknown elements stay unknown."""
    if sa is None or sb is None or out_shape is None:
        return None
    if any(d < 0 for d in out_shape):
        return None
    if len(va) == len(vb) and tuple(sa) == tuple(sb):
        return [None if x is None or y is None else fn(x, y) for x, y in zip(va, vb)]
    if len(vb) == 1:
        y = vb[0]
        if len(va) == math.prod(out_shape):
            return [None if x is None or y is None else fn(x, y) for x in va]
    if len(va) == 1:
        x = va[0]
        if len(vb) == math.prod(out_shape):
            return [None if x is None or y is None else fn(x, y) for y in vb]
    ia, ib = broadcast_index_maps(sa, sb, out_shape)
    return [None if va[i] is None or vb[j] is None else fn(va[i], vb[j])
            for i, j in zip(ia, ib)]


def trunc_div(x, y):
    if isinstance(x, int) and isinstance(y, int):
        q = abs(x) // abs(y)
        return q if (x >= 0) == (y >= 0) else -q
    return x / y


def floor_div(x, y):
    if isinstance(x, int) and isinstance(y, int):
        return x // y
    return math.floor(x / y)


def floor_mod(x, y):
    if isinstance(x, int) and isinstance(y, int):
        return x % y
    return x - math.floor(x / y) * y


def trunc_mod(x, y):
    if isinstance(x, int) and isinstance(y, int):
        return x - trunc_div(x, y) * y
    return math.fmod(x, y)


def transpose_values(values: Sequence, shape: Sequence[int], perm: Sequence[int]) -> list:
    out_shape = [shape[p] for p in perm]
    in_strides = strides_of(shape)
    total = len(values)
    out = [None] * total
    out_strides = strides_of(out_shape)
    for flat in range(total):
        rem = flat
        src = 0
        for k, p in enumerate(perm):
            q, rem = divmod(rem, out_strides[k])
            src += q * in_strides[p]
        out[flat] = values[src]
    return out


def take_along_axis(values: Sequence, shape: Sequence[int], axis: int,
                    indices: Sequence[int]) -> list:
    """``np.take(values, indices, axis)`` for a flat list of a known shape."""
    outer = math.prod(shape[:axis])
    dim = shape[axis]
    inner = math.prod(shape[axis + 1:])
    out = []
    for o in range(outer):
        base = o * dim * inner
        for i in indices:
            start = base + i * inner
            out.extend(values[start:start + inner])
    return out
