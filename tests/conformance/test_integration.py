"""TF-TRT's integration tests, run against trtlint and against TF-TRT 2.17 itself.

For every test class in integration_cases.CASES and every run-parameter variant its
``ShouldRunTest`` accepts:

1. trtlint's prediction (profile of the expectation's era) meets the expectation --
   the test file's, or TF 2.17's where the case records that they differ -- and names
   its engines ``TRTEngineOp_<seq:03>_<n:03>``;
2. (oracle) the real TF-TRT 2.17 meets the same expectation, and where the case says
   2.17 disagrees with the file, it really does not meet the file's;
3. (oracle) trtlint's engines equal the oracle's exactly: members and copied Consts.

The oracle cannot build static engines, so 2 and 3 run for dynamic-engine variants only.
Known trtlint misses are strict xfails with a diagnosis (known_gaps.py).

The TF2-API graphs are frozen from the test's concrete function; the test itself saves a
SavedModel and lets TrtGraphConverterV2 load and freeze its signature, which wraps the
function once more.  ``test_frozen_function_is_what_trtgraphconverterv2_converts`` checks
on a sample that TF-TRT segments both alike, up to the wrapper's names and Identity
pass-throughs (measured on all 240 TF2-API variants while porting: no other difference).
"""

from __future__ import annotations

import re

import pytest

# the graph builders draw their random weights with numpy, which comes with TensorFlow
pytest.importorskip("numpy")

from .cases import IntegrationCase  # noqa: E402
from .engines import ENGINE_NAME, Conversion, check_expectation, describe  # noqa: E402
from .harness import (GraphStore, conversion_of, grappler_flags,  # noqa: E402
                      oracle_conversion, oracle_flags, predict, target_for)
from .integration_cases import CASES, NOT_PORTED, SNAPSHOT_TEST_FILES  # noqa: E402
from .known_gaps import gap  # noqa: E402
from .runparams import RunParams, all_variants, v2_variants  # noqa: E402
from .tfgraphs import save_v2  # noqa: E402

pytestmark = pytest.mark.tensorflow

VARIANTS = [(case, run) for case in CASES for run in all_variants() if case.should_run(run)[0]]
DYNAMIC = [(case, run) for case, run in VARIANTS if run.dynamic_engine]


def _params(variants, with_gaps: bool):
    out = []
    for case, run in variants:
        reason = gap(case.id, run) if with_gaps else None
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        out.append(pytest.param(case, run, id=f"{case.id}[{run.short}]", marks=marks))
    return out


@pytest.fixture(scope="session")
def graphs(tmp_path_factory) -> GraphStore:
    return GraphStore(tmp_path_factory.mktemp("conformance-graphs"))


@pytest.fixture(scope="session")
def predictions(graphs):
    """trtlint's conversion per (case, variant), computed once."""
    cache: dict = {}

    def get(case: IntegrationCase, run: RunParams) -> Conversion:
        key = (case.id, run)
        if key not in cache:
            cache[key] = conversion_of(predict(graphs.get(case, run.is_v2),
                                               target_for(case, run)))
        return cache[key]
    return get


@pytest.fixture(scope="session")
def oracle_results(graphs):
    """TF-TRT 2.17's conversion of every dynamic-engine variant, in one oracle batch."""
    from oracle import run_oracle_many

    requests, keys = [], []
    for case, run in DYNAMIC:
        graph = graphs.get(case, run.is_v2)
        flags = oracle_flags(case, run, graph)
        requests += [(graph.path, flags), (graph.path, grappler_flags(flags))]
        keys.append((case.id, run))
    answers = run_oracle_many(requests)
    return {key: (answers[2 * i], answers[2 * i + 1]) for i, key in enumerate(keys)}


def _oracle(oracle_results, case, run) -> Conversion:
    result, grappler = oracle_results[(case.id, run)]
    if "error" in result:
        pytest.fail(f"the oracle failed on {case.id} [{run.test_name}]: {result['error']}")
    return oracle_conversion(result, grappler)


def test_every_test_file_of_the_snapshot_is_ported_or_explained():
    ported = {case.file for case in CASES}
    explained = {item.file for item in NOT_PORTED}
    assert SNAPSHOT_TEST_FILES <= ported | explained
    assert SNAPSHOT_TEST_FILES - ported == {"tf_function_test.py"}


def test_every_ported_case_runs_in_some_variant():
    """A case whose ShouldRunTest rejects every variant would silently test nothing."""
    ported = {case.id for case, _ in VARIANTS}
    assert ported == {case.id for case in CASES}
    assert len(VARIANTS) >= 300


@pytest.mark.parametrize("case,run", _params(VARIANTS, with_gaps=True))
def test_trtlint_meets_expectation(case: IntegrationCase, run: RunParams, predictions):
    conversion = predictions(case, run)
    expected = case.truth(run)
    problems = check_expectation(conversion, expected)
    assert not problems, (f"{case.source} {case.test} [{run.test_name}], profile {case.profile}: "
                          f"{problems}\ntrtlint: {describe(conversion)}")
    assert all(ENGINE_NAME.match(name) and name.startswith("TRTEngineOp_000_")
               for name in conversion.raw_names), conversion.raw_names


@pytest.mark.oracle
@pytest.mark.parametrize("case,run", _params(DYNAMIC, with_gaps=False))
def test_tf217_meets_expectation(case: IntegrationCase, run: RunParams, oracle_results):
    conversion = _oracle(oracle_results, case, run)
    problems = check_expectation(conversion, case.truth(run))
    assert not problems, f"TF 2.17 on {case.id} [{run.test_name}]: {problems}"
    assert all(ENGINE_NAME.match(name) for name in conversion.raw_names)
    if case.disagrees(run):
        # the recorded disagreement is real: 2.17 does not do what the file says
        assert check_expectation(conversion, case.expected(run)), case.tf217_note


@pytest.mark.oracle
@pytest.mark.parametrize("case,run", _params(DYNAMIC, with_gaps=True))
def test_trtlint_equals_tf217(case: IntegrationCase, run: RunParams, predictions,
                              oracle_results):
    ours, truth = predictions(case, run), _oracle(oracle_results, case, run)
    assert ours.engines == truth.engines, f"trtlint: {describe(ours)}\nTF 2.17: {describe(truth)}"
    assert ours.copied == truth.copied


#: a sample for the freezing check: plain, shape-tensor and constant-folding cases
FREEZE_SAMPLE = ["base.SimpleMultiEnginesTest", "shape_output.PrunedInputTest2",
                 "concatenation.ConcatenationTest", "combined_nms.CombinedNmsTest"]
PASS_THROUGH = re.compile(r"^(Func/|Identity(_\d+)?$)")
WRAPPER = re.compile(r"(^|/)(Stateful)?PartitionedCall/")


def _unwrapped(result: dict) -> dict:
    names = {s["name"]: [WRAPPER.sub(r"\1", m) for m in s["members"]] for s in result["segments"]}
    return {engine: sorted(m for m in members if not PASS_THROUGH.match(m))
            for engine, members in names.items()}


@pytest.mark.oracle
@pytest.mark.parametrize("case_id", FREEZE_SAMPLE)
def test_frozen_function_is_what_trtgraphconverterv2_converts(case_id, graphs, tmp_path):
    from oracle import run_oracle_many

    case = next(c for c in CASES if c.id == case_id)
    saved = save_v2(case.graph_fn, case.inputs, tmp_path / "saved_model", case.id)
    graph = graphs.get(case, True)
    requests = []
    for run in [r for r in v2_variants() if case.should_run(r)[0]]:
        flags = oracle_flags(case, run, graph)
        saved_flags = {k: v for k, v in flags.items() if k != "outputs"}
        requests += [(graph.path, flags), (saved, dict(saved_flags, saved_model_converter="v2"))]
    answers = run_oracle_many(requests)
    assert requests and all("error" not in a for a in answers)
    for frozen, from_saved in zip(answers[::2], answers[1::2]):
        assert from_saved["converter"] == "TrtGraphConverterV2"
        assert _unwrapped(frozen) == _unwrapped(from_saved)
