"""``trtlint convert MODEL``: run the real TF-TRT conversion in a child process.

Steps: read the model (no TensorFlow here) and check the flags; preflight the
interpreter that will convert; run the child with TF-TRT's logging turned up, showing
progress; report how it ended (a crash is a finding, not a trtlint traceback); with
``--crosscheck``, compare the log with trtlint's own prediction. Exit codes: 0 converted
(and within --tolerance), 1 the conversion failed or the cross-check disagrees, 2 bad
input or a missing prerequisite.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import List, Optional

import typer
from typing_extensions import Annotated

from ..errors import InputError, UsageError
from . import app
from .common import console, reports_errors, stderr_line, write_output
from .crosscheck_cmd import ToleranceOpt
from .options import (DynamicShapeOpt, Format, InputShapeOpt, MaxBatchOpt, MinSegOpt,
                      NoColorOpt, OutputNameOpt, PrecisionOpt, SignatureOpt, TagOpt, tags_list)

DEFAULT_OUTDIR = Path("trtlint-convert")


def default_outdir(model: Path) -> Path:
    """``./trtlint-convert/<model name>``: never next to the model unless asked."""
    name = model.name if model.is_dir() else model.stem
    if name == "saved_model":                    # MODEL given as .../saved_model.pb
        name = model.parent.name
    return DEFAULT_OUTDIR / (name or "model")


def _crosscheck(run, log_report, request, preflight, input_shape, tolerance, signature, tags,
                outputs):
    """Predict with the settings of the run and compare with its log."""
    from ..analysis import analyze
    from ..crosscheck import crosscheck_log
    from ..load import load_model
    from .options import target_from_options

    gpus = run.fact("gpus")
    if gpus is None and preflight is not None:
        gpus = preflight.gpus
    # TrtGraphConverterV2 clears device placements before converting, so grappler's
    # layout optimizer leaves the graph alone (as on a machine without GPU); the TF1 API
    # keeps them and sees the GPU layout when a GPU exists.
    gpu_layout = bool(gpus) and run.fact("api") == "v1"
    profile = preflight.profile if preflight is not None else "tf2"
    target = target_from_options(profile, request.precision, request.dynamic_shape,
                                 request.minimum_segment_size, request.max_batch_size,
                                 input_shape, cpu_layout=not gpu_layout)
    model = load_model(request.model, signature=signature, tags=tags, outputs=outputs)
    return crosscheck_log(analyze(model, target), log_report, tolerance,
                          str(request.model), str(run.log_path))


@app.command()
@reports_errors
def convert(
    model: Annotated[Optional[Path], typer.Argument(
        help="Frozen graph (.pb), text graph (.pbtxt) or SavedModel directory.",
        show_default=False)] = None,
    outdir: Annotated[Optional[Path], typer.Option(
        "-o", "--outdir", help="Where the converted model, conversion.log and the JSON "
                               "results go (default: ./trtlint-convert/<model name>).",
        show_default=False)] = None,
    precision: PrecisionOpt = "FP32",
    max_batch_size: MaxBatchOpt = None,
    minimum_segment_size: MinSegOpt = 3,
    dynamic_shape: DynamicShapeOpt = False,
    calibration_data: Annotated[Optional[Path], typer.Option(
        "--calibration-data", help="INT8 calibration (and --benchmark) input: a folder of "
                                   ".npz batches with arrays named after the inputs, or .npy "
                                   "batches for a single-input model.",
        show_default=False)] = None,
    benchmark: Annotated[Optional[int], typer.Option(
        "--benchmark", min=1, help="Time N runs of the native and the converted model "
                                   "(after warm-up; p50/p90) and compare their outputs.",
        show_default=False)] = None,
    warmup: Annotated[int, typer.Option(
        "--warmup", min=0, help="Untimed runs before --benchmark's timed ones (engines are "
                                "built during these).")] = 10,
    input_shape: InputShapeOpt = None,
    signature: SignatureOpt = None,
    tag: TagOpt = None,
    output: OutputNameOpt = None,
    python: Annotated[Optional[Path], typer.Option(
        "--python", help="The interpreter that has TensorFlow with TF-TRT (default: the one "
                         "running trtlint).", show_default=False)] = None,
    env: Annotated[Optional[List[str]], typer.Option(
        "--env", help="KEY=VALUE for the conversion process (repeatable), e.g. "
                      "LD_LIBRARY_PATH=/opt/tensorrt/lib.", show_default=False)] = None,
    oracle_dir: Annotated[Optional[Path], typer.Option(
        "--oracle-dir", help="Convert with a TF-TRT CPU oracle environment (tools/tftrt-oracle: "
                             "TF 2.17 + stub TensorRT): its interpreter, its stubs on "
                             "LD_LIBRARY_PATH, no GPU (implies --allow-no-gpu).",
        show_default=False)] = None,
    allow_no_gpu: Annotated[bool, typer.Option(
        "--allow-no-gpu", help="Run without a GPU: TF-TRT's conversion pass only (segments, "
                               "TRTEngineOps, the log); no engine is built.")] = False,
    api: Annotated[str, typer.Option(
        "--api", help="auto (TrtGraphConverterV2 on TF 2, the TF1 API on TF 1.x or for "
                      "--max-batch-size), v2 or v1.")] = "auto",
    timeout: Annotated[float, typer.Option(
        "--timeout", min=1.0, help="Seconds before the conversion is stopped.")] = 3600.0,
    check: Annotated[bool, typer.Option(
        "--check", help="Only the preflight: is everything the conversion needs here?")] = False,
    no_preflight: Annotated[bool, typer.Option(
        "--no-preflight", help="Skip the preflight (failures then surface from the run).")]
    = False,
    crosscheck: Annotated[bool, typer.Option(
        "--crosscheck", help="Also predict with trtlint and compare with the conversion "
                             "log (as `trtlint crosscheck`).")] = False,
    tolerance: ToleranceOpt = 0.1,
    quiet: Annotated[bool, typer.Option("--quiet", "-q",
                                        help="No progress display.")] = False,
    format: Format = Format.rich,
    no_color: NoColorOpt = False,
) -> None:
    """Convert MODEL with the real TF-TRT in a child process and report what happened.

    Needs TensorFlow built with TensorRT (TensorFlow 2.17 or older on Linux x86_64, e.g.
    pip install 'tensorflow\\[and-cuda]==2.17.*'), TensorRT's libraries and a GPU: the
    preflight says which one is missing and how to get it (--check runs only that).

    OUTDIR receives conversion.log (TF-TRT's verbose log), conversion.json, the converted
    model and report.json. A crash of the child (SIGABRT, SIGSEGV) becomes a finding with
    the last log lines. Exit code: 0 converted, 1 the conversion failed or --crosscheck
    disagrees beyond --tolerance, 2 bad input or something missing.
    """
    from ..convert.environment import child_environment
    from ..convert.preflight import PreflightFailed, run_preflight
    from ..views.convert_view import (ConvertProgress, convert_json, log_summary,
                                      render_conversion, render_preflight)

    if model is None and not check:
        raise UsageError("give a model path (or --check for the preflight only)")
    child_env = child_environment(python, env, oracle_dir, allow_no_gpu)
    out = console(no_color)
    err = console(no_color, stderr=True)

    request = None
    if model is not None:
        from ..convert.request import build_request
        from ..load import load_model
        from ..shapes.overrides import parse_input_shapes

        loaded = load_model(model, signature=signature, tags=tags_list(tag), outputs=output)
        request = build_request(
            loaded, outdir or default_outdir(model), precision=precision,
            minimum_segment_size=minimum_segment_size, dynamic_shape=dynamic_shape,
            max_batch_size=max_batch_size, api=api, signature=signature, tags=tags_list(tag),
            input_shapes=parse_input_shapes(input_shape or []),
            calibration_data=calibration_data, benchmark_runs=benchmark,
            benchmark_warmup=warmup, allow_no_gpu=child_env.allow_no_gpu)

    progress = ConvertProgress(quiet=quiet, no_color=no_color)
    preflight = None
    if not no_preflight or check:
        progress.note(f"preflight: asking {child_env.python} about TensorFlow, TensorRT, GPUs")
        preflight = run_preflight(child_env)
        if check:
            if format == Format.json:
                write_output(json.dumps(convert_json(preflight, None, None), indent=2), None)
            else:
                render_preflight(preflight, out)
            raise typer.Exit(0 if preflight.ok else 2)
        if not preflight.ok:
            render_preflight(preflight, err)
            raise PreflightFailed(preflight)

    assert request is not None
    from ..convert.runner import run_conversion

    with progress:
        run = run_conversion(request, child_env, timeout=timeout, progress=progress)
    if run.status == "interrupted":
        stderr_line("trtlint: interrupted")
        raise typer.Exit(130)

    from ..logs import read_log

    try:
        log_report = read_log(run.log_path)
    except InputError:
        log_report = None                 # the child died before TF-TRT said anything
    summary = log_summary(log_report)

    checked = None
    if crosscheck:
        if log_report is None:
            stderr_line("trtlint: note: no cross-check: the conversion log has no TF-TRT "
                        "message (the conversion did not get that far)")
        else:
            progress.note("cross-check: predicting with trtlint and comparing with the log")
            checked = _crosscheck(run, log_report, request, preflight, input_shape, tolerance,
                                  signature, tags_list(tag), output)
            (request.outdir / "crosscheck.json").write_text(
                json.dumps(checked.to_json(), indent=2), encoding="utf-8")

    document = convert_json(preflight, run, summary, checked)
    (request.outdir / "report.json").write_text(json.dumps(document, indent=2),
                                                encoding="utf-8")
    if format == Format.json:
        write_output(json.dumps(document, indent=2), None)
    else:
        if preflight is not None and any(c.status == "warning" for c in preflight.checks):
            render_preflight(preflight, out, problems_only=True)
        render_conversion(run, summary, out)
        if checked is not None:
            from ..views.crosscheck_view import render_crosscheck

            render_crosscheck(checked, out)
    failed = not run.ok or (checked is not None and checked.exceeds_tolerance)
    raise typer.Exit(1 if failed else 0)
