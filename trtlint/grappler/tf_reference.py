"""TensorFlow's own grappler passes, as TF-TRT runs them before its TensorRTOptimizer.

`run_tf_grappler` is the reference behind `--grappler tf`: instead of trtlint's emulation of the
grappler passes, it runs the real ones (TensorFlow must be installed; it is imported only here,
inside the function). TF-TRT's converter (TF 2.17, trt_convert._get_tensorrt_rewriter_config)
configures grappler like this, and so does this function, minus the TensorRTOptimizer itself and
the constfold pass that cleans up after it:

- optimizers, in order: pruning, debug_stripper, layout, dependency, constfold,
  common_subgraph_elimination; one meta-optimizer iteration;
- the remapper off (its fused ops are not what TF-TRT converts);
- folding of quantize/dequantize emulation off (TF-TRT sets it when TensorRT >= 8, which TF 2.17
  always links against), so Const -> QDQ chains survive for TensorRT.

The layout pass only acts for a GPU. With `layout_gpu=True` grappler gets a virtual cluster that
declares one GPU (and a CPU), and the nodes without a device are placed on that GPU, because TF
2.17's layout optimizer rewrites only nodes whose device names a GPU (measured: declaring the GPU
alone changes nothing). That is the graph TF-TRT sees when the model runs placed on a GPU (TF1
sessions, converters given device-annotated graphs). TrtGraphConverterV2 clears devices before
converting, so on TF 2.17 it does not get these layout changes unless the model is imported onto a
non-default GPU. The placement is removed again from the returned graph.

Which layout the pass picks depends on the GPU (measured with TF 2.17): FP32 NHWC convolutions
become NCHW (Transpose nodes, DataFormatVecPermute / DataFormatDimMap for shape vectors) on compute
capability 6.x/7.x and stay NHWC on 8.0+ (TF32); FP16 ones stay NHWC from 7.0 on. The default,
7.5, is the T4.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from typing import Iterator, Sequence

from ..errors import InputError, UsageError

GPU_DEVICE = "/job:localhost/replica:0/task:0/device:GPU:0"
CPU_DEVICE = "/job:localhost/replica:0/task:0/device:CPU:0"
DEFAULT_GPU_COMPUTE_CAPABILITY = "7.5"
# The grappler passes TF-TRT's converter enables before its own, in TF-TRT's order.
TF_TRT_PRE_PASSES = ("pruning", "debug_stripper", "layout", "dependency", "constfold",
                     "common_subgraph_elimination")


def _import_tensorflow():
    try:
        import tensorflow  # noqa: F401  (the whole point: only here)
    except ImportError:
        raise UsageError("--grappler tf needs TensorFlow installed: pip install 'trtlint[convert]'") from None
    return tensorflow


def _rewriter_config():
    from tensorflow.core.protobuf import rewriter_config_pb2

    config = rewriter_config_pb2.RewriterConfig()
    config.optimizers.extend(TF_TRT_PRE_PASSES)
    config.meta_optimizer_iterations = rewriter_config_pb2.RewriterConfig.ONE
    config.remapping = rewriter_config_pb2.RewriterConfig.OFF
    config.experimental_disable_folding_quantization_emulation = True
    return config


def _virtual_gpu_cluster(compute_capability: str):
    from tensorflow.core.protobuf import device_properties_pb2 as dp
    from tensorflow.python.grappler import cluster as gcluster

    gpu = dp.DeviceProperties(type="GPU", vendor="NVIDIA", model="virtual-gpu", frequency=1400,
                              num_cores=40, memory_size=16 << 30,
                              environment={"architecture": compute_capability})
    cpu = dp.DeviceProperties(type="CPU", frequency=2400, num_cores=8, memory_size=64 << 30)
    return gcluster.Cluster(devices=[dp.NamedDevice(name=GPU_DEVICE, properties=gpu),
                                     dp.NamedDevice(name=CPU_DEVICE, properties=cpu)])


@contextlib.contextmanager
def _tensorflow_log_silenced() -> Iterator[None]:
    """Discard what TensorFlow's C++ code writes to file descriptor 2 meanwhile.

    With layout_gpu on a CPU-only TensorFlow the layout pass looks for GPU kernels, finds none and
    logs every registered CPU kernel of the ops it inspects: pages of noise for a CLI user. Set
    TRTLINT_DEBUG=1 to see it.
    """
    if os.environ.get("TRTLINT_DEBUG"):
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


def run_tf_grappler(graph_def_bytes: bytes, fetches: Sequence[str], *, layout_gpu: bool = True,
                    gpu_compute_capability: str = DEFAULT_GPU_COMPUTE_CAPABILITY) -> bytes:
    """Run TF-TRT's pre-pass grappler configuration on a serialized GraphDef; return the result serialized.

    fetches: the nodes (or tensors, "name:0") grappler must keep, as TF-TRT's converters list them
    in the "train_op" collection: the outputs (TrtGraphConverterV2 also lists the inputs). Pruning
    removes what they do not need. Bytes in and out, so callers need no TensorFlow types.
    """
    tf = _import_tensorflow()
    from google.protobuf.message import DecodeError
    from tensorflow.core.framework import graph_pb2
    from tensorflow.core.protobuf import config_pb2, meta_graph_pb2
    from tensorflow.python.grappler import tf_optimizer
    from tensorflow.python.training import saver

    graph_def = graph_pb2.GraphDef()
    try:
        graph_def.ParseFromString(graph_def_bytes)
    except DecodeError as exc:
        raise InputError(f"not a serialized GraphDef ({exc})") from None
    if layout_gpu:
        for node in graph_def.node:
            if not node.device:
                node.device = GPU_DEVICE
    graph = tf.Graph()
    try:
        with graph.as_default():
            tf.compat.v1.import_graph_def(graph_def, name="")
    except Exception as exc:  # noqa: BLE001 - TensorFlow raises many types for graphs it rejects
        first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise InputError(f"TensorFlow cannot import the graph: {first_line}") from None
    names = {node.name for node in graph_def.node}
    unknown = [name for name in fetches if name.split(":")[0] not in names]
    if unknown:
        raise InputError(f"fetch nodes not in the graph: {', '.join(unknown)}")

    # As TrtGraphConverter does for a GraphDef: a MetaGraphDef of the imported graph with shapes,
    # the fetches in the "train_op" collection.
    meta_graph = saver.export_meta_graph(graph_def=graph.as_graph_def(add_shapes=True), graph=graph)
    collection = meta_graph_pb2.CollectionDef()
    collection.node_list.value.extend(fetches)
    meta_graph.collection_def["train_op"].CopyFrom(collection)
    config = config_pb2.ConfigProto()
    config.graph_options.rewrite_options.CopyFrom(_rewriter_config())
    cluster = _virtual_gpu_cluster(gpu_compute_capability) if layout_gpu else None
    with _tensorflow_log_silenced():
        optimized = tf_optimizer.OptimizeGraph(config, meta_graph, graph_id=b"tf_graph", cluster=cluster)
    if layout_gpu:
        for node in optimized.node:
            if node.device == GPU_DEVICE:
                node.device = ""
    return optimized.SerializeToString()
