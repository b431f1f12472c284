"""TRT102: ops that change or depend on the batch dimension in implicit batch mode."""

from __future__ import annotations

from typing import Iterable

from ...insights import engine_of
from ..base import Rule
from ..model import Finding
from ._text import family, some

#: reason codes that are about the batch dimension being touched, not about rank
RANK_CODES = frozenset({"implicit_batch_rank"})


class BatchDimensionChange(Rule):
    """A node changes or reads the batch dimension, which implicit batch mode forbids.

    In implicit batch mode (TF-TRT's default before ``--dynamic-shape``) TensorRT never
    sees the batch dimension: a Reshape that folds the batch into rows, a Transpose or
    Concat/Pack/Split along axis 0, a Slice or Tile of the batch, a Reduce over axis 0
    cannot be expressed, so TF-TRT leaves the node in TensorFlow and the engine around
    it is cut in two.  The finding says which engines the node separates.

    Anti-pattern::

        x = tf.reshape(features, [-1, 8])          # [B, 4, 8] -> [B*4, 8]
        y = tf.transpose(seq, [1, 0, 2])           # time-major: batch moves to axis 1

    Fix::

        x = tf.reshape(features, [-1, 4 * 8])      # keep the batch axis first
        # or convert with dynamic shape mode (explicit batch):
        trt.TrtGraphConverterV2(..., use_dynamic_shape=True)   # trtlint --dynamic-shape
    """

    id = "TRT102"
    name = "batch-dimension-change"
    severity = "warning"

    def check(self, analysis) -> Iterable[Finding]:
        a = analysis
        if not a.target.implicit_batch:
            return
        engines = engine_of(a)
        g = a.graph
        # Copies of one block (numbered scopes) with the same reason are reported once.
        groups: dict[tuple[str, str], list[str]] = {}
        for name, d in a.decisions.items():
            r = d.reason
            if d.supported or r is None or r.category != "batch_dim" or r.code in RANK_CODES \
                    or r.code.startswith("input"):
                continue
            # TF 1.x messages end in ", at NODE": compare them without the node's name
            groups.setdefault((family(name), r.message.replace(name, "")), []).append(name)
        for names in groups.values():
            first = names[0]
            d = a.decisions[first]
            message = d.reason.message
            if len(names) > 1:   # the message names one copy; the finding is about them all
                message = message.replace(f", at {first}", "").replace(first, "<node>")
            near = sorted({engines[x.node] for n in names for x in g[n].inputs
                           if x.node in engines} |
                          {engines[c.node] for n in names for c in g.consumers(n)
                           if c.node in engines})
            where = f"; it sits between {some(near)}" if len(near) > 1 else \
                f"; it borders {near[0]}" if near else ""
            what = d.op if len(names) == 1 else f"{len(names)} {d.op} nodes like {first}"
            yield self.finding(
                f"{what} stay{'s' if len(names) == 1 else ''} in TensorFlow in implicit batch "
                f"mode: {message}{where}",
                node=first, fix=d.reason.fix or "Keep the batch axis first and untouched, or "
                                                 "convert with --dynamic-shape (explicit batch "
                                                 "mode).",
                code=d.reason.code, nodes=names, engines=near)
