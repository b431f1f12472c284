"""Loading models without TensorFlow: frozen GraphDefs, text GraphDefs, SavedModels.

>>> from trtlint.load import load_model
>>> model = load_model("frozen_inference_graph.pb")
>>> model.inputs[0].name, model.inputs[0].shape
('image_tensor', (-1, -1, -1, 3))
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from pathlib import Path
from typing import Optional, Sequence, Union

from ..errors import InputError
from ..graph.model import Graph, TensorRef
from .detect import sniff_file
from .graphdef import build_graph, parse_binary, parse_text
from .model import Model, TensorSpec
from .savedmodel import load_saved_model

__all__ = ["load_model", "Model", "TensorSpec", "INPUT_OPS", "NO_OUTPUT_OPS"]

INPUT_OPS = ("Placeholder", "PlaceholderWithDefault")
#: sinks that are not results: they produce nothing, or only feed training/saving
NO_OUTPUT_OPS = frozenset({"NoOp", "Assert", "SaveV2", "Save", "SaveSlices", "RestoreV2",
                           "MergeV2Checkpoints", "Print", "PrintV2", "Const", "Placeholder"})


def load_model(path: Union[str, Path], signature: Optional[str] = None,
               tags: Optional[Sequence[str]] = None,
               outputs: Optional[Sequence[str]] = None) -> Model:
    """Load a model from a file or SavedModel directory.

    ``outputs`` (node names, optionally ``name:index``) overrides the outputs the model
    declares or, for a bare GraphDef, the sinks.
    """
    p = Path(path)
    try:
        with _gc_paused():
            return _load(p, signature, tags, outputs)
    except InputError as exc:
        if exc.path is None:  # raised deep inside (a function body, a signature): name the model
            exc.path = str(p)
        raise


@contextmanager
def _gc_paused():
    """Loading makes hundreds of thousands of small objects and frees none of them; the
    cyclic garbage collector would walk them all again and again (a third of the load
    time of a 100k-node graph).  Nothing made here forms a cycle worth collecting."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _load(p: Path, signature: Optional[str], tags: Optional[Sequence[str]],
          outputs: Optional[Sequence[str]]) -> Model:
    if not p.exists():
        raise InputError("no such file or directory", p)
    if p.is_dir():
        model = load_saved_model(p, signature, list(tags) if tags else None)
    else:
        kind = sniff_file(p)
        if kind == "saved_model_pb":
            model = load_saved_model(p.parent, signature, list(tags) if tags else None)
        else:
            gd = parse_text(p) if kind == "text_graph" else parse_binary(p)
            graph = build_graph(gd, p)
            model = Model(path=p, format="pbtxt" if kind == "text_graph" else "frozen_graph",
                          graph=graph, inputs=graph_inputs(graph), outputs=[],
                          producer=graph.producer)
            model.outputs = sink_outputs(graph)
            model.outputs_from_sinks = True
    if outputs:
        model.outputs = _named_outputs(model.graph, outputs, p)
        model.outputs_from_sinks = False
    return model


def graph_inputs(graph: Graph) -> list[TensorSpec]:
    """Placeholders (and PlaceholderWithDefault) with their declared dtype and shape."""
    specs = []
    for node in graph:
        if node.op not in INPUT_OPS:
            continue
        shape = node.attrs.get("shape")
        if shape is None and node.output_shapes:
            shape = node.output_shapes[0]
        if node.op == "Placeholder" and shape == () and _legacy_unknown_shape(graph):
            shape = None
        specs.append(TensorSpec(node.name, node.attr("dtype") or node.attr("T"),
                                tuple(shape) if isinstance(shape, (list, tuple)) else None))
    return specs


def _legacy_unknown_shape(graph: Graph) -> bool:
    """GraphDefs written by TensorFlow with producer version <= 21 could not tell a
    scalar Placeholder shape from an unknown one; TensorFlow reads an empty shape there
    as unknown, and so do we."""
    return (graph.producer or 0) <= 21  # a GraphDef without versions has producer 0


def sink_outputs(graph: Graph) -> list[TensorSpec]:
    """Sinks that produce a tensor: what TF-TRT treats as fetches for a bare GraphDef."""
    specs = []
    for name in graph.sinks():
        node = graph[name]
        if node.op in NO_OUTPUT_OPS:
            continue
        if graph.num_outputs(node) == 0:
            continue
        specs.append(TensorSpec(name, graph.output_dtype(TensorRef(name)), None))
    return specs


def _named_outputs(graph: Graph, names: Sequence[str], path: Path) -> list[TensorSpec]:
    specs = []
    for text in names:
        ref = TensorRef.parse(text)
        if ref.node not in graph:
            raise InputError(f"--output {text}: no node named '{ref.node}' in the graph", path)
        specs.append(TensorSpec(ref.node, graph.output_dtype(ref), None, ref.index))
    return specs
