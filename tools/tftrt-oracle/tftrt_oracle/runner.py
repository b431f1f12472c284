"""Execute one request: prepare the model, run the passes, write files, build the result."""

from __future__ import annotations

from pathlib import Path
from typing import Optional, Tuple

from . import conversion, models, results
from .logparse import parse_conversion_log, split_records, tf_trt_records
from .request import Request, RequestError


def write_graph(graph_def, path: str) -> None:
    """Binary GraphDef, or text when the file name ends in .pbtxt."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.suffix == ".pbtxt":
        from google.protobuf import text_format
        target.write_text(text_format.MessageToString(graph_def), encoding="utf-8")
    else:
        target.write_bytes(graph_def.SerializeToString())


def unplace(graph_def) -> None:
    """Clear the GPU device --layout-gpu put on nodes (and grappler copied to new nodes).

    The placement only steers the layout optimizer; the graph it produced is compared with graphs
    that carry no devices.
    """
    for node in graph_def.node:
        if node.device == models.GPU_DEVICE:
            node.device = ""


def run(request: Request, *, allow_text_graph_output: bool) -> Tuple[dict, Optional[str]]:
    """Run one request. Returns (JSON result, text GraphDef to print instead of the JSON or None).

    A grappler-only request without --graph-out prints the GraphDef itself (text format) when
    `allow_text_graph_output` (single runs); a batch line has no room for it and must name a file.
    """
    import tensorflow as tf

    if request.grappler_only and not request.graph_out and not allow_text_graph_output:
        raise RequestError("a grappler_only batch request needs graph_out (where to write the GraphDef)")
    model = models.prepare(request)

    if request.grappler_only:
        graph_def, log = conversion.optimize(model.meta_graph, request, with_tensorrt=False,
                                             log_path=request.raw_log)
        if request.layout_gpu:
            unplace(graph_def)
        if not request.graph_out:
            from google.protobuf import text_format
            return {}, text_format.MessageToString(graph_def)
        write_graph(graph_def, request.graph_out)
        return results.grappler_result(request, model, graph_def, tf_trt_records(split_records(log)),
                                       tf.__version__), None

    after_grappler = None
    if request.graph_after_grappler:
        after_grappler, _ = conversion.optimize(model.meta_graph, request, with_tensorrt=False)
        if request.layout_gpu:
            unplace(after_grappler)
        write_graph(after_grappler, request.graph_after_grappler)
    graph_def, log = conversion.optimize(model.meta_graph, request, with_tensorrt=True, log_path=request.raw_log)
    if request.graph_out:
        write_graph(graph_def, request.graph_out)
    result = results.conversion_result(request, model, graph_def, parse_conversion_log(log), tf.__version__)
    result["graph_after_grappler"] = request.graph_after_grappler
    return result, None
