"""TRT507: a reduction over an empty axis list aborts TF-TRT 2.17's conversion."""

from __future__ import annotations

from typing import Iterable

from ...insights import resolve_const
from ..base import Rule
from ..model import Finding

REDUCTIONS = frozenset({"Sum", "Mean", "Prod", "Max", "Min"})
#: rejection reasons decided before TF-TRT runs the op's converter
BEFORE_CONVERTER = frozenset({"io", "device", "implicit_batch_rank", "dynamic_non_batch",
                              "op_not_supported", "input_dtype", "input_shape", "input"})


def converter_reached(decision) -> bool:
    """Whether TF-TRT's validator gets as far as calling this node's converter."""
    return decision.supported or decision.reason is None or \
        decision.reason.code not in BEFORE_CONVERTER


class EmptyAxisReduction(Rule):
    """A Sum/Mean/Prod/Max/Min with an empty constant axis list aborts the conversion.

    Measured with TF 2.17's TF-TRT: when the reduction converter validates a node whose
    ``axis`` input is a constant with no elements (``tf.reduce_sum(x, axis=[])``, an
    identity reduction some exporters emit), TensorFlow dies with ``Check failed: dtype()
    == expected_dtype (1 vs. 3) int32 expected, got float``.  The process aborts: no
    engine, no converted graph, no Python exception.

    Anti-pattern::

        y = tf.reduce_sum(x, axis=[])          # reduces nothing

    Fix::

        y = x                                  # drop the no-op reduction before converting
    """

    id = "TRT507"
    name = "empty-axis-reduction-abort"
    severity = "error"

    def check(self, analysis) -> Iterable[Finding]:
        a = analysis
        if a.target.profile != "tf2":
            return
        g = a.graph
        for node in g:
            if node.op not in REDUCTIONS or len(node.inputs) < 2:
                continue
            axis = resolve_const(g, node.inputs[1])
            if axis is None or axis.value is None or axis.value.num_elements != 0:
                continue
            decision = a.decisions.get(node.name)
            if decision is not None and not converter_reached(decision):
                continue
            yield self.finding(
                f"{node.op} {node.name} reduces over an empty axis list: TF-TRT 2.17 aborts the "
                f"whole process while validating it (Check failed: dtype() == expected_dtype)",
                node=node.name, fix="Remove the no-op reduction (it returns its input) before "
                                    "converting.")
