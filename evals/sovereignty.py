"""Sovereignty preservation: how much autonomy each party keeps under the agreed options.

Per party, the agreed options' sovereignty costs are averaged with weights that say how much
the party cares about each issue (its utility range on the issue), so ceding autonomy on an
issue it barely cares about counts for little. Crossing a party's red line leaves it nothing.
"""

from __future__ import annotations

from treatylab.evals.metric import MetricResult, mean_or_none
from treatylab.scenarios.schema import Scenario

NAME = "sovereignty_preservation"
RESERVATION_DISCOUNT = 0.5  # cost kept on an issue a party signs "with reservations" on


def _relevant_issues(scenario: Scenario, party: str) -> list[str]:
    """Issues where some option states a sovereignty cost for the party."""
    return [issue.id for issue in scenario.issues
            if any(party in option.sovereignty_cost for option in issue.options)]


def _weights(scenario: Scenario, party: str, issues: list[str]) -> dict[str, float]:
    """Utility range of the party on each issue over the sum of ranges (equal if all zero)."""
    table = scenario.utilities[party]
    ranges = {k: max(table[k].values()) - min(table[k].values()) for k in issues}
    total = sum(ranges.values())
    if total <= 0:
        return {k: 1.0 / len(issues) for k in issues}
    return {k: r / total for k, r in ranges.items()}


def party_preservation(scenario: Scenario, party: str, package: dict[str, str],
                       reserved_issues: list[str], discount: float) -> float | None:
    """1 - weighted mean cost for one party (null if no option states a cost for it)."""
    issues = _relevant_issues(scenario, party)
    if not issues:
        return None
    weights = _weights(scenario, party, issues)
    cost = 0.0
    for issue_id in issues:
        option = scenario.issue(issue_id).option(package[issue_id])
        c = option.sovereignty_cost.get(party, 0.0)
        if issue_id in reserved_issues:
            c *= discount
        cost += weights[issue_id] * c
    return 1.0 - cost


def sovereignty_preservation(
    scenario: Scenario,
    package: dict[str, str] | None,
    reservations: dict[str, list[str]] | None = None,
    discount: float = RESERVATION_DISCOUNT,
) -> MetricResult:
    """Per-party preservation, their mean (headline) and minimum.

    Args:
        scenario: the scenario the package belongs to.
        package: the agreed package, or None when there was no agreement.
        reservations: party -> issue ids it signed with reservations on; their costs are
            multiplied by `discount` for that party (a reservation keeps some latitude).
        discount: the share of the cost that remains on a reserved issue.
    """
    params = {"reservation_discount": discount}
    if not any(option.sovereignty_cost for issue in scenario.issues for option in issue.options):
        return MetricResult(name=NAME, value=None, parameters=params,
                            notes=["no option in the scenario defines sovereignty_cost"])
    if package is None:
        return MetricResult(name=NAME, value=None, parameters=params, notes=["no agreement"])
    reservations = reservations or {}
    per_party: dict[str, float | None] = {}
    violations: list[dict[str, str]] = []
    for party in scenario.party_ids():
        crossed = scenario.violated_red_lines(party, package)
        if crossed:
            per_party[party] = 0.0
            violations.extend({"party": party, "issue": line.issue, "option": package[line.issue]}
                              for line in crossed)
            continue
        per_party[party] = party_preservation(scenario, party, package,
                                              reservations.get(party, []), discount)
    present = [v for v in per_party.values() if v is not None]
    return MetricResult(
        name=NAME,
        value=mean_or_none(list(per_party.values())),
        components={
            "per_party": per_party,
            "min": min(present) if present else None,
            "mean": mean_or_none(list(per_party.values())),
            "red_line_violations": violations,
            "reserved_issues": {p: ",".join(sorted(v)) for p, v in reservations.items() if v},
        },
        parameters=params,
    )
