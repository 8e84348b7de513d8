"""How close an LLM episode comes to its critical path, against the simulator with latency.

Method: start `treatylab simulate --latency-ms 200` in its own process, no faults; put every
seat (delegates and mediator) on it and run the flagship episode, a first time to warm up
(imports, connections), then for N seeds. The critical path is
the number of sequential LLM-call layers times the latency: a layer is one step of the graph
(a stage's fan-out of parallel delegate turns, or one mediator or drafter turn), and its depth
is the largest number of calls any actor made in it (more than 1 only with retries or repairs).
Perfect parallelism gives wall / critical path = 1.0; everything above is overhead (SDK,
graph, policy compute, HTTP). After the warm-up episode the process freezes its start-up
objects out of the garbage collector, as `treatylab run` and sweep workers do
(treatylab/gc_tuning.py). Target (issue 16): <= 1.06.

The floor. One more episode (seed 1, untimed) records every request body and when it was
sent; requests that start after every earlier one has ended open a new layer, so the
episode's shape (here 19 layers, five-way fan-outs and single turns) is recovered from the
wire. The same bodies are then sent again in the same layers, each layer's requests
concurrently and each layer after the previous one has answered, with nothing else running:
no graph, no views, no prompts, no validation. Three clients, each in one event loop as the
project's is:

- raw socket: asyncio streams, one keep-alive HTTP/1.1 connection per concurrent request,
  the response read by Content-Length (the simulator, loopback and the event loop alone);
- httpx2: `AsyncClient.post(url, content=body)`, the SDK's HTTP layer;
- SDK post: `AsyncOpenAI.post("/chat/completions", cast_to=httpx2.Response, body=...)`, the
  call the project's backend makes (`agents.backends.chat_call`).

Their wall / critical path is the best the project could reach with each client on this
machine and this simulator: the part of the project's ratio above the SDK-post floor is what
treatylab itself adds.

    python benchmarks/critical_path.py [--latency-ms 200] [--mediator formulative] [--seeds 3] [--floor-passes 3]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterator
from urllib.parse import urlsplit

import httpx2
import openai

from treatylab.agents.transcript import MEDIATOR, Event
from treatylab.gc_tuning import freeze_once
from treatylab.graphs import RunConfig
from treatylab.scenarios import load
from treatylab.runner import run_episode
from treatylab.simulator import MODEL_ID


def call_layers(events: list[Event]) -> int:
    """Sequential LLM-call layers: per graph step, the most calls one actor made in it.

    Steps are told apart by (stage, round, mediator-or-delegates); with a mediator, each
    such group is one step of the graph (the drafter is the mediator).
    """
    calls: dict[tuple[str, int, bool], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for event in events:
        if event.kind == "usage":
            calls[(event.stage, event.round, event.actor == MEDIATOR)][event.actor] += 1
    return sum(max(per_actor.values()) for per_actor in calls.values())


@contextlib.contextmanager
def simulator_process(latency_ms: float) -> Iterator[str]:
    """`treatylab simulate` in its own process (a real endpoint is another machine: its
    compute must not share the client's interpreter lock); yields the base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-c", "from treatylab.cli import main; main()", "simulate",
         "--port", str(port), "--latency-ms", str(latency_ms)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the simulator did not start") from None
                time.sleep(0.1)
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=10)


def measure(base_url: str, latency_ms: float, mediator: str, seed: int) -> dict[str, float]:
    scenario = load("northern-shield")
    spec = f"openai:{MODEL_ID}"
    config = RunConfig(mediator=mediator, seed=seed, base_url=base_url,
                       default_backend=spec, mediator_backend=spec)
    started = time.perf_counter()
    run = asyncio.run(run_episode(scenario, config))
    wall = time.perf_counter() - started
    layers = call_layers(run.events)
    requests = sum(1 for event in run.events if event.kind == "usage")
    critical = layers * latency_ms / 1000.0
    return {"wall_s": wall, "layers": layers, "requests": requests,
            "critical_s": critical, "ratio": wall / critical if critical else float("nan")}


Layers = list[list[bytes]]


def recorded_layers(base_url: str, mediator: str, seed: int) -> Layers:
    """The request bodies of one episode, grouped into the layers they were sent in.

    Measurement instrumentation, for this untimed episode only: `AsyncClient.send` is wrapped
    to note each request's body and its start and end times.
    """
    sent: list[tuple[float, float, bytes]] = []
    original = httpx2.AsyncClient.send

    async def noting_send(self: httpx2.AsyncClient, request: httpx2.Request, **kwargs: object) -> httpx2.Response:
        started = time.perf_counter()
        response = await original(self, request, **kwargs)
        sent.append((started, time.perf_counter(), request.content))
        return response

    httpx2.AsyncClient.send = noting_send  # type: ignore[method-assign]
    try:
        measure(base_url, 0.0, mediator, seed)
    finally:
        httpx2.AsyncClient.send = original  # type: ignore[method-assign]
    layers: list[list[tuple[float, float, bytes]]] = []
    for request in sorted(sent, key=lambda item: item[0]):
        if layers and request[0] > max(end for _, end, _ in layers[-1]):
            layers.append([])
        if not layers:
            layers.append([])
        layers[-1].append(request)
    return [[body for _, _, body in layer] for layer in layers]


class RawConnections:
    """Keep-alive HTTP/1.1 connections on asyncio streams, one per concurrent request."""

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.path = parts.path.rstrip("/") + "/chat/completions"
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def post(self, body: bytes) -> bytes:
        if self.idle:
            reader, writer = self.idle.pop()
        else:
            reader, writer = await asyncio.open_connection(self.host, self.port)
            writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        writer.write(f"POST {self.path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                     f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
                     .encode() + body)
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        data = await reader.readexactly(length)
        self.idle.append((reader, writer))
        return data

    def close(self) -> None:
        for _, writer in self.idle:
            writer.close()


async def _send_layers(layers: Layers, post: Callable[[bytes], Awaitable[bytes]]) -> float:
    started = time.perf_counter()
    for layer in layers:
        answers = await asyncio.gather(*(post(body) for body in layer))
        for answer in answers:
            json.loads(answer)  # every client reads its answers
    return time.perf_counter() - started


async def floor_walls(base_url: str, layers: Layers) -> dict[str, float]:
    """Wall seconds to send `layers` with each bare client (after one warm-up pass each)."""
    walls: dict[str, float] = {}
    raw = RawConnections(base_url)
    await _send_layers(layers[:2], raw.post)
    walls["raw socket"] = await _send_layers(layers, raw.post)
    raw.close()
    url = base_url.rstrip("/") + "/chat/completions"
    async with httpx2.AsyncClient() as http:
        async def httpx_post(body: bytes) -> bytes:
            return (await http.post(url, content=body, headers={"content-type": "application/json"})).content

        await _send_layers(layers[:2], httpx_post)
        walls["httpx2"] = await _send_layers(layers, httpx_post)
    async with openai.AsyncOpenAI(api_key="sk-treatylab-benchmark", base_url=base_url,
                                  max_retries=0) as client:
        async def sdk_post(body: bytes) -> bytes:
            response = await client.post("/chat/completions", cast_to=httpx2.Response,
                                         body=json.loads(body))
            return response.content

        await _send_layers(layers[:2], sdk_post)
        walls["SDK post"] = await _send_layers(layers, sdk_post)
    return walls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=200.0)
    parser.add_argument("--mediator", default="formulative")
    parser.add_argument("--seeds", type=int, default=3, help="Episodes measured (seeds 1..N).")
    parser.add_argument("--floor-passes", type=int, default=3,
                        help="Passes of the bare-client floor (median reported); 0 skips it.")
    args = parser.parse_args()
    floors: dict[str, list[float]] = defaultdict(list)
    with simulator_process(args.latency_ms) as base_url:
        cold = measure(base_url, args.latency_ms, args.mediator, 0)
        freeze_once()
        runs = [measure(base_url, args.latency_ms, args.mediator, seed)
                for seed in range(1, args.seeds + 1)]
        if args.floor_passes > 0:
            layers = recorded_layers(base_url, args.mediator, 1)
            critical = len(layers) * args.latency_ms / 1000.0
            for _ in range(args.floor_passes):
                for name, wall in asyncio.run(floor_walls(base_url, layers)).items():
                    floors[name].append(wall / critical)
    print(f"flagship episode, every seat on the simulator ({args.mediator}), "
          f"latency {args.latency_ms:g} ms, simulator in its own process")
    print(f"  first episode (imports, connections): ratio {cold['ratio']:.3f}")
    for seed, figures in enumerate(runs, start=1):
        print(f"  seed {seed}: {figures['requests']:.0f} LLM requests in {figures['layers']:.0f} "
              f"sequential layers; critical path {figures['critical_s']:.2f} s, wall "
              f"{figures['wall_s']:.2f} s, ratio {figures['ratio']:.3f}")
    ratio = statistics.median(figures["ratio"] for figures in runs)
    print(f"  median wall / critical path = {ratio:.3f} (target <= 1.06)")
    if floors:
        print(f"  floor: the same {sum(len(layer) for layer in layers)} request bodies in the same "
              f"{len(layers)} layers, bare clients, nothing else running (median of "
              f"{args.floor_passes} passes)")
        for name, ratios in floors.items():
            print(f"    {name:<10} wall / critical path = {statistics.median(ratios):.3f} "
                  f"(min {min(ratios):.3f}, max {max(ratios):.3f})")
        sdk = statistics.median(floors["SDK post"])
        print(f"  treatylab above the SDK-post floor: {ratio - sdk:+.3f}; the target is "
              f"{1.06 - sdk:+.3f} from that floor")


if __name__ == "__main__":
    main()
