"""The conversion child: runs TF-TRT for ``trtlint convert`` inside its own process.

This file is a standalone script, run as ``PYTHON child.py REQUEST.json`` by
:mod:`trtlint.convert.runner`. It is the only place where trtlint imports TensorFlow,
and it does so in a process of its own, for three reasons:

- TF-TRT's logging switches and ``LD_LIBRARY_PATH`` only take effect when a process
  starts (see :mod:`trtlint.convert.environment`);
- a conversion can kill its process: TF-TRT aborts on failed CHECKs (the seed's
  "Check failed: t.TotalBytes() == device_tensor->TotalBytes()"), and the stub or a
  broken TensorRT can segfault. trtlint must survive that and report it;
- the interpreter that has TensorFlow (``--python``) need not have trtlint installed.

So the script uses the standard library, TensorFlow and numpy only, and Python 3.6
syntax (TF 1.x interpreters are that old).

Protocol with the runner:
- fd 2 (stderr) is the file ``OUTDIR/conversion.log``, opened by the runner: TensorFlow's
  C++ log lines go there directly, and whatever was written survives a crash;
- fd 1 (stdout) carries events, one line each, ``@@trtlint {json}``: the stage being
  entered, then a final ``done``. Anything else printing to stdout is moved to the log;
- the result is written to ``OUTDIR/conversion.json`` (schema below) before exiting:
  exit code 0 when the conversion succeeded, 1 when it raised.

Which TF-TRT API converts:
- ``v2`` (TF 2.x default): ``TrtGraphConverterV2``. A SavedModel goes through
  ``converter.convert()`` when a GPU is visible. A frozen GraphDef is handled as a
  function of the GraphDef: imported as it is (node names unchanged, fetch nodes listed
  in the ``train_op`` collection as TF-TRT's converters do), converted by the
  converter's own grappler pass (``_run_conversion``: TF-TRT's rewriter configuration)
  and wrapped back into a function for saving. Without a GPU (``--allow-no-gpu``, the
  CPU oracle), ``convert()`` refuses to run ("Specified device is not a GPU"), so the
  SavedModel path performs convert()'s steps itself, minus that device check. Engines
  are dynamic either way: nothing is built before the first inference.
- ``v1``: ``TrtGraphConverter`` (TF 1.14+, also present in TF 2.x) or the contrib
  ``create_inference_graph`` (TF 1.13 and older). Used where only TF 1.x exists, and
  for ``--max-batch-size``: static engines (``is_dynamic_op=False``) are built during
  the conversion, which TrtGraphConverterV2 cannot do.

Tests extend the child by importing this module and appending to ``STAGE_HOOKS``
(callables receiving the stage name as it is entered); the command line never does.
"""

import json
import os
import sys
import tempfile
import time
import traceback

RESULT_SCHEMA = "trtlint.convert-child/1"
EVENT_PREFIX = "@@trtlint "
#: called with each stage name as the child enters it (tests inject faults here)
STAGE_HOOKS = []


class ConversionError(Exception):
    """A problem the child can explain (as opposed to a TensorFlow exception)."""


class Events(object):
    """The event channel to the runner: the real stdout, kept apart from TensorFlow's."""

    def __init__(self):
        sys.stdout.flush()
        self._out = os.fdopen(os.dup(1), "w")
        os.dup2(2, 1)            # later prints (ours or TensorFlow's) land in the log
        self.started = time.time()
        self.stages = []

    def emit(self, event):
        self._out.write(EVENT_PREFIX + json.dumps(event) + "\n")
        self._out.flush()

    def info(self, **facts):
        """Facts the runner should know even if the process dies right after."""
        event = {"event": "info"}
        event.update(facts)
        self.emit(event)

    def stage(self, name, detail=None):
        now = time.time()
        if self.stages:
            self.stages[-1]["seconds"] = round(now - self.stages[-1]["_start"], 3)
        self.stages.append({"stage": name, "_start": now})
        event = {"event": "stage", "stage": name}
        if detail:
            event["detail"] = detail
        self.emit(event)
        # A line in the log too: the log then says which step a crash interrupted.
        sys.stderr.write("trtlint-convert: stage %s%s\n" % (name, ": " + detail if detail else ""))
        sys.stderr.flush()
        for hook in STAGE_HOOKS:
            hook(name)

    def finished_stages(self):
        now = time.time()
        out = []
        for item in self.stages:
            seconds = item.get("seconds", round(now - item["_start"], 3))
            out.append({"stage": item["stage"], "seconds": seconds})
        return out


# -- model input ---------------------------------------------------------------------------

def read_graph_def(path, fmt):
    from google.protobuf import text_format
    import tensorflow as tf

    graph_def = tf.compat.v1.GraphDef()
    if fmt == "pbtxt":
        with open(path, "r") as handle:
            text_format.Parse(handle.read(), graph_def)
    else:
        with open(path, "rb") as handle:
            graph_def.ParseFromString(handle.read())
    return graph_def


def apply_input_shapes(graph_def, shapes):
    """--input-shape on a GraphDef: set the Placeholders' shape attribute."""
    from tensorflow.core.framework import tensor_shape_pb2

    by_name = dict((node.name, node) for node in graph_def.node)
    for name, dims in (shapes or {}).items():
        node = by_name.get(name)
        if node is None or node.op not in ("Placeholder", "PlaceholderWithDefault"):
            raise ConversionError("--input-shape names %r, which is not a placeholder of the "
                                  "graph" % name)
        proto = tensor_shape_pb2.TensorShapeProto(
            dim=[tensor_shape_pb2.TensorShapeProto.Dim(size=d) for d in dims])
        node.attr["shape"].shape.CopyFrom(proto)
        if "_output_shapes" in node.attr:
            del node.attr["_output_shapes"].list.shape[:]
            node.attr["_output_shapes"].list.shape.add().CopyFrom(proto)


def tensor_names(graph, node_names):
    """Every output tensor of the named nodes ("node:0", "node:1", ...)."""
    out = []
    for name in node_names:
        op = graph.get_operation_by_name(name.split(":")[0])
        if ":" in name:
            out.append(name)
        else:
            out.extend(t.name for t in op.outputs)
    return out


def list_gpus(tf):
    config = getattr(tf, "config", None)
    for lister in (getattr(config, "list_physical_devices", None),
                   getattr(getattr(config, "experimental", None), "list_physical_devices", None)):
        if lister is not None:
            return [d.name for d in lister("GPU")]
    from tensorflow.python.client import device_lib

    return [d.name for d in device_lib.list_local_devices() if d.device_type == "GPU"]


# -- calibration and benchmark data -----------------------------------------------------------

def load_batches(directory, input_names):
    """The batches of a --calibration-data directory, in file-name order.

    ``*.npz``: one batch per file, arrays keyed by input name; ``*.npy``: one batch per
    file for a model with a single input. Each batch is a dict input name -> array."""
    import numpy as np

    files = sorted(os.listdir(directory))
    batches = []
    for name in files:
        path = os.path.join(directory, name)
        if name.endswith(".npz"):
            with np.load(path) as archive:
                batch = dict((k, archive[k]) for k in archive.files)
            unknown = sorted(set(batch) - set(input_names))
            missing = sorted(set(input_names) - set(batch))
            if unknown or missing:
                raise ConversionError(
                    "%s: arrays must be named after the model's inputs %s (missing: %s; "
                    "unknown: %s)" % (path, ", ".join(input_names), ", ".join(missing) or "-",
                                       ", ".join(unknown) or "-"))
            batches.append(batch)
        elif name.endswith(".npy"):
            if len(input_names) != 1:
                raise ConversionError("%s: .npy files fit single-input models; this one has "
                                      "%d inputs (use .npz files keyed by input name)"
                                      % (path, len(input_names)))
            batches.append({input_names[0]: np.load(path)})
    if not batches:
        raise ConversionError("%s: no .npz or .npy files" % directory)
    return batches


def random_batch(specs, seed=0):
    """Deterministic random inputs for specs [(name, dtype name, shape)]; shapes fully known."""
    import numpy as np

    rng = np.random.RandomState(seed)
    batch = {}
    for name, dtype, shape in specs:
        if dtype in ("float16", "float32", "float64", "bfloat16"):
            value = rng.uniform(0.0, 1.0, size=shape).astype("float32" if dtype == "bfloat16" else dtype)
        elif dtype == "uint8":
            value = rng.randint(0, 256, size=shape).astype("uint8")
        elif dtype.startswith(("int", "uint")):
            value = rng.randint(0, 10, size=shape).astype(dtype)
        elif dtype == "bool":
            value = rng.randint(0, 2, size=shape).astype(bool)
        else:
            raise ConversionError("cannot make benchmark data for input %r of type %s; give "
                                  "--calibration-data" % (name, dtype))
        batch[name] = value
    return batch


def concrete_shape(name, shape, overrides):
    """A benchmark shape: --input-shape if given, else the spec with an unknown batch set
    to 1 (the seed's table is batch 1); any other unknown dimension needs the user."""
    if name in overrides:
        return list(overrides[name])
    if shape is None:
        raise ConversionError("input %r has an unknown rank: give --input-shape %s=..." % (name, name))
    dims = [(-1 if d is None else int(d)) for d in shape]
    if dims and dims[0] == -1:
        dims[0] = 1
    if any(d < 0 for d in dims):
        raise ConversionError("input %r has unknown dimensions %s: give --input-shape %s=%s"
                              % (name, dims, name, "x".join("?" if d < 0 else str(d) for d in dims)))
    return dims


# -- the converted graph ------------------------------------------------------------------------

def engines_of(graph_def):
    """TRTEngineOps of a converted GraphDef with the nodes of their native segment."""
    functions = dict((f.signature.name, f) for f in graph_def.library.function)
    engines = []

    def visit(node):
        if node.op != "TRTEngineOp":
            return
        func_name = None
        for key in ("segment_func", "segment_funcdef_name"):
            if key in node.attr:
                value = node.attr[key]
                func_name = value.func.name if value.HasField("func") else value.s.decode()
                break
        func = functions.get(func_name) if func_name else None
        nodes = None
        if func is not None:
            nodes = sorted(n.name for n in func.node_def
                           if not n.name.startswith(("TensorRTInputPH_", "TensorRTOutputPH_")))
        engines.append({"name": node.name, "segment_function": func_name, "nodes": nodes,
                        "static_engine": bool(node.attr["serialized_segment"].s)
                        if "serialized_segment" in node.attr else False})

    for node in graph_def.node:
        visit(node)
    for func in graph_def.library.function:
        for node in func.node_def:
            visit(node)
    return engines


def write_graph_def(graph_def, path):
    with open(path, "wb") as handle:
        handle.write(graph_def.SerializeToString())


# -- TF-TRT 2.x (TrtGraphConverterV2) ----------------------------------------------------------

def signature_arg_name(name):
    """A node name as a signature argument name ("input/x:0" -> "input_x")."""
    out = "".join(c if (c.isalnum() or c == "_") else "_" for c in name.split(":")[0])
    return out if out and not out[0].isdigit() else "input_" + out


class Callable(object):
    """A model to benchmark: call(batch dict) -> list of numpy outputs in output order."""

    def __init__(self, fn, input_names, output_names, by_keyword):
        self.fn = fn
        self.input_names = input_names
        self.output_names = output_names
        self.by_keyword = by_keyword

    def __call__(self, batch):
        import tensorflow as tf

        if self.by_keyword:
            result = self.fn(**dict((k, tf.constant(batch[k])) for k in self.input_names))
            return [result[k].numpy() for k in self.output_names]
        result = self.fn(*[tf.constant(batch[k]) for k in self.input_names])
        if not isinstance(result, (list, tuple)):
            result = [result]
        return [r.numpy() for r in result]


class SessionCallable(Callable):
    """A TF1 session run: takes and returns numpy arrays."""

    def __init__(self, run, input_names, output_names):
        Callable.__init__(self, run, input_names, output_names, False)

    def __call__(self, batch):
        return list(self.fn(*[batch[k] for k in self.input_names]))


def v2_params(request, trt):
    precision = request["precision"]
    calibrate = precision == "INT8" and request.get("use_calibration", True)
    kwargs = dict(precision_mode=precision,
                  minimum_segment_size=request["minimum_segment_size"],
                  use_dynamic_shape=bool(request["dynamic_shape"]),
                  use_calibration=calibrate)
    if request.get("max_workspace_size_bytes"):
        kwargs["max_workspace_size_bytes"] = request["max_workspace_size_bytes"]
    return kwargs, calibrate


def calibration_fn(batches, input_names):
    import tensorflow as tf

    def input_fn():
        for batch in batches:
            yield tuple(tf.constant(batch[name]) for name in input_names)
    return input_fn


def convert_saved_model_v2(request, events, result, gpu):
    import tensorflow as tf
    from tensorflow.python.compiler.tensorrt import trt_convert as trt

    model = request["model"]
    tags = request.get("tags") or ["serve"]
    key = request.get("signature") or "serving_default"
    kwargs, calibrate = v2_params(request, trt)
    if request.get("input_shapes"):
        result["notes"].append("--input-shape does not change a SavedModel's signature; the "
                               "conversion used the shapes the signature declares")
    loaded = tf.saved_model.load(model, tags)
    if key not in loaded.signatures:
        raise ConversionError("the SavedModel has no signature %r (it has: %s)"
                              % (key, ", ".join(sorted(loaded.signatures)) or "none"))
    signature = loaded.signatures[key]
    input_names = sorted(signature.structured_input_signature[1])
    batches = None
    if request.get("calibration_data"):
        batches = load_batches(request["calibration_data"], input_names)
    events.stage("convert", "TrtGraphConverterV2" + ("" if gpu else " without a GPU"))
    converter = trt.TrtGraphConverterV2(input_saved_model_dir=model, input_saved_model_tags=tags,
                                        input_saved_model_signature_key=key, **kwargs)
    if gpu:
        if calibrate and batches is None:
            raise ConversionError("INT8 with calibration needs --calibration-data DIR")
        converter.convert(calibration_input_fn=calibration_fn(batches, input_names)
                          if calibrate else None)
        if calibrate and request["dynamic_shape"]:
            events.stage("calibrate", "building engines with the calibration data")
            converter.build(input_fn=calibration_fn(batches, input_names))
    else:
        convert_v2_without_gpu(converter, loaded, signature, trt)
        if calibrate:
            result["notes"].append("INT8 calibration runs TensorRT engines, which needs a GPU: "
                                   "the graph was segmented but not calibrated, and the "
                                   "converted model is not saved")
    result["engines"] = engines_of(converter._converted_graph_def)
    out = os.path.join(request["outdir"], "converted_model")
    if not (calibrate and not gpu):
        events.stage("save", out)
        converter.save(out)
        result["converted_model"] = out
        result["converted_format"] = "saved_model"

    def native():
        fn = tf.saved_model.load(model, tags).signatures[key]
        return Callable(fn, input_names, sorted(fn.structured_outputs), True)

    def converted():
        if result.get("converted_model") is None:
            raise ConversionError("no converted model was saved")
        fn = tf.saved_model.load(out).signatures[key]
        return Callable(fn, input_names, sorted(fn.structured_outputs), True)

    specs = [(name, spec.dtype.name, None if spec.shape.rank is None else spec.shape.as_list())
             for name, spec in sorted(signature.structured_input_signature[1].items())]
    return native, converted, specs, batches


def convert_v2_without_gpu(converter, loaded, signature, trt):
    """TrtGraphConverterV2.convert() (TF 2.17) without its "is the device a GPU" check.

    Same steps, same helpers: freeze the signature function, clear devices, export the
    MetaGraphDef with the function's inputs and outputs in "train_op", run the converter's
    own grappler pass (TF-TRT's rewriter config) and rebuild the converted function."""
    from tensorflow.core.protobuf import meta_graph_pb2
    from tensorflow.python.framework import convert_to_constants
    from tensorflow.python.training import saver

    frozen = convert_to_constants.convert_variables_to_constants_v2(signature)
    graph_def = frozen.graph.as_graph_def()
    for node in graph_def.node:
        node.device = ""
    meta_graph = saver.export_meta_graph(graph_def=graph_def, graph=frozen.graph)
    fetches = meta_graph_pb2.CollectionDef()
    for tensor in list(frozen.inputs) + list(frozen.outputs):
        fetches.node_list.value.append(tensor.name)
    meta_graph.collection_def["train_op"].CopyFrom(fetches)
    converter._saved_model = loaded
    converter._converted_graph_def = converter._run_conversion(meta_graph)
    converter._converted_func = trt._construct_function_from_graph_def(
        signature, converter._converted_graph_def, frozen)
    converter._converted = True


def graph_def_meta_graph(graph_def, input_names, output_names):
    """Import a GraphDef as TF-TRT's converters do and list inputs and fetches in train_op."""
    import tensorflow as tf
    from tensorflow.core.protobuf import meta_graph_pb2
    from tensorflow.python.training import saver

    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.import_graph_def(graph_def, name="")
    meta_graph = saver.export_meta_graph(graph_def=graph.as_graph_def(add_shapes=True),
                                         graph=graph)
    keep = meta_graph_pb2.CollectionDef()
    keep.node_list.value.extend(tensor_names(graph, input_names + output_names))
    meta_graph.collection_def["train_op"].CopyFrom(keep)
    return graph, meta_graph


def convert_graph_def_v2(request, events, result, gpu):
    import tensorflow as tf
    from tensorflow.python.compiler.tensorrt import trt_convert as trt
    from tensorflow.python.eager import wrap_function

    graph_def = read_graph_def(request["model"], request["format"])
    apply_input_shapes(graph_def, request.get("input_shapes"))
    input_names = list(request["inputs"])
    output_names = list(request["outputs"])
    graph, meta_graph = graph_def_meta_graph(graph_def, input_names, output_names)
    in_tensors = tensor_names(graph, input_names)
    out_tensors = tensor_names(graph, output_names)
    kwargs, calibrate = v2_params(request, trt)
    batches = None
    if request.get("calibration_data"):
        batches = load_batches(request["calibration_data"], input_names)
    events.stage("convert", "TrtGraphConverterV2 on the GraphDef as a function")
    converter = trt.TrtGraphConverterV2(**kwargs)
    converted_graph_def = converter._run_conversion(meta_graph)
    result["engines"] = engines_of(converted_graph_def)
    converted_fn = wrap_function.function_from_graph_def(converted_graph_def, in_tensors,
                                                         out_tensors)
    if calibrate:
        if not gpu:
            result["notes"].append("INT8 calibration runs TensorRT engines, which needs a GPU: "
                                   "the graph was segmented but not calibrated, and the "
                                   "converted model is not saved")
            converted_fn = None
        elif batches is None:
            raise ConversionError("INT8 with calibration needs --calibration-data DIR")
        else:
            events.stage("calibrate", "%d batches" % len(batches))
            converter._converted_graph_def = converted_graph_def
            converter._converted_func = converted_fn
            converter._execute_calibration(calibration_fn(batches, input_names))
            converted_graph_def = converter._converted_graph_def
            converted_fn = wrap_function.function_from_graph_def(converted_graph_def, in_tensors,
                                                                 out_tensors)
    graph_path = os.path.join(request["outdir"], "converted_graph.pb")
    write_graph_def(converted_graph_def, graph_path)
    result["converted_graph"] = graph_path
    out = os.path.join(request["outdir"], "converted_model")
    if converted_fn is not None:
        events.stage("save", out)
        save_function(converted_fn, graph, input_names, in_tensors, output_names, out_tensors, out)
        result["converted_model"] = out
        result["converted_format"] = "saved_model"
        result["notes"].append("converted_model/ serves the converted GraphDef as signature "
                               "'serving_default'; its engines are built at the first inference")

    def native():
        fn = wrap_function.function_from_graph_def(graph_def, in_tensors, out_tensors)
        return Callable(fn, input_names, out_tensors, False)

    def converted():
        if converted_fn is None:
            raise ConversionError("no converted model was saved")
        return Callable(converted_fn, input_names, out_tensors, False)

    specs = []
    for name, tensor in zip(input_names, [graph.get_tensor_by_name(t) for t in in_tensors]):
        shape = None if tensor.shape.rank is None else tensor.shape.as_list()
        specs.append((name, tensor.dtype.name, shape))
    return native, converted, specs, batches


def save_function(fn, graph, input_names, in_tensors, output_names, out_tensors, directory):
    """Save a converted GraphDef function as a SavedModel with a serving signature."""
    import tensorflow as tf

    specs = []
    for name, tensor_name in zip(input_names, in_tensors):
        tensor = graph.get_tensor_by_name(tensor_name)
        specs.append(tf.TensorSpec(tensor.shape, tensor.dtype, name=signature_arg_name(name)))
    keys = [signature_arg_name(t.replace(":0", "") if t.endswith(":0") else t)
            for t in out_tensors]

    @tf.function(input_signature=specs)
    def serving_default(*args):
        outs = fn(*args)
        if not isinstance(outs, (list, tuple)):
            outs = [outs]
        return dict(zip(keys, outs))

    module = tf.Module()
    module.serving_default = serving_default
    tf.saved_model.save(module, directory, signatures={"serving_default": serving_default})


# -- TF-TRT 1.x API (TrtGraphConverter / create_inference_graph) -------------------------------

def convert_v1(request, events, result, gpu):
    import tensorflow as tf

    max_batch = request.get("max_batch_size")
    dynamic = max_batch is None
    precision = request["precision"]
    calibrate = precision == "INT8" and request.get("use_calibration", True)
    saved_model = request["format"] == "saved_model"
    graph_def = None
    if not saved_model:
        graph_def = read_graph_def(request["model"], request["format"])
        apply_input_shapes(graph_def, request.get("input_shapes"))
    outputs = list(request.get("outputs") or [])
    try:
        from tensorflow.python.compiler.tensorrt import trt_convert as trt
    except ImportError:
        trt = None
    converter_cls = getattr(trt, "TrtGraphConverter", None) if trt is not None else None
    events.stage("convert", ("TrtGraphConverter" if converter_cls else "create_inference_graph")
                 + (" (dynamic engines)" if dynamic else " (static engines, max_batch_size=%d)"
                    % max_batch))
    with tf.Graph().as_default():      # the TF1 API refuses eager mode
        if converter_cls is None:
            if saved_model:
                raise ConversionError("this TensorFlow has only contrib's create_inference_graph, "
                                      "which converts GraphDefs; freeze the SavedModel first")
            import tensorflow.contrib.tensorrt as contrib_trt   # TF <= 1.13

            converted = contrib_trt.create_inference_graph(
                input_graph_def=graph_def, outputs=[o.split(":")[0] for o in outputs],
                max_batch_size=max_batch or 1,
                precision_mode=precision, minimum_segment_size=request["minimum_segment_size"],
                is_dynamic_op=dynamic)
            converter = None
        else:
            import inspect

            params = inspect.signature(converter_cls.__init__).parameters
            kwargs = dict(max_batch_size=max_batch or 1, precision_mode=precision,
                          minimum_segment_size=request["minimum_segment_size"],
                          is_dynamic_op=dynamic, use_calibration=calibrate)
            if saved_model:
                kwargs["input_saved_model_dir"] = request["model"]
                kwargs["input_saved_model_tags"] = request.get("tags") or ["serve"]
                kwargs["input_saved_model_signature_key"] = request.get("signature") or \
                    "serving_default"
            else:
                kwargs["input_graph_def"] = graph_def
                # TF 1.15 calls it nodes_blacklist, TF 2.x nodes_denylist
                deny = "nodes_denylist" if "nodes_denylist" in params else "nodes_blacklist"
                kwargs[deny] = [o.split(":")[0] for o in outputs]
            converter = converter_cls(**kwargs)
            converted = converter.convert()
        if calibrate:
            result["notes"].append("INT8 calibration with the TF1 API is not run by trtlint: "
                                   "the saved graph is the calibration graph")
    result["engines"] = engines_of(converted)
    graph_path = os.path.join(request["outdir"], "converted_graph.pb")
    events.stage("save", graph_path)
    write_graph_def(converted, graph_path)
    result["converted_graph"] = graph_path
    result["converted_format"] = "graph_def"
    if saved_model and converter is not None:
        out = os.path.join(request["outdir"], "converted_model")
        converter.save(out)
        result["converted_model"] = out
        result["converted_format"] = "saved_model"
    input_names = list(request.get("inputs") or [])

    def session_callable(gd):
        graph = tf.Graph()
        with graph.as_default():
            tf.compat.v1.import_graph_def(gd, name="")
        session = tf.compat.v1.Session(graph=graph)
        ins = tensor_names(graph, input_names)
        outs = tensor_names(graph, outputs)

        def run(*values):
            return session.run(outs, feed_dict=dict(zip(ins, values)))
        return SessionCallable(run, input_names, outs)

    if saved_model:
        return None, None, [], None

    def native():
        return session_callable(graph_def)

    def converted_callable():
        return session_callable(converted)

    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.import_graph_def(graph_def, name="")
    specs = []
    for name in input_names:
        tensor = graph.get_tensor_by_name(name + ":0")
        specs.append((name, tensor.dtype.name,
                      None if tensor.shape.ndims is None else tensor.shape.as_list()))
    return native, converted_callable, specs, None


# -- benchmark ------------------------------------------------------------------------------------

def percentile(values, q):
    ordered = sorted(values)
    if not ordered:
        return None
    rank = (len(ordered) - 1) * q
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def time_model(model, batch, runs, warmup):
    """Warm-up calls (engines get built there), then ``runs`` timed calls; outputs are
    copied to the host inside the timing, which waits for the GPU to finish."""
    outputs = None
    for _ in range(warmup):
        outputs = model(batch)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        outputs = model(batch)
        times.append((time.perf_counter() - start) * 1000.0)
    return {"runs": runs, "warmup": warmup, "p50_ms": round(percentile(times, 0.5), 4),
            "p90_ms": round(percentile(times, 0.9), 4), "mean_ms": round(sum(times) / len(times), 4),
            "min_ms": round(min(times), 4)}, outputs


def compare_outputs(names, native, converted):
    import numpy as np

    rows = []
    for name, a, b in zip(names, native, converted):
        a = np.asarray(a)
        b = np.asarray(b)
        row = {"name": name, "shape_native": list(a.shape), "shape_converted": list(b.shape),
               "dtype": str(a.dtype)}
        if a.shape != b.shape:
            row.update(max_abs_diff=None, max_rel_diff=None, equal_shapes=False)
        elif a.size == 0:
            row.update(max_abs_diff=0.0, max_rel_diff=0.0, equal_shapes=True)
        elif a.dtype.kind in "fc" or b.dtype.kind in "fc":
            diff = np.abs(a.astype("float64") - b.astype("float64"))
            scale = np.maximum(np.abs(a.astype("float64")), 1e-12)
            row.update(max_abs_diff=float(np.nanmax(diff)), max_rel_diff=float(np.nanmax(diff / scale)),
                       equal_shapes=True)
        else:
            row.update(max_abs_diff=float(np.max(np.abs(a.astype("int64") - b.astype("int64")))),
                       max_rel_diff=None, equal_shapes=True)
        rows.append(row)
    return rows


def benchmark(request, events, make_native, make_converted, specs, batches):
    settings = request["benchmark"]
    runs, warmup = int(settings["runs"]), int(settings.get("warmup", 10))
    overrides = request.get("input_shapes") or {}
    out = {"runs": runs, "warmup": warmup, "native": None, "converted": None, "outputs": []}
    if batches:
        batch = batches[0]
        out["inputs"] = [{"name": k, "shape": list(v.shape), "dtype": str(v.dtype),
                          "source": "calibration data"} for k, v in sorted(batch.items())]
    else:
        concrete = [(name, dtype, concrete_shape(name, shape, overrides)) for name, dtype, shape in specs]
        batch = random_batch(concrete)
        out["inputs"] = [{"name": name, "shape": shape, "dtype": dtype, "source": "random"}
                         for name, dtype, shape in concrete]
    results = {}
    for label, make in (("native", make_native), ("converted", make_converted)):
        events.stage("benchmark_" + label, "%d warm-up + %d timed runs" % (warmup, runs))
        try:
            model = make()
            timing, outputs = time_model(model, batch, runs, warmup)
            out[label] = timing
            results[label] = (model, outputs)
        except Exception as exc:  # noqa: BLE001 - a model that cannot run is a result
            traceback.print_exc()
            out[label] = {"error": "%s: %s" % (type(exc).__name__, first_lines(exc, 8))}
    if "native" in results and "converted" in results:
        native_p50 = out["native"]["p50_ms"]
        converted_p50 = out["converted"]["p50_ms"]
        out["speedup"] = round(native_p50 / converted_p50, 3) if converted_p50 else None
        model = results["native"][0]
        out["outputs"] = compare_outputs(model.output_names, results["native"][1],
                                         results["converted"][1])
    return out


def first_lines(exc, limit=3):
    lines = [line for line in str(exc).strip().splitlines() if line.strip()]
    return " ".join(lines[:limit])[:600]


# -- main ---------------------------------------------------------------------------------------

def run(request, events, result):
    events.stage("import_tensorflow")
    import tensorflow as tf

    result["tensorflow"] = tf.__version__
    events.info(tensorflow=tf.__version__)
    events.stage("check_environment")
    gpus = list_gpus(tf)
    result["gpus"] = gpus
    events.info(gpus=gpus)
    gpu = bool(gpus)
    if not gpu and not request.get("allow_no_gpu"):
        raise ConversionError("no GPU is visible to TensorFlow (use --allow-no-gpu to run "
                              "TF-TRT's conversion pass without building engines)")
    tf1 = tf.__version__.startswith("1.")
    api = request.get("api") or "auto"
    if api == "auto":
        api = "v1" if (tf1 or request.get("max_batch_size")) else "v2"
    if api == "v2" and tf1:
        raise ConversionError("TrtGraphConverterV2 needs TensorFlow 2; this is %s" % tf.__version__)
    if api == "v2" and request.get("max_batch_size"):
        raise ConversionError("TrtGraphConverterV2 builds dynamic engines only; static engines "
                              "for --max-batch-size need the TF1 API (--api v1)")
    result["api"] = api
    events.info(api=api)
    os.makedirs(request["outdir"], exist_ok=True)
    events.stage("load_model", request["model"])
    if api == "v1":
        made = convert_v1(request, events, result, gpu)
    elif request["format"] == "saved_model":
        made = convert_saved_model_v2(request, events, result, gpu)
    else:
        made = convert_graph_def_v2(request, events, result, gpu)
    events.stage("inspect")
    result["engine_count"] = len(result.get("engines") or [])
    if request.get("benchmark"):
        make_native, make_converted, specs, batches = made
        if make_native is None:
            result["notes"].append("--benchmark is not available for a SavedModel converted "
                                   "with the TF1 API")
        else:
            result["benchmark"] = benchmark(request, events, make_native, make_converted, specs,
                                            batches)


def write_result(path, result):
    handle, tmp = tempfile.mkstemp(dir=os.path.dirname(path) or ".", suffix=".tmp")
    with os.fdopen(handle, "w") as out:
        json.dump(result, out, indent=1)
    os.replace(tmp, path)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        sys.stderr.write("usage: child.py REQUEST.json\n")
        return 2
    with open(argv[0]) as handle:
        request = json.load(handle)
    events = Events()
    result = {"schema": RESULT_SCHEMA, "status": "running", "model": request["model"],
              "notes": [], "engines": None, "error": None, "benchmark": None,
              "converted_model": None, "converted_graph": None, "converted_format": None}
    result_path = os.path.join(request["outdir"], "conversion.json")
    code = 0
    try:
        run(request, events, result)
        result["status"] = "ok"
    except Exception as exc:  # noqa: BLE001 - every failure becomes a result
        traceback.print_exc()
        stage = events.stages[-1]["stage"] if events.stages else None
        result["status"] = "error"
        result["error"] = {"type": type(exc).__name__, "message": first_lines(exc, 6),
                           "stage": stage, "explained": isinstance(exc, ConversionError),
                           "traceback": traceback.format_exc()[-4000:]}
        code = 1
    result["stages"] = events.finished_stages()
    result["seconds"] = round(time.time() - events.started, 3)
    sys.stderr.flush()
    write_result(result_path, result)
    events.emit({"event": "done", "status": result["status"]})
    return code


if __name__ == "__main__":
    sys.exit(main())
