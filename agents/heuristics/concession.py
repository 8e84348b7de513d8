"""Time-dependent concession (Faratin, Sierra & Jennings 1998).

The aspiration falls from the best package (100) to the reservation value as the deadline
nears: target(t) = r + (100 - r) * (1 - t ** (1 / e)). Boulware (e < 1) holds firm until late,
a conceder (e > 1) gives ground early, linear (e = 1) in between.
"""

from __future__ import annotations

EXPONENTS = {"boulware": 0.35, "linear": 1.0, "conceder": 2.5}
BEST = 100.0


def progress(round_: int, max_rounds: int) -> float:
    """0 at the first bargaining round, 1 at the last."""
    if max_rounds <= 1:
        return 1.0
    return min(1.0, max(0.0, (round_ - 1) / (max_rounds - 1)))


def target_utility(exponent: float, reservation: float, round_: int, max_rounds: int) -> float:
    t = progress(round_, max_rounds)
    return reservation + (BEST - reservation) * (1.0 - t ** (1.0 / exponent))
