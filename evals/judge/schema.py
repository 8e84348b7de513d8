"""The judge's data: what a judge model answers (wire) and what treatylab reports (scores).

The wire model follows the OpenAI backend's conventions (`agents.backends.wire.Strict`):
every field required, no free-form objects, so the strict structured-output schema is the same
for every request. Range checks (score 1..5, a known party) are done after parsing, so a judge
that answers out of range gets a clear error, not a silently clipped score.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from treatylab.agents.backends.wire import Strict

Criterion = Literal["good_faith", "commitment_clarity"]
CRITERIA: tuple[Criterion, ...] = ("good_faith", "commitment_clarity")
SCORE_MIN, SCORE_MAX = 1, 5


class WirePartyScore(Strict):
    party: str
    score: int
    evidence: list[str]
    rationale: str


class JudgeAnswer(Strict):
    """The structured output one judge model gives for one criterion: a score per party."""

    kind: Literal["judge_scores"]
    criterion: str
    scores: list[WirePartyScore]


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Quote(Record):
    text: str
    verified: bool = Field(description="The quote occurs verbatim in that party's public statements.")


class JudgeScore(Record):
    """One judge's score of one party on one criterion, with the quotes it rests on."""

    judge: str = Field(description="Backend spec of the judge model, e.g. 'openai:gpt-4o'.")
    criterion: Criterion
    party: str
    score: int = Field(ge=SCORE_MIN, le=SCORE_MAX)
    evidence: list[Quote]
    rationale: str


class JudgeCall(Record):
    """What happened to one request (judge x criterion): usage, and the error if unusable."""

    judge: str
    criterion: Criterion
    attempts: int
    prompt_tokens: int = 0
    completion_tokens: int = 0
    error: str | None = None


class CriterionAgreement(Record):
    """Agreement of the judges on one criterion (units: parties) or overall (criterion x party)."""

    units: int
    ordinal: float | None
    interval: float | None


class JudgeReport(Record):
    """judge.json: every score, every call, mean scores and Krippendorff's alpha."""

    scenario: str
    run_id: str | None
    judges: list[str]
    criteria: list[Criterion]
    scores: list[JudgeScore]
    calls: list[JudgeCall]
    mean_scores: dict[str, dict[str, float | None]] = Field(
        description="criterion -> party -> mean score over the judges that scored it.")
    agreement: dict[str, CriterionAgreement] = Field(
        description="criterion (or 'all') -> Krippendorff's alpha across judges.")


__all__ = [
    "CRITERIA", "Criterion", "CriterionAgreement", "JudgeAnswer", "JudgeCall", "JudgeReport",
    "JudgeScore", "Quote", "SCORE_MAX", "SCORE_MIN", "WirePartyScore",
]
