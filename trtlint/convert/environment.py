"""Which interpreter runs the conversion, and with which environment variables.

TF-TRT reads its logging switches (``TF_CPP_MIN_LOG_LEVEL``, ``TF_CPP_VMODULE``,
``TF_TRT_SHOW_DETAILED_REPORT``) when TensorFlow starts, and the dynamic loader reads
``LD_LIBRARY_PATH`` when the process starts: none of them can be changed from inside a
running TensorFlow. That is why the conversion always runs in a child process that gets
them from the start.

The CPU oracle (tools/tftrt-oracle: TensorFlow 2.17 with stub TensorRT libraries) is a
valid target: ``--oracle-dir DIR`` picks ``DIR/venv/bin/python`` and puts ``DIR/stubs``
on ``LD_LIBRARY_PATH``. It has no GPU, so it implies ``--allow-no-gpu``.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Optional, Sequence

from ..errors import InputError, UsageError

#: The TF-TRT source files whose VLOG lines tell what happened (segment.cc: candidates,
#: segment dumps, drops; convert_graph.cc: "Segment consists of nodes", copied consts;
#: convert_nodes.cc: per-op conversion while an engine is built; trt_engine_op.cc: engine
#: builds and fallbacks at run time; trt_optimization_pass.cc: which graph is optimised).
TF_CPP_VMODULE = ("segment=2,convert_graph=2,convert_nodes=2,trt_engine_op=2,"
                  "trt_optimization_pass=2")

#: What every conversion child gets unless the user overrides it with --env.
LOGGING_ENV = {
    "TF_CPP_MIN_LOG_LEVEL": "0",             # INFO lines carry "Replaced segment ..."
    "TF_CPP_VMODULE": TF_CPP_VMODULE,
    "TF_TRT_SHOW_DETAILED_REPORT": "1",      # reasons in the non-converted OP report
    "PYTHONUNBUFFERED": "1",                 # Python's lines interleave with TF's in order
    "PYTHONFAULTHANDLER": "1",               # a segfault prints the Python stack into the log
}


@dataclass(frozen=True)
class ChildEnvironment:
    """The interpreter and environment of the conversion child (and of the preflight)."""

    python: str
    #: variables set for the child on top of this process's environment
    extra: Mapping[str, str] = field(default_factory=dict)
    #: convert without a GPU: TF-TRT's conversion pass only, no engine is built
    allow_no_gpu: bool = False
    #: the CPU oracle environment the interpreter comes from, if any
    oracle_dir: Optional[Path] = None

    def environ(self, *, with_logging: bool = True) -> dict[str, str]:
        """The complete environment of the child. User settings win over our logging
        defaults, so ``--env TF_CPP_VMODULE=...`` does what it says."""
        env = dict(os.environ)
        if with_logging:
            env.update(LOGGING_ENV)
        env.update(self.extra)
        return env


def parse_env_pairs(pairs: Optional[Sequence[str]]) -> dict[str, str]:
    """``["KEY=VALUE", ...]`` -> dict; a malformed item is a usage error."""
    out: dict[str, str] = {}
    for item in pairs or ():
        key, sep, value = item.partition("=")
        if not sep or not key or any(c.isspace() for c in key):
            raise UsageError(f"--env expects KEY=VALUE, got '{item}'")
        out[key] = value
    return out


def _prepend_path(directory: str, current: Optional[str]) -> str:
    return directory + (":" + current if current else "")


def oracle_interpreter(oracle_dir: Path) -> tuple[Path, Path]:
    """(python, stubs dir) of a CPU oracle environment; InputError when it is incomplete."""
    base = oracle_dir.expanduser()
    python = base / "venv" / "bin" / "python"
    stubs = base / "stubs"
    if not base.is_dir():
        raise InputError("no such directory (expected a TF-TRT CPU oracle environment built "
                         "by tools/tftrt-oracle/setup.sh)", base)
    if not python.exists():
        raise InputError("not a TF-TRT oracle environment: venv/bin/python is missing "
                         "(build it with bash tools/tftrt-oracle/setup.sh DIR)", base)
    if not any(stubs.glob("libnvinfer.so.*")):
        raise InputError("not a TF-TRT oracle environment: stubs/libnvinfer.so.* is missing "
                         "(build it with bash tools/tftrt-oracle/setup.sh DIR)", base)
    return python, stubs


def child_environment(python: Optional[Path] = None, env_pairs: Optional[Sequence[str]] = None,
                      oracle_dir: Optional[Path] = None,
                      allow_no_gpu: bool = False) -> ChildEnvironment:
    """Resolve the command-line choices into a :class:`ChildEnvironment`.

    Default interpreter: the one running trtlint. ``--oracle-dir`` sets the interpreter
    (unless ``--python`` names another), prepends its stub directory to
    ``LD_LIBRARY_PATH``, hides GPUs (the oracle's results do not depend on the machine)
    and allows converting without a GPU.
    """
    extra = parse_env_pairs(env_pairs)
    chosen = str(python) if python is not None else None
    if oracle_dir is not None:
        oracle_python, stubs = oracle_interpreter(oracle_dir)
        chosen = chosen or str(oracle_python)
        base_path = extra.get("LD_LIBRARY_PATH", os.environ.get("LD_LIBRARY_PATH"))
        extra["LD_LIBRARY_PATH"] = _prepend_path(str(stubs.resolve()), base_path)
        extra.setdefault("CUDA_VISIBLE_DEVICES", "")
        allow_no_gpu = True
    if chosen is None:
        chosen = sys.executable
    else:
        path = Path(chosen).expanduser()
        if not path.exists():
            raise InputError("no such interpreter (--python)", path)
        if path.is_dir() or not os.access(path, os.X_OK):
            raise InputError("not an executable Python interpreter (--python)", path)
        chosen = str(path)
    return ChildEnvironment(python=chosen, extra=extra, allow_no_gpu=allow_no_gpu,
                            oracle_dir=oracle_dir.expanduser().resolve() if oracle_dir else None)
