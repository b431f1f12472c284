"""Option declarations shared by several subcommands (one definition, many uses)."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import List, Optional

import typer
from typing_extensions import Annotated


class Format(str, enum.Enum):
    rich = "rich"
    json = "json"


ModelArg = Annotated[Path, typer.Argument(
    help="Frozen graph (.pb), text graph (.pbtxt) or SavedModel directory.",
    show_default=False)]
SignatureOpt = Annotated[Optional[str], typer.Option(
    "--signature", help="SavedModel signature to analyse (default: serving_default).")]
TagOpt = Annotated[Optional[List[str]], typer.Option(
    "--tag", help="SavedModel MetaGraph tag (repeatable; default: serve).")]
OutputNameOpt = Annotated[Optional[List[str]], typer.Option(
    "--output", help="Output node (repeatable); default: the signature outputs, or the "
                     "graph's sinks for a bare GraphDef.")]
NoColorOpt = Annotated[bool, typer.Option("--no-color", help="Plain text output.")]


def tags_list(tag: Optional[List[str]]) -> Optional[list[str]]:
    """``--tag serve --tag gpu`` or ``--tag serve,gpu`` -> ["serve", "gpu"]."""
    if not tag:
        return None
    out = []
    for t in tag:
        out.extend(x.strip() for x in t.split(",") if x.strip())
    return out


# -- target flags (analyze, viz, crosscheck, baseline) -----------------------------
ProfileOpt = Annotated[str, typer.Option(
    "--profile", help="TF-TRT version to predict: tf2 (TF 2.4-2.17, as 2.17), tf1.15, tf1.13.")]
PrecisionOpt = Annotated[str, typer.Option(
    "--precision", help="FP32, FP16 or INT8.")]
DynamicShapeOpt = Annotated[bool, typer.Option(
    "--dynamic-shape", help="Explicit batch / dynamic shape mode (TrtGraphConverterV2("
                            "use_dynamic_shape=True)). Default: implicit batch.")]
MinSegOpt = Annotated[int, typer.Option(
    "--minimum-segment-size", min=1, help="TF-TRT's minimum_segment_size.")]
MaxBatchOpt = Annotated[Optional[int], typer.Option(
    "--max-batch-size", min=1, help="Static engines built for this batch (TF1 API, "
                                    "is_dynamic_op=False). Default: dynamic engines.")]
InputShapeOpt = Annotated[Optional[List[str]], typer.Option(
    "--input-shape", help="Assume a shape for a placeholder: NAME=1x300x300x3 (? for unknown); "
                          "repeatable.")]
NoGrapplerOpt = Annotated[bool, typer.Option(
    "--no-grappler", help="Skip the grappler passes TensorFlow runs before TF-TRT.")]
GrapplerOpt = Annotated[str, typer.Option(
    "--grappler", help="builtin (emulate, default), tf (run TensorFlow's real passes; needs "
                       "TensorFlow) or none.")]
CpuLayoutOpt = Annotated[bool, typer.Option(
    "--cpu-layout", help="Never emulate grappler's GPU layout optimizer (by default it acts "
                         "for the tf1.x profiles and not for tf2, whose TrtGraphConverterV2 "
                         "clears device placements).")]
MaxEnginesOpt = Annotated[int, typer.Option(
    "--max-engines", help="TF_TRT_MAX_ALLOWED_ENGINES (<= 0: no limit).")]
ServingBatchOpt = Annotated[Optional[int], typer.Option(
    "--serving-batch", min=1, help="Batch size the model will be served with (batch-size "
                                   "findings).")]
GpuOpt = Annotated[Optional[str], typer.Option(
    "--gpu", help="Target GPU (V100, T4, GTX1080, A100, H100, sm_75...) for precision findings.")]


def target_from_options(profile: str = "tf2", precision: str = "FP32", dynamic_shape: bool = False,
                        minimum_segment_size: int = 3, max_batch_size: Optional[int] = None,
                        input_shape: Optional[List[str]] = None, no_grappler: bool = False,
                        grappler: str = "builtin", cpu_layout: bool = False, max_engines: int = 20,
                        serving_batch: Optional[int] = None, gpu: Optional[str] = None):
    """Build a Target from command-line values (UsageError on nonsense)."""
    from ..shapes.overrides import parse_input_shape
    from ..target import make_target

    shapes = tuple(parse_input_shape(s) for s in (input_shape or []))
    return make_target(profile, precision, dynamic_shape=dynamic_shape,
                       minimum_segment_size=minimum_segment_size, max_batch_size=max_batch_size,
                       grappler="none" if no_grappler else grappler,
                       gpu_layout=False if cpu_layout else None,
                       max_engines=max_engines, input_shapes=shapes, serving_batch=serving_batch,
                       gpu=gpu)
