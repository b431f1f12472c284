"""Recognising what kind of file the user gave us, by content first.

Users hand trtlint whatever they have: a frozen ``.pb``, a text ``.pbtxt``, a
SavedModel folder, and by mistake an ONNX model, a Keras ``.h5``, a checkpoint or
a TFLite file.  The last ones get a clear message instead of a parse error.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError

HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
ZIP_MAGIC = b"PK\x03\x04"
#: protobuf files TensorFlow writes into a SavedModel folder next to saved_model.pb
SAVED_MODEL_SIDE_FILES = ("fingerprint.pb", "keras_metadata.pb")
# A TensorFlow checkpoint .index file is a table whose footer ends with this magic.
TABLE_MAGIC = bytes.fromhex("57fb808b247547db")


def looks_like_text_graph(head: bytes) -> bool:
    """Does this start like a text-format GraphDef (``node {``, ``versions {``...)?"""
    # A 4 KiB head may cut a multi-byte character; ignore only such a tail.
    text = head.decode("utf-8", "ignore")
    if "\x00" in text or text.encode("utf-8", "ignore") != head[: len(text.encode("utf-8"))]:
        return False
    for line in text.splitlines():
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        return s.startswith(("node {", "node{", "versions {", "versions{", "library {",
                             "library{", "node:", "versions:"))
    return False


def sniff_file(path: Path) -> str:
    """Classify a file: "binary_graph", "text_graph", "saved_model_pb", or raise
    InputError naming what it is instead."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(4096)
            if size > 16:
                fh.seek(-8, 2)
                tail = fh.read(8)
            else:
                tail = b""
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", path) from None
    if size == 0:
        raise InputError("the file is empty", path)
    name = path.name.lower()
    if head.startswith(HDF5_MAGIC):
        raise InputError("this is an HDF5 file (Keras .h5 model?), not a TensorFlow graph; "
                         "save the model as a SavedModel (model.save('dir')) or freeze it to "
                         "a .pb first", path)
    if head.startswith(ZIP_MAGIC) and name.endswith(".keras"):
        raise InputError("this is a Keras v3 .keras archive, not a TensorFlow graph; export "
                         "a SavedModel with model.export('dir') first", path)
    if head[4:8] == b"TFL3":
        raise InputError("this is a TensorFlow Lite flatbuffer (.tflite); TF-TRT converts "
                         "TensorFlow graphs, not TFLite models", path)
    if tail == TABLE_MAGIC or ".data-" in name and name.split(".data-")[-1][:5].isdigit():
        raise InputError("this is a TensorFlow checkpoint file (variables only, no graph); "
                         "give the frozen graph (.pb) or the SavedModel directory", path)
    if name in SAVED_MODEL_SIDE_FILES:
        graph = path.parent / "saved_model.pb"
        if graph.exists():
            raise InputError(f"this is a SavedModel's {name}, not its graph; give the "
                             f"SavedModel folder {path.parent} instead", path)
        raise InputError(f"this is a SavedModel's {name}, not a graph, and the folder has no "
                         f"saved_model.pb: the SavedModel is incomplete", path)
    if name.endswith((".pbtxt", ".pbtext", ".txt")) or looks_like_text_graph(head):
        return "text_graph"
    if name == "saved_model.pb":
        return "saved_model_pb"
    if name.endswith(".onnx") or _looks_like_onnx(path, size):
        raise InputError("this is an ONNX model, not a TensorFlow graph; TF-TRT needs the "
                         "original TensorFlow model (use TensorRT's ONNX parser or trtexec "
                         "for ONNX)", path)
    return "binary_graph"


def _looks_like_onnx(path: Path, size: int) -> bool:
    """ONNX ModelProto starts with ir_version (field 1, varint: byte 0x08); a GraphDef
    never has a field 1 varint (its field 1 is the repeated NodeDef)."""
    with path.open("rb") as fh:
        first = fh.read(1)
    if first != b"\x08":
        return False
    from .schema import OnnxModelProbe

    probe = OnnxModelProbe()
    try:
        probe.ParseFromString(path.read_bytes() if size < (64 << 20) else b"")
    except Exception:  # noqa: BLE001 - any parse failure just means "not ONNX"
        return False
    return bool(probe.graph) and probe.ir_version > 0
