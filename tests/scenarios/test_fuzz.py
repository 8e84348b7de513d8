"""A seeded sample of the scenario fuzzer (tests/scenarios/fuzz.py), in process: every
mutated file is refused with a line naming the file and the field, or accepted and run,
and nothing raises. The full pass (500+ files, forked, 20 s and RSS limits) is
`python -m tests.scenarios.fuzz --count 500`."""

from __future__ import annotations

from collections import Counter

from tests.scenarios import fuzz


def test_a_seeded_sample_is_refused_or_run_without_a_traceback(tmp_path) -> None:
    cases = fuzz.make_cases(tmp_path / "cases", 60, seed=7, big=False, huge_mb=6)
    assert len(cases) == 60
    expected = Counter(case.expect for case in cases)
    assert expected["refuse"] >= 40 and expected["accept"] >= 5
    outcomes = []
    runs = 0
    for n, case in enumerate(cases):
        if case.expect == "accept" and runs >= 2:
            continue  # runs are the slow part: a few of them, under different mediators
        runs += case.expect == "accept"
        outcomes.append(fuzz.check_case(case, tmp_path / "runs",
                                        fuzz.MEDIATORS[n % len(fuzz.MEDIATORS)], fork=False))
    problems = [f"{o.case.kind} {o.case.path}: {p}" for o in outcomes for p in o.problems]
    assert problems == []
    summary = fuzz.summarise(outcomes)
    assert summary["tracebacks"] == 0
    assert summary["refused"] == sum(o.case.expect == "refuse" for o in outcomes) + sum(
        o.case.expect == "any" and o.validate_code == 2 for o in outcomes)
    assert summary["accepted_and_run"] >= 2
    kinds = {o.case.kind for o in outcomes if o.validate_code == 2}
    for kind in ("nan-utility", "schema-version-true", "boolean-as-number", "reserved-party-id",
                 "duplicate-key", "deep-flow-list", "alias-bomb", "dev-zero", "fifo",
                 "library-escape", "negative-burden-share", "empty-text"):
        assert kind in kinds
