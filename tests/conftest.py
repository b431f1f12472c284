"""Shared pytest configuration: what a test needs from the machine, decided in one place.

Markers (declared in pyproject.toml):
- `oracle`: the test runs the TF-TRT CPU oracle (tools/tftrt-oracle, see tests/oracle.py). Skipped
  when the oracle environment is absent, unless TRTLINT_REQUIRE_ORACLE=1 (CI sets it after
  building the oracle): then the test FAILS, so a broken oracle build cannot pass silently.
- `tensorflow`: the test imports TensorFlow (test oracles, fixture generators). Skipped when
  TensorFlow is not installed in the test environment.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

# Test helper modules (oracle.py, ...) live next to this file; make them importable whatever
# pytest's import mode.
if str(Path(__file__).parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).parent))

from oracle import oracle_available, why_unavailable  # noqa: E402


def _oracle_required() -> bool:
    return os.environ.get("TRTLINT_REQUIRE_ORACLE") == "1"


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("oracle") is not None and not oracle_available():
        if _oracle_required():
            pytest.fail(f"TRTLINT_REQUIRE_ORACLE=1 but {why_unavailable()}", pytrace=False)
        pytest.skip(why_unavailable())
    if item.get_closest_marker("tensorflow") is not None and importlib.util.find_spec("tensorflow") is None:
        pytest.skip("TensorFlow is not installed in this environment (pip install -e '.[test]')")
