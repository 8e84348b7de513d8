"""The rules of the table: decision rule, proposal refs, consensus. The protocol, not the
agents, decides when the negotiation ends."""

from __future__ import annotations

from treatylab.scenarios.decision_rule import passes

__all__ = ["RETRY_ROUNDS", "candidate_ref", "passes", "proposal_ref"]

RETRY_ROUNDS = 2  # bargaining rounds granted after a text is voted down (once)


def proposal_ref(round_: int, proposer: str) -> str:
    return f"r{round_}-{proposer}"


def candidate_ref(round_: int, index: int) -> str:
    return f"r{round_}-c{index + 1}"
