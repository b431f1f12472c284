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
from collections import Counter
from dataclasses import dataclass
from typing import Optional

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
# Such a line is never glued to the line above it when undoing a re-wrap.
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


def split_prefix(line: str) -> Optional[tuple[str, Optional[str], Optional[str], Optional[str]]]:
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


def starts_message(line: str, prefix: object = False) -> bool:
    """Does this physical line begin something (a prefixed message, a known bare message,
    a line of a known block, or a blank separator) rather than continue the line above?

    ``prefix`` is :func:`split_prefix` of the line when the caller already has it."""
    if not line.strip():
        return True
    if prefix is False:
        prefix = split_prefix(line)
    if prefix is not None:
        return True
    return _BARE_STARTS.match(line) is not None


def wrap_widths(lines: list[str], starts: list[bool]) -> set[int]:
    """Widths at which the file looks hard-wrapped.

    A terminal or an issue tracker that wraps at W columns leaves every piece but the last
    exactly W characters long, and no line longer than W. So W is taken to be the longest
    line length, when at least two lines of that length are followed by a line that does
    not begin a message. Requiring the maximum (not just a repeated length) keeps logs
    whose identical long messages happen to be followed by a stray print from being
    glued together.
    """
    if len(lines) < 2:
        return set()
    longest = max(len(x) for x in lines)
    if longest < 40:
        return set()
    followed = Counter(len(lines[i]) for i in range(len(lines) - 1)
                       if len(lines[i]) == longest and not starts[i + 1])
    return {longest} if followed[longest] >= 2 else set()


def logical_lines(text: str) -> list[LogLine]:
    """The log as logical lines, re-wrapped pieces joined back, prefixes split off.

    A piece is glued to the line above when it does not begin a message itself and the
    line above is either exactly the detected wrap width or ends in whitespace (a wrap at
    a space: "... nodes by " / "StatefulPartitionedCall/X/TRTEngineOp_5.").
    """
    raw = physical_lines(text)
    prefixes = [split_prefix(x) for x in raw]
    starts = [starts_message(x, p) for x, p in zip(raw, prefixes)]
    widths = wrap_widths(raw, starts)
    out: list[LogLine] = []
    i = 0
    n = len(raw)
    while i < n:
        first = i
        last = raw[i]
        i += 1
        while (i < n and not starts[i] and last.strip()
               and (len(last) in widths or last[-1:].isspace())):
            last = raw[i]
            i += 1
        if i - first == 1:
            whole, parts = raw[first], prefixes[first]
        else:
            whole = "".join(raw[first:i])
            parts = split_prefix(whole)
        if parts is None:
            out.append(LogLine(first + 1, whole, whole, False))
        else:
            msg, level, source, time = parts
            out.append(LogLine(first + 1, whole, msg, True, level, source, time))
    return out
