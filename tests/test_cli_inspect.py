"""`trtlint inspect` through the real CLI: the JSON facts (format, producer, op histogram,
inputs, outputs, parameters, control flow, functions) checked against TensorFlow's own
reading of the same files and against the fixtures' sidecars, and the rich view."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from trtlint.cli import app

ROOT = Path(__file__).resolve().parents[1]
GRAPHS = ROOT / "fixtures" / "graphs"
SAVED = ROOT / "fixtures" / "saved_models"
runner = CliRunner()


def inspect_json(path: Path, *extra: str) -> dict:
    result = runner.invoke(app, ["inspect", str(path), "--format", "json", *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def sidecar(path: Path) -> dict:
    return json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ["conv_bn_unfused", "tf1_while_tensorarray",
                                  "uint8_unknown_dims", "gtt_quantized_conv"])
def test_frozen_graph_facts_match_the_sidecar(name):
    path = GRAPHS / f"{name}.pb"
    info, report = sidecar(path), inspect_json(path)
    assert report["schema"] == "trtlint.inspect/1"
    assert report["model"]["format"] == "frozen_graph"
    assert report["model"]["nodes"] == info["node_count"]
    assert report["model"]["op_types"] == info["op_histogram"]
    assert sum(report["model"]["op_types"].values()) == report["model"]["nodes"]
    assert [(i["name"], i["dtype"], i["shape"]) for i in report["inputs"]] == \
        [(i["name"], i["dtype"], i["shape"]) for i in info["inputs"]]
    assert sorted(o["name"] for o in report["outputs"]) == sorted(info["outputs"])


@pytest.mark.tensorflow
@pytest.mark.parametrize("name", ["conv_bn_unfused", "gtt_quantized_conv", "fakequant"])
def test_parameters_and_producer_agree_with_tensorflow(name):
    tf = pytest.importorskip("tensorflow")
    path = GRAPHS / f"{name}.pb"
    gd = tf.compat.v1.GraphDef.FromString(path.read_bytes())
    expected: dict[str, list[int]] = {}
    for node in gd.node:
        if node.op != "Const":
            continue
        value = tf.make_ndarray(node.attr["value"].tensor)
        if value.size > 1:                 # scalars are not parameters
            entry = expected.setdefault(tf.as_dtype(value.dtype).name, [0, 0])
            entry[0] += int(value.size)
            entry[1] += int(value.nbytes)
    report = inspect_json(path)
    assert report["model"]["producer"] == gd.versions.producer
    by_dtype = {k: [v["count"], v["bytes"]] for k, v in report["parameters"]["by_dtype"].items()}
    assert by_dtype == expected
    assert report["parameters"]["count"] == sum(v[0] for v in expected.values())


def test_tf1_loop_reports_v1_control_flow_and_tensor_arrays():
    cf = inspect_json(GRAPHS / "tf1_while_tensorarray.pb")["control_flow"]
    assert cf["v1"]["LoopCond"] == 1 and cf["v1"]["Enter"] == 10
    assert cf["tensor_arrays"]["TensorArrayV3"] == 2
    assert cf["functional"] == {} and cf["lowered"] == []


def test_saved_model_while_is_reported_as_lowered():
    report = inspect_json(SAVED / "tf2_module_while")
    info = sidecar(SAVED / "tf2_module_while")
    assert report["model"]["format"] == "saved_model"
    assert sorted(i.get("key") or i["name"] for i in report["inputs"]) == \
        sorted(i["name"] for i in info["inputs"])
    cf = report["control_flow"]
    [lowered] = cf["lowered"]
    assert lowered["name"] == "StatefulPartitionedCall/while" and lowered["op"] == "While"
    assert len(lowered["functions"]) == 2
    # the lowered loop is what the graph (and TF-TRT) holds: one LoopCond, no While node
    assert cf["v1"]["LoopCond"] == 1 and "While" not in cf["functional"]
    # its cond and body stay listed in the library
    assert set(lowered["functions"]) <= {f["name"] for f in report["functions"]}


def test_rich_view_names_inputs_and_control_flow():
    result = runner.invoke(app, ["inspect", str(SAVED / "tf2_module_while")])
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "Control flow" in text and "lowered to v1 on loading" in text
    assert "While×1" in text


def test_missing_model_is_one_line_and_exit_2(tmp_path):
    result = runner.invoke(app, ["inspect", str(tmp_path / "nope.pb")])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
