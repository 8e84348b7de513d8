"""Views for mediator tests, built by the real view builder and then edited."""

from __future__ import annotations

from typing import Any

import pytest

from treatylab import scenarios
from treatylab.agents.views import DelegateView, MediatorView
from treatylab.graphs import RunConfig
from treatylab.graphs import views as view_builder
from treatylab.scenarios import Scenario


@pytest.fixture(scope="session")
def shield() -> Scenario:
    return scenarios.load("northern-shield")


def mediator_view(scenario: Scenario, strategy: str, *, stage: str = "bargain", round_: int = 2,
                  oracle: bool = False, **record: Any) -> MediatorView:
    config = RunConfig(mediator=strategy, seed=3)
    view = view_builder.mediator_view(scenario, config, [], stage=stage, round_=round_, oracle=oracle)
    return view.model_copy(update={"record": view.record.model_copy(update=record)})


def delegate_view(scenario: Scenario, party: str, *, round_: int = 3, **record: Any) -> DelegateView:
    config = RunConfig(mediator="manipulative", seed=3)
    view = view_builder.delegate_view(scenario, config, [], party, stage="bargain", round_=round_,
                                      expected="delegate_action")
    return view.model_copy(update={"record": view.record.model_copy(update=record)})
