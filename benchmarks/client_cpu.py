"""Client CPU per LLM call: the floor ladder, on the same recorded request bodies.

Method: the request bodies are those of the shipped demo cassette (every call of one flagship
episode, repairs included). `treatylab simulate` (no latency, no faults) runs in its own
process, so the process CPU time measured here (`time.process_time`) is the client's alone.
In one process and one event loop, each rung sends every body once to warm up, then
`--passes` times, one call after another; the figure is CPU ms per call, median over passes:

1. raw socket: the body bytes written to a keep-alive HTTP/1.1 socket, the response read by
   Content-Length (the floor: no HTTP library);
2. httpx2: `AsyncClient.post(url, content=body)`, the SDK's HTTP layer alone;
3. create: a bare `AsyncOpenAI().chat.completions.create(**body)` (SDK retries off);
   (and, for comparison, `chat.completions.parse` with the pydantic wire model, the
   backend's previous path);
4. project call: the project's shared structured-chat call (`StructuredChat.aperform`: the
   request, classification, `model_validate_json` of the content) plus the conversion to an
   action and its validation against the view (`llm_turn.answer_problems`);
5. project turn: `OpenAIBackend.aact(view)` for the view the body was made from, prompt
   rendering included (for orientation: the other rungs start from finished messages);
6. full episode: whole flagship episodes (formulative mediator, every seat on the simulator,
   seeds 1..`--passes`, after one warm-up episode and `gc.freeze` as the CLI does) — CPU of
   the episode divided by its LLM calls: views, graph, prompts, calls, scoring, all of it.

The target is project call ÷ create ≤ 1.3.

    python benchmarks/client_cpu.py [--passes 5]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import socket
import statistics
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import urlsplit

import httpx2
import openai
import yaml
from critical_path import simulator_process

from treatylab.agents.backends.chat_call import Call, StructuredChat
from treatylab.agents.backends.clients import ClientPool, Endpoint
from treatylab.agents.backends.llm_turn import TurnSettings, answer_problems
from treatylab.agents.backends.openai_backend import OpenAIBackend
from treatylab.agents.backends.prompting import view_from_messages
from treatylab.agents.backends.wire import WIRE_MODELS
from treatylab.demo import DEMO_DIR

KEY = "sk-treatylab-benchmark"
SCHEMAS = {model.__name__: model for model in WIRE_MODELS.values()}


def recorded_bodies() -> list[bytes]:
    data = yaml.safe_load((DEMO_DIR / "cassette.yaml").read_text(encoding="utf-8"))
    bodies = []
    for item in data["interactions"]:
        body = item["request"]["body"]
        bodies.append(body.encode() if isinstance(body, str) else body)
    return bodies


class RawSocket:
    """HTTP/1.1 over one keep-alive socket, with nothing but the stdlib socket."""

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        self.path = parts.path.rstrip("/") + "/chat/completions"
        self.host = f"{parts.hostname}:{parts.port}"
        self.sock = socket.create_connection((parts.hostname, parts.port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.file = self.sock.makefile("rb")

    def post(self, body: bytes) -> bytes:
        head = (f"POST {self.path} HTTP/1.1\r\nHost: {self.host}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n")
        self.sock.sendall(head.encode() + body)
        length = 0
        while True:
            line = self.file.readline()
            if line in (b"\r\n", b""):
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        return self.file.read(length)


async def measure(calls: list[Callable[[], Awaitable[object]]], passes: int) -> float:
    """Median CPU ms per call over `passes` passes (after one warm-up pass)."""
    for call in calls:
        await call()
    per_pass = []
    for _ in range(passes):
        gc.collect()
        started = time.process_time()
        for call in calls:
            await call()
        per_pass.append((time.process_time() - started) * 1000.0 / len(calls))
    return statistics.median(per_pass)


async def ladder(base_url: str, bodies: list[bytes], passes: int) -> dict[str, float]:
    requests = [json.loads(body) for body in bodies]
    views = [view_from_messages(request["messages"]) for request in requests]
    figures: dict[str, float] = {}

    raw = RawSocket(base_url)

    async def raw_call(body: bytes) -> bytes:
        return raw.post(body)

    figures["raw socket"] = await measure([lambda b=b: raw_call(b) for b in bodies], passes)

    url = base_url.rstrip("/") + "/chat/completions"
    headers = {"content-type": "application/json"}
    async with httpx2.AsyncClient() as http:
        figures["httpx2 post"] = await measure(
            [lambda b=b: http.post(url, content=b, headers=headers) for b in bodies], passes)

    async with openai.AsyncOpenAI(api_key=KEY, base_url=base_url, max_retries=0) as client:
        figures["bare create"] = await measure(
            [lambda r=r: client.chat.completions.create(**r) for r in requests], passes)

        async def parse(request: dict) -> object:
            params = dict(request, stream=None)
            params.pop("stream")
            params["response_format"] = SCHEMAS[request["response_format"]["json_schema"]["name"]]
            return (await client.chat.completions.with_raw_response.parse(**params)).parse()

        figures["bare parse"] = await measure([lambda r=r: parse(r) for r in requests], passes)

    pool = ClientPool(Endpoint(base_url=base_url, api_key=KEY))
    chat = StructuredChat(pool, requests[0]["model"])

    async def project_call(request: dict, view) -> object:
        schema = SCHEMAS[request["response_format"]["json_schema"]["name"]]
        outcome = await chat.aperform(Call(request["messages"], schema, request.get("seed", 0)))
        return answer_problems(view, outcome)

    figures["project call"] = await measure(
        [lambda r=r, v=v: project_call(r, v) for r, v in zip(requests, views)], passes)

    backend = OpenAIBackend(requests[0]["model"], pool, settings=TurnSettings())
    figures["project turn"] = await measure([lambda v=v: backend.aact(v) for v in views], passes)
    await backend.aclose()
    figures["full episode"] = await episode_cpu_per_call(base_url, passes)
    return figures


async def episode_cpu_per_call(base_url: str, passes: int) -> float:
    """Median over seeds of an episode's CPU divided by its LLM calls."""
    from treatylab.gc_tuning import freeze_once
    from treatylab.graphs import RunConfig
    from treatylab.runner import run_episode
    from treatylab.scenarios import load
    from treatylab.simulator import MODEL_ID

    scenario = load("northern-shield")
    spec = f"openai:{MODEL_ID}"

    def config(seed: int) -> RunConfig:
        return RunConfig(mediator="formulative", seed=seed, base_url=base_url,
                         default_backend=spec, mediator_backend=spec)

    await run_episode(scenario, config(0))
    freeze_once()
    per_call = []
    for seed in range(1, passes + 1):
        gc.collect()
        started = time.process_time()
        run = await run_episode(scenario, config(seed))
        cpu = time.process_time() - started
        calls = sum(1 for event in run.events if event.kind == "usage")
        per_call.append(cpu * 1000.0 / calls)
    return statistics.median(per_call)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", type=int, default=5)
    args = parser.parse_args()
    bodies = recorded_bodies()
    with simulator_process(0) as base_url:
        figures = asyncio.run(ladder(base_url, bodies, args.passes))
    print(f"client CPU per LLM call, {len(bodies)} recorded request bodies "
          f"({Path(DEMO_DIR).name} demo), simulator in its own process, median of "
          f"{args.passes} passes")
    for name, value in figures.items():
        print(f"  {name:<14} {value:6.2f} ms")
    ratio = figures["project call"] / figures["bare create"]
    print(f"  project call / bare create = {ratio:.2f} (target <= 1.3)")
    print(f"  project turn / bare create = {figures['project turn'] / figures['bare create']:.2f}"
          " (prompt rendering included)")


if __name__ == "__main__":
    main()
