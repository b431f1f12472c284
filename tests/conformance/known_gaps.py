"""Where trtlint does not yet do what TF-TRT 2.17 does on a ported case, and why.

Each entry is a strict xfail: when trtlint is fixed the test XPASSes, fails, and the entry
must go.  The diagnosis names the pipeline stage at fault (shapes, support rule,
segmenter, grappler).
"""

from __future__ import annotations

from typing import Callable, Optional

from .runparams import RunParams

SYMBOL_MERGE = (
    "shapes: grappler's shape inference merges symbolic dims -- a Reshape to a fully "
    "known shape fixes the one unknown dim of its input ({why}); trtlint keeps that "
    "dim unknown (-1), so {effect}")

DISTINCT_SYMBOLS = (
    "shapes: grappler gives every unknown dim its own symbol, so x1's and x2's unknown "
    "batch sizes are different classes and the final add/reciprocal0 (x1's class) stay "
    "out of engine 1 (x2's class); trtlint's -1 makes all unknown batches equal and "
    "merges them")

#: case id -> (does it apply to this variant, the diagnosis)
GAPS: dict[str, tuple[Callable[[RunParams], bool], str]] = {
    "biasadd_matmul.BiasaddMatMulTest": (
        lambda run: not run.dynamic_shape,
        SYMBOL_MERGE.format(
            why="Reshape(x, [4, 24, 6]) makes x [4, 144]",
            effect="the reshaped branches (batch 4) and the rest (batch -1) cannot share a "
                   "cluster: 13 engines instead of 1")),
    "unary.UnaryTest": (
        lambda run: not run.dynamic_shape,
        SYMBOL_MERGE.format(
            why="Reshape(q, [12, 5, 1, 1, 8, 1, 12]) makes input_1's batch 12",
            effect="the x2 branch splits at the Reshape: 3 engines instead of 2")),
    "reshape_transpose.ReshapeTest": (
        lambda run: not run.dynamic_shape,
        SYMBOL_MERGE.format(
            why="Reshape(input, [2, 50, 24, 24, 2]) makes the input's batch 100",
            effect="with static engines reshape-1 ([100, 24, -1]) and everything after it "
                   "have an unknown non-batch dim and are refused: only reshape-0 is left")),
    "rank_two.RankTwoTest": (lambda run: not run.dynamic_shape, DISTINCT_SYMBOLS),
}


def gap(case_id: str, run: RunParams) -> Optional[str]:
    """The diagnosis when trtlint is known to miss this case in this variant."""
    entry = GAPS.get(case_id)
    if entry is not None and entry[0](run):
        return entry[1]
    return None
