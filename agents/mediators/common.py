"""Moves several strategies share: restating issues, finding common ground, drafting."""

from __future__ import annotations

import numpy as np

from treatylab import prompts
from treatylab.agents.actions import MediatorAction, Package
from treatylab.agents.heuristics import describe
from treatylab.agents.heuristics.opponent_model import estimate
from treatylab.agents.heuristics.packages import PackageGrid, grid_for
from treatylab.agents.heuristics.seeding import rng
from treatylab.agents.views import MediatorView

CONFIDED_BONUS = 0.15  # on the 0..1 estimate scale, per confided option (as in `candidates`)

def clarify(view: MediatorView) -> MediatorAction:
    statement = prompts.render(
        "heuristic/mediator_clarify.j2", issues=[issue.title for issue in view.issues]
    )
    questions = prompts.render_lines("heuristic/mediator_clarify_questions.j2")
    return MediatorAction(statement=statement, move="summarize", questions=questions)


def common_ground(view: MediatorView) -> dict[str, str]:
    """Issues on which every party's latest proposal names the same option."""
    latest = [p.latest for p in view.record.positions.values()]
    if not latest or any(package is None for package in latest):
        return {}
    agreed: dict[str, str] = {}
    for issue in view.issues:
        options = {package[issue.id] for package in latest if package is not None}
        if len(options) == 1:
            agreed[issue.id] = options.pop()
    return agreed


def revealed_nash_text(view: MediatorView, grid: PackageGrid | None = None) -> Package:
    """Max weighted Nash product of revealed-preference estimates, declared red lines kept.

    Revision on critique: a party that rejected the previous text must get more, by the
    mediator's own estimate, than that text gave it (the most persistent critics first, as
    long as some package satisfies them), and a party that keeps rejecting weighs more in
    the product. Without critics the text is the plain maximiser.
    """
    from treatylab.agents.mediators.caucus import confided_demands

    grid = grid or grid_for(view.issues)
    estimates = {pid: estimate(pos, grid) for pid, pos in sorted(view.record.positions.items())}
    for party_id, demands in sorted(confided_demands(view).items()):  # what a party confided
        for issue_id, option in sorted(demands.items()):
            if party_id in estimates:
                estimates[party_id] = estimates[party_id] + CONFIDED_BONUS * grid.matches({issue_id: option})
    log_product = np.zeros(len(grid))
    lines = []
    for party_id, position in sorted(view.record.positions.items()):
        weight = 1.0 + view.record.text_rejections.get(party_id, 0)
        log_product += weight * np.log(estimates[party_id] + 0.05)
        lines.extend(position.declared_red_lines)
    allowed = ~grid.forbidden(lines)
    for rejected in view.record.rejected:
        allowed[grid.index_of(rejected)] = False
    if not allowed.any():
        allowed[:] = True
    previous = view.record.single_text
    if previous is not None and view.record.text_critics:
        index = grid.index_of(previous)
        # The most persistent critics first; add each critic's demand while it stays feasible.
        critics = sorted(view.record.text_critics,
                         key=lambda p: (-view.record.text_rejections.get(p, 0), p))
        for critic in critics:
            improved = allowed & (estimates[critic] > estimates[critic][index] + 1e-9)
            if improved.any():
                allowed = improved
    noise = rng(view.seed, "text").random(len(grid)) * 1e-9
    return grid.package(int(np.argmax(np.where(allowed, log_product + noise, -np.inf))))


def draft(view: MediatorView) -> MediatorAction:
    text = view.record.draft or {}
    statement = prompts.render("heuristic/draft_text.j2", articles=describe.terms(view, text),
                               drafter="the mediator")
    return MediatorAction(statement=statement, move="propose_text", single_text=text)
