"""The negotiation for LangGraph Studio (`langgraph dev`, see langgraph.json and docs/studio.md).

langgraph.json points at `make_graph`, a graph factory: the server calls it for every run
with the run's config, so a Studio user picks the scenario, mediator, seed and backends per
thread (or per assistant) under `configurable`:

    {"scenario": "island-compact", "mediator": "facilitative", "seed": 3,
     "default_backend": "heuristic", "mediator_backend": "heuristic"}

Unset keys keep the defaults below (the flagship, formulative mediator, seed 7, baseline
policies), which run offline. `graph` is the default graph, for code that imports it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from treatylab.agents import mediators
from treatylab.agents.backends.registry import build_backend
from treatylab.agents.transcript import MEDIATOR
from treatylab.graphs.builder import build_graph
from treatylab.graphs.config import RunConfig
from treatylab.scenarios import load


class StudioSettings(BaseModel):
    """What a Studio thread may choose; any other `configurable` key is LangGraph's own."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    scenario: str = Field(default="northern-shield", description="Library id or YAML path.")
    mediator: str = Field(default="formulative", description="Mediator strategy name.")
    seed: int = 7
    default_backend: str = Field(default="heuristic", description="Backend spec of every delegation.")
    mediator_backend: str = Field(default="heuristic", description="Backend spec of the mediator.")

    def run_config(self) -> RunConfig:
        return RunConfig(mediator=self.mediator, seed=self.seed,
                         default_backend=self.default_backend,
                         mediator_backend=self.mediator_backend)


@lru_cache(maxsize=32)
def compiled(settings: StudioSettings) -> Any:
    """One compiled graph per choice, per process (compiling costs a few ms each run)."""
    scenario = load(settings.scenario)
    config = settings.run_config()
    backends = {party: build_backend(config.backend_for(party), config, "delegate")
                for party in scenario.party_ids()}
    if mediators.get(config.mediator).acts:
        backends[MEDIATOR] = build_backend(config.mediator_backend, config, "mediator")
    return build_graph(scenario, config, backends)


def make_graph(config: dict[str, Any] | None = None) -> Any:
    """The graph for one run's config (LangGraph's graph-factory hook)."""
    configurable = dict((config or {}).get("configurable") or {})
    return compiled(StudioSettings.model_validate(configurable))


graph = make_graph()
