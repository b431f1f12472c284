"""Example models shipped inside the package, for ``trtlint analyze --example NAME``.

Each example is a frozen GraphDef ``NAME.pb`` with a JSON sidecar ``NAME.json``
(what it is, its inputs, its intended fetch nodes, how it was made).  They are
copies of fixtures written by ``fixtures/generate.py``; do not edit them by hand.

>>> from trtlint.examples import example_path, example_names
>>> example_names()
['ssd']
>>> example_path("ssd").name
'ssd.pb'
"""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import InputError

EXAMPLES_DIR = Path(__file__).resolve().parent


def example_names() -> list[str]:
    """Names of the shipped examples (a ``.pb`` with a ``.json`` sidecar), sorted."""
    return sorted(p.stem for p in EXAMPLES_DIR.glob("*.pb") if p.with_suffix(".json").is_file())


def example_path(name: str) -> Path:
    """Path of the example's graph file; InputError naming the choices if there is none."""
    path = EXAMPLES_DIR / f"{name}.pb"
    if name not in example_names():
        choices = ", ".join(example_names()) or "none"
        raise InputError(f"no example named '{name}' (available: {choices})")
    return path


def example_info(name: str) -> dict:
    """The example's sidecar: ``what``, ``inputs``, ``outputs`` (fetch node names), ..."""
    example_path(name)
    return json.loads((EXAMPLES_DIR / f"{name}.json").read_text(encoding="utf-8"))
