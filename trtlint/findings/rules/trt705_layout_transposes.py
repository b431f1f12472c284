"""TRT705: layout transposes around engines."""

from __future__ import annotations

from typing import Iterable, Optional

from ...insights import const_values, engine_of
from ..base import Rule
from ..model import Finding
from ._text import plural, some

LAYOUT_OPS = frozenset({"DataFormatVecPermute", "DataFormatDimMap"})


def perm_of(a, node) -> Optional[list]:
    return const_values(a.graph, node.inputs[1]) if len(node.inputs) > 1 else None


def inverse_pair(a, node) -> bool:
    """A Transpose that undoes the Transpose feeding it."""
    g = a.graph
    src = g.get(node.inputs[0].node) if node.inputs else None
    if src is None or src.op != "Transpose":
        return False
    p1, p2 = perm_of(a, src), perm_of(a, node)
    if not p1 or not p2 or len(p1) != len(p2):
        return False
    return all(p1[int(p2[i])] == i for i in range(len(p2)))


class LayoutTransposes(Rule):
    """Layout conversions (NHWC<->NCHW Transpose, DataFormatVecPermute) stay in TensorFlow.

    When nodes are placed on a GPU (TF 1.x conversions; TF 2.x's TrtGraphConverterV2 clears
    device placements first), grappler's layout optimizer rewrites NHWC convolutions to
    NCHW and inserts ``Transpose`` nodes (``..._TransposeNHWCToNCHW-LayoutOptimizer``)
    and, for shape tensors, ``DataFormatVecPermute``/``DataFormatDimMap`` nodes before
    TF-TRT runs.  Those that cannot join an engine -- DataFormatVecPermute never can in
    implicit batch mode, as in the seed log -- are extra boundaries.  A user-written
    Transpose followed by its inverse is pure overhead.

    Anti-pattern::

        x = tf.transpose(x, [0, 3, 1, 2])      # to NCHW ...
        x = tf.transpose(x, [0, 2, 3, 1])      # ... and straight back

    Fix::

        # keep one layout through the network (NHWC for TF-TRT 2.x inputs is fine); remove
        # transposes that cancel; feed static shapes so shape tensors need no permutation
    """

    id = "TRT705"
    name = "layout-transposes"
    severity = "warning"

    def check(self, analysis) -> Iterable[Finding]:
        a = analysis
        engines = engine_of(a)
        inserted = [n for n in a.graph
                    if (n.op in LAYOUT_OPS or "LayoutOptimizer" in n.name)
                    and n.op != "Const" and n.name not in engines]
        if inserted:
            names = [n.name for n in inserted]
            ops = sorted({n.op for n in inserted})
            yield self.finding(
                f"{plural(len(inserted), 'layout node')} ({', '.join(ops)}) from the layout "
                f"optimizer stay in TensorFlow: {some(names)}",
                node=names[0], fix="Feed static shapes (shape tensors then need no permutation) "
                                   "and keep layout-sensitive ops convertible; predict a CPU "
                                   "conversion with --cpu-layout to compare.",
                nodes=names)
        cancelling = [n.name for n in a.graph if n.op == "Transpose" and inverse_pair(a, n)]
        if cancelling:
            yield self.finding(
                f"{plural(len(cancelling), 'Transpose')} undo the Transpose right before them: "
                f"{some(cancelling)}",
                node=cancelling[0], severity="info",
                fix="Remove transpose pairs that cancel.", nodes=cancelling)
