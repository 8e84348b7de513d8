"""Endpoints that misbehave: garbage, HTML, empty bodies, hangs, megabyte answers, extra fields.

Each misbehaviour is a real HTTP server on 127.0.0.1 (stdlib `ThreadingHTTPServer`) that
answers like the simulator where it answers at all; a whole episode runs against it with one
delegation on the endpoint and a cassette recording. Every case must end with a result
(`status: done`) or an infrastructure failure (`status: failed`) — never a traceback — and
leave a cassette under 5 MB.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from treatylab.agents.backends.wire import MAX_TEXT_CHARS
from treatylab.cassettes import cassette_session
from treatylab.graphs import RunConfig
from treatylab.runner import run_episode
from treatylab.scenarios import load
from treatylab.simulator import MODEL_ID, SimulatorConfig, respond
from tests.conftest import FIXTURES

pytestmark = pytest.mark.usefixtures("no_key")
TINY = FIXTURES / "scenarios" / "tiny-valid.yaml"
SEAT = "beta"
FIVE_MB = 5 * 1024 * 1024
HUGE = "x" * FIVE_MB
_SIM = SimulatorConfig()


def _answer(body: bytes, headers: dict[str, str], mode: str) -> tuple[int, bytes, str]:
    """(status, body, content type) of the misbehaving endpoint for one request."""
    if mode == "garbage":
        return 200, b"\x00\xff\x13 not json {{{", "application/json"
    if mode == "html":
        return 200, b"<!DOCTYPE html><html><body><h1>Welcome to nginx!</h1></body></html>", "text/html"
    if mode == "empty":
        return 200, b"", "application/json"
    sim = respond(_SIM, body, headers).body
    message = sim["choices"][0]["message"]
    answer = json.loads(message["content"])
    if mode == "big_answer":
        message["content"] = HUGE  # 5 MB of text that is not the JSON asked for
    elif mode == "big_statement":
        message["content"] = json.dumps({**answer, "statement": HUGE})
    elif mode == "long_statement":
        message["content"] = json.dumps({**answer, "statement": "Long words. " * 5000})
    elif mode == "extra_fields":
        message["content"] = json.dumps({**answer, "reasoning": "we weighed it", "score": 7})
    return 200, json.dumps(sim).encode(), "application/json"


class _Hostile(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    mode = "garbage"

    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802 - stdlib naming
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.requests.append(len(body))  # type: ignore[attr-defined]
        if self.mode == "hang":
            time.sleep(3)
            self.close_connection = True
            return
        headers = {name.lower(): value for name, value in self.headers.items()}
        status, data, kind = _answer(body, headers, self.mode)
        try:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


@pytest.fixture
def hostile():
    servers = []

    def start(mode: str) -> ThreadingHTTPServer:
        server = ThreadingHTTPServer(("127.0.0.1", 0), type("H", (_Hostile,), {"mode": mode}))
        server.daemon_threads = True
        server.requests = []  # type: ignore[attr-defined]
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _run(server: ThreadingHTTPServer, tmp_path: Path, **config):
    url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    settings = dict(mediator="none", seed=1, base_url=url, delegates={SEAT: f"openai:{MODEL_ID}"},
                    timeout_s=0.5, max_retries=1, max_repairs=1)
    settings.update(config)
    cassette = tmp_path / "cassette.yaml"
    started = time.perf_counter()
    with cassette_session(cassette, "record"):
        run = asyncio.run(run_episode(load(TINY), RunConfig(**settings)))
    return run, cassette, time.perf_counter() - started


@pytest.mark.parametrize("mode, words", [
    ("garbage", "a body that is not JSON"), ("html", "an HTML page"), ("empty", "an empty body")])
def test_a_200_that_is_not_a_chat_completion_fails_the_episode(hostile, tmp_path, mode,
                                                                words) -> None:
    server = hostile(mode)
    run, cassette, elapsed = _run(server, tmp_path)
    assert run.result["status"] == "failed" and run.result["outcome"] != "breakdown"
    failure = run.result["failure"]
    assert failure["kind"] == "not_chat_completion" and failure["http_status"] == 200
    assert words in failure["message"] and failure["actor"] == SEAT
    assert failure["attempts"] == 1 and len(server.requests) == 1, "no retry can fix it"
    assert cassette.stat().st_size < FIVE_MB and elapsed < 10


def test_a_server_that_never_answers_fails_after_its_timeouts(hostile, tmp_path) -> None:
    run, cassette, elapsed = _run(hostile("hang"), tmp_path)
    failure = run.result["failure"]
    assert run.result["status"] == "failed" and failure["kind"] == "timeout"
    assert failure["attempts"] == 2  # one try and one retry, 0.5 s each
    assert elapsed < 5, f"{elapsed:.1f} s"
    assert cassette.stat().st_size < FIVE_MB


@pytest.mark.parametrize("mode", ["big_answer", "big_statement"])
def test_a_five_megabyte_answer_is_refused_and_never_echoed(hostile, tmp_path, mode) -> None:
    server = hostile(mode)
    run, cassette, _ = _run(server, tmp_path)
    assert run.result["status"] == "done" and run.result["outcome"] is not None
    failed = [e for e in run.events if e.kind == "failed_turn"]
    assert failed and all(e.actor == SEAT for e in failed)
    assert all("longer than 1048576 bytes" in e.payload.error for e in failed)
    assert max(server.requests) < 200_000, "a repair re-ask must not quote the 5 MB answer"
    assert cassette.stat().st_size < FIVE_MB, f"{cassette.stat().st_size} bytes"


def test_a_long_statement_is_cut_with_a_note_and_later_prompts_stay_small(hostile,
                                                                           tmp_path) -> None:
    server = hostile("long_statement")
    run, cassette, _ = _run(server, tmp_path)
    assert run.result["status"] == "done"
    said = [e.payload.statement for e in run.events
            if e.actor == SEAT and getattr(e.payload, "statement", "").startswith("Long words.")]
    assert said, "the delegation's statements are recorded"
    for statement in said:
        assert len(statement) < MAX_TEXT_CHARS + 100
        assert statement.endswith(f"[cut by treatylab: {60000 - MAX_TEXT_CHARS} more characters "
                                  f"over the {MAX_TEXT_CHARS}-character limit]")
    assert max(server.requests) < 200_000 and cassette.stat().st_size < FIVE_MB


def test_extra_fields_in_an_answer_are_ignored(hostile, tmp_path) -> None:
    run, cassette, _ = _run(hostile("extra_fields"), tmp_path)
    heuristic = asyncio.run(run_episode(load(TINY), RunConfig(mediator="none", seed=1)))
    assert run.result["status"] == "done"
    assert not [e for e in run.events if e.kind == "failed_turn"]
    assert run.result["process"]["repairs"] == 0
    assert run.result["outcome"] == heuristic.result["outcome"]
    assert run.result["package"] == heuristic.result["package"]


def test_a_cut_oversize_answer_replays_as_the_same_oversize_answer(hostile, tmp_path) -> None:
    from treatylab.agents.backends.clients import offline_credentials
    from tests.treatylab.llm_helpers import negotiation

    recorded, cassette, _ = _run(hostile("big_answer"), tmp_path)
    assert "oversize-response" in cassette.read_text(encoding="utf-8")
    config = RunConfig(mediator="none", seed=1, base_url="http://127.0.0.1:9/v1",
                       delegates={SEAT: f"openai:{MODEL_ID}"}, timeout_s=0.5, max_retries=1,
                       max_repairs=1)
    with offline_credentials(), cassette_session(cassette, "replay") as session:
        replayed = asyncio.run(run_episode(load(TINY), config))
    assert session.unplayed() == 0 and replayed.result["status"] == "done"
    assert negotiation(replayed.events) == negotiation(recorded.events)
