"""Burden equity: does each party pay in proportion to what it can carry (or gains)?

Only the agreed options that carry `burden_shares` count; when several issues carry shares
their shares are averaged party by party. The reference is each party's capacity share (the
ability-to-pay principle) or, optionally, its benefit share (the benefit principle).
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np

from treatylab.evals.metric import MetricResult
from treatylab.scenarios.schema import Scenario

BurdenReference = Literal["capacity", "benefit"]
NAME = "burden_equity"


def agreed_shares(scenario: Scenario,
                  package: dict[str, str]) -> tuple[dict[str, float], list[str]] | None:
    """Party -> mean share over the agreed options with burden_shares, and those issues."""
    rows, issues = [], []
    for issue in scenario.issues:
        option_id = package.get(issue.id)
        if option_id is None:
            continue
        shares = issue.option(option_id).burden_shares
        if shares is not None:
            rows.append(shares)
            issues.append(issue.id)
    if not rows:
        return None
    return {p: sum(row[p] for row in rows) / len(rows) for p in scenario.party_ids()}, issues


def theil(burden: np.ndarray, reference: np.ndarray) -> float | None:
    """T = sum_i b_i ln(b_i / ref_i); 0 when burden follows the reference; null if a party
    with no reference share pays something (the index is infinite)."""
    if np.any((reference <= 0) & (burden > 0)):
        return None
    paying = burden > 0
    return float(np.sum(burden[paying] * np.log(burden[paying] / reference[paying])))


def weighted_gini(burden: np.ndarray, reference: np.ndarray) -> float:
    """Gini of burden per unit of reference, parties weighted by reference share (the
    concentration of burden on the Lorenz curve ordered by burden / reference)."""
    ratio = np.where(reference > 0, burden / np.where(reference > 0, reference, 1.0), np.inf)
    ratio = np.where((reference <= 0) & (burden <= 0), 0.0, ratio)
    order = np.lexsort((np.arange(ratio.size), ratio))
    x = np.concatenate([[0.0], np.cumsum(reference[order])])
    y = np.concatenate([[0.0], np.cumsum(burden[order])])
    x, y = x / x[-1], y / y[-1]
    return float(1.0 - np.sum((x[1:] - x[:-1]) * (y[1:] + y[:-1])))


def _ranks(values: np.ndarray) -> np.ndarray:
    """Average ranks (1-based), ties sharing the mean of their positions."""
    order = np.argsort(values, kind="stable")
    ranks = np.empty(values.size)
    ranks[order] = np.arange(1, values.size + 1)
    for value in np.unique(values):
        tied = values == value
        ranks[tied] = ranks[tied].mean()
    return ranks


def spearman(a: np.ndarray, b: np.ndarray) -> float | None:
    """Spearman's rho (Pearson correlation of average ranks); null when a side is constant."""
    if a.size < 2:
        return None
    ra, rb = _ranks(a), _ranks(b)
    ra, rb = ra - ra.mean(), rb - rb.mean()
    denom = math.sqrt(float(np.sum(ra**2) * np.sum(rb**2)))
    return float(np.sum(ra * rb) / denom) if denom > 0 else None


def burden_equity(scenario: Scenario, package: dict[str, str] | None,
                  reference: BurdenReference = "capacity") -> MetricResult:
    """1 - total-variation distance between agreed burden shares and reference shares.

    Components: `theil`, `gini` (both relative to the reference; 0 = proportional),
    `exploitation` (Spearman rho of capacity with burden / capacity: > 0 means the larger
    parties carry more than their share, Olson & Zeckhauser's "exploitation of the great by
    the small"), and the shares themselves. Null without agreement or without burden shares.
    """
    params = {"reference": reference}
    if package is None:
        return MetricResult(name=NAME, value=None, parameters=params, notes=["no agreement"])
    found = agreed_shares(scenario, package)
    if found is None:
        return MetricResult(name=NAME, value=None, parameters=params,
                            notes=["no agreed option carries burden_shares"])
    shares, issues = found
    parties = scenario.party_ids()
    b = np.array([shares[p] for p in parties])
    b = b / b.sum()
    ref = np.array([getattr(scenario.party(p), reference) for p in parties], dtype=float)
    ref = ref / ref.sum()
    capacity = np.array([scenario.party(p).capacity for p in parties])
    tv = 0.5 * float(np.abs(b - ref).sum())
    has_capacity = capacity > 0
    # Rounded so that shares equal up to float noise rank as ties.
    ratio = np.round(b[has_capacity] / capacity[has_capacity], 9)
    exploitation = spearman(capacity[has_capacity], ratio)
    return MetricResult(
        name=NAME,
        value=1.0 - tv,
        components={
            "total_variation": tv,
            "theil": theil(b, ref),
            "gini": weighted_gini(b, ref),
            "exploitation": exploitation,
            "shares": {p: float(v) for p, v in zip(parties, b)},
            "reference_shares": {p: float(v) for p, v in zip(parties, ref)},
            "issues": issues,
        },
        parameters=params,
    )
