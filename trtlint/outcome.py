"""What analysing one model produced, in a form every report format can read.

An :class:`~trtlint.analysis.Analysis` holds the whole graph and protobuf objects: it
cannot cross a process boundary (``--jobs N``) and is heavy to keep for many models.
A :class:`ModelOutcome` keeps only what the reports print: the JSON report object
(schema ``trtlint.report/1``), the findings to show, and the exit status.  The SARIF,
Markdown and GitHub views read outcomes, so their output is the same whether the model
was analysed in this process or in a worker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Optional, Sequence, Union

from .findings.model import SEVERITY_RANK, Finding

if TYPE_CHECKING:
    from .analysis import Analysis

#: --fail-on level -> lowest severity rank that fails the run (none: nothing fails)
FAIL_RANK = {"error": 3, "warning": 2, "info": 1, "none": 99}

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2


@dataclass
class ModelOutcome:
    """The result of analysing one model (or of failing to)."""

    path: str                                   # the model as named on the command line
    report: Optional[dict[str, Any]] = None     # trtlint.report/1 object; None on error
    findings: list[Finding] = field(default_factory=list)  # what is reported (filtered)
    error: Optional[str] = None                 # one line when the model could not be used
    baselined: int = 0                          # findings hidden because the baseline has them
    fail_on: str = "error"
    rendered: Optional[str] = None              # rich/html text rendered where it was analysed
    #: text graphs only: node name -> 1-based line of its ``name:`` field, for findings
    node_lines: dict[str, int] = field(default_factory=dict)

    def line_of(self, node: Optional[str]) -> Optional[int]:
        return self.node_lines.get(node) if node else None

    @property
    def failing(self) -> list[Finding]:
        """Findings at or above the fail-on severity."""
        floor = FAIL_RANK.get(self.fail_on, 3)
        return [f for f in self.findings if SEVERITY_RANK.get(f.severity, 0) >= floor]

    @property
    def exit_code(self) -> int:
        if self.error is not None:
            return EXIT_ERROR
        return EXIT_FINDINGS if self.failing else EXIT_OK

    def counts(self) -> dict[str, int]:
        """Findings by severity, every severity present (zeros included)."""
        out = {"error": 0, "warning": 0, "info": 0}
        for f in self.findings:
            out[f.severity] = out.get(f.severity, 0) + 1
        return out

    @property
    def artifact(self) -> str:
        """The file a code-review tool can point at: a SavedModel's saved_model.pb."""
        p = Path(self.path)
        fmt = (self.report or {}).get("model", {}).get("format")
        if fmt == "saved_model" and p.name != "saved_model.pb":
            return (p / "saved_model.pb").as_posix()
        return p.as_posix()


_TOP_NODE = re.compile(r"^node\s*\{")
_NAME_FIELD = re.compile(r'^\s+name:\s*"((?:[^"\\]|\\.)*)"')


def pbtxt_node_lines(path: Union[str, Path], wanted: Iterable[str]) -> dict[str, int]:
    """Where the wanted nodes are defined in a text GraphDef (``name:`` line, 1-based).

    Reads the layout TensorFlow writes (``node {`` at column 0, the node's ``name:``
    first inside it); a file laid out otherwise simply yields no lines, and reports
    fall back to the file alone.  Nodes of library functions are not looked at.
    """
    wanted = set(wanted)
    found: dict[str, int] = {}
    if not wanted:
        return found
    expect_name = False
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            for number, line in enumerate(fh, start=1):
                if _TOP_NODE.match(line):
                    expect_name = True
                    continue
                if expect_name:
                    m = _NAME_FIELD.match(line)
                    if m:
                        name = m.group(1).encode("utf-8").decode("unicode_escape") \
                            if "\\" in m.group(1) else m.group(1)
                        if name in wanted:
                            found[name] = number
                            if len(found) == len(wanted):
                                break
                        expect_name = False
    except OSError:
        return {}
    return found


def combined_exit_code(outcomes: Iterable[ModelOutcome]) -> int:
    """Several models, one exit code: the worst of theirs (2 > 1 > 0)."""
    return max((o.exit_code for o in outcomes), default=EXIT_OK)


def outcome_from_analysis(analysis: "Analysis", fail_on: str = "error",
                          verbose: bool = False) -> ModelOutcome:
    """An outcome for an analysis already in memory (its findings as they are)."""
    from .report import report_json

    lines = {}
    if analysis.model.format == "pbtxt":
        nodes = {f.node for f in analysis.findings if f.node}
        lines = pbtxt_node_lines(analysis.model.path, nodes)
    return ModelOutcome(path=str(analysis.model.path),
                        report=report_json(analysis, verbose=verbose),
                        findings=list(analysis.findings), fail_on=fail_on, node_lines=lines)


OutcomeInput = Union["Analysis", ModelOutcome, Sequence[Union["Analysis", ModelOutcome]]]


def as_outcomes(items: OutcomeInput) -> list[ModelOutcome]:
    """Accept one analysis/outcome or a sequence of them; return outcomes."""
    if isinstance(items, (list, tuple)):
        seq = list(items)
    else:
        seq = [items]
    return [x if isinstance(x, ModelOutcome) else outcome_from_analysis(x) for x in seq]
