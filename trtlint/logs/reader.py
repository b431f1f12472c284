"""From raw log text to logical lines with their log prefix taken apart.

Real TF-TRT logs reach us in many shapes:

- TensorFlow's C++ logger: ``2020-04-21 12:25:31.785625: I tensorflow/.../convert_graph.cc:763] msg``
  (sometimes without the space after ``]``, or with two);
- absl's logger (TF 2.17 C++ and the Python ``absl`` handler):
  ``I0618 16:32:41.029296 140710008563520 trt_convert.py:1074] msg``;
- Python's logging module: ``INFO:tensorflow:msg``, ``WARNING:tensorflow:msg``;
- the prefix cut off by whoever pasted it: ``tensorflow/.../convert_nodes.cc:1467] msg``,
  ``W tensorflow/...cc:42] msg``, or no prefix at all;
- multi-line messages whose continuation lines have no prefix (the OP report, segment node
  dumps, grappler's result blocks);
- CRLF or CR line ends, a UTF-16 BOM (Windows redirection), markdown quote marks ``> `` or a
  stray backtick in front of the timestamp;
- lines hard-wrapped by a terminal or an issue tracker and pasted back as several lines.

:func:`logical_lines` undoes the line-end and wrap damage and splits off the prefix; it
never decides what a message means (that is :mod:`trtlint.logs.patterns`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Optional

LEVELS = {"I": "info", "W": "warning", "E": "error", "F": "fatal",
          "INFO": "info", "WARNING": "warning", "WARN": "warning", "ERROR": "error",
          "FATAL": "fatal", "CRITICAL": "fatal", "DEBUG": "debug"}

# Leading junk a paste may leave in front of a prefix: markdown quote marks, backticks.
_JUNK = r"[>`\s]*"
_SOURCE = r"(?P<source>[^\s\]]+:\d+)"

# Each prefix form, tried in this order; every one is anchored at the line start.
_PREFIXES: tuple[re.Pattern[str], ...] = (
    # TensorFlow C++ logger (TF 1.x - 2.17)
    re.compile(_JUNK + r"(?P<time>\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:\.\d+)?):?\s+"
               r"(?P<level>[IWEF])\s+" + _SOURCE + r"\](?P<msg>.*)$"),
    # absl / glog: I0618 16:32:41.029296 140710008563520 file.py:1074] msg
    re.compile(_JUNK + r"(?P<level>[IWEF])(?P<date>\d{4}) (?P<time>\d\d:\d\d:[\d.]+)\s+"
               r"(?P<thread>\d+)\s+" + _SOURCE + r"\](?P<msg>.*)$"),
    # Python logging: INFO:tensorflow:msg
    re.compile(_JUNK + r"(?P<level>INFO|WARNING|WARN|ERROR|FATAL|CRITICAL|DEBUG)"
               r":(?P<logger>[\w.]+):(?P<msg>.*)$"),
    # severity and source, timestamp cut off: W tensorflow/...cc:42] msg
    re.compile(_JUNK + r"(?P<level>[IWEF])\s+(?P<source>[^\s\]]+\.\w+:\d+)\](?P<msg>.*)$"),
    # only the source left: external/org_tensorflow/tensorflow/...cc:1467] msg
    re.compile(_JUNK + r"(?P<source>[^\s\]]+\.(?:cc|cpp|cu|c|h|py):\d+)\](?P<msg>.*)$"),
)

# Bare lines (no prefix) that begin a message or a line of a known multi-line structure.
# When undoing a re-wrap, such a line is glued to the line above only when that one was
# visibly cut (see logical_lines).
_BARE_STARTS = re.compile(
    r"\s*(?:\[Op type:|-\s|- \[Count:|#{8}|-{8}|TensorRT unsupported|For more information"
    r"|Optimization results for grappler item|Not a TF-TRT candidate|Accepted as a TF-TRT"
    r"|Segmentation fault|Aborted|Thread \d+ |Fatal Python error|\*\*\* SIG|Traceback"
    r"|[\w ]+: Graph size after|[\w ]+: [\w ]+ did nothing)")


@dataclass
class LogLine:
    """One logical line: a physical line, or several re-joined after a re-wrap."""

    number: int                   # 1-based number of its first physical line
    text: str                     # the whole line, prefix included
    message: str                  # the text after the prefix (the whole text when bare)
    prefixed: bool                # a log prefix was recognised
    level: Optional[str] = None
    source: Optional[str] = None
    time: Optional[str] = None


def decode(data: bytes) -> str:
    """Bytes of a log file -> text. UTF-8 (BOM tolerated), UTF-16 with a BOM; undecodable
    bytes become U+FFFD rather than failing: a log with one bad byte is still a log."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.decode("utf-8", errors="replace")


def physical_lines(text: str) -> list[str]:
    """Split on LF, CRLF and lone CR (old Mac, or a progress bar's carriage return).
    ``str.splitlines`` is not used: it also splits on form feeds and U+2028, which can sit
    inside a message."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def strip_paste_quoting(lines: list[str]) -> list[str]:
    """Undo quoting applied to a whole pasted log: a markdown blockquote (every line starts
    with ``>``) and indentation common to every line (an indented code block, an e-mail
    reply). Quoting applied to only some lines is left alone: indented lines inside a log
    (the OP report, grappler's optimizer lines) are meaningful."""
    body = [x for x in lines if x.strip()]
    if not body:
        return lines
    if all(x.lstrip(" ").startswith(">") for x in body):
        lines = [re.sub(r"^ *> ?", "", x) for x in lines]
        body = [x for x in lines if x.strip()]
    indent = min((len(x) - len(x.lstrip(" \t")) for x in body), default=0)
    if indent:
        common = body[0][:indent]
        if all(x.startswith(common) for x in body):
            lines = [x[indent:] if x.startswith(common) else x.lstrip(" \t") for x in lines]
    return lines


#: what split_prefix returns: (message, level, source, time), or None for a bare line
Prefix = Optional[tuple[str, Optional[str], Optional[str], Optional[str]]]


def split_prefix(line: str) -> Prefix:
    """``(message, level, source, time)`` when ``line`` starts with a log prefix.

    One separating space after ``]`` is dropped; a missing one is tolerated."""
    if not line:
        return None
    for pattern in _PREFIXES:
        m = pattern.match(line)
        if m is None:
            continue
        groups = m.groupdict()
        msg = groups["msg"]
        if msg.startswith(" "):
            msg = msg[1:]
        level = LEVELS.get(groups.get("level") or "")
        time = groups.get("time")
        if groups.get("date") and time:
            time = f"{groups['date']} {time}"
        return msg, level, groups.get("source"), time
    return None


# The start of a C++ or absl log prefix. A line that starts like one but has no "]" was
# cut inside its prefix by a re-wrap: the next line is its continuation, whatever it
# looks like (often "egment/segment.cc:443] ...", which would pass for a prefix itself).
_PREFIX_START = re.compile(_JUNK + r"(?:\d{4}-\d\d-\d\d|[IWEF]\d{4} \d\d:\d\d)")


BLANK, PREFIXED, LOOKS_LIKE_START, NO_START = 3, 2, 1, 0


def line_start(line: str, prefix: Prefix) -> int:
    """How surely a physical line begins something new rather than continues the line
    above: ``BLANK``; ``PREFIXED`` (a log prefix, or a timestamp even when the prefix was
    cut); ``LOOKS_LIKE_START`` (a known bare message or block line, which a wrap may also
    produce mid-text: "...constant fo" / "lding: Graph size after: ..."); ``NO_START``.
    ``prefix`` is :func:`split_prefix` of the line.

    A piece cut out of a prefix ("egment/segment.cc:443] ...") also looks prefixed; it is
    glued back by rule 1 of :func:`logical_lines`, whatever this function says."""
    if prefix is not None:
        return PREFIXED
    if not line.strip():
        return BLANK
    if _PREFIX_START.match(line):
        return PREFIXED
    return LOOKS_LIKE_START if _BARE_STARTS.match(line) else NO_START


def _surely_new(line: str) -> bool:
    """Blank, or starting with a timestamp or a Python logging prefix: never the rest of
    the line above (unlike "egment/segment.cc:443] ...", a prefix cut in two)."""
    return (not line.strip() or _PREFIX_START.match(line) is not None
            or _PREFIXES[2].match(line) is not None)


def cut_in_prefix(line: str) -> bool:
    return "]" not in line and _PREFIX_START.match(line) is not None


def wrap_width(lines: list[str], starts: list[int]) -> Optional[int]:
    """The width at which the file looks hard-wrapped, if it does.

    A terminal or an issue tracker that wraps at W columns leaves every piece but the last
    exactly W characters long, and no line longer than W. So W is the longest line length
    when at least two lines of that length, and most of them, are followed by a line that
    is not surely a new message (blank, or starting with a timestamp). The second
    condition keeps a log whose identical long messages are sometimes followed by a
    script's print from being glued together.
    """
    if len(lines) < 3:
        return None
    longest = max(len(x) for x in lines)
    if longest < 40:
        return None
    at_width = [i for i in range(len(lines) - 1) if len(lines[i]) == longest]
    followed = sum(1 for i in at_width if not _surely_new(lines[i + 1]))
    return longest if followed >= 2 and followed * 4 >= len(at_width) * 3 else None


Recognizer = Callable[[str], bool]

#: how many following pieces a cut message may be completed from (rule 3 below)
MAX_PIECES = 6


def logical_lines(text: str, complete: Optional[Recognizer] = None) -> list[LogLine]:
    """The log as logical lines, re-wrapped pieces joined back, prefixes split off.

    The next physical line (a "piece") is glued to the current line when it is not blank
    and

    1. the current line was cut inside its log prefix; or
    2. its last piece is exactly the file's wrap width (a terminal's hard wrap) and the
       piece does not look like a start, or does but the current line is incomplete; or
    3. the piece shows no sign of starting anything, neither line is part of a printed
       structure (indentation, braces), the current line is not a complete message as it
       stands, and gluing up to :data:`MAX_PIECES`
       pieces (directly, or with a space for a wrap that ate the space) makes it one.
       ``complete(message)`` decides; it is how "... consisting of 4 nodes by" /
       "StatefulPartitionedCall/X/TRTEngineOp_5." is restored while a script's print
       after a message stays apart.

    Known limits: a line whose length is an exact multiple of the wrap width, followed by
    a stray print, swallows the print; a log re-flowed at spaces (markdown paragraphs) is
    restored only where the cut message is recognisably unfinished.
    """
    raw = strip_paste_quoting(physical_lines(text))
    prefixes = [split_prefix(x) for x in raw]
    starts = [line_start(x, p) for x, p in zip(raw, prefixes)]
    width = wrap_width(raw, starts)
    out: list[LogLine] = []
    i = 0
    n = len(raw)
    while i < n:
        first = i
        pieces = [raw[i]]
        i += 1
        # only a line without a recognised prefix can have been cut inside one
        maybe_cut = prefixes[first] is None and starts[first] != BLANK
        while i < n and starts[first] != BLANK:
            following = starts[i]
            if following == BLANK:
                break
            if maybe_cut:
                maybe_cut = cut_in_prefix("".join(pieces))
                if maybe_cut:                                   # rule 1
                    pieces.append(raw[i])
                    i += 1
                    continue
            if following == PREFIXED:
                break
            if len(pieces[-1]) == width and (                  # rule 2
                    following == NO_START or complete is None
                    or not complete(_message_of(pieces, prefixes[first]))):
                pieces.append(raw[i])
                i += 1
                continue
            if following == LOOKS_LIKE_START or complete is None or _structured(pieces, raw[i]):
                break
            joined = _complete_with_pieces(pieces, prefixes[first], raw, starts, i, complete)
            if joined is None:                                  # rule 3
                break
            pieces, i = joined
        if len(pieces) == 1:
            out.append(_logical(first + 1, pieces[0], prefixes[first]))
        else:
            whole = "".join(pieces)
            out.append(_logical(first + 1, whole, split_prefix(whole)))
    return out


def _structured(pieces: list[str], following: str) -> bool:
    """Indentation and braces mark the lines of a printed structure (a shape proto, a
    device property list), never a wrapped message: rule 3 leaves them alone."""
    last = pieces[-1]
    return (last[:1].isspace() or last.rstrip()[-1:] in ("{", "}")
            or following.lstrip()[:1] in ("{", "}"))


def _message_of(pieces: list[str], first_prefix: Prefix) -> str:
    """The message of a line being assembled (its prefix is in the first piece, unless
    that piece was cut inside the prefix)."""
    if len(pieces) == 1 and first_prefix is not None:
        return first_prefix[0]
    whole = "".join(pieces)
    parts = split_prefix(whole)
    return whole if parts is None else parts[0]


def _complete_with_pieces(pieces: list[str], first_prefix: Prefix, raw: list[str],
                          starts: list[int], i: int,
                          complete: Recognizer) -> Optional[tuple[list[str], int]]:
    """Rule 3 of :func:`logical_lines`: ``(pieces, next index)`` or ``None``."""
    head = _message_of(pieces, first_prefix)
    if complete(head):
        return None
    for separator in ("", " "):
        message = head
        added: list[str] = []
        j = i
        while j < len(raw) and j - i < MAX_PIECES and starts[j] == NO_START:
            piece = separator + raw[j].strip() if separator else raw[j]
            message += piece
            added.append(piece)
            j += 1
            if complete(message):
                return pieces + added, j
    return None


def _logical(number: int, text: str, parts: Prefix) -> LogLine:
    if parts is None:
        return LogLine(number, text, text, False)
    msg, level, source, time = parts
    return LogLine(number, text, msg, True, level, source, time)
