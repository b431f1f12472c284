"""One oracle request: a model and the trtlint target flags it is converted with.

The same request arrives either as command-line flags (`oracle.py analyze MODEL ...`) or as one
JSON object per line (`oracle.py batch`); both become a `Request`. JSON keys are the long flag
names with underscores: {"model": "g.pb", "precision": "FP16", "minimum_segment_size": 5,
"dynamic_shape": true, "no_grappler": false, "max_batch_size": 8, "outputs": ["out"],
"input_shapes": {"x": [1, 224, 224, 3]}, "grappler_only": false, "graph_out": null,
"graph_after_grappler": null, "raw_log": null, "layout_gpu": false, "gpu_compute_capability": "7.5", "signature": "serving_default", "tags": "serve", "saved_model_converter": "auto",
"int8_calibration": true,
"id": <anything, echoed back>}.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

PRECISIONS = ("FP32", "FP16", "INT8")
SAVED_MODEL_CONVERTERS = ("auto", "v2", "v1")


class RequestError(ValueError):
    """The request itself is malformed (unknown key, bad value)."""


@dataclass
class Request:
    model: str
    precision: str = "FP32"
    minimum_segment_size: int = 3
    dynamic_shape: bool = False
    no_grappler: bool = False
    max_batch_size: Optional[int] = None
    outputs: List[str] = field(default_factory=list)
    input_shapes: Dict[str, List[int]] = field(default_factory=dict)
    grappler_only: bool = False
    graph_out: Optional[str] = None
    graph_after_grappler: Optional[str] = None
    raw_log: Optional[str] = None
    layout_gpu: bool = False
    gpu_compute_capability: str = "7.5"
    signature: str = "serving_default"
    tags: str = "serve"
    saved_model_converter: str = "auto"
    int8_calibration: bool = True
    id: Any = None

    def validate(self) -> "Request":
        self.precision = str(self.precision).upper()
        if self.saved_model_converter not in SAVED_MODEL_CONVERTERS:
            raise RequestError(f"saved_model_converter must be one of {', '.join(SAVED_MODEL_CONVERTERS)}")
        if self.precision not in PRECISIONS:
            raise RequestError(f"precision must be one of {', '.join(PRECISIONS)}, not {self.precision!r}")
        if not isinstance(self.minimum_segment_size, int) or self.minimum_segment_size < 1:
            raise RequestError("minimum_segment_size must be a positive integer")
        if self.max_batch_size is not None and (not isinstance(self.max_batch_size, int) or self.max_batch_size < 1):
            raise RequestError("max_batch_size must be a positive integer")
        try:
            float(self.gpu_compute_capability)
        except (TypeError, ValueError):
            raise RequestError(f"gpu_compute_capability must look like 7.5, not {self.gpu_compute_capability!r}") from None
        self.gpu_compute_capability = str(self.gpu_compute_capability)
        if isinstance(self.outputs, str):
            self.outputs = [self.outputs]
        for name, dims in self.input_shapes.items():
            if not isinstance(dims, list) or not all(isinstance(d, int) and d >= -1 for d in dims):
                raise RequestError(f"input shape for {name!r} must be a list of ints (-1 = unknown)")
        return self


def parse_shape(text: str) -> Dict[str, List[int]]:
    """'input=1x300x300x3' -> {'input': [1, 300, 300, 3]}; '?' or -1 marks an unknown dim, '' a scalar."""
    name, sep, dims = text.rpartition("=")
    if not sep or not name:
        raise RequestError(f"--input-shape wants NAME=D1xD2x..., got {text!r}")
    try:
        shape = [] if dims.strip() == "" else [-1 if d.strip() in ("?", "-1") else int(d) for d in dims.split("x")]
    except ValueError:
        raise RequestError(f"--input-shape wants NAME=D1xD2x..., got {text!r}") from None
    return {name: shape}


def from_args(args: argparse.Namespace) -> Request:
    shapes: Dict[str, List[int]] = {}
    for text in args.input_shape or []:
        shapes.update(parse_shape(text))
    outputs: List[str] = []
    for item in (args.output or []) + ([args.outputs] if args.outputs else []):
        outputs.extend(name for name in item.split(",") if name)
    return Request(model=args.model, precision=args.precision, minimum_segment_size=args.minimum_segment_size,
                   dynamic_shape=args.dynamic_shape, no_grappler=args.no_grappler,
                   max_batch_size=args.max_batch_size, outputs=outputs, input_shapes=shapes,
                   grappler_only=args.grappler_only, graph_out=args.graph_out,
                   graph_after_grappler=args.graph_after_grappler, raw_log=args.raw_log,
                   layout_gpu=args.layout_gpu, gpu_compute_capability=args.gpu_compute_capability,
                   signature=args.signature, tags=args.tags, saved_model_converter=args.saved_model_converter,
                   int8_calibration=not args.no_int8_calibration).validate()


_FIELDS = set(Request.__dataclass_fields__)


def from_json(obj: Any) -> Request:
    if not isinstance(obj, dict) or "model" not in obj:
        raise RequestError('a batch request is a JSON object with at least "model"')
    unknown = set(obj) - _FIELDS
    if unknown:
        raise RequestError(f"unknown request keys: {', '.join(sorted(unknown))}")
    return Request(**obj).validate()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags of `oracle.py analyze` (trtlint's target flags plus oracle-only ones)."""
    parser.add_argument("model", help="binary GraphDef (.pb), text GraphDef (.pbtxt) or SavedModel directory")
    parser.add_argument("--format", default="json", choices=["json"], help="output format (json only)")
    parser.add_argument("--precision", default="FP32", type=str.upper, choices=PRECISIONS)
    parser.add_argument("--minimum-segment-size", type=int, default=3)
    parser.add_argument("--dynamic-shape", action="store_true", help="explicit batch / dynamic shape mode")
    parser.add_argument("--no-grappler", action="store_true",
                        help="run none of the grappler passes TF-TRT's converter runs before its own")
    parser.add_argument("--max-batch-size", type=int, default=None,
                        help="static engines for batch N; run as dynamic engines here (see README)")
    parser.add_argument("--output", action="append", metavar="NAME", help="fetch node (repeatable)")
    parser.add_argument("--outputs", default=None, help="comma-separated fetch nodes (older spelling)")
    parser.add_argument("--input-shape", action="append", metavar="NAME=1x2x3",
                        help="override a Placeholder's shape ('?' or -1 for an unknown dim)")
    parser.add_argument("--raw-log", default=None, metavar="FILE", help="write the captured TensorFlow log here")
    parser.add_argument("--grappler-only", action="store_true",
                        help="run only the grappler passes before TF-TRT's; print or write the GraphDef")
    parser.add_argument("--graph-out", default=None, metavar="FILE",
                        help="write the resulting GraphDef here (.pbtxt: text, else binary)")
    parser.add_argument("--graph-after-grappler", default=None, metavar="FILE",
                        help="also write the graph TensorRTOptimizer received (a second, grappler-only run)")
    parser.add_argument("--layout-gpu", action="store_true",
                        help="optimize for a (virtual) GPU: nodes without a device are placed on GPU:0")
    parser.add_argument("--gpu-compute-capability", default="7.5", metavar="X.Y",
                        help="the virtual GPU's compute capability (with --layout-gpu; 8.0+ keeps FP32 NHWC)")
    parser.add_argument("--signature", default="serving_default", help="SavedModel signature key")
    parser.add_argument("--tags", default="serve", help="SavedModel tag set, comma-separated ('' = the empty set)")
    parser.add_argument("--saved-model-converter", default="auto", choices=SAVED_MODEL_CONVERTERS,
                        help="prepare a SavedModel as TrtGraphConverterV2 (v2) or TF1's TrtGraphConverter "
                             "(v1) does; auto: v2, falling back to v1")
    parser.add_argument("--no-int8-calibration", action="store_true",
                        help="INT8 without calibration (use_calibration=False, the QDQ path)")
