"""TRT301: a runtime-range QuantizeV2 whose input can be empty (the seed's crash)."""

from __future__ import annotations

from typing import Iterable

from ...insights import possibly_empty_nodes, resolve_const
from ..base import Rule
from ..model import Finding
from ._text import family


class QuantizeEmptyInput(Rule):
    """A graph-transform QuantizeV2 computes its range from a tensor that can be empty.

    ``transform_graph --transforms=quantize_nodes`` rewrites float ops into eight-bit ops
    and quantizes each input at run time with a range from ``Min``/``Max`` over that
    input.  When the input is empty -- per-class boxes after a ``Where`` that matched
    nothing, the output of an NMS that kept no box, a gather with no indices -- ``Min``
    gives +inf and ``Max`` gives -inf, and QuantizeV2 fails the whole request with
    "input_max_range must be larger than input_min_range" (the seed article's crash in
    ``ClipToWindow_87/Area/mul_eightbit``, on frames where a class had no box).  A range
    that merely collapses (min == max) is widened and does not crash; that is TRT302.

    Anti-pattern::

        transform_graph --in_graph=ssd.pb --out_graph=ssd_q.pb \\
            --transforms='quantize_weights quantize_nodes'    # quantizes NMS post-processing
        # Area/mul_eightbit/.../sub_1/quantize: input_max_range must be larger than
        # input_min_range

    Fix::

        # quantize the backbone only (run quantize_nodes on the feature extractor, not on
        # Postprocessor/), or drop quantize_nodes and let TF-TRT INT8 calibrate instead:
        converter = trt.TrtGraphConverter(input_graph_def=float_graph,
                                          precision_mode="INT8", use_calibration=True)
    """

    id = "TRT301"
    name = "quantize-empty-input"
    severity = "error"

    def check(self, analysis) -> Iterable[Finding]:
        a = analysis
        g = a.graph
        empty = possibly_empty_nodes(a)
        groups: dict[str, list[str]] = {}
        for node in g:
            if node.op != "QuantizeV2" or len(node.inputs) < 3:
                continue
            if node.inputs[0].node not in empty:
                continue
            if all(resolve_const(g, ref) is not None for ref in node.inputs[1:3]):
                continue  # a frozen range does not depend on the data
            groups.setdefault(family(node.name), []).append(node.name)
        for names in groups.values():
            first = g[names[0]]
            source = first.inputs[0].node
            origin = empty[source]
            count = f"{len(names)} QuantizeV2 nodes like " if len(names) > 1 else "QuantizeV2 "
            yield self.finding(
                f"{count}{names[0]} quantize {source}, which is empty whenever "
                f"{g[origin].op} {origin} selects nothing; Min/Max of an empty tensor are "
                f"+inf/-inf and the request fails with \"input_max_range must be larger than "
                f"input_min_range\"",
                node=names[0],
                fix="Do not quantize this part of the graph (run quantize_nodes on the backbone "
                    "only), or drop graph-transform quantization and use TF-TRT INT8 with "
                    "calibration.",
                nodes=names, quantized_input=source, empty_origin=origin)
