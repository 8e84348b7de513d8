"""Shared helpers: run an episode in process, with any backends, and read its events."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from treatylab.agents.backends.base import Backend
from treatylab.agents.backends.heuristic import HeuristicBackend
from treatylab.agents.transcript import MEDIATOR
from treatylab.graphs import RunConfig
from treatylab.scenarios import Scenario, load

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"


def heuristic_backends(scenario: Scenario) -> dict[str, Backend]:
    backends: dict[str, Backend] = {p: HeuristicBackend() for p in scenario.party_ids()}
    backends[MEDIATOR] = HeuristicBackend()
    return backends


def run(scenario: Scenario, config: RunConfig, backends: dict[str, Backend] | None = None, **kwargs):
    from treatylab.runner import run_episode

    return asyncio.run(run_episode(scenario, config, backends=backends, **kwargs))


@pytest.fixture(scope="session")
def flagship() -> Scenario:
    return load("northern-shield")


@pytest.fixture(scope="session")
def tiny() -> Scenario:
    return load(FIXTURES / "scenarios" / "tiny-valid.yaml")
