"""TRT901: the conversion process aborted (SIGABRT)."""

from __future__ import annotations

from ._conversion import ConversionRunRule


class ConversionAborted(ConversionRunRule):
    """The conversion (or its benchmark run) aborted: a CHECK in TensorFlow or TensorRT failed.

    TensorFlow and TF-TRT stop the whole process with SIGABRT when an internal CHECK
    fails, so the Python caller never sees an exception.  ``trtlint convert`` runs the
    conversion in a child process and reports the fatal line (``F ... Check failed:``)
    and the log lines before it.  The classic case is the seed's: an engine built for
    batch 1 (static engine, ``max_batch_size=1``) fed a batch of 2 at serving time
    aborts in ``TotalBytes()``.  TRT401/TRT402 predict that one from the graph.

    Anti-pattern::

        converter = trt.TrtGraphConverter(input_saved_model_dir=d, max_batch_size=1,
                                          is_dynamic_op=False, precision_mode="INT8")
        ...                                   # serving sends batches of 2 -> abort

    Fix::

        trtlint convert model/ --max-batch-size 8   # at least the serving batch
        trtlint convert model/                       # or dynamic engines (no fixed batch)
    """

    id = "TRT901"
    name = "conversion-aborted"
    status = "aborted"
    verb = "aborted (SIGABRT)"
