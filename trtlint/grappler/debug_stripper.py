"""Debug stripping (grappler's ``DebugStripper``).

Debugging ops have no place in an inference engine, so TF-TRT's config strips them:

* ``Assert`` and ``PrintV2`` become ``NoOp``: their regular attributes go, every data
  input becomes a control input on the same node (``"x:1" -> "^x"``).  The dependency
  optimizer that runs next usually removes the NoOp altogether.
* ``CheckNumerics`` and ``Print`` become ``Identity``: only the ``T`` attribute is
  kept (the ``_output_shapes`` annotation goes too), the first input stays the data
  input and any further data inputs become control inputs.

When the graph has none of ``Assert``, ``CheckNumerics``, ``Print`` or ``PrintV2`` the
pass does nothing at all.
"""

from __future__ import annotations

from .workgraph import WorkGraph, as_control, is_control


def strip_debug_ops(graph: WorkGraph, changes: list[str]) -> None:
    """Rewrite the debug ops of ``graph`` in place."""
    if not any(n.op in ("Assert", "CheckNumerics", "Print", "PrintV2") for n in graph):
        return
    to_noop = to_identity = 0
    for n in graph:
        if n.op in ("Assert", "PrintV2"):
            n.op = "NoOp"
            n.erase_regular_attrs()
            n.inputs = [t if is_control(t) else as_control(t) for t in n.inputs]
            to_noop += 1
        elif n.op in ("CheckNumerics", "Print"):
            dtype = n.attr("T")
            n.op = "Identity"
            n.set_attrs({"T": dtype} if dtype is not None else {})
            n.has_shapes_attr = False
            n.inputs = [t if i == 0 or is_control(t) else as_control(t)
                        for i, t in enumerate(n.inputs)]
            to_identity += 1
    if to_noop:
        changes.append(f"{to_noop} Assert/PrintV2 node(s) turned into NoOp")
    if to_identity:
        changes.append(f"{to_identity} CheckNumerics/Print node(s) turned into Identity")
