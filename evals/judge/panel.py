"""Ask a panel of judge models to score one episode, and measure how far they agree.

Judging goes through the same client code as the negotiation's OpenAI backend
(`agents.backends.clients`: endpoint resolution, shared SDK clients with SDK retries off,
`chat.completions.parse` with a strict pydantic schema, the attempt header), so a cassette
session around `judge_transcript` records every judge exchange and a replay answers them
offline. Requests are sent one after another in a fixed order (judge, then criterion), and
the prompt is a pure function of the record, so a replay makes exactly the recorded requests.

A transient failure (timeout, connection error, HTTP 408/409/429/5xx) is retried up to
`max_attempts` times, with the negotiation backend's backoff (the server's Retry-After, else
exponential); an unusable answer (invalid JSON or schema, a score out of 1..5, a
party missing or unknown) is recorded as that call's error and its scores are missing — no
repair re-ask, since a judge that needs coaching to produce a score is itself a finding.
Krippendorff's alpha handles the missing values.
"""

from __future__ import annotations

import json
import time

import openai
from pydantic import ValidationError

from treatylab.agents.backends.clients import ClientPool, resolve_endpoint
from treatylab.agents.backends.llm_turn import TurnSettings, backoff_seconds
from treatylab.agents.backends.openai_backend import (
    ATTEMPT_HEADER,
    TRANSIENT_STATUS,
    raise_user_errors,
    retry_after_seconds,
)
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
from treatylab.errors import UserError

MIN_JUDGES = 2
BACKOFF = TurnSettings()


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


def _ask(client: openai.OpenAI, model: str, messages: list[dict[str, str]], *, seed: int,
         timeout_s: float, max_attempts: int) -> tuple[JudgeAnswer | None, int, dict[str, int], str | None]:
    """(answer or None, attempts, token usage, error) of one judge request."""
    error: str | None = None
    hint: float | None = None
    for attempt in range(1, max_attempts + 1):
        if attempt > 1:
            time.sleep(backoff_seconds(BACKOFF, attempt - 1, hint))
        hint = None
        try:
            raw = client.chat.completions.with_raw_response.parse(
                model=model, messages=messages, response_format=JudgeAnswer, temperature=0.0,
                seed=seed, timeout=timeout_s, extra_headers={ATTEMPT_HEADER: str(attempt)})
        except openai.APIStatusError as exc:
            raise_user_errors(exc)
            error = f"http {exc.status_code}: {' '.join(str(exc.message).split())[:200]}"
            if exc.status_code in TRANSIENT_STATUS or exc.status_code >= 500:
                hint = retry_after_seconds(exc.response.headers)
                continue
            return None, attempt, {}, error
        except (openai.APITimeoutError, openai.APIConnectionError) as exc:
            raise_user_errors(exc)
            error = f"{type(exc).__name__} after {timeout_s:g} s timeout"
            continue
        except openai.APIError as exc:
            raise_user_errors(exc)
            return None, attempt, {}, f"{type(exc).__name__}: {exc}"[:200]
        usage = _usage(raw.text)
        try:
            completion = raw.parse()
        except (ValidationError, openai.LengthFinishReasonError,
                openai.ContentFilterFinishReasonError) as exc:
            return None, attempt, usage, f"unusable answer: {type(exc).__name__}"
        message = completion.choices[0].message if completion.choices else None
        if message is None or message.parsed is None:
            refusal = message.refusal if message is not None else None
            return None, attempt, usage, f"unusable answer: {refusal or 'empty'}"
        return message.parsed, attempt, usage, None
    return None, max_attempts, {}, error


def _usage(text: str) -> dict[str, int]:
    try:
        tokens = json.loads(text).get("usage") or {}
    except (ValueError, AttributeError):
        return {}
    return {"prompt_tokens": int(tokens.get("prompt_tokens") or 0),
            "completion_tokens": int(tokens.get("completion_tokens") or 0)}


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
    """
    models = parse_judge_specs(judges)
    criteria = list(criteria or CRITERIA)
    record = judge_record(scenario, events)
    parties = [entry["id"] for entry in record["parties"]]
    pool = ClientPool(resolve_endpoint(base_url, judges[0]))
    client = pool.sync_client()
    scores: list[JudgeScore] = []
    calls: list[JudgeCall] = []
    try:
        for spec, model in zip(judges, models):
            for criterion in criteria:
                messages = judge_messages(record, criterion)
                answer, attempts, usage, error = _ask(client, model, messages, seed=seed,
                                                      timeout_s=timeout_s, max_attempts=max_attempts)
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
        client.close()
    means: dict[str, dict[str, float | None]] = {}
    for criterion in criteria:
        means[criterion] = {}
        for party in parties:
            given = [s.score for s in scores if s.criterion == criterion and s.party == party]
            means[criterion][party] = sum(given) / len(given) if given else None
    return JudgeReport(scenario=scenario.id, run_id=run_id, judges=list(judges),
                       criteria=criteria, scores=scores, calls=calls, mean_scores=means,
                       agreement=agreement_of(scores, list(judges), parties, criteria))
