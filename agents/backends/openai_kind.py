"""The `openai` backend kind: `openai:MODEL` on any OpenAI-compatible endpoint.

Registration only; the backend itself is `agents.backends.openai_backend`. Seats on the same
endpoint share one `ClientPool`, so an episode's parallel delegate turns reuse connections
instead of opening one pool per actor (and, inside `episode_connections`, each episode gets
clients of its own from it).
"""

from __future__ import annotations

import threading

from pydantic import Field

from treatylab.agents.backends.base import Backend
from treatylab.agents.backends.clients import ClientPool, resolve_endpoint
from treatylab.agents.backends.registry import BackendKind, BackendSettings, Role, register_backend

_pools: dict[tuple[str, str], ClientPool] = {}
_pools_lock = threading.Lock()


class OpenAISettings(BackendSettings):
    """One seat's model and call settings; all but `model` come from the run config."""

    model: str = Field(min_length=1)
    base_url: str | None = None
    temperature: float = 0.0
    max_repairs: int = Field(default=2, ge=0, le=5)
    max_retries: int = Field(default=3, ge=0, le=10)
    timeout_s: float = Field(default=60.0, gt=0)


def client_pool(base_url: str | None, spec: str = "openai") -> ClientPool:
    """The shared pool for the endpoint that `base_url` (or the environment) names."""
    endpoint = resolve_endpoint(base_url, spec)
    with _pools_lock:
        pool = _pools.get(endpoint.cache_key())
        if pool is None:
            pool = ClientPool(endpoint)
            _pools[endpoint.cache_key()] = pool
        return pool


def build(settings: OpenAISettings, role: Role) -> Backend:
    from treatylab.agents.backends.llm_turn import TurnSettings
    from treatylab.agents.backends.openai_backend import OpenAIBackend

    turn = TurnSettings(max_repairs=settings.max_repairs, max_retries=settings.max_retries)
    return OpenAIBackend(settings.model, client_pool(settings.base_url, f"openai:{settings.model}"),
                         temperature=settings.temperature, timeout_s=settings.timeout_s,
                         settings=turn)


KIND = register_backend(BackendKind(kind="openai", settings=OpenAISettings, build=build,
                                    argument="model", uses_llm=True, usage="openai:MODEL"))
