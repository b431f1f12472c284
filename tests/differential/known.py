"""The known differences between trtlint and TF-TRT 2.17 (known_differences.toml).

Each entry names a model, the configs it applies to, which aspects differ
(``engines``, ``unconverted``, or ``error`` when the oracle itself cannot answer), the
diagnosed cause and the pipeline stage at fault.  The corpus tests turn a matching case
into ``xfail(strict=True, raises=KnownDifference)``:

* the difference is still there, exactly as listed -> the test raises KnownDifference -> xfail;
* it is gone -> the test passes -> strict XPASS -> red: remove the entry;
* something else differs now -> an ordinary assertion error -> red.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

KNOWN_FILE = Path(__file__).with_name("known_differences.toml")
STAGES = ("grappler emulation", "shapes/symbols", "support rule", "segmenter", "loader", "oracle")
ASPECTS = ("engines", "unconverted", "error")


class KnownDifference(Exception):
    """A listed difference was observed (what a strict xfail expects)."""


@dataclass(frozen=True)
class Entry:
    model: str
    configs: tuple[str, ...]          # config names, or ("*",) for every config run
    differs: tuple[str, ...]
    cause: str
    stage: str
    probe: str = ""

    def applies(self, model: str, config: str) -> bool:
        return self.model == model and ("*" in self.configs or config in self.configs)

    def reason(self) -> str:
        """``[stage] first sentence of the cause`` (the xfail reason pytest prints)."""
        first = self.cause.split(". ")[0].rstrip(".")
        return f"[{self.stage}] {first[:110]}{'...' if len(first) > 110 else ''}"


def load_entries(path: Path = KNOWN_FILE) -> list[Entry]:
    """Every entry, checked for the fields and values the tests rely on."""
    data = tomllib.loads(path.read_text())
    entries = []
    for i, raw in enumerate(data.get("difference", [])):
        where = f"{path.name} entry {i + 1} ({raw.get('model', '?')})"
        missing = {"model", "configs", "differs", "cause", "stage"} - set(raw)
        if missing:
            raise ValueError(f"{where}: missing {', '.join(sorted(missing))}")
        if raw["stage"] not in STAGES:
            raise ValueError(f"{where}: stage must be one of {STAGES}, not {raw['stage']!r}")
        bad = set(raw["differs"]) - set(ASPECTS)
        if bad or not raw["differs"]:
            raise ValueError(f"{where}: differs must list some of {ASPECTS}")
        entries.append(Entry(raw["model"], tuple(raw["configs"]), tuple(sorted(raw["differs"])),
                             " ".join(raw["cause"].split()), raw["stage"], raw.get("probe", "")))
    return entries


def entry_for(entries: list[Entry], model: str, config: str) -> Optional[Entry]:
    matches = [e for e in entries if e.applies(model, config)]
    if len(matches) > 1:
        raise ValueError(f"{model} [{config}] matches {len(matches)} known-difference entries")
    return matches[0] if matches else None
