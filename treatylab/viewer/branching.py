"""Parent against branch: the rows the viewer's branch banner shows side by side.

A branch's manifest (treatylab.branch) names its parent run, the branch point and what
changed, and keeps the parent's outcome, so the banner works even when the parent folder
has moved.
"""

from __future__ import annotations

from typing import Any

from treatylab.scenarios import Scenario


def _fmt(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def branch_summary(manifest: dict[str, Any], result: dict[str, Any],
                   scenario: Scenario) -> dict[str, Any] | None:
    branch = manifest.get("branch")
    if not branch:
        return None
    parent = branch.get("parent_result") or {}
    rows = [["outcome", _fmt(parent.get("outcome")), _fmt(result.get("outcome"))],
            ["rounds", _fmt(parent.get("rounds")), _fmt(result.get("rounds"))]]
    for issue in scenario.issues:
        def label(res: dict[str, Any]) -> str:
            package = res.get("package") or {}
            return issue.option(package[issue.id]).label if issue.id in package else "—"
        rows.append([issue.title, label(parent), label(result)])
    parent_pay = (parent.get("scores") or {}).get("payoffs") or {}
    pay = (result.get("scores") or {}).get("payoffs") or {}
    for party in scenario.parties:
        rows.append([f"points: {party.name}", _fmt(parent_pay.get(party.id)), _fmt(pay.get(party.id))])
    for key in ("nash_ratio", "burden_equity", "trust"):
        def score(res: dict[str, Any]) -> str:
            value = (res.get("scores") or {}).get(key)
            return _fmt(value.get("value") if isinstance(value, dict) else value)
        rows.append([key.replace("_", " "), score(parent), score(result)])
    return {"parent_run": branch.get("parent_run_id") or branch.get("parent"),
            "at": branch.get("at"), "changes": branch.get("changes_text", "the settings changed"),
            "rows": rows}
