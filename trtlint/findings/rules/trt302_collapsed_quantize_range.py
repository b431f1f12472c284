"""TRT302: a QuantizeV2 whose range collapses to a single value."""

from __future__ import annotations

from typing import Iterable

from ...insights import const_values, resolve_const
from ..base import Rule
from ..model import Finding
from ._text import family

#: producers whose output holds one value everywhere, so Min == Max at run time
CONSTANT_FILL_OPS = frozenset({"ZerosLike", "OnesLike", "Fill", "Zeros", "Ones"})


def collapsed_reason(a, node) -> str | None:
    g = a.graph
    lo, hi = (const_values(g, ref) for ref in node.inputs[1:3])
    if lo is not None and hi is not None and len(lo) == 1 and len(hi) == 1 and lo[0] == hi[0]:
        return f"its range inputs are both {lo[0]}"
    producer = g.get(node.inputs[0].node)
    if producer is None:
        return None
    if producer.op in CONSTANT_FILL_OPS:
        return f"it quantizes {producer.op} {producer.name}, a tensor of one repeated value"
    const = resolve_const(g, node.inputs[0])
    if const is not None and const.value is not None:
        values = const.value.values(limit=4096)
        if values is not None and len(set(values)) <= 1:
            return f"it quantizes constant {const.name}, whose elements are all equal"
    return None


class CollapsedQuantizeRange(Rule):
    """A QuantizeV2 sees a range with min == max (zeros_like, Fill, constants).

    When every element of the quantized tensor is the same value, the run-time range
    collapses to a point.  QuantizeV2 widens such a range instead of failing, so this is
    not the seed's crash (TRT301), but the eight-bit values carry no information and the
    node is pure overhead: quantize, requantize and dequantize around a constant.

    Anti-pattern::

        zeros = tf.zeros_like(scores)                     # quantize_nodes quantizes it too
        out = tf.maximum(zeros, scores)                   # -> QuantizeV2(zeros_like)

    Fix::

        # exclude constant-valued tensors from quantization, or compute them in float after
        # the Dequantize; frozen constants need no run-time quantization at all
    """

    id = "TRT302"
    name = "collapsed-quantize-range"
    severity = "info"

    def check(self, analysis) -> Iterable[Finding]:
        groups: dict[str, list[tuple[str, str]]] = {}
        for node in analysis.graph:
            if node.op != "QuantizeV2" or len(node.inputs) < 3:
                continue
            why = collapsed_reason(analysis, node)
            if why is not None:
                groups.setdefault(family(node.name), []).append((node.name, why))
        for items in groups.values():
            name, why = items[0]
            more = f" (and {len(items) - 1} more like it)" if len(items) > 1 else ""
            yield self.finding(
                f"QuantizeV2 {name}: {why}, so the quantization range collapses to one value; "
                f"QuantizeV2 widens it (no crash) but the eight-bit result carries no "
                f"information{more}",
                node=name, fix="Keep constant-valued tensors in float (exclude them from "
                               "quantize_nodes).", nodes=[n for n, _ in items])
