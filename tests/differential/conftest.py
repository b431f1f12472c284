"""Session fixtures of the differential tests: one oracle process for the whole session.

``oracle_session`` is the long-lived client (tests/differential/oracle_client.py);
``corpus_answers`` asks it, once, for every corpus/fixture case, so a cold run pays
TensorFlow's import once and every later test reads a dict.  The agreement of every
compared case is collected in ``DIFFS`` and summarised at the end of the run.
"""

from __future__ import annotations

import os

import pytest

from oracle import OracleUnavailable

from .cases import all_cases, oracle_answers
from .oracle_client import OracleSession

#: case id -> ModelDiff, filled by the corpus tests, printed by the terminal summary
DIFFS: dict = {}


@pytest.fixture(scope="session")
def oracle_session():
    with OracleSession() as session:
        yield session


@pytest.fixture(scope="session")
def corpus_answers(oracle_session) -> dict:
    """Every case's oracle result (cached ones are served even without the oracle)."""
    try:
        return oracle_answers(all_cases(), oracle_session)
    except OracleUnavailable as exc:
        if os.environ.get("TRTLINT_REQUIRE_ORACLE") == "1":
            pytest.fail(str(exc), pytrace=False)
        pytest.skip(str(exc))


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if not DIFFS:
        return
    from .report import summary_lines

    terminalreporter.section("trtlint vs TF-TRT 2.17 (differential)")
    for line in summary_lines(DIFFS.values()):
        terminalreporter.write_line(line)
