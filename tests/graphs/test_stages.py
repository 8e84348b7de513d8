"""Stage behaviour on the flagship: shocks fire where the scenario puts them; each mediator
strategy drafts the way it should (the lead party when unmediated, no substantive text from
a facilitative mediator while bargaining, a revised single text from a formulative one)."""

from __future__ import annotations

import pytest

from treatylab.graphs import RunConfig
from tests.conftest import run


@pytest.fixture(scope="module")
def episodes(flagship):
    return {m: run(flagship, RunConfig(mediator=m, seed=7))
            for m in ("none", "facilitative", "formulative")}


@pytest.mark.parametrize("mediator", ["none", "facilitative", "formulative"])
def test_shocks_fire_at_their_round_and_period(flagship, episodes, mediator):
    events = episodes[mediator].events
    fired = [e for e in events if e.kind == "shock"]
    expected = [("bargain", s.at_round, s.id) if s.at_round is not None
                else ("implement", s.at_period, s.id) for s in flagship.shocks]
    assert [(e.stage, e.round, e.payload.id) for e in fired] == expected
    assert [e.payload.public for e in fired] == [s.public for s in flagship.shocks]
    assert all(e.visibility == "public" for e in fired)
    # the bargaining shock opens its round: every delegate hears it before moving
    first = fired[0]
    assert all(e.seq > first.seq for e in events if e.stage == "bargain" and e.round == first.round
               and e.kind != "shock")


def test_unmediated_draft_comes_from_the_lead_party(flagship, episodes):
    episode = episodes["none"]
    assert not any(e.actor == "mediator" for e in episode.events)
    draft = [e for e in episode.events if e.stage == "draft"]
    assert draft[0].actor == flagship.rules.lead_party == "aurelia"
    assert draft[0].payload.proposal.package == episode.result["package"]


def test_facilitative_mediator_puts_no_text_on_the_table_while_bargaining(episodes):
    moves = [e for e in episodes["facilitative"].events
             if e.kind == "mediator_move" and e.stage in ("clarify", "bargain")]
    assert moves and all(m.payload.single_text is None for m in moves)
    assert {m.payload.move for m in moves} == {"summarize"}


def test_formulative_mediator_tables_a_text_every_round_until_consensus(episodes):
    episode = episodes["formulative"]
    texts = [e for e in episode.events if e.kind == "mediator_move" and e.stage == "bargain"]
    # one text after the delegates of every round, but not after the round that reached
    # consensus: bargaining ends there
    assert episode.result["outcome"] == "agreement"
    assert [e.round for e in texts] == list(range(1, episode.result["rounds"]))
    assert all(e.payload.move == "propose_text" and e.payload.single_text for e in texts)
    packages = [tuple(sorted(e.payload.single_text.items())) for e in texts]
    assert len(set(packages)) >= 2  # revised as preferences are revealed
