"""Run the real TF-TRT conversion: the one part of trtlint that needs TensorFlow.

TensorFlow is only ever imported in child processes, by two standalone scripts run with
the interpreter that has TensorFlow (``--python``, default: trtlint's own):

- :mod:`.probe` answers the preflight's questions (:mod:`.preflight`: TensorFlow, built
  with TensorRT, TensorRT loadable, a GPU; each failure with its fix);
- :mod:`.child` converts (TrtGraphConverterV2, or the TF1 API), saves the converted model,
  optionally benchmarks native against converted, and writes its result.

:mod:`.environment` decides the interpreter and the environment (TF-TRT's verbose
logging, ``--env``, the CPU oracle's stubs); :mod:`.request` checks the flags and writes
the request; :mod:`.process` runs and watches a child; :mod:`.runner` turns however the
conversion ended (ok, Python error, SIGABRT, SIGSEGV, killed, timeout) into a
:class:`~.runner.ConversionRun` with findings. Importing this package imports no
TensorFlow.
"""

from .environment import ChildEnvironment, child_environment
from .preflight import Preflight, PreflightFailed, run_preflight
from .request import ConversionRequest, build_request
from .runner import ConversionRun, ProgressEvent, run_conversion

__all__ = ["ChildEnvironment", "ConversionRequest", "ConversionRun", "Preflight",
           "PreflightFailed", "ProgressEvent", "build_request", "child_environment",
           "run_conversion", "run_preflight"]
