"""TRT902: the conversion process crashed with a segmentation fault."""

from __future__ import annotations

from ._conversion import ConversionRunRule


class ConversionSegfault(ConversionRunRule):
    """The conversion crashed with a segmentation fault (SIGSEGV).

    A segfault in the conversion is a bug or a broken installation below Python:
    mismatched TensorRT/CUDA libraries, a TensorRT stub without a real builder, or a
    static engine built where no usable TensorRT exists.  ``trtlint convert`` reports
    the stage it was in and the last log lines; the Python fault handler's innermost
    frames are kept, the list of extension modules is dropped.

    Anti-pattern::

        # static engines are built during convert(): needs a working TensorRT + GPU
        trtlint convert model/ --max-batch-size 8      # on a machine without them

    Fix::

        trtlint convert --check                        # what is missing, exactly
        trtlint convert model/                         # dynamic engines: built at the
                                                       # first inference instead
    """

    id = "TRT902"
    name = "conversion-segfault"
    status = "segfault"
    verb = "crashed with a segmentation fault (SIGSEGV)"
