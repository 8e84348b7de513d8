"""Build one backend per actor from the run config's backend specs, through the registry."""

from __future__ import annotations

from treatylab.agents import mediators
from treatylab.agents.backends.base import Backend
from treatylab.agents.backends.registry import build_backend
from treatylab.agents.transcript import MEDIATOR
from treatylab.core.errors import UserError
from treatylab.graphs import RunConfig
from treatylab.scenarios import Scenario


def _make(spec: str, config: RunConfig, role: str) -> Backend:
    try:
        return build_backend(spec, config, role)
    except ValueError as exc:
        raise UserError(str(exc)) from None


def make_backends(scenario: Scenario, config: RunConfig) -> dict[str, Backend]:
    unknown = sorted(set(config.delegates) - set(scenario.party_ids()))
    if unknown:
        raise UserError(f"--delegate names unknown part{'ies' if len(unknown) > 1 else 'y'} "
                        f"{unknown}; parties of '{scenario.id}' are {scenario.party_ids()}")
    try:
        strategy = mediators.get(config.mediator)
    except KeyError as exc:
        raise UserError(f"--mediator: {exc.args[0]}") from None
    backends = {p: _make(config.backend_for(p), config, "delegate") for p in scenario.party_ids()}
    if strategy.acts:
        backends[MEDIATOR] = _make(config.mediator_backend, config, "mediator")
    return backends


async def close_backends(backends: dict[str, Backend]) -> None:
    for backend in backends.values():
        await backend.aclose()
