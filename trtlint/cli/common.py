"""Helpers shared by the subcommands: error reporting, consoles, output files."""

from __future__ import annotations

import functools
import os
import sys
import traceback
from pathlib import Path
from typing import Callable, Optional

import typer
from rich.console import Console

from ..errors import TrtlintError


def stderr_line(text: str) -> None:
    sys.stderr.write(text.rstrip("\n") + "\n")
    sys.stderr.flush()


def reports_errors(fn: Callable) -> Callable:
    """Turn TrtlintError (and, as a last resort, any bug) into one line + exit 2."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except TrtlintError as exc:
            stderr_line(f"trtlint: error: {exc.one_line()}")
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            stderr_line("trtlint: interrupted")
            raise typer.Exit(130) from None
        except BrokenPipeError:
            raise typer.Exit(0) from None
        except Exception as exc:  # noqa: BLE001 - the promise is: never a traceback
            if os.environ.get("TRTLINT_DEBUG"):
                traceback.print_exc()
            detail = " ".join(str(exc).split())[:200]
            stderr_line(f"trtlint: internal error ({type(exc).__name__}: {detail}); "
                        f"rerun with TRTLINT_DEBUG=1 and report it")
            raise typer.Exit(2) from None

    return wrapper


def console(no_color: bool = False, stderr: bool = False) -> Console:
    """A rich console; plain when not a terminal or NO_COLOR is set."""
    return Console(stderr=stderr, no_color=no_color or bool(os.environ.get("NO_COLOR")),
                   highlight=False, soft_wrap=False)


def write_output(text: str, output: Optional[Path]) -> None:
    """Print to stdout or write a file (never next to the model unless asked)."""
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise TrtlintError(f"cannot write output: {exc.strerror or exc}", output) from None
