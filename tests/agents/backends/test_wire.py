"""Wire models: strict-schema compatible, and a lossless round trip to the domain actions."""

from __future__ import annotations

import json

import pytest
from openai.lib._parsing._completions import type_to_response_format_param

from treatylab.agents.actions import DelegateAction, MediatorAction, Proposal
from treatylab.agents.backends.wire import (
    WIRE_MODELS,
    Choice,
    PartyValue,
    WireDelegateAction,
    WireMediatorAction,
    WireProblems,
    WireProposal,
    from_wire,
    to_wire,
)
from treatylab.agents.policy import decide
from tests.agents.backends.conftest import delegate_view, mediator_view


def _objects(schema: object):
    if isinstance(schema, dict):
        if schema.get("type") == "object":
            yield schema
        for value in schema.values():
            yield from _objects(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from _objects(value)


@pytest.mark.parametrize("kind", sorted(WIRE_MODELS))
def test_schemas_are_strict_compatible(kind: str) -> None:
    param = type_to_response_format_param(WIRE_MODELS[kind])
    schema = param["json_schema"]["schema"]
    assert param["json_schema"]["strict"] is True
    for obj in _objects(schema):
        assert obj["additionalProperties"] is False, "free-form objects are refused in strict mode"
        assert sorted(obj["required"]) == sorted(obj["properties"]), "every field must be required"
    assert "default" not in json.dumps(schema)


@pytest.mark.parametrize("view", [
    delegate_view("prepare"), delegate_view("open"), delegate_view("bargain"),
    delegate_view("finalize", "vote"), delegate_view("implement", "compliance"),
    mediator_view("bargain", "formulative"), mediator_view("clarify", "facilitative"),
])
def test_policy_actions_round_trip(view) -> None:
    action = decide(view)
    wire = to_wire(action)
    again = WIRE_MODELS[view.expected].model_validate_json(wire.model_dump_json())
    proposer = getattr(view, "party_id", "")
    assert from_wire(again, proposer) == action


def test_duplicates_and_ranges_become_repairable_problems() -> None:
    wire = WireDelegateAction(
        statement="s", proposal=WireProposal(package=[Choice(issue="burden", option="gdp"),
                                                       Choice(issue="burden", option="equal")],
                                             rationale=""),
        responses=[], declared_red_lines=[], commitments=[], priorities=[], ranking=[],
        trust=[PartyValue(party="borealis", value=1.5)], private_note="", to_mediator=None)
    with pytest.raises(WireProblems) as caught:
        from_wire(wire, "aurelia")
    text = " ".join(caught.value.problems)
    assert "issue 'burden' is named twice" in text
    assert "1.5" in text and "outside 0..1" in text


def test_proposer_is_the_acting_party() -> None:
    wire = WireDelegateAction(
        statement="s", proposal=WireProposal(package=[Choice(issue="burden", option="gdp")],
                                             rationale="r"),
        responses=[], declared_red_lines=[], commitments=[], priorities=[], ranking=[],
        trust=[], private_note="", to_mediator=None)
    action = from_wire(wire, "caldera")
    assert isinstance(action, DelegateAction)
    assert action.proposal == Proposal(proposer="caldera", package={"burden": "gdp"}, rationale="r")


def test_mediator_candidates_and_compensation() -> None:
    action = MediatorAction(statement="x", move="propose_text",
                            single_text={"burden": "gdp", "command": "rotating"},
                            candidates=[{"burden": "equal", "command": "national"}],
                            compensation={"aurelia": 2.5})
    wire = to_wire(action)
    assert isinstance(wire, WireMediatorAction)
    assert from_wire(wire) == action
