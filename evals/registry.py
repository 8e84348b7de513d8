"""The metric registry: every headline metric is one decorated function, found by name.

As inspect_ai's scorers do, a metric registers with its name and its parameters:

    @metric("burden_equity", reference="capacity")
    def burden(context: MetricContext, *, reference: str) -> MetricResult: ...

`evaluate` runs every registered metric on an `EpisodeContext`; `Scorecard` holds the results
by name; the renderer, the results table and `treatylab analyze` iterate over them. The
parameters a run chose (e.g. `RunConfig.burden_reference`) override the defaults by metric
name, and each result records the parameters it used.

Where metrics come from: every module of the package `treatylab.evals.metrics` is imported on
first use, so adding a metric is one module there (docs/architecture.md shows one); code
outside the package may also call `metric(...)` itself before evaluating.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol

from treatylab.evals.metric import MetricResult, Scalar

if TYPE_CHECKING:
    from treatylab.agents.transcript import Event
    from treatylab.evals.outcome_space import OutcomeSpace
    from treatylab.scenarios.schema import Scenario

METRICS_PACKAGE = "treatylab.evals.metrics"


@dataclass(frozen=True)
class MetricContext:
    """What a metric may read about one episode (or one package, for `analyze`).

    `events` is empty and `transcript` False when only a package is scored; metrics that need
    the transcript declare `needs_transcript=True` and are then skipped.
    """

    scenario: Scenario
    package: dict[str, str] | None
    events: Sequence[Event] = ()
    reservations: dict[str, float] = field(default_factory=dict)
    transcript: bool = True

    @cached_property
    def space(self) -> OutcomeSpace:
        """The outcome space at the episode's reservations (built once per process and shared
        by metrics and episodes: `evals.space_cache`)."""
        from treatylab.evals.space_cache import shared_space

        return shared_space(self.scenario, self.reservations or None)


class Metric(Protocol):
    """A registered metric: a name, its default parameters, and a call on a context."""

    name: str
    parameters: Mapping[str, Scalar]
    needs_transcript: bool

    def __call__(self, context: MetricContext, **parameters: Scalar) -> MetricResult: ...


@dataclass(frozen=True)
class RegisteredMetric:
    name: str
    fn: Callable[..., MetricResult]
    parameters: Mapping[str, Scalar]
    needs_transcript: bool = True
    description: str = ""

    def __call__(self, context: MetricContext, **parameters: Scalar) -> MetricResult:
        unknown = set(parameters) - set(self.parameters)
        if unknown:
            raise ValueError(f"metric '{self.name}' has no parameter {sorted(unknown)}; "
                             f"it takes {sorted(self.parameters)}")
        result = self.fn(context, **{**self.parameters, **parameters})
        if result.name != self.name:
            raise ValueError(f"metric '{self.name}' returned a result named '{result.name}'")
        return result


_REGISTRY: dict[str, RegisteredMetric] = {}
_loaded = False


def metric(name: str, *, needs_transcript: bool = True,
           **parameters: Scalar) -> Callable[[Callable[..., MetricResult]], RegisteredMetric]:
    """Register `fn(context, **parameters) -> MetricResult` as the metric `name`.

    Args:
        name: the key of its result in the scorecard and in result.json's `scores`.
        needs_transcript: False if it scores a package alone (then `analyze` shows it too).
        parameters: defaults; a run may override them by name.
    """
    def register(fn: Callable[..., MetricResult]) -> RegisteredMetric:
        entry = RegisteredMetric(name=name, fn=fn, parameters=dict(parameters),
                                 needs_transcript=needs_transcript,
                                 description=(fn.__doc__ or "").strip().split("\n")[0])
        _REGISTRY[name] = entry
        return entry
    return register


def unregister(name: str) -> None:
    """Remove a metric (tests that register toy metrics clean up with this)."""
    _REGISTRY.pop(name, None)


def _load_builtin() -> None:
    global _loaded
    if _loaded:
        return
    package = importlib.import_module(METRICS_PACKAGE)
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        importlib.import_module(f"{METRICS_PACKAGE}.{info.name}")
    _loaded = True


def registered_metrics() -> list[RegisteredMetric]:
    """Every metric, in name order (the order of the scorecard's metric keys)."""
    _load_builtin()
    return [_REGISTRY[name] for name in sorted(_REGISTRY)]


def run_metrics(context: MetricContext,
                parameters: Mapping[str, Mapping[str, Scalar]] | None = None) -> dict[str, MetricResult]:
    """name -> result for every registered metric that can score this context."""
    chosen = parameters or {}
    return {m.name: m(context, **dict(chosen.get(m.name, {}))) for m in registered_metrics()
            if context.transcript or not m.needs_transcript}
