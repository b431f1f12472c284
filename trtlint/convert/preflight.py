"""Preflight: can this interpreter run TF-TRT here? Which part is missing, and how to get it?

The questions are answered by the interpreter that will convert, in a child process with
the conversion's environment (:mod:`trtlint.convert.probe`), one after the other:

1. the interpreter runs;
2. TensorFlow imports, and is a release that has TF-TRT (1.7 - 2.17);
3. TensorFlow was built with TensorRT (``tf.sysconfig.get_build_info()``; the
   ``tensorflow-cpu`` wheels and the macOS/Windows wheels were not);
4. TF-TRT can load TensorRT's libraries (``is_tensorrt_enabled()`` dlopen()s
   libnvinfer), in a version compatible with the one TensorFlow was linked against;
5. a GPU is visible (without one, ``--allow-no-gpu`` still runs TF-TRT's conversion
   pass, e.g. with the CPU oracle's stub libraries, but no engine can be built).

:func:`evaluate` turns the probe's facts into :class:`Check` results; it is a pure
function, so every message is testable without the machine it describes.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from ..errors import TrtlintError
from .environment import ChildEnvironment
from .process import ProcessEnd, last_lines, run_watched

PROBE_SCRIPT = Path(__file__).with_name("probe.py")
PROBE_TIMEOUT = 300.0
#: The install line of the newest TensorFlow with TF-TRT (2.18 dropped it).
INSTALL_TF = "pip install 'tensorflow[and-cuda]==2.17.*'"
#: Wheels of TensorFlow that never carry TF-TRT.
CPU_ONLY_WHEELS = ("tensorflow-cpu", "tensorflow-intel", "tensorflow-macos")


@dataclass
class Check:
    """One preflight question and its answer."""

    name: str                    # python | tensorflow | tftrt | tensorrt | gpu
    title: str
    status: str                  # ok | failed | warning | skipped
    detail: str
    fix: Optional[str] = None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "status": self.status,
                "detail": self.detail, "fix": self.fix}


@dataclass
class Preflight:
    """The answers for one interpreter and environment."""

    python: str
    checks: list[Check]
    facts: dict[str, Any] = field(default_factory=dict)
    end: Optional[ProcessEnd] = None

    @property
    def ok(self) -> bool:
        return not self.failures()

    def failures(self) -> list[Check]:
        return [c for c in self.checks if c.status == "failed"]

    @property
    def tensorflow_version(self) -> Optional[str]:
        tf = self.facts.get("tensorflow") or {}
        return tf.get("version") if tf.get("importable") else None

    @property
    def gpus(self) -> list[str]:
        value = self.facts.get("gpus")
        return list(value) if isinstance(value, list) else []

    @property
    def profile(self) -> str:
        """The trtlint profile that predicts this TensorFlow's TF-TRT."""
        return profile_for_version(self.tensorflow_version)

    def to_json(self) -> dict[str, Any]:
        return {"python": self.python, "ok": self.ok, "tensorflow": self.tensorflow_version,
                "gpus": self.gpus, "profile": self.profile,
                "tensorrt": {"linked": _version_text((self.facts.get("tftrt") or {}).get("linked")),
                             "loaded": _version_text(self.facts.get("tensorrt_loaded"))},
                "checks": [c.to_json() for c in self.checks]}


class PreflightFailed(TrtlintError):
    """A required piece is missing; carries the full :class:`Preflight` for the view."""

    def __init__(self, preflight: Preflight) -> None:
        self.preflight = preflight
        first = preflight.failures()[0]
        text = f"{first.title}: {first.detail}"
        if first.fix:
            text += f" Fix: {first.fix}"
        super().__init__(text)


def profile_for_version(version: Optional[str]) -> str:
    parts = _numbers(version)
    if not parts or parts[0] >= 2:
        return "tf2"
    if parts[:2] >= (1, 14):
        return "tf1.15"
    return "tf1.13"


def _numbers(version: Optional[str]) -> tuple[int, ...]:
    out = []
    for piece in (version or "").split("."):
        digits = "".join(c for c in piece if c.isdigit())
        if not digits:
            break
        out.append(int(digits))
        if not piece.isdigit():
            break
    return tuple(out)


def _version_text(value: Any) -> Optional[str]:
    if isinstance(value, list) and value and any(value):
        return ".".join(str(v) for v in value)
    return None


def _skipped(name: str, title: str) -> Check:
    return Check(name, title, "skipped", "not checked: an earlier check failed")


TITLES = {"python": "Python interpreter", "tensorflow": "TensorFlow",
          "tftrt": "TensorFlow built with TensorRT", "tensorrt": "TensorRT libraries",
          "gpu": "GPU"}


def evaluate(python: str, facts: dict[str, Any], end: Optional[ProcessEnd],
             log_tail: list[str], allow_no_gpu: bool = False,
             oracle_dir: Optional[Path] = None) -> list[Check]:
    """The checks, in order; after the first failure the rest are "skipped"."""
    checks: list[Check] = []
    order = ["python", "tensorflow", "tftrt", "tensorrt", "gpu"]

    def finish(check: Check) -> list[Check]:
        checks.append(check)
        for name in order[len(checks):]:
            checks.append(_skipped(name, TITLES[name]))
        return checks

    death = ""
    if end is not None and end.kind not in ("ok",):
        death = f"the probe {end.describe()}"
        if log_tail:
            death += f"; last line: {log_tail[-1].strip()[:300]}"
    elif end is None and log_tail:
        death = log_tail[-1]            # the interpreter could not even be started

    # 1. the interpreter
    info = facts.get("python")
    if not info:
        return finish(Check("python", TITLES["python"], "failed",
                            f"{python} did not run the probe ({death or 'no output'})",
                            "give an interpreter that runs, with --python PATH"))
    checks.append(Check("python", TITLES["python"], "ok",
                        f"{info.get('executable')} (Python {info.get('version')}, "
                        f"{info.get('machine')})"))

    # 2. TensorFlow
    tf = facts.get("tensorflow")
    dists = facts.get("distributions") or {}
    if not tf:
        return finish(Check("tensorflow", TITLES["tensorflow"], "failed",
                            f"importing TensorFlow did not finish ({death or 'no answer'})",
                            f"repair the installation: {python} -m {INSTALL_TF}"))
    if not tf.get("importable"):
        return finish(Check(
            "tensorflow", TITLES["tensorflow"], "failed",
            f"TensorFlow is not importable by {python} ({tf.get('error')})",
            f"{python} -m {INSTALL_TF} (Linux x86_64), or point --python at an interpreter "
            f"that has TensorFlow with TF-TRT"))
    version = tf.get("version") or "?"
    numbers = _numbers(version)
    if numbers[:2] >= (2, 18):
        return finish(Check(
            "tensorflow", TITLES["tensorflow"], "failed",
            f"TensorFlow {version} has no TF-TRT (it was removed in 2.18)",
            f"use TensorFlow 2.17 or older: {python} -m {INSTALL_TF}, or an NVIDIA "
            f"TensorFlow container (nvcr.io/nvidia/tensorflow)"))
    if numbers and numbers[:2] < (1, 7):
        return finish(Check(
            "tensorflow", TITLES["tensorflow"], "failed",
            f"TensorFlow {version} predates TF-TRT (added in 1.7)",
            f"{python} -m {INSTALL_TF}"))
    checks.append(Check("tensorflow", TITLES["tensorflow"], "ok",
                        f"TensorFlow {version} ({tf.get('path')})"))

    # 3. built with TensorRT
    build = facts.get("build_info") or {}
    tftrt = facts.get("tftrt")
    packages = ", ".join(f"{k} {v}" for k, v in sorted(dists.items())) if dists else "unknown"
    cpu_wheel = any(name in dists for name in CPU_ONLY_WHEELS)
    linked = _version_text((tftrt or {}).get("linked"))
    if build.get("is_tensorrt_build") is False:
        why = "tf.sysconfig.get_build_info()['is_tensorrt_build'] is False"
    elif tftrt is not None and tftrt.get("module") is None:
        why = "TF-TRT's Python module is missing"
    elif tftrt is not None and linked is None:
        why = "TF-TRT reports no linked TensorRT version"
    else:
        why = None
    if why is not None:
        removal = " ".join(n for n in sorted(dists) if n in CPU_ONLY_WHEELS)
        fix = ("install the CUDA build of TensorFlow on Linux x86_64: "
               + (f"{python} -m pip uninstall {removal}; " if cpu_wheel else "")
               + f"{python} -m {INSTALL_TF} (the macOS and Windows wheels have no TF-TRT)")
        return finish(Check("tftrt", TITLES["tftrt"], "failed",
                            f"TensorFlow {version} was built without TensorRT support ({why}; "
                            f"installed: {packages})", fix))
    if tftrt is None:
        return finish(Check("tftrt", TITLES["tftrt"], "failed",
                            f"asking TF-TRT about its build did not finish ({death or 'no answer'})",
                            f"repair the installation: {python} -m {INSTALL_TF}"))
    checks.append(Check("tftrt", TITLES["tftrt"], "ok",
                        f"TF-TRT present ({tftrt.get('module')}), linked against TensorRT "
                        f"{linked or '?'}"))

    # 4. TensorRT's libraries
    major = (tftrt.get("linked") or [None])[0]
    library = f"libnvinfer.so.{major}" if major else "libnvinfer.so"
    get_trt = (f"install TensorRT {linked or ''} (for example {python} -m pip install "
               f"tensorrt=={linked} from https://pypi.nvidia.com, or NVIDIA's tar/deb packages) "
               f"and put the directory holding {library} on LD_LIBRARY_PATH (or pass "
               f"--env LD_LIBRARY_PATH=DIR)").replace("TensorRT  ", "TensorRT ")
    if tftrt.get("enabled") is False:
        missing = [line.strip() for line in log_tail if "Could not find TensorRT" in line
                   or "Could not load dynamic library" in line and "nvinfer" in line]
        detail = (f"TF-TRT cannot load {library} (TensorFlow was linked against TensorRT "
                  f"{linked or '?'})")
        if missing:
            detail += f"; TensorFlow says: {missing[-1].split('] ', 1)[-1][:200]}"
        return finish(Check("tensorrt", TITLES["tensorrt"], "failed", detail, get_trt))
    loaded_raw = facts.get("tensorrt_loaded")
    loaded = _version_text(loaded_raw)
    if loaded_raw is None and tftrt.get("enabled") is not False:
        return finish(Check("tensorrt", TITLES["tensorrt"], "failed",
                            f"asking TF-TRT for the loaded TensorRT version killed the probe "
                            f"({death or 'no answer'})", get_trt))
    if loaded is not None and linked is not None:
        lv, kv = _numbers(loaded), _numbers(linked)
        if lv[:1] != kv[:1]:
            return finish(Check(
                "tensorrt", TITLES["tensorrt"], "failed",
                f"loaded TensorRT {loaded}, but TensorFlow was linked against {linked}: the "
                f"major versions must match", get_trt))
        if lv < kv:
            return finish(Check(
                "tensorrt", TITLES["tensorrt"], "failed",
                f"loaded TensorRT {loaded} is older than {linked}, which TensorFlow was linked "
                f"against (TensorRT is not forward compatible)", get_trt))
    detail = f"TensorRT {loaded or '?'} loaded (TensorFlow linked against {linked or '?'})"
    if oracle_dir is not None:
        detail += (f"; these are the CPU oracle's stub libraries ({oracle_dir}): TF-TRT's "
                   f"conversion pass runs, no engine can be built")
    checks.append(Check("tensorrt", TITLES["tensorrt"], "ok", detail))

    # 5. a GPU
    gpus = facts.get("gpus")
    if isinstance(gpus, list) and gpus:
        checks.append(Check("gpu", TITLES["gpu"], "ok",
                            f"{len(gpus)} visible: {', '.join(gpus)}"))
        return checks
    env = facts.get("environment") or {}
    reasons = []
    if isinstance(gpus, dict):
        reasons.append(f"listing GPUs failed: {gpus.get('error')}")
    if env.get("CUDA_VISIBLE_DEVICES") is not None and env["CUDA_VISIBLE_DEVICES"].strip() in ("", "-1"):
        reasons.append(f"CUDA_VISIBLE_DEVICES={env['CUDA_VISIBLE_DEVICES']!r} hides every GPU")
    if build.get("is_cuda_build") is False:
        reasons.append("this TensorFlow has no CUDA support")
    detail = "no GPU is visible to TensorFlow" + (f" ({'; '.join(reasons)})" if reasons else "")
    if allow_no_gpu:
        checks.append(Check(
            "gpu", TITLES["gpu"], "warning",
            detail + ": --allow-no-gpu runs TF-TRT's conversion pass only (segments, "
                     "TRTEngineOps and the log); engines are not built, so static engines "
                     "(--max-batch-size) crash, INT8 is not calibrated and the converted model "
                     "cannot run"))
        return checks
    checks.append(Check(
        "gpu", TITLES["gpu"], "failed", detail,
        "check the NVIDIA driver (nvidia-smi) and CUDA_VISIBLE_DEVICES; "
        f"{INSTALL_TF} brings the CUDA libraries; or pass --allow-no-gpu to run only TF-TRT's "
        "conversion pass"))
    return checks


def run_preflight(env: ChildEnvironment, timeout: float = PROBE_TIMEOUT) -> Preflight:
    """Run the probe with ``env`` and evaluate its answers (never raises for a bad
    interpreter: that is a failed check)."""
    facts: dict[str, Any] = {}

    def on_stdout(line: str) -> None:
        try:
            item = json.loads(line)
        except ValueError:
            return
        if isinstance(item, dict) and "fact" in item:
            facts[item["fact"]] = item.get("value")

    with tempfile.TemporaryDirectory(prefix="trtlint-preflight-") as scratch:
        log = Path(scratch) / "probe.log"
        environ = env.environ(with_logging=False)
        if "TF_CPP_MIN_LOG_LEVEL" not in env.extra:
            # TF-TRT says why TensorRT does not load in a warning: keep warnings visible
            # even when the caller's environment silences TensorFlow.
            environ["TF_CPP_MIN_LOG_LEVEL"] = "1"
        try:
            end = run_watched([env.python, str(PROBE_SCRIPT)], environ, log, timeout=timeout,
                              on_stdout=on_stdout)
        except OSError as exc:           # not executable, wrong format, ...
            end = None
            facts = {}
            tail = [f"{type(exc).__name__}: {exc.strerror or exc}"]
        else:
            tail = last_lines(log, 200)
    checks = evaluate(env.python, facts, end, tail, env.allow_no_gpu, env.oracle_dir)
    return Preflight(python=env.python, checks=checks, facts=facts, end=end)
