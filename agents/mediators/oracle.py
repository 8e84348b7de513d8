"""Oracle mediator: a baseline that knows every party's true utilities.

It is not a mediator anyone could be; it bounds what mediation could achieve with perfect
information. Its view carries the true utilities, current reservations (after shocks) and
red lines (`oracle = True`). Every bargaining round it tables the Nash package: the largest
product of gains over the current reservations among packages that are individually rational
for every party and cross no red line. When no such package exists but the decision rule
needs fewer than all (a qualified majority), it tables a package the willing signatories
carry: the most of them, then the largest product of their gains. When there is none either
(no deal under the rule) it tables the red-line-free package whose smallest gain is largest,
the least infeasible text.
Texts the parties voted down are excluded; ties go to a seeded draw.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from treatylab import prompts
from treatylab.agents.actions import MediatorAction, Package
from treatylab.agents.heuristics import describe
from treatylab.agents.heuristics.packages import grid_for
from treatylab.agents.heuristics.seeding import rng
from treatylab.agents.mediators import common
from treatylab.agents.mediators.base import MediatorStrategy, register
from treatylab.agents.views import MediatorView, OracleInfo


def nash_package(view: MediatorView, info: OracleInfo) -> tuple[Package, bool]:
    """(the Nash package, whether it is individually rational for every party)."""
    grid = grid_for(view.issues)
    parties = sorted(info.utilities)
    gains = np.stack([grid.score(info.utilities[p]) - info.reservations[p] for p in parties])
    clean = ~grid.forbidden([line for p in parties for line in info.red_lines.get(p, [])])
    for rejected in view.record.rejected:
        clean[grid.index_of(rejected)] = False
    if not clean.any():
        clean[:] = True
    rational = clean & (gains >= -1e-9).all(axis=0)
    noise = rng(view.seed, "oracle").random(len(grid)) * 1e-9
    if rational.any():
        product = np.prod(np.clip(gains, 0.0, None), axis=0)
        return grid.package(int(np.argmax(np.where(rational, product + noise, -np.inf)))), True
    carried = clean & _carried(view, parties, gains >= -1e-9)
    if carried.any():
        # No text suits everyone, but the rule does not ask for everyone: the most willing
        # signatories first, then the Nash product of the gains of those who would sign.
        willing = (gains >= -1e-9).sum(axis=0)
        product = np.prod(np.where(gains >= -1e-9, gains + 1e-6, 1.0), axis=0)
        score = willing * 1e12 + product
        return grid.package(int(np.argmax(np.where(carried, score + noise, -np.inf)))), True
    least = gains.min(axis=0)
    return grid.package(int(np.argmax(np.where(clean, least + noise, -np.inf)))), False


def _carried(view: MediatorView, parties: list[str], willing: np.ndarray) -> np.ndarray:
    """Per package, whether the parties willing to sign it carry the decision rule."""
    from treatylab.scenarios.decision_rule import passes

    table = SimpleNamespace(rules=view.rules, party_ids=lambda: [p.id for p in view.parties])
    weights = 1 << np.arange(len(parties), dtype=np.int64)
    codes = (willing * weights[:, None]).sum(axis=0)
    verdict = {int(c): passes(table, {p for k, p in enumerate(parties) if int(c) >> k & 1})  # type: ignore[arg-type]
               for c in np.unique(codes)}
    return np.array([verdict[int(c)] for c in codes], dtype=bool)


@register
class Oracle(MediatorStrategy):
    name = "oracle"
    description = "Baseline with true utilities: tables the Nash package every round."
    oracle = True

    def decide(self, view: MediatorView) -> MediatorAction:
        if view.stage == "clarify":
            return common.clarify(view)
        if view.stage == "draft":
            return common.draft(view)
        if view.oracle is None:
            raise ValueError("the oracle mediator needs a view with true utilities (view.oracle)")
        text, rational = nash_package(view, view.oracle)
        statement = prompts.render("heuristic/mediator_oracle.j2", round=view.round,
                                   terms=describe.terms(view, text), rational=rational)
        return MediatorAction(statement=statement, move="propose_text", single_text=text)
