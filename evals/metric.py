"""The record every headline metric returns: its value, its parts, and how it was made.

A result names the metric and the parameters it used (e.g. the burden reference), so a score
in a results table can always be traced back to its definition in docs/metrics.md.
"""

from __future__ import annotations

from typing import Union

from pydantic import BaseModel, ConfigDict, Field

Scalar = Union[float, int, bool, str, None]
Component = Union[Scalar, dict[str, Scalar], list[str], list[dict[str, str]]]


class MetricResult(BaseModel):
    """`value` is null when the metric cannot be computed; `notes` say why."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    value: float | None = Field(description="Headline value in [0, 1] (null: not computable).")
    components: dict[str, Component] = Field(default_factory=dict)
    parameters: dict[str, Scalar] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)


def mean_or_none(values: list[float | None]) -> float | None:
    """Mean of the non-null values; null when there are none."""
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None
