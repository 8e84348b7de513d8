"""The shared structured-chat call: request bytes, classification, dead endpoints."""

from __future__ import annotations

import asyncio
import json
import time

import httpx2
import openai
import pytest
from openai.lib._parsing._completions import type_to_response_format_param

from treatylab.agents.backends.chat_call import ATTEMPT_HEADER, Call, StructuredChat, response_format
from treatylab.agents.backends.clients import ClientPool, Endpoint
from treatylab.agents.backends.factory import make_backend
from treatylab.agents.backends.failures import InfrastructureFailure
from treatylab.agents.backends.wire import WIRE_MODELS, WireCompliance, to_wire
from treatylab.agents.policy import decide
from treatylab.evals.judge.schema import JudgeAnswer
from treatylab.graphs import RunConfig
from tests.agents.backends.conftest import delegate_view

pytestmark = pytest.mark.usefixtures("no_key")
MESSAGES = [{"role": "system", "content": "s"}, {"role": "user", "content": "u"}]


@pytest.mark.parametrize("schema", [*WIRE_MODELS.values(), JudgeAnswer])
def test_the_precomputed_response_format_is_what_parse_would_send(schema) -> None:
    assert response_format(schema) == type_to_response_format_param(schema)


def test_the_request_body_is_byte_identical_to_parse() -> None:
    bodies: list[bytes] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        bodies.append(request.content)
        return httpx2.Response(200, json={"choices": [{"index": 0, "finish_reason": "stop",
                                                       "message": {"role": "assistant",
                                                                   "content": '{"comply": true, "statement": "ok"}'}}]})

    http = httpx2.Client(transport=httpx2.MockTransport(handler))
    client = openai.OpenAI(api_key="k", base_url="http://h/v1", http_client=http, max_retries=0)
    client.chat.completions.with_raw_response.parse(
        model="m", messages=MESSAGES, response_format=WireCompliance, temperature=0.0, seed=3)
    pool = ClientPool(Endpoint(base_url="http://h/v1", api_key="k"))
    pool._sync = client  # the same SDK client, so only the call differs
    outcome = StructuredChat(pool, "m").perform(Call(MESSAGES, WireCompliance, 3))
    assert outcome.kind == "answer" and outcome.wire == WireCompliance(comply=True, statement="ok")
    assert bodies[0] == bodies[1]


def test_the_request_is_the_one_create_sends() -> None:
    """The call goes through the SDK's generic `post`: same URL, body bytes, headers (auth and
    attempt header included) and timeout as `chat.completions.create`, only the SDK's own
    raw-response marker is absent."""
    requests: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        requests.append(request)
        return httpx2.Response(200, json={"choices": [{"index": 0, "finish_reason": "stop",
                                                       "message": {"role": "assistant",
                                                                   "content": '{"comply": true, "statement": "ok"}'}}]})

    http = httpx2.Client(transport=httpx2.MockTransport(handler))
    client = openai.OpenAI(api_key="k", base_url="http://h/v1", http_client=http, max_retries=0)
    client.chat.completions.create(
        model="m", stream=False, messages=MESSAGES, response_format=response_format(WireCompliance),
        seed=3, temperature=0.0, timeout=7.0, extra_headers={ATTEMPT_HEADER: "2"})
    pool = ClientPool(Endpoint(base_url="http://h/v1", api_key="k"))
    pool._sync = client
    call = Call(MESSAGES, WireCompliance, 3, attempt=2)
    outcome = StructuredChat(pool, "m", timeout_s=7.0).perform(call)
    assert outcome.kind == "answer"
    sdk, ours = requests
    assert (ours.method, ours.url, ours.content) == (sdk.method, sdk.url, sdk.content)
    assert dict(ours.headers) == dict(sdk.headers)
    assert ours.headers["authorization"] == "Bearer k" and ours.headers[ATTEMPT_HEADER] == "2"
    assert ours.extensions["timeout"] == sdk.extensions["timeout"] == {
        "connect": 7.0, "read": 7.0, "write": 7.0, "pool": 7.0}


def test_extra_fields_are_ignored_but_named_when_a_repair_is_needed() -> None:
    from treatylab.agents.backends.chat_call import _answer

    def body(content: dict) -> dict:
        return {"choices": [{"message": {"content": json.dumps(content)}, "finish_reason": "stop"}]}

    view = delegate_view()
    good = to_wire(decide(view)).model_dump(mode="json")
    _, problems, wire = _answer(body({**good, "reasoning": "we think", "extra": 1}),
                                WIRE_MODELS["delegate_action"])
    assert problems == [] and wire == to_wire(decide(view))
    broken = {key: value for key, value in good.items() if key != "statement"}
    _, problems, wire = _answer(body({**broken, "remarks": "x"}), WIRE_MODELS["delegate_action"])
    assert wire is None and problems == ["statement: required field is missing",
                                         "remarks: unknown field; use only the schema's fields"]


def _seat(base_url: str):
    return make_backend("openai:m", RunConfig(base_url=base_url, timeout_s=2), "delegate")


def test_a_dead_endpoint_fails_within_seconds() -> None:
    started = time.perf_counter()
    with pytest.raises(InfrastructureFailure) as caught:
        asyncio.run(_seat("http://127.0.0.1:9/v1").aact(delegate_view()))
    elapsed = time.perf_counter() - started
    record = caught.value.record
    assert record.kind == "connection" and record.attempts == 4  # 1 try + 3 retries
    assert "could not connect to http://127.0.0.1:9/v1" in record.message
    assert elapsed < 5.0, f"{elapsed:.1f} s"  # backoff 0.5 + 1 + 2 s


@pytest.mark.parametrize("url, words", [("127.0.0.1:9/v1", "has no http:// or https:// scheme"),
                                        ("ftp://127.0.0.1:9/v1", "has no http:// or https:// scheme"),
                                        ("http://no-such-host.invalid/v1", "could not be resolved")])
def test_a_base_url_no_retry_can_fix_fails_at_once(url: str, words: str) -> None:
    started = time.perf_counter()
    with pytest.raises(InfrastructureFailure) as caught:
        _seat(url).act(delegate_view())
    assert words in caught.value.record.message and caught.value.record.attempts == 1
    assert time.perf_counter() - started < 1.0


def test_before_call_runs_before_every_attempt_and_can_stop_the_call() -> None:
    seen: list[tuple[str, int]] = []

    class Budget(Exception):
        pass

    def check(model: str, call: Call) -> None:
        seen.append((model, call.attempt))
        if call.attempt == 2:
            raise Budget("over budget")

    pool = ClientPool(Endpoint(base_url="http://127.0.0.1:9/v1", api_key="k"))
    seat = type(_seat("http://127.0.0.1:9/v1"))("m", pool, before_call=check)
    with pytest.raises(Budget):
        seat.act(delegate_view())
    assert seen == [("m", 1), ("m", 2)]


def test_https_to_a_plain_http_server_is_a_tls_failure_at_once() -> None:
    from treatylab.simulator import start_simulator

    with start_simulator() as sim:
        url = sim.base_url.replace("http://", "https://")
        with pytest.raises(InfrastructureFailure) as caught:
            _seat(url).act(delegate_view())
    record = caught.value.record
    assert record.kind == "connection" and record.attempts == 1
    assert "TLS handshake" in record.message and "http://" in record.fix
