"""Baseline delegate: time-dependent concession, frequency opponent model, red lines kept.

Each function is a pure function of the view. The delegate never proposes or accepts a package
that crosses its own red lines or breaks its own public commitments; among the packages at or
above its current aspiration it proposes the one the others are estimated to like most.
"""

from __future__ import annotations

import numpy as np

from treatylab import prompts
from treatylab.agents.actions import (
    Commitment,
    ComplianceAction,
    DeclaredRedLine,
    DelegateAction,
    Package,
    Proposal,
    Vote,
)
from treatylab.agents.heuristics import describe
from treatylab.agents.heuristics.concession import target_utility
from treatylab.agents.heuristics.opponent_model import estimate
from treatylab.agents.heuristics.packages import PackageGrid, grid_for
from treatylab.agents.heuristics.rational import closing, crosses_red_line, rational
from treatylab.agents.heuristics.seeding import rng
from treatylab.agents.heuristics.verification import verification_strength
from treatylab.agents.views import DelegateView

TRUST_STEP = 0.05
RESERVATION_MARGIN = 5.0
MAX_COMMITMENTS = 2
APPEAL_TOLERANCE = 0.01  # per other party, on the 0..1 estimated-utility scale
FOCAL_WEIGHT = 0.5  # appeal of fully matching the mediator's text, in other-party units


def _own_utility(view: DelegateView, package: Package) -> float:
    return float(sum(view.own.utilities[issue][option] for issue, option in package.items()))


def _compensation(view: DelegateView, package: Package) -> float:
    """Points the mediator offers this party should its text (and only its text) be agreed."""
    if view.record.single_text is not None and package == view.record.single_text:
        return float(view.record.compensation.get(view.party_id, 0.0))
    return 0.0


def _value(view: DelegateView, package: Package) -> float:
    """Own utility plus any compensation attached to the package: what a text is worth."""
    return _own_utility(view, package) + _compensation(view, package)


def _horizon(view: DelegateView) -> int:
    """The round the delegate concedes towards: a mediator's deadline, if earlier, is credible."""
    deadline = view.record.deadline_round
    if deadline is not None and deadline >= 1:
        return min(view.rules.max_rounds, deadline)
    return view.rules.max_rounds


def priorities(view: DelegateView) -> list[str]:
    """Issue ids by the party's own utility range, widest first (its true priorities)."""
    spans = {
        issue_id: max(row.values()) - min(row.values())
        for issue_id, row in view.own.utilities.items()
    }
    return sorted(spans, key=lambda issue_id: (-spans[issue_id], issue_id))


def favourite(view: DelegateView) -> Package:
    return {issue_id: max(row, key=lambda o: (row[o], o)) for issue_id, row in view.own.utilities.items()}


def _commitments(view: DelegateView) -> dict[str, str]:
    own = view.record.positions.get(view.party_id)
    pairs = [item.split("=", 1) for item in (own.commitments if own else [])]
    return {issue: option for issue, option in pairs}


def _breaks_commitment(package: Package, promised: dict[str, str]) -> bool:
    return any(package.get(issue) != option for issue, option in promised.items())


def _acceptable(view: DelegateView, package: Package, target: float) -> bool:
    """At or above the aspiration (and within its promises); near the deadline, any rational text."""
    if crosses_red_line(view, package):
        return False
    value = _value(view, package)
    if closing(view, _horizon(view)) and rational(view, value):
        return True
    return value >= target - 1e-9 and not _breaks_commitment(package, _commitments(view))


def _choose_proposal(view: DelegateView, grid: PackageGrid, target: float) -> Package:
    own = grid.score(view.own.utilities)
    if view.record.single_text is not None:  # the mediator's text is worth its compensation too
        own[grid.index_of(view.record.single_text)] += _compensation(view, view.record.single_text)
    allowed = ~grid.forbidden(list(view.own.red_lines)) & grid.matches(_commitments(view))
    for rejected in view.record.rejected:
        allowed[grid.index_of(rejected)] = False
    others_lines = [
        line
        for party_id, position in sorted(view.record.positions.items())
        if party_id != view.party_id
        for line in position.declared_red_lines
    ]
    respectful = allowed & ~grid.forbidden(others_lines)
    appeal = np.zeros(len(grid))
    for party_id, position in sorted(view.record.positions.items()):
        if party_id != view.party_id:
            appeal += estimate(position, grid)
    appeal += FOCAL_WEIGHT * _focal_share(view, grid)
    for pool in (respectful & (own >= target - 1e-9), allowed & (own >= target - 1e-9), allowed):
        if pool.any():
            score = np.where(pool, appeal + own * 1e-4, -np.inf)
            # Near-equal candidates are a matter of taste: the turn seed picks among them.
            near = np.flatnonzero(score >= score.max() - APPEAL_TOLERANCE * max(1, len(view.parties) - 1))
            return grid.package(int(rng(view.seed, "proposal").choice(near)))
    return favourite(view)


def _focal_share(view: DelegateView, grid: PackageGrid) -> np.ndarray:
    """Share of issues on which a package keeps what the mediator put forward.

    A formulative mediator's single text, or the common ground a facilitator named, is a
    focal point: among packages the delegate can live with it leans towards them.
    """
    focal: dict[str, str] = {}
    if view.record.single_text is not None:
        focal = dict(view.record.single_text)
    elif view.mediator == "facilitative":
        latest = [p.latest for p in view.record.positions.values()]
        if latest and all(package is not None for package in latest):
            focal = {i: latest[0][i] for i in grid.issue_ids  # type: ignore[index]
                     if len({package[i] for package in latest if package}) == 1}
    if not focal:
        return np.zeros(len(grid))
    share = np.zeros(len(grid))
    for issue_id, option in focal.items():
        share += grid.matches({issue_id: option})
    return share / len(grid.issue_ids)


def _updated_trust(view: DelegateView) -> dict[str, float]:
    trust: dict[str, float] = {}
    for party in view.parties:
        if party.id == view.party_id:
            continue
        value = view.own.trust.get(party.id, 0.5)
        position = view.record.positions.get(party.id)
        if position and position.latest and position.previous:
            moved = _own_utility(view, position.latest) - _own_utility(view, position.previous)
            value += TRUST_STEP if moved > 0 else (-TRUST_STEP if moved < 0 else 0.0)
        if view.implementation and party.id in view.implementation.detected_so_far:
            value -= 4 * TRUST_STEP
        trust[party.id] = round(min(0.95, max(0.05, value)), 3)
    return trust


def _new_commitment(view: DelegateView, proposal: Package) -> list[Commitment]:
    """Promise the option the others favour on the issue the party cares least about."""
    promised = _commitments(view)
    if view.round < 2 or len(promised) >= MAX_COMMITMENTS:
        return []
    for issue_id in reversed(priorities(view)):
        if issue_id in promised:
            continue
        option = proposal[issue_id]
        others = [
            position.latest.get(issue_id)
            for party_id, position in view.record.positions.items()
            if party_id != view.party_id and position.latest
        ]
        if others and others.count(option) * 2 > len(others):
            label = describe.option_label(view, issue_id, option)
            text = f"We will accept {label} on {describe.issue_title(view, issue_id)}."
            return [Commitment(issue=issue_id, option=option, text=text)]
        return []
    return []


def _prepare(view: DelegateView) -> DelegateAction:
    note = prompts.render(
        "heuristic/delegate_prepare.j2",
        favourite=describe.terms(view, favourite(view)),
        priorities=[describe.issue_title(view, i) for i in priorities(view)],
        red_lines=[
            {"title": describe.issue_title(view, line.issue),
             "labels": [describe.option_label(view, line.issue, o) for o in line.forbid]}
            for line in view.own.red_lines
        ],
        reservation=view.own.reservation,
        style=view.own.style,
    )
    return DelegateAction(statement="", private_note=note, priorities=priorities(view))


def _opening(view: DelegateView) -> DelegateAction:
    best = favourite(view)
    top = priorities(view)[:2]
    statement = prompts.render(
        "heuristic/delegate_open.j2",
        name=describe.party_name(view, view.party_id),
        wants=[t for t in describe.terms(view, best) if t["issue"] in top],
    )
    return DelegateAction(statement=statement, priorities=priorities(view), trust=_updated_trust(view))


def _clarify(view: DelegateView) -> DelegateAction:
    lines = [DeclaredRedLine(issue=line.issue, forbid=list(line.forbid)) for line in view.own.red_lines]
    ranked = priorities(view)
    best = favourite(view)
    statement = prompts.render(
        "heuristic/delegate_clarify.j2",
        questions=[message.text for message in view.messages],
        red_lines=[
            {"title": describe.issue_title(view, line.issue),
             "labels": [describe.option_label(view, line.issue, o) for o in line.forbid]}
            for line in view.own.red_lines
        ],
        flexible=describe.issue_title(view, ranked[-1]),
    )
    caucus = None
    if view.mediator != "none":
        caucus = prompts.render(
            "heuristic/delegate_caucus.j2",
            top=describe.issue_title(view, ranked[0]),
            top_label=describe.option_label(view, ranked[0], best[ranked[0]]),
            flexible=[describe.issue_title(view, i) for i in ranked[-2:]],
        )
    return DelegateAction(statement=statement, declared_red_lines=lines, priorities=ranked,
                          to_mediator=caucus, trust=_updated_trust(view))


def _bargain(view: DelegateView) -> DelegateAction:
    grid = grid_for(view.issues)
    target = target_utility(view.own.concession_exponent, view.own.reservation, view.round,
                            _horizon(view))
    responses = {
        pending.ref: ("accept" if _acceptable(view, pending.package, target) else "reject")
        for pending in view.record.pending
    }
    package = _choose_proposal(view, grid, target)
    commitments = _new_commitment(view, package)
    accepted = [ref for ref, answer in responses.items() if answer == "accept"]
    statement = prompts.render(
        "heuristic/delegate_bargain.j2",
        accepted=[describe.offer_name(view, ref) for ref in accepted],
        rejected=[describe.offer_name(view, ref) for ref, answer in responses.items() if answer == "reject"],
        proposal=describe.terms(view, package),
        commitments=[c.text for c in commitments],
        deadline=view.record.deadline_round,
        round=view.round,
    )
    note = prompts.render(
        "heuristic/delegate_note.j2", target=target, utility=_own_utility(view, package),
        reservation=view.own.reservation, round=view.round,
    )
    return DelegateAction(
        statement=statement,
        to_mediator=_caucus_answer(view),
        proposal=Proposal(proposer=view.party_id, package=package,
                          rationale=f"Aspiration {target:.0f} of 100 in round {view.round}."),
        responses=responses,
        commitments=commitments,
        ranking=_ranking(view),
        trust=_updated_trust(view),
        private_note=note,
    )


def _caucus_answer(view: DelegateView) -> str | None:
    """Answer the mediator's confidential message, if it sent one: what is decisive, where to move."""
    from treatylab.agents.mediators.caucus import CAUCUS_SENDER

    if not any(message.sender == CAUCUS_SENDER for message in view.messages):
        return None
    ranked, best = priorities(view), favourite(view)
    return prompts.render(
        "heuristic/delegate_caucus.j2", top=describe.issue_title(view, ranked[0]),
        top_label=describe.option_label(view, ranked[0], best[ranked[0]]),
        flexible=[describe.issue_title(view, i) for i in ranked[-2:]],
    )


def _ranking(view: DelegateView) -> list[str]:
    """Rank candidate texts by own utility (ties by ref), when the mediator asks for it."""
    scored = [(-_own_utility(view, c.package), c.ref) for c in view.record.candidates
              if not any(c.package.get(l.issue) in l.forbid for l in view.own.red_lines)]
    crossing = [c.ref for c in view.record.candidates if c.ref not in {ref for _, ref in scored}]
    return [ref for _, ref in sorted(scored)] + sorted(crossing)


def _draft(view: DelegateView) -> DelegateAction:
    text = view.record.draft or favourite(view)
    if view.drafting:
        statement = prompts.render("heuristic/draft_text.j2", articles=describe.terms(view, text),
                                   drafter=describe.party_name(view, view.party_id))
        return DelegateAction(statement=statement,
                              proposal=Proposal(proposer=view.party_id, package=text,
                                                rationale="Preliminary agreement text."))
    utility = _value(view, text)
    if utility >= view.own.reservation + RESERVATION_MARGIN or not view.record.draft:
        statement = prompts.render("heuristic/delegate_draft_support.j2")
        return DelegateAction(statement=statement, trust=_updated_trust(view))
    worst = min(text, key=lambda i: (view.own.utilities[i][text[i]] - max(view.own.utilities[i].values()), i))
    amended = dict(text)
    amended[worst] = favourite(view)[worst]
    statement = prompts.render("heuristic/delegate_amend.j2", issue=describe.issue_title(view, worst),
                               label=describe.option_label(view, worst, amended[worst]))
    return DelegateAction(statement=statement, trust=_updated_trust(view),
                          proposal=Proposal(proposer=view.party_id, package=amended,
                                            rationale="Amendment to the draft."))


def decide_delegate(view: DelegateView) -> DelegateAction:
    handlers = {"prepare": _prepare, "open": _opening, "clarify": _clarify, "bargain": _bargain,
                "draft": _draft}
    return handlers.get(view.stage, _bargain)(view)


def decide_vote(view: DelegateView) -> Vote:
    text = view.record.draft or {}
    crossed = [line.issue for line in view.own.red_lines if text.get(line.issue) in line.forbid]
    utility = _value(view, text) if text else 0.0
    if crossed or utility < view.own.reservation:
        decision = "reject"
        reservations: list[str] = []
    elif utility < view.own.reservation + RESERVATION_MARGIN:
        decision = "sign_with_reservations"
        losses = {i: max(view.own.utilities[i].values()) - view.own.utilities[i][o] for i, o in text.items()}
        reservations = sorted((i for i in losses if losses[i] > 0), key=lambda i: (-losses[i], i))[:2]
    else:
        decision, reservations = "sign", []
    statement = prompts.render(
        "heuristic/delegate_vote.j2", decision=decision,
        reservations=[describe.issue_title(view, i) for i in reservations],
        crossed=[describe.issue_title(view, i) for i in crossed],
    )
    return Vote(decision=decision, reservations=reservations, statement=statement)


def decide_compliance(view: DelegateView) -> ComplianceAction:
    assert view.implementation is not None
    agreement = view.implementation.agreement
    trust = list(view.own.trust.values()) or [0.5]
    deterrence = 1.0 - 0.6 * verification_strength(view.issues, agreement)
    pressure = view.own.defection_temptation * deterrence * (1.5 - float(np.mean(trust)))
    comply = bool(rng(view.seed, "comply").random() >= pressure)
    statement = prompts.render("heuristic/delegate_compliance.j2", comply=comply,
                               period=view.implementation.period)
    return ComplianceAction(comply=comply, statement=statement)
