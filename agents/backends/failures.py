"""Infrastructure failures: the endpoint failed, not the negotiator.

A dead endpoint, a refused key or a server that does not speak chat completions tells us
nothing about the negotiation. Scoring such an episode as a breakdown would silently lower
agreement rates, so these failures are not turns: the backend raises `InfrastructureFailure`
once its retries are exhausted, the runner stops the episode at once and records
`status: "failed"` with the `FailureRecord`. A model that answered but broke the schema is a
different thing (a repaired or failed *turn*), and never raises this.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

FailureKind = Literal[
    "connection",  # refused, reset, DNS, TLS, unsupported URL scheme
    "timeout",  # no answer within the per-call timeout
    "http_status",  # 401/403/404, or 5xx / 429 after retries
    "not_chat_completion",  # a 200 whose body is not a chat completion (HTML, garbage, empty)
    "deadline",  # the episode's wall-clock deadline passed
]


class FailureRecord(BaseModel):
    """What failed, where, and what to do about it; never holds a credential."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: FailureKind
    message: str
    """One line for a person: what happened."""
    fix: str
    """One line: what to change so the next run works."""
    http_status: int | None = None
    endpoint: str | None = None
    """The base URL with userinfo and credential query parameters removed."""
    actor: str | None = None
    stage: str | None = None
    round: int | None = None
    attempts: int = 0


class InfrastructureFailure(Exception):
    """Raised by a backend when a call cannot be completed for a transport or protocol reason."""

    def __init__(self, record: FailureRecord, usage: list[Any] | None = None) -> None:
        super().__init__(record.message)
        self.record = record
        self.usage: list[Any] = list(usage or [])
        """The `UsagePayload` of every attempt of the failed turn (the last one failed)."""
