"""The simulator's HTTP server: OpenAI's chat-completions protocol on loopback.

One asyncio event loop speaking HTTP/1.1 with keep-alive, on its own thread (or the caller's,
for `treatylab simulate`). Why not the stdlib's `ThreadingHTTPServer`: a thread per
connection and `email.parser` headers cost about 1.1 ms of CPU per request on top of the
policy, and under a sweep's bursts (32 episodes, five-way fan-outs) the handler threads
queued on the interpreter lock, so the simulator, a stand-in for another machine, set the
pace (benchmarks/sweep_throughput.py). Here a request costs its policy and a few hundred
microseconds more.

Latency is a deadline, not a pause: the answer leaves `latency_ms` after the request arrived,
the policy's compute included, as with a real model; concurrent requests overlap. The
listen backlog is raised so a burst of parallel turns is never refused. Request headers
(Authorization among them) are never logged. On shutdown, requests still waiting (a
`timeout` fault hangs for `hang_s`) are dropped with their connections, unanswered.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from email.utils import formatdate
from http import HTTPStatus
from typing import Any

from treatylab.simulator.responses import SimResponse, SimulatorConfig, models_list, respond

CHAT_PATHS = ("/v1/chat/completions", "/chat/completions")
MODEL_PATHS = ("/v1/models", "/models")
SERVER_NAME = "treatylab-simulator"
BACKLOG = 256
MAX_HEAD_BYTES = 64 * 1024
MAX_BODY_BYTES = 64 * 1024 * 1024


class _BadRequest(Exception):
    """The request cannot be read as HTTP/1.1: answered 400, then the connection is closed."""


@dataclass
class _Request:
    method: str
    path: str
    headers: dict[str, str]
    """Lower-cased names."""
    body: bytes
    keep_alive: bool


class SimulatorServer:
    """A bound listening socket, served by `serve_forever` until `shutdown`.

    The socketserver-like surface (`serve_forever`, `shutdown`, `server_close`,
    `server_address`) is what `treatylab simulate` and `start_simulator` use.
    """

    def __init__(self, config: SimulatorConfig) -> None:
        self.config = config
        self.stopping = threading.Event()
        self.stats: Counter[str] = Counter()
        self._stats_lock = threading.Lock()
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self.socket.bind((config.host, config.port))
            self.socket.listen(BACKLOG)
        except OSError:
            self.socket.close()
            raise
        self.socket.setblocking(False)
        self.server_address: tuple[str, int] = self.socket.getsockname()[:2]
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._served = threading.Event()
        self._served.set()

    @property
    def base_url(self) -> str:
        host, port = self.server_address
        return f"http://{host}:{port}/v1"

    def count(self, *keys: str) -> None:
        with self._stats_lock:
            self.stats.update(keys)

    def serve_forever(self, poll_interval: float = 0.5) -> None:  # noqa: ARG002 - socketserver's signature
        """Serve on this thread until `shutdown` (or Ctrl-C, which propagates)."""
        self._served.clear()
        try:
            asyncio.run(self._serve())
        finally:
            self._served.set()

    def shutdown(self) -> None:
        """Stop `serve_forever` (from another thread) and wait until it has returned."""
        self.stopping.set()
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None:
            with contextlib.suppress(RuntimeError):  # the loop has closed already
                loop.call_soon_threadsafe(stop.set)
        self._served.wait()

    def server_close(self) -> None:
        self.stopping.set()
        self.socket.close()

    async def _serve(self) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        if self.stopping.is_set():
            return
        connections: set[asyncio.Task[None]] = set()

        async def on_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            task = asyncio.current_task()
            assert task is not None
            connections.add(task)
            try:
                await self._connection(reader, writer)
            except asyncio.CancelledError:
                pass  # shutdown: the connection is dropped (a cancelled task here is logged as an error)
            finally:
                connections.discard(task)

        server = await asyncio.start_server(on_connection, sock=self.socket, backlog=BACKLOG,
                                            limit=MAX_HEAD_BYTES)
        try:
            await self._stop.wait()
        finally:
            server.close()
            for task in list(connections):
                task.cancel()
            await asyncio.gather(*connections, return_exceptions=True)
            self._loop = self._stop = None

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        sock = writer.get_extra_info("socket")
        if sock is not None:  # headers and body are one write, but answers must not wait on ACKs
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            while True:
                try:
                    request = await _read_request(reader)
                except _BadRequest as exc:
                    _write(writer, 400, _error_body(str(exc), "invalid_request_error"), keep_alive=False)
                    await writer.drain()
                    return
                if request is None:
                    return
                keep_alive = await self._answer(request, writer)
                await writer.drain()
                if not keep_alive:
                    return
        except (ConnectionError, asyncio.IncompleteReadError):
            return  # the client gave up (e.g. its timeout)
        finally:
            writer.close()

    async def _answer(self, request: _Request, writer: asyncio.StreamWriter) -> bool:
        """Write the answer to `request`; False when the connection must close after it."""
        path = request.path.split("?", 1)[0]
        if request.method == "GET":
            if path in MODEL_PATHS:
                _write(writer, 200, models_list(), keep_alive=request.keep_alive)
            elif path == "/health":
                _write(writer, 200, {"status": "ok"}, keep_alive=request.keep_alive)
            else:
                _write(writer, 404, _not_found(path), keep_alive=request.keep_alive)
            return request.keep_alive
        if request.method != "POST":
            _write(writer, 501, _error_body(f"unsupported method {request.method}",
                                            "invalid_request_error"), keep_alive=request.keep_alive)
            return request.keep_alive
        if path not in CHAT_PATHS:
            _write(writer, 404, _not_found(path), keep_alive=request.keep_alive)
            return request.keep_alive
        arrived = time.monotonic()
        # Requests that came in together are stamped before any is computed: each policy call
        # blocks the loop for a millisecond or two, and would otherwise make the next request's
        # arrival (and so its deadline) late by that much.
        await asyncio.sleep(0)
        answer: SimResponse = respond(self.config, request.body, request.headers)
        self.count("requests", f"fault:{answer.fault}" if answer.fault else "ok")
        # latency is the time to answer, policy compute included (as with a real model)
        remaining = answer.delay_s - (time.monotonic() - arrived)
        if remaining > 0:
            await asyncio.sleep(remaining)  # cancelled on shutdown: dropped, unanswered
        _write(writer, answer.status, answer.body, answer.headers, keep_alive=request.keep_alive)
        return request.keep_alive


async def _read_request(reader: asyncio.StreamReader) -> _Request | None:
    """The next request on the connection, or None when the client closed it between requests."""
    first = await reader.read(1)
    if not first:
        return None
    if not b"A" <= first <= b"Z":  # e.g. a TLS handshake (0x16) sent to this plain-HTTP port
        raise _BadRequest("this is not an HTTP request (the simulator speaks plain http://)")
    try:
        head = first + await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        raise _BadRequest("the request head ended early") from None
    except asyncio.LimitOverrunError:
        raise _BadRequest(f"the request head is over {MAX_HEAD_BYTES} bytes") from None
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split()
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise _BadRequest("the request line is not HTTP/1.x")
    method, path, version = parts
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if not line:
            continue
        name, colon, value = line.partition(":")
        if not colon:
            raise _BadRequest("a header line has no colon")
        headers[name.strip().lower()] = value.strip()
    if "chunked" in headers.get("transfer-encoding", "").lower():
        raise _BadRequest("chunked request bodies are not supported; send Content-Length")
    try:
        length = int(headers.get("content-length") or 0)
    except ValueError:
        raise _BadRequest("Content-Length is not a number") from None
    if not 0 <= length <= MAX_BODY_BYTES:
        raise _BadRequest(f"Content-Length must be between 0 and {MAX_BODY_BYTES}")
    body = await reader.readexactly(length) if length else b""
    connection = headers.get("connection", "").lower()
    keep_alive = connection != "close" if version == "HTTP/1.1" else connection == "keep-alive"
    return _Request(method.upper(), path, headers, body, keep_alive)


def _write(writer: asyncio.StreamWriter, status: int, body: dict[str, Any],
           headers: dict[str, str] | None = None, *, keep_alive: bool) -> None:
    """One write: status line, headers and body (sorted-key JSON, as the cassettes hold it)."""
    data = json.dumps(body, sort_keys=True).encode("utf-8")
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = ""
    lines = [f"HTTP/1.1 {status} {phrase}", f"Server: {SERVER_NAME}",
             f"Date: {formatdate(usegmt=True)}", "Content-Type: application/json",
             f"Content-Length: {len(data)}"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if not keep_alive:
        lines.append("Connection: close")
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + data)


def _error_body(message: str, kind: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind}}


def _not_found(path: str) -> dict[str, Any]:
    return {"error": {"message": f"no route {path}", "type": "not_found"}}


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
    thread = threading.Thread(target=server.serve_forever, name="treatylab-simulator", daemon=True)
    thread.start()
    try:
        yield RunningSimulator(server)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def make_server(config: SimulatorConfig) -> SimulatorServer:
    """A bound server, not yet serving (the `treatylab simulate` command serves it)."""
    return SimulatorServer(config)
