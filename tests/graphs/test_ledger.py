"""The incremental public record equals the batch one at every point of whole episodes."""

from __future__ import annotations

import pytest

from treatylab.agents.transcript import MEDIATOR
from treatylab.graphs import RunConfig
from treatylab.graphs.ledger import Ledger, ledger_for
from treatylab.graphs.record import caucus_for_mediator, public_record
from treatylab.scenarios import load
from tests.conftest import run


@pytest.mark.parametrize(("scenario_id", "mediator", "seed"), [
    ("northern-shield", "formulative", 7), ("northern-shield", "manipulative", 2),
    ("island-compact", "generate-rank-aggregate", 2), ("northern-shield", "facilitative", 3)])
def test_ledger_matches_the_batch_record_after_every_event(scenario_id, mediator, seed):
    scenario = load(scenario_id)
    events = run(scenario, RunConfig(mediator=mediator, seed=seed)).events
    ledger = Ledger(scenario, 12)
    viewers = [*scenario.party_ids(), MEDIATOR]
    checked = 0
    for n in range(1, len(events) + 1):
        prefix = events[:n]
        ledger.extend(prefix)
        round_ = max(e.round for e in prefix if e.stage == "bargain") + 1 if any(
            e.stage == "bargain" for e in prefix) else 0
        for viewer in viewers:
            assert ledger.record(viewer, round_, None) == public_record(
                scenario, prefix, viewer, round_, None, 12), (n, viewer)
            checked += 1
        assert [(m.sender, m.text) for m in ledger.caucus] == caucus_for_mediator(prefix)
        for party in scenario.party_ids():
            notes = [e.payload.text for e in prefix if e.kind == "private_note" and e.actor == party]
            assert list(ledger.notes[party]) == notes[-3:]
    assert checked > 200


def test_ledger_for_follows_one_transcript_and_rebuilds_for_another(flagship):
    events = run(flagship, RunConfig(mediator="formulative", seed=1)).events
    first = ledger_for(flagship, events[:40], 12)
    assert ledger_for(flagship, events[:90], 12) is first and first.count == 90
    shorter = ledger_for(flagship, events[:30], 12)
    assert shorter is not first and shorter.count == 30
    copies = [e.model_copy() for e in events[:50]]
    assert ledger_for(flagship, copies, 12) is not shorter
