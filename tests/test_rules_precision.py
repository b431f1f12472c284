"""TRT6xx precision and hardware rules, and the GPU table behind ``--gpu`` (rules/gpus.toml)."""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

from trtlint.cli import app
from trtlint.errors import UsageError
from trtlint.hardware import gpu_info, known_gpu_names, normalise_name

from test_rules_helpers import GRAPHS, analysis_of, findings, frozen_graph

FUSED = GRAPHS / "conv_bn_fused.pb"
runner = CliRunner()


# -- the GPU table --------------------------------------------------------------------------------

@pytest.mark.parametrize("name, cc", [
    ("GTX1080", "6.1"), ("GeForce GTX 1080", "6.1"), ("gtx-1070", "6.1"), ("P40", "6.1"),
    ("Tesla P4", "6.1"), ("P100", "6.0"), ("Tesla V100-PCIE-32GB", "7.0"), ("T4", "7.5"),
    ("RTX 2080 Ti", "7.5"), ("A100-SXM4-80GB", "8.0"), ("A10", "8.6"), ("RTX 3090", "8.6"),
    ("L4", "8.9"), ("L40S", "8.9"), ("H100", "9.0"), ("Jetson TX2", "6.2"), ("Xavier", "7.2"),
    ("Orin", "8.7"), ("sm_75", "7.5"), ("7.5", "7.5"), ("sm86", "8.6"), ("compute_90", "9.0"),
])
def test_gpu_names_and_capabilities(name, cc):
    assert gpu_info(name).compute_capability == cc


def test_gpu_facts_the_rules_rely_on():
    gtx1080, p100, v100, t4, tx2 = (gpu_info(n) for n in ("GTX1080", "P100", "V100", "T4", "TX2"))
    assert not gtx1080.fp16_fast and gtx1080.int8_fast        # FP16 throttled, dp4a INT8
    assert p100.fp16_fast and not p100.int8_fast              # no dp4a on 6.0
    assert tx2.fp16_fast and not tx2.int8_fast
    assert v100.fp16_tensor_cores and not v100.int8_tensor_cores and v100.int8_fast
    assert t4.fp16_tensor_cores and t4.int8_tensor_cores
    assert t4.alignment("FP16") == 8 and t4.alignment("INT8") == 32
    assert v100.alignment("INT8") is None                    # no INT8 Tensor Cores
    assert gpu_info("sm_37").architecture == "Kepler"        # nearest lower entry


def test_a100_is_not_read_as_a10_and_l40_not_as_l4():
    assert gpu_info("A100").product.startswith("A100")
    assert gpu_info("L40").compute_capability == gpu_info("L4").compute_capability == "8.9"
    assert gpu_info("A10").product.startswith("A10,")


def test_every_example_name_resolves_and_names_normalise():
    assert len(known_gpu_names()) >= 10
    for name in known_gpu_names():
        gpu_info(name)
    assert normalise_name("NVIDIA GeForce GTX-1080 Ti") == "gtx1080ti"


@pytest.mark.parametrize("bad", ["Radeon RX 580", "sm_20", "", "banana"])
def test_unknown_gpu_is_a_usage_error(bad):
    with pytest.raises(UsageError) as err:
        gpu_info(bad)
    assert "sm_20" in bad or "V100" in str(err.value)


def test_unknown_gpu_on_the_command_line_is_one_line_exit_2():
    result = runner.invoke(app, ["analyze", str(FUSED), "--precision", "FP16", "--gpu", "Radeon"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "unknown GPU 'Radeon'" in lines[0] and "T4" in lines[0]


# -- TRT601 precision-on-gpu -------------------------------------------------------------------

def test_trt601_fp16_on_a_gtx1080():
    [f] = findings(analysis_of(FUSED, precision="FP16", gpu="GTX1080"), "TRT601")
    assert "sm_61" in f.message and "1/64" in f.message
    assert f.fix.startswith("Use INT8 on this GPU")
    assert f.data["compute_capability"] == "6.1"


def test_trt601_int8_on_a_p100():
    [f] = findings(analysis_of(FUSED, precision="INT8", gpu="P100"), "TRT601")
    assert f.data["precision"] == "INT8" and f.fix.startswith("Use FP16")


def test_trt601_uses_the_precision_tftrt_really_builds():
    # INT8 without calibration or QDQ nodes is built in FP16: slow on a GTX 1080.
    a = analysis_of(FUSED, precision="INT8", use_calibration=False, gpu="GTX1080")
    [f] = findings(a, "TRT601")
    assert f.data["precision"] == "FP16" and "--precision INT8" in f.message


def test_trt601_silent_where_the_precision_is_fast():
    assert not findings(analysis_of(FUSED, precision="FP16", gpu="T4"), "TRT601")
    assert not findings(analysis_of(FUSED, precision="INT8", gpu="GTX1080"), "TRT601")
    assert not findings(analysis_of(FUSED, gpu="GTX1080"), "TRT601")          # FP32
    assert not findings(analysis_of(FUSED, precision="FP16"), "TRT601")       # no --gpu


# -- TRT602 tensor-core-alignment -------------------------------------------------------------

def conv_graph(tmp_path, channels):
    def build(tf):
        rng = np.random.RandomState(0)
        x = tf.compat.v1.placeholder(tf.float32, [None, 16, 16, 3], name="x")
        h = x
        cin = 3
        for i, cout in enumerate(channels):
            w = tf.constant(rng.randn(3, 3, cin, cout).astype("float32"))
            h = tf.nn.relu(tf.nn.conv2d(h, w, 1, "SAME", name=f"conv{i}"))
            cin = cout
        tf.identity(tf.reduce_mean(h, axis=[1, 2]), name="y")

    return frozen_graph(tmp_path, "conv_" + "_".join(map(str, channels)), build)


@pytest.mark.tensorflow
def test_trt602_channels_not_multiple_of_8_in_fp16(tmp_path):
    a = analysis_of(conv_graph(tmp_path, [12, 16, 20]), precision="FP16", gpu="T4")
    [f] = findings(a, "TRT602")
    assert f.data["alignment"] == 8
    assert f.data["layers"] == ["conv0", "conv1", "conv2"]
    assert "conv0 (out 12)" in f.message and "conv1 (in 12)" in f.message
    assert "conv2 (out 20)" in f.message


@pytest.mark.tensorflow
def test_trt602_int8_wants_multiples_of_32(tmp_path):
    path = conv_graph(tmp_path, [16, 32])
    assert not findings(analysis_of(path, precision="FP16", gpu="T4"), "TRT602")
    [f] = findings(analysis_of(path, precision="INT8", gpu="T4"), "TRT602")
    assert f.data["alignment"] == 32 and f.data["layers"] == ["conv0", "conv1"]


@pytest.mark.tensorflow
def test_trt602_silent_without_tensor_cores_or_in_fp32(tmp_path):
    path = conv_graph(tmp_path, [12, 20])
    assert not findings(analysis_of(path, precision="FP16", gpu="P100"), "TRT602")
    assert not findings(analysis_of(path, precision="INT8", gpu="V100"), "TRT602")
    assert not findings(analysis_of(path, gpu="T4"), "TRT602")


# -- TRT603 fp32-on-tensor-cores ----------------------------------------------------------------

def test_trt603_fp32_on_t4_and_a100():
    [t4] = findings(analysis_of(FUSED, gpu="T4"), "TRT603")
    assert "does not use this GPU's FP16 Tensor Cores" in t4.message
    [a100] = findings(analysis_of(FUSED, gpu="A100"), "TRT603")
    assert "TF32" in a100.message


def test_trt603_silent_on_older_gpus_or_reduced_precision():
    assert not findings(analysis_of(FUSED, gpu="GTX1080"), "TRT603")
    assert not findings(analysis_of(FUSED, precision="FP16", gpu="T4"), "TRT603")


@pytest.mark.tensorflow
def test_trt603_silent_when_qdq_makes_the_engines_int8(tmp_path):
    def build(tf):
        x = tf.compat.v1.placeholder(tf.float32, [None, 8, 8, 4], name="x")
        q = tf.raw_ops.QuantizeAndDequantizeV2(input=tf.nn.relu(x * 2.0 + 1.0),
                                               input_min=tf.constant(-1.0),
                                               input_max=tf.constant(1.0), range_given=True)
        w = tf.constant(np.ones((3, 3, 4, 8), "float32"))
        tf.identity(tf.nn.relu(tf.nn.conv2d(q, w, 1, "SAME") + 1.0), name="y")

    a = analysis_of(frozen_graph(tmp_path, "qdq_conv", build), gpu="T4")
    assert any(s.will_build for s in a.segments)
    assert not findings(a, "TRT603")
    assert findings(a, "TRT305")
