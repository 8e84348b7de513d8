"""Hand-built views over a two-issue, three-party scenario, so backend tests need no graph."""

from __future__ import annotations

import pytest

from treatylab.agents.views import (
    Candidate,
    DelegateView,
    Implementation,
    MediatorView,
    OwnBrief,
    PartyPosition,
    PartyPublic,
    PendingProposal,
    PublicRecord,
    RecentEvent,
)
from treatylab.scenarios.schema import Issue, MediatorBudget, Option, RedLine, Rules

PARTIES = ["aurelia", "borealis", "caldera"]
CANARY_BRIEF = "CANARY-PRIVATE-BRIEF-7f3a"


def _issues() -> list[Issue]:
    return [
        Issue(id="burden", title="Burden sharing", options=[
            Option(id="equal", label="Equal shares"), Option(id="gdp", label="By GDP")]),
        Issue(id="command", title="Command", options=[
            Option(id="national", label="National"),
            Option(id="rotating", label="Rotating"),
            Option(id="integrated", label="Integrated")]),
    ]


def _common(stage: str, expected: str, round_: int = 0) -> dict:
    return dict(
        scenario_id="test-pact", title="Test Pact", alliance_type="defense_pact",
        background="Three states consider a defence pact.", rules=Rules(max_rounds=4),
        parties=[PartyPublic(id=p, name=p.title(), capacity=1 / 3, benefit=1 / 3,
                             persona=f"{p} speaks plainly") for p in PARTIES],
        issues=_issues(), stage=stage, round=round_, seed=7, expected=expected,
        record=PublicRecord(
            positions={p: PartyPosition() for p in PARTIES},
            pending=[PendingProposal(ref="p1", proposer="borealis", round=1,
                                     package={"burden": "gdp", "command": "rotating"})],
            candidates=[Candidate(ref="c1", package={"burden": "equal", "command": "national"})],
            recent=[RecentEvent(seq=3, stage="open", round=0, actor="borealis",
                                kind="delegate_move", text="We seek fairness.")],
        ),
    )


def delegate_view(stage: str = "bargain", expected: str = "delegate_action",
                  party: str = "aurelia") -> DelegateView:
    own = OwnBrief(
        persona="measured", private_brief=CANARY_BRIEF, style="linear", reservation=40,
        utilities={"burden": {"equal": 10, "gdp": 40}, "command": {"national": 60,
                   "rotating": 30, "integrated": 0}},
        red_lines=[RedLine(issue="command", forbid=["integrated"])],
    )
    implementation = None
    if stage == "implement":
        implementation = Implementation(period=1, periods=3,
                                        agreement={"burden": "gdp", "command": "rotating"})
    return DelegateView(**_common(stage, expected, 2 if stage == "bargain" else 0),
                        party_id=party, own=own, implementation=implementation)


def mediator_view(stage: str = "bargain", strategy: str = "formulative") -> MediatorView:
    return MediatorView(**_common(stage, "mediator_action", 2 if stage == "bargain" else 0),
                        strategy=strategy, budget=MediatorBudget(points=10))


@pytest.fixture
def dview() -> DelegateView:
    return delegate_view()


@pytest.fixture
def mview() -> MediatorView:
    return mediator_view()


@pytest.fixture
def no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """No credentials in the environment: the simulator needs none."""
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "AZURE_OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)


def usage_shape(result) -> list[tuple]:
    """Usage without wall-clock latency: what a replay must reproduce exactly."""
    return [(u.model, u.prompt_tokens, u.completion_tokens, u.attempt, u.repair, u.error)
            for u in result.usage]
