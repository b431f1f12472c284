"""Lines without a log prefix that belong to a multi-line structure, and crash markers.

TF-TRT prints some messages over several lines; only the first carries the log prefix
(and in pasted excerpts, often not even that):

- the TF 2.8+ OP report::

      W .../segment.cc:969]
      ################################################################################
      TensorRT unsupported/non-converted OP Report:
      \t- NoOp -> 2x
      \t\t- [Count: 2x] Op type NoOp is not supported.      (TF_TRT_SHOW_DETAILED_REPORT=1)
      --------------------------------------------------------------------------------
      \t- Total nonconverted OPs: 4
      \t- Total nonconverted OP Types: 3
      For more information see https://docs.nvidia.com/...
      ################################################################################

- the verbose segment dump: ``Nodes in segment 1 with parent=X:`` then one
  ``[Op type: Const] node/name`` line per node.

The process dying shows up as lines the shell, a debugger or a signal handler prints:
``Aborted (core dumped)``, ``Segmentation fault``, ``Thread 1 "python3" received signal
SIGSEGV, Segmentation fault.``, ``Fatal Python error: Segmentation fault``.
"""

from __future__ import annotations

import re
from typing import Any, Optional

_NODE_LINE = re.compile(r"\[Op type: (?P<op_type>[^\]]*)\]\s*(?P<name>.*?)\s*$")
_REPORT_OP = re.compile(r"-\s+(?P<op>[^\s\[]\S*) -> (?P<count>\d+)x\s*$")
_REPORT_REASON = re.compile(r"-\s+\[Count: (?P<count>\d+)x\]\s*(?P<reason>.*?)\s*$")
_REPORT_TOTAL_OPS = re.compile(r"-\s+Total nonconverted OPs: (?P<count>\d+)")
_REPORT_TOTAL_TYPES = re.compile(r"-\s+Total nonconverted OP Types: (?P<count>\d+)")
_DECORATION = re.compile(r"(?:#{8,}|-{8,}|For more information see \S+)\s*$")

_SIGNALS = r"(?:Segmentation fault|Aborted|Illegal instruction|Bus error|" \
           r"Floating point exception|Killed)"
_CRASH_LINES = (
    # the shell reporting how the child died, alone on its line
    re.compile(_SIGNALS + r"(?: \(core dumped\))?\s*$"),
    # bash: "./run.sh: line 3: 12345 Aborted (core dumped) python3 convert.py"
    re.compile(r"\S+: line \d+:\s+\d+ " + _SIGNALS + r"(?: \(core dumped\))?(?:\s.*)?$"),
    # gdb
    re.compile(r"(?:Thread \d+ .*|Program) received signal SIG\w+.*$"),
    # Python's faulthandler, absl's failure signal handler, the C++ runtime
    re.compile(r"Fatal Python error: \w.*$"),
    re.compile(r"\*\*\* SIG\w+ received at time=.*$"),
    re.compile(r"terminate called after throwing an instance of .*$"),
)


def match_block_line(body: str) -> Optional[tuple[str, dict[str, Any]]]:
    """``(kind, fields)`` for a stripped bare line of a known block, else ``None``.

    Kinds: ``node_line``, ``report_op``, ``report_reason``, ``report_total_ops``,
    ``report_total_types``, ``decoration`` (separators and the docs link: part of the
    report, nothing to record)."""
    first = body[:1]
    if first == "[":
        m = _NODE_LINE.match(body)
        if m:
            return "node_line", {"op_type": m.group("op_type"), "name": m.group("name")}
        return None
    if first == "-":
        for kind, regex in (("report_total_ops", _REPORT_TOTAL_OPS),
                            ("report_total_types", _REPORT_TOTAL_TYPES),
                            ("report_reason", _REPORT_REASON), ("report_op", _REPORT_OP)):
            m = regex.match(body)
            if m:
                fields = m.groupdict()
                fields["count"] = int(fields["count"])
                return kind, fields
    if first in "#-F" and _DECORATION.match(body):
        return "decoration", {}
    return None


def match_crash(body: str) -> Optional[str]:
    """The crash marker text when this stripped bare line says the process died."""
    for regex in _CRASH_LINES:
        if regex.match(body):
            return body
    return None
