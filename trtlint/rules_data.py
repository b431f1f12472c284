"""Locating the data files of ``rules/`` (TF-TRT knowledge as data).

In an installed wheel they live in the package as ``trtlint/_rules``; in a source
checkout (editable install, tests) they are the repository's ``rules/`` folder.
"""

from __future__ import annotations

import json
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from .errors import TrtlintError


def rules_dir() -> Path:
    here = Path(__file__).resolve().parent
    packaged = here / "_rules"
    if packaged.is_dir():
        return packaged
    source = here.parent / "rules"
    if source.is_dir():
        return source
    raise TrtlintError("trtlint's rules data is missing (reinstall trtlint)")


@lru_cache(maxsize=None)
def load_toml(name: str) -> dict[str, Any]:
    path = rules_dir() / name
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise TrtlintError(f"trtlint's rules file {name} is missing (reinstall trtlint)") from None
    except tomllib.TOMLDecodeError as exc:
        raise TrtlintError(f"trtlint's rules file {name} is invalid: {exc}") from None


@lru_cache(maxsize=None)
def load_json(name: str) -> Any:
    with (rules_dir() / name).open("r", encoding="utf-8") as fh:
        return json.load(fh)
