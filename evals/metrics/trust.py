"""`trust`: structural, behavioural, relational and compliance components, and a composite."""

from treatylab.evals.metric import MetricResult
from treatylab.evals.registry import MetricContext, metric
from treatylab.evals.trust import trust


@metric("trust")
def trust_metric(context: MetricContext) -> MetricResult:
    """Trust built by the negotiation and its implementation (docs/metrics.md#trust)."""
    return trust(context.scenario, context.events, context.package)
