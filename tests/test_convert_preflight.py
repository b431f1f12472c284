"""The preflight of `trtlint convert`: real probes of real interpreters (the test venv's
tensorflow-cpu, an interpreter without TensorFlow, one that dies, the CPU oracle with and
without its stub TensorRT), and the messages for situations this machine cannot show
(TF 2.18, a TensorRT version mismatch, a GPU), from the same evaluation code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from trtlint.cli import app
from trtlint.convert.environment import child_environment
from trtlint.convert.preflight import (INSTALL_TF, evaluate, profile_for_version,
                                       run_preflight)
from trtlint.convert.process import ProcessEnd

ROOT = Path(__file__).resolve().parents[1]
GRAPH = ROOT / "fixtures" / "graphs" / "conv_bn_fused.pb"
runner = CliRunner()


def statuses(checks):
    return [(c.name, c.status) for c in checks]


# -- real interpreters ----------------------------------------------------------------------

@pytest.mark.tensorflow
def test_tensorflow_cpu_is_reported_as_built_without_tensorrt():
    preflight = run_preflight(child_environment())
    assert not preflight.ok
    assert preflight.tensorflow_version == "2.17.0"
    assert statuses(preflight.checks) == [
        ("python", "ok"), ("tensorflow", "ok"), ("tftrt", "failed"), ("tensorrt", "skipped"),
        ("gpu", "skipped")]
    check = preflight.checks[2]
    assert check.detail.startswith("TensorFlow 2.17.0 was built without TensorRT support "
                                   "(tf.sysconfig.get_build_info()['is_tensorrt_build'] is False; "
                                   "installed: tensorflow-cpu 2.17.0")
    assert f"{sys.executable} -m pip uninstall tensorflow-cpu;" in check.fix
    assert f"{sys.executable} -m {INSTALL_TF}" in check.fix


def test_an_interpreter_without_tensorflow(tmp_path):
    venv = tmp_path / "bare"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    preflight = run_preflight(child_environment(python=python))
    assert statuses(preflight.checks)[:2] == [("python", "ok"), ("tensorflow", "failed")]
    check = preflight.checks[1]
    assert check.detail == (f"TensorFlow is not importable by {python} "
                            f"(ModuleNotFoundError: No module named 'tensorflow')")
    assert check.fix.startswith(f"{python} -m {INSTALL_TF}")


def test_an_interpreter_that_dies(tmp_path):
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\necho 'cannot start: missing libpython' >&2\nkill -ABRT $$\n")
    fake.chmod(0o755)
    preflight = run_preflight(child_environment(python=fake))
    assert statuses(preflight.checks)[0] == ("python", "failed")
    detail = preflight.checks[0].detail
    assert "the probe aborted (SIGABRT)" in detail
    assert "cannot start: missing libpython" in detail


def test_a_file_that_is_not_an_interpreter(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    text.chmod(0o755)
    preflight = run_preflight(child_environment(python=text))
    assert preflight.checks[0].status == "failed"
    assert "Exec format error" in preflight.checks[0].detail


@pytest.mark.oracle
def test_cpu_oracle_passes_with_a_gpu_warning():
    from oracle import oracle_dir

    preflight = run_preflight(child_environment(oracle_dir=oracle_dir()))
    assert preflight.ok
    assert statuses(preflight.checks) == [
        ("python", "ok"), ("tensorflow", "ok"), ("tftrt", "ok"), ("tensorrt", "ok"),
        ("gpu", "warning")]
    assert preflight.to_json()["tensorrt"] == {"linked": "8.6.1", "loaded": "8.6.1"}
    assert "CPU oracle's stub libraries" in preflight.checks[3].detail
    assert "CUDA_VISIBLE_DEVICES='' hides every GPU" in preflight.checks[4].detail


@pytest.mark.oracle
def test_oracle_interpreter_without_its_stubs_cannot_load_tensorrt():
    from oracle import oracle_python

    preflight = run_preflight(child_environment(python=oracle_python()))
    assert statuses(preflight.checks)[:4] == [
        ("python", "ok"), ("tensorflow", "ok"), ("tftrt", "ok"), ("tensorrt", "failed")]
    check = preflight.checks[3]
    assert check.detail.startswith("TF-TRT cannot load libnvinfer.so.8 (TensorFlow was linked "
                                   "against TensorRT 8.6.1); TensorFlow says: TF-TRT Warning: "
                                   "Could not find TensorRT")
    assert "tensorrt==8.6.1" in check.fix and "LD_LIBRARY_PATH" in check.fix


@pytest.mark.oracle
def test_oracle_with_stubs_but_no_permission_for_cpu():
    from oracle import oracle_dir, oracle_python

    stubs = oracle_dir() / "stubs"
    env = child_environment(python=oracle_python(), env_pairs=[f"LD_LIBRARY_PATH={stubs}"])
    preflight = run_preflight(env)
    assert statuses(preflight.checks)[-1] == ("gpu", "failed")
    assert "--allow-no-gpu" in preflight.checks[-1].fix


# -- the command line -------------------------------------------------------------------------

@pytest.mark.tensorflow
def test_cli_stops_at_the_preflight_with_exit_2(tmp_path):
    result = runner.invoke(app, ["convert", str(GRAPH), "-o", str(tmp_path / "o"),
                                 "--no-color"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("trtlint: error: TensorFlow built with TensorRT: TensorFlow "
                                "2.17.0 was built without TensorRT support")
    assert "Fix: install the CUDA build of TensorFlow" in lines[-1]
    assert "Preflight:" in result.stderr and "✗" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "o" / "conversion.log").exists()


@pytest.mark.tensorflow
def test_cli_check_only_json():
    result = runner.invoke(app, ["convert", "--check", "--format", "json", "--quiet"])
    assert result.exit_code == 2
    document = json.loads(result.stdout)
    assert document["preflight"]["ok"] is False
    assert document["preflight"]["profile"] == "tf2"
    assert [c["status"] for c in document["preflight"]["checks"]] == [
        "ok", "ok", "failed", "skipped", "skipped"]
    assert document["run"] is None


@pytest.mark.oracle
def test_cli_check_with_the_oracle_passes():
    from oracle import oracle_dir

    result = runner.invoke(app, ["convert", "--check", "--oracle-dir", str(oracle_dir()),
                                 "--no-color", "--quiet"])
    assert result.exit_code == 0
    assert "no GPU is visible" in " ".join(result.stdout.split())


def test_oracle_dir_that_is_not_one(tmp_path):
    result = runner.invoke(app, ["convert", "--check", "--oracle-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert result.stderr.strip() == (f"trtlint: error: {tmp_path}: not a TF-TRT oracle "
                                     f"environment: venv/bin/python is missing (build it with "
                                     f"bash tools/tftrt-oracle/setup.sh DIR)")


def test_oracle_dir_sets_the_interpreter_and_library_path(tmp_path):
    (tmp_path / "venv" / "bin").mkdir(parents=True)
    (tmp_path / "venv" / "bin" / "python").symlink_to(sys.executable)
    (tmp_path / "stubs").mkdir()
    (tmp_path / "stubs" / "libnvinfer.so.8").write_bytes(b"")
    env = child_environment(oracle_dir=tmp_path, env_pairs=["LD_LIBRARY_PATH=/opt/trt/lib",
                                                            "TF_CPP_VMODULE=segment=1"])
    assert env.python == str(tmp_path / "venv" / "bin" / "python")
    assert env.allow_no_gpu
    environ = env.environ()
    assert environ["LD_LIBRARY_PATH"] == f"{(tmp_path / 'stubs').resolve()}:/opt/trt/lib"
    assert environ["CUDA_VISIBLE_DEVICES"] == ""
    assert environ["TF_CPP_VMODULE"] == "segment=1"          # the user's --env wins
    assert environ["TF_TRT_SHOW_DETAILED_REPORT"] == "1"
    # The preflight probe runs without the conversion's logging switches.
    assert env.environ(with_logging=False).get("TF_TRT_SHOW_DETAILED_REPORT") == \
        os.environ.get("TF_TRT_SHOW_DETAILED_REPORT")


# -- messages for what this machine cannot show -------------------------------------------------

PY = "/opt/py/bin/python"
BASE = {"python": {"executable": PY, "version": "3.10.12", "machine": "x86_64"},
        "environment": {"CUDA_VISIBLE_DEVICES": None},
        "distributions": {"tensorflow": "2.17.0"},
        "tensorflow": {"importable": True, "version": "2.17.0", "path": "/x/tensorflow"},
        "build_info": {"is_cuda_build": True, "is_tensorrt_build": True},
        "tftrt": {"module": "tensorflow.compiler.tf2tensorrt._pywrap_py_utils",
                  "linked": [8, 6, 1], "enabled": True},
        "tensorrt_loaded": [8, 6, 1], "gpus": ["/physical_device:GPU:0"], "done": True}
OK = ProcessEnd(0, 3.0)


def facts(**changes):
    out = json.loads(json.dumps(BASE))
    for key, value in changes.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out


def test_everything_present():
    checks = evaluate(PY, facts(), OK, [])
    assert all(c.status == "ok" for c in checks)
    assert checks[-1].detail == "1 visible: /physical_device:GPU:0"


def test_tensorflow_2_18_has_no_tftrt():
    checks = evaluate(PY, facts(tensorflow={"importable": True, "version": "2.18.0"}), OK, [])
    assert checks[1].status == "failed"
    assert checks[1].detail == "TensorFlow 2.18.0 has no TF-TRT (it was removed in 2.18)"
    assert checks[1].fix.startswith(f"use TensorFlow 2.17 or older: {PY} -m {INSTALL_TF}")


def test_loaded_tensorrt_of_another_major_version():
    checks = evaluate(PY, facts(tensorrt_loaded=[10, 0, 1]), OK, [])
    assert checks[3].status == "failed"
    assert checks[3].detail == ("loaded TensorRT 10.0.1, but TensorFlow was linked against "
                                "8.6.1: the major versions must match")


def test_loaded_tensorrt_older_than_linked():
    checks = evaluate(PY, facts(tensorrt_loaded=[8, 4, 3]), OK, [])
    assert "is older than 8.6.1" in checks[3].detail


def test_probe_killed_while_asking_the_loaded_version():
    died = ProcessEnd(-6, 4.0)
    tail = ["2026-11-26 15:17:58.191896: F tensorflow/compiler/tf2tensorrt/stub/"
            "nvinfer_stub.cc:49] getInferLibVersion symbol not found."]
    checks = evaluate(PY, facts(tensorrt_loaded=None, gpus=None, done=None), died, tail)
    assert checks[3].status == "failed"
    assert "killed the probe (the probe aborted (SIGABRT); last line:" in checks[3].detail
    assert "getInferLibVersion symbol not found" in checks[3].detail


def test_no_gpu_reasons():
    checks = evaluate(PY, facts(gpus=[], environment={"CUDA_VISIBLE_DEVICES": "-1"},
                                build_info={"is_cuda_build": False, "is_tensorrt_build": True}),
                      OK, [])
    assert checks[-1].status == "failed"
    assert checks[-1].detail == ("no GPU is visible to TensorFlow (CUDA_VISIBLE_DEVICES='-1' "
                                 "hides every GPU; this TensorFlow has no CUDA support)")
    allowed = evaluate(PY, facts(gpus=[]), OK, [], allow_no_gpu=True)
    assert allowed[-1].status == "warning"


def test_tf1_without_tensorrt_reports_no_linked_version():
    checks = evaluate(PY, facts(tensorflow={"importable": True, "version": "1.15.5"},
                                build_info=None,
                                tftrt={"module": "tensorflow.python.compiler.tensorrt.wrap_py_utils",
                                       "linked": [0, 0, 0], "enabled": None}), OK, [])
    assert checks[2].status == "failed"
    assert "TF-TRT reports no linked TensorRT version" in checks[2].detail


@pytest.mark.parametrize("version,profile", [("2.17.0", "tf2"), ("2.4.1", "tf2"),
                                             ("1.15.5", "tf1.15"), ("1.14.0", "tf1.15"),
                                             ("1.13.1", "tf1.13"), ("1.13.0rc1", "tf1.13"),
                                             (None, "tf2")])
def test_profile_follows_the_tensorflow_version(version, profile):
    assert profile_for_version(version) == profile
