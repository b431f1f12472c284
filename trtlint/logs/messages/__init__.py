"""The message families TF-TRT prints, one module each.

Order matters only inside one first word: more specific patterns come first (e.g. the
runtime "Engine creation for X failed. The native segment ..." before the contrib
"Engine creation for segment N, composed of ...").
"""

from __future__ import annotations

from ..patterns import PatternTable
from . import conversion, environment, runtime, segmenter

#: every message pattern, in priority order
ALL_PATTERNS = (runtime.PATTERNS + conversion.PATTERNS + segmenter.PATTERNS
                + environment.PATTERNS)

TABLE = PatternTable(ALL_PATTERNS)

__all__ = ["ALL_PATTERNS", "TABLE"]
