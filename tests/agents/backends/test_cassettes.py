"""Cassettes: record through the simulator, replay with the network blocked, explain mismatches."""

from __future__ import annotations

import asyncio
import re
import socket
import time
from pathlib import Path

import pytest

from treatylab.agents.backends.clients import offline_credentials
from treatylab.agents.backends.factory import make_backend
from treatylab.graphs import RunConfig
from treatylab.cassettes import cassette_session, recorded_bodies
from treatylab.errors import CassetteMismatch, UserError
from treatylab.simulator import MODEL_ID, start_simulator
from tests.agents.backends.conftest import delegate_view, mediator_view, usage_shape

SPEC = f"openai:{MODEL_ID}"
CANARY_KEY = "sk-canary-3b1f9e77c0d24a5e"
VIEWS = [delegate_view("bargain", party=p) for p in ("aurelia", "borealis", "caldera")] + [
    delegate_view("finalize", "vote"), mediator_view("bargain", "formulative")]


def _turns(base_url: str, views, **config):
    seat = make_backend(SPEC, RunConfig(base_url=base_url, **config), "delegate")

    async def run():
        return await asyncio.gather(*(seat.aact(view) for view in views))

    return asyncio.run(run())


def record(path: Path, monkeypatch, views=VIEWS, **simulator):
    monkeypatch.setenv("OPENAI_API_KEY", CANARY_KEY)
    with start_simulator(**simulator) as sim, cassette_session(path, "record") as session:
        results = _turns(sim.base_url, views, timeout_s=0.3)
    monkeypatch.delenv("OPENAI_API_KEY")
    return results, session


def replay(path: Path, views=VIEWS):
    with offline_credentials(), cassette_session(path, "replay") as session:
        results = _turns("http://127.0.0.1:9/v1", views, timeout_s=0.3)
    return results, session


def test_parallel_turns_record_and_replay_offline(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "cassette.yaml"
    recorded, session = record(path, monkeypatch, fault_rate=0.4, hang_s=2, seed=5)
    assert session.interactions >= len(VIEWS)
    replayed, again = replay(path)
    assert again.unplayed() == 0
    for a, b in zip(recorded, replayed):
        assert a.action == b.action and a.failure == b.failure and a.repairs == b.repairs
        assert usage_shape(a) == usage_shape(b)


def test_recorded_timeouts_replay_as_timeouts(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "cassette.yaml"
    views = [delegate_view("finalize", "vote")]
    recorded, session = record(path, monkeypatch, views, fault_rate=1.0, faults=["timeout"],
                               max_faults_per_turn=1, hang_s=2)
    assert session.timeouts_recorded == 1
    replayed, _ = replay(path, views)
    assert usage_shape(replayed[0]) == usage_shape(recorded[0])
    assert replayed[0].usage[0].error == "timeout after 0.3 s"


def test_no_secret_reaches_the_cassette(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "cassette.yaml"
    record(path, monkeypatch)
    text = path.read_text()
    assert CANARY_KEY not in text and CANARY_KEY[-12:] not in text
    assert "authorization" not in text.lower() and "bearer" not in text.lower()


def test_bodies_are_stored_readably(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "cassette.yaml"
    record(path, monkeypatch, VIEWS[:1])
    (body,) = recorded_bodies(path)
    assert body["model"] == MODEL_ID and body["response_format"]["type"] == "json_schema"


def test_mismatch_names_the_turn_and_the_first_difference(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "cassette.yaml"
    record(path, monkeypatch, VIEWS[:1])
    changed = VIEWS[0].model_copy(update={"round": 3})
    started = time.perf_counter()
    with pytest.raises(CassetteMismatch) as caught:
        replay(path, [changed])
    assert time.perf_counter() - started < 5
    message = str(caught.value)
    assert message.startswith("cassette mismatch")
    assert "bargain request of delegate aurelia (round 3)" in message
    assert "closest recorded request: #1" in message
    # the TURN block is one long line: the excerpt starts just before the first difference
    assert re.search(r"line 2, column \d+: recorded '\.\.\.[^']*\"round\":2,[^']*', now '\.\.\.[^']*\"round\":3,", message)
    assert caught.value.exit_code == 3


def test_replay_blocks_the_network(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "cassette.yaml"
    record(path, monkeypatch, VIEWS[:1])
    with cassette_session(path, "replay"):
        with pytest.raises(OSError, match="network access is blocked"):
            socket.create_connection(("127.0.0.1", 9), timeout=1)


def test_modes_are_checked(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="unknown cassette mode"):
        with cassette_session(tmp_path / "c.yaml", "rewind"):  # type: ignore[arg-type]
            pass
    with pytest.raises(UserError, match="no cassette to replay"):
        with cassette_session(tmp_path / "missing.yaml", "replay"):
            pass
    with cassette_session(tmp_path / "c.yaml", "off") as session:
        assert session.mode == "off"
    assert not (tmp_path / "c.yaml").exists()
