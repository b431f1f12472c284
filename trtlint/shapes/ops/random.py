"""Random ops: the output shape is the ``shape`` argument's value."""

from __future__ import annotations

from ..registry import shape_fn
from ..util import concatenate


@shape_fn("RandomUniform", "RandomStandardNormal", "TruncatedNormal", "RandomUniformInt",
          "StatelessRandomUniform", "StatelessRandomNormal", "StatelessTruncatedNormal",
          "StatelessRandomUniformInt", "StatelessRandomUniformFullInt",
          "StatelessRandomUniformV2", "StatelessRandomNormalV2",
          "StatelessTruncatedNormalV2", "StatelessRandomUniformIntV2",
          "StatelessRandomUniformFullIntV2", "ParameterizedTruncatedNormal")
def random_from_shape(ctx):
    return [ctx.shape_from_tensor(0)]


@shape_fn("RandomGamma", "RandomPoisson", "RandomPoissonV2")
def random_gamma(ctx):
    return [concatenate(ctx.shape_from_tensor(0), ctx.input_shape(1))]


@shape_fn("RandomShuffle")
def random_shuffle(ctx):
    return [ctx.input_shape(0)]


@shape_fn("Multinomial", "StatelessMultinomial")
def multinomial(ctx):
    logits = ctx.with_rank(0, 2)
    n = ctx.input_scalar(1)
    return [(logits[0], int(n) if n is not None else -1)]
