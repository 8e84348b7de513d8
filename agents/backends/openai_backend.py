"""The OpenAI backend: any OpenAI-compatible chat-completions endpoint answers for one actor.

Each call goes through `client.chat.completions.parse` with the strict wire model of the
expected action as `response_format` (via `with_raw_response`, so an unusable reply's raw text
can be quoted back in a repair re-ask). The rules of a turn (repairs, retries, failed turns)
live in `agents.backends.llm_turn`; this module performs the HTTP calls and classifies what
came back. SDK retries are off (`max_retries=0`): retries are ours, bounded and deterministic,
so every attempt is one recorded request and one usage event.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import openai
from pydantic import ValidationError

from treatylab.agents.backends.base import Backend, TurnResult
from treatylab.agents.backends.clients import ClientPool
from treatylab.agents.backends.llm_turn import Call, CallOutcome, Pause, TurnSettings, plan_turn
from treatylab.agents.backends.wire import WIRE_MODELS
from treatylab.agents.transcript import UsagePayload
from treatylab.agents.views import View
from treatylab.errors import UserError

ATTEMPT_HEADER = "X-Treatylab-Attempt"
"""Which try of the same messages a request is (1, 2, ...): lets a seeded fault injector make
a retried request fail or succeed independently of the first try."""

TRANSIENT_STATUS = frozenset({408, 409, 429})
CONFIG_PARAMS = frozenset({"model", "temperature", "seed", "response_format"})
"""A 400 naming one of these is a configuration problem that no retry or repair can fix."""


class OpenAIBackend(Backend):
    """One actor's seat, answered by `model` at the pool's endpoint."""

    name = "openai"

    def __init__(self, model: str, pool: ClientPool, *, temperature: float = 0.0,
                 timeout_s: float = 60.0, settings: TurnSettings | None = None) -> None:
        self.model = model
        self.pool = pool
        self.temperature = temperature
        self.timeout_s = timeout_s
        self.settings = settings or TurnSettings()
        self._closed = False
        pool.retain()

    async def aclose(self) -> None:
        if not self._closed:
            self._closed = True
            await self.pool.release()

    # -- drivers: the same plan, async or sync I/O ------------------------------------------
    async def aact(self, view: View) -> TurnResult:
        plan = plan_turn(view, self.settings)
        reply: CallOutcome | None = None
        while True:
            try:
                step = plan.send(reply)
            except StopIteration as done:
                return done.value
            if isinstance(step, Pause):
                await asyncio.sleep(step.seconds)
                reply = None
            else:
                reply = await self._acall(view, step)

    def act(self, view: View) -> TurnResult:
        plan = plan_turn(view, self.settings)
        reply: CallOutcome | None = None
        while True:
            try:
                step = plan.send(reply)
            except StopIteration as done:
                return done.value
            if isinstance(step, Pause):
                time.sleep(step.seconds)
                reply = None
            else:
                reply = self._call(view, step)

    # -- one HTTP call ------------------------------------------------------------------------
    def _request(self, view: View, call: Call) -> dict[str, Any]:
        return {
            "model": self.model,
            "messages": call.messages,
            "response_format": WIRE_MODELS[view.expected],
            "temperature": self.temperature,
            "seed": view.seed,
            "timeout": self.timeout_s,
            "extra_headers": {ATTEMPT_HEADER: str(call.attempt)},
        }

    async def _acall(self, view: View, call: Call) -> CallOutcome:
        client = self.pool.async_client()
        started = time.perf_counter()
        try:
            raw = await client.chat.completions.with_raw_response.parse(**self._request(view, call))
        except openai.APIError as exc:
            return self._error_outcome(exc, call, started)
        return self._reply_outcome(raw, call, started)

    def _call(self, view: View, call: Call) -> CallOutcome:
        client = self.pool.sync_client()
        started = time.perf_counter()
        try:
            raw = client.chat.completions.with_raw_response.parse(**self._request(view, call))
        except openai.APIError as exc:
            return self._error_outcome(exc, call, started)
        return self._reply_outcome(raw, call, started)

    # -- classification -------------------------------------------------------------------------
    def _usage(self, call: Call, started: float, *, error: str | None = None,
               body: dict[str, Any] | None = None) -> UsagePayload:
        tokens = (body or {}).get("usage") or {}
        return UsagePayload(
            model=str((body or {}).get("model") or self.model),
            prompt_tokens=int(tokens.get("prompt_tokens") or 0),
            completion_tokens=int(tokens.get("completion_tokens") or 0),
            latency_ms=round((time.perf_counter() - started) * 1000.0, 1),
            attempt=call.attempt,
            repair=call.repair,
            error=error,
        )

    def _reply_outcome(self, raw: Any, call: Call, started: float) -> CallOutcome:
        body = _json_or_empty(raw.text)
        content = _first_content(body)
        problems: list[str] = []
        wire = None
        try:
            completion = raw.parse()
        except openai.LengthFinishReasonError:
            problems = ["your answer was cut off (finish_reason 'length'); answer with a "
                        "complete, shorter JSON object"]
        except openai.ContentFilterFinishReasonError:
            problems = ["your answer was stopped by the content filter; answer again with "
                        "neutral wording"]
        except ValidationError as exc:
            problems = schema_problems(exc)
        else:
            message = completion.choices[0].message if completion.choices else None
            if message is not None and message.refusal:
                problems = [f"you declined to answer ({message.refusal}); answer with the JSON "
                            "object the schema asks for"]
            elif message is None or message.parsed is None:
                problems = ["the answer was empty; answer with the JSON object the schema asks for"]
            else:
                wire = message.parsed
        if problems:
            usage = self._usage(call, started, error="unusable answer: " + problems[0], body=body)
            return CallOutcome(kind="unusable", usage=usage, content=content, problems=problems)
        return CallOutcome(kind="answer", usage=self._usage(call, started, body=body),
                           wire=wire, content=content)

    def _error_outcome(self, exc: openai.APIError, call: Call, started: float) -> CallOutcome:
        raise_user_errors(exc)
        if isinstance(exc, openai.APITimeoutError):
            usage = self._usage(call, started, error=f"timeout after {self.timeout_s:g} s")
            # the timeout itself was the wait: retry at once
            return CallOutcome(kind="transient", usage=usage, retry_after_s=0.0)
        if isinstance(exc, openai.APIConnectionError):
            cause = type(exc.__cause__).__name__ if exc.__cause__ else "unknown"
            usage = self._usage(call, started, error=f"connection error ({cause})")
            return CallOutcome(kind="transient", usage=usage)
        if isinstance(exc, openai.APIStatusError):
            status = exc.status_code
            if status in (401, 403):
                raise UserError(
                    f"the endpoint refused the API key (HTTP {status}) for model '{self.model}'; "
                    "check OPENAI_API_KEY") from None
            if status == 404:
                raise UserError(f"model '{self.model}' or the chat-completions route was not "
                                f"found at {self.pool.endpoint.display_url} (HTTP 404); check "
                                "the model name and --base-url") from None
            if status == 400 and exc.param in CONFIG_PARAMS:
                raise UserError(
                    f"the endpoint refused parameter '{exc.param}' for model '{self.model}' "
                    f"(HTTP 400: {_short(exc.message)}); every call would fail the same way, so "
                    "check the model name, --temperature and the endpoint's structured-output "
                    "support") from None
            error = f"http {status}: {_short(exc.message)}"
            usage = self._usage(call, started, error=error)
            kind = "transient" if status in TRANSIENT_STATUS or status >= 500 else "refused_request"
            return CallOutcome(kind=kind, usage=usage,
                               retry_after_s=retry_after_seconds(exc.response.headers))
        usage = self._usage(call, started, error=f"{type(exc).__name__}: {_short(str(exc))}")
        return CallOutcome(kind="refused_request", usage=usage)


def raise_user_errors(exc: BaseException) -> None:
    """A UserError raised below the SDK (e.g. a cassette mismatch) stops the run unwrapped."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, UserError):
            raise current
        seen.add(id(current))
        current = current.__cause__ or current.__context__


def schema_problems(exc: ValidationError) -> list[str]:
    """Pydantic errors as 'field.path: message' lines an LLM can act on."""
    out = []
    for error in exc.errors()[:8]:
        loc = ".".join(str(part) for part in error["loc"]) or "(answer)"
        if error["type"] == "json_invalid":
            out.append(f"the answer is not valid JSON ({error['msg']}); answer with one JSON object")
        elif error["type"] == "missing":
            out.append(f"{loc}: required field is missing")
        elif error["type"] == "extra_forbidden":
            out.append(f"{loc}: unknown field; use only the schema's fields")
        else:
            out.append(f"{loc}: {error['msg']}")
    return out


def retry_after_seconds(headers: Any) -> float | None:
    """Seconds from `retry-after-ms` or a numeric `retry-after` header, if present."""
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            return float(value) * scale
        except ValueError:
            continue
    return None


def _json_or_empty(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _first_content(body: dict[str, Any]) -> str:
    try:
        content = body["choices"][0]["message"].get("content")
    except (KeyError, IndexError, TypeError, AttributeError):
        return ""
    return content if isinstance(content, str) else ""


def _short(text: str, limit: int = 200) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
