"""Generate-rank-aggregate: diverse candidates, Schulze winner, one revision on critiques."""

from __future__ import annotations

import numpy as np

from treatylab.agents.mediators import get
from treatylab.agents.mediators.caucus import confided_demands
from treatylab.agents.mediators.generate_rank_aggregate import K, min_distance, phase
from treatylab.agents.mediators.schulze import schulze
from treatylab.agents.heuristics.seeding import rng
from treatylab.agents.validation import problems
from treatylab.agents.views import Candidate, Message
from tests.agents.mediators.conftest import mediator_view

GRA = "generate-rank-aggregate"
TEXT = {"burden": "gdp_proportional", "spending": "pct_2_0", "command": "coordinated",
        "basing": "rotational", "verification": "peer_review", "disputes": "council_arbitration_5y"}


def test_phases_cycle_every_three_rounds() -> None:
    assert [phase(r) for r in range(1, 8)] == ["generate", "aggregate", "revise"] * 2 + ["generate"]


def test_clarify_holds_a_caucus_and_reads_confidences(shield) -> None:
    assert get(GRA).decide(mediator_view(shield, GRA, stage="clarify", round_=0)).move == "caucus"
    caucus = [Message(sender="aurelia", text="In confidence: burden-sharing formula is decisive for "
                      "us; we need Benefit-proportional shares there. We can move on forward basing."),
              Message(sender="borealis", text="We have nothing to add.")]
    view = mediator_view(shield, GRA, round_=1).model_copy(update={"caucus": caucus})
    assert confided_demands(view) == {"aurelia": {"burden": "benefit_proportional"}}


def test_generate_tables_k_diverse_candidates(shield) -> None:
    view = mediator_view(shield, GRA, round_=1)
    action = get(GRA).decide(view)
    assert action.move == "call_vote" and action.single_text is None
    assert len(action.candidates) == K
    distance = min_distance(view)
    for i, a in enumerate(action.candidates):
        for b in action.candidates[i + 1:]:
            assert sum(a[k] != b[k] for k in a) >= distance
    assert problems(view, action) == []


def test_generate_keeps_the_standing_text_on_the_table(shield) -> None:
    action = get(GRA).decide(mediator_view(shield, GRA, round_=4, single_text=TEXT))
    assert action.single_text == TEXT and action.candidates[0] == TEXT


def test_aggregate_tables_the_schulze_winner(shield) -> None:
    packages = [dict(TEXT, burden=b) for b in ("equal", "gdp_proportional", "benefit_proportional")]
    candidates = [Candidate(ref=f"r1-c{i + 1}", package=p) for i, p in enumerate(packages)]
    # Two voters put c3 first, but c2 beats each rival head to head (Condorcet winner).
    rankings = {"aurelia": ["r1-c3", "r1-c2", "r1-c1"], "borealis": ["r1-c2", "r1-c1", "r1-c3"],
                "corvinia": ["r1-c1", "r1-c2", "r1-c3"], "dalmora": ["r1-c3", "r1-c2", "r1-c1"],
                "estvia": ["r1-c2", "r1-c3", "r1-c1"]}
    view = mediator_view(shield, GRA, round_=2, candidates=candidates, rankings=rankings)
    action = get(GRA).decide(view)
    assert action.move == "propose_text" and action.single_text == packages[1]
    count = schulze(list(rankings.values()), [c.ref for c in candidates], rng(view.seed, "schulze"))
    assert count.winner == "r1-c2" and "r1-c2 wins" in action.statement


def test_revise_once_towards_critics_or_keep(shield) -> None:
    kept = get(GRA).decide(mediator_view(shield, GRA, round_=3, single_text=TEXT))
    assert kept.single_text == TEXT
    revised = get(GRA).decide(mediator_view(shield, GRA, round_=3, single_text=TEXT,
                                            text_critics=["aurelia"], text_rejections={"aurelia": 1}))
    assert revised.single_text is not None and revised.single_text != TEXT


def test_seeded_and_deterministic(shield) -> None:
    view = mediator_view(shield, GRA, round_=1)
    assert get(GRA).decide(view) == get(GRA).decide(view)
    assert np.all(np.array([len(get(GRA).decide(view).candidates)]) == K)
