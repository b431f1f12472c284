"""TRT503: more segments than TF-TRT's engine limit."""

from __future__ import annotations

from typing import Iterable

from ..base import Rule
from ..model import Finding
from ._text import plural


class EngineLimit(Rule):
    """TF-TRT keeps at most ``TF_TRT_MAX_ALLOWED_ENGINES`` engines (20) and drops the rest.

    TF-TRT 2.x sorts the segments it found by size and converts only the largest 20 (the
    environment variable ``TF_TRT_MAX_ALLOWED_ENGINES`` changes the limit); the others
    stay in TensorFlow without a word beyond a log line.  Hitting the limit means the
    graph is badly fragmented (see TRT502): raising the limit only adds more small
    engines.

    Anti-pattern::

        # an unrolled RNN whose 28 steps each form a separate segment ->
        # 8 of them silently stay in TensorFlow

    Fix::

        # remove what separates the segments so they merge; as a stopgap:
        TF_TRT_MAX_ALLOWED_ENGINES=40 python convert.py     # trtlint --max-engines 40
    """

    id = "TRT503"
    name = "engine-limit"
    severity = "warning"

    def check(self, analysis) -> Iterable[Finding]:
        a = analysis
        dropped = [d for d in a.segmentation.dropped if d.reason == "max_engines"]
        if not dropped:
            return
        nodes = sum(len(d.nodes) for d in dropped)
        yield self.finding(
            f"{plural(len(dropped), 'segment')} ({plural(nodes, 'node')}) exceed the limit of "
            f"{a.target.max_engines} engines (TF_TRT_MAX_ALLOWED_ENGINES) and stay in TensorFlow",
            node=dropped[0].nodes[0] if dropped[0].nodes else None,
            fix="Merge segments by making what separates them convertible; raising "
                "TF_TRT_MAX_ALLOWED_ENGINES (--max-engines) only adds more small engines.",
            dropped=[d.nodes for d in dropped], limit=a.target.max_engines)
