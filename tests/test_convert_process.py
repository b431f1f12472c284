"""The process machinery under `trtlint convert`: how a child's end is classified, how its
log is followed while it runs, and how a runaway child is stopped. Real child processes
(the test interpreter itself, without TensorFlow: these tests are about processes)."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pytest

from trtlint.convert.process import LogTail, ProcessEnd, last_lines, run_watched
from trtlint.convert.runner import clean_tail, fatal_line


def run_python(code: str, tmp_path: Path, **kw):
    stdout, logged = [], []
    end = run_watched([sys.executable, "-c", code], dict(os.environ), tmp_path / "child.log",
                      on_stdout=stdout.append, on_log=logged.append, **kw)
    return end, stdout, logged


def test_exit_codes_and_signals_are_told_apart(tmp_path):
    end, _, _ = run_python("import os; os.abort()", tmp_path)
    assert (end.returncode, end.kind, end.signal_name) == (-signal.SIGABRT, "aborted", "SIGABRT")
    end, _, _ = run_python("import ctypes; ctypes.string_at(0)", tmp_path)
    assert (end.kind, end.signal_name) == ("segfault", "SIGSEGV")
    end, _, _ = run_python("import os, signal; os.kill(os.getpid(), signal.SIGKILL)", tmp_path)
    assert end.kind == "killed" and "SIGKILL" in end.describe()
    end, _, _ = run_python("raise SystemExit(3)", tmp_path)
    assert (end.returncode, end.kind, end.signal_name) == (3, "error", None)
    end, _, _ = run_python("pass", tmp_path)
    assert end.kind == "ok"


def test_a_shell_reports_death_by_signal_as_128_plus_n():
    assert ProcessEnd(134, 1.0).kind == "aborted"
    assert ProcessEnd(139, 1.0).kind == "segfault"
    assert ProcessEnd(1, 1.0).kind == "error"
    assert ProcessEnd(-9, 5.0, timed_out=True).kind == "timeout"


def test_stdout_and_log_are_followed_while_the_child_runs(tmp_path):
    code = ("import sys, time\n"
            "for i in range(3):\n"
            "    print('event', i, flush=True)\n"
            "    sys.stderr.write('log line %d\\n' % i); sys.stderr.flush()\n"
            "    time.sleep(0.3)\n"
            "sys.stderr.write('unterminated')\n")
    seen = []
    started = time.monotonic()
    end = run_watched([sys.executable, "-c", code], dict(os.environ), tmp_path / "c.log",
                      on_stdout=lambda line: seen.append(("out", line, time.monotonic())),
                      on_log=lambda line: seen.append(("log", line, time.monotonic())))
    assert end.kind == "ok"
    assert [x[1] for x in seen if x[0] == "out"] == ["event 0", "event 1", "event 2"]
    assert [x[1] for x in seen if x[0] == "log"] == ["log line 0", "log line 1", "log line 2",
                                                     "unterminated"]
    # The first lines arrived while the child was still sleeping, not at its end.
    first_log = next(x[2] for x in seen if x[0] == "log")
    assert first_log - started < end.seconds - 0.3
    assert (tmp_path / "c.log").read_text().startswith("log line 0\n")


def test_timeout_stops_the_child_and_what_it_started(tmp_path):
    marker = tmp_path / "grandchild.pid"
    code = ("import subprocess, sys, time\n"
            f"p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)'])\n"
            f"open({str(marker)!r}, 'w').write(str(p.pid))\n"
            "time.sleep(300)\n")
    start = time.monotonic()
    end, _, _ = run_python(code, tmp_path, timeout=3.0)
    assert end.kind == "timeout" and end.timed_out
    assert time.monotonic() - start < 20
    grandchild = int(marker.read_text())
    for _ in range(50):                      # the kernel reaps it shortly after the kill
        try:
            os.kill(grandchild, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        pytest.fail("the grandchild survived the timeout")


def test_log_tail_keeps_an_unfinished_line_until_it_ends(tmp_path):
    path = tmp_path / "grow.log"
    tail = LogTail(path)
    assert tail.new_lines() == []
    path.write_bytes(b"first\nsec")
    assert tail.new_lines() == ["first"]
    with path.open("ab") as handle:
        handle.write(b"ond\r\n\nthird")
    assert tail.new_lines() == ["second", ""]
    assert tail.new_lines(final=True) == ["third"]


def test_last_lines_of_a_large_log(tmp_path):
    path = tmp_path / "big.log"
    path.write_text("".join(f"line {i}\n" for i in range(200_000)))
    assert last_lines(path, 3) == ["line 199997", "line 199998", "line 199999"]
    assert last_lines(tmp_path / "missing.log") == []


def test_fatal_line_prefers_tensorflows_own_words():
    lines = ["2026-11-26 15:22:58.1: I tensorflow/core/foo.cc:1] fine",
             "2026-11-26 15:22:58.2: F tensorflow/core/kernels/control_flow_ops.cc:737] "
             "Abort_op intentional failure; boom",
             "Fatal Python error: Aborted"]
    assert fatal_line(lines).endswith("Abort_op intentional failure; boom")
    segv = ["2026-11-26 15:33:03.8: I tensorflow/compiler/tf2tensorrt/convert/"
            "convert_nodes.cc:1078] Creating TensorRT network",
            "Fatal Python error: Segmentation fault", "", "Current thread 0x1 (most recent call first):"]
    assert fatal_line(segv) == ("Fatal Python error: Segmentation fault; last TensorFlow line: "
                                "Creating TensorRT network (convert_nodes.cc:1078)")
    assert fatal_line(["all is well"]) is None
    assert clean_tail(["a", "Extension modules: numpy.core, ...", "b"]) == ["a", "b"]
    # A fault handler's stack: the lines around the crash, not the outermost frames.
    log = [f"log {i}" for i in range(30)] + ["Fatal Python error: Segmentation fault", ""] + \
        [f"  File frame {i}" for i in range(40)]
    tail = clean_tail(log, count=10)
    assert tail == [f"log {i}" for i in range(25, 30)] + [
        "Fatal Python error: Segmentation fault", "", "  File frame 0", "  File frame 1",
        "  File frame 2"]
