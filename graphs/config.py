"""RunConfig: everything besides the scenario that decides an episode.

Backends are named by spec strings ("heuristic", "openai:MODEL") so a config round-trips through
JSON (manifests, sweep specs) and a run can be rebuilt from its manifest.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

BACKEND_KINDS = ("heuristic", "openai", "human")


def check_backend_spec(spec: str) -> str:
    kind, _, model = spec.partition(":")
    if kind not in BACKEND_KINDS:
        raise ValueError(f"unknown backend '{spec}'; use heuristic, openai:MODEL or human")
    if kind == "openai" and not model:
        raise ValueError(f"backend '{spec}' needs a model: openai:MODEL")
    return spec


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
    timeout_s: float = Field(default=60.0, gt=0)
    recent_events: int = Field(default=12, ge=0, le=200)
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

    def uses_llm(self) -> bool:
        specs = [self.default_backend, *self.delegates.values()]
        if self.mediator != "none":
            specs.append(self.mediator_backend)
        return any(spec.startswith("openai:") for spec in specs)
