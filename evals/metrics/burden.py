"""`burden_equity`: 1 - total variation between agreed and reference burden shares."""

from treatylab.evals.burden import burden_equity
from treatylab.evals.metric import MetricResult
from treatylab.evals.registry import MetricContext, metric


@metric("burden_equity", needs_transcript=False, reference="capacity")
def burden_equity_metric(context: MetricContext, *, reference: str) -> MetricResult:
    """How fairly the agreed burden is shared, against capacity or benefit shares."""
    return burden_equity(context.scenario, context.package, reference)  # type: ignore[arg-type]
