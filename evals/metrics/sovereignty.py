"""`sovereignty_preservation`: per party 1 - weighted sovereignty cost, 0 on a red line."""

from collections.abc import Sequence

from treatylab.agents.transcript import Event, VoteEvent
from treatylab.evals.metric import MetricResult
from treatylab.evals.registry import MetricContext, metric
from treatylab.evals.sovereignty import sovereignty_preservation


def signed_with_reservations(events: Sequence[Event]) -> dict[str, list[str]]:
    """Party -> issues it named in its last sign_with_reservations vote."""
    out: dict[str, list[str]] = {}
    for event in events:
        if isinstance(event, VoteEvent):
            vote = event.payload
            reserved = vote.decision == "sign_with_reservations"
            out[event.actor] = list(vote.reservations) if reserved else []
    return {p: v for p, v in out.items() if v}


@metric("sovereignty_preservation", needs_transcript=False)
def sovereignty_metric(context: MetricContext) -> MetricResult:
    """How much of each party's sovereignty the agreed options leave it (min and mean)."""
    return sovereignty_preservation(context.scenario, context.package,
                                    signed_with_reservations(context.events))
