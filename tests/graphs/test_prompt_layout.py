"""The prompt layout on a real episode: lossless, each package once, stable prefix first."""

from __future__ import annotations

import asyncio
import json
import os

import pytest

from treatylab.agents.backends.recorder import ViewRecorder
from treatylab.agents.backends.prompting import ALSO_LATEST, initial_messages, view_from_messages
from treatylab.agents.transcript import MEDIATOR
from treatylab.agents.views import DelegateView, View
from treatylab.graphs import RunConfig
from treatylab.runner import run_episode
from treatylab.scenarios import load



@pytest.fixture(scope="module")
def views() -> dict[str, list[View]]:
    scenario = load("northern-shield")
    backends = {p: ViewRecorder() for p in scenario.party_ids()}
    backends[MEDIATOR] = ViewRecorder()
    asyncio.run(run_episode(scenario, RunConfig(mediator="formulative", seed=1), backends=backends))
    return {actor: backend.views for actor, backend in backends.items()}


def _turn(view: View) -> dict:
    user = initial_messages(view)[1]["content"]
    return json.loads(next(line for line in user.splitlines() if line.startswith("{")))


def test_every_view_of_an_episode_round_trips_exactly(views) -> None:
    flagged = 0
    for actor_views in views.values():
        for view in actor_views:
            assert view_from_messages(initial_messages(view)) == view
            flagged += sum(1 for item in _turn(view).get("record", {}).get("pending", [])
                           if item.get(ALSO_LATEST))
    assert flagged > 20  # the sharing is exercised, not vacuous


def test_a_pending_package_is_not_repeated_in_positions(views) -> None:
    for view in views["aurelia"]:
        record = _turn(view).get("record", {})
        for item in record.get("pending", []):
            row = record.get("positions", {}).get(item["proposer"], {})
            if item.get(ALSO_LATEST):
                assert "latest" not in row
            else:
                assert row.get("latest") != item["package"]


def test_turn_fields_that_change_every_turn_come_last(views) -> None:
    for view in views["aurelia"] + views[MEDIATOR]:
        keys = list(_turn(view))
        assert keys[0] in ("record", "caucus")
        assert keys[-4:] == ["stage", "round", "seed", "expected"]
        record = list(_turn(view)["record"])
        if "recent" in record:
            assert record[-1] == "recent"
        if "pending" in record:
            assert record[-1 - ("recent" in record)] == "pending"


def test_implementation_prompts_carry_no_bargaining_state(views) -> None:
    implement = [v for v in views["aurelia"] if v.stage == "implement"]
    assert len(implement) == 3
    for view in implement:
        assert isinstance(view, DelegateView) and view.implementation is not None
        assert set(_turn(view)["record"]) <= {"shocks", "recent"}


def test_consecutive_bargaining_prompts_share_more_than_the_system_message(views) -> None:
    texts = [m[0]["content"] + "\n" + m[1]["content"]
             for m in (initial_messages(v) for v in views[MEDIATOR] if v.stage == "bargain")]
    system = len(initial_messages(views[MEDIATOR][0])[0]["content"])
    shared = [len(os.path.commonprefix([a, b])) for a, b in zip(texts, texts[1:])]
    assert len(shared) >= 3 and max(shared) > system + 500  # the caucus log leads the TURN block
