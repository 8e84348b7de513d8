"""Everything a node needs besides the state: scenario, config, backends, mediator strategy.

Nodes are closures over one Episode, so the state itself stays plain JSON (checkpointable)
and no backend object ever lands in a checkpoint.
"""

from __future__ import annotations

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
