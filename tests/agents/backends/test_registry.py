"""The backend registry: a toy backend registers in this file alone and plays a whole episode."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import Field

from treatylab.agents.backends.base import Backend, TurnResult
from treatylab.agents.backends.heuristic import HeuristicBackend
from treatylab.agents.backends.registry import (
    BackendKind,
    BackendSettings,
    backend_kind,
    kinds,
    register_backend,
    unregister_backend,
)
from treatylab.agents.views import View
from treatylab.core.errors import UserError
from treatylab.graphs import RunConfig
from treatylab.runner import run_episode
from treatylab.scenarios import load


class EchoSettings(BackendSettings):
    label: str = Field(min_length=2)
    temperature: float = 0.0  # taken from the run config


class EchoBackend(Backend):
    """Plays the baseline policy, and counts its turns."""

    name = "echo"

    def __init__(self, settings: EchoSettings) -> None:
        self.settings = settings
        self.turns = 0
        self._inner = HeuristicBackend()

    async def aact(self, view: View) -> TurnResult:
        self.turns += 1
        return self._inner.act(view)


built: list[EchoBackend] = []


def _build(settings: EchoSettings, role: str) -> Backend:
    built.append(EchoBackend(settings))
    return built[-1]


@pytest.fixture
def echo() -> Iterator[None]:
    built.clear()
    register_backend(BackendKind(kind="echo", settings=EchoSettings, build=_build,
                                 argument="label", roles=("delegate",), usage="echo:LABEL"))
    yield
    unregister_backend("echo")


def test_builtin_kinds_are_known_without_importing_them() -> None:
    assert {"heuristic", "openai", "human"} <= set(kinds())
    assert backend_kind("openai:gpt-x").uses_llm and not backend_kind("heuristic").uses_llm
    assert backend_kind("human").roles == ("delegate",)


def test_unknown_and_malformed_specs_are_refused_with_the_known_kinds() -> None:
    with pytest.raises(ValueError, match="unknown backend 'gpt4'; use heuristic, human, openai:MODEL"):
        RunConfig(default_backend="gpt4")
    with pytest.raises(ValueError, match="needs a model: openai:MODEL"):
        RunConfig(default_backend="openai")
    with pytest.raises(ValueError, match="takes no argument; use 'heuristic'"):
        RunConfig(default_backend="heuristic:fast")


async def test_a_toy_backend_registers_and_plays_an_episode(echo: None) -> None:
    scenario = load("northern-shield")
    party = scenario.party_ids()[0]
    config = RunConfig(mediator="formulative", seed=3, temperature=0.4,
                       delegates={party: "echo:tortoise"})
    assert not config.uses_llm()
    run = await run_episode(scenario, config)
    reference = await run_episode(scenario, RunConfig(mediator="formulative", seed=3, temperature=0.4))
    (backend,) = built
    assert backend.settings == EchoSettings(label="tortoise", temperature=0.4)
    assert backend.turns >= 4  # prepare, open, clarify, at least one bargaining round
    # the toy plays the baseline policy, so the negotiation is the heuristic one
    assert run.result["outcome"] == reference.result["outcome"]
    assert [e.model_dump() for e in run.events] == [e.model_dump() for e in reference.events]


async def test_a_kind_takes_only_its_seats(echo: None) -> None:
    scenario = load("northern-shield")
    config = RunConfig(mediator="formulative", mediator_backend="echo:tortoise")
    with pytest.raises(UserError, match="cannot take a mediator seat"):
        await run_episode(scenario, config)
    with pytest.raises(ValueError, match="label: String should have at least 2 characters"):
        RunConfig(default_backend="echo:x")
