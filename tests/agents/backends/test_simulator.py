"""The simulator: seeded faults, the OpenAI protocol, and concurrency under latency."""

from __future__ import annotations

import asyncio
import json
import time

import openai
import pytest

from treatylab.agents.backends.prompting import initial_messages
from treatylab.agents.backends.openai_backend import ATTEMPT_HEADER
from treatylab.simulator import MODEL_ID, SimulatorConfig, parse_fault_list, respond, start_simulator
from treatylab.simulator.faults import FAULT_KINDS, choose_fault
from tests.agents.backends.conftest import delegate_view


def _body(view=None) -> bytes:
    view = view or delegate_view()
    return json.dumps({"model": MODEL_ID, "messages": initial_messages(view)}).encode()


def test_fault_choice_is_deterministic_and_independent_per_attempt() -> None:
    kinds = list(FAULT_KINDS)
    body = _body()
    assert choose_fault(body, "1", 3, 0.5, kinds) == choose_fault(body, "1", 3, 0.5, kinds)
    draws = {choose_fault(body, str(attempt), 3, 0.5, kinds) for attempt in range(1, 30)}
    assert None in draws and len(draws) > 2, "retries draw again"


def test_fault_rate_is_respected() -> None:
    hits = sum(choose_fault(f"body-{n}".encode(), "1", 0, 0.3, ["schema"]) is not None
               for n in range(2000))
    assert 0.26 < hits / 2000 < 0.34


def test_respond_is_a_pure_function_of_request_and_settings() -> None:
    config = SimulatorConfig(fault_rate=0.5, seed=11)
    headers = {ATTEMPT_HEADER.lower(): "1"}
    first, second = respond(config, _body(), headers), respond(config, _body(), headers)
    assert (first.status, first.body, first.fault) == (second.status, second.body, second.fault)


def test_bad_requests_get_an_openai_style_error() -> None:
    response = respond(SimulatorConfig(), json.dumps(
        {"model": "m", "messages": [{"role": "user", "content": "hi"}]}).encode(), {})
    assert response.status == 400 and "view block" in response.body["error"]["message"]


def test_parse_fault_list() -> None:
    assert parse_fault_list("all") == list(FAULT_KINDS)
    assert parse_fault_list("schema, http_500") == ["schema", "http_500"]
    with pytest.raises(ValueError, match="unknown fault kind"):
        parse_fault_list("schema,explode")


def test_models_and_errors_through_the_sdk() -> None:
    with start_simulator() as sim:
        client = openai.OpenAI(base_url=sim.base_url, api_key="unused", max_retries=0)
        assert [m.id for m in client.models.list()] == [MODEL_ID]
        with pytest.raises(openai.BadRequestError, match="view block"):
            client.chat.completions.create(model=MODEL_ID,
                                           messages=[{"role": "user", "content": "hello"}])


def test_concurrent_requests_overlap_their_latency() -> None:
    """48 requests with 200 ms latency each: about 0.2 s in parallel, 9.6 s if serialised."""
    messages = initial_messages(delegate_view("finalize", "vote"))

    async def burst(base_url: str) -> float:
        client = openai.AsyncOpenAI(base_url=base_url, api_key="unused", max_retries=0)
        started = time.perf_counter()
        await asyncio.gather(*(client.chat.completions.create(model=MODEL_ID, messages=messages)
                               for _ in range(48)))
        elapsed = time.perf_counter() - started
        await client.close()
        return elapsed

    with start_simulator(latency_ms=200) as sim:
        elapsed = asyncio.run(burst(sim.base_url))
    assert elapsed < 3.0, f"48 parallel requests took {elapsed:.2f} s (serialised: 9.6 s)"


def test_shutdown_releases_hanging_requests() -> None:
    started = time.perf_counter()
    with start_simulator(fault_rate=1.0, faults=["timeout"], hang_s=60) as sim:
        client = openai.OpenAI(base_url=sim.base_url, api_key="unused", max_retries=0, timeout=0.2)
        with pytest.raises(openai.APITimeoutError):
            client.chat.completions.create(model=MODEL_ID,
                                           messages=initial_messages(delegate_view()))
    assert time.perf_counter() - started < 5
