"""The scorecard as the viewer shows it: value, a one-line explanation, a link to the formula.

Explanations are for a class, not for a referee: what the number means in one sentence.
docs/metrics.md gives the formulas; each row links to its section there.
"""

from __future__ import annotations

import re
from typing import Any

SECTIONS = {
    "outcome": "Scorecard (`evals/scorecard.py`)",
    "package": "One package (`evals/package_analysis.py`)",
    "burden": "Burden equity (`evals/burden.py`)",
    "sovereignty": "Sovereignty preservation (`evals/sovereignty.py`)",
    "trust": "Trust (`evals/trust.py`)",
    "space": "Outcome space (`evals/outcome_space.py`)",
}

ROWS: tuple[tuple[str, str, str], ...] = (
    # (score key, section, one-line explanation)
    ("pareto_optimal", "package", "No other package is at least as good for everyone and better for someone."),
    ("pareto_gap", "package", "How far the agreement is from the Pareto frontier (0 = on it)."),
    ("nash_ratio", "package", "Product of gains over walk-away, as a share of the best possible (Nash) product."),
    ("burden_equity", "burden", "1 minus how far the agreed cost shares are from what each can afford (1 = fair)."),
    ("sovereignty_preservation", "sovereignty", "How little national control the parties gave up (1 = none; 0 on a red-line breach)."),
    ("trust", "trust", "Composite of verification agreed, promises kept, consistency and reported trust."),
    ("zone_of_agreement_size", "space", "Packages every party prefers to walking away."),
    ("frontier_size", "space", "Packages on the Pareto frontier of the whole space."),
)


def slug(heading: str) -> str:
    """GitHub's anchor for a markdown heading: lower case, punctuation dropped, spaces to '-'."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _value(score: Any) -> Any:
    if isinstance(score, dict) and "value" in score:
        return score["value"]
    return score


def scorecard_rows(result: dict[str, Any], docs_href: str) -> list[dict[str, Any]]:
    """Rows {key, label, value, explain, href} for the scores the result holds."""
    scores = result.get("scores") or {}
    rows = [{"key": "outcome", "label": "outcome", "value": result.get("outcome") or result.get("status"),
             "explain": "Agreement signed under the decision rule, or breakdown.",
             "href": f"{docs_href}#{slug(SECTIONS['outcome'])}"}]
    for key, section, explain in ROWS:
        if key in scores:
            rows.append({"key": key, "label": key.replace("_", " "), "value": _value(scores[key]),
                         "explain": explain, "href": f"{docs_href}#{slug(SECTIONS[section])}"})
    process = result.get("process") or {}
    for key, explain in (("failed_turns", "Turns whose answer stayed invalid after repairs."),
                         ("repairs", "Invalid answers that were re-asked and fixed."),
                         ("llm_calls", "Calls to a language model (0 for baseline policies).")):
        if key in process:
            rows.append({"key": key, "label": key.replace("_", " "), "value": process[key],
                         "explain": explain, "href": f"{docs_href}#{slug(SECTIONS['outcome'])}"})
    return rows
