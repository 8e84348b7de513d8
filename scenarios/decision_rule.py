"""Whether a set of supporters carries a decision under a scenario's decision rule.

A function of the scenario's rules alone, so it lives with the scenario: the protocol
(`graphs.protocol`, which re-exports it), the rational baselines and the oracle mediator in
`agents`, and the outcome-space masks in `evals` all ask this one function.
"""

from __future__ import annotations

from typing import Any

__all__ = ["passes"]


def passes(scenario: Any, supporters: set[str]) -> bool:
    """Whether `supporters` carry a decision under the scenario's decision rule, exactly.

    The one public rule check of the project: every veto party is among the supporters, and
    they number at least `Rules.required_signatories(n)` of the n parties (all of them under
    unanimity; the exact ceiling of threshold x n, or `min_signatories`, under a qualified
    majority). No tolerance: thresholds are rationals, so "6/7" passes with 6 of 7.

    Args:
        scenario: a `Scenario`, or any object with `rules` and `party_ids()` (the oracle
            mediator passes its view's rules and parties).
    """
    parties = set(scenario.party_ids())
    rules = scenario.rules
    if any(veto not in supporters for veto in rules.veto_parties):
        return False
    return len(supporters & parties) >= rules.required_signatories(len(parties))
