"""TRT101: unknown non-batch dimensions at an engine input."""

from __future__ import annotations

from typing import Iterable, Optional

from ...graph.model import TensorRef
from ...graph.tensors import Shape, format_shape
from ...insights import (InputTrace, graph_input_names, graph_inputs_reaching,
                         trace_to_graph_inputs, unknown_dim_failure)
from ..base import Rule
from ..model import Finding
from ._text import plural, some


def unknown_non_batch(shape: Shape) -> bool:
    """Unknown rank, or an unknown dim after the batch dim."""
    return shape is None or any(d < 0 for d in shape[1:])


def shape_suggestion(name: str, shape: Shape, batch: Optional[int]) -> str:
    """``--input-shape image_tensor=1x<d1>x<d2>x3``: the flag with the unknown dims marked."""
    if shape is None:
        return f"--input-shape {name}=<full shape, e.g. 1x224x224x3>"
    dims = []
    for i, d in enumerate(shape):
        if d >= 0:
            dims.append(str(d))
        else:
            dims.append(str(batch or 1) if i == 0 else f"<d{i}>")
    return f"--input-shape {name}={'x'.join(dims)}"


def culprits(traces: list[InputTrace]) -> list[InputTrace]:
    """The graph inputs that can carry unknown non-batch dims into the traced tensor."""
    return [t for t in traces if unknown_non_batch(t.shape)]


def origin_text(traces: list[InputTrace]) -> str:
    bad = culprits(traces)
    if not bad:
        return ("no graph input has unknown dims here: the size is computed inside the graph "
                "(a Reshape or Slice with a runtime shape, or a data-dependent op)")
    first = bad[0]
    text = (f"it comes from graph input {first.graph_input} {format_shape(first.shape)} "
            f"via {first.path_text()}")
    if len(bad) > 1:
        text += f" (also from {some(t.graph_input for t in bad[1:])})"
    return text


def fix_text(traces: list[InputTrace], batch: Optional[int], static: bool) -> str:
    bad = culprits(traces)
    flags = "; ".join(shape_suggestion(t.graph_input, t.shape, batch) for t in bad[:3])
    ways = [f"Give the input a fully defined shape ({flags} for trtlint, a fixed placeholder "
            f"shape or a resize to a fixed size in the graph)"] if bad else \
        ["Make the computed size static (constant Reshape targets, fixed-size resizes)"]
    if static:
        ways.append("or build dynamic engines (is_dynamic_op=True; drop --max-batch-size)")
    ways.append("or use dynamic shape mode (--dynamic-shape) with optimization profiles")
    return ", ".join(ways) + "."


class UnknownEngineInputDims(Rule):
    """An engine input has unknown non-batch dimensions (the seed's 707-node fallback).

    In implicit batch mode TensorRT needs every dimension except the batch to be known
    when it builds an engine.  Static engines (TF1's ``is_dynamic_op=False``, trtlint's
    ``--max-batch-size``) are built at conversion time from the graph's shapes, so an
    input such as ``[?,?,?,3]`` makes the whole engine fail and fall back to TensorFlow;
    TF 2.x instead keeps every node with such shapes out of static engines.  Dynamic
    engines are built at run time for the shapes actually fed, one engine per distinct
    shape, and with the default ``maximum_cached_engines=1`` every other shape runs the
    native TensorFlow segment.  The finding names the graph input the unknown dims come
    from and the path they take.

    Anti-pattern::

        image_tensor = tf.placeholder(tf.uint8, [None, None, None, 3])
        # ... preprocessing map_fn, backbone ...
        converter = trt.TrtGraphConverter(input_graph_def=g, is_dynamic_op=False)
        # TRTEngineOp_0 added for segment 0 consisting of 707 nodes failed:
        # Input tensor with shape [?,?,?,3] has an unknown non-batch dimension at dim 1.
        # Fallback to TF...

    Fix::

        image_tensor = tf.placeholder(tf.uint8, [None, 300, 300, 3])   # fixed H, W
        # or: trtlint analyze model.pb --input-shape image_tensor=1x300x300x3
        # or: is_dynamic_op=True (engines built per shape at run time)
    """

    id = "TRT101"
    name = "unknown-engine-input-dims"
    severity = "error"

    def check(self, analysis) -> Iterable[Finding]:
        a = analysis
        if not a.target.implicit_batch:
            return
        yield from self._failed_engines(a)
        if a.target.static_engines:
            yield from self._rejected_nodes(a)
        else:
            yield from self._dynamic_engines(a)

    # Engines TF-TRT will try to build and drop (tf1 profiles, static engines).
    def _failed_engines(self, a) -> Iterable[Finding]:
        for seg in a.segments:
            if seg.will_build:
                continue
            failure = unknown_dim_failure(seg.reason)
            if failure is None:
                continue
            port = failure.port
            if port is None or port >= len(seg.inputs):
                port = next((i for i, t in enumerate(seg.inputs)
                             if unknown_non_batch(a.shapes.shape(TensorRef.parse(t)))), 0)
            tensor = seg.inputs[port] if seg.inputs else None
            traces = trace_to_graph_inputs(a, tensor) if tensor else []
            where = f" at dim {failure.dim}" if failure.dim is not None else ""
            message = (f"{seg.name} ({plural(len(seg.nodes), 'node')}) will fail to build and "
                       f"fall back to TensorFlow: its input {port} ({tensor}) has shape "
                       f"{failure.shape}, an unknown non-batch dimension{where}; "
                       f"{origin_text(traces)}")
            yield self.finding(
                message, node=TensorRef.parse(tensor).node if tensor else None,
                fix=fix_text(traces, a.target.max_batch_size, True), segment=seg.name,
                engine_input=tensor, shape=failure.shape,
                graph_inputs=[t.graph_input for t in culprits(traces)],
                path=culprits(traces)[0].path if culprits(traces) else [])

    # TF 2.x static engines: nodes with unknown dims are not candidates at all.
    def _rejected_nodes(self, a) -> Iterable[Finding]:
        reaching = graph_inputs_reaching(a)
        unknown_inputs = {name for name in graph_input_names(a)
                          if unknown_non_batch(a.shapes.output_shape(name, 0))}
        by_input: dict[str, list[str]] = {}
        for name, d in a.decisions.items():
            if d.supported or d.reason is None or d.reason.code != "dynamic_non_batch":
                continue
            sources = [i for i in reaching.get(name, ()) if i in unknown_inputs]
            by_input.setdefault(sources[0] if sources else "", []).append(name)
        for key, nodes in sorted(by_input.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            # one trace per group, for the path shown in the message
            trace = next((t for t in trace_to_graph_inputs(a, nodes[0])
                          if t.graph_input == key), None) if key else None
            source = (f"inherited from graph input {key} {format_shape(trace.shape)}"
                      if trace else "computed inside the graph")
            message = (f"{plural(len(nodes), 'node')} stay in TensorFlow because static engines "
                       f"(--max-batch-size {a.target.max_batch_size}) need known non-batch "
                       f"dimensions and their shapes are {source}: {some(nodes)}")
            yield self.finding(message, node=nodes[0], severity="warning",
                               fix=fix_text([trace] if trace else [], a.target.max_batch_size,
                                            True),
                               graph_inputs=[key] if key else [], nodes=nodes)

    # Dynamic engines in implicit batch mode: one engine per input shape at run time.
    # Reported once per graph input the unknown dims come from (a detector with 17 engines
    # behind one image input needs one fix, not 17).
    def _dynamic_engines(self, a) -> Iterable[Finding]:
        groups: dict[str, list[tuple[str, str, list[InputTrace]]]] = {}
        for seg in a.segments:
            if not seg.will_build:
                continue
            unknown = [t for t in seg.inputs
                       if unknown_non_batch(a.shapes.shape(TensorRef.parse(t)))]
            if not unknown:
                continue
            traces = trace_to_graph_inputs(a, unknown[0])
            bad = culprits(traces)
            groups.setdefault(bad[0].graph_input if bad else "", []).append(
                (seg.name, unknown[0], traces))
        for key, items in groups.items():
            seg_name, tensor, traces = items[0]
            shape = format_shape(a.shapes.shape(TensorRef.parse(tensor)))
            engines = [name for name, _, _ in items]
            head = f"{seg_name} has input {tensor} of shape {shape}" if len(items) == 1 else \
                (f"{len(items)} engines ({some(engines)}) have inputs with unknown non-batch "
                 f"dimensions, e.g. {tensor} {shape} of {seg_name}")
            message = (f"{head}: TF-TRT builds dynamic engines at run time for each distinct "
                       f"input shape, and with maximum_cached_engines=1 (the default) any other "
                       f"shape runs the native TensorFlow segment; {origin_text(traces)}")
            yield self.finding(message, node=TensorRef.parse(tensor).node, severity="warning",
                               fix=fix_text(traces, None, False) +
                               " If shapes must vary, raise maximum_cached_engines.",
                               segment=seg_name, engine_input=tensor, shape=shape,
                               graph_inputs=[key] if key else [], engines=engines)
