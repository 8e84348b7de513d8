"""`evaluate(scenario, transcript) -> Scorecard`: every score of one episode, as one record.

A pure function of the scenario and the events: the same transcript always scores the same,
so a replayed or re-scored run can be compared with `cmp`. Scores that cannot be computed
(no agreement, no burden shares, no trust reports) are null, and the metric's `notes` say why.

The outcome-space measures and the process figures are fixed fields; the headline metrics
(trust, burden equity, sovereignty preservation, and any registered later) come from the
metric registry (`evals.registry`) and sit in `metrics`, by name. On the wire a scorecard is
flat: each metric is a top-level key, as in result.json's `scores`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer, model_validator

from treatylab.agents.transcript import (
    ComplianceEvent,
    Event,
    FailedTurnEvent,
    OutcomeEvent,
    ShockEvent,
    UsageEvent,
)
from treatylab.evals.burden import BurdenReference
from treatylab.evals.metric import MetricResult, Scalar
from treatylab.evals.package_analysis import analyze_package
from treatylab.evals.registry import MetricContext, run_metrics
from treatylab.scenarios.schema import Scenario

Transcript = Sequence[Event]
"""A transcript: its events in order (an object with an `events` list is accepted too)."""


class Process(BaseModel):
    """How the episode ran: turns that failed, repairs, LLM usage."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    failed_turns: int
    failed_turns_by_actor: dict[str, int]
    repairs: int = Field(description="LLM calls that were repair re-asks.")
    llm_calls: int
    llm_errors: int
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    latency_ms: float
    compliance_periods: int
    cost: float | None = Field(default=None, description="Null: no price table is configured.")


class Scorecard(BaseModel):
    """Scores of one episode (docs/metrics.md defines each field)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    scenario: str
    outcome: Literal["agreement", "breakdown"]
    package: dict[str, str] | None
    signatories: list[str]
    rounds: int = Field(description="Last bargaining round reached.")
    reservations: dict[str, float] = Field(description="BATNAs after the shocks that fired.")
    utilities: dict[str, float] | None = Field(description="Null on breakdown.")
    payoffs: dict[str, float] = Field(description="Utilities, or the BATNAs on breakdown.")
    individually_rational: dict[str, bool] | None
    pareto_optimal: bool | None = Field(description="On the exact frontier (strict sense).")
    weakly_pareto_optimal: bool | None
    pareto_gap: float | None
    nash_ratio: float | None
    advantage: dict[str, float | None] | None
    distances: dict[str, float | None] | None
    frontier_size: int
    zone_of_agreement_size: int
    metrics: dict[str, MetricResult] = Field(
        default_factory=dict, description="Registered metrics by name; flat on the wire.")
    process: Process

    @model_validator(mode="before")
    @classmethod
    def _gather_metrics(cls, data: Any) -> Any:
        """Read the flat form back: every key that is not a field is a metric."""
        if isinstance(data, Mapping) and "metrics" not in data:
            data = dict(data)
            data["metrics"] = {k: data.pop(k) for k in list(data) if k not in cls.model_fields}
        return data

    @model_serializer(mode="wrap")
    def _flatten_metrics(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        out = handler(self)
        metrics = out.pop("metrics", {})
        process = out.pop("process")
        return {**out, **metrics, "process": process}

    def __getattr__(self, name: str) -> Any:
        metrics = self.__dict__.get("metrics")
        if metrics is not None and name in metrics:
            return metrics[name]
        return super().__getattr__(name)  # type: ignore[misc]


def _events(transcript: Any) -> list[Event]:
    return list(getattr(transcript, "events", transcript))


def final_outcome(events: Sequence[Event]) -> OutcomeEvent | None:
    outcomes = [e for e in events if isinstance(e, OutcomeEvent)]
    return outcomes[-1] if outcomes else None


def reservations_after_shocks(scenario: Any, events: Sequence[Event]) -> dict[str, float]:
    """Scenario BATNAs plus the reservation_delta of every shock the transcript shows fired."""
    shocks = {shock.id: shock for shock in scenario.shocks}
    out = {p.id: p.reservation for p in scenario.parties}
    for event in events:
        if isinstance(event, ShockEvent) and event.payload.id in shocks:
            for party, delta in shocks[event.payload.id].reservation_delta.items():
                out[party] = min(100.0, max(0.0, out[party] + delta))
    return out


def process_stats(events: Sequence[Event]) -> Process:
    failed: dict[str, int] = {}
    for event in events:
        if isinstance(event, FailedTurnEvent):
            failed[event.actor] = failed.get(event.actor, 0) + 1
    usage = [e.payload for e in events if isinstance(e, UsageEvent)]
    prompt = sum(u.prompt_tokens for u in usage)
    completion = sum(u.completion_tokens for u in usage)
    periods = {e.round for e in events if isinstance(e, ComplianceEvent)}
    return Process(
        failed_turns=sum(failed.values()),
        failed_turns_by_actor=dict(sorted(failed.items())),
        repairs=sum(u.repair for u in usage),
        llm_calls=len(usage),
        llm_errors=sum(u.error is not None for u in usage),
        prompt_tokens=prompt,
        completion_tokens=completion,
        total_tokens=prompt + completion,
        latency_ms=float(sum(u.latency_ms for u in usage)),
        compliance_periods=len(periods),
    )


def evaluate(scenario: Scenario, transcript: Transcript, *,
             burden_reference: BurdenReference = "capacity",
             parameters: Mapping[str, Mapping[str, Scalar]] | None = None) -> Scorecard:
    """Score one episode: the outcome-space measures, then every registered metric.

    Args:
        scenario: the `Scenario` the episode was negotiated on.
        transcript: its events (a list, or any object with an `events` list).
        burden_reference: "capacity" (default) or "benefit" shares for burden equity.
        parameters: metric name -> parameters overriding its registered defaults.
    """
    events = _events(transcript)
    last = final_outcome(events)
    agreed = last is not None and last.payload.result == "agreement" and last.payload.package
    package = dict(last.payload.package) if agreed and last is not None else None
    reservations = reservations_after_shocks(scenario, events)
    context = MetricContext(scenario=scenario, package=package, events=events,
                            reservations=reservations)
    space = context.space
    analysis = analyze_package(space, package) if package is not None else None
    rounds = max((e.round for e in events if e.stage == "bargain"), default=0)
    return Scorecard(
        scenario=scenario.id,
        outcome="agreement" if package is not None else "breakdown",
        package=package,
        signatories=list(last.payload.signatories) if package is not None and last else [],
        rounds=rounds,
        reservations=reservations,
        utilities=analysis.utilities if analysis else None,
        payoffs=analysis.utilities if analysis else dict(reservations),
        individually_rational=analysis.individually_rational if analysis else None,
        pareto_optimal=analysis.strictly_pareto_optimal if analysis else None,
        weakly_pareto_optimal=analysis.weakly_pareto_optimal if analysis else None,
        pareto_gap=analysis.pareto_gap if analysis else None,
        nash_ratio=analysis.nash_ratio if analysis else None,
        advantage=analysis.advantage if analysis else None,
        distances=analysis.distances if analysis else None,
        frontier_size=int(space.pareto_indices.size),
        zone_of_agreement_size=int(space.zone_of_agreement().sum()),
        metrics=run_metrics(context, {"burden_equity": {"reference": burden_reference},
                                      **(parameters or {})}),
        process=process_stats(events),
    )
