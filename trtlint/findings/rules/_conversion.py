"""The base of the TRT9xx rules: how a real conversion run (``trtlint convert``) ended."""

from __future__ import annotations

from typing import ClassVar, Iterable

from ..base import Rule
from ..model import Finding


class ConversionRunRule(Rule):
    """A way for TF-TRT's real conversion, run by ``trtlint convert``, to end badly.

    These rules are not checks of the graph: ``trtlint convert`` raises them from what
    its child process did (the exit status, the fatal log line, the last log lines), so
    an analysis never yields them.  They live in the catalog so that ``trtlint rules``
    lists them, ``trtlint explain`` documents them, and ``--ignore``/baselines treat
    them like any other finding.
    """

    severity = "error"
    #: the runner's status for this ending (trtlint/convert/runner.py ``classify``)
    status: ClassVar[str] = ""
    #: how the finding's message says it: "the conversion process <verb>"
    verb: ClassVar[str] = ""

    def check(self, analysis) -> Iterable[Finding]:
        return ()
