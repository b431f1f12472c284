"""A persistent client for the TF-TRT oracle's ``batch`` mode, with tests/oracle.py's cache.

    with OracleSession() as oracle:
        result = oracle.ask("model.pb", {"dynamic_shape": True})
        results = oracle.ask_many([("a.pb", {}), ("b.pb", {"no_grappler": True})])

Why not just :func:`oracle.run_oracle_many`: that function starts one ``oracle.py batch``
process per call, and when TensorFlow aborts on a request (corpus graph 022 does, in
dynamic-shape mode without grappler: a CHECK failure inside TF-TRT) it reruns every
request still unanswered in a process of its own -- a TensorFlow import (~3 s) each.  A
property-based test asks for one small graph at a time, so it needs one process that
stays alive between requests.  This client keeps that process, sends one request line and
reads one result line at a time, and after a crash starts a new process for what is left.

Results share tests/oracle.py's cache: the same key (model bytes + flags + the oracle's
own sources), the same files, so a result computed here is served to run_oracle_many and
the other way round.  Two differences, both deliberate:

* every request also asks for the graph TensorRTOptimizer received (after grappler), kept
  next to the cached result as ``<key>.grappler.pb``: the differential harness needs it
  to tell "TF-TRT accepted this node" from "grappler removed it"; a cached result without
  that file is recomputed;
* a crash that happens again in a fresh process is deterministic (a TensorFlow CHECK
  failure, not a flaky machine), so it is cached too, marked ``"repeated": true``.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import threading
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple, Union

import oracle as oracle_helper

PathLike = Union[str, Path]
Request = Tuple[PathLike, Dict[str, Any]]

#: seconds one request may take before the process is declared hung and killed
REQUEST_TIMEOUT = 180.0
#: seconds TensorFlow's import may take on top of the first request
STARTUP_TIMEOUT = 120.0


#: marks a cached result computed with the graph after grappler asked for
GRAPH_REQUESTED = "differential_graph_requested"


def grappler_graph_path(key: str) -> Path:
    """Where the graph after grappler of the cached result ``key`` is kept."""
    return oracle_helper.cache_dir() / key[:2] / f"{key}.grappler.pb"


class _BatchProcess:
    """One ``oracle.py batch`` process: a request line in, a result line out."""

    def __init__(self) -> None:
        env = dict(os.environ, TFTRT_ORACLE_DIR=str(oracle_helper.oracle_dir()))
        self.process = subprocess.Popen(
            [str(oracle_helper.oracle_python()), str(oracle_helper.RUNNER), "batch"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            text=True, env=env)
        self.lines: "queue.Queue[Optional[str]]" = queue.Queue()
        self.answered = 0
        # A reader thread, so that waiting for a line can time out (a hung TensorFlow).
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)                      # end of output: the process is gone

    def ask(self, request: dict) -> Optional[dict]:
        """The result for ``request``, or None when the process died or hung on it."""
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            return None
        timeout = REQUEST_TIMEOUT + (STARTUP_TIMEOUT if self.answered == 0 else 0.0)
        while True:
            try:
                line = self.lines.get(timeout=timeout)
            except queue.Empty:
                self.close()
                return None
            if line is None:
                return None
            try:
                result = json.loads(line)
            except ValueError:
                continue                          # not a result line
            if isinstance(result, dict) and result.get("id") == request["id"]:
                self.answered += 1
                return result

    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self) -> None:
        if self.process.poll() is None:
            try:
                assert self.process.stdin is not None
                self.process.stdin.close()
                self.process.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()


class OracleSession:
    """Cached oracle answers, computed in one long-lived batch process when missing."""

    def __init__(self) -> None:
        self._process: Optional[_BatchProcess] = None
        self._runner = oracle_helper.runner_digest()
        self._next_id = 0
        self.computed = 0            # requests that missed the cache (for reports)
        self.crashes = 0

    # -- context manager --------------------------------------------------------------------
    def __enter__(self) -> "OracleSession":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._process is not None:
            self._process.close()
            self._process = None

    # -- asking -----------------------------------------------------------------------------
    def ask(self, model: PathLike, flags: Optional[Dict[str, Any]] = None) -> dict:
        return self.ask_many([(model, flags or {})])[0]

    def ask_many(self, requests: Iterable[Request]) -> List[dict]:
        """Results in request order; an error result has "error" and "error_kind"."""
        out: List[dict] = []
        for model, flags in requests:
            model = Path(model)
            key = oracle_helper.cache_key(model, flags, runner=self._runner)
            result = self._cached(key)
            if result is None:
                result = self._compute(model, flags, key)
            if "error" not in result:
                result["model"] = str(model)
            out.append(result)
        return out

    def _cached(self, key: Optional[str]) -> Optional[dict]:
        result = oracle_helper._load_cached(key)
        if result is None or key is None:
            return None
        if "error" not in result:
            if not result.get(GRAPH_REQUESTED):
                return None                       # cached by run_oracle_many: no graph kept
            graph = result.get("graph_after_grappler")
            if graph and not Path(graph).exists():
                return None
        elif result.get("error_kind") == "crash" and not result.get("repeated"):
            return None
        return result

    def _compute(self, model: Path, flags: Dict[str, Any], key: Optional[str]) -> dict:
        if not oracle_helper.oracle_available():
            raise oracle_helper.OracleUnavailable(oracle_helper.why_unavailable())
        self.computed += 1
        request = {"id": self._next_id, "model": str(model.resolve()),
                   **oracle_helper._normalized_flags(flags)}
        self._next_id += 1
        if key is not None:
            graph = grappler_graph_path(key)
            graph.parent.mkdir(parents=True, exist_ok=True)
            request["graph_after_grappler"] = str(graph)
        result = self._ask_process(request)
        if result is None:
            # The process died on this request.  Once more, alone in a fresh process: a
            # crash that repeats is TensorFlow's answer for this graph, not bad luck.
            self.crashes += 1
            self.close()
            result = self._ask_process(request)
            self.close()                          # the next request gets a clean process
            if result is None:
                result = {"error": "the oracle process died on this request twice "
                                   "(TensorFlow aborted)", "error_kind": "crash", "repeated": True}
        result.pop("id", None)
        if "error" not in result:
            result[GRAPH_REQUESTED] = True
        if key is not None:
            oracle_helper._store(key, result)
        return result

    def _ask_process(self, request: dict) -> Optional[dict]:
        if self._process is None or not self._process.alive():
            self._process = _BatchProcess()
        result = self._process.ask(request)
        if result is None:
            self._process.close()
            self._process = None
        return result
