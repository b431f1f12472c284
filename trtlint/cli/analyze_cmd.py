"""``trtlint analyze``: predict TF-TRT's engines and report findings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import List, Optional

import typer
from typing_extensions import Annotated

from ..errors import UsageError
from . import app
from .common import console, reports_errors, write_output
from .options import (CpuLayoutOpt, DynamicShapeOpt, GpuOpt, GrapplerOpt, InputShapeOpt,
                      MaxBatchOpt, MaxEnginesOpt, MinSegOpt, NoColorOpt, NoGrapplerOpt,
                      OutputNameOpt, PrecisionOpt, ProfileOpt, ServingBatchOpt, SignatureOpt,
                      TagOpt, tags_list, target_from_options)

EXAMPLES = {"ssd": "ssd.pb"}


def example_path(name: str) -> Path:
    from importlib import resources

    if name not in EXAMPLES:
        raise UsageError(f"unknown example '{name}'; available: {', '.join(EXAMPLES)}")
    path = Path(str(resources.files("trtlint") / "examples" / EXAMPLES[name]))
    if not path.exists():
        raise UsageError(f"example '{name}' is missing from this installation")
    return path


@app.command()
@reports_errors
def analyze(
    models: Annotated[Optional[List[Path]], typer.Argument(
        help="Frozen graph (.pb), text graph (.pbtxt) or SavedModel directory.",
        show_default=False)] = None,
    example: Annotated[Optional[str], typer.Option(
        "--example", help="Analyse an example graph shipped with trtlint (ssd).")] = None,
    profile: ProfileOpt = "tf2",
    precision: PrecisionOpt = "FP32",
    dynamic_shape: DynamicShapeOpt = False,
    minimum_segment_size: MinSegOpt = 3,
    max_batch_size: MaxBatchOpt = None,
    input_shape: InputShapeOpt = None,
    no_grappler: NoGrapplerOpt = False,
    grappler: GrapplerOpt = "builtin",
    cpu_layout: CpuLayoutOpt = False,
    max_engines: MaxEnginesOpt = 20,
    serving_batch: ServingBatchOpt = None,
    gpu: GpuOpt = None,
    signature: SignatureOpt = None,
    tag: TagOpt = None,
    output: OutputNameOpt = None,
    format: Annotated[str, typer.Option("--format", "-f",
                                        help="rich, json, sarif, markdown, github or html.")] = "rich",
    out_file: Annotated[Optional[Path], typer.Option(
        "-o", "--output-file", help="Write the report to this file instead of stdout.")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v",
                                          help="Per-node decisions and every engine.")] = False,
    no_color: NoColorOpt = False,
) -> None:
    """Predict which nodes TF-TRT puts into which TensorRT engine, which stay in TensorFlow
    and why, without TensorFlow or a GPU."""
    from ..analysis import analyze as run_analysis
    from ..load import load_model
    from ..report import report_json

    paths = list(models or [])
    if example:
        paths.append(example_path(example))
    if not paths:
        raise UsageError("give a model path (or --example ssd)")
    target = target_from_options(profile, precision, dynamic_shape, minimum_segment_size,
                                 max_batch_size, input_shape, no_grappler, grappler, cpu_layout,
                                 max_engines, serving_batch, gpu)
    for path in paths:
        model = load_model(path, signature=signature, tags=tags_list(tag), outputs=output)
        result = run_analysis(model, target)
        if format == "json":
            write_output(json.dumps(report_json(result, verbose=verbose), indent=2), out_file)
        elif format == "rich":
            from ..views.analyze_rich import render_analysis

            con = console(no_color) if out_file is None else None
            if con is None:
                from rich.console import Console

                with out_file.open("w", encoding="utf-8") as fh:
                    render_analysis(result, Console(file=fh, no_color=True, width=120), verbose)
            else:
                render_analysis(result, con, verbose)
        else:
            raise UsageError(f"unknown --format '{format}'; choose rich or json")
