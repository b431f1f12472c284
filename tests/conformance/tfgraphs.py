"""Build an integration test's graph with TensorFlow and freeze it as its API would.

TF 2.17's integration base writes each graph as a SavedModel and converts it:

* TF2 API: ``tf.function(graph_fn, input_signature=specs)`` saved and converted by
  ``TrtGraphConverterV2``, which freezes the signature with
  ``convert_variables_to_constants_v2``.  The frozen graph's inputs are the
  placeholders named after the specs (``input_0``...) and its fetches are the
  ``Identity`` nodes the function adds in front of its results, so the test's own
  ``output_0`` node is an ordinary node that may go into an engine.
* TF1 API: the graph is built in graph mode on placeholders; ``TrtGraphConverter``
  freezes it with the test's result nodes (``output_0``...) as fetches.

We do the same freezing and write a binary GraphDef that trtlint and the oracle both
read.  Random constants are seeded per test so the bytes, and the oracle cache key,
are stable from run to run.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional, Sequence


@dataclass(frozen=True)
class InputSpec:
    """A graph input: the shape TF-TRT's test feeds (``dims``) and which dims are known."""

    name: str
    dims: tuple[int, ...]
    dtype: str = "float32"
    mask: Optional[tuple[bool, ...]] = None   # None: the batch dim unknown, the rest known

    def spec_shape(self) -> list[Optional[int]]:
        """BuildParams leaves the batch dim unknown; BuildParamsWithMask uses the mask."""
        mask = self.mask if self.mask is not None else (False,) + (True,) * (len(self.dims) - 1)
        if not self.dims:
            return []
        return [d if known else None for d, known in zip(self.dims, mask)]


@dataclass(frozen=True)
class FrozenGraph:
    path: Path
    inputs: list[str]       # placeholder node names
    outputs: list[str]      # fetch node names


def _seed_for(name: str) -> int:
    return zlib.crc32(name.encode()) & 0x7FFFFFFF


def freeze(graph_fn: Callable, specs: Sequence[InputSpec], is_v2: bool, out: Path,
           seed_name: str) -> FrozenGraph:
    """Build ``graph_fn(tf, *inputs)`` the way the integration base does and write it."""
    import numpy as np
    import tensorflow as tf

    np.random.seed(_seed_for(seed_name))
    if is_v2:
        graph_def, inputs, outputs = _freeze_v2(tf, graph_fn, specs)
    else:
        graph_def, inputs, outputs = _freeze_v1(tf, graph_fn, specs)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(graph_def.SerializeToString(deterministic=True))
    return FrozenGraph(out, inputs, outputs)


def _freeze_v2(tf, graph_fn: Callable, specs: Sequence[InputSpec]):
    from tensorflow.python.framework.convert_to_constants import (
        convert_variables_to_constants_v2)

    signature = [tf.TensorSpec(s.spec_shape(), getattr(tf, s.dtype), s.name) for s in specs]
    function = tf.function(lambda *args: graph_fn(tf, *args), input_signature=signature)
    frozen = convert_variables_to_constants_v2(function.get_concrete_function())
    graph_def = frozen.graph.as_graph_def()
    inputs = [t.op.name for t in frozen.inputs]
    outputs = [t.op.name for t in frozen.outputs]
    return graph_def, inputs, outputs


def save_v2(graph_fn: Callable, specs: Sequence[InputSpec], directory: Path,
            seed_name: str) -> Path:
    """The SavedModel the integration base writes for the TF2 API (``_MakeSavedModelV2``):
    the function saved as the ``serving_default`` signature.  Used to check that
    freezing the concrete function, as :func:`freeze` does, gives TF-TRT the same graph
    up to the signature wrapper's pass-through nodes."""
    import numpy as np
    import tensorflow as tf

    np.random.seed(_seed_for(seed_name))
    signature = [tf.TensorSpec(s.spec_shape(), getattr(tf, s.dtype), s.name) for s in specs]
    root = tf.Module()
    root.run = tf.function(lambda *args: graph_fn(tf, *args), input_signature=signature)
    tf.saved_model.save(root, str(directory), signatures={"serving_default": root.run})
    return directory


def _freeze_v1(tf, graph_fn: Callable, specs: Sequence[InputSpec]):
    graph = tf.Graph()
    with graph.as_default():
        placeholders = [tf.compat.v1.placeholder(getattr(tf, s.dtype), s.spec_shape(), name=s.name)
                        for s in specs]
        results = graph_fn(tf, *placeholders)
        if not isinstance(results, (list, tuple)):
            results = [results]
        outputs = [r.op.name for r in results]
        graph_def = tf.compat.v1.graph_util.extract_sub_graph(graph.as_graph_def(),
                                                              outputs + [s.name for s in specs])
    return graph_def, [s.name for s in specs], outputs
