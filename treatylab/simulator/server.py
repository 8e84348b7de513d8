"""The simulator's HTTP server: OpenAI's chat-completions protocol on loopback.

Stdlib `ThreadingHTTPServer` speaking HTTP/1.1 with keep-alive: one thread per connection, so
injected latency (a sleep in the handler thread) overlaps across concurrent requests instead of
serialising them, and the SDK's pooled connections are reused. The listen backlog is raised so
a burst of parallel turns is never refused. Request headers (Authorization among them) are never
logged.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from treatylab.simulator.responses import SimResponse, SimulatorConfig, models_list, respond

CHAT_PATHS = ("/v1/chat/completions", "/chat/completions")
MODEL_PATHS = ("/v1/models", "/models")


class SimulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    allow_reuse_address = True

    def __init__(self, config: SimulatorConfig) -> None:
        self.config = config
        self.stopping = threading.Event()
        self.stats: Counter[str] = Counter()
        self._stats_lock = threading.Lock()
        super().__init__((config.host, config.port), _Handler)

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/v1"

    def count(self, *keys: str) -> None:
        with self._stats_lock:
            self.stats.update(keys)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms delayed-ACK stall
    server: SimulatorServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """Silent: the run records every exchange already; headers are never logged."""

    def _send(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body, sort_keys=True).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (e.g. its timeout)

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        path = self.path.split("?", 1)[0]
        if path in MODEL_PATHS:
            self._send(200, models_list())
        elif path == "/health":
            self._send(200, {"status": "ok"})
        else:
            self._send(404, {"error": {"message": f"no route {path}", "type": "not_found"}})

    def do_POST(self) -> None:  # noqa: N802 - stdlib naming
        path = self.path.split("?", 1)[0]
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if path not in CHAT_PATHS:
            self._send(404, {"error": {"message": f"no route {path}", "type": "not_found"}})
            return
        arrived = time.monotonic()
        headers = {name.lower(): value for name, value in self.headers.items()}
        answer: SimResponse = respond(self.server.config, body, headers)
        self.server.count("requests", f"fault:{answer.fault}" if answer.fault else "ok")
        # latency is the time to answer, policy compute included (as with a real model)
        remaining = answer.delay_s - (time.monotonic() - arrived)
        if remaining > 0 and self.server.stopping.wait(remaining):
            self.close_connection = True
            return
        self._send(answer.status, answer.body, answer.headers)


@dataclass
class RunningSimulator:
    server: SimulatorServer

    @property
    def base_url(self) -> str:
        return self.server.base_url

    @property
    def stats(self) -> Counter[str]:
        return self.server.stats


@contextlib.contextmanager
def start_simulator(config: SimulatorConfig | None = None, **settings: Any) -> Iterator[RunningSimulator]:
    """Serve on a background thread (ephemeral loopback port unless `port` is given).

    Use it in tests and benchmarks: `with start_simulator(latency_ms=200) as sim: ...
    RunConfig(base_url=sim.base_url, ...)`.
    """
    if config is None:
        config = SimulatorConfig(**settings)
    elif settings:
        config = SimulatorConfig.model_validate({**config.model_dump(), **settings})
    server = SimulatorServer(config)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name="treatylab-simulator", daemon=True)
    thread.start()
    try:
        yield RunningSimulator(server)
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def make_server(config: SimulatorConfig) -> SimulatorServer:
    """A bound server, not yet serving (the `treatylab simulate` command serves it)."""
    return SimulatorServer(config)
