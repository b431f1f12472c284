"""Run the conversion child and turn however it ended into a :class:`ConversionRun`.

The child (:mod:`trtlint.convert.child`) writes TensorFlow's log to
``OUTDIR/conversion.log`` and a result to ``OUTDIR/conversion.json``; it announces each
stage on its stdout. This module starts it with the conversion environment, forwards
stages and telling log lines to a progress callback while it runs, stops it at the
timeout, and classifies the end:

========== ===========================================================================
status     meaning
========== ===========================================================================
ok         the conversion finished and the child wrote its result
error      Python raised (TF-TRT's own checks, a bad model, a missing GPU ...)
aborted    SIGABRT: a failed CHECK or LOG(FATAL) in TensorFlow/TF-TRT
segfault   SIGSEGV
killed     SIGKILL from outside (usually the kernel's out-of-memory killer)
timeout    still running at ``--timeout``: trtlint stopped it
========== ===========================================================================

Whatever the status, trtlint itself carries on: a death is a finding that quotes the
fatal line and the last lines of the log.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

from ..findings.model import Finding
from .environment import ChildEnvironment
from .process import ProcessEnd, last_lines, run_watched
from .request import ConversionRequest

CHILD_SCRIPT = Path(__file__).with_name("child.py")
LOG_FILE = "conversion.log"
RESULT_FILE = "conversion.json"
EVENT_PREFIX = "@@trtlint "
STAGE_MARK = "trtlint-convert: stage "
DEFAULT_TIMEOUT = 3600.0
LAST_LINES = 20

#: Log lines worth showing while the child runs (the rest scroll by unseen).
PROGRESS_LINE = re.compile(
    r"Number of TensorRT candidate segments|Replaced segment|Cannot replace segment|"
    r"TensorRT node \S+ added for segment|Building a new TensorRT engine|"
    r"Starting calibration|Total nonconverted OPs|Check failed|has only \d+ effective nodes|"
    r"will only convert the \d+ largest|:\s*F\s+\S+\.cc:\d+\]|^F\d{4} |Fatal Python error")
#: A TensorFlow C++ log line, capturing its source "file.cc:123".
TF_LOG_LINE = re.compile(r"\s[IWEF]\s+\S*?([\w.]+\.cc:\d+)\]")
#: A fatal line: TensorFlow's F-level prefix, a failed CHECK, or Python's fault handler.
FATAL_LINE = re.compile(r"(?:^|\s)F\d{4}\s|:\s*F\s+\S+\.cc:\d+\]|Check failed|"
                        r"Fatal Python error|Abort_op intentional failure")


@dataclass
class ProgressEvent:
    """Something to show while the child runs: a stage it entered, or a log line."""

    kind: str                          # "stage" | "log"
    text: str
    stage: Optional[str] = None


@dataclass
class ConversionRun:
    """A finished (or dead) conversion child, everything known about it."""

    request: ConversionRequest
    python: str
    end: ProcessEnd
    status: str
    stage: Optional[str]
    result: Optional[dict[str, Any]]
    log_path: Path
    last_log_lines: list[str]
    fatal_line: Optional[str]
    findings: list[Finding] = field(default_factory=list)
    stages: list[str] = field(default_factory=list)
    #: what the child announced as it went (TensorFlow version, API, GPUs): known even
    #: when it died before writing its result
    info: dict[str, Any] = field(default_factory=dict)

    def fact(self, key: str) -> Any:
        """A fact from the child's result, else from what it announced while running."""
        value = (self.result or {}).get(key)
        return value if value is not None else self.info.get(key)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def error(self) -> Optional[dict[str, Any]]:
        return (self.result or {}).get("error")

    def to_json(self) -> dict[str, Any]:
        result = self.result or {}
        return {
            "status": self.status, "python": self.python,
            "exit": {"returncode": self.end.returncode, "signal": self.end.signal_name,
                     "seconds": round(self.end.seconds, 3), "timed_out": self.end.timed_out},
            "stage": self.stage, "stages": result.get("stages") or
            [{"stage": s, "seconds": None} for s in self.stages],
            "outdir": str(self.request.outdir), "log": str(self.log_path),
            "tensorflow": self.fact("tensorflow"), "api": self.fact("api"),
            "gpus": self.fact("gpus"),
            "converted_model": result.get("converted_model"),
            "converted_graph": result.get("converted_graph"),
            "engines": result.get("engines"), "error": result.get("error"),
            "notes": result.get("notes") or [], "benchmark": result.get("benchmark"),
            "fatal_line": self.fatal_line, "last_log_lines": self.last_log_lines,
            "findings": [f.to_json() for f in self.findings],
        }


def _read_result(path: Path) -> Optional[dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def fatal_line(lines: list[str]) -> Optional[str]:
    """The line that says why the process died, if the log has one.

    TensorFlow's own fatal line (F-level, a failed CHECK) says most; Python's fault
    handler only says that it crashed, so then the last line TensorFlow logged before
    the crash is added: it names the step that died."""
    for line in reversed(lines):
        if FATAL_LINE.search(line) and "Fatal Python error" not in line:
            return line.strip()
    for index in range(len(lines) - 1, -1, -1):
        if "Fatal Python error" in lines[index]:
            before = [x for x in lines[:index] if TF_LOG_LINE.search(x)]
            if before:
                return (f"{lines[index].strip()}; last TensorFlow line: "
                        f"{before[-1].split('] ', 1)[-1].strip()} "
                        f"({TF_LOG_LINE.search(before[-1]).group(1)})")
            return lines[index].strip()
    return None


def clean_tail(lines: list[str], count: int = LAST_LINES) -> list[str]:
    """The last log lines worth reading.

    When Python's fault handler reported the crash, its stack dump (outermost frames
    last) would fill the tail; what matters is the log just before the crash, the
    "Fatal Python error" line and the innermost frames. The list of extension modules
    is always dropped."""
    lines = [line for line in lines if not line.startswith("Extension modules:")]
    fatal = [i for i, line in enumerate(lines) if line.startswith("Fatal Python error")]
    if fatal:
        at = fatal[-1]
        before = lines[max(0, at - count // 2):at]
        return before + lines[at:at + count - len(before)]
    return lines[-count:]


def status_rules() -> dict[str, tuple[str, str]]:
    """Run status -> (rule id, verb), from the TRT9xx rules of the catalog."""
    from ..findings import all_rules
    from ..findings.rules._conversion import ConversionRunRule

    return {r.status: (r.id, r.verb) for r in all_rules() if issubclass(r, ConversionRunRule)}


def _fix_for(status: str, fatal: Optional[str], request: ConversionRequest,
             error: Optional[dict[str, Any]], stage: Optional[str]) -> Optional[str]:
    """What to do about a failed run, as far as the evidence goes."""
    text = " ".join(x for x in (fatal or "", (error or {}).get("message") or "") if x)
    if "TotalBytes()" in text:
        return ("the engine was built for a smaller batch than it was fed (the seed's INT8 "
                "crash): build with --max-batch-size at least the serving batch, or use "
                "dynamic engines (no --max-batch-size)")
    if status == "segfault" and request.max_batch_size is not None and stage == "convert":
        return ("static engines (--max-batch-size) are built during the conversion, which "
                "needs a working TensorRT and a GPU; without --max-batch-size engines are "
                "built at the first inference")
    if "Specified device is not a GPU" in text or "no GPU is visible" in text:
        return "run where TensorFlow sees a GPU, or pass --allow-no-gpu (conversion pass only)"
    if "has not been built with TensorRT" in text:
        return "this TensorFlow has no TF-TRT; see `trtlint convert --check` for what is missing"
    if "calibration" in text.lower() and "needs --calibration-data" in text:
        return "give --calibration-data DIR (.npz batches named after the inputs)"
    if status == "killed":
        return "most likely out of memory: close other jobs or convert on a larger machine"
    if status == "timeout":
        return "raise --timeout (seconds), or convert a smaller model first"
    if status in ("aborted", "segfault", "crashed"):
        return (f"the last lines of {LOG_FILE} show where it died; keep that file when "
                f"reporting the problem")
    return None


def run_findings(status: str, stage: Optional[str], end: ProcessEnd, fatal: Optional[str],
                 tail: list[str], request: ConversionRequest,
                 error: Optional[dict[str, Any]]) -> list[Finding]:
    """One finding for a run that did not end well (none for status ok)."""
    if status == "ok":
        return []
    rules = status_rules()
    rule, verb = rules.get(status, rules["crashed"])
    where = f" during stage '{stage}'" if stage else ""
    if status == "error" and error:
        message = f"the conversion {verb}{where}: {error.get('type')}: {error.get('message')}"
    else:
        message = f"the conversion process {verb}{where}"
        if status in ("crashed",):
            message += f" ({end.describe()})"
        if fatal:
            message += f": {fatal.split('] ', 1)[-1] if '] ' in fatal else fatal}"
    return [Finding(rule=rule, severity="error", message=message,
                    fix=_fix_for(status, fatal, request, error, stage),
                    data={"status": status, "stage": stage, "returncode": end.returncode,
                          "signal": end.signal_name, "fatal_line": fatal,
                          "last_log_lines": tail})]


def classify(end: ProcessEnd, result: Optional[dict[str, Any]]) -> str:
    kind = end.kind
    if kind == "ok":
        return "ok" if result and result.get("status") == "ok" else "crashed"
    if kind == "error":
        return "error" if result and result.get("status") == "error" else "crashed"
    if kind in ("aborted", "segfault", "killed", "timeout", "interrupted"):
        return kind
    return "crashed"


def run_conversion(request: ConversionRequest, env: ChildEnvironment, *,
                   timeout: Optional[float] = DEFAULT_TIMEOUT,
                   progress: Optional[Callable[[ProgressEvent], None]] = None,
                   child_script: Optional[Path] = None) -> ConversionRun:
    """Run one conversion in a child process and report how it went.

    ``child_script`` replaces :mod:`trtlint.convert.child` (tests use a wrapper that
    imports it and injects a fault); ``progress`` receives stages and telling log lines
    while the child runs."""
    request_path = request.write()
    log_path = request.outdir / LOG_FILE
    result_path = request.outdir / RESULT_FILE
    result_path.unlink(missing_ok=True)       # a stale result must not pass for this run
    stages: list[str] = []
    info: dict[str, Any] = {}

    def on_stdout(line: str) -> None:
        if not line.startswith(EVENT_PREFIX):
            return
        try:
            event = json.loads(line[len(EVENT_PREFIX):])
        except ValueError:
            return
        if event.get("event") == "info":
            info.update({k: v for k, v in event.items() if k != "event"})
        elif event.get("event") == "stage":
            stages.append(event["stage"])
            if progress is not None:
                detail = event.get("detail")
                progress(ProgressEvent("stage", detail or event["stage"], event["stage"]))

    log_stage: list[Optional[str]] = [None]

    def on_log(line: str) -> None:
        # The child marks each stage in the log as well: log lines are attributed to the
        # stage that printed them, whatever the order the two channels are read in.
        if line.startswith(STAGE_MARK):
            log_stage[0] = line[len(STAGE_MARK):].split(":", 1)[0].strip()
        elif progress is not None and PROGRESS_LINE.search(line):
            progress(ProgressEvent("log", line.split("] ", 1)[-1].strip(), log_stage[0]))

    script = child_script or CHILD_SCRIPT
    try:
        end = run_watched([env.python, str(script), str(request_path)], env.environ(), log_path,
                          timeout=timeout, on_stdout=on_stdout, on_log=on_log)
    except OSError as exc:
        from ..errors import InputError

        raise InputError(f"cannot start the interpreter: {exc.strerror or exc}",
                         env.python) from None
    result = _read_result(result_path)
    status = classify(end, result)
    recent = last_lines(log_path, 200)
    tail = clean_tail(recent)
    fatal = fatal_line(recent) if status != "ok" else None
    stage = stages[-1] if stages else None
    if result and result.get("error") and result["error"].get("stage"):
        stage = result["error"]["stage"]
    findings = run_findings(status, stage, end, fatal, tail, request,
                            (result or {}).get("error"))
    return ConversionRun(request=request, python=env.python, end=end, status=status,
                         stage=stage, result=result, log_path=log_path, last_log_lines=tail,
                         fatal_line=fatal, findings=findings, stages=stages, info=info)
