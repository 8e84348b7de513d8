"""`durability`: periods an agreement survived in implementation, breaches and disputes."""

from treatylab.evals.durability import durability
from treatylab.evals.metric import MetricResult
from treatylab.evals.registry import MetricContext, metric


@metric("durability")
def durability_metric(context: MetricContext) -> MetricResult:
    """Share of implementation periods the agreement survived (docs/metrics.md#durability)."""
    return durability(context.scenario, context.events)
