"""Krippendorff's alpha: how far several raters (here: judge models) agree beyond chance.

Alpha is used rather than Cohen's or Fleiss' kappa because it takes any number of raters,
tolerates missing ratings (a judge whose answer was unusable simply has no value for that
unit) and has a level of measurement: rubric scores 1..5 are ordered, so disagreeing by one
point should cost less than by four (ordinal, interval), not the same (nominal).

Computed through the coincidence matrix (Krippendorff 2011, "Computing Krippendorff's
alpha-reliability"): alpha = 1 - (n - 1) * sum_ck o_ck d2_ck / sum_ck n_c n_k d2_ck.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np

Level = Literal["nominal", "ordinal", "interval"]
LEVELS: tuple[Level, ...] = ("nominal", "ordinal", "interval")


def coincidences(data: Sequence[Sequence[float | None]]) -> tuple[np.ndarray, np.ndarray]:
    """(sorted distinct values, coincidence matrix o_ck) of a raters x units table.

    Each unit with m >= 2 values contributes its m(m-1) ordered value pairs, weighted
    1 / (m - 1); units with fewer than two values are not pairable and are left out.
    """
    columns = list(zip(*data)) if data else []
    units = [[float(v) for v in column if v is not None and not np.isnan(v)] for column in columns]
    units = [unit for unit in units if len(unit) >= 2]
    values = np.array(sorted({v for unit in units for v in unit}), dtype=float)
    index = {v: i for i, v in enumerate(values.tolist())}
    o = np.zeros((values.size, values.size))
    for unit in units:
        m = len(unit)
        for a in range(m):
            for b in range(m):
                if a != b:
                    o[index[unit[a]], index[unit[b]]] += 1.0 / (m - 1)
    return values, o


def _squared_distances(values: np.ndarray, n_c: np.ndarray, level: Level) -> np.ndarray:
    if level == "nominal":
        return 1.0 - np.eye(values.size)
    if level == "interval":
        return (values[:, None] - values[None, :]) ** 2
    # ordinal: (sum of the marginals from c to k, less half of the two ends)^2
    cumulative = np.concatenate([[0.0], np.cumsum(n_c)])
    low = np.minimum.outer(np.arange(values.size), np.arange(values.size))
    high = np.maximum.outer(np.arange(values.size), np.arange(values.size))
    between = cumulative[high + 1] - cumulative[low]
    return (between - (n_c[:, None] + n_c[None, :]) / 2.0) ** 2


def krippendorff_alpha(data: Sequence[Sequence[float | None]], level: Level = "interval") -> float | None:
    """Alpha of a raters x units table; None (or NaN) marks a missing rating.

    Returns None when alpha is undefined: fewer than two pairable values, or no expected
    disagreement (every value the same), where 1 - 0/0 would be invented.
    """
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}; choose from {list(LEVELS)}")
    values, o = coincidences(data)
    n_c = o.sum(axis=1)
    n = float(n_c.sum())
    if n < 2:
        return None
    d2 = _squared_distances(values, n_c, level)
    expected = float(np.sum(np.outer(n_c, n_c) * d2))
    if expected <= 0:
        return None
    observed = float(np.sum(o * d2))
    return 1.0 - (n - 1.0) * observed / expected


__all__ = ["LEVELS", "Level", "coincidences", "krippendorff_alpha"]
