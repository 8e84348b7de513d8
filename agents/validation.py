"""Check an action's meaning against the actor's view.

Validation needs only the view (issues, parties, pending refs, candidates), so every backend —
in process, behind HTTP, or an LLM being re-asked — validates the same way. Problems are
sentences an LLM can act on in a repair re-ask.
"""

from __future__ import annotations

from treatylab.agents.actions import (
    ComplianceAction,
    DelegateAction,
    MediatorAction,
    Package,
    Vote,
)
from treatylab.agents.views import DelegateView, MediatorView, View


class ActionInvalid(ValueError):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


def package_problems(view: View, package: Package, where: str) -> list[str]:
    out: list[str] = []
    issues = {issue.id: issue.option_ids() for issue in view.issues}
    for issue_id in sorted(set(package) - set(issues)):
        out.append(f"{where}: unknown issue '{issue_id}'; issues are {sorted(issues)}")
    for issue_id, options in issues.items():
        if issue_id not in package:
            out.append(f"{where}: missing issue '{issue_id}'; a package names one option "
                       f"for every issue (options: {options})")
        elif package[issue_id] not in options:
            out.append(f"{where}: option '{package[issue_id]}' is not an option of issue "
                       f"'{issue_id}'; choose one of {options}")
    return out


def _option_problems(view: View, issue_id: str, option_ids: list[str], where: str) -> list[str]:
    issues = {issue.id: issue.option_ids() for issue in view.issues}
    if issue_id not in issues:
        return [f"{where}: unknown issue '{issue_id}'; issues are {sorted(issues)}"]
    return [
        f"{where}: '{option_id}' is not an option of '{issue_id}'; choose from {issues[issue_id]}"
        for option_id in option_ids
        if option_id not in issues[issue_id]
    ]


def _delegate_problems(view: DelegateView, action: DelegateAction) -> list[str]:
    out: list[str] = []
    if action.proposal is not None:
        if action.proposal.proposer != view.party_id:
            out.append(f"proposal.proposer: must be your own id '{view.party_id}'")
        out.extend(package_problems(view, action.proposal.package, "proposal.package"))
    refs = {pending.ref for pending in view.record.pending}
    for ref in action.responses:
        if ref not in refs:
            out.append(f"responses: '{ref}' is not a pending proposal; pending refs are "
                       f"{sorted(refs)}")
    for n, line in enumerate(action.declared_red_lines):
        out.extend(_option_problems(view, line.issue, line.forbid, f"declared_red_lines[{n}]"))
    for n, promise in enumerate(action.commitments):
        out.extend(_option_problems(view, promise.issue, [promise.option], f"commitments[{n}]"))
    issue_ids = {issue.id for issue in view.issues}
    for issue_id in action.priorities:
        if issue_id not in issue_ids:
            out.append(f"priorities: unknown issue '{issue_id}'; issues are {sorted(issue_ids)}")
    candidate_refs = {candidate.ref for candidate in view.record.candidates}
    for ref in action.ranking:
        if ref not in candidate_refs:
            out.append(f"ranking: '{ref}' is not a candidate; candidates are "
                       f"{sorted(candidate_refs)}")
    others = {party.id for party in view.parties} - {view.party_id}
    for party_id in action.trust:
        if party_id not in others:
            out.append(f"trust: '{party_id}' is not another party; parties are {sorted(others)}")
    return out


def _mediator_problems(view: MediatorView, action: MediatorAction) -> list[str]:
    out: list[str] = []
    if action.single_text is not None:
        out.extend(package_problems(view, action.single_text, "single_text"))
    if action.move == "propose_text" and action.single_text is None:
        out.append("single_text: move 'propose_text' needs a full package in single_text")
    for n, candidate in enumerate(action.candidates):
        out.extend(package_problems(view, candidate, f"candidates[{n}]"))
    parties = {party.id for party in view.parties}
    if action.caucus_with is not None and action.caucus_with not in parties:
        out.append(f"caucus_with: unknown party '{action.caucus_with}'; name one party id")
    if action.caucus_with is not None and not action.caucus_message.strip():
        out.append("caucus_message: a caucus needs a message for the party in caucus_with")
    for party_id, points in action.compensation.items():
        if party_id not in parties:
            out.append(f"compensation: unknown party '{party_id}'")
        if points < 0:
            out.append(f"compensation.{party_id}: must be >= 0")
    budget = view.budget.points if view.budget else 0.0
    if sum(action.compensation.values()) > budget + 1e-9:
        out.append(f"compensation: total {sum(action.compensation.values()):g} exceeds the "
                   f"mediator budget of {budget:g} points")
    return out


def _vote_problems(view: DelegateView, action: Vote) -> list[str]:
    issue_ids = {issue.id for issue in view.issues}
    return [
        f"reservations: unknown issue '{issue_id}'; issues are {sorted(issue_ids)}"
        for issue_id in action.reservations
        if issue_id not in issue_ids
    ]


def problems(view: View, action: object) -> list[str]:
    """Every reason `action` is not a legal answer to `view` (empty when it is)."""
    expected = view.expected
    kind = getattr(action, "kind", None)
    if kind != expected:
        return [f"expected a {expected} answer, got {kind or type(action).__name__}"]
    if isinstance(view, DelegateView) and isinstance(action, DelegateAction):
        return _delegate_problems(view, action)
    if isinstance(view, MediatorView) and isinstance(action, MediatorAction):
        return _mediator_problems(view, action)
    if isinstance(view, DelegateView) and isinstance(action, Vote):
        return _vote_problems(view, action)
    if isinstance(action, ComplianceAction):
        return []
    return [f"a {type(view).__name__} cannot answer with {type(action).__name__}"]


def check(view: View, action: object) -> None:
    found = problems(view, action)
    if found:
        raise ActionInvalid(found)
