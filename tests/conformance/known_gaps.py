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
    "batch unknown (-1), so the segmenter sees two batch sizes where TF-TRT sees one")

DISTINCT_SYMBOLS = (
    "shapes: grappler gives every unknown dim its own symbol, so x1's and x2's unknown "
    "batch sizes are different classes and the final add/reciprocal0 (x1's class) stay "
    "out of engine 1 (x2's class); trtlint's -1 makes all unknown batches equal and "
    "merges them")

#: case id -> (does it apply to this variant, the diagnosis)
GAPS: dict[str, tuple[Callable[[RunParams], bool], str]] = {
    "biasadd_matmul.BiasaddMatMulTest": (
        lambda run: not run.dynamic_shape,
        SYMBOL_MERGE.format(why="Reshape(x, [4, 24, 6]) makes x [4, 144]") +
        ": 13 engines instead of 1"),
    "unary.UnaryTest": (
        lambda run: not run.dynamic_shape,
        SYMBOL_MERGE.format(why="Reshape(q, [12, 5, 1, 1, 8, 1, 12]) makes input_1's batch "
                                "12") + ": the x2 branch splits in two engines"),
    "reshape_transpose.ReshapeTest": (
        lambda run: not run.dynamic_shape,
        SYMBOL_MERGE.format(why="Reshape(input, [2, 50, 24, 24, 2]) makes the input's batch "
                                "100") + "; with static engines the unknown dims after "
                                         "reshape-1 ([100, 24, -1]) are refused"),
    "rank_two.RankTwoTest": (lambda run: not run.dynamic_shape, DISTINCT_SYMBOLS),
}


def gap(case_id: str, run: RunParams) -> Optional[str]:
    """The diagnosis when trtlint is known to miss this case in this variant."""
    entry = GAPS.get(case_id)
    if entry is not None and entry[0](run):
        return entry[1]
    return None
