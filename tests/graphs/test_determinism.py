"""Same scenario, config and seed: the same transcript and result, byte for byte."""

from __future__ import annotations

from treatylab.agents.transcript import STAGES, dumps_jsonl
from treatylab.graphs import RunConfig
from tests.conftest import run


def test_same_seed_same_bytes(flagship):
    first = run(flagship, RunConfig(mediator="formulative", seed=7))
    second = run(flagship, RunConfig(mediator="formulative", seed=7))
    assert dumps_jsonl(first.events) == dumps_jsonl(second.events)
    assert first.result == second.result


def test_agreement_covers_all_seven_stages(flagship):
    episode = run(flagship, RunConfig(mediator="formulative", seed=7))
    assert episode.result["outcome"] == "agreement"
    assert {event.stage for event in episode.events} == set(STAGES)


def test_mediator_changes_the_transcript(flagship):
    unmediated = run(flagship, RunConfig(mediator="none", seed=7))
    mediated = run(flagship, RunConfig(mediator="formulative", seed=7))
    assert dumps_jsonl(unmediated.events) != dumps_jsonl(mediated.events)
    assert not any(e.actor == "mediator" for e in unmediated.events)
    texts = [e for e in mediated.events if e.kind == "mediator_move" and e.payload.single_text]
    assert len(texts) >= 2  # a single negotiating text, revised


def test_events_are_numbered_in_order(flagship):
    episode = run(flagship, RunConfig(mediator="facilitative", seed=3))
    assert [e.seq for e in episode.events] == list(range(len(episode.events)))


def test_seeds_change_the_negotiation(flagship):
    transcripts = {dumps_jsonl(run(flagship, RunConfig(seed=seed)).events) for seed in (1, 2, 3)}
    assert len(transcripts) == 3
