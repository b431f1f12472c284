"""TRT904: the conversion did not finish within --timeout."""

from __future__ import annotations

from ._conversion import ConversionRunRule


class ConversionTimeout(ConversionRunRule):
    """The conversion did not finish within ``--timeout`` seconds and was stopped.

    ``trtlint convert`` gives the child process a deadline so that a hung conversion
    (a deadlocked calibration, a builder searching tactics for a huge engine) does not
    hang a CI job.  When the deadline passes the child is stopped and the finding keeps
    the last log lines, which show the stage it was in.

    Anti-pattern::

        trtlint convert detector/ --precision INT8 --calibration-data calib/ --timeout 60

    Fix::

        trtlint convert detector/ --precision INT8 --calibration-data calib/ --timeout 1800
        # or convert a smaller model/precision first to see how long a build takes
    """

    id = "TRT904"
    name = "conversion-timeout"
    status = "timeout"
    verb = "did not finish in time"
