"""The rules of the table: decision rule, proposal refs, consensus. The protocol, not the
agents, decides when the negotiation ends."""

from __future__ import annotations

from treatylab.scenarios.schema import Scenario

RETRY_ROUNDS = 2  # bargaining rounds granted after a text is voted down (once)


def passes(scenario: Scenario, supporters: set[str]) -> bool:
    """Whether `supporters` carry a decision under the scenario's decision rule."""
    parties = scenario.party_ids()
    if any(veto not in supporters for veto in scenario.rules.veto_parties):
        return False
    if scenario.rules.decision_rule == "unanimity":
        return set(parties) <= supporters
    share = len(supporters & set(parties)) / len(parties)
    return share >= scenario.rules.majority_threshold - 1e-9


def proposal_ref(round_: int, proposer: str) -> str:
    return f"r{round_}-{proposer}"


def candidate_ref(round_: int, index: int) -> str:
    return f"r{round_}-c{index + 1}"
