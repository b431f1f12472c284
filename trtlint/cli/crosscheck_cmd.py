"""``trtlint crosscheck MODEL LOG``: predict, then compare with what TF-TRT really did."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from typing_extensions import Annotated

from . import app
from .common import console, reports_errors, write_output
from .options import (CpuLayoutOpt, DynamicShapeOpt, Format, GpuOpt, GrapplerOpt,
                      InputShapeOpt, MaxBatchOpt, MaxEnginesOpt, MinSegOpt, ModelArg,
                      NoColorOpt, NoGrapplerOpt, OutputNameOpt, PrecisionOpt, ProfileOpt,
                      ServingBatchOpt, SignatureOpt, TagOpt, tags_list, target_from_options)

LogArg = Annotated[Path, typer.Argument(
    help="The TF-TRT log of converting MODEL with the same settings (any TF 1.x/2.x "
         "version; .gz is read too).", show_default=False)]
ToleranceOpt = Annotated[float, typer.Option(
    "--tolerance", min=0.0, max=1.0,
    help="Largest disagreement (1 - score, between 0 and 1) that still passes; above it "
         "the exit code is 1.")]


def crosscheck_files(model_path: Path, log_path: Path, target, *, signature=None, tags=None,
                     outputs=None, tolerance: float = 0.1):
    """Load, predict, parse the log and compare: the whole command minus the output."""
    from ..analysis import analyze
    from ..crosscheck import crosscheck_log
    from ..load import load_model
    from ..logs import read_log

    report = read_log(log_path)            # a wrong log fails before the analysis runs
    model = load_model(model_path, signature=signature, tags=tags, outputs=outputs)
    analysis = analyze(model, target)
    return crosscheck_log(analysis, report, tolerance, str(model_path), str(log_path))


@app.command()
@reports_errors
def crosscheck(
    model: ModelArg,
    log: LogArg,
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
    tolerance: ToleranceOpt = 0.1,
    format: Format = Format.rich,
    out_file: Annotated[Optional[Path], typer.Option(
        "-o", "--output-file", help="Write the report to this file instead of stdout.")] = None,
    verbose: Annotated[bool, typer.Option(
        "--verbose", "-v", help="Every engine and every node difference.")] = False,
    no_color: NoColorOpt = False,
) -> None:
    """Predict what TF-TRT does to MODEL and compare with LOG, the log of a real run.

    Engines are matched by their node sets when the log lists them (TF 2.x with
    TF_CPP_VMODULE=convert_graph=2, as `trtlint convert` runs it): per-engine Jaccard,
    precision and recall of node membership. Otherwise they are paired by number and
    compared by size. Also compared: the op types TF-TRT reports as not converted, and
    which engines failed to build and why. Use the target flags the run used. Exit code:
    0 when the disagreement is within --tolerance, 1 when it exceeds it, 2 on bad input.
    """
    target = target_from_options(profile, precision, dynamic_shape, minimum_segment_size,
                                 max_batch_size, input_shape, no_grappler, grappler, cpu_layout,
                                 max_engines, serving_batch, gpu)
    result = crosscheck_files(model, log, target, signature=signature, tags=tags_list(tag),
                              outputs=output, tolerance=tolerance)
    if format == Format.json:
        write_output(json.dumps(result.to_json(), indent=2), out_file)
    else:
        from ..views.crosscheck_view import render_crosscheck

        if out_file is None:
            render_crosscheck(result, console(no_color), verbose)
        else:
            from rich.console import Console

            try:
                with out_file.open("w", encoding="utf-8") as handle:
                    render_crosscheck(result, Console(file=handle, no_color=True, width=140),
                                      verbose)
            except OSError as exc:
                from ..errors import TrtlintError

                raise TrtlintError(f"cannot write output: {exc.strerror or exc}",
                                   out_file) from None
    raise typer.Exit(1 if result.exceeds_tolerance else 0)
