"""TRT906: the conversion process died another way."""

from __future__ import annotations

from ._conversion import ConversionRunRule


class ConversionDied(ConversionRunRule):
    """The conversion process ended without a result and without a known signal.

    A non-zero exit with no report from the child, or a signal other than SIGABRT,
    SIGSEGV and SIGKILL: an ``os._exit`` in a library, a bus error, a child that lost
    its output pipe.  The finding gives the exit status and the last log lines.

    Anti-pattern::

        # a plugin library that calls exit() when it cannot find a GPU
        TF_TRT_PLUGINS=... trtlint convert model/

    Fix::

        # read the last log lines in the finding (and OUTDIR/conversion.log); run
        trtlint convert --check
    """

    id = "TRT906"
    name = "conversion-died"
    status = "crashed"
    verb = "died"
