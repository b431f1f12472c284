"""Cross-check a prediction against a real TF-TRT run's log.

    >>> from trtlint.crosscheck import crosscheck_log              # doctest: +SKIP
    >>> result = crosscheck_log(analysis, read_log("conversion.log"))
    >>> result.verdict, result.disagreement                         # doctest: +SKIP
    ('agree', 0.0)

:mod:`.sides` reduces an Analysis and a LogReport to comparable records,
:mod:`.names` aligns engine and node names across eras and scopes, :mod:`.matching`
pairs engines (node-set Jaccard, or number and size), :mod:`.compare` scores and judges.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from .compare import DEFAULT_TOLERANCE, crosscheck
from .model import SCHEMA, Actual, ActualEngine, Crosscheck, PredictedEngine, Prediction
from .sides import actual_from_log, prediction_from_analysis

if TYPE_CHECKING:
    from ..analysis import Analysis
    from ..logs import LogReport


def crosscheck_log(analysis: "Analysis", report: "LogReport",
                   tolerance: float = DEFAULT_TOLERANCE, model_path: Optional[str] = None,
                   log_path: Optional[str] = None) -> Crosscheck:
    """Compare an analysis with a parsed log."""
    result = crosscheck(prediction_from_analysis(analysis), actual_from_log(report), tolerance)
    result.model = model_path if model_path is not None else str(analysis.model.path)
    result.log = log_path
    return result


__all__ = ["SCHEMA", "DEFAULT_TOLERANCE", "Actual", "ActualEngine", "Crosscheck",
           "PredictedEngine", "Prediction", "actual_from_log", "crosscheck", "crosscheck_log",
           "prediction_from_analysis"]
