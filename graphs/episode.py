"""Everything a node needs besides the state: scenario, config, backends, mediator strategy.

Nodes are closures over one Episode, so the state itself stays plain JSON (checkpointable)
and no backend object ever lands in a checkpoint. The closure may hold the Episode itself
(`build_graph`: one graph per run) or `CurrentEpisode()`, which stands for the Episode bound
to the running context by `bound_episode` (`shared_graph`: one compiled graph per process,
since compiling costs about 25 ms, all of it before the first LLM call). Context variables
are copied into every asyncio task LangGraph starts, so concurrent episodes in one process
each see their own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from treatylab.agents import mediators
from treatylab.agents.backends.base import Backend
from treatylab.agents.mediators.base import MediatorStrategy
from treatylab.agents.transcript import MEDIATOR, Event
from treatylab.graphs.config import RunConfig
from treatylab.graphs.events import parse
from treatylab.scenarios.schema import Scenario


@dataclass
class Episode:
    scenario: Scenario
    config: RunConfig
    backends: dict[str, Backend]
    strategy: MediatorStrategy = field(init=False)
    _parsed: list[Event] = field(default_factory=list, init=False, repr=False)

    def __post_init__(self) -> None:
        self.strategy = mediators.get(self.config.mediator)
        missing = [p for p in self.scenario.party_ids() if p not in self.backends]
        if self.mediated and MEDIATOR not in self.backends:
            missing.append(MEDIATOR)
        if missing:
            raise ValueError(f"no backend for {missing}")

    @property
    def mediated(self) -> bool:
        return self.strategy.acts

    @property
    def parties(self) -> list[str]:
        return self.scenario.party_ids()

    def events(self, state: dict[str, Any]) -> list[Event]:
        """Parsed events of `state`, parsing only what was appended since the last call."""
        raw = state.get("events", [])
        parsed = self._parsed
        if len(parsed) > len(raw) or (parsed and parsed[-1].seq != raw[len(parsed) - 1]["seq"]):
            parsed = []
        if len(parsed) < len(raw):
            parsed = parsed + parse(raw[len(parsed):])
        self._parsed = parsed
        return list(parsed)


_CURRENT: ContextVar[Episode] = ContextVar("treatylab_current_episode")


class CurrentEpisode:
    """The Episode bound to the running context, attribute by attribute.

    Nodes of the shared graph hold one of these instead of an Episode; every attribute read
    goes to the Episode `bound_episode` set for the run this code is part of.
    """

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        try:
            episode = _CURRENT.get()
        except LookupError:
            raise RuntimeError("the shared negotiation graph ran outside an episode: invoke it "
                               "inside `with bound_episode(episode):`") from None
        return getattr(episode, name)


@contextmanager
def bound_episode(episode: Episode) -> Iterator[Episode]:
    """Make `episode` the one `CurrentEpisode` stands for, in this context, until exit."""
    token = _CURRENT.set(episode)
    try:
        yield episode
    finally:
        _CURRENT.reset(token)
