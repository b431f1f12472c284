"""The agreement table: trtlint vs TF-TRT 2.17 per corpus/fixture model and config.

    .venv/bin/python -m tests.differential.report            # every case (oracle cache first)
    .venv/bin/python -m tests.differential.report --only 009_cms_deepsc_graphnet.pb --details

One row per model and config: engines equal? (trtlint / TF-TRT engine counts), the
Jaccard index of all engine members, unconverted count equal? op types equal? per-type
counts equal?, and the known-differences entry (its stage) when the case is listed.
Then, per model, the agreement rate: configs where everything agrees / configs run.
The same per-model lines close a pytest run of tests/differential.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path
from typing import Iterable

if __package__ in (None, ""):                 # run as a file: make the package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
TESTS = Path(__file__).resolve().parents[1]
if str(TESTS) not in sys.path:                # tests/oracle.py, as under pytest
    sys.path.insert(0, str(TESTS))

from .compare import ModelDiff  # noqa: E402


def _mark(ok: bool) -> str:
    return "yes" if ok else "NO"


def table_lines(diffs: Iterable[ModelDiff], known: dict[tuple[str, str], str]) -> list[str]:
    head = (f"{'model':<42} {'config':<20} {'engines':>7} {'t/o':>7} {'jacc':>5} "
            f"{'count':>5} {'types':>5} {'per-type':>8}  known")
    lines = [head, "-" * len(head)]
    for d in diffs:
        mark = known.get((d.model, d.config), "")
        if d.error is not None:
            lines.append(f"{d.model[:42]:<42} {d.config:<20} {'-':>7} {'-':>7} {'-':>5} {'-':>5} "
                         f"{'-':>5} {'-':>8}  {mark or 'ERROR'}  ({d.error[:60]})")
            continue
        lines.append(f"{d.model[:42]:<42} {d.config:<20} {_mark(d.engines_equal):>7} "
                     f"{f'{d.ours_engines}/{d.their_engines}':>7} {d.node_jaccard:5.3f} "
                     f"{_mark(d.count_equal):>5} {_mark(d.types_equal):>5} "
                     f"{_mark(d.type_counts_equal):>8}  {mark}")
    return lines


def summary_lines(diffs: Iterable[ModelDiff]) -> list[str]:
    """Per model: configs agreeing / configs run, and which configs differ."""
    by_model: dict[str, list[ModelDiff]] = defaultdict(list)
    for d in diffs:
        by_model[d.model].append(d)
    lines = []
    total = agreeing = 0
    for model in sorted(by_model):
        rows = by_model[model]
        good = [d for d in rows if d.agrees]
        total += len(rows)
        agreeing += len(good)
        bad = ", ".join(f"{d.config} ({'+'.join(d.differing_aspects())})"
                        for d in rows if not d.agrees)
        lines.append(f"{model[:44]:<44} {len(good):>2}/{len(rows):<2} "
                     f"{100.0 * len(good) / len(rows):5.1f}%" + (f"  differs: {bad}" if bad else ""))
    if total:
        lines.append(f"{'all':<44} {agreeing}/{total} {100.0 * agreeing / total:5.1f}%")
    return lines


def main(argv=None) -> int:
    from .cases import all_cases, oracle_answers
    from .compare import compare_model
    from .known import entry_for, load_entries
    from .oracle_client import OracleSession

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", help="model name (repeatable)")
    parser.add_argument("--details", action="store_true", help="print every difference")
    args = parser.parse_args(argv)
    cases = [c for c in all_cases() if not args.only or c.model.name in args.only]
    with OracleSession() as session:
        answers = oracle_answers(cases, session)
    entries = load_entries()
    diffs, known = [], {}
    for case in cases:
        diff = compare_model(case.model.path, case.config, answers[case.id],
                             signature=case.model.signature, label=case.model.name)
        diffs.append(diff)
        entry = entry_for(entries, case.model.name, case.config.name)
        if entry is not None:
            known[(diff.model, diff.config)] = f"known: {entry.stage}"
    for line in table_lines(diffs, known):
        print(line)
    print()
    for line in summary_lines(diffs):
        print(line)
    if args.details:
        print()
        for diff in diffs:
            if not diff.agrees:
                print(diff.describe(limit=20))
    return 0


if __name__ == "__main__":
    sys.exit(main())
