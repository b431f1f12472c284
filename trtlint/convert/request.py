"""What the conversion child is asked to do: one JSON document, written to the output
directory and handed to :mod:`trtlint.convert.child`.

Everything that can be checked without TensorFlow is checked here, before a process
is started: a bad flag combination fails in milliseconds with exit code 2, not after a
30-second TensorFlow import.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from ..errors import InputError, UsageError
from ..target import PRECISIONS

APIS = ("auto", "v1", "v2")
REQUEST_FILE = "request.json"


@dataclass
class ConversionRequest:
    """One conversion (and optional benchmark) to run in the child."""

    model: Path
    outdir: Path
    format: str                          # "frozen_graph" | "pbtxt" | "saved_model"
    inputs: list[str]                    # placeholder node names (GraphDefs)
    outputs: list[str]                   # fetch tensors "node:index" (GraphDefs)
    precision: str = "FP32"
    minimum_segment_size: int = 3
    dynamic_shape: bool = False
    max_batch_size: Optional[int] = None
    api: str = "auto"
    signature: Optional[str] = None
    tags: Optional[list[str]] = None
    input_shapes: dict[str, list[int]] = field(default_factory=dict)
    calibration_data: Optional[Path] = None
    use_calibration: bool = True
    benchmark_runs: Optional[int] = None
    benchmark_warmup: int = 10
    allow_no_gpu: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "model": str(self.model), "outdir": str(self.outdir), "format": self.format,
            "inputs": list(self.inputs), "outputs": list(self.outputs),
            "precision": self.precision, "minimum_segment_size": self.minimum_segment_size,
            "dynamic_shape": self.dynamic_shape, "max_batch_size": self.max_batch_size,
            "api": self.api, "signature": self.signature, "tags": self.tags,
            "input_shapes": {k: list(v) for k, v in self.input_shapes.items()},
            "calibration_data": str(self.calibration_data) if self.calibration_data else None,
            "use_calibration": self.use_calibration,
            "benchmark": None if self.benchmark_runs is None else
            {"runs": self.benchmark_runs, "warmup": self.benchmark_warmup},
            "allow_no_gpu": self.allow_no_gpu,
        }

    def write(self) -> Path:
        """Write the request into the output directory (kept: it documents the run)."""
        path = self.outdir / REQUEST_FILE
        try:
            self.outdir.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(self.to_json(), indent=1), encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot write to the output directory: {exc.strerror or exc}",
                             self.outdir) from None
        return path


def _check_outdir(outdir: Path, model: Path) -> Path:
    outdir = outdir.expanduser().resolve()
    model = model.resolve()
    if outdir == model or (model.is_dir() and model in outdir.parents):
        raise UsageError(f"the output directory {outdir} is inside the model; choose another -o")
    if outdir.exists() and not outdir.is_dir():
        raise InputError("exists and is not a directory (-o)", outdir)
    return outdir


def _check_calibration_dir(path: Path) -> Path:
    if not path.exists():
        raise InputError("no such directory (--calibration-data)", path)
    if not path.is_dir():
        raise InputError("not a directory: --calibration-data expects a folder of .npz files "
                         "(one batch each, arrays named after the inputs) or .npy files "
                         "(single-input models)", path)
    if not any(p.suffix in (".npz", ".npy") for p in path.iterdir()):
        raise InputError("holds no .npz or .npy files (--calibration-data)", path)
    return path.resolve()


def build_request(model, outdir: Path, *, precision: str = "FP32",
                  minimum_segment_size: int = 3, dynamic_shape: bool = False,
                  max_batch_size: Optional[int] = None, api: str = "auto",
                  signature: Optional[str] = None, tags: Optional[list[str]] = None,
                  input_shapes: Optional[dict[str, tuple[int, ...]]] = None,
                  calibration_data: Optional[Path] = None, benchmark_runs: Optional[int] = None,
                  benchmark_warmup: int = 10, allow_no_gpu: bool = False) -> ConversionRequest:
    """A validated request for ``model`` (a :class:`trtlint.load.Model`).

    Fetch nodes and inputs come from trtlint's own reading of the model, so the real
    conversion protects exactly the nodes the prediction protects."""
    prec = precision.upper()
    if prec not in PRECISIONS:
        raise UsageError(f"unknown precision '{precision}'; choose FP32, FP16 or INT8")
    if api not in APIS:
        raise UsageError(f"unknown --api '{api}'; choose auto, v1 or v2")
    if max_batch_size is not None and dynamic_shape:
        raise UsageError("--max-batch-size builds static implicit-batch engines; it cannot be "
                         "combined with --dynamic-shape")
    if max_batch_size is not None and api == "v2":
        raise UsageError("--api v2 (TrtGraphConverterV2) builds dynamic engines only; static "
                         "engines for --max-batch-size need --api v1 (or auto)")
    if benchmark_runs is not None and benchmark_runs < 1:
        raise UsageError("--benchmark needs at least 1 run")
    if minimum_segment_size < 1:
        raise UsageError("--minimum-segment-size must be at least 1")
    calibration = _check_calibration_dir(calibration_data) if calibration_data else None
    if calibration is not None and prec != "INT8" and benchmark_runs is None:
        raise UsageError("--calibration-data is used for INT8 calibration and as --benchmark "
                         "input; this run has neither")
    graph_inputs = [spec.name for spec in model.inputs]
    outputs = [spec.tensor for spec in model.outputs]
    if model.format != "saved_model" and not outputs:
        raise InputError("the graph has no output to keep (every node is consumed); name "
                         "the fetch nodes with --output", model.path)
    shapes = {name: list(dims) for name, dims in (input_shapes or {}).items()}
    unknown = sorted(set(shapes) - set(graph_inputs))
    if unknown and model.format != "saved_model":
        raise UsageError(f"--input-shape names {', '.join(unknown)}, which "
                         f"{'is not an input' if len(unknown) == 1 else 'are not inputs'} of "
                         f"the model (inputs: {', '.join(graph_inputs) or 'none'})")
    return ConversionRequest(
        model=Path(model.path).resolve(), outdir=_check_outdir(outdir, Path(model.path)),
        format=model.format, inputs=graph_inputs, outputs=outputs, precision=prec,
        minimum_segment_size=minimum_segment_size, dynamic_shape=dynamic_shape,
        max_batch_size=max_batch_size, api=api, signature=signature, tags=tags,
        input_shapes=shapes, calibration_data=calibration, benchmark_runs=benchmark_runs,
        benchmark_warmup=benchmark_warmup, allow_no_gpu=allow_no_gpu)
