"""Ask a panel of judge models to score one episode, and measure how far they agree.

Judging goes through the shared structured-chat call of the negotiation backend
(`agents.backends.chat_call`: endpoint resolution, shared SDK clients with SDK retries off,
a plain `create` with the strict schema of `JudgeAnswer`, the attempt header, classification,
retries with backoff), so a cassette session around `judge_transcript` records every judge
exchange and a replay answers them offline. Requests are sent one after another in a fixed
order (judge, then criterion), and the prompt is a pure function of the record, so a replay
makes exactly the recorded requests.

A transient failure (timeout, connection error, HTTP 408/409/429/5xx) is retried up to
`max_attempts` tries in all, with the backend's backoff (the server's Retry-After, else
exponential). A call still answered HTTP 429/5xx after that is recorded as that call's error;
any other infrastructure failure (no connection, a timeout past the retries, a refused key,
an unknown model, a body that is not a chat completion) stops judging with
`JudgeEndpointError` (exit 4), since every later call would fail the same way. An unusable
answer (invalid JSON or schema, a score out of 1..5, a party missing or unknown) is recorded
as that call's error and its scores are missing — no repair re-ask, since a judge that needs
coaching to produce a score is itself a finding. Krippendorff's alpha handles the missing
values.
"""

from __future__ import annotations

from treatylab.agents.backends.chat_call import (
    Call,
    StructuredChat,
    TurnSettings,
    Where,
    retry_plan,
    run_sync,
)
from treatylab.agents.backends.clients import ClientPool, resolve_endpoint
from treatylab.agents.backends.failures import InfrastructureFailure
from treatylab.agents.transcript import UsagePayload
from treatylab.agents.transcript import Event
from treatylab.evals.agreement import krippendorff_alpha
from treatylab.evals.judge.record import judge_messages, judge_record, party_texts
from treatylab.evals.judge.schema import (
    CRITERIA,
    SCORE_MAX,
    SCORE_MIN,
    Criterion,
    CriterionAgreement,
    JudgeAnswer,
    JudgeCall,
    JudgeReport,
    JudgeScore,
    Quote,
)
from treatylab.scenarios.schema import Scenario
from treatylab.core.errors import UserError

MIN_JUDGES = 2


class JudgeEndpointError(UserError):
    """The judge endpoint cannot answer at all: one line saying what failed and the fix."""

    exit_code = 4


def parse_judge_specs(specs: list[str]) -> list[str]:
    """Model names of `openai:MODEL` specs; at least two distinct judges.

    Raises:
        UserError: a spec that is not `openai:MODEL`, a repeated judge, or fewer than two.
    """
    problems, models = [], []
    for spec in specs:
        backend, _, model = spec.partition(":")
        if backend != "openai" or not model:
            problems.append(f"--judge '{spec}': use openai:MODEL (judges run through the "
                            "OpenAI-compatible backend)")
        elif model in models:
            problems.append(f"--judge '{spec}' is given twice")
        else:
            models.append(model)
    if not problems and len(models) < MIN_JUDGES:
        problems.append(f"give at least {MIN_JUDGES} --judge models: agreement between judges "
                        "needs two or more")
    if problems:
        raise UserError(*problems)
    return models


def check_answer(answer: JudgeAnswer, criterion: str, parties: list[str]) -> list[str]:
    """What makes a parsed answer unusable (empty list: usable)."""
    problems = []
    if answer.criterion != criterion:
        problems.append(f"criterion is '{answer.criterion}', expected '{criterion}'")
    named = [s.party for s in answer.scores]
    for party in sorted(set(named) - set(parties)):
        problems.append(f"unknown party '{party}'")
    for party in parties:
        if named.count(party) != 1:
            problems.append(f"party '{party}' scored {named.count(party)} times, expected once")
    for s in answer.scores:
        if not SCORE_MIN <= s.score <= SCORE_MAX:
            problems.append(f"score {s.score} for '{s.party}' is outside {SCORE_MIN}..{SCORE_MAX}")
    return problems


def _ask(chat: StructuredChat, messages: list[dict[str, str]], *, seed: int, criterion: str,
         max_attempts: int) -> tuple[JudgeAnswer | None, int, dict[str, int], str | None]:
    """(answer or None, attempts, token usage, error) of one judge request.

    Raises:
        JudgeEndpointError: an infrastructure failure other than HTTP 429/5xx.
    """
    usage: list[UsagePayload] = []
    settings = TurnSettings(max_retries=max(0, max_attempts - 1))
    plan = retry_plan(Call(messages, JudgeAnswer, seed), settings,
                      Where(actor=f"judge {chat.model}", stage=criterion), usage)
    try:
        outcome = run_sync(plan, chat)
    except InfrastructureFailure as exc:
        record = exc.record
        if record.kind == "http_status" and (record.http_status or 0) in (429, *range(500, 600)):
            return None, record.attempts, {}, usage[-1].error
        raise JudgeEndpointError(f"{record.message} (judge {chat.model}, {record.attempts} "
                                 f"tr{'ies' if record.attempts > 1 else 'y'}); {record.fix}") from None
    last = outcome.usage
    tokens = {"prompt_tokens": last.prompt_tokens, "completion_tokens": last.completion_tokens}
    if outcome.kind == "answer" and isinstance(outcome.wire, JudgeAnswer):
        return outcome.wire, last.attempt, tokens, None
    return None, last.attempt, tokens, last.error or "unusable answer"


def agreement_of(scores: list[JudgeScore], judges: list[str], parties: list[str],
                 criteria: list[Criterion]) -> dict[str, CriterionAgreement]:
    """Alpha per criterion (units: parties) and over all (units: criterion x party)."""
    table = {(s.judge, s.criterion, s.party): float(s.score) for s in scores}

    def alpha_for(units: list[tuple[str, str]]) -> CriterionAgreement:
        data = [[table.get((judge, c, p)) for c, p in units] for judge in judges]
        return CriterionAgreement(units=len(units),
                                  ordinal=krippendorff_alpha(data, "ordinal"),
                                  interval=krippendorff_alpha(data, "interval"))

    out = {c: alpha_for([(c, p) for p in parties]) for c in criteria}
    out["all"] = alpha_for([(c, p) for c in criteria for p in parties])
    return out


def judge_transcript(scenario: Scenario, events: list[Event], judges: list[str], *,
                     base_url: str | None = None, run_id: str | None = None,
                     criteria: list[Criterion] | None = None, seed: int = 0,
                     timeout_s: float = 120.0, max_attempts: int = 3) -> JudgeReport:
    """Every judge scores every party on every criterion; see the module docstring.

    Args:
        judges: judge specs, `openai:MODEL`, two or more.
        base_url: the OpenAI-compatible endpoint (else OPENAI_BASE_URL, else OpenAI's).

    Raises:
        UserError: bad judge specs, a missing API key, or a cassette mismatch in replay.
        JudgeEndpointError: the endpoint cannot answer (see the module docstring).
    """
    models = parse_judge_specs(judges)
    criteria = list(criteria or CRITERIA)
    record = judge_record(scenario, events)
    parties = [entry["id"] for entry in record["parties"]]
    pool = ClientPool(resolve_endpoint(base_url, judges[0]))
    scores: list[JudgeScore] = []
    calls: list[JudgeCall] = []
    try:
        for spec, model in zip(judges, models):
            chat = StructuredChat(pool, model, timeout_s=timeout_s)
            for criterion in criteria:
                messages = judge_messages(record, criterion)
                answer, attempts, usage, error = _ask(chat, messages, seed=seed,
                                                      criterion=criterion,
                                                      max_attempts=max_attempts)
                if answer is not None:
                    problems = check_answer(answer, criterion, parties)
                    if problems:
                        error, answer = "unusable answer: " + "; ".join(problems), None
                calls.append(JudgeCall(judge=spec, criterion=criterion, attempts=attempts,
                                       error=error, **usage))
                if answer is None:
                    continue
                for item in answer.scores:
                    texts = party_texts(record, item.party)
                    evidence = [Quote(text=q, verified=bool(q) and any(q in t for t in texts))
                                for q in item.evidence]
                    scores.append(JudgeScore(judge=spec, criterion=criterion, party=item.party,
                                             score=item.score, evidence=evidence,
                                             rationale=item.rationale))
    finally:
        pool.close_sync()
    means: dict[str, dict[str, float | None]] = {}
    for criterion in criteria:
        means[criterion] = {}
        for party in parties:
            given = [s.score for s in scores if s.criterion == criterion and s.party == party]
            means[criterion][party] = sum(given) / len(given) if given else None
    return JudgeReport(scenario=scenario.id, run_id=run_id, judges=list(judges),
                       criteria=criteria, scores=scores, calls=calls, mean_scores=means,
                       agreement=agreement_of(scores, list(judges), parties, criteria))
