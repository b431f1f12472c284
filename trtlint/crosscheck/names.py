"""Names in a log versus names in the model.

Engines. TF-TRT has named its engines differently over the years, and a log may print
them with the scope of the function they live in:

    TRTEngineOp_0                              contrib (TF 1.x), TF 2.0
    TRTEngineOp_0_3                            TF 2.1 - 2.4 (graph sequence, index)
    TRTEngineOp_000_003                        TF 2.5 - 2.17
    StatefulPartitionedCall/model/TRTEngineOp_0_3    the same, scoped
    dense/my_trt_op0, my_trt_op_0              contrib 2018

:func:`engine_index` reads the engine number out of any of them.

Nodes. The model and the log may name the same node differently: a frozen GraphDef
converted as a function can be logged under ``PartitionedCall/...``; a SavedModel's
nodes carry ``StatefulPartitionedCall/`` in both. :func:`align_names` finds the scope
prefix that, removed from (or added to) log names, makes them the model's names.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Optional

_ENGINE = re.compile(r"(?:TRTEngineOp|my_trt_op)_?(\d+)(?:_(\d+))?$")
#: Names TF-TRT invents inside engines and graphs: never model nodes.
SYNTHETIC = re.compile(r"^(?:TensorRTInputPH_|TensorRTOutputPH_|_SOURCE$|_SINK$)")
MAX_PREFIX_DEPTH = 4


def engine_index(name: Optional[str]) -> Optional[int]:
    """The engine number of an engine name, whatever the era and scope; None if none."""
    if not name:
        return None
    match = _ENGINE.search(name.rsplit("/", 1)[-1])
    if not match:
        return None
    return int(match.group(2) if match.group(2) is not None else match.group(1))


def canonical_engine_name(name: Optional[str]) -> Optional[str]:
    """The engine's name without its scope (what TF-TRT itself uses as cache key)."""
    return None if not name else name.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class NameAlignment:
    """How log node names map onto model node names."""

    strip: str = ""          # prefix removed from log names ("PartitionedCall/")
    add: str = ""            # prefix added to log names
    found: int = 0           # distinct log names found in the model after mapping
    total: int = 0           # distinct log names considered

    def map(self, name: str) -> str:
        if self.strip and name.startswith(self.strip):
            name = name[len(self.strip):]
        return self.add + name if self.add else name

    @property
    def share_found(self) -> Optional[float]:
        return None if self.total == 0 else self.found / self.total

    def to_json(self) -> dict:
        return {"strip_prefix": self.strip or None, "add_prefix": self.add or None,
                "log_names": self.total, "found_in_model": self.found}


def _prefixes(name: str) -> Iterable[tuple[str, str]]:
    """(prefix, rest) for the first 1..MAX_PREFIX_DEPTH scope levels of a name."""
    parts = name.split("/")
    for depth in range(1, min(MAX_PREFIX_DEPTH, len(parts) - 1) + 1):
        yield "/".join(parts[:depth]) + "/", "/".join(parts[depth:])


def align_names(log_names: Iterable[str], model_names: Iterable[str]) -> NameAlignment:
    """The prefix mapping that puts the most log names into the model.

    Tried: nothing; removing a scope prefix from log names; adding one (the model's
    names are scoped, the log's are not). A mapping must beat the plain names to be
    chosen, so a log that matches as it is keeps its names."""
    known = set(model_names)
    names = sorted({n for n in log_names if n and not SYNTHETIC.match(n)})
    if not names:
        return NameAlignment()
    plain = sum(1 for n in names if n in known)
    best = NameAlignment(found=plain, total=len(names))
    if plain == len(names):
        return best
    strip_votes: Counter[str] = Counter()
    for name in names:
        if name in known:
            continue
        for prefix, rest in _prefixes(name):
            if rest in known:
                strip_votes[prefix] += 1
    missing = {n for n in names if n not in known}
    add_votes: Counter[str] = Counter()
    for model_name in known:
        for prefix, rest in _prefixes(model_name):
            if rest in missing:
                add_votes[prefix] += 1
    candidates = [NameAlignment(strip=p) for p, _ in strip_votes.most_common(3)]
    candidates += [NameAlignment(add=p) for p, _ in add_votes.most_common(3)]
    for candidate in candidates:
        found = sum(1 for n in names if candidate.map(n) in known)
        if found > best.found:
            best = NameAlignment(strip=candidate.strip, add=candidate.add, found=found,
                                 total=len(names))
    return best
