"""One structured chat call: request, classify, retry with backoff, record usage.

The negotiation backend (`agents.backends.openai_backend`) and the LLM judge
(`evals.judge.panel`) both ask an OpenAI-compatible endpoint for one JSON object of a strict
wire model; this module is the one place that does it.

- **Request.** The SDK's generic `client.post("/chat/completions", cast_to=httpx2.Response)`
  (its documented way to send a body as it is), with a precomputed strict `response_format`
  dict per wire model. The body is the dict `chat.completions.create` would send, keys in its
  order, so the bytes on the wire are the same; what is skipped is `create`'s recursive
  parameter transform, which walks every message through each member of the message union
  (about 2.3 ms of 4.4 ms client CPU per call, benchmarks/client_cpu.py) and has nothing to
  convert in a body of plain strings and numbers. Authentication, headers, timeouts, status
  errors and the SDK's exception types are the SDK's own, as with `create`; the raw response
  is returned, so the SDK builds no response objects. SDK retries are off (`max_retries=0`):
  every attempt is one recorded request and one usage event.
- **Classify.** Every attempt ends in one `CallOutcome`: an `answer` (the content validated
  with `Model.model_validate_json`; fields the schema does not name are ignored), an
  `unusable` answer (invalid JSON or schema, refusal, truncation, over `MAX_RESPONSE_BYTES`:
  the caller may repair), a `transient` error (timeout, connection refused, HTTP 408/409/429/
  5xx: retried), a `refused_request` (another 4xx: the turn fails, the episode goes on), or an
  `infrastructure` failure that no retry fixes (no URL scheme, DNS, TLS, HTTP 401/403/404,
  a 200 whose body is not a chat completion).
- **Retry.** `retry_plan` retries transient errors `max_retries` times with bounded
  exponential backoff (the server's Retry-After when given, capped; no jitter, so a recorded
  run replays), then raises `InfrastructureFailure`, as it does at once for an
  `infrastructure` outcome: an endpoint that is down stops the episode within seconds instead
  of being scored as a breakdown. With the defaults a dead endpoint fails after 0.5 + 1 + 2 s.
- **Usage.** Each attempt carries one `UsagePayload` (tokens, attempt, repair flag, error).

Hook: `StructuredChat(before_call=...)` is called with `(model, call)` right before every
HTTP attempt, retries and repairs included. It is the one place for a pre-call check such as
a token or cost budget: it may raise to stop the episode. It is synchronous and runs on the
event loop, so it must be cheap.

Plans are generators that yield `Call` (one request) or `Pause` (a backoff) and are sent the
`CallOutcome`; `run_sync` and `run_async` perform them, so the sync and async paths follow the
same rules and the rules are testable without a server.
"""

from __future__ import annotations

import asyncio
import functools
import json
import socket
import ssl
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx2
import openai
from pydantic import BaseModel, ValidationError

from treatylab.agents.backends.clients import ClientPool
from treatylab.agents.backends.failures import FailureKind, FailureRecord, InfrastructureFailure
from treatylab.agents.backends.wire import problem
from treatylab.agents.transcript import UsagePayload
from treatylab.core.errors import UserError

CHAT_PATH = "/chat/completions"
"""Relative to the client's base URL, as the SDK's `create` posts it."""

ATTEMPT_HEADER = "X-Treatylab-Attempt"
"""Which try of the same messages a request is (1, 2, ...): lets a seeded fault injector make
a retried request fail or succeed independently of the first try."""

TRANSIENT_STATUS = frozenset({408, 409, 429})
CONFIG_PARAMS = frozenset({"model", "temperature", "seed", "response_format"})
"""A 400 naming one of these is a configuration problem that no retry or repair can fix."""

MAX_RESPONSE_BYTES = 1 << 20
"""A response body above this (1 MiB) is an unusable answer, never parsed or quoted; the
cassette keeps only its head (see `treatylab.cassettes`)."""
CASSETTE_MARK = "x-treatylab-cassette"
OVERSIZE_VALUE = "oversize-response"
"""A recorded response cut to its head carries this mark, so the replay sees it as oversize."""

OutcomeKind = Literal["answer", "unusable", "transient", "refused_request", "infrastructure"]


@dataclass(frozen=True)
class Call:
    """One chat request to make."""

    messages: list[dict[str, str]]
    schema: type[BaseModel]
    seed: int
    attempt: int = 1
    """1 for the first try of these messages, 2.. for retries after transient errors."""
    repair: bool = False


@dataclass(frozen=True)
class Pause:
    seconds: float


@dataclass(frozen=True)
class CallOutcome:
    """What one HTTP call produced (see the module docstring for the kinds)."""

    kind: OutcomeKind
    usage: UsagePayload
    wire: BaseModel | None = None
    content: str = ""
    problems: list[str] = field(default_factory=list)
    retry_after_s: float | None = None
    failure: FailureRecord | None = None
    """For transient and infrastructure outcomes: what to report if this ends the episode."""
    oversize: bool = False


@dataclass(frozen=True)
class TurnSettings:
    max_repairs: int = 2
    max_retries: int = 3
    backoff_base_s: float = 0.5
    backoff_cap_s: float = 8.0


@dataclass(frozen=True)
class Where:
    """Whose call it is, for the failure record."""

    actor: str | None = None
    stage: str | None = None
    round: int | None = None


def backoff_seconds(settings: TurnSettings, retry: int, hint: float | None) -> float:
    """The server's hint (Retry-After) when given, else base * 2^(retry-1), capped."""
    if hint is not None:
        return max(0.0, min(hint, settings.backoff_cap_s))
    return min(settings.backoff_cap_s, settings.backoff_base_s * 2 ** (retry - 1))


@functools.cache
def response_format(schema: type[BaseModel]) -> dict[str, Any]:
    """The strict `response_format` for a wire model, built once (what `parse` would send)."""
    return {"type": "json_schema",
            "json_schema": {"schema": schema.model_json_schema(), "name": schema.__name__,
                            "strict": True}}


Plan = Generator[Call | Pause, CallOutcome | None, Any]


def retry_plan(call: Call, settings: TurnSettings, where: Where,
               usage: list[UsagePayload]) -> Generator[Call | Pause, CallOutcome | None, CallOutcome]:
    """Try `call` until it is not transient; append each attempt's usage to `usage`.

    Returns:
        the answer, unusable or refused_request outcome.
    Raises:
        InfrastructureFailure: an infrastructure outcome, or transient errors past the retries.
    """
    attempt = 1
    while True:
        outcome = yield Call(call.messages, call.schema, call.seed, attempt, call.repair)
        assert outcome is not None, "the driver must send a CallOutcome for every Call"
        usage.append(outcome.usage)
        if outcome.kind == "infrastructure" or (outcome.kind == "transient"
                                                 and attempt > settings.max_retries):
            assert outcome.failure is not None
            record = outcome.failure.model_copy(update={
                "actor": where.actor, "stage": where.stage, "round": where.round,
                "attempts": attempt})
            raise InfrastructureFailure(record, usage=list(usage))
        if outcome.kind != "transient":
            return outcome
        yield Pause(backoff_seconds(settings, attempt, outcome.retry_after_s))
        attempt += 1


def run_sync(plan: Plan, chat: StructuredChat) -> Any:
    """Perform a plan with blocking I/O; returns the plan's value."""
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
            reply = chat.perform(step)


async def run_async(plan: Plan, chat: StructuredChat) -> Any:
    """Perform a plan on the running event loop; returns the plan's value."""
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
            reply = await chat.aperform(step)


BeforeCall = Callable[[str, Call], None]


class StructuredChat:
    """Calls of `model` at the pool's endpoint; each `perform` is one HTTP attempt."""

    def __init__(self, pool: ClientPool, model: str, *, temperature: float = 0.0,
                 timeout_s: float = 60.0, before_call: BeforeCall | None = None) -> None:
        self.pool = pool
        self.model = model
        self.temperature = temperature
        self.timeout_s = timeout_s
        self.before_call = before_call

    def _request(self, call: Call) -> dict[str, Any]:
        if self.before_call is not None:
            self.before_call(self.model, call)
        # keys in the order `chat.completions.create` puts them, so the body bytes are its own
        return {
            "model": self.model,
            "stream": False,
            "messages": call.messages,
            "response_format": response_format(call.schema),
            "seed": call.seed,
            "temperature": self.temperature,
        }

    def _options(self, call: Call) -> dict[str, Any]:
        """Per-request SDK options: the attempt header and the timeout, as `create` takes them."""
        return {"headers": {ATTEMPT_HEADER: str(call.attempt)}, "timeout": self.timeout_s}

    async def aperform(self, call: Call) -> CallOutcome:
        body = self._request(call)
        client = self.pool.async_client()
        started = time.perf_counter()
        try:
            raw = await client.post(CHAT_PATH, cast_to=httpx2.Response, body=body,
                                    options=self._options(call))
        except openai.APIError as exc:
            return self._error_outcome(exc, call, started)
        return self._reply_outcome(raw, call, started)

    def perform(self, call: Call) -> CallOutcome:
        body = self._request(call)
        client = self.pool.sync_client()
        started = time.perf_counter()
        try:
            raw = client.post(CHAT_PATH, cast_to=httpx2.Response, body=body,
                              options=self._options(call))
        except openai.APIError as exc:
            return self._error_outcome(exc, call, started)
        return self._reply_outcome(raw, call, started)

    # -- usage and failure records ----------------------------------------------------------
    def _usage(self, call: Call, started: float, *, error: str | None = None,
               body: dict[str, Any] | None = None) -> UsagePayload:
        tokens = (body or {}).get("usage") or {}
        if not isinstance(tokens, dict):
            tokens = {}
        return UsagePayload(
            model=str((body or {}).get("model") or self.model),
            prompt_tokens=_int(tokens.get("prompt_tokens")),
            completion_tokens=_int(tokens.get("completion_tokens")),
            latency_ms=round((time.perf_counter() - started) * 1000.0, 1),
            attempt=call.attempt,
            repair=call.repair,
            error=None if error is None else self.pool.endpoint.scrub(error),
        )

    def _failure(self, kind: FailureKind, message: str, fix: str,
                 status: int | None = None) -> FailureRecord:
        return FailureRecord(kind=kind, message=self.pool.endpoint.scrub(message), fix=fix,
                             http_status=status, endpoint=self.pool.endpoint.display_url)

    def _infrastructure(self, call: Call, started: float, error: str, failure: FailureRecord,
                        kind: OutcomeKind = "infrastructure",
                        retry_after_s: float | None = None) -> CallOutcome:
        return CallOutcome(kind=kind, usage=self._usage(call, started, error=error),
                           failure=failure, retry_after_s=retry_after_s)

    # -- a reply came --------------------------------------------------------------------------
    def _reply_outcome(self, raw: Any, call: Call, started: float) -> CallOutcome:
        data = raw.content
        if len(data) > MAX_RESPONSE_BYTES or raw.headers.get(CASSETTE_MARK) == OVERSIZE_VALUE:
            problems = [problem("oversize", cap=MAX_RESPONSE_BYTES)]
            usage = self._usage(call, started, error="unusable answer: " + problems[0])
            return CallOutcome(kind="unusable", usage=usage, problems=problems, oversize=True)
        body, what = _chat_completion(data)
        if body is None:
            url = self.pool.endpoint.display_url
            failure = self._failure(
                "not_chat_completion",
                f"{url} answered HTTP {raw.status_code} with {what}, not a chat completion",
                "point --base-url (or OPENAI_BASE_URL) at the OpenAI-compatible API root, "
                "which usually ends in /v1", raw.status_code)
            return self._infrastructure(call, started, f"not a chat completion: {what}", failure)
        content, problems, wire = _answer(body, call.schema)
        if problems:
            usage = self._usage(call, started, error="unusable answer: " + problems[0], body=body)
            return CallOutcome(kind="unusable", usage=usage, content=content, problems=problems)
        return CallOutcome(kind="answer", usage=self._usage(call, started, body=body),
                           wire=wire, content=content)

    # -- the SDK raised ------------------------------------------------------------------------
    def _error_outcome(self, exc: openai.APIError, call: Call, started: float) -> CallOutcome:
        raise_user_errors(exc)
        url = self.pool.endpoint.display_url
        if isinstance(exc, openai.APITimeoutError):
            failure = self._failure(
                "timeout", f"no answer from {url} within the {self.timeout_s:g} s timeout",
                "check that the server is up and not overloaded, or raise --timeout")
            # the timeout itself was the wait: retry at once
            return self._infrastructure(call, started, f"timeout after {self.timeout_s:g} s",
                                        failure, kind="transient", retry_after_s=0.0)
        if isinstance(exc, openai.APIConnectionError):
            return self._connection_outcome(exc, call, started)
        if isinstance(exc, openai.APIStatusError):
            return self._status_outcome(exc, call, started)
        usage = self._usage(call, started, error=f"{type(exc).__name__}: {_short(str(exc))}")
        return CallOutcome(kind="refused_request", usage=usage)

    def _connection_outcome(self, exc: openai.APIConnectionError, call: Call,
                            started: float) -> CallOutcome:
        url = self.pool.endpoint.display_url
        cause = _root_cause(exc)
        name = type(cause).__name__ if cause is not exc else "unknown"
        error = f"connection error ({name})"
        if name == "UnsupportedProtocol":
            failure = self._failure(
                "connection", f"the base URL {url} has no http:// or https:// scheme",
                "give the base URL with its scheme, e.g. --base-url http://127.0.0.1:8000/v1")
            return self._infrastructure(call, started, error, failure)
        if isinstance(cause, ssl.SSLError):
            failure = self._failure(
                "connection", f"the TLS handshake with {url} failed ({_short(str(cause), 120)})",
                "check the scheme (http:// for a plain local server) and the certificate "
                "(SSL_CERT_FILE)")
            return self._infrastructure(call, started, error, failure)
        if isinstance(cause, socket.gaierror) and cause.errno != socket.EAI_AGAIN:
            failure = self._failure("connection", f"the host of {url} could not be resolved",
                                    "check the host name in --base-url (or OPENAI_BASE_URL)")
            return self._infrastructure(call, started, error, failure)
        failure = self._failure(
            "connection", f"could not connect to {url} ({_short(str(cause), 120)})",
            "start the server, or correct --base-url (or OPENAI_BASE_URL)")
        return self._infrastructure(call, started, error, failure, kind="transient")

    def _status_outcome(self, exc: openai.APIStatusError, call: Call,
                        started: float) -> CallOutcome:
        status, url = exc.status_code, self.pool.endpoint.display_url
        error = f"http {status}: {_short(exc.message)}"
        if status in (401, 403):
            failure = self._failure(
                "http_status", f"{url} refused the API key (HTTP {status}) for model "
                f"'{self.model}'", "check OPENAI_API_KEY (and the key's access to the model)",
                status)
            return self._infrastructure(call, started, f"http {status}", failure)
        if status == 404:
            failure = self._failure(
                "http_status", f"model '{self.model}' or the chat-completions route was not "
                f"found at {url} (HTTP 404)",
                "check the model name and --base-url (it usually ends in /v1)", status)
            return self._infrastructure(call, started, error, failure)
        if status == 400 and exc.param in CONFIG_PARAMS:
            raise UserError(self.pool.endpoint.scrub(
                f"the endpoint refused parameter '{exc.param}' for model '{self.model}' "
                f"(HTTP 400: {_short(exc.message)}); every call would fail the same way, so "
                "check the model name, --temperature and the endpoint's structured-output "
                "support")) from None
        hint = retry_after_seconds(exc.response.headers)
        if status in TRANSIENT_STATUS or status >= 500:
            failure = self._failure(
                "http_status", f"{url} answered HTTP {status} ({_short(_detail(exc), 120)})",
                "the server is failing or rate-limiting: retry later, lower the concurrency, "
                "or raise --max-retries", status)
            return self._infrastructure(call, started, error, failure, kind="transient",
                                        retry_after_s=hint)
        return CallOutcome(kind="refused_request", usage=self._usage(call, started, error=error))


# -- reading a reply ---------------------------------------------------------------------------
def _chat_completion(data: bytes) -> tuple[dict[str, Any] | None, str]:
    """The body if it is a chat completion, else (None, what it is instead)."""
    if not data.strip():
        return None, "an empty body"
    try:
        body = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        head = data.lstrip()[:15].lower()
        return None, "an HTML page" if head.startswith((b"<!doctype", b"<html")) else "a body that is not JSON"
    if not isinstance(body, dict) or not isinstance(body.get("choices"), list):
        return None, "JSON without a 'choices' list"
    choices = body["choices"]
    if choices and not (isinstance(choices[0], dict) and isinstance(choices[0].get("message"), dict)):
        return None, "a 'choices' entry without a message"
    return body, ""


def _answer(body: dict[str, Any], schema: type[BaseModel]) -> tuple[str, list[str], BaseModel | None]:
    """(content, problems, parsed wire model) of a chat completion, as `parse` would judge it."""
    if not body["choices"]:
        return "", [problem("empty")], None
    choice = body["choices"][0]
    message = choice["message"]
    content = message.get("content")
    content = content if isinstance(content, str) else ""
    if choice.get("finish_reason") == "length":
        return content, [problem("length")], None
    if choice.get("finish_reason") == "content_filter":
        return content, [problem("content_filter")], None
    if message.get("refusal"):
        return content, [problem("refusal", detail=_short(str(message["refusal"])))], None
    if not content:
        return content, [problem("empty")], None
    try:
        return content, [], schema.model_validate_json(content, extra="ignore")
    except ValidationError:
        pass
    try:  # invalid anyway: name the extra fields too, so one repair fixes everything
        schema.model_validate_json(content)
    except ValidationError as exc:
        return content, schema_problems(exc), None
    return content, [problem("empty")], None  # pragma: no cover - valid only with extras ignored


def schema_problems(exc: ValidationError) -> list[str]:
    """Pydantic errors as 'field.path: message' lines an LLM can act on."""
    out = []
    for error in exc.errors()[:8]:
        loc = ".".join(str(part) for part in error["loc"]) or "(answer)"
        if error["type"] == "json_invalid":
            out.append(problem("json_invalid", detail=error["msg"]))
        elif error["type"] in ("missing", "extra_forbidden"):
            out.append(problem(error["type"], loc=loc))
        else:
            out.append(problem("field", loc=loc, detail=error["msg"]))
    return out


def raise_user_errors(exc: BaseException) -> None:
    """A UserError raised below the SDK (e.g. a cassette mismatch) stops the run unwrapped."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, UserError):
            raise current
        seen.add(id(current))
        current = current.__cause__ or current.__context__


def _root_cause(exc: BaseException) -> BaseException:
    """The innermost OS-level cause of a connection error (ConnectionRefusedError, gaierror,
    SSLError) or httpx's UnsupportedProtocol, else the innermost exception of the chain."""
    seen: set[int] = set()
    found: BaseException | None = None
    current: BaseException = exc
    node: BaseException | None = exc
    while node is not None and id(node) not in seen:
        if type(node).__name__ == "UnsupportedProtocol":
            return node
        if isinstance(node, OSError):
            found = node
        seen.add(id(node))
        current = node
        node = node.__cause__ or node.__context__
    return found or current


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


def _detail(exc: openai.APIStatusError) -> str:
    """The server's own error message, without the SDK's 'Error code: N - ' prefix."""
    body = exc.body
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return body["message"]
    return str(exc.message)


def _int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _short(text: str, limit: int = 200) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
