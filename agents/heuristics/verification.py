"""How strongly an agreed package lets parties check each other (0..1)."""

from __future__ import annotations

from treatylab.agents.actions import Package
from treatylab.scenarios.schema import Issue


def verification_strength(issues: list[Issue], package: Package) -> float:
    """Mean trust_value of the agreed options that define one; 0 when none does."""
    values = [
        option.trust_value
        for issue in issues
        for option in issue.options
        if package.get(issue.id) == option.id and option.trust_value is not None
    ]
    return sum(values) / len(values) if values else 0.0
