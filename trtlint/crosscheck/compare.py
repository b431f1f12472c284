"""Compare a prediction with what a TF-TRT log says: pure functions, no I/O.

Three things are compared, each scored in [0, 1]:

- engines (weight 0.6): with node lists, the Jaccard similarity of each matched pair's
  node sets; without, the ratio of their sizes. Summed over pairs and divided by the
  number of engines on the larger side, so a missing or extra engine costs as much as a
  completely wrong one. When the log is an excerpt (fewer engine lines than the
  candidate segments it announces), only the engines it shows are counted.
- unconverted ops (weight 0.25): Jaccard of the op-type sets TF-TRT reports as not
  converted, averaged with the ratio of the counts.
- build outcomes (weight 0.15): share of matched engines where prediction and log
  agree on whether the engine was made (or failed and stayed in TensorFlow).

The score is the weighted mean of the parts the log gives evidence for; the
disagreement is 1 - score. The verdict is "disagree" when the disagreement exceeds the
tolerance, "inconclusive" when the log gives nothing to compare.
"""

from __future__ import annotations

from typing import Optional

from .matching import match_by_counts, match_by_nodes, size_similarity
from .model import (FAILED, Actual, Crosscheck, EngineMatch, Prediction,
                    UnconvertedComparison)
from .names import NameAlignment, align_names

WEIGHTS = {"engines": 0.6, "unconverted": 0.25, "build": 0.15}
DEFAULT_TOLERANCE = 0.1
#: Below this share of its node names found in the model, a log is probably another model's.
UNRELATED_SHARE = 0.2
UNRELATED_MIN_NAMES = 10


def compare_unconverted(prediction: Prediction, actual: Actual,
                        alignment: NameAlignment) -> Optional[UnconvertedComparison]:
    if actual.unconverted_types is None and actual.unconverted_count is None:
        return None
    predicted_types = list(prediction.unconverted_by_type)
    actual_types = list(actual.unconverted_types or [])
    p, a = set(predicted_types), set(actual_types)
    union = p | a
    differences: dict[str, tuple[int, int]] = {}
    if actual.unconverted_by_type:
        for op in sorted(union):
            pc = prediction.unconverted_by_type.get(op, 0)
            ac = actual.unconverted_by_type.get(op, 0)
            if pc != ac:
                differences[op] = (pc, ac)
    return UnconvertedComparison(
        predicted_count=prediction.unconverted_count, actual_count=actual.unconverted_count,
        predicted_types=predicted_types, actual_types=actual_types,
        types_jaccard=1.0 if not union else len(p & a) / len(union),
        missing_types=sorted(a - p), extra_types=sorted(p - a),
        count_differences=differences)


def match_engines(prediction: Prediction, actual: Actual,
                  alignment: NameAlignment) -> tuple[str, list[EngineMatch]]:
    """("node_sets" | "counts" | "none", matches)."""
    if not prediction.engines and not actual.engines:
        return "none", []
    listed = [a for a in actual.engines if a.nodes is not None]
    unlisted = [a for a in actual.engines if a.nodes is None]
    if not listed:
        return "counts", match_by_counts(prediction.engines, actual.engines)
    matches = match_by_nodes(prediction.engines, listed, alignment)
    if unlisted:
        spare = [m.predicted for m in matches if m.actual is None and m.predicted is not None]
        matches = [m for m in matches if m.actual is not None]
        matches += match_by_counts(spare, unlisted)
    return "node_sets", matches


def membership(prediction: Prediction, actual: Actual, matches: list[EngineMatch],
               alignment: NameAlignment) -> Optional[dict[str, float]]:
    """Precision/recall of "this node ends up inside an engine", over the whole graph."""
    if actual.node_lists is None:
        return None
    predicted = set().union(*(e.nodes for e in prediction.engines if e.will_build)) \
        if prediction.engines else set()
    made = [a for a in actual.engines if a.nodes is not None
            and (a.converted or a.status == "dump")]
    real = {alignment.map(n) for a in made for n in (a.nodes or ())}
    common = predicted & real
    union = predicted | real
    return {"precision": len(common) / len(predicted) if predicted else (1.0 if not real else 0.0),
            "recall": len(common) / len(real) if real else (1.0 if not predicted else 0.0),
            "jaccard": len(common) / len(union) if union else 1.0,
            "predicted_nodes": float(len(predicted)), "actual_nodes": float(len(real))}


def build_agreement(matches: list[EngineMatch]) -> Optional[tuple[int, int]]:
    pairs = [m for m in matches if m.predicted is not None and m.actual is not None
             and m.actual.status != "dump"]
    if not pairs:
        return None
    agree = sum(1 for m in pairs if m.predicted.will_build == m.actual.converted)
    return agree, len(pairs)


def _log_is_excerpt(actual: Actual) -> bool:
    shown = sum(1 for a in actual.engines if a.status != "dump")
    return actual.candidate_segments is not None and shown < actual.candidate_segments \
        and not actual.crashes


def engine_score(prediction: Prediction, actual: Actual, method: str,
                 matches: list[EngineMatch]) -> Optional[float]:
    if method == "none":
        # No engine on either side: an agreement only if the log shows the pass ran.
        ran = actual.candidate_segments is not None or actual.unconverted_count is not None
        return 1.0 if ran else None
    if not actual.engines:
        if actual.candidate_segments is None and actual.unconverted_count is None:
            return None               # the log says nothing about engines at all
        if actual.crashes and actual.candidate_segments:
            # The process died before reporting any engine: only the number of candidate
            # segments it announced can be compared.
            return size_similarity(len(prediction.engines), actual.candidate_segments)
        return 0.0
    total = sum(m.similarity for m in matches)
    if _log_is_excerpt(actual):
        return total / len(actual.engines)
    return total / max(len(prediction.engines), len(actual.engines))


def _fmt(value: Optional[float]) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def verdict_line(result: Crosscheck, prediction: Prediction, actual: Actual) -> str:
    pairs = result.pairs()
    parts = []
    if result.method == "node_sets":
        sims = [m.jaccard for m in pairs if m.jaccard is not None]
        mean = sum(sims) / len(sims) if sims else None
        parts.append(f"{len(pairs)} of {len(prediction.engines)} predicted / "
                     f"{len(actual.engines)} logged engines matched by node sets "
                     f"(mean Jaccard {_fmt(mean)})")
        if result.membership:
            parts.append(f"membership precision {_fmt(result.membership['precision'])}, "
                         f"recall {_fmt(result.membership['recall'])}")
    elif result.method == "counts":
        parts.append(f"{len(pairs)} of {len(prediction.engines)} predicted / "
                     f"{len(actual.engines)} logged engines paired by number, compared by "
                     f"size (the log lists no nodes)")
    else:
        parts.append("no engine predicted, none logged")
    if result.unconverted is not None:
        u = result.unconverted
        both = len(set(u.predicted_types) & set(u.actual_types))
        parts.append(f"unconverted op types {both} shared of {len(set(u.predicted_types) | set(u.actual_types))}"
                     f" (count {u.predicted_count} predicted vs {u.actual_count})")
    if result.build_agreement is not None:
        agree, total = result.build_agreement
        parts.append(f"build outcome agrees for {agree}/{total}")
    head = result.verdict.upper()
    if result.score is None:
        tail = "nothing in the log to compare with"
    else:
        relation = ">" if result.exceeds_tolerance else "<="
        tail = f"disagreement {result.disagreement:.3f} {relation} tolerance {result.tolerance:.3f}"
    return f"{head}: " + "; ".join(parts) + f" -- {tail}"


def crosscheck(prediction: Prediction, actual: Actual,
               tolerance: float = DEFAULT_TOLERANCE) -> Crosscheck:
    """Compare, score and judge."""
    notes: list[str] = []
    log_names = set(actual.mentioned_nodes)
    alignment = align_names(log_names, prediction.known_nodes)
    if alignment.strip or alignment.add:
        change = (f"removed '{alignment.strip}' from" if alignment.strip
                  else f"added '{alignment.add}' to")
        notes.append(f"node names: {change} the log's names to match the model's "
                     f"({alignment.found} of {alignment.total} found)")
    share = alignment.share_found
    unrelated = (share is not None and alignment.total >= UNRELATED_MIN_NAMES
                 and share < UNRELATED_SHARE)
    if unrelated:
        notes.insert(0, f"the log names {alignment.total} nodes and only {alignment.found} of "
                        f"them are in this model: the log may come from another model, or "
                        f"TensorFlow rewrote the graph before TF-TRT saw it (control flow "
                        f"lowered to Enter/Merge/Switch, functions inlined), which the "
                        f"prediction does not model")
    if not log_names:
        notes.append("the log names no node of the model, so it cannot be confirmed that it "
                     "comes from this model")

    method, matches = match_engines(prediction, actual, alignment)
    if method == "counts":
        notes.append("the log does not list the nodes of each engine (TF 2.x prints them with "
                     "TF_CPP_VMODULE=convert_graph=2, as `trtlint convert` sets it): engines "
                     "are paired by number and compared by size only")
    if actual.node_lists == "dumps":
        notes.append("node lists come from the segmenter's 'Nodes in segment' dumps (the "
                     "log has no converter lines)")
    if _log_is_excerpt(actual):
        notes.append(f"the log announces {actual.candidate_segments} candidate segments but "
                     f"shows {sum(1 for a in actual.engines if a.status != 'dump')}: an "
                     f"excerpt; predicted engines it does not show are not counted against "
                     f"the prediction")
    if actual.crashes and not actual.engines and actual.candidate_segments:
        notes.append(f"the process died before reporting any engine: only the number of "
                     f"candidate segments ({actual.candidate_segments} logged, "
                     f"{len(prediction.engines)} predicted) is compared")
    if actual.crashes:
        notes.append(f"the log records a crash ({actual.crashes[-1][:160]}): it may stop "
                     f"before the conversion finished")

    unconverted = compare_unconverted(prediction, actual, alignment)
    agreement = build_agreement(matches)
    components: dict[str, float] = {}
    engines = engine_score(prediction, actual, method, matches)
    if engines is not None:
        components["engines"] = engines
    if unconverted is not None:
        count_part = unconverted.count_similarity
        components["unconverted"] = unconverted.types_jaccard if count_part is None or \
            not unconverted.actual_types else (unconverted.types_jaccard + count_part) / 2
        if not unconverted.actual_types and count_part is not None:
            components["unconverted"] = count_part
    if agreement is not None:
        components["build"] = agreement[0] / agreement[1]
    score = None
    if components:
        weight = sum(WEIGHTS[k] for k in components)
        score = sum(WEIGHTS[k] * v for k, v in components.items()) / weight
    if score is None:
        verdict = "inconclusive"
    else:
        verdict = "disagree" if (1.0 - score) > tolerance + 1e-12 else "agree"
    result = Crosscheck(
        method=method, matches=matches,
        membership=membership(prediction, actual, matches, alignment),
        unconverted=unconverted, build_agreement=agreement,
        candidate_segments=(prediction.candidate_segments, actual.candidate_segments),
        name_alignment=alignment.to_json(), components=components, score=score,
        tolerance=tolerance, verdict=verdict, verdict_line="", notes=notes,
        target=dict(prediction.target))
    result.verdict_line = verdict_line(result, prediction, actual)
    return result


def failed_engines(result: Crosscheck) -> list[EngineMatch]:
    """Matches where the log reports a failed engine, or the prediction expects one."""
    return [m for m in result.matches
            if (m.actual is not None and m.actual.status in FAILED)
            or (m.predicted is not None and not m.predicted.will_build)]


__all__ = ["crosscheck", "compare_unconverted", "match_engines", "failed_engines",
           "DEFAULT_TOLERANCE", "size_similarity"]
