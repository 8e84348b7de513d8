"""The rules of the table: decision rule, proposal refs, consensus. The protocol, not the
agents, decides when the negotiation ends."""

from __future__ import annotations

from treatylab.scenarios.schema import Scenario

RETRY_ROUNDS = 2  # bargaining rounds granted after a text is voted down (once)


def passes(scenario: Scenario, supporters: set[str]) -> bool:
    """Whether `supporters` carry a decision under the scenario's decision rule, exactly.

    The one public rule check of the project: every veto party is among the supporters, and
    they number at least `Rules.required_signatories(n)` of the n parties (all of them under
    unanimity; the exact ceiling of threshold x n, or `min_signatories`, under a qualified
    majority). No tolerance: thresholds are rationals, so "6/7" passes with 6 of 7.
    """
    parties = set(scenario.party_ids())
    rules = scenario.rules
    if any(veto not in supporters for veto in rules.veto_parties):
        return False
    return len(supporters & parties) >= rules.required_signatories(len(parties))


def proposal_ref(round_: int, proposer: str) -> str:
    return f"r{round_}-{proposer}"


def candidate_ref(round_: int, index: int) -> str:
    return f"r{round_}-c{index + 1}"
