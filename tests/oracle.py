"""Test-side access to the TF-TRT CPU oracle (tools/tftrt-oracle): TF 2.17's real TF-TRT pass.

    from oracle import oracle_available, run_oracle, run_oracle_many

    result = run_oracle("model.pb", precision="FP16", minimum_segment_size=5)
    results = run_oracle_many([("a.pb", {}), ("b.pb", {"dynamic_shape": True})])

`result` is the runner's JSON (see tools/tftrt-oracle/README.md): `segments` with each engine's
exact `members`, `unconverted`, `candidate_segments`, `log`, ...

Where things are:
- the oracle environment: $TRTLINT_ORACLE_DIR, default <repo>/.tftrt-oracle (built by
  tools/tftrt-oracle/ci-setup.sh or setup.sh DIR);
- the result cache: $TRTLINT_ORACLE_CACHE, default <repo>/.ci-cache/oracle (git-ignored).

A result is cached under a key made of the model's bytes (every file of a SavedModel), the flags,
and the oracle itself (runner sources, stub sources, the pinned TensorFlow version): editing the
runner invalidates the cache, renaming or moving a model does not. The key does not depend on the
environment directory, so cached results are served even where the environment is absent.

Requests that miss the cache run in ONE oracle process (`oracle.py batch`): TensorFlow is imported
once. If that process dies (a TensorFlow crash), the requests it did not answer are retried one
process each, so a crashing model costs only its own result: {"error": ..., "error_kind": "crash"}.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

REPO_ROOT = Path(__file__).resolve().parents[1]
ORACLE_TOOL = REPO_ROOT / "tools" / "tftrt-oracle"
RUNNER = ORACLE_TOOL / "oracle.py"
PathLike = Union[str, Path]

# Flags a request may carry (the runner's JSON keys; see tools/tftrt-oracle/tftrt_oracle/request.py).
# Output files are the helper's business: grappler-only graphs are written into the cache entry.
FLAGS = ("precision", "minimum_segment_size", "dynamic_shape", "no_grappler", "max_batch_size", "outputs",
         "input_shapes", "grappler_only", "layout_gpu", "gpu_compute_capability", "signature", "tags",
         "saved_model_converter", "int8_calibration")
# Seconds a batch process may take per request (TF import included once) before it is killed.
SECONDS_PER_REQUEST = 120


class OracleUnavailable(RuntimeError):
    """The oracle environment is not built here (and the result is not cached)."""


class OracleError(RuntimeError):
    """The oracle ran but reported an error for the request."""

    def __init__(self, result: dict) -> None:
        self.result = result
        super().__init__(f"{result.get('error_kind', 'error')}: {result.get('error')}")


# --- where things are ---------------------------------------------------------------------------

def oracle_dir() -> Path:
    return Path(os.environ.get("TRTLINT_ORACLE_DIR") or REPO_ROOT / ".tftrt-oracle")


def oracle_python() -> Path:
    return oracle_dir() / "venv" / "bin" / "python"


def cache_dir() -> Path:
    return Path(os.environ.get("TRTLINT_ORACLE_CACHE") or REPO_ROOT / ".ci-cache" / "oracle")


def oracle_available() -> bool:
    """True when setup.sh finished for the environment directory (it writes READY last)."""
    base = oracle_dir()
    return ((base / "READY").is_file() and oracle_python().exists()
            and (base / "stubs" / "libnvinfer.so.8").exists())


def why_unavailable() -> str:
    return (f"TF-TRT oracle environment not found at {oracle_dir()} (set TRTLINT_ORACLE_DIR, or build it: "
            f"bash tools/tftrt-oracle/ci-setup.sh)")


# --- cache keys -----------------------------------------------------------------------------------

def model_digest(path: PathLike) -> str:
    """sha256 over a model file, or over every file (relative path + bytes) of a SavedModel directory."""
    path = Path(path)
    digest = hashlib.sha256()
    if path.is_dir():
        for file in sorted(p for p in path.rglob("*") if p.is_file()):
            digest.update(str(file.relative_to(path)).encode() + b"\0")
            digest.update(hashlib.sha256(file.read_bytes()).digest())
    else:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def runner_digest() -> str:
    """What the oracle's answers depend on besides the model and flags, as found in the repo."""
    digest = hashlib.sha256()
    sources = [RUNNER, ORACLE_TOOL / "setup.sh", ORACLE_TOOL / "constraints.txt"]
    sources += sorted((ORACLE_TOOL / "tftrt_oracle").glob("*.py"))
    sources += sorted((ORACLE_TOOL / "stubs").glob("*.c"))
    for file in sources:
        digest.update(file.name.encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()


def _normalized_flags(flags: Dict[str, Any]) -> Dict[str, Any]:
    unknown = set(flags) - set(FLAGS)
    if unknown:
        raise TypeError(f"unknown oracle flags: {', '.join(sorted(unknown))} (known: {', '.join(FLAGS)})")
    normalized = dict(flags)
    if "precision" in normalized:
        normalized["precision"] = str(normalized["precision"]).upper()
    if isinstance(normalized.get("outputs"), str):
        normalized["outputs"] = [normalized["outputs"]]
    return normalized


def cache_key(model_path: PathLike, flags: Dict[str, Any], *, runner: Optional[str] = None) -> Optional[str]:
    """The cache key of a request; None for a model path that does not exist (never cached)."""
    if not Path(model_path).exists():
        return None
    material = {"model": model_digest(model_path), "flags": _normalized_flags(flags),
                "runner": runner or runner_digest()}
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()


def _entry(key: str) -> Path:
    return cache_dir() / key[:2] / key


def _load_cached(key: Optional[str]) -> Optional[dict]:
    if key is None:
        return None
    try:
        result = json.loads((_entry(key).with_suffix(".json")).read_text())
    except (OSError, ValueError):
        return None
    graph = result.get("graph_after_grappler") if result.get("mode") == "grappler_only" else None
    if graph and not Path(graph).exists():
        return None          # the graph file went missing: recompute
    return result


def _store(key: str, result: dict) -> None:
    target = _entry(key).with_suffix(".json")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=target.parent, delete=False, suffix=".tmp") as handle:
        json.dump(result, handle)
    os.replace(handle.name, target)      # atomic: concurrent test processes never see half a file


# --- running ----------------------------------------------------------------------------------

Request = Tuple[PathLike, Dict[str, Any]]


def _runner_request(index: int, key: Optional[str], model: PathLike, flags: Dict[str, Any]) -> dict:
    request = {"id": index, "model": str(Path(model).resolve()), **_normalized_flags(flags)}
    if request.get("grappler_only"):
        graph = _entry(key).with_suffix(".pb") if key else Path(tempfile.mkdtemp()) / "graph.pb"
        graph.parent.mkdir(parents=True, exist_ok=True)
        request["graph_out"] = str(graph)
    return request


def _run_batch(requests: List[dict]) -> Tuple[Dict[int, dict], str]:
    """Run requests in one oracle process; return ({id: result} for the answered ones, stderr)."""
    env = dict(os.environ, TFTRT_ORACLE_DIR=str(oracle_dir()))
    stdin = "".join(json.dumps(request) + "\n" for request in requests)
    try:
        process = subprocess.run([str(oracle_python()), str(RUNNER), "batch"], input=stdin, text=True,
                                 capture_output=True, env=env,
                                 timeout=60 + SECONDS_PER_REQUEST * len(requests))
        stdout, stderr, code = process.stdout, process.stderr, process.returncode
    except subprocess.TimeoutExpired as exc:
        stdout = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        stderr, code = "timed out", "timeout"
    answered: Dict[int, dict] = {}
    for line in stdout.splitlines():
        try:
            result = json.loads(line)
        except ValueError:
            continue
        if isinstance(result, dict) and isinstance(result.get("id"), int):
            answered[result["id"]] = result
    return answered, f"exit {code}: {stderr.strip()[-500:]}"


def _from_cache(requests: Iterable[Request], runner: str):
    """(requests, cache keys, cached results or None, indices still to run); raises
    OracleUnavailable when something must run and the environment is absent."""
    requests = [(Path(model), dict(flags)) for model, flags in requests]
    keys = [cache_key(model, flags, runner=runner) for model, flags in requests]
    results: List[Optional[dict]] = [_load_cached(key) for key in keys]
    missing = [i for i, result in enumerate(results) if result is None]
    if missing and not oracle_available():
        raise OracleUnavailable(why_unavailable())
    return requests, keys, results, missing


def run_oracle_many(requests: Iterable[Request]) -> List[dict]:
    """Results for (model path, flags) requests, in order; cached ones are not recomputed.

    An error result has "error" and "error_kind" ("input", "conversion" or "crash") instead of
    the conversion fields. Raises OracleUnavailable when a request misses the cache and the
    environment is absent.
    """
    requests, keys, results, missing = _from_cache(requests, runner_digest())
    if missing:
        pending = {i: _runner_request(i, keys[i], *requests[i]) for i in missing}
        answered, _ = _run_batch(list(pending.values()))
        for i in [i for i in missing if i not in answered]:      # the batch process died early
            alone, detail = _run_batch([pending[i]])
            answered[i] = alone.get(i) or {"id": i, "error": f"oracle process died ({detail})",
                                           "error_kind": "crash"}
        for i in missing:
            result = answered[i]
            result.pop("id", None)
            if keys[i] and result.get("error_kind") != "crash":    # crashes may be transient
                _store(keys[i], result)
            results[i] = result
    for (model, _), result in zip(requests, results):
        if result is not None and "error" not in result:
            result["model"] = str(model)     # the cache is keyed on content, not on the path
    return [result for result in results if result is not None]


def run_oracle(model_path: PathLike, **flags: Any) -> dict:
    """The oracle's result for one model; raises OracleError when the oracle reports an error."""
    result = run_oracle_many([(model_path, flags)])[0]
    if "error" in result:
        raise OracleError(result)
    return result


def run_oracle_cli(args: Sequence[str], *, stdin: Optional[str] = None,
                   timeout: float = 300) -> subprocess.CompletedProcess:
    """Run `oracle.py ARGS...` with the environment's interpreter (no cache): for CLI-level tests."""
    if not oracle_available():
        raise OracleUnavailable(why_unavailable())
    env = dict(os.environ, TFTRT_ORACLE_DIR=str(oracle_dir()))
    return subprocess.run([str(oracle_python()), str(RUNNER), *args], input=stdin, capture_output=True,
                          text=True, env=env, timeout=timeout)


def load_logparse():
    """The runner's log parser (pure Python) as a module, for tests that read recorded oracle logs."""
    if str(ORACLE_TOOL) not in sys.path:
        sys.path.insert(0, str(ORACLE_TOOL))
    from tftrt_oracle import logparse
    return logparse


def engine_members(result: dict) -> Dict[str, List[str]]:
    """{normalised engine name: sorted exact member node names} of a conversion result."""
    return {segment["name"]: sorted(segment["members"] or []) for segment in result["segments"]}


# --- per-node segmenter trace (TF_CPP_VMODULE=segment=3) -------------------------------------------
#
# With segment.cc at verbosity 3 TF-TRT logs, for every node it examines, the grappler shapes of the
# inputs it decides the implicit batch from ("input shapes float: [-2,45,1]; int32: []", unknown dims
# as grappler's symbols -2, -3, ...), its verdict, and for a candidate the batch value it imposes on its
# cluster ("set batch size as -37"). The runner pins the verbosity to what its log parser needs, so a
# trace run prepares the runner's environment itself (what tftrt_oracle/environment.py does before it
# re-executes) and marks the process as already prepared.

TRACE_VMODULE = "segment=3,convert_graph=2,trt_optimization_pass=2"
_TRACE_VERSION = "segment-trace/1"
_TRACE_PROCESS = re.compile(r"segment\.cc:\d+\] process node (.*?)\s*$")
_TRACE_INPUTS = re.compile(r"segment\.cc:\d+\] input shapes (.*?)\s*$")
_TRACE_ACCEPTED = re.compile(r"segment\.cc:\d+\] Accepted as a TF-TRT candidate, \(Op type: [^)]*\), \(Op name: (.*?)\s*$")
_TRACE_REJECTED = re.compile(r"segment\.cc:\d+\] Not a TF-TRT candidate, \(Op type: [^)]*\), \(Op name: (.*?)\), "
                             r"\(Reason: (.*)\)\s*$", re.S)
_TRACE_BATCH = re.compile(r"segment\.cc:\d+\] set batch size as (-?\d+)\s*$")
_TRACE_SHAPE = re.compile(r"(\w+): \[([^\]]*)\]")


def parse_trace_shapes(text: str) -> List[Optional[List[int]]]:
    """``"float: [-2,45,1]; int32: []; float: [?]"`` -> ``[[-2, 45, 1], [], None]`` (None: unknown rank)."""
    shapes: List[Optional[List[int]]] = []
    for _, dims in _TRACE_SHAPE.findall(text):
        dims = dims.strip()
        if dims == "?":
            shapes.append(None)
        else:
            shapes.append([int(d) for d in dims.split(",")] if dims else [])
    return shapes


def parse_segment_trace(log_text: str) -> Dict[str, dict]:
    """{node: {"inputs": shapes or None, "verdict": "accepted" | reason, "batch": int or None}} from a
    segment=3 log. ``inputs`` is present for the nodes that reached the implicit batch test (not the
    ones excluded for their device or as graph inputs/outputs, nor nodes without inputs)."""
    nodes: Dict[str, dict] = {}
    processing: Optional[str] = None
    accepted: Optional[str] = None
    for record in load_logparse().split_records(log_text):
        match = _TRACE_PROCESS.search(record)
        if match:
            processing = match.group(1)
            nodes.setdefault(processing, {"inputs": None, "verdict": None, "batch": None})
            continue
        match = _TRACE_INPUTS.search(record)
        if match and processing is not None:
            nodes[processing]["inputs"] = parse_trace_shapes(match.group(1))
            continue
        match = _TRACE_ACCEPTED.search(record)
        if match:
            accepted = match.group(1)
            nodes.setdefault(accepted, {"inputs": None, "verdict": None, "batch": None})["verdict"] = "accepted"
            continue
        match = _TRACE_REJECTED.search(record)
        if match:
            name, reason = match.group(1), match.group(2)
            nodes.setdefault(name, {"inputs": None, "verdict": None, "batch": None})["verdict"] = reason
            accepted = None
            continue
        match = _TRACE_BATCH.search(record)
        if match and accepted is not None:
            nodes[accepted]["batch"] = int(match.group(1))
    return nodes


def _trace_environment() -> Dict[str, str]:
    stubs = str(oracle_dir() / "stubs")
    env = dict(os.environ, TFTRT_ORACLE_DIR=str(oracle_dir()), _TFTRT_ORACLE_CHILD="1",
               TF_CPP_MIN_LOG_LEVEL="0", TF_CPP_VMODULE=TRACE_VMODULE, CUDA_VISIBLE_DEVICES="")
    env["LD_LIBRARY_PATH"] = stubs + (":" + env["LD_LIBRARY_PATH"] if env.get("LD_LIBRARY_PATH") else "")
    return env


def run_segment_traces(requests: Iterable[Request]) -> List[dict]:
    """Like :func:`run_oracle_many`, with the segmenter's per-node trace added to each result as
    ``result["trace"]`` (see :func:`parse_segment_trace`). Cached apart from plain results."""
    requests, keys, results, missing = _from_cache(requests, runner_digest() + "|" + _TRACE_VERSION)
    if missing:
        with tempfile.TemporaryDirectory() as scratch:
            pending = []
            for i in missing:
                request = _runner_request(i, keys[i], *requests[i])
                request["raw_log"] = str(Path(scratch) / f"{i}.log")
                pending.append(request)
            stdin = "".join(json.dumps(request) + "\n" for request in pending)
            process = subprocess.run([str(oracle_python()), str(RUNNER), "batch"], input=stdin, text=True,
                                     capture_output=True, env=_trace_environment(),
                                     timeout=60 + SECONDS_PER_REQUEST * len(pending))
            answered = {}
            for line in process.stdout.splitlines():
                try:
                    result = json.loads(line)
                except ValueError:
                    continue
                if isinstance(result, dict) and isinstance(result.get("id"), int):
                    answered[result["id"]] = result
            for i in missing:
                result = answered.get(i) or {"error": f"oracle process died: {process.stderr[-300:]}",
                                             "error_kind": "crash"}
                result.pop("id", None)
                log = Path(scratch) / f"{i}.log"
                if "error" not in result:
                    result["trace"] = parse_segment_trace(log.read_text(errors="replace")) if log.exists() else {}
                    if keys[i]:
                        _store(keys[i], result)
                results[i] = result
    for (model, _), result in zip(requests, results):
        if result is not None and "error" not in result:
            result["model"] = str(model)
    return [result for result in results if result is not None]



if __name__ == "__main__":       # handy: python tests/oracle.py MODEL [json flags]
    flags_arg = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
    print(json.dumps(run_oracle(sys.argv[1], **flags_arg), indent=1))
