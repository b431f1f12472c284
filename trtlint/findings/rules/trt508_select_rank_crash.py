"""TRT508: Select with a rank-1 condition and rank-3 branches crashes dynamic-shape conversion."""

from __future__ import annotations

from typing import Iterable

from ..base import Rule
from ..model import Finding
from .trt507_empty_axis_reduction import converter_reached


class SelectRankCrash(Rule):
    """A row Select (rank-1 condition, rank-3 branches) crashes dynamic-shape conversion.

    ``Select`` (not ``SelectV2``) accepts a vector condition that picks whole rows of
    higher-rank branches.  Measured with TF 2.17's TF-TRT in dynamic shape mode: such a
    node makes the conversion raise ``cannot create std::vector larger than
    max_size()``, and the conversion as a whole fails.

    Anti-pattern::

        y = tf.compat.v1.where(row_mask, a, b)    # row_mask [N], a and b [N, H, W]

    Fix::

        y = tf.where(row_mask[:, None, None], a, b)   # SelectV2 with a broadcast condition
    """

    id = "TRT508"
    name = "select-rank-crash"
    severity = "error"

    def check(self, analysis) -> Iterable[Finding]:
        a = analysis
        if a.target.profile != "tf2" or not a.target.dynamic_shape:
            return
        for node in a.graph:
            if node.op != "Select" or len(node.inputs) < 3:
                continue
            cond, then = (a.shapes.shape(r) for r in node.inputs[:2])
            if cond is None or then is None or len(cond) != 1 or len(then) < 3:
                continue
            decision = a.decisions.get(node.name)
            if decision is not None and not converter_reached(decision):
                continue
            yield self.finding(
                f"Select {node.name} has a rank-1 condition and rank-{len(then)} branches: TF-TRT "
                f"2.17 crashes converting it in dynamic shape mode (cannot create std::vector "
                f"larger than max_size())",
                node=node.name, fix="Broadcast the condition to the branches' rank and use "
                                    "SelectV2 (tf.where in TF 2).")
