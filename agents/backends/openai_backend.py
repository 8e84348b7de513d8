"""The OpenAI backend: any OpenAI-compatible chat-completions endpoint answers for one actor.

The rules of a turn (repairs, failed turns) live in `agents.backends.llm_turn`; the HTTP call
itself (request, classification, retries with backoff, usage, infrastructure failures) is the
shared structured-chat call of `agents.backends.chat_call`, which the LLM judge uses too. This
module only joins the two for one seat, async or sync.

A pre-call check (e.g. a token budget) goes in `before_call`: it is handed to the shared call
and runs before every HTTP attempt (see `chat_call`).
"""

from __future__ import annotations

from treatylab.agents.backends.base import Backend, TurnResult
from treatylab.agents.backends.chat_call import (
    ATTEMPT_HEADER,
    CONFIG_PARAMS,
    TRANSIENT_STATUS,
    BeforeCall,
    StructuredChat,
    raise_user_errors,
    retry_after_seconds,
    run_async,
    run_sync,
    schema_problems,
)
from treatylab.agents.backends.clients import ClientPool
from treatylab.agents.backends.llm_turn import TurnSettings, plan_turn
from treatylab.agents.views import View

__all__ = ["ATTEMPT_HEADER", "CONFIG_PARAMS", "OpenAIBackend", "TRANSIENT_STATUS",
           "raise_user_errors", "retry_after_seconds", "schema_problems"]


class OpenAIBackend(Backend):
    """One actor's seat, answered by `model` at the pool's endpoint."""

    name = "openai"

    def __init__(self, model: str, pool: ClientPool, *, temperature: float = 0.0,
                 timeout_s: float = 60.0, settings: TurnSettings | None = None,
                 before_call: BeforeCall | None = None) -> None:
        self.model = model
        self.pool = pool
        self.temperature = temperature
        self.timeout_s = timeout_s
        self.settings = settings or TurnSettings()
        self.chat = StructuredChat(pool, model, temperature=temperature, timeout_s=timeout_s,
                                   before_call=before_call)
        self._closed = False
        pool.retain()

    async def aclose(self) -> None:
        if not self._closed:
            self._closed = True
            await self.pool.release()

    async def aact(self, view: View) -> TurnResult:
        """Raises InfrastructureFailure when the endpoint cannot answer (see llm_turn)."""
        return await run_async(plan_turn(view, self.settings), self.chat)

    def act(self, view: View) -> TurnResult:
        """Raises InfrastructureFailure when the endpoint cannot answer (see llm_turn)."""
        return run_sync(plan_turn(view, self.settings), self.chat)
