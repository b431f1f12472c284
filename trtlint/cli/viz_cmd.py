"""``trtlint viz``: draw the predicted engines as a Graphviz picture.

The format follows the output file's extension (.svg, .png, .pdf need Graphviz's ``dot``;
.dot/.gv is the DOT text and needs nothing).  Without ``-o`` the DOT text goes to stdout.
The target is resolved exactly as ``trtlint analyze`` resolves it: flags, then the
configuration file found upward from the model, then the defaults.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import typer
from typing_extensions import Annotated

from ..errors import TrtlintError, UsageError
from . import app
from .common import reports_errors, stderr_line
from .lint_options import ConfigOpt, NoConfigOpt
from .options import (CpuLayoutOpt, DynamicShapeOpt, GpuOpt, GrapplerOpt, InputShapeOpt,
                      MaxBatchOpt, MaxEnginesOpt, MinSegOpt, NoGrapplerOpt, OutputNameOpt,
                      PrecisionOpt, ProfileOpt, ServingBatchOpt, SignatureOpt, TagOpt,
                      tags_list)

DEFAULT_RADIUS = 2


def _model_path(model: Optional[Path], example: Optional[str]) -> Path:
    from .analyze_cmd import example_path

    if model is not None and example is not None:
        raise UsageError("give a model path or --example, not both")
    if example is not None:
        return example_path(example)
    if model is None:
        raise UsageError("give a model path (or --example ssd)")
    return model


def _write(data: bytes, path: Path) -> None:
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise TrtlintError(f"cannot write output: {exc.strerror or exc}", path) from None


@app.command()
@reports_errors
def viz(
    model: Annotated[Optional[Path], typer.Argument(
        help="Frozen graph (.pb), text graph (.pbtxt) or SavedModel directory.",
        show_default=False)] = None,
    out_file: Annotated[Optional[Path], typer.Option(
        "-o", "--output-file", help="Picture to write: .svg, .png, .pdf (rendered by "
                                    "Graphviz's dot) or .dot. Default: DOT text on stdout.",
        show_default=False)] = None,
    example: Annotated[Optional[str], typer.Option(
        "--example", help="Draw an example graph shipped with trtlint (ssd).")] = None,
    depth: Annotated[Optional[int], typer.Option(
        "--depth", help="Collapse nodes into name scopes this many levels deep (default: "
                        "automatic when the graph has more than 120 nodes).",
        show_default=False)] = None,
    expand: Annotated[Optional[List[str]], typer.Option(
        "--expand", help="Open this name scope one level further (repeatable).",
        show_default=False)] = None,
    focus: Annotated[Optional[str], typer.Option(
        "--focus", help="Draw only the neighbourhood of this node.", show_default=False)] = None,
    radius: Annotated[Optional[int], typer.Option(
        "--radius", help=f"With --focus: how many edges away to go (default "
                         f"{DEFAULT_RADIUS}).", show_default=False)] = None,
    segment: Annotated[Optional[str], typer.Option(
        "--segment", help="Draw one engine (e.g. TRTEngineOp_000_001) with the nodes that "
                          "feed it and read it.", show_default=False)] = None,
    full: Annotated[bool, typer.Option(
        "--full", help="One box per node, however big the graph (slow to lay out above a "
                       "few hundred nodes).")] = False,
    profile: ProfileOpt = None,
    precision: PrecisionOpt = None,
    dynamic_shape: DynamicShapeOpt = None,
    minimum_segment_size: MinSegOpt = None,
    max_batch_size: MaxBatchOpt = None,
    input_shape: InputShapeOpt = None,
    no_grappler: NoGrapplerOpt = False,
    grappler: GrapplerOpt = None,
    cpu_layout: CpuLayoutOpt = False,
    max_engines: MaxEnginesOpt = None,
    serving_batch: ServingBatchOpt = None,
    gpu: GpuOpt = None,
    signature: SignatureOpt = None,
    tag: TagOpt = None,
    output: OutputNameOpt = None,
    config: ConfigOpt = None,
    no_config: NoConfigOpt = False,
) -> None:
    """Draw which nodes TF-TRT puts into which engine: engines as coloured clusters, nodes
    left in TensorFlow coloured by reason, edges crossing an engine boundary in red.

    Big graphs are collapsed by name scope; --depth, --expand, --focus/--radius and
    --segment pick other views.
    """
    from ..analysis import analyze as run_analysis
    from ..load import load_model
    from ..views.graphviz_view import analysis_dot, dot_available, output_format, render
    from ..views.scopes import ViewRequest, build_picture
    from .plan import CommandLine

    path = _model_path(model, example)
    fmt = output_format(out_file) if out_file is not None else "dot"
    if radius is not None and focus is None:
        raise UsageError("--radius goes with --focus NODE")
    request = ViewRequest(depth=depth, expand=tuple(expand or ()), focus=focus,
                          radius=DEFAULT_RADIUS if radius is None else radius,
                          segment=segment, full=full)
    request.check()
    if fmt != "dot":
        dot_available(fmt)      # fail before a long analysis, not after it
    cli = CommandLine(profile=profile, precision=precision, dynamic_shape=dynamic_shape,
                      minimum_segment_size=minimum_segment_size, max_batch_size=max_batch_size,
                      input_shape=input_shape, no_grappler=no_grappler, grappler=grappler,
                      cpu_layout=cpu_layout, max_engines=max_engines,
                      serving_batch=serving_batch, gpu=gpu, config=config, no_config=no_config)
    target = cli.target_for(cli.settings_for(path))
    loaded = load_model(path, signature=signature, tags=tags_list(tag), outputs=output)
    analysis = run_analysis(loaded, target)
    picture = build_picture(analysis, request)
    dot_text = analysis_dot(analysis, picture)
    if out_file is None:
        sys.stdout.write(dot_text)
        sys.stdout.flush()
        return
    _write(dot_text.encode("utf-8") if fmt == "dot" else render(dot_text, fmt), out_file)
    how = (f"collapsed by name scope at depth {picture.depth}; --depth, --expand or --full "
           f"to change" if picture.collapsed else "one box per node")
    stderr_line(f"trtlint: wrote {out_file}: {picture.selection}, {picture.nodes_shown} "
                f"nodes in {len(picture.boxes)} boxes ({how})")
