"""Keys written into a base URL (userinfo, ?api-key=, ?key=, ?token=) reach no cassette,
transcript, error message or log line."""

from __future__ import annotations

import asyncio
import logging

import pytest

from treatylab.agents.backends.clients import safe_url, scrub_text
from treatylab.agents.backends.failures import InfrastructureFailure
from treatylab.agents.backends.factory import make_backend
from treatylab.cassettes import cassette_session
from treatylab.graphs import RunConfig
from treatylab.runner import run_episode
from treatylab.scenarios import load
from treatylab.simulator import MODEL_ID, start_simulator
from tests.agents.backends.conftest import delegate_view
from tests.conftest import FIXTURES

pytestmark = pytest.mark.usefixtures("no_key")
USER_KEY = "sk-canary-userinfo-4c1d99e2"
QUERY_KEY = "sk-canary-query-0b7a5f13"
TOKEN = "tok-canary-query-9e8d7c6b"


def _with_credentials(base_url: str) -> str:
    """http://host:port/v1 -> http://u:KEY@host:port/v1?api-key=KEY&token=TOKEN"""
    scheme, rest = base_url.split("://", 1)
    return f"{scheme}://u:{USER_KEY}@{rest}?api-key={QUERY_KEY}&token={TOKEN}"


def _leaks(text: str) -> list[str]:
    return [secret for secret in (USER_KEY, QUERY_KEY, TOKEN) if secret in text]


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def test_safe_url_and_scrub_text_remove_every_credential() -> None:
    url = f"https://u:{USER_KEY}@example.test/openai?api-version=2024-10-21&api-key={QUERY_KEY}"
    assert safe_url(url) == "https://example.test/openai?api-version=2024-10-21&api-key=<redacted>"
    line = f"HTTP Request: POST {url}&token={TOKEN} \"HTTP/1.1 200 OK\""
    assert _leaks(scrub_text(line)) == []
    assert "api-version=2024-10-21" in scrub_text(line)


def test_a_recorded_run_with_keys_in_the_url_leaks_none(tmp_path) -> None:
    handler, root = _Lines(), logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    cassette = tmp_path / "cassette.yaml"
    try:
        with start_simulator() as sim, cassette_session(cassette, "record"):
            config = RunConfig(mediator="none", seed=1, base_url=_with_credentials(sim.base_url),
                               delegates={"beta": f"openai:{MODEL_ID}"})
            run = asyncio.run(run_episode(load(FIXTURES / "scenarios" / "tiny-valid.yaml"),
                                          config))
            assert sim.stats["requests"] > 0
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    assert run.result["status"] == "done"
    text = cassette.read_text(encoding="utf-8")
    assert "uri: http://<redacted>@127.0.0.1" in text
    assert _leaks(text) == []
    logs = "\n".join(handler.lines)
    assert "HTTP Request: POST" in logs, "httpx logged the requests (so the check can fail)"
    assert _leaks(logs) == []
    transcript = "\n".join(e.model_dump_json() for e in run.events)
    assert _leaks(transcript) == []


def test_failure_records_and_messages_leak_no_key() -> None:
    url = _with_credentials("http://127.0.0.1:9/v1")
    seat = make_backend(f"openai:{MODEL_ID}", RunConfig(base_url=url, max_retries=0), "delegate")
    with pytest.raises(InfrastructureFailure) as caught:
        asyncio.run(seat.aact(delegate_view()))
    record = caught.value.record
    assert record.endpoint == "http://127.0.0.1:9/v1?api-key=<redacted>&token=<redacted>"
    assert _leaks(record.model_dump_json()) == [] and _leaks(str(caught.value)) == []
    assert all(_leaks(u.model_dump_json()) == [] for u in caught.value.usage)
