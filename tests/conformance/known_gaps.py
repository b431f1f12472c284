"""Where trtlint does not yet do what TF-TRT 2.17 does on a ported case, and why.

Each entry is a strict xfail: when trtlint is fixed the test XPASSes, fails, and the entry
must go.  The diagnosis names the pipeline stage at fault (shapes, support rule,
segmenter, grappler).
"""

from __future__ import annotations

from typing import Callable, Optional

from .runparams import RunParams

#: case id -> (does it apply to this variant, the diagnosis).  Empty since trtlint's shapes
#: carry grappler's symbols (trtlint/shapes/symbols.py): the four shape-symbol gaps that
#: were here (biasadd_matmul, unary, reshape_transpose, rank_two) now match TF-TRT 2.17.
GAPS: dict[str, tuple[Callable[[RunParams], bool], str]] = {}


def gap(case_id: str, run: RunParams) -> Optional[str]:
    """The diagnosis when trtlint is known to miss this case in this variant."""
    entry = GAPS.get(case_id)
    if entry is not None and entry[0](run):
        return entry[1]
    return None
