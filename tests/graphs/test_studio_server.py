"""The real `langgraph dev` server (langgraph-cli[inmem], a test extra) runs a Studio thread.

It starts on a free loopback port with analytics and tracing off, so nothing phones home; a
thread created through the HTTP API with a non-default scenario and mediator runs to the end,
and its outcome is the CLI's for the same settings. The server runs in a temporary folder (it
writes `.langgraph_api/` where it starts) from a copy of langgraph.json whose graph path is
absolute.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx
import pytest

from tests.conftest import ROOT

OFFLINE = {"LANGGRAPH_CLI_NO_ANALYTICS": "1", "LANGSMITH_TRACING": "false",
           "LANGCHAIN_TRACING_V2": "false", "LANGCHAIN_TRACING": "false"}
CHOICE = {"scenario": "island-compact", "mediator": "facilitative", "seed": 3}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(tmp_path: Path):
    config = json.loads((ROOT / "langgraph.json").read_text())
    for name, target in config["graphs"].items():
        path, _, attribute = target.partition(":")
        config["graphs"][name] = f"{(ROOT / path).resolve()}:{attribute}"
    (tmp_path / "langgraph.json").write_text(json.dumps(config))
    port = _free_port()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("LANGSMITH_API", "LANGCHAIN_API", "OPENAI_"))} | OFFLINE
    cli = Path(sys.executable).parent / "langgraph"
    log = (tmp_path / "server.log").open("w")
    proc = subprocess.Popen([str(cli), "dev", "--no-browser", "--no-reload", "--host", "127.0.0.1",
                             "--port", str(port)], cwd=tmp_path, env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{base}/ok", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None, (tmp_path / "server.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "langgraph dev did not start in 90 s"
            time.sleep(0.5)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def test_a_studio_thread_runs_the_chosen_negotiation(server: str) -> None:
    from treatylab.graphs import RunConfig
    from treatylab.runner import run_episode
    from treatylab.scenarios import load

    thread = httpx.post(f"{server}/threads", json={}, timeout=30).json()["thread_id"]
    body = {"assistant_id": "negotiation", "input": {},
            "config": {"configurable": CHOICE, "recursion_limit": 10_000}}
    state = httpx.post(f"{server}/threads/{thread}/runs/wait", json=body, timeout=120).json()
    cli = asyncio.run(run_episode(load(CHOICE["scenario"]),
                                  RunConfig(mediator=CHOICE["mediator"], seed=CHOICE["seed"])))
    assert state["outcome"] == cli.result["outcome"] == "agreement"
    assert state["scores"]["package"] == cli.result["package"]
    assert state["scores"]["scenario"] == "island-compact"
    assert len(state["events"]) == len(cli.events)
    # the thread keeps the finished state, as Studio shows it
    saved = httpx.get(f"{server}/threads/{thread}/state", timeout=30).json()
    assert saved["values"]["outcome"] == "agreement" and saved["next"] == []
