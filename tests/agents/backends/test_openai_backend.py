"""The OpenAI backend through the real SDK over loopback HTTP to the simulator."""

from __future__ import annotations

import asyncio
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from treatylab.agents.backends.clients import PLACEHOLDER_KEY, offline_credentials, resolve_endpoint
from treatylab.agents.backends.factory import make_backend
from treatylab.agents.backends.failures import InfrastructureFailure
from treatylab.agents.backends.llm_turn import TurnSettings
from treatylab.agents.backends.openai_backend import OpenAIBackend
from treatylab.agents.backends.factory import client_pool
from treatylab.agents.policy import decide
from treatylab.graphs import RunConfig
from treatylab.errors import UserError
from treatylab.simulator import MODEL_ID, start_simulator
from tests.agents.backends.conftest import delegate_view, mediator_view

pytestmark = pytest.mark.usefixtures("no_key")
SPEC = f"openai:{MODEL_ID}"
VIEWS = [delegate_view("prepare"), delegate_view("bargain"), delegate_view("finalize", "vote"),
         delegate_view("implement", "compliance"), mediator_view("bargain", "formulative")]


def backend(base_url: str, **config) -> OpenAIBackend:
    made = make_backend(SPEC, RunConfig(base_url=base_url, **config), "delegate")
    assert isinstance(made, OpenAIBackend)
    return made


def test_every_kind_of_turn_matches_the_in_process_policy() -> None:
    with start_simulator() as sim:
        seat = backend(sim.base_url)

        async def turns():
            return await asyncio.gather(*(seat.aact(view) for view in VIEWS))

        results = asyncio.run(turns())
    for view, result in zip(VIEWS, results):
        assert result.action == decide(view) and result.failure is None
        assert len(result.usage) == 1 and result.usage[0].prompt_tokens > 0
        assert result.usage[0].model == MODEL_ID and result.usage[0].error is None


def test_sync_path() -> None:
    with start_simulator() as sim:
        result = backend(sim.base_url).act(delegate_view())
    assert result.action == decide(delegate_view())


@pytest.mark.parametrize("fault", ["invalid_json", "schema", "illegal_option", "truncated",
                                   "refusal"])
def test_answer_faults_are_repaired(fault: str) -> None:
    view = delegate_view()
    with start_simulator(fault_rate=1.0, faults=[fault], max_faults_per_turn=1) as sim:
        result = asyncio.run(backend(sim.base_url).aact(view))
        assert sim.stats[f"fault:{fault}"] == 1
    assert result.action == decide(view) and result.repairs == 1
    assert [u.repair for u in result.usage] == [False, True]
    assert result.usage[0].error and result.usage[1].error is None


@pytest.mark.parametrize("fault", ["http_500", "http_429", "timeout"])
def test_transient_faults_are_retried(fault: str) -> None:
    view = delegate_view("finalize", "vote")
    with start_simulator(fault_rate=1.0, faults=[fault], max_faults_per_turn=1, hang_s=2) as sim:
        result = asyncio.run(backend(sim.base_url, timeout_s=0.3).aact(view))
    assert result.action == decide(view) and result.repairs == 0
    assert [u.attempt for u in result.usage] == [1, 2]
    expected = {"http_500": "http 500", "http_429": "http 429", "timeout": "timeout after 0.3 s"}
    assert result.usage[0].error.startswith(expected[fault])


def test_persistent_invalid_answers_become_a_failed_turn() -> None:
    view = delegate_view()
    with start_simulator(fault_rate=1.0, faults=["illegal_option"]) as sim:
        result = asyncio.run(backend(sim.base_url, max_repairs=2).aact(view))
    assert result.action is None and result.failure is not None
    assert result.failure.attempts == 3 and result.repairs == 2 and len(result.usage) == 3
    assert "no-such-option" in result.failure.error
    assert result.failure.expected == "delegate_action"


def test_persistent_server_errors_stop_the_episode_as_an_infrastructure_failure() -> None:
    with start_simulator(fault_rate=1.0, faults=["http_500"], retry_after_ms=0) as sim:
        with pytest.raises(InfrastructureFailure) as caught:
            asyncio.run(backend(sim.base_url, max_retries=1).aact(delegate_view()))
    record = caught.value.record
    assert (record.kind, record.http_status, record.attempts) == ("http_status", 500, 2)
    assert record.endpoint == sim.base_url and "injected a server error" in record.message
    assert (record.actor, record.stage, record.round) == ("aurelia", "bargain", 2)
    assert [u.attempt for u in caught.value.usage] == [1, 2]


def test_missing_key_without_base_url_names_the_variable() -> None:
    with pytest.raises(UserError, match="set the OPENAI_API_KEY environment variable"):
        make_backend(SPEC, RunConfig(), "delegate")


def test_base_url_needs_no_key_and_wins_over_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    endpoint = resolve_endpoint("http://127.0.0.1:1234/v1")
    assert endpoint.base_url == "http://127.0.0.1:1234/v1" and endpoint.api_key == PLACEHOLDER_KEY
    assert resolve_endpoint(None).base_url == "http://127.0.0.1:9/v1"
    assert "api_key" not in repr(endpoint) and PLACEHOLDER_KEY not in repr(endpoint)


def test_offline_credentials_need_no_key_and_ignore_the_environment_url(monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    with offline_credentials():
        endpoint = resolve_endpoint(None)
    assert endpoint.base_url is None and endpoint.api_key == PLACEHOLDER_KEY


def test_backends_on_one_endpoint_share_a_pool() -> None:
    config = RunConfig(base_url="http://127.0.0.1:4321/v1")
    first, second = (make_backend(SPEC, config, role) for role in ("delegate", "mediator"))
    assert first.pool is second.pool is client_pool(config.base_url)


def test_settings_come_from_the_run_config() -> None:
    seat = backend("http://127.0.0.1:4321/v1", max_repairs=1, max_retries=4, timeout_s=7,
                   temperature=0.3)
    assert seat.settings == TurnSettings(max_repairs=1, max_retries=4)
    assert seat.timeout_s == 7 and seat.temperature == 0.3


class _Refusing(BaseHTTPRequestHandler):
    """An endpoint that refuses every request with the status and error in its class."""

    status = 401
    error: dict = {"message": "Incorrect API key provided.", "type": "invalid_request_error",
                   "param": None, "code": "invalid_api_key"}

    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        data = json.dumps({"error": self.error}).encode()
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def refusing():
    servers = []

    def start(status: int, **error) -> str:
        handler = type("Handler", (_Refusing,), {"status": status,
                                                 "error": {**_Refusing.error, **error}})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/v1"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_a_refused_key_stops_the_run_without_echoing_it(refusing) -> None:
    seat = backend(refusing(401))
    with pytest.raises(InfrastructureFailure, match="refused the API key") as caught:
        asyncio.run(seat.aact(delegate_view()))
    assert "Incorrect API key" not in str(caught.value)
    assert caught.value.record.http_status == 401 and caught.value.record.attempts == 1
    assert "OPENAI_API_KEY" in caught.value.record.fix


def test_an_unsupported_parameter_is_a_configuration_error(refusing) -> None:
    url = refusing(400, message="Unsupported value: 'temperature'", param="temperature")
    with pytest.raises(UserError, match="refused parameter 'temperature'"):
        asyncio.run(backend(url).aact(delegate_view()))


def test_other_bad_requests_fail_the_turn_only(refusing) -> None:
    url = refusing(400, message="context too long", param="messages")
    result = asyncio.run(backend(url).aact(delegate_view()))
    assert result.failure is not None and "http 400: Error code: 400" in result.failure.error
    assert len(result.usage) == 1, "a refused request is neither retried nor repaired"
