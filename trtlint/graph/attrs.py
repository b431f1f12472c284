"""Decoding NodeDef attributes (AttrValue messages) into plain Python values.

=============  ==========================================
AttrValue       Python
=============  ==========================================
s               str (UTF-8, undecodable bytes replaced)
i, f, b         int, float, bool
type            dtype name, e.g. "float32"
shape           Shape: tuple of dims (-1 unknown) or None
tensor          TensorValue (decoded lazily)
func            FuncRef(name, attrs)
list            list of the above
placeholder     Placeholder(name)  (function attrs like $T)
=============  ==========================================
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import dtypes
from .tensors import TensorValue, shape_from_proto


@dataclass(frozen=True)
class FuncRef:
    """A reference to a function in the library (While body, If branch, call target)."""

    name: str
    attrs: dict = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Placeholder:
    """An unresolved ``$name`` attribute inside a function body."""

    name: str


def _text(b: bytes) -> str:
    return b.decode("utf-8", "replace")


def decode(value) -> Any:
    """Decode one AttrValue message."""
    kind = value.WhichOneof("value")
    if kind is None:
        return None
    if kind == "s":
        return _text(value.s)
    if kind == "i":
        return value.i
    if kind == "f":
        return value.f
    if kind == "b":
        return value.b
    if kind == "type":
        return dtypes.name(value.type)
    if kind == "shape":
        return shape_from_proto(value.shape)
    if kind == "tensor":
        return TensorValue(value.tensor)
    if kind == "func":
        return FuncRef(value.func.name, {k: decode(v) for k, v in value.func.attr.items()})
    if kind == "placeholder":
        return Placeholder(value.placeholder)
    lst = value.list
    if lst.s:
        return [_text(s) for s in lst.s]
    if lst.i:
        return list(lst.i)
    if lst.f:
        return list(lst.f)
    if lst.b:
        return list(lst.b)
    if lst.type:
        return [dtypes.name(t) for t in lst.type]
    if lst.shape:
        return [shape_from_proto(s) for s in lst.shape]
    if lst.tensor:
        return [TensorValue(t) for t in lst.tensor]
    if lst.func:
        return [FuncRef(f.name, {k: decode(v) for k, v in f.attr.items()}) for f in lst.func]
    return []
