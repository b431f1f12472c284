"""Run grappler with TF-TRT's rewriter configuration, capturing what TensorFlow logs meanwhile.

TrtGraphConverterV2._run_conversion (TF 2.17) builds the configuration with
`_get_tensorrt_rewriter_config(params, is_dynamic_op=True, max_batch_size=None, is_v2=True,
disable_non_trt_optimizers=..., use_implicit_batch=not use_dynamic_shape, profile_strategy=...)`
and calls `tf_optimizer.OptimizeGraph(config, meta_graph, graph_id=b"tf_graph")`. The config runs,
once (meta_optimizer_iterations=ONE, remapping off): pruning, debug_stripper, layout, dependency,
constfold, common_subgraph_elimination, then the custom TensorRTOptimizer, then a second constfold
that removes the consts the engines no longer use. The oracle calls the same helper, so a change of
TensorFlow version changes the oracle with it.

Static engines (the TF1 API's is_dynamic_op=False, trtlint's --max-batch-size) build TensorRT
engines inside the pass, which the stub library cannot do (TF-TRT dereferences the NULL builder).
Segmentation does not depend on it, so such requests run as dynamic engines in implicit batch
mode and the result says `max_batch_size_ignored`.
"""

from __future__ import annotations

import os
import sys
import tempfile
from typing import Callable, Optional, Tuple, TypeVar

from .models import GPU_DEVICE
from .request import Request

T = TypeVar("T")
CPU_DEVICE = "/job:localhost/replica:0/task:0/device:CPU:0"
# The layout optimizer reads the GPU's compute capability ("architecture"). Measured with TF 2.17:
# FP32 NHWC convolutions are turned to NCHW (Transposes, DataFormatVecPermute) on 6.x and 7.x GPUs
# but stay NHWC on 8.0 and newer (TF32 tensor cores); FP16 ones stay NHWC from 7.0 on.
# Default: 7.5, the T4 that TF-TRT inference most often ran on.
DEFAULT_GPU_COMPUTE_CAPABILITY = "7.5"


def rewriter_config(request: Request, *, with_tensorrt: bool = True):
    """TF-TRT's RewriterConfig for this request; without TensorRTOptimizer when with_tensorrt is False.

    Without TensorRTOptimizer the trailing constfold goes too: what remains is exactly the graph
    TensorRTOptimizer receives.
    """
    from tensorflow.python.compiler.tensorrt import trt_convert as trt

    params = trt.TrtConversionParams(
        precision_mode=request.precision,
        minimum_segment_size=request.minimum_segment_size,
        # TrtConversionParams' default; TF-TRT ignores it unless the precision is INT8.
        use_calibration=request.int8_calibration,
        allow_build_at_runtime=True)   # what TrtGraphConverterV2 always sets
    config = trt._get_tensorrt_rewriter_config(
        conversion_params=params,
        is_dynamic_op=True,
        max_batch_size=None,
        is_v2=True,
        disable_non_trt_optimizers=request.no_grappler,
        use_implicit_batch=not request.dynamic_shape,
        profile_strategy=trt.PROFILE_STRATEGY_RANGE)
    if not with_tensorrt:
        del config.custom_optimizers[:]
    return config


def virtual_gpu_cluster(compute_capability: str = DEFAULT_GPU_COMPUTE_CAPABILITY):
    """A grappler VirtualCluster with one GPU and one CPU: optimizers plan for a GPU machine.

    Declaring the GPU is not enough for TF 2.17's layout optimizer: it only rewrites nodes whose
    device names a GPU (nodes without a device are left alone; measured). models.prepare places
    device-less nodes on GPU_DEVICE when --layout-gpu asks for this cluster.
    """
    from tensorflow.core.protobuf import device_properties_pb2 as dp
    from tensorflow.python.grappler import cluster as gcluster

    gpu = dp.DeviceProperties(type="GPU", vendor="NVIDIA", model="virtual-gpu", frequency=1400,
                              num_cores=108, memory_size=16 << 30, bandwidth=1_555_000_000,
                              environment={"architecture": compute_capability, "cuda": "12030", "cudnn": "8906"})
    cpu = dp.DeviceProperties(type="CPU", vendor="GenuineIntel", frequency=2400, num_cores=8,
                              memory_size=64 << 30, bandwidth=100_000_000)
    return gcluster.Cluster(devices=[dp.NamedDevice(name=GPU_DEVICE, properties=gpu),
                                     dp.NamedDevice(name=CPU_DEVICE, properties=cpu)])


def capture_stderr(fn: Callable[[], T], path: Optional[str] = None) -> Tuple[T, str]:
    """Run fn() with file descriptor 2 redirected to a file; return (fn's result, the text).

    TensorFlow's C++ logging writes straight to fd 2, so redirecting sys.stderr is not enough.
    With `path` the log goes to that file and survives a crash of the process.
    """
    sink = open(path, "w+b") if path else tempfile.TemporaryFile(mode="w+b")
    with sink:
        sys.stderr.flush()
        saved = os.dup(2)
        os.dup2(sink.fileno(), 2)
        try:
            result = fn()
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
        sink.seek(0)
        return result, sink.read().decode("utf-8", "replace")


def optimize(meta_graph, request: Request, *, with_tensorrt: bool, log_path: Optional[str] = None):
    """Run grappler on the MetaGraphDef as TF-TRT's converter does; return (GraphDef, log text)."""
    from tensorflow.core.protobuf import config_pb2
    from tensorflow.python.grappler import tf_optimizer

    config = config_pb2.ConfigProto()
    config.graph_options.rewrite_options.CopyFrom(rewriter_config(request, with_tensorrt=with_tensorrt))
    cluster = virtual_gpu_cluster(request.gpu_compute_capability) if request.layout_gpu else None
    return capture_stderr(
        lambda: tf_optimizer.OptimizeGraph(config, meta_graph, graph_id=b"tf_graph", cluster=cluster),
        log_path)
