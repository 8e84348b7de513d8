"""The rules of the table: decision rule, proposal refs, consensus. The protocol, not the
agents, decides when the negotiation ends."""

from __future__ import annotations

from treatylab.scenarios.decision_rule import passes

__all__ = ["REJECTIONS_RETURNED", "RETRY_ROUNDS", "candidate_ref", "passes", "proposal_ref",
           "returns_to_bargaining"]

RETRY_ROUNDS = 2  # bargaining rounds granted after a text is voted down (once)
REJECTIONS_RETURNED = 1  # how many voted-down texts send the parties back to bargaining


def returns_to_bargaining(rejections: int) -> bool:
    """After `rejections` voted-down texts: back to bargaining (True) or breakdown (False)."""
    return rejections <= REJECTIONS_RETURNED


def proposal_ref(round_: int, proposer: str) -> str:
    return f"r{round_}-{proposer}"


def candidate_ref(round_: int, index: int) -> str:
    return f"r{round_}-c{index + 1}"
