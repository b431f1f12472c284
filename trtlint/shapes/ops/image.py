"""Image ops: resizing, cropping, decoding, colour adjustments, box ops and NMS.

Non-max suppression returns a data-dependent number of boxes: its outputs have an
unknown leading dim unless ``pad_to_max_output_size`` pads them to a known size.
That unknown dim is what later makes a detection graph's post-processing dynamic.
"""

from __future__ import annotations

from ..registry import shape_fn
from ..util import ShapeError, merge_dim, with_rank_at_least


def _sized_image(ctx, batch: int, size_index: int, channels: int):
    size_shape = ctx.with_rank(size_index, 1)
    merge_dim(size_shape[0], 2)
    hw = ctx.input_partial(size_index)
    if hw is None:
        h = w = -1
    else:
        if len(hw) != 2:
            raise ShapeError("size must have two elements")
        h = -1 if hw[0] is None else int(hw[0])
        w = -1 if hw[1] is None else int(hw[1])
        if h < -1 or w < -1:
            raise ShapeError("negative image size")
    return (batch, h, w, channels)


@shape_fn("ResizeBilinear", "ResizeNearestNeighbor", "ResizeBicubic", "ResizeArea",
          "ScaleAndTranslate")
def resize(ctx):
    x = ctx.with_rank(0, 4)
    return [_sized_image(ctx, x[0], 1, x[3])]


@shape_fn("ResizeBilinearGrad", "ResizeBicubicGrad")
def resize_grad(ctx):
    return [ctx.with_rank(1, 4)]


@shape_fn("ResizeNearestNeighborGrad")
def resize_nn_grad(ctx):
    g = ctx.with_rank(0, 4)
    return [_sized_image(ctx, g[0], 1, g[3])]


@shape_fn("CropAndResize")
def crop_and_resize(ctx):
    image = ctx.with_rank(0, 4)
    boxes = ctx.with_rank(1, 2)
    box_ind = ctx.with_rank(2, 1)
    n = merge_dim(boxes[0], box_ind[0])
    merge_dim(boxes[1], 4)
    return [_sized_image(ctx, n, 3, image[3])]


@shape_fn("ExtractGlimpse", "ExtractGlimpseV2")
def extract_glimpse(ctx):
    x = ctx.with_rank(0, 4)
    offsets = ctx.with_rank(2, 2)
    return [_sized_image(ctx, merge_dim(x[0], offsets[0]), 1, x[3])]


@shape_fn("AdjustContrastv2", "AdjustContrast", "AdjustHue", "AdjustSaturation",
          "RGBToHSV", "HSVToRGB", "DrawBoundingBoxes", "DrawBoundingBoxesV2")
def same_image(ctx):
    return [with_rank_at_least(ctx.input_shape(0), 3)]


@shape_fn("DecodeJpeg", "DecodePng", "DecodeBmp", "DecodeAndCropJpeg", "DecodeImage")
def decode_image(ctx):
    ch = int(ctx.attr("channels", 0) or 0)
    if ctx.op == "DecodeImage" and ctx.attr("expand_animations", True):
        return [None]
    return [(-1, -1, ch if ch > 0 else -1)]


@shape_fn("DecodeGif")
def decode_gif(ctx):
    return [(-1, -1, -1, 3)]


@shape_fn("EncodeJpeg", "EncodePng", "EncodeJpegVariableQuality")
def encode_image(ctx):
    return [()]


@shape_fn("ExtractJpegShape")
def extract_jpeg_shape(ctx):
    return [(3,)]


def _nms_inputs(ctx, scalars: int) -> None:
    """What every NMS shape function checks: boxes [n, 4] (or overlaps [n, n]) and
    scores [n] -- the same n, stated as a merge -- and scalar parameters."""
    if ctx.op == "NonMaxSuppressionWithOverlaps":
        overlaps = ctx.with_rank(0, 2)
        scores = ctx.with_rank(1, 1)
        merge_dim(overlaps[0], scores[0])
        merge_dim(overlaps[0], overlaps[1])
    else:
        boxes = ctx.with_rank(0, 2)
        scores = ctx.with_rank(1, 1)
        merge_dim(boxes[0], scores[0])
        merge_dim(boxes[1], 4)
    for i in range(2, 2 + scalars):
        ctx.with_rank(i, 0)


def _padded_count(ctx) -> int:
    if not ctx.attr("pad_to_max_output_size", False):
        return -1
    v = ctx.input_scalar(2)
    return -1 if v is None or int(v) < 0 else int(v)


_NMS_SCALARS = {"NonMaxSuppression": 1, "NonMaxSuppressionV2": 2, "NonMaxSuppressionV3": 3,
                "NonMaxSuppressionWithOverlaps": 3, "NonMaxSuppressionV4": 3,
                "NonMaxSuppressionV5": 4}


@shape_fn("NonMaxSuppression", "NonMaxSuppressionV2", "NonMaxSuppressionV3",
          "NonMaxSuppressionWithOverlaps")
def nms(ctx):
    _nms_inputs(ctx, _NMS_SCALARS[ctx.op])
    return [(-1,)]


@shape_fn("NonMaxSuppressionV4")
def nms_v4(ctx):
    _nms_inputs(ctx, 3)
    return [(_padded_count(ctx),), ()]


@shape_fn("NonMaxSuppressionV5")
def nms_v5(ctx):
    _nms_inputs(ctx, 4)
    n = _padded_count(ctx)
    if n >= 0:
        return [(n,), (n,), ()]
    return [(-1,), (-1,), ()]


@shape_fn("CombinedNonMaxSuppression")
def combined_nms(ctx):
    boxes = ctx.with_rank(0, 4)
    scores = ctx.with_rank(1, 3)
    batch = merge_dim(boxes[0], scores[0])
    per_class = ctx.input_scalar(2)
    total = ctx.input_scalar(3)
    classes = scores[2]
    detections = -1
    if total is not None:
        detections = int(total)
        if ctx.attr("pad_per_class", False):
            if per_class is not None and classes >= 0:
                detections = min(detections, int(per_class) * classes)
            else:
                detections = -1
    return [(batch, detections, 4), (batch, detections), (batch, detections), (batch,)]


@shape_fn("SampleDistortedBoundingBox", "SampleDistortedBoundingBoxV2",
          "StatelessSampleDistortedBoundingBox")
def sample_distorted_bbox(ctx):
    return [(3,), (3,), (1, 1, 4)]


@shape_fn("ImageProjectiveTransformV2", "ImageProjectiveTransformV3")
def projective_transform(ctx):
    x = ctx.with_rank(0, 4)
    return [_sized_image(ctx, x[0], 2, x[3])]


@shape_fn("ExtractImagePatches")
def extract_image_patches(ctx):
    from .nn import windowed_size

    x = ctx.with_rank(0, 4)
    ksizes = [int(v) for v in ctx.attr("ksizes")]
    strides = [int(v) for v in ctx.attr("strides")]
    rates = [int(v) for v in ctx.attr("rates")]
    padding = ctx.attr("padding", "VALID")
    h = windowed_size(x[1], ksizes[1], rates[1], strides[1], padding)
    w = windowed_size(x[2], ksizes[2], rates[2], strides[2], padding)
    depth = x[3] * ksizes[1] * ksizes[2] if x[3] >= 0 else -1
    return [(x[0], h, w, depth)]
