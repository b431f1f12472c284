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


def _decode_list(value) -> list:
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


#: AttrValue oneof member -> decoder (a table: this runs for every attr of every node)
_DECODERS = {
    "s": lambda v: _text(v.s),
    "i": lambda v: v.i,
    "f": lambda v: v.f,
    "b": lambda v: v.b,
    "type": lambda v: dtypes.name(v.type),
    "shape": lambda v: shape_from_proto(v.shape),
    "tensor": lambda v: TensorValue(v.tensor),
    "func": lambda v: FuncRef(v.func.name, {k: decode(a) for k, a in v.func.attr.items()}),
    "placeholder": lambda v: Placeholder(v.placeholder),
    "list": _decode_list,
}


def decode(value) -> Any:
    """Decode one AttrValue message."""
    kind = value.WhichOneof("value")
    return None if kind is None else _DECODERS[kind](value)
