"""Schulze counts checked against a hand-computed example (Wikipedia's 45 voters)."""

from __future__ import annotations

import numpy as np

from treatylab.agents.mediators.schulze import pairwise, schulze, strongest_paths

CANDIDATES = ["A", "B", "C", "D", "E"]
GROUPS = [(5, "ACBED"), (5, "ADECB"), (8, "BEDAC"), (3, "CABED"), (7, "CAEBD"), (2, "CBADE"),
          (7, "DCEBA"), (8, "EBADC")]
BALLOTS = [list(order) for count, order in GROUPS for _ in range(count)]

# d[X][Y]: voters preferring X to Y, and p[X][Y]: strongest paths, as worked by hand.
D = [[0, 20, 26, 30, 22],
     [25, 0, 16, 33, 18],
     [19, 29, 0, 17, 24],
     [15, 12, 28, 0, 14],
     [23, 27, 21, 31, 0]]
P = [[0, 28, 28, 30, 24],
     [25, 0, 28, 33, 24],
     [25, 29, 0, 29, 24],
     [25, 28, 28, 0, 24],
     [25, 28, 28, 31, 0]]


def test_pairwise_matrix_matches_hand_count() -> None:
    assert len(BALLOTS) == 45
    assert pairwise(BALLOTS, CANDIDATES).tolist() == D


def test_strongest_paths_match_hand_computation() -> None:
    assert strongest_paths(np.array(D)).tolist() == P


def test_winner_and_order() -> None:
    result = schulze(BALLOTS, CANDIDATES, np.random.default_rng(0))
    assert result.winners == ["E"]
    assert result.winner == "E"
    assert result.order == ["E", "A", "C", "B", "D"]


def test_unlisted_candidates_tie_below_listed_ones() -> None:
    # One voter lists only B: B beats A and C; A and C are tied for that voter.
    d = pairwise([["B"]], ["A", "B", "C"])
    assert d.tolist() == [[0, 0, 0], [1, 0, 1], [0, 0, 0]]


def test_tie_break_is_seeded_and_fair() -> None:
    ballots = [["x", "y"], ["y", "x"]]
    winners = {schulze(ballots, ["x", "y"], np.random.default_rng(s)).winner for s in range(20)}
    assert winners == {"x", "y"}
    first = schulze(ballots, ["x", "y"], np.random.default_rng(7))
    assert first.winners == ["x", "y"]
    assert schulze(ballots, ["x", "y"], np.random.default_rng(7)).winner == first.winner


def test_condorcet_winner_always_wins() -> None:
    ballots = [["b", "a", "c"], ["b", "c", "a"], ["a", "b", "c"]]
    for seed in range(5):
        assert schulze(ballots, ["a", "b", "c"], np.random.default_rng(seed)).winner == "b"
