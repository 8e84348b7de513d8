"""Turn ids into the words statements use (option labels, issue titles)."""

from __future__ import annotations

from treatylab.agents.actions import Package
from treatylab.agents.views import ViewCommon


def option_label(view: ViewCommon, issue_id: str, option_id: str) -> str:
    for issue in view.issues:
        if issue.id == issue_id:
            for option in issue.options:
                if option.id == option_id:
                    return option.label
    return option_id


def issue_title(view: ViewCommon, issue_id: str) -> str:
    for issue in view.issues:
        if issue.id == issue_id:
            return issue.title
    return issue_id


def terms(view: ViewCommon, package: Package) -> list[dict[str, str]]:
    """[{issue, title, option, label}] in issue order, for templates."""
    return [
        {
            "issue": issue.id,
            "title": issue.title,
            "option": package[issue.id],
            "label": option_label(view, issue.id, package[issue.id]),
        }
        for issue in view.issues
        if issue.id in package
    ]


def party_name(view: ViewCommon, party_id: str) -> str:
    for party in view.parties:
        if party.id == party_id:
            return party.name
    return party_id


def offer_name(view: ViewCommon, ref: str) -> str:
    """'the mediator's text' or "Borealis's proposal" for a pending ref."""
    for pending in view.record.pending:
        if pending.ref == ref:
            if pending.proposer == "mediator":
                return "the mediator's text"
            return f"{party_name(view, pending.proposer)}'s proposal"
    return ref
