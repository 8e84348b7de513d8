"""Pydantic models of the scenario format, schema_version 1.

A scenario is data: every party, issue, option and utility the negotiation can touch. The models
are frozen so that a loaded scenario can be hashed, shared between actors and never mutated by a
node. Cross-field rules live in `Scenario`'s validator so that each message can name the field
path and say what to fix.
"""

from __future__ import annotations

import itertools
import math
import re
from fractions import Fraction
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

ID_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
SHARE_TOLERANCE = 1e-6
BEST_PACKAGE_TOTAL = 100.0
MAX_PACKAGES = 10_000_000  # the outcome space stays analysable (exact frontier in seconds)
MAX_PARTIES = 20
MAX_UTILITY_CELLS = 70_000_000  # packages x parties: the worst case of 7 parties x 10^7
POINTS_LIMIT = 1000.0  # |points| of one option; each party's best package totals 100
# Ids the protocol, the CLI or the backends use for themselves: a party named so would take
# the mediator's seat, or every caucus message, or read as a keyword.
RESERVED_IDS = frozenset({
    "mediator", "protocol", "all", "none", "human", "system", "user", "assistant", "public",
    "private", "caucus", "everyone", "nobody", "evaluator", "judge", "simulator", "chair",
    "null", "true", "false",
})


def _non_empty(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty; write a short text")
    return value


Text = Annotated[str, AfterValidator(_non_empty)]
Share = Annotated[float, Field(ge=0.0, le=1.0)]
Points = Annotated[float, Field(ge=-POINTS_LIMIT, le=POINTS_LIMIT)]
Delta = Annotated[float, Field(ge=-100.0, le=100.0)]
FRACTION_PATTERN = re.compile(r"\d{1,6}\s*/\s*\d{1,6}|\d{0,6}\.\d{1,12}|1|0")

AllianceType = Literal[
    "defense_pact", "political_military", "limited_partnership", "arms_control", "peacekeeping"
]
ConcessionStyle = Literal["boulware", "linear", "conceder"]
DecisionRule = Literal["unanimity", "qualified_majority"]


class Record(BaseModel):
    """Base of every scenario record: frozen, and unknown fields are an error (typos surface).

    Strict: a boolean is not a number and a string is not a number; every number is finite.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True, allow_inf_nan=False)


class Option(Record):
    id: str = Field(pattern=ID_PATTERN, description="Option id, unique within its issue.")
    label: Text = Field(description="Short human label used in statements.")
    description: str = ""
    burden_shares: dict[str, Share] | None = Field(
        default=None, description="Who pays what share of the common burden (sums to 1)."
    )
    sovereignty_cost: dict[str, Share] = Field(
        default_factory=dict, description="0..1 per party: how much of its autonomy it cedes."
    )
    trust_value: float | None = Field(
        default=None, ge=0.0, le=1.0, description="0..1: verification / transparency value."
    )


class Issue(Record):
    id: str = Field(pattern=ID_PATTERN)
    title: Text
    description: str = ""
    options: list[Option] = Field(min_length=2)

    def option_ids(self) -> list[str]:
        return [option.id for option in self.options]

    def option(self, option_id: str) -> Option:
        for option in self.options:
            if option.id == option_id:
                return option
        raise KeyError(option_id)


class RedLine(Record):
    issue: str
    forbid: list[str] = Field(min_length=1)


class Party(Record):
    id: str = Field(pattern=ID_PATTERN)
    name: Text
    capacity: float = Field(ge=0.0, le=1.0, description="Share of economic capacity (sum 1).")
    benefit: float = Field(ge=0.0, le=1.0, description="Share of security benefit (sum 1).")
    reservation: float = Field(ge=0.0, le=100.0, description="BATNA on the 0..100 scale.")
    style: ConcessionStyle = "linear"
    persona: str = ""
    private_brief: str = ""
    red_lines: list[RedLine] = Field(default_factory=list)


class Rules(Record):
    """The rules of the table. A qualified majority is exact: `majority_threshold` is a share
    of parties written as a fraction string ("6/7") or a decimal (0.75, read as written, so
    0.857143 is more than 6/7), or `min_signatories` is a count of parties."""

    max_rounds: int = Field(default=6, ge=1, le=50)
    decision_rule: DecisionRule = "unanimity"
    majority_threshold: float | str = Field(
        default=0.75, description="Share of parties that must sign, for qualified_majority: "
        "a fraction string such as \"6/7\" (exact) or a decimal in (0, 1].")
    min_signatories: int | None = Field(
        default=None, ge=1, description="Number of parties that must sign, for "
        "qualified_majority; replaces majority_threshold when given.")
    veto_parties: list[str] = Field(default_factory=list)
    lead_party: str | None = None
    implementation_periods: int = Field(default=3, ge=0, le=20)
    stall_rounds: int = Field(default=2, ge=1, le=50, description=(
        "k: bargaining stalls after k rounds with no new package (or the same packages restated)."))
    on_stall: Literal["vote", "end", "continue"] = Field(default="vote", description=(
        "What the protocol does on a stall: put the best-supported text to the vote, end "
        "bargaining (breakdown), or only record the stall."))

    @field_validator("majority_threshold", mode="before")
    @classmethod
    def _exact_share(cls, value: object) -> object:
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise ValueError("expected a fraction string such as \"6/7\" or a number in (0, 1]")
        share = _fraction(value)
        if share is None or not 0 < share <= 1:
            raise ValueError(f"{value!r} is not a share in (0, 1]; write a fraction such as "
                             "\"6/7\" or a decimal such as 0.75")
        return value if isinstance(value, str) else float(value)

    def threshold(self) -> Fraction:
        """The qualified-majority share, exactly (a float is taken as its decimal text)."""
        share = _fraction(self.majority_threshold)
        assert share is not None  # checked by the validator
        return share

    def required_signatories(self, n_parties: int) -> int:
        """How many of `n_parties` must sign (veto parties are required on top of this)."""
        if self.decision_rule == "unanimity":
            return n_parties
        if self.min_signatories is not None:
            return self.min_signatories
        share = self.threshold()
        return max(1, -(-share.numerator * n_parties // share.denominator))  # exact ceiling


def _fraction(value: object) -> Fraction | None:
    """A share as an exact rational: "6/7" -> 6/7, 0.75 -> 3/4 (decimal text, not binary)."""
    try:
        if isinstance(value, str):
            text = value.strip()
            if not FRACTION_PATTERN.fullmatch(text):
                return None
            return Fraction(text)
        if isinstance(value, (int, float)) and math.isfinite(value):
            return Fraction(repr(float(value)))
    except (ValueError, ZeroDivisionError):
        return None
    return None


class Shock(Record):
    id: str = Field(pattern=ID_PATTERN)
    at_round: int | None = Field(default=None, ge=1, description="Bargaining round it fires at.")
    at_period: int | None = Field(
        default=None, ge=1, description="Implementation period it fires at (tempts defection)."
    )
    public: Text = Field(description="What every party learns when it fires.")
    reservation_delta: dict[str, Delta] = Field(default_factory=dict)
    defection_temptation: dict[str, Share] = Field(
        default_factory=dict, description="0..1 per party: pull towards defecting in that period."
    )

    @model_validator(mode="after")
    def _fires_somewhere(self) -> Shock:
        if self.at_round is None and self.at_period is None:
            raise ValueError("a shock needs at_round (bargaining) or at_period (implementation)")
        return self


class MediatorBudget(Record):
    """Resources a manipulative mediator may offer as compensation (utility points)."""

    points: float = Field(ge=0.0, le=100.0)
    description: str = ""


class Scenario(Record):
    schema_version: Literal[1]
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", description="kebab-case, unique.")
    title: Text
    alliance_type: AllianceType
    summary: Text
    background: Text
    inspired_by: list[str] = Field(default_factory=list)
    sources: str = ""
    no_agreement_expected: bool = Field(
        default=False, description="True for a scenario built to have no zone of agreement."
    )
    rules: Rules = Field(default_factory=Rules)
    parties: list[Party] = Field(min_length=2)
    issues: list[Issue] = Field(min_length=1)
    utilities: dict[str, dict[str, dict[str, Points]]]
    initial_trust: dict[str, dict[str, Share]] = Field(default_factory=dict)
    shocks: list[Shock] = Field(default_factory=list)
    mediator_budget: MediatorBudget | None = None

    # -- lookups --------------------------------------------------------------------------
    def party_ids(self) -> list[str]:
        return [party.id for party in self.parties]

    def issue_ids(self) -> list[str]:
        return [issue.id for issue in self.issues]

    def party(self, party_id: str) -> Party:
        for party in self.parties:
            if party.id == party_id:
                return party
        raise KeyError(party_id)

    def issue(self, issue_id: str) -> Issue:
        for issue in self.issues:
            if issue.id == issue_id:
                return issue
        raise KeyError(issue_id)

    def lead_party_id(self) -> str:
        if self.rules.lead_party:
            return self.rules.lead_party
        return max(self.parties, key=lambda party: (party.capacity, party.id)).id

    def utility(self, party_id: str, package: dict[str, str]) -> float:
        table = self.utilities[party_id]
        return float(sum(table[issue_id][option_id] for issue_id, option_id in package.items()))

    def violated_red_lines(self, party_id: str, package: dict[str, str]) -> list[RedLine]:
        return [
            line
            for line in self.party(party_id).red_lines
            if package.get(line.issue) in line.forbid
        ]

    def package_count(self) -> int:
        return math.prod(len(issue.options) for issue in self.issues)

    def initial_trust_of(self, truster: str, trustee: str) -> float:
        return self.initial_trust.get(truster, {}).get(trustee, 0.5)

    # -- validation -----------------------------------------------------------------------
    @field_validator("schema_version", mode="before")
    @classmethod
    def _exactly_one(cls, value: object) -> object:
        if type(value) is not int or value != 1:
            raise ValueError(f"{value!r} is not supported; write schema_version: 1 (the integer)")
        return value

    @model_validator(mode="after")
    def _cross_references(self) -> Scenario:
        problems = list(_cross_reference_problems(self))
        if problems:
            raise ValueError("\n".join(problems))
        return self


def _duplicates(ids: list[str]) -> list[str]:
    return sorted({value for value in ids if ids.count(value) > 1})


def _cross_reference_problems(s: Scenario) -> list[str]:
    """Each problem is 'field.path: what was expected' so the loader can prefix the file."""
    out: list[str] = []
    party_ids = s.party_ids()
    issue_ids = s.issue_ids()
    out.extend(_size_problems(s))
    for k, pid in enumerate(party_ids):
        if pid in RESERVED_IDS:
            out.append(f"parties[{k}].id: '{pid}' is reserved for the protocol; "
                       f"rename the party (e.g. '{pid}-state')")
    for dup in _duplicates(party_ids):
        out.append(f"parties: duplicate party id '{dup}'; each party id must be unique")
    for dup in _duplicates(issue_ids):
        out.append(f"issues: duplicate issue id '{dup}'; each issue id must be unique")
    for dup in _duplicates([shock.id for shock in s.shocks]):
        out.append(f"shocks: duplicate shock id '{dup}'; each shock id must be unique")
    known_parties = set(party_ids)
    for name, values in (("capacity", [p.capacity for p in s.parties]),
                         ("benefit", [p.benefit for p in s.parties])):
        total = sum(values)
        if abs(total - 1.0) > 1e-3:
            out.append(f"parties[*].{name}: shares sum to {total:.4f}; they must sum to 1")
    for i, issue in enumerate(s.issues):
        for dup in _duplicates(issue.option_ids()):
            out.append(f"issues[{i}].options: duplicate option id '{dup}' in issue '{issue.id}'; "
                       "each option id must be unique within its issue")
        for j, option in enumerate(issue.options):
            where = f"issues[{i}].options[{j}]"
            if option.burden_shares is not None:
                unknown = sorted(set(option.burden_shares) - known_parties)
                missing = sorted(known_parties - set(option.burden_shares))
                if unknown:
                    out.append(f"{where}.burden_shares: unknown party id(s) {unknown}; "
                               f"expected one of {party_ids}")
                if missing:
                    out.append(f"{where}.burden_shares: missing party id(s) {missing}; "
                               "every party needs a share")
                total = sum(option.burden_shares.values())
                if abs(total - 1.0) > 1e-3:
                    out.append(f"{where}.burden_shares: shares sum to {total:.4f}; "
                               "they must sum to 1")
            for pid, cost in option.sovereignty_cost.items():
                if pid not in known_parties:
                    out.append(f"{where}.sovereignty_cost.{pid}: unknown party id; "
                               f"expected one of {party_ids}")
                if not 0.0 <= cost <= 1.0:
                    out.append(f"{where}.sovereignty_cost.{pid}: {cost} is outside 0..1")
    for k, party in enumerate(s.parties):
        for m, line in enumerate(party.red_lines):
            where = f"parties[{k}].red_lines[{m}]"
            if line.issue not in issue_ids:
                out.append(f"{where}.issue: unknown issue '{line.issue}'; expected one of {issue_ids}")
                continue
            options = s.issue(line.issue).option_ids()
            for option_id in line.forbid:
                if option_id not in options:
                    out.append(f"{where}.forbid: unknown option '{option_id}' of issue "
                               f"'{line.issue}'; expected one of {options}")
    out.extend(_utility_problems(s))
    rules = s.rules
    for pid in rules.veto_parties:
        if pid not in known_parties:
            out.append(f"rules.veto_parties: unknown party '{pid}'; expected one of {party_ids}")
    if rules.min_signatories is not None:
        if rules.decision_rule != "qualified_majority":
            out.append("rules.min_signatories: applies only to decision_rule: "
                       "qualified_majority; remove it or change the decision rule")
        if rules.min_signatories > len(party_ids):
            out.append(f"rules.min_signatories: {rules.min_signatories} is more than the "
                       f"{len(party_ids)} parties; use at most {len(party_ids)}")
    if rules.lead_party is not None and rules.lead_party not in known_parties:
        out.append(f"rules.lead_party: unknown party '{rules.lead_party}'; "
                   f"expected one of {party_ids}")
    for truster, row in s.initial_trust.items():
        if truster not in known_parties:
            out.append(f"initial_trust.{truster}: unknown party; expected one of {party_ids}")
        for trustee, value in row.items():
            if trustee not in known_parties:
                out.append(f"initial_trust.{truster}.{trustee}: unknown party")
            if not 0.0 <= value <= 1.0:
                out.append(f"initial_trust.{truster}.{trustee}: {value} is outside 0..1")
    for n, shock in enumerate(s.shocks):
        for field in ("reservation_delta", "defection_temptation"):
            for pid in getattr(shock, field):
                if pid not in known_parties:
                    out.append(f"shocks[{n}].{field}.{pid}: unknown party; "
                               f"expected one of {party_ids}")
        if shock.at_round is not None and shock.at_round > rules.max_rounds:
            out.append(f"shocks[{n}].at_round: {shock.at_round} is after rules.max_rounds "
                       f"({rules.max_rounds}); it would never fire")
    return out


def _size_problems(s: Scenario) -> list[str]:
    """Caps that keep every valid scenario analysable and runnable in bounded memory."""
    out: list[str] = []
    packages = s.package_count()
    if packages > MAX_PACKAGES:
        sizes = " x ".join(str(len(issue.options)) for issue in s.issues)
        out.append(f"issues: the package space has {packages:,} packages ({sizes} options); "
                   f"the cap is {MAX_PACKAGES:,}: drop issues or options")
    if len(s.parties) > MAX_PARTIES:
        out.append(f"parties: {len(s.parties)} parties; the cap is {MAX_PARTIES}: "
                   "merge or drop parties")
    elif packages <= MAX_PACKAGES and packages * len(s.parties) > MAX_UTILITY_CELLS:
        out.append(f"issues: {packages:,} packages x {len(s.parties)} parties = "
                   f"{packages * len(s.parties):,} utilities; the cap is "
                   f"{MAX_UTILITY_CELLS:,}: drop issues, options or parties")
    return out


def _utility_problems(s: Scenario) -> list[str]:
    out: list[str] = []
    party_ids = s.party_ids()
    for pid in sorted(set(s.utilities) - set(party_ids)):
        out.append(f"utilities.{pid}: unknown party; expected one of {party_ids}")
    for pid in party_ids:
        table = s.utilities.get(pid)
        if table is None:
            out.append(f"utilities.{pid}: missing; every party needs a utility table")
            continue
        complete = True
        for issue in s.issues:
            row = table.get(issue.id)
            if row is None:
                out.append(f"utilities.{pid}.{issue.id}: missing; give points for every option "
                           f"of issue '{issue.id}' ({issue.option_ids()})")
                complete = False
                continue
            for option_id in issue.option_ids():
                if option_id not in row:
                    out.append(f"utilities.{pid}.{issue.id}.{option_id}: missing; "
                               "every option needs points")
                    complete = False
            for option_id in sorted(set(row) - set(issue.option_ids())):
                out.append(f"utilities.{pid}.{issue.id}.{option_id}: unknown option; "
                           f"expected one of {issue.option_ids()}")
                complete = False
        for issue_id in sorted(set(table) - set(s.issue_ids())):
            out.append(f"utilities.{pid}.{issue_id}: unknown issue; expected one of {s.issue_ids()}")
            complete = False
        if complete:
            best = sum(max(table[issue.id].values()) for issue in s.issues)
            if abs(best - BEST_PACKAGE_TOTAL) > 1e-6:
                out.append(f"utilities.{pid}: best package totals {best:g}; "
                           "each party's best package must total 100")
    return out


def all_packages(scenario: Scenario) -> itertools.product:
    """Every package as a tuple of option ids in issue order (use evals for matrix work)."""
    return itertools.product(*(issue.option_ids() for issue in scenario.issues))
