"""Generate-rank-aggregate mediator, after the Habermas Machine (Tessler et al. 2024).

It cycles through three bargaining rounds:

1. generate: table K diverse candidate texts (`candidates`), the top packages by the
   revealed-preference Nash product with a diversity constraint (see `candidates`); a text
   already on the table stays there and joins the candidates;
2. aggregate: every delegation has ranked the candidates (`ranking`, public); the Schulze
   method picks the winner (seeded tie-break), tabled as the single text;
3. revise: the delegations' responses to the winner are its critiques; the text is revised
   once, towards the parties that rejected it, as the single-negotiating-text revision does.

The phase is a function of the round alone, so the policy stays a pure function of the view.
In the clarify stage it holds a caucus; confided demands raise a party's estimated utility
for the options it named when candidates are generated.
"""

from __future__ import annotations

from treatylab import prompts
from treatylab.agents.actions import MediatorAction, Package
from treatylab.agents.heuristics import describe
from treatylab.agents.heuristics.seeding import rng
from treatylab.agents.mediators import caucus, common
from treatylab.agents.mediators.base import MediatorStrategy, register
from treatylab.agents.mediators.candidates import diverse_top
from treatylab.agents.mediators.schulze import schulze
from treatylab.agents.views import MediatorView

K = 4
PHASES = ("generate", "aggregate", "revise")


def phase(round_: int) -> str:
    return PHASES[(max(1, round_) - 1) % len(PHASES)]


def min_distance(view: MediatorView) -> int:
    """Candidates differ on at least a third of the issues (at least one)."""
    return max(1, len(view.issues) // 3)


@register
class GenerateRankAggregate(MediatorStrategy):
    name = "generate-rank-aggregate"
    description = "K diverse candidates, ranked by every delegation, Schulze winner, one critique round."

    def decide(self, view: MediatorView) -> MediatorAction:
        if view.stage == "clarify":
            return caucus.hold(view)
        if view.stage == "draft":
            return common.draft(view)
        step = phase(view.round)
        if step == "aggregate" and view.record.candidates:
            return self._aggregate(view)
        if step == "revise" and view.record.single_text is not None:
            return self._revise(view)
        return self._generate(view)

    def _generate(self, view: MediatorView) -> MediatorAction:
        standing = view.record.single_text
        fresh = diverse_top(view, K, min_distance(view))
        options: list[Package] = ([standing] if standing else []) + [p for p in fresh if p != standing]
        options = options[:K]
        statement = prompts.render(
            "heuristic/mediator_generate_rank_aggregate_candidates.j2", round=view.round,
            candidates=[describe.terms(view, p) for p in options], standing=standing is not None,
        )
        return MediatorAction(statement=statement, move="call_vote", candidates=options,
                              single_text=standing)

    def _aggregate(self, view: MediatorView) -> MediatorAction:
        refs = [c.ref for c in view.record.candidates]
        ballots = [view.record.rankings[p] for p in sorted(view.record.rankings)]
        count = schulze(ballots, refs, rng(view.seed, "schulze"))
        # Without any ranking every candidate ties: the best-scored (first) one is tabled.
        winner_ref = count.winner if ballots else refs[0]
        winner = next(c.package for c in view.record.candidates if c.ref == winner_ref)
        statement = prompts.render(
            "heuristic/mediator_generate_rank_aggregate_winner.j2", round=view.round,
            ballots=len(ballots), order=count.order if ballots else refs, winner=winner_ref,
            terms=describe.terms(view, winner),
        )
        return MediatorAction(statement=statement, move="propose_text", single_text=winner,
                              private_note=f"Schulze strongest paths: {count.strongest}")

    def _revise(self, view: MediatorView) -> MediatorAction:
        text = view.record.single_text
        assert text is not None
        critics = view.record.text_critics
        revised = common.revealed_nash_text(view) if critics else text
        statement = prompts.render(
            "heuristic/mediator_generate_rank_aggregate_revision.j2", round=view.round,
            critics=[describe.party_name(view, p) for p in critics], changed=revised != text,
            terms=describe.terms(view, revised),
        )
        return MediatorAction(statement=statement, move="propose_text", single_text=revised)
