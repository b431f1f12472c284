"""`trtlint convert` where TF-TRT can build engines: TensorFlow with TensorRT and a GPU.

Runs only where the preflight passes with a GPU, for the interpreter in
$TRTLINT_GPU_PYTHON (default: the one running the tests); elsewhere every test here is
skipped. TensorRT cannot be installed on the development machines (DESIGN.md), so these
tests are the part of `convert` that only a GPU machine exercises: engines built at the
first inference, INT8 calibration, and the benchmark comparing native and converted.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from trtlint.cli import app

pytestmark = pytest.mark.gpu

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "fixtures" / "graphs" / "conv_bn_fused.pb"
runner = CliRunner()


@pytest.fixture(scope="module")
def gpu_python() -> list[str]:
    from trtlint.convert.environment import child_environment
    from trtlint.convert.preflight import run_preflight

    python = os.environ.get("TRTLINT_GPU_PYTHON")
    env = child_environment(python=Path(python) if python else None)
    preflight = run_preflight(env)
    if not preflight.ok or not preflight.gpus:
        failed = [c for c in preflight.checks if c.status != "ok"]
        pytest.skip("needs TensorFlow with TF-TRT, TensorRT and a GPU: "
                    + (f"{failed[0].title}: {failed[0].detail}" if failed else "no GPU"))
    return ["--python", env.python]


def convert(tmp_path: Path, python: list[str], *flags: str):
    out = tmp_path / "out"
    result = runner.invoke(app, ["convert", str(FIXTURE), "-o", str(out), *python,
                                 "--format", "json", "--quiet", *flags])
    return result.exit_code, json.loads(result.stdout), out


@pytest.mark.parametrize("precision,tolerance", [("FP32", 1e-3), ("FP16", 5e-2)])
def test_engines_are_built_and_outputs_agree(tmp_path, gpu_python, precision, tolerance):
    code, document, out = convert(tmp_path, gpu_python, "--precision", precision,
                                  "--benchmark", "50", "--warmup", "10", "--crosscheck")
    run = document["run"]
    assert run["status"] == "ok" and run["gpus"]
    bench = run["benchmark"]
    assert "error" not in bench["native"] and "error" not in bench["converted"]
    assert bench["converted"]["p50_ms"] <= bench["converted"]["p90_ms"]
    assert bench["speedup"] == pytest.approx(bench["native"]["p50_ms"] /
                                             bench["converted"]["p50_ms"], rel=1e-2)
    (output,) = bench["outputs"]
    assert output["equal_shapes"] and output["max_abs_diff"] <= tolerance
    log = (out / "conversion.log").read_text()
    assert "Building a new TensorRT engine" in log          # built at the first inference
    assert document["crosscheck"]["verdict"] in ("agree", "disagree")


def test_int8_calibration_from_npz_batches(tmp_path, gpu_python):
    import numpy as np

    data = tmp_path / "calibration"
    data.mkdir()
    rng = np.random.RandomState(0)
    for i in range(4):
        np.savez(data / f"batch_{i}.npz", input=rng.uniform(size=(2, 64, 64, 3)).astype("float32"))
    code, document, out = convert(tmp_path, gpu_python, "--precision", "INT8",
                                  "--calibration-data", str(data), "--benchmark", "20")
    run = document["run"]
    assert run["status"] == "ok"
    assert (out / "converted_model" / "saved_model.pb").exists()
    assert run["benchmark"]["inputs"][0]["source"] == "calibration data"
