"""Prompts: every role x stage renders, deterministically, with a parseable view block."""

from __future__ import annotations

import pytest

from treatylab.agents import mediators
from treatylab.agents.backends.prompting import (
    VIEW_BEGIN,
    VIEW_END,
    ViewBlockError,
    initial_messages,
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
    user = messages[1]["content"]
    assert user.count(VIEW_BEGIN) == 1 and user.count(VIEW_END) == 1
    assert view_from_messages(messages) == view
    assert CANARY_BRIEF in messages[0]["content"], "the delegate's own brief is in its prompt"


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("stage", STAGES)
def test_mediator_prompts_render_for_every_strategy(strategy: str, stage: str) -> None:
    view = mediator_view(stage, strategy)
    messages = initial_messages(view)
    assert view_from_messages(messages) == view
    assert f"strategy ({strategy})" in messages[1]["content"]


def test_every_registered_strategy_has_instructions() -> None:
    for name in mediators.available():
        initial_messages(mediator_view("bargain", name))


def test_view_block_is_sorted_json_without_html_escaping() -> None:
    view = delegate_view().model_copy(update={"background": "<b> & 'quoted'"})
    user = initial_messages(view)[1]["content"]
    block = user.split(VIEW_BEGIN, 1)[1].split(VIEW_END, 1)[0]
    assert "<b> & 'quoted'" in block
    assert block.strip().startswith('{"alliance_type"')


def test_repair_quotes_every_problem_and_keeps_the_view_block_first() -> None:
    view = delegate_view()
    messages = initial_messages(view) + repair_messages(view, '{"bad": 1}', ["p-one", "p-two"])
    assert messages[2] == {"role": "assistant", "content": '{"bad": 1}'}
    assert "- p-one" in messages[3]["content"] and "- p-two" in messages[3]["content"]
    assert view_from_messages(messages) == view


def test_missing_view_block_is_a_clear_error() -> None:
    with pytest.raises(ViewBlockError, match="no user message carries a view block"):
        view_from_messages([{"role": "user", "content": "hello"}])
