"""Expand a sweep spec into episodes with stable ids.

An episode id is built from the labels that define it, never from a counter, so the same spec
always names the same episode the same way, and a resumed sweep finds what an interrupted
one finished: `<scenario>--<delegates>--<mediator>--s<seed>`. Order: scenarios, then
delegate backends, mediators and seeds, the order the spec lists them.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict

from treatylab.graphs import RunConfig
from treatylab.scenarios.schema import Scenario
from treatylab.errors import UserError
from treatylab.sweep.spec import DelegateBackend, SweepSpec, load_scenarios, scenario_path


class PlannedEpisode(BaseModel):
    """One cell of the sweep: what to run and under which id."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    episode_id: str
    scenario: str
    scenario_ref: str
    scenario_file: str
    delegates: str
    model: str
    mediator: str
    seed: int
    config: RunConfig

    @property
    def uses_llm(self) -> bool:
        return self.config.uses_llm()


def episode_id(scenario_id: str, delegates: str, mediator: str, seed: int) -> str:
    return f"{scenario_id}--{delegates}--{mediator}--s{seed}"


def run_config(spec: SweepSpec, backend: DelegateBackend, mediator: str, seed: int) -> RunConfig:
    mediator_backend = backend.spec if backend.mediator == "same" else "heuristic"
    return RunConfig(mediator=mediator, seed=seed, default_backend=backend.spec,
                     mediator_backend=mediator_backend, base_url=backend.base_url,
                     temperature=backend.temperature, **spec.config)


def expand(spec: SweepSpec, spec_path: Path) -> tuple[list[PlannedEpisode], dict[str, Scenario]]:
    """Every episode of the sweep, and the scenarios by id (loaded once)."""
    episodes: list[PlannedEpisode] = []
    by_id: dict[str, Scenario] = {}
    for ref, scenario in load_scenarios(spec, spec_path):
        by_id[scenario.id] = scenario
        file = str(scenario_path(ref, spec_path).resolve())
        for backend in spec.delegates:
            for mediator in spec.mediator_list():
                for seed in spec.seed_list():
                    episodes.append(PlannedEpisode(
                        episode_id=episode_id(scenario.id, backend.name, mediator, seed),
                        scenario=scenario.id, scenario_ref=ref, scenario_file=file,
                        delegates=backend.name, model=backend.model or "heuristic",
                        mediator=mediator, seed=seed, config=run_config(spec, backend, mediator, seed),
                    ))
    ids = [e.episode_id for e in episodes]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise UserError(f"{spec_path}: scenarios: the same scenario is listed twice "
                        f"({duplicated[0].split('--')[0]}); list each scenario once")
    return episodes, by_id
