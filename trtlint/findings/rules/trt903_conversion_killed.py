"""TRT903: the conversion process was killed (SIGKILL)."""

from __future__ import annotations

from ._conversion import ConversionRunRule


class ConversionKilled(ConversionRunRule):
    """The conversion was killed (SIGKILL), most often by the kernel's out-of-memory killer.

    Building engines (and INT8 calibration in particular) holds the native graph, the
    converted graph and TensorRT's builder workspace at once; on a small machine or
    beside other jobs the kernel kills the process without a word in its log.

    Anti-pattern::

        trtlint convert big_model/ --precision INT8 --calibration-data calib/ \\
            --benchmark 200                  # beside a training job on the same host

    Fix::

        # free memory (close other jobs), convert on a larger machine, or calibrate
        # with fewer batches in --calibration-data
    """

    id = "TRT903"
    name = "conversion-killed"
    status = "killed"
    verb = "was killed (SIGKILL)"
