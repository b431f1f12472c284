"""Messages printed while a converted model runs (``kernels/trt_engine_op.cc``, the
engine resource ops, INT8 calibration, ``trt_convert.py``): engines built lazily, engines
that fail and fall back to their native segment, calibration."""

from __future__ import annotations

from ..patterns import groups, pattern

PATTERNS = (
    # must come before the contrib "Engine creation for segment N, composed of ..."
    pattern("engine_creation_failed_runtime",
            r"Engine creation for (?P<name>\S+) failed\. The native segment will be used "
            r"instead\.\s*(?:Reason: (?P<reason>.*))?$", groups(name=str, reason=str),
            start="Engine creation for "),
    pattern("enqueue_failure", r"Failed to enqueue batch for TRT engine:?\s*(?P<name>\S+)",
            groups(name=str)),
    # TF 2.0-2.3: "Failed to execute engine, retrying with native segment for X";
    # TF 2.4+:    "Failed to execute engine: <status> Retrying with native segment for X"
    pattern("native_segment_retry",
            r"Failed to execute engine.*?[Rr]etrying with native segment for (?P<name>\S+)",
            groups(name=str), start="Failed to execute engine"),
    # TF 2.5+: no engine for these input shapes (and none can be built): run the segment
    pattern("engine_retrieval_failed",
            r"Engine retrieval for input shapes: (?P<input_shapes>.*?) failed\. Running "
            r"native segment for (?P<name>\S+)", groups(input_shapes=str, name=str)),
    pattern("input_node_not_found", r"Input node not found, at (?P<name>\S+)",
            groups(name=str)),
    pattern("op_requires_failed", r"OP_REQUIRES failed at (?P<at>\S+) : (?P<status>.*)$",
            groups(at=str, status=str), tftrt=False),
    pattern("not_in_trt_cache", r"Could not find (?P<name>\S+) in TF-TRT cache",
            groups(name=str), era="tf2tensorrt"),
    pattern("engine_build",
            r"Building a new TensorRT engine for (?P<name>\S+) (?:with )?input shapes: "
            r"(?P<input_shapes>.*?)\s*$", groups(name=str, input_shapes=str)),
    pattern("calibration_thread",
            r"Starting calibration thread on device (?P<device>\d+), Calibration Resource @ "
            r"(?P<resource>\S+)", groups(device=int, resource=str)),
    pattern("quantization_range_missing",
            r"Quantization range was not found for (?P<tensor>.*?)\. This is okay if TensorRT "
            r"does not need the range", groups(tensor=str)),
)
