"""Import a scorable game of the LLM-Deliberation benchmark as a treatylab scenario.

A game folder of that benchmark (S-Abdelnabi/LLM-Deliberation, `games_descriptions/<game>/`)
holds:

- `config.txt`: one line per agent, `Name,file_name,role,incentive,model`; the roles `p1`
  (the proposer who moderates the vote, also `voting_moderator`) and `p2` (also `veto`) are
  veto parties there; `player` and `target` are ordinary parties;
- `scores_files/<file_name>.txt`: one line per issue with the points of its options, in order,
  then a last line with the agent's minimum acceptable total (its threshold);
- `global_instructions.txt` (optional here): the public text, with `Issue A: "Title"` headings
  and option lines such as `A1 "label": ...` or `D2: $2 billion.` (the base game), or as list
  items `- Issue A: "Size"` / `- Issue A: Unquoted title. ...` and `    - A1: text ==> ...`;
- `initial_deal.txt` (optional here): p1's opening proposal, `A1,B2,...`, added to the
  background in the scenario's ids;
- `individual_instructions/<incentive>/<file_name>.txt` (optional): the agent's private text,
  whose `#A1_NUM` / `#A_MAX_NUM` placeholders are filled in with its points.

The mapping keeps the game's structure and its numbers: option ids are the game's own codes
(`a1`, `b2`, ...) so its deals ("A1,B2,...") read directly; every party's points are rescaled so
its best package totals 100, and its threshold is rescaled by the same factor to become the
reservation. A deal there passes with all but one vote including p1 and p2, hence a qualified
majority of exactly (n-1)/n, written as the fraction string "6/7" (a rounded decimal
such as 0.857143 is above 6/7 and would turn the game into unanimity), with p1 and p2 as
veto parties. Capacities and benefits are not part of the
game and are set equal.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import ValidationError

from treatylab.scenarios.loader import ScenarioError, _validation_problems
from treatylab.scenarios.schema import AllianceType, Scenario

VETO_ROLES = {"p1", "p2", "veto", "voting_moderator"}
LEAD_ROLES = ("p1", "voting_moderator")
# Headings and option lines come bare (`Issue A: "Title"`, `A1 "label": ...`, `D1: $3 billion.`)
# or as list items (`- Issue A: "Size"`, `    - A1: 50 hectares ==> ...`); titles may be unquoted
# (`- Issue A: The location of the airport. There are 4 options:`).
BULLET = r"(?:[-*\u2022]\s*)?"
ISSUE_LINE = re.compile(rf"^\s*{BULLET}Issue\s+([A-Z])\s*:\s*(.*?)\s*$", re.IGNORECASE)
OPTION_LINE = re.compile(rf"^\s*{BULLET}([A-Z])(\d+)(?![\w])\s*(.*?)\s*$")
QUOTED = re.compile(r'^"([^"]*)"')
# Placeholders the benchmark fills in each agent's individual instructions with its own points.
OPTION_POINTS = re.compile(r"#([A-Z])(\d+)_NUM")
ISSUE_MAX = re.compile(r"#([A-Z])_MAX_NUM")
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


def _first_phrase(text: str) -> str:
    """The label part of a description: before ' ==> ' and before the first full stop."""
    text = text.split("==>")[0].strip()
    text = re.split(r"(?<=[^\s.])\.(?:\s|$)", text, maxsplit=1)[0]
    return text.strip().rstrip(".:").strip()


def _issue_title(rest: str) -> str:
    quoted = QUOTED.match(rest)
    return quoted.group(1).strip() if quoted else _first_phrase(rest)


def _option_label(rest: str) -> str:
    if rest.startswith(":"):  # `D1: $3 billion.`, `A1: 50 hectares ==> ...`
        return _first_phrase(rest[1:].strip())
    quoted = QUOTED.match(rest)  # `A1 "water-based": ...`, `C4 "No Union preference" no ...`
    if quoted:
        return quoted.group(1).strip()
    return _first_phrase(rest)


def _issue_texts(game: Path) -> dict[str, tuple[str, dict[int, str]]]:
    """Issue letter -> (title, option number -> label), from global_instructions.txt."""
    path = game / "global_instructions.txt"
    if not path.exists():
        return {}
    issues: dict[str, tuple[str, dict[int, str]]] = {}
    for line in _read(path, str(game)).splitlines():
        heading = ISSUE_LINE.match(line)
        if heading:
            issues[heading.group(1).upper()] = (_issue_title(heading.group(2)), {})
            continue
        option = OPTION_LINE.match(line)
        if option and option.group(1) in issues:
            label = _option_label(option.group(3))
            issues[option.group(1)][1][int(option.group(2))] = label[:80] or line.strip()
    return issues


def _points(value: float) -> str:
    return f"{value:g}" if value == int(value) else f"{value:.2f}".rstrip("0")


def _fill_scores(text: str, rows: list[list[float]]) -> str:
    """Replace the `#A1_NUM` / `#A_MAX_NUM` placeholders with the party's own points, as the
    benchmark does when it builds the agent's prompt; unknown codes are left as written."""
    def option(match: re.Match[str]) -> str:
        k, n = ord(match.group(1)) - ord("A"), int(match.group(2)) - 1
        ok = k < len(rows) and 0 <= n < len(rows[k])
        return _points(rows[k][n]) if ok else match.group(0)

    def best(match: re.Match[str]) -> str:
        k = ord(match.group(1)) - ord("A")
        return _points(max(rows[k])) if k < len(rows) else match.group(0)

    return ISSUE_MAX.sub(best, OPTION_POINTS.sub(option, text))


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


def _initial_deal(game: Path, issues: list[dict[str, object]]) -> dict[str, str]:
    """initial_deal.txt (`A1,B2,C1`, p1's opening proposal) as issue id -> option id; {} if absent."""
    path = game / "initial_deal.txt"
    if not path.is_file():
        return {}
    lines = _read(path, str(game)).strip().splitlines()
    codes = [code.strip().lower() for code in (lines[0] if lines else "").split(",") if code.strip()]
    deal: dict[str, str] = {}
    for code in codes:
        k = ord(code[0]) - ord("a") if code[:1].isalpha() else -1
        options = [o["id"] for o in issues[k]["options"]] if 0 <= k < len(issues) else []  # type: ignore[union-attr]
        if code not in options or str(issues[k]["id"]) in deal:
            raise ScenarioError(str(game), [f"initial_deal.txt: '{code.upper()}' is not an option "
                                            "of the game, or names an issue twice"])
        deal[str(issues[k]["id"])] = code
    return deal


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
            "private_brief": _fill_scores(_read(brief, source), rows).strip()
                             if brief.is_file() else "",
        })
    veto = [a["id"] for a in agents if a["role"] in VETO_ROLES]
    lead = next((a["id"] for role in LEAD_ROLES for a in agents if a["role"] == role), None)
    background_path = game / "global_instructions.txt"
    summary = (f"Imported from the LLM-Deliberation scorable game '{game.name}': {n} parties, "
               f"{len(issues)} issues. Points are rescaled so each party's best package totals "
               "100; reservations are the game's minimum thresholds, rescaled the same way.")
    background = _read(background_path, source).strip() if background_path.exists() else summary
    opening = _initial_deal(game, issues)
    if opening:
        opener = next((a["name"] for a in agents if a["id"] == lead), "the lead party")
        background += (f"\n\nOpening proposal of the original game, put forward by {opener}: "
                       + ", ".join(f"{i}={o}" for i, o in opening.items()) + ".")
    data = {
        "schema_version": 1,
        "id": scenario_id or _slug(game.name, "-"),
        "title": f"{game.name.replace('_', ' ').title()} (LLM-Deliberation)",
        "alliance_type": alliance_type,
        "summary": summary,
        "background": background,
        "inspired_by": [f"LLM-Deliberation scorable game '{game.name}' (Abdelnabi et al., 2024)"],
        "sources": "Imported from a game folder of the public LLM-Deliberation benchmark; "
                   "capacities and benefits are not part of the game and are set equal.",
        "rules": {"decision_rule": "qualified_majority",
                  "majority_threshold": f"{n - 1}/{n}",
                  "veto_parties": veto, "lead_party": lead},
        "parties": parties,
        "issues": issues,
        "utilities": utilities,
    }
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(source, _validation_problems(exc)) from None
