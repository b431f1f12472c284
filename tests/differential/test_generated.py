"""trtlint against TF-TRT 2.17 on random graphs (hypothesis; graphgen.py draws them).

Each example is one graph program, built with TensorFlow 2.17 in graph mode, then
converted by the oracle and predicted by trtlint in the four base configs (implicit /
dynamic shape, with / without grappler).  The budget is fixed and the draw derandomized,
so CI sees the same graphs every run (and hits the oracle cache after the first); a
failing example is shrunk and printed as a program listing, with the diff.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, note, settings

from .compare import compare_model
from .configs import BASE_CONFIGS
from .graphgen import Const, Program, Step, Tensor, build_graph, programs

pytestmark = [pytest.mark.oracle, pytest.mark.tensorflow]

#: examples per CI run; each costs four oracle conversions of a graph of a dozen nodes
#: (~0.1 s in all, cold).  600 examples drawn with other seeds agreed too (see the report).
EXAMPLES = 60


@pytest.fixture(scope="module")
def graph_dir():
    with tempfile.TemporaryDirectory(prefix="trtlint-generated-") as scratch:
        yield Path(scratch)


def disagreements(program: Program, oracle_session, directory: Path) -> list:
    """The diffs of every config where trtlint and the oracle disagree on ``program``."""
    graph_def = build_graph(program)
    data = graph_def.SerializeToString(deterministic=True)
    path = directory / f"g{abs(hash(data)) % 10**12}.pb"
    path.write_bytes(data)
    outputs = program.fetch_names()
    bad = []
    for config in BASE_CONFIGS:
        result = oracle_session.ask(path, config.oracle_flags(outputs))
        diff = compare_model(path, config, result, outputs=outputs, label="generated")
        if not diff.agrees:
            bad.append(diff)
    return bad


@settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(program=programs())
def test_random_graph_agrees_with_tftrt(program: Program, oracle_session, graph_dir):
    bad = disagreements(program, oracle_session, graph_dir)
    for diff in bad:
        note(diff.describe(limit=20))
    assert not bad, "\n".join(d.describe(limit=20) for d in bad)


def test_programs_print_as_listings():
    """What a failing example shows: placeholders, consts, steps with shapes and notes,
    control dependencies, fetches."""
    program = Program(
        inputs=[Tensor("x0", (None, None, 8))], consts=[Const("c0", (8, 4)), Const("c1", (4,))],
        steps=[Step("t1", "reshape_fold", ("x0",), (None, 8), note="batch changes"),
               Step("t2", "matmul", ("t1", "c0"), (None, 4), after="x0")],
        fetch=[("t2", True), ("t1", False)])
    lines = repr(program).strip().splitlines()
    assert lines[0] == "x0 = Placeholder(float32, [?, ?, 8])"
    assert lines[1] == "c0 = Const(float32, [8, 4])"          # c1 is not used: not listed
    assert lines[2].startswith("t1 = reshape_fold(x0)") and lines[2].endswith("# [?, 8]   batch changes")
    assert lines[3].startswith("t2 = matmul(t1, c0)   after x0") and "# [?, 4]" in lines[3]
    assert lines[4] == "fetch: t2 (as Identity out_0), t1"
    assert program.fetch_names() == ["out_0", "t1"]


def test_a_failing_example_is_shrunk_and_printed_as_a_listing():
    """Hypothesis reports the shrunk program with its listing (no TensorFlow needed)."""

    @settings(max_examples=20, derandomize=True, database=None, deadline=None)
    @given(program=programs())
    def always_fails(program):
        assert not program.steps

    with pytest.raises(AssertionError) as info:
        always_fails()
    report = "\n".join(getattr(info.value, "__notes__", []))
    assert "Falsifying example" in report or "Failing test case" in report
    assert "Placeholder(float32" in report and "fetch: t" in report
    # shrunk to the smallest program: three steps on one placeholder
    assert report.count(" = Placeholder(") == 1 and "t3 = " in report and "t4 = " not in report
