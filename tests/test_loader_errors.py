"""Bad input through the real command line: one line on stderr, exit 2, nothing else.

Users point trtlint at whatever they have.  For every kind of wrong file --
a missing path, an empty file, a truncated or corrupt protobuf, an ONNX model, a Keras
HDF5 or ``.keras`` file, a checkpoint's ``.index`` or ``.data-*`` file, a TFLite model,
a directory without ``saved_model.pb``, a ``.pbtxt`` with a syntax error, a
``saved_model.pb`` that is cut short -- ``trtlint inspect`` and ``trtlint analyze`` must:

* exit with code 2,
* print exactly one line on stderr that names the file and says what is wrong,
* print no traceback and nothing on stdout,
* create nothing next to the model (the directory listing is the same before and after).

The bad files are made here from real ones: real graphs cut or damaged, a Keras model
saved by Keras, a checkpoint written by TensorFlow, a TFLite model from the TFLite
converter, an ONNX ModelProto encoded field by field from onnx.proto.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

REPO = Path(__file__).resolve().parents[1]
GRAPHS = REPO / "fixtures" / "graphs"
SAVED = REPO / "fixtures" / "saved_models"
TRTLINT = [sys.executable, "-m", "trtlint"]
COMMANDS = ("inspect", "analyze")


# -- making the bad inputs -------------------------------------------------------------------
def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _field(number: int, payload, wire: int = 2) -> bytes:
    key = _varint(number << 3 | wire)
    if wire == 0:
        return key + _varint(payload)
    data = payload.encode() if isinstance(payload, str) else payload
    return key + _varint(len(data)) + data


def onnx_model_bytes() -> bytes:
    """A valid ONNX ModelProto (onnx.proto field numbers): y = Relu(x), opset 13."""
    node = _field(1, "x") + _field(2, "y") + _field(3, "relu") + _field(4, "Relu")
    value_x, value_y = _field(1, "x"), _field(1, "y")
    graph = _field(1, node) + _field(2, "g") + _field(11, value_x) + _field(12, value_y)
    opset = _field(1, "") + _field(2, 13, wire=0)
    return (_field(1, 8, wire=0) + _field(2, "trtlint-test") + _field(7, graph)
            + _field(8, opset))


def _keras_model():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras

    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, name="dense")])


def make_missing(d: Path) -> Path:
    return d / "no_such_model.pb"


def make_empty(d: Path) -> Path:
    p = d / "empty.pb"
    p.write_bytes(b"")
    return p


def make_truncated(d: Path) -> Path:
    data = (GRAPHS / "conv_bn_fused.pb").read_bytes()
    p = d / "truncated.pb"
    p.write_bytes(data[: len(data) * 2 // 3])
    return p


def make_corrupt(d: Path) -> Path:
    # a real graph whose first NodeDef claims to be 4 GiB long (its length prefix
    # overwritten): the structure is broken, as a bad copy or a text-mode transfer breaks it
    data = bytearray((GRAPHS / "seg_many_engines.pb").read_bytes())
    assert data[0] == 0x0A  # field 1 (node), length-delimited
    data[1:6] = b"\xff\xff\xff\xff\x0f"
    p = d / "corrupt.pb"
    p.write_bytes(bytes(data))
    return p


def make_text_not_a_graph(d: Path) -> Path:
    p = d / "notes.pb"
    p.write_text("These are my notes about the model, not the model.\n")
    return p


def make_onnx(d: Path) -> Path:
    p = d / "model.onnx"
    p.write_bytes(onnx_model_bytes())
    return p


def make_onnx_named_pb(d: Path) -> Path:
    p = d / "exported.pb"
    p.write_bytes(onnx_model_bytes())
    return p


def make_hdf5(d: Path) -> Path:
    p = d / "model.h5"
    _keras_model().save(p)
    return p


def make_keras_v3(d: Path) -> Path:
    p = d / "model.keras"
    _keras_model().save(p)
    return p


def _checkpoint(d: Path) -> Path:
    import tensorflow as tf

    ckpt = tf.train.Checkpoint(v=tf.Variable([1.0, 2.0]))
    return Path(ckpt.write(str(d / "ckpt" / "model")))


def make_checkpoint_index(d: Path) -> Path:
    prefix = _checkpoint(d)
    return prefix.with_name(prefix.name + ".index")


def make_checkpoint_data(d: Path) -> Path:
    prefix = _checkpoint(d)
    return next(prefix.parent.glob(prefix.name + ".data-*"))


def make_tflite(d: Path) -> Path:
    import tensorflow as tf

    @tf.function(input_signature=[tf.TensorSpec([1, 4], tf.float32)])
    def f(x):
        return tf.nn.relu(x) * 2.0

    converter = tf.lite.TFLiteConverter.from_concrete_functions([f.get_concrete_function()], f)
    p = d / "model.tflite"
    p.write_bytes(converter.convert())
    return p


def make_dir_without_saved_model(d: Path) -> Path:
    # a SavedModel folder whose saved_model.pb went missing: variables only
    m = d / "exported_model"
    shutil.copytree(SAVED / "keras_conv_classifier", m)
    (m / "saved_model.pb").unlink()
    return m


def make_pbtxt_syntax_error(d: Path) -> Path:
    p = d / "graph.pbtxt"
    p.write_text('node {\n  name: "x"\n  op: "Placeholder"\n  attr { key: "dtype" value '
                 '{ type: DT_FLOAT } }\n}\nnode {\n  name: "y"\n  op: "Relu"\n  input: "x"\n'
                 '  attr { key "T" value { type: DT_FLOAT } \n')
    return p


def make_truncated_saved_model(d: Path) -> Path:
    m = d / "sm"
    shutil.copytree(SAVED / "keras_conv_classifier", m)
    pb = m / "saved_model.pb"
    pb.write_bytes(pb.read_bytes()[:5000])
    return m


@dataclass(frozen=True)
class BadInput:
    kind: str
    make: Callable[[Path], Path]
    says: str          # regex the message must match (what is wrong)
    needs_tf: bool = False


BAD_INPUTS = [
    BadInput("missing", make_missing, r"no such file"),
    BadInput("empty", make_empty, r"empty"),
    BadInput("truncated", make_truncated, r"truncated or corrupt"),
    BadInput("corrupt", make_corrupt, r"corrupt|invalid|truncated"),
    BadInput("text_not_a_graph", make_text_not_a_graph, r"not a valid TensorFlow GraphDef|"
             r"corrupt|not a text GraphDef|empty GraphDef|syntax error"),
    BadInput("onnx", make_onnx, r"ONNX"),
    BadInput("onnx_named_pb", make_onnx_named_pb, r"ONNX"),
    BadInput("hdf5", make_hdf5, r"HDF5", needs_tf=True),
    BadInput("keras_v3", make_keras_v3, r"Keras", needs_tf=True),
    BadInput("checkpoint_index", make_checkpoint_index, r"checkpoint", needs_tf=True),
    BadInput("checkpoint_data", make_checkpoint_data, r"checkpoint", needs_tf=True),
    BadInput("tflite", make_tflite, r"TensorFlow Lite", needs_tf=True),
    BadInput("dir_without_saved_model", make_dir_without_saved_model,
             r"no saved_model\.pb|no models? found|not a SavedModel"),
    BadInput("pbtxt_syntax_error", make_pbtxt_syntax_error, r"syntax error"),
    BadInput("truncated_saved_model", make_truncated_saved_model, r"truncated or corrupt"),
]


def listing(root: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder under ``root`` with size and mtime (ns)."""
    out = {}
    for p in sorted(root.rglob("*")):
        st = p.stat()
        out[str(p.relative_to(root))] = (st.st_size if p.is_file() else -1, st.st_mtime_ns)
    return out


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, NO_COLOR="1", TRTLINT_DEBUG="", COLUMNS="120")
    env.pop("TRTLINT_DEBUG")
    return subprocess.run(TRTLINT + list(args), capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=300)


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory):
    """kind -> (path given to the CLI, the folder to watch): one folder per kind."""
    import importlib.util

    have_tf = importlib.util.find_spec("tensorflow") is not None
    made = {}
    for bad in BAD_INPUTS:
        if bad.needs_tf and not have_tf:
            continue
        folder = tmp_path_factory.mktemp(bad.kind)
        made[bad.kind] = (bad.make(folder), folder)
    return made


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("bad", BAD_INPUTS, ids=[b.kind for b in BAD_INPUTS])
def test_bad_input_gives_one_line_and_exit_2(bad, command, bad_files, tmp_path):
    if bad.kind not in bad_files:
        pytest.skip("making this kind of file needs TensorFlow")
    path, folder = bad_files[bad.kind]
    before = listing(folder)
    proc = run_cli(command, str(path), cwd=tmp_path)
    after = listing(folder)
    lines = proc.stderr.splitlines()
    assert proc.returncode == 2, (proc.returncode, proc.stderr, proc.stdout[:500])
    assert len(lines) == 1, proc.stderr
    line = lines[0]
    assert line.startswith("trtlint: error: "), line
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "internal error" not in line, line
    assert proc.stdout == ""
    # names the file (or the folder, or the saved_model.pb inside it) ...
    assert str(path) in line or str(path.resolve()) in line, line
    # ... and says what is wrong with it
    assert re.search(bad.says, line, re.IGNORECASE), line
    assert before == after, "trtlint wrote next to the model"
    assert list(tmp_path.iterdir()) == [], "trtlint wrote into the working directory"


def test_the_onnx_bytes_are_a_real_onnx_model():
    # The hand-encoded ModelProto must be what onnx.proto says; read it back with our own
    # probe (and with onnx itself where it is installed).
    from trtlint.load.schema import OnnxModelProbe

    probe = OnnxModelProbe()
    probe.ParseFromString(onnx_model_bytes())
    assert probe.ir_version == 8 and probe.producer_name == "trtlint-test" and probe.graph
    try:
        import onnx
    except ImportError:
        return
    model = onnx.load_from_string(onnx_model_bytes())
    onnx.checker.check_model(model)
    assert model.graph.node[0].op_type == "Relu"


def test_a_good_model_in_the_same_setup_exits_0(tmp_path):
    # The harness itself must be able to see success: a real graph passes.
    folder = tmp_path / "good"
    folder.mkdir()
    shutil.copy(GRAPHS / "seg_shared_const.pb", folder / "model.pb")
    work = tmp_path / "cwd"
    work.mkdir()
    before = listing(folder)
    proc = run_cli("inspect", str(folder / "model.pb"), cwd=work)
    assert proc.returncode == 0 and proc.stderr == "" and "Placeholder" in proc.stdout
    assert listing(folder) == before


def test_several_models_one_bad_reports_it_and_analyses_the_rest(bad_files, tmp_path):
    # analyze with a good and a corrupt model: the corrupt one is named on stderr, the good
    # one is still analysed, and the exit code says there was an input error.
    path, _ = bad_files["truncated"]
    proc = run_cli("analyze", str(GRAPHS / "seg_shared_const.pb"), str(path), "--format", "json",
                   cwd=tmp_path)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    bad_lines = [ln for ln in proc.stderr.splitlines() if str(path) in ln]
    assert len(bad_lines) == 1 and "truncated or corrupt" in bad_lines[0]
    assert "seg_shared_const" in proc.stdout
