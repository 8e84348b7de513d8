"""RunConfig: everything besides the scenario that decides an episode.

Backends are named by spec strings ("heuristic", "openai:MODEL", "human") so a config
round-trips through JSON (manifests, sweep specs) and a run can be rebuilt from its manifest.
Specs are checked only through the backend registry (`agents.backends.registry`), so a
registered backend is accepted here, by the CLI and by sweep specs alike.

It lives in `agents` (who acts, and how) rather than in `graphs`, so the backends can read it
without importing the graph package; `treatylab.graphs.RunConfig` re-exports it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from treatylab.agents.backends.registry import backend_kind, check_spec


def check_backend_spec(spec: str) -> str:
    """`spec` if the registry knows its kind and its argument; ValueError otherwise."""
    return check_spec(spec)


class RunConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    mediator: str = Field(default="none", description="Mediator strategy name.")
    mediator_backend: str = "heuristic"
    default_backend: str = Field(default="heuristic", description="Delegates not named below.")
    delegates: dict[str, str] = Field(default_factory=dict, description="party -> backend spec")
    seed: int = 0
    base_url: str | None = None
    temperature: float = 0.0
    max_repairs: int = Field(default=2, ge=0, le=5)
    max_retries: int = Field(default=3, ge=0, le=10)
    timeout_s: float = Field(default=60.0, gt=0, description="Per LLM call, in seconds.")
    deadline_s: float | None = Field(default=None, gt=0, description=(
        "Wall clock for the whole episode, in seconds; past it the episode is `failed`."))
    max_tokens: int | None = Field(default=None, ge=1, description=(
        "Per-episode cap on prompt + completion tokens, checked before each call (treatylab.budget)."))
    max_cost: float | None = Field(default=None, gt=0, description=(
        "Per-episode cap in US dollars by the price table, checked before each call."))
    max_calls: int | None = Field(default=None, ge=1, description=(
        "Per-episode cap on LLM calls (HTTP attempts), checked before each call."))
    recent_events: int = Field(default=6, ge=0, le=200, description=(
        "Public events each prompt quotes word for word (a bargaining round of the flagship); "
        "older ones reach it only as the record's summary."))
    burden_reference: Literal["capacity", "benefit"] = Field(
        default="capacity", description="Shares burden equity is measured against.")

    @field_validator("mediator_backend", "default_backend")
    @classmethod
    def _spec(cls, value: str) -> str:
        return check_backend_spec(value)

    @field_validator("delegates")
    @classmethod
    def _specs(cls, value: dict[str, str]) -> dict[str, str]:
        for spec in value.values():
            check_backend_spec(spec)
        return value

    def backend_for(self, party_id: str) -> str:
        return self.delegates.get(party_id, self.default_backend)

    def seat_specs(self) -> list[str]:
        """Every spec that takes a seat in this episode (the mediator's only when it acts)."""
        specs = [self.default_backend, *self.delegates.values()]
        if self.mediator != "none":
            specs.append(self.mediator_backend)
        return specs

    def uses_llm(self) -> bool:
        return any(backend_kind(spec).uses_llm for spec in self.seat_specs())
