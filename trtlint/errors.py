"""Errors trtlint reports to the user as one line on stderr with exit code 2."""

from __future__ import annotations

from pathlib import Path
from typing import Optional, Union


class TrtlintError(Exception):
    """Base class: a problem with what the user gave us, not a bug in trtlint."""

    exit_code = 2

    def __init__(self, message: str, path: Optional[Union[str, Path]] = None) -> None:
        self.path = str(path) if path is not None else None
        super().__init__(message)

    def one_line(self) -> str:
        text = " ".join(str(self).split())
        return f"{self.path}: {text}" if self.path else text


class InputError(TrtlintError):
    """The model, log or config file cannot be used (missing, corrupt, wrong kind)."""


class UsageError(TrtlintError):
    """The command line or configuration asks for something inconsistent."""
