"""The ``trtlint`` command line: small subcommands over a shared core.

Every command reports a problem with the user's input as one line on stderr and
exits with code 2; it never prints a traceback (set ``TRTLINT_DEBUG=1`` to see one
when reporting a bug).
"""

from __future__ import annotations

import sys
from typing import Optional

import typer

from .. import __version__

app = typer.Typer(
    name="trtlint",
    help="Predict what TensorFlow-TensorRT (TF-TRT) will do to a TensorFlow model: which "
         "nodes land in which TensorRT engine, which stay in TensorFlow, why, and what to change.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"trtlint {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Optional[bool] = typer.Option(None, "--version", callback=_version, is_eager=True,
                                           help="Print the version and exit."),
) -> None:
    """trtlint: lint TensorFlow models for TF-TRT conversion."""


# Subcommands register themselves on import.
from . import inspect_cmd  # noqa: E402,F401
from . import logs_cmd  # noqa: E402,F401
from . import analyze_cmd  # noqa: E402,F401
from . import crosscheck_cmd  # noqa: E402,F401
from . import convert_cmd  # noqa: E402,F401
from . import rules_cmd  # noqa: E402,F401
from . import baseline_cmd  # noqa: E402,F401
from . import viz_cmd  # noqa: E402,F401


def main(argv: Optional[list[str]] = None) -> None:
    """Console-script entry point."""
    try:
        app(args=argv, prog_name="trtlint")
    except KeyboardInterrupt:
        sys.stderr.write("trtlint: interrupted\n")
        sys.exit(130)
