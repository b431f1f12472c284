"""``trtlint baseline MODEL... -o FILE``: record today's findings as accepted.

Runs the same analysis as ``trtlint analyze`` (same flags, same configuration files,
same select/ignore), then writes every reported finding, whatever its severity, to a
baseline file (schema ``trtlint.baseline/1``, see :mod:`trtlint.baseline`).  Later,
``trtlint analyze ... --baseline FILE`` reports only findings that are not in it.

If a model cannot be analysed nothing is written (a baseline silently missing a model
would make every one of its findings "new" later) and the exit code is 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import List

import typer
from typing import Annotated

from ..errors import UsageError
from . import app
from .common import reports_errors, stderr_line
from .discover import expand_model_paths
from .lint_options import ConfigOpt, IgnoreOpt, JobsOpt, NoConfigOpt, SelectOpt
from .options import (CpuLayoutOpt, DynamicShapeOpt, GpuOpt, GrapplerOpt, InputShapeOpt,
                      MaxBatchOpt, MaxEnginesOpt, MinSegOpt, NoGrapplerOpt, OutputNameOpt,
                      PrecisionOpt, ProfileOpt, ServingBatchOpt, SignatureOpt, TagOpt,
                      tags_list)
from .plan import CommandLine, plan_jobs
from .run_models import RenderOptions, run_jobs, worker_count

DEFAULT_BASELINE = Path("trtlint-baseline.json")


@app.command()
@reports_errors
def baseline(
    models: Annotated[List[Path], typer.Argument(
        help="Models (files, SavedModel folders, folders to search) to record.",
        show_default=False)],
    out_file: Annotated[Path, typer.Option(
        "-o", "--output-file", help="Baseline file to write.")] = DEFAULT_BASELINE,
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
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    jobs: JobsOpt = 1,
) -> None:
    """Record the findings of MODELS in a baseline file; `trtlint analyze --baseline FILE`
    then reports only new findings."""
    from ..baseline import write_baseline

    if not models:
        raise UsageError("give at least one model")
    if out_file.is_dir():
        raise UsageError(f"-o {out_file}: is a directory; name the baseline file")
    model_paths = expand_model_paths(models)
    cli = CommandLine(profile=profile, precision=precision, dynamic_shape=dynamic_shape,
                      minimum_segment_size=minimum_segment_size, max_batch_size=max_batch_size,
                      input_shape=input_shape, no_grappler=no_grappler, grappler=grappler,
                      cpu_layout=cpu_layout, max_engines=max_engines,
                      serving_batch=serving_batch, gpu=gpu, select=select, ignore=ignore,
                      config=config, no_config=no_config, signature=signature,
                      tags=tags_list(tag), outputs=output)
    job_list = plan_jobs(model_paths, cli, RenderOptions(format="json"))
    outcomes = run_jobs(job_list, worker_count(jobs, len(job_list)))
    failed = [o for o in outcomes if o.error is not None]
    for o in failed:
        stderr_line(f"trtlint: error: {o.error}")
    if failed:
        stderr_line(f"trtlint: baseline not written: {len(failed)} model(s) could not be "
                    f"analysed")
        raise typer.Exit(2)
    data = write_baseline(out_file, [(o.path, o.findings) for o in outcomes])
    total = sum(len(v) for v in data["models"].values())
    stderr_line(f"trtlint: wrote {total} finding(s) of {len(outcomes)} model(s) to {out_file}")
