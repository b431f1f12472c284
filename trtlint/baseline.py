"""Baselines: accept today's findings, fail only on new ones.

A team adopting trtlint on models that already convert "well enough" does not want CI
to go red on every known finding.  ``trtlint baseline MODEL... -o trtlint-baseline.json``
records what is reported now; ``trtlint analyze MODEL --baseline trtlint-baseline.json``
then reports (and fails on) only findings that are not in it.

Identity of a finding is :meth:`Finding.fingerprint` (rule, node, message): stable
across runs, independent of severity changes and of the order rules run in.  Matching
counts duplicates: if the baseline holds a fingerprint once and the model now produces
it twice, one of the two is new.

Models are keyed by their path relative to the baseline file's folder (POSIX form), so
the file stays valid when the repository is cloned elsewhere, and entries are sorted so
that regenerating a baseline gives a small, reviewable diff.

File format (``schema`` = ``trtlint.baseline/1``)::

    {"schema": "trtlint.baseline/1", "trtlint": "0.1.0",
     "models": {"models/ssd.pb": [{"fingerprint": "TRT101|image_tensor|...",
                                   "rule": "TRT101", "severity": "error",
                                   "node": "image_tensor", "message": "..."}]}}
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

from .errors import InputError, TrtlintError

SCHEMA = "trtlint.baseline/1"


def model_key(model_path: Path | str, baseline_dir: Path) -> str:
    """How a model is named inside a baseline: relative to the baseline's folder.

    A SavedModel named by its ``saved_model.pb`` (as pre-commit passes it) and by its
    folder is the same model, so the folder is the key.
    """
    path = Path(model_path)
    if path.name == "saved_model.pb":
        path = path.parent
    absolute = os.path.abspath(path)
    try:
        rel = os.path.relpath(absolute, os.path.abspath(baseline_dir))
    except ValueError:  # another drive (Windows): no relative path exists
        rel = absolute
    return Path(rel).as_posix()


def finding_entry(finding) -> dict[str, Any]:
    return {"fingerprint": finding.fingerprint(), "rule": finding.rule,
            "severity": finding.severity, "node": finding.node, "message": finding.message}


@dataclass
class Baseline:
    """A loaded baseline: fingerprints (with multiplicity) per model key."""

    path: Path
    models: dict[str, Counter] = field(default_factory=dict)

    def known_for(self, model_path: Path | str) -> Counter:
        return Counter(self.models.get(model_key(model_path, self.path.parent), Counter()))

    @property
    def total(self) -> int:
        return sum(sum(c.values()) for c in self.models.values())


def split_new(findings: Sequence[Any], known: Counter) -> tuple[list[Any], int]:
    """(findings not in the baseline, how many were in it).  ``known`` is not changed."""
    remaining = Counter(known)
    new: list[Any] = []
    matched = 0
    for finding in findings:
        fp = finding.fingerprint()
        if remaining[fp] > 0:
            remaining[fp] -= 1
            matched += 1
        else:
            new.append(finding)
    return new, matched


def baseline_json(entries: Iterable[tuple[str, Sequence[Any]]], baseline_path: Path) -> dict:
    """The baseline object for (model path, findings) pairs."""
    from . import __version__

    models: dict[str, list[dict[str, Any]]] = {}
    for model_path, findings in entries:
        key = model_key(model_path, baseline_path.parent)
        items = models.setdefault(key, [])
        items.extend(finding_entry(f) for f in findings)
    for items in models.values():
        items.sort(key=lambda e: (e["rule"], e["node"] or "", e["message"]))
    return {"schema": SCHEMA, "trtlint": __version__,
            "models": {k: models[k] for k in sorted(models)}}


def write_baseline(path: Path, entries: Iterable[tuple[str, Sequence[Any]]]) -> dict:
    data = baseline_json(entries, path)
    try:
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as exc:
        raise TrtlintError(f"cannot write baseline: {exc.strerror or exc}", path) from None
    return data


def load_baseline(path: Path) -> Baseline:
    """Read a baseline file; anything that is not one is an InputError."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("baseline file not found (create it with `trtlint baseline MODEL "
                         "-o FILE`)", path) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a baseline file", path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read baseline: {getattr(exc, 'strerror', None) or exc}",
                         path) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not a trtlint baseline (invalid JSON: {exc.msg} at line "
                         f"{exc.lineno})", path) from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        found = data.get("schema") if isinstance(data, dict) else type(data).__name__
        raise InputError(f"not a trtlint baseline (schema {found!r}, expected '{SCHEMA}')",
                         path)
    models = data.get("models")
    if not isinstance(models, dict):
        raise InputError("not a trtlint baseline ('models' must be an object)", path)
    out: dict[str, Counter] = {}
    for key, items in models.items():
        if not isinstance(items, list) or not all(
                isinstance(e, dict) and isinstance(e.get("fingerprint"), str) for e in items):
            raise InputError(f"corrupt baseline: entries of model '{key}' need a "
                             f"'fingerprint' string", path)
        out[key] = Counter(e["fingerprint"] for e in items)
    return Baseline(path=path, models=out)
