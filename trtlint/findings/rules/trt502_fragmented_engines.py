"""TRT502: many engines with many TensorFlow<->TensorRT crossings."""

from __future__ import annotations

from typing import Iterable

from ...insights import engine_boundaries, segment_breakers
from ..base import Rule
from ..model import Finding
from ._text import some

#: from this many engines on, the crossings between them deserve a look
FRAGMENTED_ENGINES = 5
#: ... and from this many crossings, if there are more than CROSSINGS_PER_ENGINE per engine
CROWDED_CROSSINGS = 16
CROSSINGS_PER_ENGINE = 6


class FragmentedEngines(Rule):
    """The convertible part of the graph is split into many engines or many crossings.

    Each engine boundary is a device copy or at least a synchronisation point between
    TensorFlow and TensorRT, and TensorRT cannot fuse layers across engines.  Many
    engines usually come from a few unsupported op types scattered through the network
    (a custom activation, a dtype that TF-TRT does not take, a batch-dimension reshape in
    every block).  The finding names the nodes that split the biggest engines.

    Anti-pattern::

        for i in range(25):
            x = tf.nn.relu(tf.matmul(x, w[i]) + b[i])
            x = tf.math.cumsum(x, axis=1)     # unsupported: cuts every block into an engine

    Fix::

        # replace or move the op that breaks every block (here: Cumsum), so the blocks merge
        # into one engine
    """

    id = "TRT502"
    name = "fragmented-engines"
    severity = "warning"

    def check(self, analysis) -> Iterable[Finding]:
        a = analysis
        built = [s for s in a.segments if s.will_build]
        crossings = engine_boundaries(a)
        # Many engines, or few engines with many tensors going in and out of them (an
        # engine per class inside an unrolled loop body has dozens of inputs).
        many_crossings = len(crossings) >= CROWDED_CROSSINGS and \
            len(crossings) > CROSSINGS_PER_ENGINE * len(built)
        if not built or (len(built) < FRAGMENTED_ENGINES and not many_crossings):
            return
        largest = max(built, key=lambda s: len(s.nodes))
        inside = sum(len(s.nodes) for s in built)
        breakers = segment_breakers(a, limit=5)
        ops = sorted({b.op for b in breakers})
        yield self.finding(
            f"{len(built)} engines with {len(crossings)} tensors crossing between TensorFlow and "
            f"TensorRT; the largest, {largest.name}, holds {len(largest.nodes)} of the {inside} "
            f"converted nodes" + (f". Nodes splitting them: {some((b.node for b in breakers), 3)} "
                                  f"({', '.join(ops)})" if breakers else ""),
            node=breakers[0].node if breakers else None,
            fix="Make the splitting op types convertible (replace them, or move them out of the "
                "network's main path) so that the engines merge.",
            engines=len(built), crossings=len(crossings), breakers=[b.node for b in breakers])
