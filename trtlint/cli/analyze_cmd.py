"""``trtlint analyze``: predict TF-TRT's engines and report findings.

One or many models (files, SavedModel folders, folders searched for models), each with
the configuration found upward from it, overridden by flags; findings filtered by
select/ignore/per-node ignores and by a baseline; one report in the chosen format;
one exit code (0 nothing at or above ``--fail-on``, 1 findings, 2 usage/input error).
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import List, Optional, Sequence

import typer
from typing import Annotated

from ..errors import UsageError
from ..outcome import ModelOutcome, combined_exit_code
from . import app
from .common import console, reports_errors, stderr_line, write_output
from .discover import expand_model_paths
from .lint_options import ConfigOpt, FailOnOpt, IgnoreOpt, JobsOpt, NoConfigOpt, SelectOpt
from .options import (CpuLayoutOpt, DynamicShapeOpt, GpuOpt, GrapplerOpt, InputShapeOpt,
                      MaxBatchOpt, MaxEnginesOpt, MinSegOpt, NoColorOpt, NoGrapplerOpt,
                      OutputNameOpt, PrecisionOpt, ProfileOpt, ServingBatchOpt, SignatureOpt,
                      TagOpt, tags_list)
from .plan import CommandLine, plan_jobs
from .run_models import RenderOptions, progress_wanted, run_jobs, worker_count

EXAMPLES = {"ssd": "ssd.pb"}
FORMATS = ("rich", "json", "sarif", "markdown", "github", "html")
MULTI_SCHEMA = "trtlint.reports/1"


def example_path(name: str) -> Path:
    from importlib import resources

    if name not in EXAMPLES:
        raise UsageError(f"unknown example '{name}'; available: {', '.join(EXAMPLES)}")
    path = Path(str(resources.files("trtlint") / "examples" / EXAMPLES[name]))
    if not path.exists():
        raise UsageError(f"example '{name}' is missing from this installation")
    return path


def check_format(fmt: str, several: bool) -> str:
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise UsageError(f"unknown --format '{fmt}'; choose one of {', '.join(FORMATS)}")
    if fmt == "html":
        if importlib.util.find_spec("trtlint.views.html") is None:
            raise UsageError("--format html is not available in this installation "
                             "(trtlint.views.html is missing)")
        if several:
            raise UsageError("--format html renders one model; analyse the models one by one")
    return fmt


def render_options(fmt: str, verbose: bool, no_color: bool,
                   out_file: Optional[Path]) -> RenderOptions:
    """Rich text is rendered in workers: give them this terminal's width and colours."""
    if fmt != "rich" or out_file is not None:
        return RenderOptions(format=fmt, verbose=verbose, width=120)
    con = console(no_color)
    return RenderOptions(format=fmt, verbose=verbose, width=con.width,
                         color_system=con.color_system, force_terminal=con.is_terminal,
                         no_color=con.no_color)


def multi_json(outcomes: Sequence[ModelOutcome]) -> dict:
    return {"schema": MULTI_SCHEMA,
            "reports": [o.report for o in outcomes if o.report is not None],
            "errors": [{"path": o.path, "message": o.error} for o in outcomes
                       if o.error is not None]}


def summary_table(outcomes: Sequence[ModelOutcome]):
    """The closing table of a several-model rich report (compact: paths need the room)."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(title=f"{len(outcomes)} models", title_justify="left", box=box.SIMPLE_HEAD,
                  show_edge=False, pad_edge=False, expand=True)
    table.add_column("model", overflow="fold", ratio=1)
    table.add_column("engines", justify="right", no_wrap=True)
    table.add_column("coverage", justify="right", no_wrap=True)
    table.add_column("err/warn/info", justify="right", no_wrap=True)
    table.add_column("result", no_wrap=True)
    for o in outcomes:
        if o.report is None:
            table.add_row(o.path, "", "", "", Text("cannot analyse", style="bold red"))
            continue
        built = sum(1 for s in o.report["segments"] if s["will_build"])
        counts = o.counts()
        result = Text("fails", style="bold red") if o.exit_code else Text("ok", style="green")
        table.add_row(o.path, str(built), f"{100 * o.report['coverage']['nodes']:.1f}%",
                      f"{counts['error']}/{counts['warning']}/{counts['info']}", result)
    return table


def emit(outcomes: Sequence[ModelOutcome], fmt: str, out_file: Optional[Path],
         no_color: bool, several: bool) -> None:
    """Write the report for all outcomes; error lines go to stderr."""
    for o in outcomes:
        if o.error is not None:
            stderr_line(f"trtlint: error: {o.error}")
    good = [o for o in outcomes if o.error is None]
    if fmt == "json":
        if several:
            write_output(json.dumps(multi_json(outcomes), indent=2), out_file)
        elif good:
            write_output(json.dumps(good[0].report, indent=2), out_file)
    elif fmt == "sarif":
        from ..views.sarif import render_sarif

        write_output(render_sarif(list(outcomes)), out_file)
    elif fmt == "markdown":
        from ..views.markdown import render_markdown

        write_output(render_markdown(list(outcomes)), out_file)
    elif fmt == "github":
        from ..views.github import render_github

        text = render_github(list(outcomes))
        if text or out_file is not None:
            write_output(text, out_file)
    elif fmt == "html":
        if good:
            write_output(good[0].rendered or "", out_file)
    else:
        _emit_rich(outcomes, out_file, no_color, several)


def _emit_rich(outcomes: Sequence[ModelOutcome], out_file: Optional[Path], no_color: bool,
               several: bool) -> None:
    from rich.console import Console

    parts = [o.rendered for o in outcomes if o.rendered]
    if out_file is not None:
        try:
            with out_file.open("w", encoding="utf-8") as fh:
                fh.write("\n".join(parts))
                if several:
                    Console(file=fh, no_color=True, width=120).print(summary_table(outcomes))
        except OSError as exc:
            from ..errors import TrtlintError

            raise TrtlintError(f"cannot write output: {exc.strerror or exc}", out_file) from None
        return
    sys.stdout.write("\n".join(parts))
    sys.stdout.flush()
    if several:
        console(no_color).print(summary_table(outcomes))


def run_with_progress(jobs, workers: int) -> list[ModelOutcome]:
    if not progress_wanted(len(jobs)):
        return run_jobs(jobs, workers)
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, SpinnerColumn,
                               TextColumn, TimeElapsedColumn)

    from .common import console as make_console

    with Progress(SpinnerColumn(), TextColumn("analysing models"), BarColumn(),
                  MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("{task.description}"),
                  console=make_console(stderr=True), transient=True) as progress:
        task = progress.add_task("", total=len(jobs))

        def done(outcome: ModelOutcome) -> None:
            progress.update(task, advance=1, description=Path(outcome.path).name)

        return run_jobs(jobs, workers, on_done=done)


@app.command()
@reports_errors
def analyze(
    models: Annotated[Optional[List[Path]], typer.Argument(
        help="Frozen graphs (.pb), text graphs (.pbtxt), SavedModel folders, or folders to "
             "search for them.", show_default=False)] = None,
    example: Annotated[Optional[str], typer.Option(
        "--example", help="Analyse an example graph shipped with trtlint (ssd).")] = None,
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
    fail_on: FailOnOpt = None,
    baseline: Annotated[Optional[Path], typer.Option(
        "--baseline", help="Report only findings that are not in this baseline file "
                           "(made by `trtlint baseline`).", show_default=False)] = None,
    jobs: JobsOpt = 1,
    format: Annotated[str, typer.Option(
        "--format", "-f", help="rich, json, sarif, markdown, github or html.")] = "rich",
    out_file: Annotated[Optional[Path], typer.Option(
        "-o", "--output-file", help="Write the report to this file instead of stdout.")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v",
                                          help="Per-node decisions and every engine.")] = False,
    no_color: NoColorOpt = False,
) -> None:
    """Predict which nodes TF-TRT puts into which TensorRT engine, which stay in TensorFlow
    and why, without TensorFlow or a GPU.

    Settings come from flags, then from a trtlint.toml (or the tool.trtlint table of a
    pyproject.toml) found upward from each model, then from the defaults.  Exit code: 0
    when no finding reaches --fail-on, 1 when one does, 2 on a usage or input error.
    """
    from ..baseline import load_baseline

    paths = list(models or [])
    if example:
        paths.append(example_path(example))
    if not paths:
        raise UsageError("give a model path (or --example ssd)")
    model_paths = expand_model_paths(paths)
    several = len(model_paths) > 1
    fmt = check_format(format, several)
    cli = CommandLine(profile=profile, precision=precision, dynamic_shape=dynamic_shape,
                      minimum_segment_size=minimum_segment_size, max_batch_size=max_batch_size,
                      input_shape=input_shape, no_grappler=no_grappler, grappler=grappler,
                      cpu_layout=cpu_layout, max_engines=max_engines,
                      serving_batch=serving_batch, gpu=gpu, fail_on=fail_on, select=select,
                      ignore=ignore, config=config, no_config=no_config, signature=signature,
                      tags=tags_list(tag), outputs=output)
    known = load_baseline(baseline) if baseline is not None else None
    job_list = plan_jobs(model_paths, cli, render_options(fmt, verbose, no_color, out_file),
                         known)
    outcomes = run_with_progress(job_list, worker_count(jobs, len(job_list)))
    emit(outcomes, fmt, out_file, no_color, several)
    raise typer.Exit(combined_exit_code(outcomes))
