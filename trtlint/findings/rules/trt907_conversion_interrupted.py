"""TRT907: the conversion was interrupted."""

from __future__ import annotations

from ._conversion import ConversionRunRule


class ConversionInterrupted(ConversionRunRule):
    """The conversion was interrupted (Ctrl-C) before it finished.

    ``trtlint convert`` stops its child process cleanly when it is interrupted and
    still writes what it has (the raw log, this finding), so a long conversion stopped
    by hand or by a CI job's cancel leaves evidence of how far it got.

    Anti-pattern::

        trtlint convert model/ --benchmark 1000    # then Ctrl-C halfway

    Fix::

        trtlint convert model/ --benchmark 100     # fewer timed runs; or let it finish
    """

    id = "TRT907"
    name = "conversion-interrupted"
    status = "interrupted"
    verb = "was interrupted"
