"""TRT303: FakeQuant nodes with an empty, inverted or missing range."""

from __future__ import annotations

from typing import Iterable, Optional

from ...insights import const_values
from ..base import Rule
from ..model import Finding

VARS_OPS = frozenset({"FakeQuantWithMinMaxVars", "FakeQuantWithMinMaxVarsPerChannel"})


def range_problem(lo: list, hi: list) -> Optional[str]:
    """"min == max" / "min > max" for the first offending channel, else None."""
    if len(lo) != len(hi):
        if len(lo) == 1:
            lo = lo * len(hi)
        elif len(hi) == 1:
            hi = hi * len(lo)
        else:
            return None
    for i, (a, b) in enumerate(zip(lo, hi)):
        where = f" (channel {i})" if len(lo) > 1 else ""
        if a == b:
            return f"min == max == {a}{where}"
        if a > b:
            return f"min {a} > max {b}{where}"
    return None


class FakeQuantRange(Rule):
    """A FakeQuant node's range is empty (min == max), inverted, or not a constant.

    Quantization-aware training stores each tensor's range in FakeQuant nodes; TF-TRT
    INT8 reads those ranges instead of calibrating.  A range with min == max makes
    FakeQuantWithMinMaxVars output NaN (its scale divides by zero), an inverted range
    quantizes to garbage, and FakeQuantWithMinMaxArgs refuses min >= max outright.
    TF-TRT also needs the range as constants ("The input "min" for
    FakeQuantWithMinMaxVars must be a constant"): a range fed by an unfrozen variable
    keeps the node in TensorFlow.  Ranges usually reach the node through the ``/read``
    Identity of a frozen variable; trtlint looks through it.

    Anti-pattern::

        act = tf.quantization.fake_quant_with_min_max_vars(x, min=v_min, max=v_max)
        # v_min == v_max == 0.5 after training on a dead branch -> NaN at inference

    Fix::

        # re-run QAT (or clamp the range) so that min < max for every tensor, freeze the
        # graph so min/max are Const, then convert with precision_mode="INT8"
    """

    id = "TRT303"
    name = "fake-quant-range"
    severity = "error"

    def check(self, analysis) -> Iterable[Finding]:
        a = analysis
        g = a.graph
        int8 = a.target.precision == "INT8"
        for node in g:
            if node.op in VARS_OPS and len(node.inputs) >= 3:
                lo, hi = (const_values(g, ref) for ref in node.inputs[1:3])
                if lo is None or hi is None:
                    missing = "min" if lo is None else "max"
                    yield self.finding(
                        f"{node.op} {node.name}: its {missing} is not a constant (it comes from "
                        f"{node.inputs[1 if lo is None else 2].node}), so TF-TRT cannot read the "
                        f"range and the node stays in TensorFlow",
                        node=node.name, severity="warning" if int8 else "info",
                        fix="Freeze the graph so the range variables become constants.")
                    continue
                problem = range_problem(lo, hi)
                if problem:
                    effect = "outputs NaN" if "==" in problem else "quantizes with an inverted range"
                    yield self.finding(
                        f"{node.op} {node.name} has {problem}: it {effect} in TensorFlow, and "
                        f"TF-TRT INT8 takes the same broken range",
                        node=node.name, fix="Fix the quantization range (min < max) before "
                                            "freezing; a collapsed range usually means a dead "
                                            "activation during quantization-aware training.",
                        problem=problem)
            elif node.op == "FakeQuantWithMinMaxArgs":
                lo, hi = node.attr("min", -6.0), node.attr("max", 6.0)
                problem = range_problem([lo], [hi])
                if problem:
                    yield self.finding(
                        f"FakeQuantWithMinMaxArgs {node.name} has {problem}: TensorFlow rejects "
                        f"the node (min must be smaller than max)",
                        node=node.name, fix="Give the node min < max.", problem=problem)
