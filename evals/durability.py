"""Durability of an agreement in implementation: how long it held, and how breaches went.

After Fortna's survival analysis of cease-fire agreements (Peace Time, 2004; "Scraps of
Paper?", International Organization 57(2), 2003): an agreement's durability is the time until
it fails, observed up to the end of the observation window (right-censored). Here time is the
scenario's implementation periods, and an agreement *fails* in the first period with a breach
its own regime does not contain:

- a defection the verification regime does not detect (undetected defection), or
- a detected defection whose dispute is not resolved: the same party defects again in the
  next period (a dispute is *resolved* when the defector is back in compliance next period;
  a dispute raised in the last period is censored, neither resolved nor failed).

`durability` = periods survived / implementation periods, in [0, 1] (1: held through the
window). Null on breakdown or when the scenario has no implementation periods. Components:
periods, periods_survived, failed_at (period, or null if it held), defections, detected,
undetected, disputes_raised, disputes_resolved. docs/metrics.md#durability documents it.
"""

from __future__ import annotations

from collections.abc import Sequence

from treatylab.agents.transcript import ComplianceEvent, Event, MonitoringEvent, OutcomeEvent
from treatylab.evals.metric import MetricResult
from treatylab.scenarios.schema import Scenario

NAME = "durability"


def _by_period(events: Sequence[Event]) -> tuple[dict[int, set[str]], dict[int, set[str]]]:
    defected: dict[int, set[str]] = {}
    detected: dict[int, set[str]] = {}
    for event in events:
        if isinstance(event, ComplianceEvent) and not event.payload.comply:
            defected.setdefault(event.round, set()).add(event.actor)
        elif isinstance(event, MonitoringEvent):
            detected.setdefault(event.payload.period, set()).update(event.payload.detected)
    return defected, detected


def durability(scenario: Scenario, events: Sequence[Event]) -> MetricResult:
    """Periods the agreement survived, its breaches and disputes, and the durability score."""
    periods = scenario.rules.implementation_periods
    outcome = next((e for e in reversed(events) if isinstance(e, OutcomeEvent)), None)
    if outcome is None or outcome.payload.result != "agreement":
        return MetricResult(name=NAME, value=None, notes=["no agreement: nothing to implement"])
    if periods == 0:
        return MetricResult(name=NAME, value=None, notes=["the scenario has no implementation periods"])
    defected, detected = _by_period(events)
    counts = {"defections": 0, "detected": 0, "undetected": 0, "disputes_raised": 0,
              "disputes_resolved": 0}
    failed_at: int | None = None
    for period in range(1, periods + 1):
        breach = defected.get(period, set())
        caught = breach & detected.get(period, set())
        counts["defections"] += len(breach)
        counts["detected"] += len(caught)
        counts["undetected"] += len(breach - caught)
        counts["disputes_raised"] += len(caught)
        if period < periods:
            counts["disputes_resolved"] += len(caught - defected.get(period + 1, set()))
        repeated = breach & defected.get(period - 1, set()) & detected.get(period - 1, set())
        if failed_at is None and (breach - caught or repeated):
            failed_at = period
    survived = periods if failed_at is None else failed_at - 1
    return MetricResult(
        name=NAME, value=round(survived / periods, 6),
        components={"periods": periods, "periods_survived": survived, "failed_at": failed_at,
                    **counts},
        parameters={"source": "Fortna 2004, Peace Time (survival of agreements)"},
    )


def survival_curve(frame, by: str = "mediator"):  # noqa: ANN001, ANN201 - pandas in, pandas out
    """Share of episodes whose agreement is still in force after t periods, per group.

    t = 0 is the agreement rate (a breakdown is never in force); t >= 1 counts agreements
    with `durability.periods_survived >= t`. Columns: t; rows: groups. Across scenarios with
    different horizons an agreement is counted up to its own scenario's last period only.
    None when the table has no durability columns.
    """
    import pandas as pd

    column = "durability.periods_survived"
    if column not in frame or "agreement" not in frame:
        return None
    done = frame[frame["status"] == "done"] if "status" in frame else frame
    survived = pd.to_numeric(done[column], errors="coerce").fillna(0.0)
    agreed = done["agreement"].fillna(False).astype(bool)
    horizon = int(pd.to_numeric(done.get("durability.periods"), errors="coerce").max() or 0)
    rows = {}
    for group, index in done.groupby(done[by].astype(str)).groups.items():
        rows[group] = [float((agreed[index] & (survived[index] >= t)).mean() if t else agreed[index].mean())
                       for t in range(horizon + 1)]
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(range(horizon + 1)))
