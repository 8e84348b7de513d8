"""Helpers for end-to-end LLM runs: simulator-backed configs, recorded run folders."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from treatylab.agents.transcript import Event
from treatylab.graphs import RunConfig
from treatylab.scenarios import Scenario
from treatylab import outputs
from treatylab.cassettes import cassette_session
from treatylab.runner import EpisodeRun, run_episode
from treatylab.simulator import MODEL_ID

SIM = f"openai:{MODEL_ID}"
CANARY_KEY = "sk-canary-e2e-5d0c8a41f2b7"


def sim_config(base_url: str, *, mediator: str = "formulative", seed: int = 1,
               everyone: bool = True, **fields: Any) -> RunConfig:
    spec = SIM if everyone else "heuristic"
    return RunConfig(mediator=mediator, seed=seed, base_url=base_url, default_backend=spec,
                     mediator_backend=spec, **fields)


def record_run(scenario: Scenario, config: RunConfig, out_dir: Path, ref: str) -> EpisodeRun:
    """What `treatylab run --record-mode record` does: run inside a recording cassette."""
    extra = {"cassette": {"file": outputs.CASSETTE, "record_mode": "record"}}
    with cassette_session(out_dir / outputs.CASSETTE, "record"):
        return asyncio.run(run_episode(scenario, config, scenario_ref=ref, out_dir=out_dir,
                                       extra_manifest=extra))


def negotiation(events: list[Event]) -> list[tuple]:
    """The events without usage records and sequence numbers: what the actors did."""
    return [(e.stage, e.round, e.actor, e.kind, e.visibility, e.payload.model_dump(mode="json"))
            for e in events if e.kind != "usage"]


def counts(events: list[Event]) -> dict[str, int]:
    return {
        "failed_turns": sum(1 for e in events if e.kind == "failed_turn"),
        "repairs": sum(1 for e in events if e.kind == "usage" and e.payload.repair),
    }
