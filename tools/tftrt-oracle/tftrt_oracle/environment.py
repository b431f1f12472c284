"""Process setup that must happen before TensorFlow is imported.

TF-TRT dlopen()s libnvinfer.so.8 the first time it needs TensorRT, searching LD_LIBRARY_PATH;
TensorFlow reads TF_CPP_MIN_LOG_LEVEL / TF_CPP_VMODULE when its C++ logging starts. Neither can
be changed from inside a running process (the dynamic loader reads LD_LIBRARY_PATH at start-up),
so the runner re-executes itself once with the right environment.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Optional

# The verbose modules whose lines the log parser needs (see logparse): segment membership,
# copied consts, the candidate count, and the segmenter's per-node decisions.
TF_CPP_VMODULE = "segment=2,convert_graph=2,trt_optimization_pass=2"
_CHILD_MARK = "_TFTRT_ORACLE_CHILD"


class EnvironmentError_(RuntimeError):
    """The oracle environment is missing or incomplete (setup.sh was not run for it)."""


def oracle_dir() -> Path:
    """The environment directory built by setup.sh (it holds venv/ and stubs/).

    $TFTRT_ORACLE_DIR when set; otherwise the directory whose venv runs this interpreter
    (DIR/venv/bin/python has sys.prefix DIR/venv), so `DIR/venv/bin/python oracle.py` just works.
    """
    explicit = os.environ.get("TFTRT_ORACLE_DIR")
    if explicit:
        return Path(explicit).resolve()
    return Path(sys.prefix).resolve().parent


def stubs_dir(base: Optional[Path] = None) -> Path:
    """The directory with libnvinfer.so.8 and libnvinfer_plugin.so.8; raises when absent."""
    stubs = (base or oracle_dir()) / "stubs"
    if not (stubs / "libnvinfer.so.8").exists() or not (stubs / "libnvinfer_plugin.so.8").exists():
        raise EnvironmentError_(
            f"no stub TensorRT libraries in {stubs}: build the oracle with "
            f"'bash tools/tftrt-oracle/setup.sh DIR' and run DIR/venv/bin/python (or set TFTRT_ORACLE_DIR)")
    return stubs


def reexec_with_oracle_environment() -> None:
    """Replace this process with itself, run under the environment TF-TRT needs. Returns only in the child."""
    if os.environ.get(_CHILD_MARK) == "1":
        return
    env = dict(os.environ)
    env[_CHILD_MARK] = "1"
    stubs = str(stubs_dir())
    env["LD_LIBRARY_PATH"] = stubs + (":" + env["LD_LIBRARY_PATH"] if env.get("LD_LIBRARY_PATH") else "")
    env["TF_CPP_MIN_LOG_LEVEL"] = "0"          # INFO lines are where "Replaced segment" lives
    env["TF_CPP_VMODULE"] = TF_CPP_VMODULE
    env["CUDA_VISIBLE_DEVICES"] = ""           # no GPU even where one exists: same result everywhere
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, [sys.executable] + sys.argv, env)
