"""Backend specs to backends, for the app shell: the registry's errors as `UserError`s.

`make_backend` is what `treatylab.backends.make_backends` calls for every seat; it knows no
kind by name (the registry does), so a registered backend works here unchanged.
"""

from __future__ import annotations

from treatylab.agents.backends.base import Backend
from treatylab.agents.backends.openai_kind import client_pool
from treatylab.agents.backends.registry import Role, build_backend
from treatylab.agents.run_config import RunConfig
from treatylab.core.errors import UserError

__all__ = ["client_pool", "make_backend"]


def make_backend(spec: str, config: RunConfig, role: Role) -> Backend:
    """The backend a spec names, for a seat of `role` ("delegate" or "mediator").

    Raises:
        UserError: unknown spec, a kind that cannot take this seat, or an OpenAI spec without
            usable credentials.
    """
    try:
        return build_backend(spec, config, role)
    except ValueError as exc:
        raise UserError(str(exc)) from None
