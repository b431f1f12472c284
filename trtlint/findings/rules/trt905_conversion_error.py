"""TRT905: the conversion raised an error."""

from __future__ import annotations

from ._conversion import ConversionRunRule


class ConversionError(ConversionRunRule):
    """The conversion raised a Python exception (TensorFlow or TF-TRT said no).

    Unlike a crash, the child process caught the exception and reported its type and
    message: a TensorFlow built without TensorRT, no GPU visible, INT8 asked without
    calibration data, a signature that does not freeze.  The finding carries that
    message and, where the cause is known, what to do.

    Anti-pattern::

        trtlint convert model/ --precision INT8        # INT8 needs calibration ranges

    Fix::

        trtlint convert model/ --precision INT8 --calibration-data calib/
        trtlint convert --check                        # for installation problems
    """

    id = "TRT905"
    name = "conversion-error"
    status = "error"
    verb = "failed"
