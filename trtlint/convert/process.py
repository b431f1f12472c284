"""Run a Python script in a child process and watch it: events on its stdout, log lines
on its stderr (a file), a timeout, and an exact account of how it ended.

A TensorFlow process can end in ways a Python ``try`` never sees: a failed CHECK calls
abort() (SIGABRT), a bad pointer segfaults (SIGSEGV), the kernel's OOM killer sends
SIGKILL. Running the work in a child turns each of these into a value here.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional, Sequence

#: How an exit is called, from the child's return code (negative: killed by a signal).
SIGNAL_KINDS = {signal.SIGABRT: "aborted", signal.SIGSEGV: "segfault",
                signal.SIGKILL: "killed", signal.SIGBUS: "bus_error",
                signal.SIGFPE: "floating_point_exception", signal.SIGILL: "illegal_instruction",
                signal.SIGTERM: "terminated"}
#: Seconds between SIGTERM and SIGKILL when a child has to be stopped.
GRACE_SECONDS = 3.0


@dataclass
class ProcessEnd:
    """How a child process ended."""

    returncode: Optional[int]
    seconds: float
    timed_out: bool = False
    interrupted: bool = False

    @property
    def signal_number(self) -> Optional[int]:
        if self.returncode is not None and self.returncode < 0:
            return -self.returncode
        # A shell in between reports death by signal N as exit code 128 + N.
        if self.returncode is not None and 128 < self.returncode < 160:
            return self.returncode - 128
        return None

    @property
    def signal_name(self) -> Optional[str]:
        number = self.signal_number
        if number is None:
            return None
        try:
            return signal.Signals(number).name
        except ValueError:
            return f"signal {number}"

    @property
    def kind(self) -> str:
        """ok | error | timeout | interrupted | aborted | segfault | killed | ... | signal."""
        if self.timed_out:
            return "timeout"
        if self.interrupted:
            return "interrupted"
        number = self.signal_number
        if number is not None:
            try:
                return SIGNAL_KINDS.get(signal.Signals(number), "signal")
            except ValueError:
                return "signal"
        return "ok" if self.returncode == 0 else "error"

    def describe(self) -> str:
        if self.timed_out:
            return f"did not finish within the timeout and was stopped after {self.seconds:.0f} s"
        if self.interrupted:
            return "was interrupted"
        name = self.signal_name
        if name is not None:
            what = {"SIGABRT": "aborted", "SIGSEGV": "crashed with a segmentation fault",
                    "SIGKILL": "was killed (SIGKILL: out of memory?)"}.get(name, "was killed")
            return f"{what} ({name})"
        return f"exited with code {self.returncode}"


class LogTail:
    """Read the lines appended to a file since the last call (a growing log)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._offset = 0
        self._partial = b""

    def new_lines(self, final: bool = False) -> list[str]:
        try:
            with self.path.open("rb") as handle:
                handle.seek(self._offset)
                data = handle.read()
        except OSError:
            return []
        self._offset += len(data)
        lines = (self._partial + data).split(b"\n")
        self._partial = lines.pop()            # an unfinished line waits for its end
        if final and self._partial:
            lines.append(self._partial)
            self._partial = b""
        return [line.decode("utf-8", "replace").rstrip("\r") for line in lines]


def _stop_group(process: subprocess.Popen) -> None:
    """Stop the child and whatever it started: it leads its own process group."""
    for sig, wait in ((signal.SIGTERM, GRACE_SECONDS), (signal.SIGKILL, 10.0)):
        try:
            os.killpg(process.pid, sig)
        except (ProcessLookupError, PermissionError):
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def run_watched(argv: Sequence[str], env: dict[str, str], log_path: Path, *,
                timeout: Optional[float] = None,
                on_stdout: Optional[Callable[[str], None]] = None,
                on_log: Optional[Callable[[str], None]] = None,
                poll_seconds: float = 0.1) -> ProcessEnd:
    """Run ``argv`` with stderr written to ``log_path``; call ``on_stdout`` for each line it
    prints and ``on_log`` for each line appended to the log, while it runs.

    The child leads a new session (its own process group), so a timeout or Ctrl-C stops
    it and anything it started, and nothing else."""
    started = time.monotonic()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(list(argv), env=env, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=log_file,
                                   start_new_session=True)
    lines: "queue.Queue[Optional[str]]" = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for raw in process.stdout:
            lines.put(raw.decode("utf-8", "replace").rstrip("\r\n"))
        lines.put(None)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    tail = LogTail(log_path)
    timed_out = interrupted = False
    stdout_open = True

    def drain(block: bool) -> None:
        nonlocal stdout_open
        while stdout_open:
            try:
                line = lines.get(timeout=poll_seconds) if block else lines.get_nowait()
            except queue.Empty:
                return
            block = False
            if line is None:
                stdout_open = False
                return
            if on_stdout is not None:
                on_stdout(line)

    try:
        while True:
            drain(block=True)
            if on_log is not None:
                for line in tail.new_lines():
                    on_log(line)
            if process.poll() is not None:
                break
            if timeout is not None and time.monotonic() - started > timeout:
                timed_out = True
                _stop_group(process)
                break
    except KeyboardInterrupt:
        interrupted = True
        _stop_group(process)
    finally:
        if process.poll() is None:
            _stop_group(process)
        reader.join(timeout=5.0)
        drain(block=False)
        if on_log is not None:
            for line in tail.new_lines(final=True):
                on_log(line)
        if process.stdout is not None:
            process.stdout.close()
    return ProcessEnd(returncode=process.returncode, seconds=time.monotonic() - started,
                      timed_out=timed_out, interrupted=interrupted)


def last_lines(path: Path, count: int = 20, max_bytes: int = 256 * 1024) -> list[str]:
    """The last ``count`` non-empty lines of a (possibly huge) text file."""
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - max_bytes))
            data = handle.read()
    except OSError:
        return []
    lines = [line.decode("utf-8", "replace").rstrip("\r") for line in data.split(b"\n")]
    if size > max_bytes:
        lines = lines[1:]           # the first one is probably cut
    return [line for line in lines if line.strip()][-count:]
