"""Files, checkpoints, summaries and audio: mostly scalars and strings.

These ops never land in a TensorRT engine, but their shapes flow into the ops that
do (an audio front end's spectrogram feeds the network).
"""

from __future__ import annotations

from ..registry import shape_fn


@shape_fn("ScalarSummary", "HistogramSummary", "ImageSummary", "AudioSummary",
          "AudioSummaryV2", "TensorSummary", "TensorSummaryV2", "MergeSummary",
          "ReadFile", "ShardedFilename", "ShardedFilespec", "StringFormat",
          "EncodeWav", "Timestamp")
def scalar(ctx):
    return [()]


@shape_fn("MatchingFiles")
def matching_files(ctx):
    return [(-1,)]


@shape_fn("WriteFile")
def write_file(ctx):
    return []


@shape_fn("RestoreV2", "Restore", "RestoreSlice")
def restore(ctx):
    return None  # shapes live in the checkpoint


@shape_fn("DecodeWav")
def decode_wav(ctx):
    channels = int(ctx.attr("desired_channels", -1))
    samples = int(ctx.attr("desired_samples", -1))
    return [(samples if samples >= 0 else -1, channels if channels >= 0 else -1), ()]


def _next_power_of_two(n: int) -> int:
    p = 1
    while p < n:
        p <<= 1
    return p


@shape_fn("AudioSpectrogram")
def audio_spectrogram(ctx):
    x = ctx.with_rank(0, 2)
    window = int(ctx.attr("window_size"))
    stride = int(ctx.attr("stride"))
    length = -1
    if x[0] >= 0:
        length = 0 if x[0] < window else 1 + (x[0] - window) // stride
    return [(x[1], length, 1 + _next_power_of_two(window) // 2)]


@shape_fn("Mfcc")
def mfcc(ctx):
    s = ctx.with_rank(0, 3)
    ctx.with_rank(1, 0)
    return [(s[0], s[1], int(ctx.attr("dct_coefficient_count", 13)))]
