"""The TF-TRT oracle as a test instrument (tools/tftrt-oracle, tests/oracle.py) and the TensorFlow
grappler reference behind `--grappler tf` (trtlint/grappler/tf_reference.py).

Three kinds of tests:
- no marker: the log parser on recorded real oracle logs (fixtures/logs), the setup script's
  argument checks; they need neither TensorFlow nor the oracle environment;
- `oracle`: run the real TF 2.17 TF-TRT pass (skipped without the environment, failing instead
  when TRTLINT_REQUIRE_ORACLE=1);
- `tensorflow`: run TensorFlow's grappler in the test environment.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import oracle
from oracle import OracleError, OracleUnavailable, run_oracle, run_oracle_cli, run_oracle_many
from shared_data import CORPUS_MODELS

REPO = oracle.REPO_ROOT
CORPUS = CORPUS_MODELS
MOBILENET = CORPUS / "028_mobilenet_v1_025_128_frozen.pb"       # Apache-2.0, 1 engine of 169 nodes
FACE_DETECTOR = CORPUS / "011_opencv_face_detector_uint8.pb"    # MIT, 12 engines, shared consts
GRAPH_NET = CORPUS / "009_cms_deepsc_graphnet.pb"               # 20 engines (the cap)
HALF_PLUS_TWO = CORPUS / "004_tfserving_half_plus_two_tf2"      # TF2 SavedModel
REGRESSION = CORPUS / "001_tf2onnx_regression_tiny.pb"          # input of unknown rank
STATELESS_CASE = CORPUS / "034_tf_mlir_stateless_case.pbtxt"    # text GraphDef
CUSTOM_OPS = CORPUS / "023_deepmd_custom_ops_fp64.pb"           # ops stock TF does not have
COUNTER = CORPUS / "005_tfserving_counter_stateful"             # TF1 SavedModel, ref variables
TAXI = CORPUS / "027_tfx_taxi_estimator_savedmodel"              # TF1-style Estimator export
FIXTURE_LOGS = REPO / "fixtures" / "logs"
SETUP = REPO / "tools" / "tftrt-oracle" / "setup.sh"

needs_corpus = pytest.mark.skipif(not MOBILENET.exists(), reason=f"shared corpus not found at {CORPUS}")


@pytest.fixture(scope="session")
def conv_graph(tmp_path_factory) -> Path:
    """A small NHWC conv net as a frozen GraphDef: input -> Conv2D -> BiasAdd -> Relu -> MaxPool -> Mean."""
    tf = pytest.importorskip("tensorflow")
    import numpy as np

    graph = tf.Graph()
    with graph.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None, 32, 32, 3], name="input")
        weights = tf.constant(np.random.RandomState(0).randn(3, 3, 3, 8).astype("float32"), name="w")
        y = tf.nn.conv2d(x, weights, strides=1, padding="SAME", name="conv")
        y = tf.nn.bias_add(y, tf.constant(np.ones(8, "float32"), name="b"), name="bias")
        y = tf.nn.relu(y, name="relu")
        y = tf.nn.max_pool2d(y, 2, 2, "VALID", name="pool")
        y = tf.reduce_mean(y, axis=[1, 2], name="mean")
        tf.identity(y, name="output")
    path = tmp_path_factory.mktemp("graphs") / "conv_nhwc.pb"
    path.write_bytes(graph.as_graph_def().SerializeToString())
    return path


def _graph_def(data: bytes):
    from tensorflow.core.framework import graph_pb2

    graph_def = graph_pb2.GraphDef()
    graph_def.ParseFromString(data)
    return graph_def


def _node_bytes(graph_def) -> dict:
    # Deterministic bytes per node: protobuf maps serialize in arbitrary order, and comparing
    # messages would call two NaN constants different.
    return {node.name: node.SerializeToString(deterministic=True) for node in graph_def.node}


def _comparable_segment(segment: dict) -> dict:
    segment = {k: v for k, v in segment.items() if k != "raw_name"}
    # TF-TRT numbers engine ports by edge id, which is not stable from run to run (measured on
    # 009_cms_deepsc_graphnet, FP16: the same two outputs swap ports): compare the sets.
    for key in ("inputs", "outputs"):
        if key in segment:
            segment[key] = sorted(segment[key])
    return segment


def _comparable(result: dict) -> dict:
    """A result without what legitimately differs between two runs: log timestamps, raw engine
    names (the process's graph sequence number), engine port order."""
    result = {k: v for k, v in result.items() if k not in ("log", "id")}
    result["segments"] = [_comparable_segment(s) for s in result["segments"]]
    result["failed_segments"] = [{k: v for k, v in s.items() if k != "raw_name"}
                                 for s in result["failed_segments"]]
    return result


# --- the log parser on recorded real logs (no oracle needed) -------------------------------------

@pytest.mark.parametrize("log_name", ["tf217_face_detector_const_copies", "tf217_gru_unrolled_max_engines",
                                      "tf217_poets_dynamic_shape", "tf217_quantized_mlp_int8_no_engines"])
def test_logparse_recovers_segment_functions_from_recorded_logs(log_name):
    """Members + copied consts from the log alone == the native-segment functions the oracle read."""
    logparse = oracle.load_logparse()
    parsed = logparse.parse_conversion_log((FIXTURE_LOGS / f"{log_name}.log").read_text())
    recorded = json.loads((FIXTURE_LOGS / f"{log_name}.oracle.json").read_text())
    functions = {s["name"]: sorted(s["nodes"]) for s in recorded["segments"]}
    from_log = {s.engine: sorted(set(s.members) | set(s.copied_consts)) for s in parsed.segments}
    assert from_log == functions
    for segment in parsed.segments:
        assert segment.replaced
        assert len(segment.members) == segment.member_count
        assert not set(segment.members) & set(segment.copied_consts)
    # Every node TF-TRT rejected is in the OP report, plus its two bookkeeping nodes _SOURCE/_SINK.
    assert parsed.unconverted["count"] == len(parsed.rejected_nodes) + 2
    assert parsed.candidate_segments >= len(parsed.segments)


def test_logparse_reads_the_detailed_op_report_and_engine_edges():
    logparse = oracle.load_logparse()
    parsed = logparse.parse_conversion_log((FIXTURE_LOGS / "tf217_face_detector_const_copies.log").read_text())
    report = parsed.unconverted
    assert report["count"] == 74 and report["type_count"] == 9 == len(report["types"])
    assert report["types"]["Conv2D"] == 18
    assert report["reasons"]["Reshape"] == {"Reshape on batch dimension is not supported": 13,
                                            "excluded by segmenter option. Most likely an input or output node.": 1}
    assert parsed.rejected_nodes["fc7_mbox_conf/weights_quantized_const"] == {
        "op": "Const", "reason": "Unsupported tensorflow data type quint8"}
    engines = {s.engine: s for s in parsed.segments}
    assert engines["TRTEngineOp_000_001"].copied_consts == ["Pad_1/paddings"]
    assert all(edge.count(":") == 1 for s in parsed.segments for edge in s.inputs + s.outputs)


def test_engine_names_normalise_to_sequence_000():
    logparse = oracle.load_logparse()
    assert logparse.normalize_engine_name("TRTEngineOp_002_013") == "TRTEngineOp_000_013"
    assert logparse.normalize_engine_name("TRTEngineOp_011_000_native_segment") == "TRTEngineOp_000_000_native_segment"
    assert logparse.normalize_engine_name("scope/TRTEngineOp_7_1") == "scope/TRTEngineOp_0_1"


# --- setup.sh argument checks (fast, no network) ----------------------------------------------------

def test_setup_without_a_directory_prints_usage_and_fails():
    done = subprocess.run(["bash", str(SETUP)], capture_output=True, text=True, timeout=30)
    assert done.returncode != 0
    assert "usage: setup.sh DIR" in done.stderr


def test_setup_with_a_missing_interpreter_fails_loudly(tmp_path):
    env = dict(os.environ, TFTRT_ORACLE_PYTHON=str(tmp_path / "no-such-python"))
    done = subprocess.run(["bash", str(SETUP), str(tmp_path / "env")], capture_output=True, text=True,
                          env=env, timeout=30)
    assert done.returncode != 0
    assert "TFTRT_ORACLE_PYTHON" in done.stderr
    assert not (tmp_path / "env" / "READY").exists()


# --- the oracle itself ----------------------------------------------------------------------------------

@needs_corpus
@pytest.mark.oracle
def test_corpus_graph_members_functions_and_report():
    result = run_oracle(MOBILENET)
    assert result["format"] == "frozen_graph" and result["mode"] == "implicit_batch_dynamic_engine"
    assert result["inputs"] == ["input"] and result["outputs"] == ["MobilenetV1/Predictions/Reshape_1"]
    assert result["candidate_segments"] == 1
    [engine] = result["segments"]
    assert engine["name"] == "TRTEngineOp_000_000" and engine["members_complete"]
    assert engine["member_count"] == len(engine["members"]) == 169
    assert engine["inputs"] == ["input:0"] and engine["outputs"] == ["MobilenetV1/Predictions/Softmax:0"]
    # grappler optimizes the segment function too: a Reshape to its input's own shape is gone
    # from the function, but it was a member of the segment.
    assert "MobilenetV1/Predictions/Reshape" in engine["members"]
    assert "MobilenetV1/Predictions/Reshape" not in engine["function_nodes"]
    assert engine["nodes"] == engine["function_nodes"]
    assert result["unconverted"]["count"] == 4
    assert result["unconverted"]["types"] == {"NoOp": 2, "Identity": 1, "Placeholder": 1}
    assert result["rejected_nodes"]["MobilenetV1/Predictions/Reshape_1"]["op"] == "Identity"
    assert any("Replaced segment 0 consisting of 169 nodes by TRTEngineOp_000_000." in r for r in result["log"])


@needs_corpus
@pytest.mark.oracle
def test_consts_copied_into_functions_are_reported_apart_from_members():
    from trtlint.load import load_model

    result, pre_tensorrt = run_oracle_many([(FACE_DETECTOR, {}), (FACE_DETECTOR, {"grappler_only": True})])
    # Segments are made of the graph TF-TRT receives, after grappler: constant folding has turned
    # this Dequantize of a quint8 constant into a Const, which TF-TRT then copies.
    assert load_model(FACE_DETECTOR).graph["layer_512_1_bn1/beta"].op == "Dequantize"
    graph = load_model(pre_tensorrt["graph_after_grappler"]).graph
    assert graph["layer_512_1_bn1/beta"].op == "Const"
    copied_somewhere = set()
    for engine in result["segments"]:
        members, copied = set(engine["members"]), set(engine["copied_consts"])
        assert len(members) == engine["member_count"]
        assert not members & copied
        assert copied <= set(engine["function_nodes"]) <= members | copied
        assert all(graph[name].op == "Const" for name in copied)
        copied_somewhere |= copied
    # 'Pad_1/paddings' feeds two engines and is copied into both, a member of neither.
    holders = [e["name"] for e in result["segments"] if "Pad_1/paddings" in e["copied_consts"]]
    assert holders == ["TRTEngineOp_000_001", "TRTEngineOp_000_003"]
    assert copied_somewhere == {"Pad_1/paddings", "layer_512_1_bn1/beta", "layer_512_1_bn1/gamma"}


@needs_corpus
@pytest.mark.oracle
def test_saved_model_is_converted_like_trt_graph_converter_v2():
    implicit, dynamic = run_oracle_many([(HALF_PLUS_TWO, {}),
                                         (HALF_PLUS_TWO, {"dynamic_shape": True, "minimum_segment_size": 2})])
    assert implicit["format"] == "saved_model"
    assert implicit["inputs"] == ["x"] and implicit["outputs"] == ["Identity"]
    # y = 0.5x + 2 on a [None] input: implicit batch mode has no non-batch dimension to work on.
    assert implicit["segments"] == []
    assert implicit["rejected_nodes"]["StatefulPartitionedCall/Mul"] == {
        "op": "Mul", "reason": "implicit batch mode requires input shape with at least two dimensions"}
    assert implicit["unconverted"]["types"]["AddV2"] == 1
    [engine] = dynamic["segments"]
    assert dynamic["mode"] == "dynamic_shape"
    assert {"StatefulPartitionedCall/Mul", "StatefulPartitionedCall/Add"} <= set(engine["members"])
    assert engine["inputs"] == ["x:0"] and engine["outputs"] == ["StatefulPartitionedCall/Add:0"]


@needs_corpus
@pytest.mark.oracle
def test_tf1_saved_models_fall_back_to_the_tf1_converter_preparation():
    taxi, taxi_v2_only, counter = run_oracle_many([
        (TAXI, {}), (TAXI, {"saved_model_converter": "v2"}), (COUNTER, {"signature": "get_counter"})])
    # convert_variables_to_constants_v2 cannot freeze the Estimator's signature; TF1's
    # TrtGraphConverter (session + convert_variables_to_constants) can.
    assert taxi_v2_only["error_kind"] == "input" and "freezing signature 'serving_default' failed" in taxi_v2_only["error"]
    assert taxi["converter"] == "TrtGraphConverter" and "TrtGraphConverterV2's preparation failed" in taxi["notes"][0]
    assert taxi["tensorrt_pass_ran"] and taxi["candidate_segments"] == len(taxi["segments"]) > 0
    # Frozen, the counter's get_counter signature is a single node: grappler does not optimize
    # graphs that small, so TF-TRT never sees it.
    assert counter["converter"] == "TrtGraphConverter" and counter["outputs"] == ["counter"]
    assert counter["tensorrt_pass_ran"] is False and counter["unconverted"] is None
    assert "min_graph_nodes" in counter["notes"][-1]


@needs_corpus
@pytest.mark.oracle
def test_flags_reach_tf_trt():
    plain, static, shaped, text_graph = run_oracle_many([
        (REGRESSION, {}),
        (REGRESSION, {"max_batch_size": 8, "minimum_segment_size": 2, "input_shapes": {"X": [8, 1]}}),
        (REGRESSION, {"minimum_segment_size": 2, "input_shapes": {"X": [8, 1]}}),
        (STATELESS_CASE, {}),
    ])
    # The input has unknown rank: nothing converts until --input-shape gives it one.
    assert plain["segments"] == [] and plain["candidate_segments"] == 0
    assert [s["member_count"] for s in shaped["segments"]] == [4]
    # Static engines cannot be built with the stub TensorRT: same segments, run as dynamic engines.
    assert static["max_batch_size_ignored"] and not shaped["max_batch_size_ignored"]
    assert _comparable(static)["segments"] == _comparable(shaped)["segments"]
    assert text_graph["format"] == "pbtxt" and text_graph["outputs"] == ["indexed_case/Identity"]


@pytest.mark.oracle
def test_layout_gpu_puts_the_layout_optimizer_transposes_into_the_engine(conv_graph):
    cpu, gpu, ampere = run_oracle_many([(conv_graph, {}), (conv_graph, {"layout_gpu": True}),
                                        (conv_graph, {"layout_gpu": True, "gpu_compute_capability": "8.0"})])
    [cpu_engine], [gpu_engine], [ampere_engine] = cpu["segments"], gpu["segments"], ampere["segments"]
    assert cpu_engine["members"] == ["b", "bias", "conv", "mean", "mean/reduction_indices", "pool", "relu", "w"]
    # On a GPU the input is transposed to NCHW inside the engine, and the Mean's NHWC axes are
    # remapped by a DataFormatDimMap that constant folding turns into a new Const.
    assert gpu_engine["members"] == ["b", "bias", "conv", "conv-0-PermConstNHWCToNCHW-LayoutOptimizer",
                                     "conv-0-TransposeNHWCToNCHW-LayoutOptimizer", "mean",
                                     "mean-1-DataFormatDimMapNHWCToNCHW-LayoutOptimizer", "pool", "relu", "w"]
    assert gpu_engine["inputs"] == ["input:0"] and gpu_engine["outputs"] == ["mean:0"]
    # On compute capability 8.0+ TF keeps FP32 convolutions in NHWC: no layout change.
    assert ampere_engine["members"] == cpu_engine["members"]


@needs_corpus
@pytest.mark.oracle
@pytest.mark.slow
def test_batch_results_equal_single_runs(conv_graph):
    requests = [(MOBILENET, {}), (GRAPH_NET, {"precision": "FP16"}), (HALF_PLUS_TWO, {"dynamic_shape": True}),
                (FACE_DETECTOR, {"minimum_segment_size": 5}), (conv_graph, {"no_grappler": True})]

    def argv(model, flags):
        args = ["analyze", str(model)]
        for key, value in flags.items():
            args += [f"--{key.replace('_', '-')}"] + ([] if value is True else [str(value)])
        return args

    singles = []
    for model, flags in requests:
        done = run_oracle_cli(argv(model, flags))
        assert done.returncode == 0, done.stderr
        singles.append(json.loads(done.stdout))
    lines = "".join(json.dumps({"id": i, "model": str(m), **f}) + "\n" for i, (m, f) in enumerate(requests))
    done = run_oracle_cli(["batch"], stdin=lines)
    assert done.returncode == 0, done.stderr
    batch = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["id"] for r in batch] == list(range(len(requests)))
    for single, batched in zip(singles, batch):
        assert _comparable(single) == _comparable(batched)
    # Only the normalised names agree: the process numbers the graphs it converts.
    assert batch[1]["segments"][0]["raw_name"] == "TRTEngineOp_001_000"
    assert singles[1]["segments"][0]["raw_name"] == "TRTEngineOp_000_000"


@needs_corpus
@pytest.mark.oracle
def test_cache_is_keyed_on_content_and_serves_without_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("TRTLINT_ORACLE_CACHE", str(tmp_path / "cache"))
    first = run_oracle(MOBILENET, precision="fp16")
    assert len(list((tmp_path / "cache").rglob("*.json"))) == 1
    moved = tmp_path / "renamed.pb"
    shutil.copy(MOBILENET, moved)
    monkeypatch.setenv("TRTLINT_ORACLE_DIR", str(tmp_path / "no-oracle-here"))
    again = run_oracle(moved, precision="FP16")          # same bytes, same flags: a hit
    assert again["model"] == str(moved)
    assert _comparable({**again, "model": None}) == _comparable({**first, "model": None})
    with pytest.raises(OracleUnavailable):
        run_oracle(moved, precision="FP32")              # other flags: a miss, and no oracle to ask


@needs_corpus
@pytest.mark.oracle
def test_errors_are_results_in_batches_and_one_line_exit_2_on_the_cli(tmp_path):
    corrupt = tmp_path / "corrupt.pb"
    corrupt.write_bytes(b"\x0a\xff\xff\xff not a graph")
    missing, custom, bad = run_oracle_many([(tmp_path / "missing.pb", {}), (CUSTOM_OPS, {}), (corrupt, {})])
    assert missing["error_kind"] == "input" and "no such file" in missing["error"]
    assert custom["error_kind"] == "input" and "Op type not registered 'DescrptSeA'" in custom["error"]
    assert bad["error_kind"] == "input" and "not a binary GraphDef" in bad["error"]
    with pytest.raises(OracleError):
        run_oracle(CUSTOM_OPS)
    for args in (["analyze", str(tmp_path / "missing.pb")], ["analyze", str(corrupt)],
                 ["analyze", str(MOBILENET), "--output", "no/such/node"]):
        done = run_oracle_cli(args)
        assert done.returncode == 2
        assert done.stdout == ""
        assert len(done.stderr.splitlines()) == 1 and done.stderr.startswith("oracle: error: ")


# --- TensorFlow's grappler as TF-TRT runs it (--grappler tf) -----------------------------------------

@pytest.mark.tensorflow
def test_tf_grappler_with_a_gpu_transposes_nhwc_convolutions(conv_graph):
    from trtlint.grappler.tf_reference import run_tf_grappler

    data = conv_graph.read_bytes()
    on_gpu = _graph_def(run_tf_grappler(data, ["input", "output"], layout_gpu=True))
    on_cpu = _graph_def(run_tf_grappler(data, ["input", "output"], layout_gpu=False))
    ampere = _graph_def(run_tf_grappler(data, ["input", "output"], gpu_compute_capability="8.0"))

    def conv_format(graph_def):
        return next(n.attr["data_format"].s.decode() for n in graph_def.node if n.op == "Conv2D")

    assert conv_format(on_gpu) == "NCHW"
    assert "Transpose" in {n.op for n in on_gpu.node}
    assert all(n.device == "" for n in on_gpu.node)        # the GPU placement is not left behind
    assert conv_format(on_cpu) == "NHWC" and "Transpose" not in {n.op for n in on_cpu.node}
    assert conv_format(ampere) == "NHWC" and "Transpose" not in {n.op for n in ampere.node}


@pytest.mark.tensorflow
def test_tf_grappler_rejects_bad_input(conv_graph):
    from trtlint.errors import InputError
    from trtlint.grappler.tf_reference import run_tf_grappler

    with pytest.raises(InputError, match="not a serialized GraphDef"):
        run_tf_grappler(b"\x0a\xff\xff\xff", ["output"])
    with pytest.raises(InputError, match="fetch nodes not in the graph: nope"):
        run_tf_grappler(conv_graph.read_bytes(), ["nope"])


def test_tf_reference_imports_tensorflow_only_when_called():
    program = (
        "import sys\n"
        "import trtlint.grappler.tf_reference as ref\n"
        "assert 'tensorflow' not in sys.modules, 'imported tensorflow at module import'\n"
        "sys.modules['tensorflow'] = None   # as if TensorFlow were not installed\n"
        "from trtlint.errors import UsageError\n"
        "try:\n"
        "    ref.run_tf_grappler(b'', ['x'])\n"
        "except UsageError as exc:\n"
        "    print(exc)\n"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60, cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "--grappler tf needs TensorFlow installed: pip install 'trtlint[convert]'"


@needs_corpus
@pytest.mark.oracle
@pytest.mark.tensorflow
@pytest.mark.parametrize("layout_gpu", [False, True], ids=["cpu", "virtual-gpu"])
def test_tf_grappler_matches_the_oracles_pre_tensorrt_graph(conv_graph, layout_gpu):
    """tensorflow-cpu in the test venv and the oracle's TensorFlow 2.17 produce the same graph."""
    from trtlint.grappler.tf_reference import run_tf_grappler

    models = [conv_graph, MOBILENET, FACE_DETECTOR]
    results = run_oracle_many([(m, {"grappler_only": True, "layout_gpu": layout_gpu}) for m in models])
    for model, result in zip(models, results):
        expected = _graph_def(Path(result["graph_after_grappler"]).read_bytes())
        ours = _graph_def(run_tf_grappler(model.read_bytes(), result["inputs"] + result["outputs"],
                                          layout_gpu=layout_gpu))
        assert _node_bytes(ours) == _node_bytes(expected), model.name
        assert result["nodes"] == len(ours.node)
