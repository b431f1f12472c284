"""trtlint against the real TF-TRT 2.17, on every fixture and every importable corpus graph.

For each model and config (implicit batch / --dynamic-shape, with / without grappler; FP16
and INT8 on a subset), ``trtlint analyze --profile tf2`` must give exactly the oracle's
engines (node sets) and its unconverted-op report (count and count per type).  The
remaining differences are listed, with their diagnosis, in known_differences.toml and run
as strict xfails.  The oracle's answers come from one long-lived process (conftest.py).
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from trtlint.cli import app

from .cases import Case, all_cases
from .compare import compare_model, predict
from .conftest import DIFFS
from .known import KnownDifference, entry_for, load_entries
from .models import CORPUS, NOT_IMPORTABLE, corpus_models

pytestmark = pytest.mark.oracle

ENTRIES = load_entries()
CASES = all_cases()


def _params() -> list:
    out = []
    for case in CASES:
        entry = entry_for(ENTRIES, case.model.name, case.config.name)
        marks = [pytest.mark.xfail(strict=True, raises=KnownDifference, reason=entry.reason())] \
            if entry else []
        out.append(pytest.param(case, marks=marks, id=case.id))
    return out


def _diff(case: Case, corpus_answers: dict):
    result = corpus_answers[case.id]
    diff = compare_model(case.model.path, case.config, result, signature=case.model.signature,
                         label=case.model.name)
    DIFFS[case.id] = diff
    return diff


@pytest.mark.parametrize("case", _params())
def test_trtlint_agrees_with_tftrt(case: Case, corpus_answers):
    diff = _diff(case, corpus_answers)
    entry = entry_for(ENTRIES, case.model.name, case.config.name)
    if entry is not None and not diff.agrees and tuple(sorted(diff.differing_aspects())) == entry.differs:
        raise KnownDifference(f"{entry.reason()}\n{diff.describe()}")
    assert diff.agrees, diff.describe(limit=20)


# -- the known-differences file itself --------------------------------------------------------
def test_every_known_difference_names_a_case_that_runs():
    """An entry whose model or config is not run would never be checked again."""
    ids = {(case.model.name, case.config.name) for case in CASES}
    for entry in ENTRIES:
        matched = [c for m, c in ids if entry.applies(m, c)]
        assert matched, f"known difference for {entry.model} {list(entry.configs)} matches no case"


def test_unimportable_corpus_graphs_are_refused_by_tensorflow(oracle_session):
    """The corpus graphs left out of the comparison are left out for a reason that still
    holds: TensorFlow 2.17 cannot import them, so TF-TRT never sees them."""
    names = {m.name for m in corpus_models(include_unimportable=True)}
    left_out = sorted(n for n in NOT_IMPORTABLE if n in names)
    if not left_out:
        pytest.skip("shared corpus not found")
    for name in left_out:
        result = oracle_session.ask(CORPUS / name, {})
        assert result.get("error_kind") == "input", (name, result.get("error"))
        assert "cannot" in result["error"], result["error"]


# -- the CLI is what the comparison runs ---------------------------------------------------------
#: a sample spanning formats and configs: the in-process analysis the tests compare must be
#: what `trtlint analyze --profile tf2 --format json` prints
CLI_SAMPLE = ["seg_shared_const.pb[dynamic]", "conv_bn_unfused.pb[implicit-nograppler]",
              "keras_conv_classifier[dynamic-nograppler]", "fakequant.pb[implicit-int8]",
              "028_mobilenet_v1_025_128_frozen.pb[implicit-nograppler]",
              "011_opencv_face_detector_uint8.pb[dynamic-fp16]"]


@pytest.mark.parametrize("case_id", CLI_SAMPLE)
def test_cli_json_is_the_compared_analysis(case_id: str, corpus_answers):
    case = next((c for c in CASES if c.id == case_id), None)
    if case is None:
        pytest.skip(f"{case_id} is not in this checkout")
    outputs = None if case.model.is_saved_model else corpus_answers[case.id].get("outputs")
    analysis = predict(case.model.path, case.config, outputs, case.model.signature)
    args = ["analyze", str(case.model.path), "--format", "json", *case.config.cli_args()]
    for name in outputs or ():
        args += ["--output", name]
    result = CliRunner().invoke(app, args)
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.stdout)
    assert report["target"]["profile"] == "tf2"
    assert report["target"]["dynamic_shape"] == case.config.dynamic_shape
    built = [s for s in report["segments"] if s["will_build"]]
    assert sorted(sorted(s["nodes"]) for s in built) == \
        sorted(sorted(s.nodes) for s in analysis.segments if s.will_build)
    assert report["unconverted"]["count"] == analysis.unconverted.count
    assert report["unconverted"]["types"] == analysis.unconverted.types
