"""Regenerate trtlint/graph/opdefs.json.gz from TensorFlow's op registry.

The file records public interface facts of every registered TensorFlow op: its input
and output arguments (how many tensors each produces and where their dtypes come
from), its attribute defaults and whether it is stateful.  trtlint needs these to
count an op's outputs, resolve ``node:arg:index`` references inside functions and
fill in defaults that SavedModels strip.  Run with TensorFlow installed:

    python tools/gen_opdefs.py            # writes trtlint/graph/opdefs.json.gz
"""

import gzip
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tensorflow as tf  # noqa: E402
from tensorflow.core.framework import op_def_pb2  # noqa: E402
from tensorflow.python.client import pywrap_tf_session  # noqa: E402
from tensorflow.python.util import compat  # noqa: E402

DT = {v: k for k, v in {"float32": 1, "float64": 2, "int32": 3, "uint8": 4, "int16": 5, "int8": 6,
      "string": 7, "complex64": 8, "int64": 9, "bool": 10, "qint8": 11, "quint8": 12, "qint32": 13,
      "bfloat16": 14, "qint16": 15, "quint16": 16, "uint16": 17, "complex128": 18, "float16": 19,
      "resource": 20, "variant": 21, "uint32": 22, "uint64": 23}.items()}


def attr_default(av):
    kind = av.WhichOneof("value")
    if kind is None:
        return None
    if kind == "s":
        return av.s.decode("utf-8", "replace")
    if kind in ("i", "f", "b"):
        return getattr(av, kind)
    if kind == "type":
        return DT.get(av.type, f"dtype_{av.type}")
    if kind == "shape":
        return None if av.shape.unknown_rank else [d.size for d in av.shape.dim]
    if kind == "list":
        lst = av.list
        for f in ("s", "i", "f", "b"):
            vals = list(getattr(lst, f))
            if vals:
                return [v.decode() if isinstance(v, bytes) else v for v in vals]
        if lst.type:
            return [DT.get(t, f"dtype_{t}") for t in lst.type]
        if lst.shape:
            return [None if s.unknown_rank else [d.size for d in s.dim] for s in lst.shape]
        return []
    return None


def arg(a):
    out = {"name": a.name}
    if a.type:
        out["type"] = DT.get(a.type, f"dtype_{a.type}")
    for f in ("type_attr", "number_attr", "type_list_attr"):
        if getattr(a, f):
            out[f] = getattr(a, f)
    if a.is_ref:
        out["is_ref"] = True
    return out


def main(path):
    ops = {}
    op_list = op_def_pb2.OpList()
    buf = pywrap_tf_session.TF_GetAllOpList()
    op_list.ParseFromString(compat.as_bytes(pywrap_tf_session.TF_GetBuffer(buf)))
    for op in sorted(op_list.op, key=lambda o: o.name):
        name = op.name
        entry = {"in": [arg(a) for a in op.input_arg], "out": [arg(a) for a in op.output_arg]}
        defaults = {a.name: attr_default(a.default_value) for a in op.attr if a.HasField("default_value")}
        if defaults:
            entry["defaults"] = defaults
        entry["attrs"] = {a.name: a.type for a in op.attr}
        if op.is_stateful:
            entry["stateful"] = True
        ops[name] = entry
    data = {"tensorflow": tf.__version__, "ops": ops}
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        json.dump(data, fh, separators=(",", ":"), sort_keys=True)
    print(f"{len(ops)} ops from TensorFlow {tf.__version__} -> {path}")


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "trtlint", "graph", "opdefs.json.gz"))
