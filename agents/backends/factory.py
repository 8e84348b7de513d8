"""Backend specs to backends: "heuristic" and "openai:MODEL".

`make_backend` is what `treatylab.backends.make_backends` calls for every seat. OpenAI backends
on the same endpoint share one `ClientPool` (one AsyncOpenAI per event loop), so an episode's
parallel delegate turns reuse connections instead of opening one pool per actor.
"""

from __future__ import annotations

import threading

from treatylab.agents.backends.base import Backend
from treatylab.agents.backends.clients import ClientPool, resolve_endpoint
from treatylab.agents.backends.heuristic import HeuristicBackend
from treatylab.agents.backends.llm_turn import TurnSettings
from treatylab.agents.backends.openai_backend import OpenAIBackend
from treatylab.graphs.config import RunConfig, check_backend_spec
from treatylab.errors import UserError

_pools: dict[tuple[str, str], ClientPool] = {}
_pools_lock = threading.Lock()


def client_pool(base_url: str | None, spec: str = "openai") -> ClientPool:
    """The shared pool for the endpoint that `base_url` (or the environment) names."""
    endpoint = resolve_endpoint(base_url, spec)
    with _pools_lock:
        pool = _pools.get(endpoint.cache_key())
        if pool is None:
            pool = ClientPool(endpoint)
            _pools[endpoint.cache_key()] = pool
        return pool


def make_backend(spec: str, config: RunConfig, role: str) -> Backend:
    """The backend a spec names, for a seat of `role` ("delegate" or "mediator").

    Raises:
        UserError: unknown spec, or an OpenAI spec without usable credentials.
    """
    try:
        check_backend_spec(spec)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    kind, _, model = spec.partition(":")
    if kind == "heuristic":
        return HeuristicBackend()
    if kind == "openai":
        settings = TurnSettings(max_repairs=config.max_repairs, max_retries=config.max_retries)
        return OpenAIBackend(model, client_pool(config.base_url, spec),
                             temperature=config.temperature, timeout_s=config.timeout_s,
                             settings=settings)
    raise UserError(f"backend '{spec}' cannot take a {role} seat here; "
                    "use heuristic or openai:MODEL")
