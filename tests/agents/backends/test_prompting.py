"""Prompts: every role x stage renders, deterministically, with a parseable view block."""

from __future__ import annotations

import pytest

from treatylab.agents import mediators
from treatylab.agents.backends.prompting import (
    SETTING,
    TURN,
    ViewBlockError,
    initial_messages,
    marker,
    nonce,
    repair_messages,
    view_from_messages,
)
from treatylab.agents.transcript import STAGES
from tests.agents.backends.conftest import CANARY_BRIEF, delegate_view, mediator_view

EXPECTED = {"finalize": "vote", "implement": "compliance"}
STRATEGIES = ["none", "facilitative", "formulative", "manipulative", "generate-rank-aggregate",
              "oracle"]


@pytest.mark.parametrize("stage", STAGES)
def test_delegate_prompts_render_and_round_trip(stage: str) -> None:
    view = delegate_view(stage, EXPECTED.get(stage, "delegate_action"))
    messages = initial_messages(view)
    assert [m["role"] for m in messages] == ["system", "user"]
    assert messages == initial_messages(view), "rendering must be deterministic"
    system, user = messages[0]["content"], messages[1]["content"]
    code = nonce(view)
    assert system.count(marker(SETTING, code)) == 1 and system.count(marker(SETTING, code, True)) == 1
    assert user.count(marker(TURN, code)) == 1 and user.count(marker(TURN, code, True)) == 1
    assert user.index(marker(TURN, code, True)) < user.index("Your task now:"), "the task comes last"
    assert view_from_messages(messages) == view
    assert CANARY_BRIEF in system, "the delegate's own brief is in its prompt"
    assert CANARY_BRIEF not in user, "each fact once: the brief is in the SETTING block only"


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("stage", STAGES)
def test_mediator_prompts_render_for_every_strategy(strategy: str, stage: str) -> None:
    view = mediator_view(stage, strategy)
    messages = initial_messages(view)
    assert view_from_messages(messages) == view
    assert f'Your strategy ("{strategy}")' in messages[0]["content"]


def test_every_registered_strategy_has_instructions() -> None:
    for name in mediators.available():
        initial_messages(mediator_view("bargain", name))


def test_blocks_are_one_line_of_json_whose_strings_cannot_hold_markers() -> None:
    view = delegate_view().model_copy(update={"background": "<b> & 'quoted'\u2028next"})
    system = initial_messages(view)[0]["content"]
    line = system.split(marker(SETTING, nonce(view)) + "\n", 1)[1].split("\n", 1)[0]
    assert line.startswith('{"role":"delegate"') and "<" not in line and "\u2028" not in line
    assert "\\u003cb\\u003e & 'quoted'\\u2028next" in line
    assert view_from_messages(initial_messages(view)).background == "<b> & 'quoted'\u2028next"


def test_consecutive_prompts_of_a_party_share_the_system_message() -> None:
    first, later = delegate_view("open"), delegate_view("bargain")
    assert initial_messages(first)[0] == initial_messages(later)[0]


def test_repair_quotes_every_problem_and_keeps_the_view_block_first() -> None:
    view = delegate_view()
    messages = initial_messages(view) + repair_messages(view, '{"bad": 1}', ["p-one", "p-two"])
    assert messages[2] == {"role": "assistant", "content": '{"bad": 1}'}
    assert "- p-one" in messages[3]["content"] and "- p-two" in messages[3]["content"]
    assert view_from_messages(messages) == view


def test_missing_view_block_is_a_clear_error() -> None:
    with pytest.raises(ViewBlockError, match="no system message carries a view block"):
        view_from_messages([{"role": "user", "content": "hello"}])
    messages = initial_messages(delegate_view())
    with pytest.raises(ViewBlockError, match="no user message carries the TURN view block"):
        view_from_messages(messages[:1])


def _rendered_system_prompt(view) -> str:
    """The system message rendered from its template, bypassing the per-process cache."""
    from treatylab.agents.backends.prompting import SETTING as KIND, block, role_dir, setting_json
    from treatylab.prompts import render

    return render(f"{role_dir(view)}/system.j2", view=view,
                  setting=block(KIND, view, setting_json(view)), nonce=nonce(view))


@pytest.mark.parametrize("stage", STAGES)
def test_cached_system_message_is_the_rendered_one(stage: str) -> None:
    for view in (delegate_view(stage, EXPECTED.get(stage, "delegate_action")),
                 delegate_view(stage, EXPECTED.get(stage, "delegate_action"), party="borealis"),
                 mediator_view(stage), mediator_view(stage, "oracle")):
        for _ in range(2):  # the first call fills the cache, the second reads it
            assert initial_messages(view)[0]["content"] == _rendered_system_prompt(view)


def test_a_changed_setting_field_or_nonce_gets_its_own_system_message() -> None:
    base = delegate_view("bargain")
    other_brief = base.model_copy(update={"own": base.own.model_copy(update={"persona": "blunt"})})
    other_nonce = base.model_copy(update={"fence": "f" * 16})
    other_strategy = mediator_view("bargain", "facilitative")
    messages = [initial_messages(view)[0]["content"]
                for view in (base, other_brief, other_nonce, mediator_view("bargain"), other_strategy)]
    assert len(set(messages)) == 5
    assert "blunt" in messages[1] and "blunt" not in messages[0]
    assert messages[2] == _rendered_system_prompt(other_nonce)
