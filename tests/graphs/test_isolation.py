"""Information isolation: no other party's private brief reaches a delegate's view or prompt.

Every private brief carries a canary string; a recording backend keeps every view the graph
hands out during a full mediated run, and no view, nor the LLM prompt rendered from it, may
hold another party's canary.
"""

from __future__ import annotations

from treatylab.agents.backends.heuristic import HeuristicBackend
from treatylab.agents.backends.recorder import ViewRecorder
from treatylab.agents.backends.prompting import initial_messages
from treatylab.agents.transcript import MEDIATOR
from treatylab.graphs import RunConfig
from tests.conftest import run



def canary(party_id: str) -> str:
    return f"CANARY-{party_id.upper()}-9c1e"


def _with_canaries(scenario):
    parties = [p.model_copy(update={"private_brief": f"{p.private_brief} {canary(p.id)}"})
               for p in scenario.parties]
    return scenario.model_copy(update={"parties": parties})


def test_private_briefs_stay_with_their_party(flagship):
    scenario = _with_canaries(flagship)
    backends = {p: ViewRecorder() for p in scenario.party_ids()}
    backends[MEDIATOR] = ViewRecorder()
    episode = run(scenario, RunConfig(mediator="formulative", seed=7), backends=backends)
    assert episode.result["outcome"] in ("agreement", "breakdown")
    for actor, backend in backends.items():
        assert backend.views, f"{actor} never acted"
        for view in backend.views:
            text = view.model_dump_json()
            prompt = "\n".join(m["content"] for m in initial_messages(view))
            for other in scenario.party_ids():
                if other != actor:
                    assert canary(other) not in text, f"{other}'s brief reached {actor}'s view"
                    assert canary(other) not in prompt, f"{other}'s brief reached {actor}'s prompt"
            if actor != MEDIATOR:
                assert canary(actor) in text  # its own brief is there
                assert canary(actor) in prompt


def test_private_notes_and_caucus_stay_private(flagship):
    backends = {p: ViewRecorder() for p in flagship.party_ids()}
    backends[MEDIATOR] = ViewRecorder()
    episode = run(flagship, RunConfig(mediator="facilitative", seed=3), backends=backends)
    hidden = {e.seq: e for e in episode.events if e.kind in ("private_note", "caucus")}
    assert {e.kind for e in hidden.values()} == {"private_note", "caucus"}
    texts: dict[str, set[str]] = {}
    for event in hidden.values():
        texts.setdefault(event.payload.text, set()).add(event.actor)
    for actor, backend in backends.items():
        for view in backend.views:
            for item in view.record.recent:
                if item.seq in hidden:
                    owner = hidden[item.seq]
                    allowed = {owner.actor} | ({MEDIATOR} if owner.kind == "caucus" else set())
                    assert actor in allowed, f"{owner.kind} of {owner.actor} reached {actor}"
            dumped = view.model_dump_json()
            for text, authors in texts.items():  # texts only one party wrote
                if len(authors) == 1 and actor not in authors and actor != MEDIATOR:
                    assert text not in dumped
    mediator_text = " ".join(v.model_dump_json() for v in backends[MEDIATOR].views)
    assert all(e.payload.text in mediator_text for e in hidden.values() if e.kind == "caucus")


def test_oracle_sees_true_utilities_only_when_declared(flagship):
    backend = ViewRecorder()
    backends = {p: HeuristicBackend() for p in flagship.party_ids()}
    backends[MEDIATOR] = backend
    run(flagship, RunConfig(mediator="formulative", seed=1), backends=backends)
    assert all(view.oracle is None for view in backend.views)


def test_bargaining_caucus_reaches_only_its_party():
    # Shuttle diplomacy: the formulative mediator meets stalled critics one at a time during
    # bargaining; its message reaches that party alone, and the answer the mediator alone.
    from treatylab.scenarios import load

    scenario = load("ardent-valley")
    backends = {p: ViewRecorder() for p in scenario.party_ids()}
    backends[MEDIATOR] = ViewRecorder()
    episode = run(scenario, RunConfig(mediator="formulative", seed=0), backends=backends)
    sent = [e for e in episode.events if e.kind == "caucus" and e.stage == "bargain" and e.actor == MEDIATOR]
    answers = [e for e in episode.events if e.kind == "caucus" and e.stage == "bargain" and e.actor != MEDIATOR]
    assert len({e.payload.to for e in sent}) >= 2 and answers
    for move in (e for e in episode.events if e.kind == "mediator_move"):
        assert move.payload.caucus_with is None and move.payload.caucus_message == ""
    for event in sent:
        party = event.payload.to
        delivered = [v for v in backends[party].views if v.stage == "bargain" and v.round == event.round + 1]
        assert any(m.text == event.payload.text for v in delivered for m in v.messages)
        for other in scenario.party_ids():
            if other == party:
                continue
            for view in backends[other].views:
                prompt = "\n".join(m["content"] for m in initial_messages(view))
                assert event.payload.text not in view.model_dump_json(), f"{party}'s caucus reached {other}"
                assert event.payload.text not in prompt
    assert {a.actor for a in answers} <= {e.payload.to for e in sent}
    for answer in answers:
        writers = {a.actor for a in answers if a.payload.text == answer.payload.text}
        for other in set(scenario.party_ids()) - writers:
            assert all(answer.payload.text not in v.model_dump_json() for v in backends[other].views)
