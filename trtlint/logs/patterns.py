"""Recognising one message: the pattern machinery and the dispatch table.

A :class:`MessagePattern` turns a message (log prefix already removed, surrounding blanks
stripped, TF-TRT's own ``TF-TRT Warning:`` marker removed) into a ``kind`` and a dict of
parsed ``fields``. The patterns themselves live in :mod:`trtlint.logs.messages`, one module
per message family; this module only finds the right one fast.

Speed matters (a verbose 2.17 log of a big model is tens of MB): patterns anchored at the
start of the message are indexed by their first word, so a message is tried against the
two or three patterns that can match it, not all of them. The few patterns that can match
in the middle of a message carry a ``needle`` substring that is checked before the regex.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Optional

Fields = dict[str, Any]

#: TF-TRT prefixes its own warnings with this marker (LOG_WARNING_WITH_PREFIX, TF 2.4+).
TFTRT_WARNING_MARK = "TF-TRT Warning:"


@dataclass(frozen=True)
class MessagePattern:
    """One message family.

    ``start`` is the literal text the message starts with (its first word is the index
    key); ``needle`` instead marks a pattern searched anywhere in the message. ``tftrt``
    says whether the message alone shows the file is a TF-TRT log (grappler's size lines
    or a failed CHECK appear in any TensorFlow log). ``era`` is set when the wording only
    exists in one TF-TRT code base ("contrib" or "tf2tensorrt").
    """

    kind: str
    regex: re.Pattern[str]
    extract: Callable[[re.Match[str]], Fields]
    start: Optional[str] = None
    needle: Optional[str] = None
    tftrt: bool = True
    era: Optional[str] = None
    #: how the full message ends, when it always ends the same way ("." after an engine
    #: name, ")." after the docs link). Only used to tell a message cut by a re-wrap from
    #: a finished one (:func:`trtlint.logs.events.is_complete_message`).
    ends: Optional[re.Pattern[str]] = None

    def match(self, body: str) -> Optional[Fields]:
        m = self.regex.match(body) if self.start is not None else self.regex.search(body)
        return None if m is None else self.extract(m)


def pattern(kind: str, regex: str, extract: Callable[[re.Match[str]], Fields], *,
            start: Optional[str] = None, needle: Optional[str] = None, tftrt: bool = True,
            era: Optional[str] = None, ends: Optional[str] = None) -> MessagePattern:
    """Declare a pattern; ``start`` defaults to the regex's literal head."""
    if start is None and needle is None:
        start = _literal_head(regex)
    return MessagePattern(kind, re.compile(regex), extract, start, needle, tftrt, era,
                          None if ends is None else re.compile(ends))


def _literal_head(regex: str) -> str:
    """The literal text a regex begins with, up to its first metacharacter."""
    out = []
    i = 0
    while i < len(regex):
        ch = regex[i]
        if ch == "\\" and i + 1 < len(regex) and not regex[i + 1].isalnum():
            out.append(regex[i + 1])
            i += 2
            continue
        if ch in ".^$*+?{}[]|()\\":
            # a quantifier that allows zero repetitions makes the previous char optional
            if ch in "?*{" and out:
                out.pop()
            break
        out.append(ch)
        i += 1
    head = "".join(out)
    if not head.strip():
        raise ValueError(f"pattern {regex!r} needs an explicit start or needle")
    return head


def first_word(text: str) -> str:
    cut = text.find(" ")
    return text if cut < 0 else text[:cut]


@dataclass(frozen=True)
class Match:
    pattern: MessagePattern
    fields: Fields


class PatternTable:
    """Patterns indexed for fast lookup; first declared, first tried."""

    def __init__(self, patterns: Iterable[MessagePattern]) -> None:
        self.patterns = list(patterns)
        self._by_word: dict[str, list[MessagePattern]] = {}
        self._searched: list[MessagePattern] = []
        for p in self.patterns:
            if p.start is not None:
                self._by_word.setdefault(first_word(p.start), []).append(p)
            else:
                self._searched.append(p)

    def match(self, body: str) -> Optional[Match]:
        for p in self._by_word.get(first_word(body), ()):
            if body.startswith(p.start):          # type: ignore[arg-type]
                fields = p.match(body)
                if fields is not None:
                    return Match(p, fields)
        for p in self._searched:
            if p.needle in body:                  # type: ignore[operator]
                fields = p.match(body)
                if fields is not None:
                    return Match(p, fields)
        return None


def strip_tftrt_mark(message: str) -> tuple[str, bool]:
    """``("Cannot replace ...", True)`` for ``"TF-TRT Warning: Cannot replace ..."``."""
    body = message.strip()
    if body.startswith(TFTRT_WARNING_MARK):
        return body[len(TFTRT_WARNING_MARK):].lstrip(), True
    return body, TFTRT_WARNING_MARK in body


# Small helpers for extractors ---------------------------------------------------------

def ints(*names: str) -> Callable[[re.Match[str]], Fields]:
    """Extractor: the named groups, as ints."""
    return lambda m: {n: int(m.group(n)) for n in names}


def groups(**converters: Callable[[str], Any]) -> Callable[[re.Match[str]], Fields]:
    """Extractor: the named groups through the given converters (``str`` keeps text)."""
    def extract(m: re.Match[str]) -> Fields:
        out: Fields = {}
        for name, conv in converters.items():
            value = m.group(name)
            out[name] = None if value is None else conv(value)
        return out
    return extract


def nothing(_m: re.Match[str]) -> Fields:
    return {}


def drop_closing_paren(text: str) -> str:
    """TF 2.17 prints "(Op name: X" without its closing ")" on accepted candidates; strip
    exactly one trailing ")" where it is printed."""
    text = text.rstrip()
    return text[:-1] if text.endswith(")") else text
