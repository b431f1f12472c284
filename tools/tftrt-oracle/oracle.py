#!/usr/bin/env python
"""TF-TRT CPU oracle: run TensorFlow 2.17's real TF-TRT conversion pass on a model, without a GPU.

Run it with the oracle environment's interpreter (built by setup.sh):

    DIR/venv/bin/python oracle.py analyze MODEL [--precision FP32|FP16|INT8] [--minimum-segment-size N]
        [--dynamic-shape] [--no-grappler] [--max-batch-size N] [--output NAME]... [--raw-log FILE]
        [--input-shape NAME=1x2x3]... [--graph-out FILE] [--graph-after-grappler FILE] [--layout-gpu]
    DIR/venv/bin/python oracle.py analyze MODEL --grappler-only [--graph-out FILE]
    DIR/venv/bin/python oracle.py batch  < requests.jsonl  > results.jsonl

MODEL is a binary GraphDef, a text GraphDef or a SavedModel directory. `analyze` prints one JSON
object (see README.md); `batch` reads one JSON request per line and writes one JSON result per line,
all in one TensorFlow process (importing TensorFlow costs ~2 s, a conversion usually much less).
`analyze` is the default command, so `oracle.py MODEL ...` works too.

Exit codes: 0 ok; 2 unusable input (missing or corrupt model, bad flags, no oracle environment);
1 TensorFlow failed while converting. Errors are one line on stderr: TensorFlow's own start-up
chatter is discarded (TFTRT_ORACLE_VERBOSE=1 keeps it); the conversion log is in the result and,
with --raw-log, in a file.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from tftrt_oracle import environment  # noqa: E402  (no TensorFlow import)
from tftrt_oracle.request import RequestError, add_arguments, from_args, from_json  # noqa: E402

_COMMANDS = ("analyze", "batch")
_errors = sys.stderr      # where one-line errors go; replaced by a dup of the real stderr in the child


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="oracle.py", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    add_arguments(commands.add_parser("analyze", help="convert one model and print the JSON result"))
    commands.add_parser("batch", help="JSON-lines requests on stdin, JSON-lines results on stdout")
    return parser


def _fail(message: str, code: int) -> "NoReturn":  # type: ignore[name-defined]
    _errors.write("oracle: error: " + " ".join(message.split()) + "\n")
    _errors.flush()
    sys.exit(code)


def _quiet_stderr() -> None:
    """Send fd 2 (TensorFlow's import-time log lines) to a scratch file; keep the real one for errors."""
    global _errors
    _errors = os.fdopen(os.dup(2), "w", encoding="utf-8")
    if os.environ.get("TFTRT_ORACLE_VERBOSE"):
        return
    scratch = tempfile.TemporaryFile(mode="w+b")
    sys.stderr.flush()
    os.dup2(scratch.fileno(), 2)


def _input_errors():
    from tftrt_oracle.models import ModelError
    return (ModelError, RequestError, OSError)


def _claim_stdout():
    """Keep the real stdout for results; anything else writing to fd 1 lands on stderr instead."""
    sys.stdout.flush()
    results = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    return results


def run_analyze(args: argparse.Namespace, out) -> int:
    from tftrt_oracle import runner

    try:
        request = from_args(args)
        result, text_graph = runner.run(request, allow_text_graph_output=True)
    except _input_errors() as exc:
        _fail(str(exc), 2)
    except Exception as exc:  # noqa: BLE001 - TensorFlow's own failures: one line, exit 1
        _fail(f"conversion failed: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}", 1)
    out.write(text_graph if text_graph is not None else json.dumps(result, indent=1) + "\n")
    out.flush()
    return 0


def run_batch(out) -> int:
    """One result line per request line, in order; a failed request yields {"id", "error"}."""
    from tftrt_oracle import runner

    for line_number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        request_id = None
        try:
            payload = json.loads(line)
            request_id = payload.get("id") if isinstance(payload, dict) else None
            result, _ = runner.run(from_json(payload), allow_text_graph_output=False)
            result["id"] = request_id
        except json.JSONDecodeError as exc:
            result = {"id": None, "error": f"line {line_number}: not JSON ({exc})", "error_kind": "input"}
        except _input_errors() as exc:
            result = {"id": request_id, "error": " ".join(str(exc).split()), "error_kind": "input"}
        except Exception as exc:  # noqa: BLE001
            first = str(exc).splitlines()[0] if str(exc) else ""
            result = {"id": request_id, "error": f"conversion failed: {type(exc).__name__}: {first}",
                      "error_kind": "conversion"}
        out.write(json.dumps(result) + "\n")
        out.flush()
    return 0


def main(argv: list) -> int:
    if argv and argv[0] not in _COMMANDS and argv[0] not in ("-h", "--help"):
        argv = ["analyze"] + argv          # `oracle.py MODEL ...` means analyze
    args = build_parser().parse_args(argv)
    try:
        environment.reexec_with_oracle_environment()
    except environment.EnvironmentError_ as exc:
        _fail(str(exc), 2)
    _quiet_stderr()
    out = _claim_stdout()
    if args.command == "batch":
        return run_batch(out)
    return run_analyze(args, out)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
