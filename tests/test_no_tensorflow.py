"""The lint and analysis path never imports TensorFlow (nor NumPy).

trtlint's promise is a prediction *without* TensorFlow: on a laptop, in CI, in a
pre-commit hook.  Each command runs here in a fresh interpreter through a small driver
that imports ``trtlint.cli``, runs the typer app exactly as the console script does,
and then reports two things:

* which of ``tensorflow`` / ``numpy`` ended up in ``sys.modules``, and
* every attempt to import them, even one that was caught: an import hook records the
  attempt and refuses it, so a hidden ``try: import tensorflow`` shows up too.

The commands run on real models (a frozen graph, a text graph, TF1 and TF2 SavedModels,
the SSD example) and a real TF-TRT log, in every output format that does not need
TensorFlow by definition.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from shared_data import CORPUS_MODELS

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures"
CORPUS = CORPUS_MODELS
FORBIDDEN = ("tensorflow", "numpy")

DRIVER = r"""
import importlib.abc, json, sys

FORBIDDEN = {forbidden!r}
attempts = []

class Refuse(importlib.abc.MetaPathFinder):
    '''Record and refuse every import of a forbidden package.'''
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in FORBIDDEN:
            attempts.append(name)
            raise ImportError(f"{{name}} is not allowed on trtlint's analysis path")
        return None

if {hook!r}:
    sys.meta_path.insert(0, Refuse())

from trtlint.cli import app
code = 0
try:
    app(args={args!r}, prog_name="trtlint")
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
loaded = sorted(m for m in sys.modules if m.split(".")[0] in FORBIDDEN)
sys.stderr.write("\nDRIVER:" + json.dumps({{"code": code, "loaded": loaded,
                                           "attempts": attempts}}) + "\n")
"""


def run_driver(args: list[str], hook: bool) -> dict:
    code = DRIVER.format(forbidden=FORBIDDEN, args=args, hook=hook)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=REPO, timeout=600, env={"NO_COLOR": "1", "PATH": "/usr/bin:/bin",
                                                      "HOME": str(Path.home())})
    marker = [ln for ln in proc.stderr.splitlines() if ln.startswith("DRIVER:")]
    assert marker, proc.stderr[-3000:]
    result = json.loads(marker[-1][len("DRIVER:"):])
    result["stdout"], result["stderr"] = proc.stdout, proc.stderr
    return result


def _existing(*paths: Path) -> list[str]:
    return [str(p) for p in paths if p.exists()]


COMMANDS = {
    "inspect-frozen": ["inspect", str(FIXTURES / "graphs" / "ssd_inception_v2_like.pb")],
    "inspect-json-saved-model": ["inspect", str(FIXTURES / "saved_models" / "tf2_module_while"),
                                 "--format", "json"],
    "analyze-frozen-rich": ["analyze", str(FIXTURES / "graphs" / "ssd_inception_v2_like.pb")],
    "analyze-saved-models-json": ["analyze", str(FIXTURES / "saved_models" / "keras_conv_classifier"),
                                  str(FIXTURES / "saved_models" / "tf2_module_while"),
                                  "--format", "json"],
    "analyze-tf1-and-pbtxt-sarif": ["analyze", *_existing(
        CORPUS / "003_tf2onnx_regression_savedmodel",
        CORPUS / "036_mobilenet_v1_eval_pbtxt.pbtxt"), "--format", "sarif"],
    "analyze-example-markdown": ["analyze", "--example", "ssd", "--format", "markdown",
                                "--precision", "INT8", "--profile", "tf1.13"],
    "logs": ["logs", str(FIXTURES / "logs" / "tf217_gru_unrolled_max_engines.log")],
    "logs-json": ["logs", str(FIXTURES / "logs" / "tf217_poets_dynamic_shape.log"),
                  "--format", "json"],
    "crosscheck": ["crosscheck", *_existing(CORPUS / "002_tf2onnx_gru_unrolled.pb"),
                   str(FIXTURES / "logs" / "tf217_gru_unrolled_max_engines.log")],
}


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_command_imports_neither_tensorflow_nor_numpy(name):
    args = COMMANDS[name]
    result = run_driver(args, hook=True)
    assert result["attempts"] == [], f"{name} tried to import {result['attempts']}"
    assert result["loaded"] == []
    # the command really ran (a finding exit code 1 is a successful run too)
    assert result["code"] in (0, 1), result["stderr"][-2000:]
    assert result["stdout"].strip()


def test_without_the_hook_nothing_is_loaded_either():
    # The hook could mask an import that happens as a side effect of a failed one;
    # plain runs must leave sys.modules clean as well.
    for name in ("inspect-frozen", "analyze-saved-models-json", "logs-json"):
        result = run_driver(COMMANDS[name], hook=False)
        assert result["loaded"] == [], (name, result["loaded"])
        assert result["code"] in (0, 1)


def test_the_driver_notices_a_tensorflow_import():
    # The check must be able to fail: a command that does import TensorFlow is seen.
    pytest.importorskip("tensorflow")
    code = DRIVER.format(forbidden=FORBIDDEN, args=["rules"], hook=False).replace(
        "from trtlint.cli import app", "from trtlint.cli import app\nimport tensorflow")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=REPO, timeout=600)
    result = json.loads([ln for ln in proc.stderr.splitlines()
                         if ln.startswith("DRIVER:")][-1][len("DRIVER:"):])
    assert "tensorflow" in result["loaded"]
