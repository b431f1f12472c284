"""Derived facts about an Analysis that several views share (computed once, here).

Views must not recompute analysis; they may call these helpers, which only read the
Analysis and summarise it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .analysis import Analysis


@dataclass
class ReasonCount:
    message: str
    category: str
    count: int
    fix: str | None


@dataclass
class UnconvertedType:
    op: str
    count: int
    reasons: list[ReasonCount]


def unconverted_by_type(a: Analysis) -> list[UnconvertedType]:
    """Op types TF-TRT leaves in TensorFlow, most frequent first, with their reasons."""
    groups: dict[str, Counter] = {}
    meta: dict[tuple[str, str], tuple[str, str | None]] = {}
    for d in a.decisions.values():
        if d.supported:
            continue
        r = d.reason
        key = r.message if r else "unknown"
        groups.setdefault(d.op, Counter())[key] += 1
        if r:
            meta[(d.op, key)] = (r.category, r.fix)
    out = []
    for op, counter in groups.items():
        reasons = [ReasonCount(msg, meta.get((op, msg), ("", None))[0], n,
                               meta.get((op, msg), ("", None))[1])
                   for msg, n in counter.most_common()]
        out.append(UnconvertedType(op, sum(counter.values()), reasons))
    out.sort(key=lambda u: (-u.count, u.op))
    return out


@dataclass
class Breaker:
    """An unconverted node that sits on the boundary of one or more engines."""

    node: str
    op: str
    reason: str
    category: str
    fix: str | None
    touches: list[str]          # engine names it reads from or feeds
    touched_size: int           # total node count of those engines


def segment_breakers(a: Analysis, limit: int = 10) -> list[Breaker]:
    """Unconverted nodes adjacent to the biggest engines: what splits the graph."""
    where: dict[str, str] = {}
    size: dict[str, int] = {}
    for seg in a.segments:
        size[seg.name] = len(seg.nodes)
        for n in seg.nodes:
            where[n] = seg.name
    out = []
    g = a.graph
    for name, d in a.decisions.items():
        if d.supported or d.category == "io":
            continue
        node = g[name]
        touched = {where[r.node] for r in node.inputs if r.node in where}
        touched |= {where[c.node] for c in g.consumers(name) if c.node in where}
        if not touched:
            continue
        r = d.reason
        out.append(Breaker(name, d.op, r.message if r else "", r.category if r else "",
                           r.fix if r else None, sorted(touched),
                           sum(size[t] for t in touched)))
    out.sort(key=lambda b: (-b.touched_size, -len(b.touches), b.node))
    return out[:limit]
