"""Import a scorable game of the LLM-Deliberation benchmark as a treatylab scenario.

A game folder of that benchmark (S-Abdelnabi/LLM-Deliberation, `games_descriptions/<game>/`)
holds:

- `config.txt`: one line per agent, `Name,file_name,role,incentive,model`; the roles `p1`
  (the proposer who moderates the vote) and `p2` are veto parties there;
- `scores_files/<file_name>.txt`: one line per issue with the points of its options, in order,
  then a last line with the agent's minimum acceptable total (its threshold);
- `global_instructions.txt` (optional here): the public text, with `Issue A: "Title"` headings
  and option lines such as `A1 "label": ...` or `D2: $2 billion.`;
- `individual_instructions/<incentive>/<file_name>.txt` (optional): the agent's private text.

The mapping keeps the game's structure and its numbers: option ids are the game's own codes
(`a1`, `b2`, ...) so its deals ("A1,B2,...") read directly; every party's points are rescaled so
its best package totals 100, and its threshold is rescaled by the same factor to become the
reservation. A deal there passes with all but one vote including p1 and p2, hence a qualified
majority of (n-1)/n with p1 and p2 as veto parties. Capacities and benefits are not part of the
game and are set equal.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import ValidationError

from scenarios.loader import ScenarioError, _validation_problems
from scenarios.schema import AllianceType, Scenario

VETO_ROLES = {"p1", "p2", "veto", "voting_moderator"}
LEAD_ROLES = ("p1", "voting_moderator")
ISSUE_LINE = re.compile(r'^\s*Issue\s+([A-Z])\s*:\s*"?([^"\n]*)"?', re.IGNORECASE)
OPTION_LINE = re.compile(r'^\s*([A-Z])(\d+)\s*(?::\s*)?("([^"]*)"\s*:?)?\s*(.*)$')
DIGITS = 4


def _slug(text: str, sep: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", sep, text.lower()).strip(sep)
    return slug or "x"


def _read(path: Path, source: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(source, [f"{path.name}: cannot read: {exc}"]) from None


def _agents(game: Path) -> list[dict[str, str]]:
    text = _read(game / "config.txt", str(game))
    agents: list[dict[str, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        fields = [field.strip() for field in line.split(",")]
        if len(fields) < 3:
            raise ScenarioError(str(game), [f"config.txt line {number}: expected "
                                            "'Name,file_name,role[,incentive,model]'"])
        incentive = fields[3] if len(fields) > 3 else ""
        agents.append({"name": fields[0], "file": fields[1], "role": fields[2].lower(),
                       "incentive": incentive})
    if len(agents) < 2:
        raise ScenarioError(str(game), ["config.txt: expected at least two agents"])
    return agents


def _scores(game: Path, file_name: str) -> tuple[list[list[float]], float]:
    path = game / "scores_files" / f"{file_name}.txt"
    where = f"scores_files/{file_name}.txt"
    lines = [line for line in _read(path, str(game)).splitlines() if line.strip()]
    if len(lines) < 2:
        raise ScenarioError(str(game), [f"{where}: expected one line per issue and a last line "
                                        "with the minimum threshold"])
    rows: list[list[float]] = []
    try:
        for line in lines[:-1]:
            rows.append([float(value) for value in line.split(",") if value.strip()])
        threshold = float(lines[-1].strip())
    except ValueError:
        raise ScenarioError(str(game), [f"{where}: expected comma-separated numbers on each "
                                        "line and one number (the threshold) on the last"]) from None
    return rows, threshold


def _issue_texts(game: Path) -> dict[str, tuple[str, dict[int, str]]]:
    """Issue letter -> (title, option number -> label), from global_instructions.txt."""
    path = game / "global_instructions.txt"
    if not path.exists():
        return {}
    issues: dict[str, tuple[str, dict[int, str]]] = {}
    for line in _read(path, str(game)).splitlines():
        heading = ISSUE_LINE.match(line)
        if heading:
            issues[heading.group(1).upper()] = (heading.group(2).strip(), {})
            continue
        option = OPTION_LINE.match(line)
        if option and option.group(1) in issues:
            label = option.group(4) or option.group(5).rstrip(".").strip()
            issues[option.group(1)][1][int(option.group(2))] = label[:80] or line.strip()
    return issues


def _rescaled(rows: list[list[float]], threshold: float, who: str) -> tuple[list[list[float]], float]:
    """Points times 100/best, rounded, with the rounding residue put on the top options."""
    best = sum(max(row) for row in rows)
    if best <= 0:
        raise ScenarioError(who, ["best package totals 0; cannot rescale to 100"])
    factor = 100.0 / best
    scaled = [[round(value * factor, DIGITS) for value in row] for row in rows]
    residue = 100.0 - sum(max(row) for row in scaled)
    top = max(range(len(scaled)), key=lambda k: max(scaled[k]))
    peak = max(scaled[top])
    scaled[top] = [value + residue if value == peak else value for value in scaled[top]]
    return scaled, min(100.0, max(0.0, round(threshold * factor, DIGITS)))


def _issues(game: Path, shape: list[int]) -> list[dict[str, object]]:
    texts = _issue_texts(game)
    issues: list[dict[str, object]] = []
    used: set[str] = set()
    for k, count in enumerate(shape):
        letter = chr(ord("A") + k)
        title, labels = texts.get(letter, (f"Issue {letter}", {}))
        issue_id = _slug(title, "_")
        if issue_id in used:
            issue_id = f"{issue_id}_{letter.lower()}"
        used.add(issue_id)
        options = [{"id": f"{letter.lower()}{n}", "label": f"{letter}{n}: {labels[n]}"
                    if n in labels else f"{letter}{n}"} for n in range(1, count + 1)]
        issues.append({"id": issue_id, "title": title, "options": options})
    return issues


def import_game(game: Path, scenario_id: str | None = None,
                alliance_type: AllianceType = "limited_partnership") -> Scenario:
    """Read one game folder into a validated Scenario; raise ScenarioError naming what is wrong."""
    source = str(game)
    if not game.is_dir():
        raise ScenarioError(source, ["expected a game folder (config.txt, scores_files/...)"])
    agents = _agents(game)
    for agent in agents:
        agent["id"] = _slug(agent["file"], "_")
    scores = {agent["id"]: _scores(game, agent["file"]) for agent in agents}
    shape = [len(row) for row in next(iter(scores.values()))[0]]
    for agent in agents:
        if [len(row) for row in scores[agent["id"]][0]] != shape:
            raise ScenarioError(source, [f"scores_files/{agent['file']}.txt: issues and option "
                                         f"counts {[len(r) for r in scores[agent['id']][0]]} "
                                         f"differ from the first agent's {shape}"])
    issues = _issues(game, shape)
    n = len(agents)
    parties, utilities = [], {}
    for agent in agents:
        rows, threshold = _rescaled(*scores[agent["id"]], who=f"{source}: {agent['file']}")
        utilities[agent["id"]] = {
            issue["id"]: {opt["id"]: value for opt, value in zip(issue["options"], row)}  # type: ignore[union-attr]
            for issue, row in zip(issues, rows)
        }
        brief = game / "individual_instructions" / agent["incentive"] / f"{agent['file']}.txt"
        role = "veto party" if agent["role"] in VETO_ROLES else "party"
        parties.append({
            "id": agent["id"], "name": agent["name"], "capacity": round(1 / n, 6),
            "benefit": round(1 / n, 6), "reservation": threshold, "style": "linear",
            "persona": f"{agent['name']}: a {role} of the original game"
                       + (f" ({agent['incentive']} incentive)." if agent["incentive"] else "."),
            "private_brief": _read(brief, source).strip() if brief.is_file() else "",
        })
    veto = [a["id"] for a in agents if a["role"] in VETO_ROLES]
    lead = next((a["id"] for role in LEAD_ROLES for a in agents if a["role"] == role), None)
    background_path = game / "global_instructions.txt"
    summary = (f"Imported from the LLM-Deliberation scorable game '{game.name}': {n} parties, "
               f"{len(issues)} issues. Points are rescaled so each party's best package totals "
               "100; reservations are the game's minimum thresholds, rescaled the same way.")
    data = {
        "schema_version": 1,
        "id": scenario_id or _slug(game.name, "-"),
        "title": f"{game.name.replace('_', ' ').title()} (LLM-Deliberation)",
        "alliance_type": alliance_type,
        "summary": summary,
        "background": _read(background_path, source).strip() if background_path.exists() else summary,
        "inspired_by": [f"LLM-Deliberation scorable game '{game.name}' (Abdelnabi et al., 2024)"],
        "sources": "Imported from a game folder of the public LLM-Deliberation benchmark; "
                   "capacities and benefits are not part of the game and are set equal.",
        "rules": {"decision_rule": "qualified_majority",
                  "majority_threshold": round((n - 1) / n, 6),
                  "veto_parties": veto, "lead_party": lead},
        "parties": parties,
        "issues": issues,
        "utilities": utilities,
    }
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(source, _validation_problems(exc)) from None
