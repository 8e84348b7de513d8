"""What the simulator answers to one chat-completions request, as plain data (no sockets).

`respond` parses the actor's view from the prompt's view block, asks the baseline policy
(`agents.policy.decide`) for the action, converts it to the wire JSON the OpenAI backend asked
for, then applies the request's seeded fault, if any. A judge request (a judge block instead of a
view block) is answered by the deterministic baseline judge, `evals.judge.baseline`. The whole
answer is a function of the request and the simulator's settings, so it is the same on every run.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from treatylab.agents.backends.openai_backend import ATTEMPT_HEADER
from treatylab.agents.backends.prompting import ViewBlockError, view_data_from_messages, view_from_data
from treatylab.agents.backends.wire import to_wire
from treatylab.agents.policy import decide
from treatylab.evals.judge.baseline import baseline_answer
from treatylab.evals.judge.record import JudgeBlockError, criterion_from_messages, record_from_messages
from treatylab.simulator.faults import FAULT_KINDS, FaultKind, choose_fault, corrupt

MODEL_ID = "treatylab-sim"


class SimulatorConfig(BaseModel):
    """Settings of one simulator; all answers are deterministic given these and the request."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str = "127.0.0.1"
    port: int = Field(default=0, ge=0, le=65535, description="0 picks a free port.")
    latency_ms: float = Field(default=0.0, ge=0.0, description="Time to answer a request, policy compute included.")
    fault_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    faults: list[FaultKind] = Field(default_factory=lambda: list(FAULT_KINDS))
    seed: int = 0
    hang_s: float = Field(default=120.0, ge=0.0, description="How long a 'timeout' fault stalls.")
    retry_after_ms: int = Field(default=20, ge=0, description="Sent with 429 and 500 faults.")
    max_faults_per_turn: int | None = Field(
        default=None, ge=0,
        description="Requests of a turn beyond this many (counting earlier answers and retries, "
                    "both visible in the request) are answered cleanly; None: no limit.")


@dataclass
class SimResponse:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    fault: FaultKind | None = None


def _tokens(text: str) -> int:
    return max(1, math.ceil(len(text) / 4))


def _error(status: int, message: str, kind: str, code: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


def completion(model: str, messages: list[dict[str, Any]], content: str | None,
               refusal: str | None, finish_reason: str, request_id: str) -> dict[str, Any]:
    prompt_text = "".join(str(m.get("content") or "") for m in messages)
    return {
        "id": f"chatcmpl-sim-{request_id}",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "system_fingerprint": "treatylab-simulator",
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": content, "refusal": refusal},
            "finish_reason": finish_reason,
            "logprobs": None,
        }],
        "usage": {
            "prompt_tokens": _tokens(prompt_text),
            "completion_tokens": _tokens(content or refusal or ""),
            "total_tokens": _tokens(prompt_text) + _tokens(content or refusal or ""),
        },
    }


def _depth(messages: list[dict[str, Any]], attempt: str) -> int:
    """How many requests of this turn came before: earlier answers plus earlier tries."""
    answers = sum(1 for message in messages if message.get("role") == "assistant")
    try:
        tries = max(0, int(attempt) - 1)
    except ValueError:
        tries = 0
    return answers + tries


def policy_answer(messages: list[dict[str, Any]]) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """(expected kind, wire answer dict, raw view dict) for the view in `messages`."""
    raw_view = view_data_from_messages(messages)  # parsed once: the prompt blocks are long
    view = view_from_data(raw_view)
    wire = to_wire(decide(view))
    return view.expected, wire.model_dump(mode="json"), raw_view


def answer_for(messages: list[dict[str, Any]], model: str) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """A judge request (it carries a judge block) gets the baseline judge's scores, any other
    request the baseline policy's action: (kind, wire answer dict, raw view dict)."""
    record = record_from_messages(messages)
    if record is not None:
        criterion = criterion_from_messages(messages) or ""
        return "judge_scores", baseline_answer(record, criterion, model), {}
    return policy_answer(messages)


def respond(config: SimulatorConfig, body: bytes, headers: dict[str, str]) -> SimResponse:
    """The answer to POST /chat/completions with `body` and (lower-cased) `headers`."""
    delay = config.latency_ms / 1000.0
    try:
        request = json.loads(body)
        messages = request["messages"]
        model = str(request.get("model") or MODEL_ID)
    except (ValueError, KeyError, TypeError):
        return SimResponse(400, _error(400, "the body is not a chat-completions request",
                                       "invalid_request_error"), delay_s=delay)
    attempt = headers.get(ATTEMPT_HEADER.lower(), "1")
    fault = None
    if config.max_faults_per_turn is None or _depth(messages, attempt) < config.max_faults_per_turn:
        fault = choose_fault(body, attempt, config.seed, config.fault_rate, config.faults)
    request_id = hashlib.sha256(body + attempt.encode()).hexdigest()[:16]
    retry = {"retry-after-ms": str(config.retry_after_ms)}
    if fault == "http_500":
        return SimResponse(500, _error(500, "The simulator injected a server error.",
                                       "server_error"), retry, delay, fault)
    if fault == "http_429":
        return SimResponse(429, _error(429, "Rate limit reached (injected by the simulator).",
                                       "requests", "rate_limit_exceeded"), retry, delay, fault)
    if fault == "timeout":
        delay += config.hang_s
    try:
        kind, answer, raw_view = answer_for(messages, model)
    except (ViewBlockError, JudgeBlockError) as exc:
        return SimResponse(400, _error(400, str(exc), "invalid_request_error"), delay_s=delay)
    except Exception as exc:  # a policy bug: answer like a failing server, never hang up
        return SimResponse(500, _error(500, f"simulator policy error: {type(exc).__name__}: {exc}",
                                       "server_error"), delay_s=delay)
    content: str | None = json.dumps(answer, sort_keys=True, ensure_ascii=False)
    refusal: str | None = None
    finish = "stop"
    if fault is not None and fault != "timeout":
        content, refusal, finish = corrupt(fault, kind, answer, raw_view)
    body_out = completion(model, messages, content, refusal, finish, request_id)
    return SimResponse(200, body_out, {"x-request-id": f"req-sim-{request_id}"}, delay, fault)


def models_list() -> dict[str, Any]:
    return {"object": "list",
            "data": [{"id": MODEL_ID, "object": "model", "created": 0, "owned_by": "treatylab"}]}
