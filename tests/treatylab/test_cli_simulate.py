"""`treatylab simulate` serves the OpenAI protocol from its own process until stopped."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import openai
import pytest

from treatylab.cli import main
from treatylab.simulator import MODEL_ID


def test_simulate_command_serves_models_and_stops(tmp_path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "treatylab.cli", "simulate", "--port",
                                str(port), "--fault-rate", "0"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        client = openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="unused",
                               max_retries=0, timeout=2)
        deadline = time.monotonic() + 30
        while True:
            try:
                models = [m.id for m in client.models.list()]
                break
            except openai.APIConnectionError:
                assert time.monotonic() < deadline and process.poll() is None
                time.sleep(0.1)
        assert models == [MODEL_ID]
    finally:
        process.terminate()
        out, err = process.communicate(timeout=10)
    assert f"http://127.0.0.1:{port}/v1" in out


def test_simulate_rejects_unknown_faults(monkeypatch, capsys) -> None:
    monkeypatch.setattr("sys.argv", ["treatylab", "simulate", "--faults", "schema,meteor"])
    with pytest.raises(SystemExit) as done:
        main()
    assert done.value.code == 2
    assert "unknown fault kind" in capsys.readouterr().err
