"""Handle data: what a resource or variant tensor points to.

TensorFlow's shape inference lets a handle carry the shape of what it refers to, so
that a read through the handle knows its result.  Ours are plain tuples, compared
with ``==`` and relaxed at ``Merge`` like shapes:

* ``("shape", S)`` -- a resource variable of shape S;
* ``("table", key_shape, value_shape)`` -- a lookup table;
* ``("tensor_array", element_shape, size)`` -- a TF1 TensorArray (size None when it
  can grow);
* ``("tensor_list", element_shape, length, items)`` -- a TensorList: the declared
  element shape, the number of elements when known, and a shape covering every item
  written so far (:data:`EMPTY` before the first write).  Stacking needs all items to
  share one shape, so ``items`` sharpens what reads and stacks return, the way
  TensorFlow's own ``TensorListSetItem`` does, but soundly across loop iterations.
"""

from __future__ import annotations

from typing import Any, Optional

from ..graph.tensors import Shape
from .util import relax

#: ``items`` of a TensorList nothing has been written to
EMPTY = "empty"


def tensor_list(element: Shape, length: Optional[int], items: Any = EMPTY) -> tuple:
    return ("tensor_list", element, length, items)


def join_items(a: Any, b: Any) -> Any:
    """A shape covering the items of both (EMPTY is the neutral element)."""
    if a == EMPTY:
        return b
    if b == EMPTY:
        return a
    return relax(a, b)


def relax_handle(a, b):
    """Handle data covering both ``a`` and ``b`` (None when nothing is common)."""
    if a is None or b is None:
        return None
    if a == b:
        return a
    if a[0] != b[0] or len(a) != len(b):
        return None
    if a[0] == "tensor_array":
        return (a[0], relax(a[1], b[1]), a[2] if a[2] == b[2] else None)
    if a[0] == "tensor_list":
        return tensor_list(relax(a[1], b[1]), a[2] if a[2] == b[2] else None,
                           join_items(a[3], b[3]))
    return None
