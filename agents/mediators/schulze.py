"""The Schulze method: a Condorcet-consistent winner from ranked ballots.

The generate-rank-aggregate mediator (after the Habermas Machine, Tessler et al. 2024) asks
every delegation to rank a few candidate texts and picks one with Schulze, as that system
does: a candidate that beats every other head to head always wins, and the method resists
clones, which matters when candidates are near-duplicates of one another.

A ballot lists candidates best first. Candidates a ballot leaves out rank below every listed
one and tie among themselves. With `d[a][b]` voters preferring a to b, the strength of a
path is its weakest link, `p[a][b]` the strongest path from a to b (a widest-path
Floyd-Warshall), and a wins when `p[a][b] >= p[b][a]` for every b. Several such winners are
possible; the tie is broken by a seeded draw so no candidate wins by its position in a list.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict


class SchulzeResult(BaseModel):
    """The outcome of one Schulze count, with the matrices a reader needs to check it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    candidates: list[str]
    pairwise: list[list[int]]
    """d[i][j]: ballots that rank candidates[i] above candidates[j]."""
    strongest: list[list[int]]
    """p[i][j]: strength of the strongest path from candidates[i] to candidates[j]."""
    winners: list[str]
    """Every candidate not beaten by a stronger path (usually one)."""
    winner: str
    """The winner after the seeded tie-break."""
    order: list[str]
    """All candidates, most wins by strongest path first (ties by the seeded draw)."""


def pairwise(ballots: Sequence[Sequence[str]], candidates: Sequence[str]) -> np.ndarray:
    """d[i][j] = number of ballots ranking candidates[i] strictly above candidates[j]."""
    index = {c: i for i, c in enumerate(candidates)}
    n = len(candidates)
    d = np.zeros((n, n), dtype=np.int64)
    for ballot in ballots:
        listed = [index[c] for c in dict.fromkeys(ballot) if c in index]
        rank = np.full(n, len(listed), dtype=np.int64)  # unlisted: tied below all listed
        rank[listed] = np.arange(len(listed))
        d += rank[:, None] < rank[None, :]
    return d


def strongest_paths(d: np.ndarray) -> np.ndarray:
    """p[i][j]: the widest path from i to j over links d[a][b] where d[a][b] > d[b][a]."""
    n = d.shape[0]
    p = np.where(d > d.T, d, 0).astype(np.int64)
    np.fill_diagonal(p, 0)
    for k in range(n):
        through = np.minimum(p[:, k][:, None], p[k, :][None, :])
        p = np.maximum(p, through)
        np.fill_diagonal(p, 0)
    return p


def schulze(ballots: Sequence[Sequence[str]], candidates: Sequence[str],
            rng: np.random.Generator) -> SchulzeResult:
    """Count `ballots` over `candidates`; `rng` breaks ties among equal winners.

    Raises:
        ValueError: no candidates.
    """
    if not candidates:
        raise ValueError("schulze needs at least one candidate")
    names = list(candidates)
    d = pairwise(ballots, names)
    p = strongest_paths(d)
    beats = (p > p.T).sum(axis=1)
    draw = rng.permutation(len(names))
    order = sorted(range(len(names)), key=lambda i: (-int(beats[i]), int(draw[i])))
    winners = [names[i] for i in range(len(names)) if bool(np.all(p[i] >= p[:, i]))]
    winner = next(names[i] for i in order if names[i] in winners)
    return SchulzeResult(candidates=names, pairwise=d.tolist(), strongest=p.tolist(),
                         winners=winners, winner=winner, order=[names[i] for i in order])
