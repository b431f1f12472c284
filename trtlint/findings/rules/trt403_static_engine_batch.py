"""TRT403: static engines are fixed to max_batch_size."""

from __future__ import annotations

from typing import Iterable

from ..base import Rule
from ..model import Finding
from ._text import plural


class StaticEngineBatch(Rule):
    """Static engines accept at most ``max_batch_size`` rows; larger batches bypass them.

    With ``is_dynamic_op=False`` (``--max-batch-size N``) TF-TRT builds each engine once,
    during conversion, for batches of up to N.  That is right for a fixed serving batch,
    but a server that batches requests together (TF Serving's ``--enable_batching``, as in
    the seed article) may send larger batches, which silently run in TensorFlow.  Give
    ``--serving-batch`` to have trtlint check the two against each other (TRT401).

    Anti-pattern::

        trt.create_inference_graph(g, outputs, max_batch_size=1, is_dynamic_op=False)
        # tensorflow_model_server --enable_batching=true ...

    Fix::

        trt.create_inference_graph(g, outputs, max_batch_size=MAX_SERVING_BATCH)
        # or dynamic engines: is_dynamic_op=True (TrtGraphConverterV2 default)
    """

    id = "TRT403"
    name = "static-engine-batch"
    severity = "info"

    def check(self, analysis) -> Iterable[Finding]:
        t = analysis.target
        if not t.static_engines or t.serving_batch is not None:
            return
        engines = [s for s in analysis.segments if s.will_build]
        if not engines:
            return
        yield self.finding(
            f"{plural(len(engines), 'static engine')} will be built for batches of at most "
            f"{t.max_batch_size}; a larger batch at serving time runs the TensorFlow subgraphs "
            f"instead (give --serving-batch to check)",
            fix="Set max_batch_size to the largest batch the server will send, or use dynamic "
                "engines.", max_batch_size=t.max_batch_size)
