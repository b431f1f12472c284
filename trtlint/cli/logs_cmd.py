"""``trtlint logs``: read a TF-TRT log and say what TF-TRT did."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from typing_extensions import Annotated

from . import app
from .common import console, reports_errors, write_output
from .options import Format, NoColorOpt

LogArg = Annotated[Path, typer.Argument(
    help="A TF-TRT log: the stderr of a conversion or of a run of the converted model "
         "(any TensorFlow 1.x/2.x version, excerpts welcome; .gz is read too; - reads "
         "standard input).",
    show_default=False)]


@app.command()
@reports_errors
def logs(
    log: LogArg,
    format: Format = Format.rich,
    no_color: NoColorOpt = False,
) -> None:
    """Read a TF-TRT log: what became an engine, what stayed in TensorFlow and why.

    Any TF 1.x/2.x log: engines, unconverted ops, grappler sizes, fallbacks, INT8, crashes.
    """
    from ..logs import parse_log_bytes, read_log

    if str(log) == "-":
        report = parse_log_bytes(sys.stdin.buffer.read(), "<stdin>")
    else:
        report = read_log(log)
    if format == Format.json:
        write_output(json.dumps(report.to_json(), indent=2), None)
        return
    from ..views.logs_view import render_log_report

    render_log_report(report, console(no_color), None if str(log) == "-" else str(log))
