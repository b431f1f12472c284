"""Which models a command line names: files, SavedModel folders, folders of models.

``trtlint analyze a.pb b.pbtxt exported/ models/``:

- a file is one model (``saved_model.pb`` stands for its SavedModel folder; the other
  files TensorFlow writes into a SavedModel, ``fingerprint.pb`` and
  ``keras_metadata.pb``, stand for it too, so ``git``/pre-commit file lists work);
- a folder with ``saved_model.pb`` (or ``.pbtxt``) is one SavedModel;
- any other folder is searched recursively, in sorted order, for ``*.pb`` and
  ``*.pbtxt`` files and SavedModel folders (never looking inside a SavedModel, nor
  into hidden folders such as ``.git``).

The same model named twice is analysed once.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from ..errors import InputError

SAVED_MODEL_FILES = ("saved_model.pb", "saved_model.pbtxt")
#: files TensorFlow writes into a SavedModel folder besides the graph
SAVED_MODEL_MEMBERS = ("fingerprint.pb", "keras_metadata.pb")
GRAPH_SUFFIXES = (".pb", ".pbtxt")


def is_saved_model_dir(path: Path) -> bool:
    return any((path / name).is_file() for name in SAVED_MODEL_FILES)


def _as_model(path: Path) -> Path:
    """A file inside a SavedModel folder stands for the folder."""
    if path.name in SAVED_MODEL_FILES and path.is_file():
        return path.parent
    if path.name in SAVED_MODEL_MEMBERS and is_saved_model_dir(path.parent):
        return path.parent
    return path


def _search(folder: Path) -> list[Path]:
    found: list[Path] = []
    for root, dirs, files in os.walk(folder):
        here = Path(root)
        keep = []
        for d in sorted(dirs):
            if d.startswith("."):
                continue
            if is_saved_model_dir(here / d):
                found.append(here / d)
            else:
                keep.append(d)
        dirs[:] = keep  # os.walk descends only into what is left here
        found.extend(here / f for f in sorted(files)
                     if f.lower().endswith(GRAPH_SUFFIXES) and not f.startswith("."))
    return sorted(found, key=lambda p: p.parts)


def expand_model_paths(paths: Iterable[Path]) -> list[Path]:
    """The models named by ``paths``, in command-line order, each once.

    A folder with no model in it is an :class:`InputError`; a path that does not exist
    is passed through, so that loading it reports the problem for that model.
    """
    out: list[Path] = []
    seen: set[str] = set()

    def add(p: Path) -> None:
        key = os.path.realpath(p)
        if key not in seen:
            seen.add(key)
            out.append(p)

    for path in paths:
        if path.is_dir():
            if is_saved_model_dir(path):
                add(path)
                continue
            models = _search(path)
            if not models:
                raise InputError("no models here (looked for *.pb, *.pbtxt and SavedModel "
                                 "folders)", path)
            for model in models:
                add(model)
        else:
            add(_as_model(path))
    return out
