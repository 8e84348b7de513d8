"""Sweep throughput against the simulator as the LLM endpoint, against the ideal.

Method: start `treatylab simulate --latency-ms 200` in its own process (a real endpoint is
another machine); write a sweep spec whose delegates and mediator are all on the simulator's
model; run `run_sweep` with `--concurrency 32` into a fresh folder, and time it (after one
warm-up episode that pays for imports). For every episode, its critical path is its number
of sequential LLM-call layers times the latency (see critical_path.py). The ideal sweep keeps
`concurrency` episodes in flight, each taking exactly its critical path, so

    ideal throughput    = concurrency / mean critical path          (episodes per second)
    measured throughput = episodes / sweep wall time
    ratio               = measured / ideal   (issue 16: >= 0.6 at 200 ms on this machine)

The last wave of a sweep cannot fill every slot, so use several waves (episodes >= 4 x
concurrency).

The ideal assumes unlimited CPU. The benchmark also measures the CPU time one episode costs
(the sweep process and its workers, which run the graph, prompts and SDK, plus the simulator
process, which runs the policies; workers are forked from a forkserver, which is stopped after
the warm-up sweep so that the measured sweep starts its own cold, and reaped after it so that
its CPU and its workers' are counted) and reports the machine's ceiling, cores / CPU-seconds per episode, and the
ratio against min(ideal, ceiling): a ratio near 1 there means the sweep runner wastes nothing
and the machine, not the scheduling, is the limit (issue 16: >= 0.95).

The floor. After the sweep, the client CPU of the bare SDK call the backend makes
(`AsyncOpenAI.post("/chat/completions", cast_to=httpx2.Response)`) is measured on the demo
cassette's request bodies against the same simulator, five in flight at a time (an
episode's fan-out, on one client as an episode's calls are); with the
simulator's measured CPU per request, `requests per episode x (SDK post + simulator)` is what
an episode would cost if treatylab itself cost nothing, and cores / that is the best ratio to
the ideal this machine allows with the openai SDK.

Workers. The sweep's worker processes are spawned, so each pays its imports again; they get
bytecode as an installed package has it. PYTHONDONTWRITEBYTECODE, set on the development
machine, makes every child interpreter compile treatylab and its dependencies from source:
multiprocessing starts children with the parent's `-B` flag, so dropping the variable inside
this process is not enough (before 2026-12-04 the benchmark did only that, and its workers
compiled from source although it said "cached"). So when bytecode writing is off, the
benchmark runs itself again in a child interpreter without PYTHONDONTWRITEBYTECODE and with
PYTHONPYCACHEPREFIX in a temporary folder (nothing is written into the source tree), and a
two-worker warm-up sweep writes that bytecode before the measured one. `--no-bytecode-cache`
keeps the environment as it is. This module imports the sweep
scheduler only inside `main()`: spawned workers re-import the main module, as they import
only the console script under `treatylab sweep`.

    python benchmarks/sweep_throughput.py [--concurrency 32] [--latency-ms 200] [--seeds 8] [--workers N]
                                          [--no-bytecode-cache] [--start-method spawn]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from critical_path import call_layers  # noqa: E402

from treatylab.agents.transcript import loads_jsonl  # noqa: E402
from treatylab.simulator import MODEL_ID  # noqa: E402

SCENARIOS = ["northern-shield", "island-compact", "trident-partnership", "ardent-valley"]
MEDIATORS = ["formulative", "facilitative", "oracle", "generate-rank-aggregate"]


def write_spec(folder: Path, base_url: str, seeds: list[int], name: str,
               scenarios: list[str] = SCENARIOS, mediators: list[str] = MEDIATORS) -> Path:
    spec = {"name": name, "scenarios": scenarios, "mediators": mediators, "seeds": seeds,
            "delegates": [{"name": "sim", "model": MODEL_ID, "base_url": base_url}]}
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


def _own_cpu() -> float:
    """CPU of this process and its finished children (the sweep's worker processes)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its reaped children, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def simulator(latency_ms: float):  # noqa: ANN201 - yields (base_url, pid)
    """`treatylab simulate` in its own process, as critical_path.py starts it, with its pid."""
    import socket
    import subprocess
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-c", "from treatylab.cli import main; main()", "simulate",
                                "--port", str(port), "--latency-ms", str(latency_ms)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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
        yield f"http://127.0.0.1:{port}/v1", process.pid
    finally:
        process.terminate()
        process.wait(timeout=10)


def stop_forkserver() -> None:
    """Stop the forkserver a sweep of this process started, if any (a private multiprocessing call).

    Sweep workers are forked from a forkserver that persists for the life of the process that
    started it, warm. Stopped after the warm-up sweep, the measured sweep starts its own cold,
    as `treatylab sweep` does; stopped after the measured sweep, it is reaped here, so its CPU
    and that of the workers it reaped join this process's children's times (`_own_cpu`).
    """
    from multiprocessing import forkserver

    forkserver._forkserver._stop()  # noqa: SLF001


def episode_spans(out: Path) -> list[tuple[float, float]]:
    """(start, end) of every episode, epoch seconds: result.json's mtime and the recorded wall."""
    import json

    spans = []
    for result in out.glob("episodes/*/result.json"):
        manifest = json.loads((result.parent / "manifest.json").read_text(encoding="utf-8"))
        end = result.stat().st_mtime
        spans.append((end - manifest["sweep"]["wall_s"], end))
    return spans


def critical_paths(out: Path, latency_ms: float) -> list[float]:
    paths = []
    for transcript in sorted(out.glob("episodes/*/transcript.jsonl")):
        events = loads_jsonl(transcript.read_text(encoding="utf-8"))
        paths.append(call_layers(events) * latency_ms / 1000.0)
    return paths


def requests_per_episode(out: Path) -> float:
    counts = []
    for transcript in sorted(out.glob("episodes/*/transcript.jsonl")):
        events = loads_jsonl(transcript.read_text(encoding="utf-8"))
        counts.append(sum(1 for event in events if event.kind == "usage"))
    return statistics.mean(counts)


async def sdk_post_cpu_ms(base_url: str, passes: int = 5) -> float:
    """Client CPU ms per bare SDK post of the demo's request bodies, five in flight at a time."""
    import json

    import httpx2
    import openai
    from client_cpu import recorded_bodies

    bodies = [json.loads(body) for body in recorded_bodies()]
    async with openai.AsyncOpenAI(api_key="sk-treatylab-benchmark", base_url=base_url,
                                  max_retries=0) as client:
        async def one(body: dict) -> None:
            response = await client.post("/chat/completions", cast_to=httpx2.Response, body=body)
            json.loads(response.content)

        async def all_bodies() -> None:
            for start in range(0, len(bodies), 5):
                await asyncio.gather(*(one(body) for body in bodies[start:start + 5]))

        await all_bodies()
        per_pass = []
        for _ in range(passes):
            started = time.process_time()
            await all_bodies()
            per_pass.append((time.process_time() - started) * 1000.0 / len(bodies))
    return statistics.median(per_pass)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--latency-ms", type=float, default=200.0)
    parser.add_argument("--seeds", type=int, default=8, help="Seeds per scenario x mediator cell.")
    parser.add_argument("--workers", type=int, default=None, help="Sweep worker processes (default: CPUs).")
    parser.add_argument("--no-bytecode-cache", action="store_true",
                        help="keep PYTHONDONTWRITEBYTECODE if set (workers compile treatylab each time)")
    parser.add_argument("--start-method", choices=["forkserver", "spawn"], default=None,
                        help="how workers start (default: treatylab's choice, a forkserver where there "
                             "is one); spawn is how they started before 2026-12-04")
    args = parser.parse_args()
    from treatylab.sweep import run_sweep

    if args.start_method:
        from treatylab.sweep import workers

        workers.start_method = lambda: args.start_method  # the sweep process picks the context

    if not args.no_bytecode_cache and sys.flags.dont_write_bytecode:
        with tempfile.TemporaryDirectory() as cache:
            env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
            env["PYTHONPYCACHEPREFIX"] = cache
            raise SystemExit(subprocess.call([sys.executable, *sys.argv], env=env))

    with tempfile.TemporaryDirectory() as tmp, simulator(args.latency_ms) as (base_url, pid):
        folder = Path(tmp)
        warm = write_spec(folder, base_url, [1000, 1001], "warm-up", SCENARIOS[:1], MEDIATORS[:1])
        asyncio.run(run_sweep(warm, out=folder / "warm", concurrency=2, workers=args.workers,
                              show_progress=False))
        stop_forkserver()
        spec = write_spec(folder, base_url, list(range(args.seeds)), "throughput")
        cpu_client, cpu_server = _own_cpu(), _cpu_seconds(pid)
        started = time.perf_counter()
        summary = asyncio.run(run_sweep(spec, out=folder / "out", concurrency=args.concurrency,
                                        workers=args.workers, show_progress=False))
        wall = time.perf_counter() - started
        ended = time.time()
        stop_forkserver()
        spans = episode_spans(folder / "out")
        cpu_client, cpu_server = _own_cpu() - cpu_client, _cpu_seconds(pid) - cpu_server
        paths = critical_paths(folder / "out", args.latency_ms)
        requests = requests_per_episode(folder / "out")
        sdk_ms = asyncio.run(sdk_post_cpu_ms(base_url))
    ideal = args.concurrency / statistics.mean(paths)
    measured = summary.done / wall
    cores = os.cpu_count() or 1
    per_episode = (cpu_client + cpu_server) / max(1, summary.done)
    ceiling = cores / per_episode
    print(f"sweep against the simulator: {summary.total} episodes ({summary.failed} failed), "
          f"concurrency {args.concurrency}, workers {args.workers or cores}, latency "
          f"{args.latency_ms:g} ms, {cores} CPUs; workers started by "
          f"{'spawn' if args.start_method == 'spawn' else 'forkserver'}; worker bytecode "
          f"{'compiled each time' if sys.flags.dont_write_bytecode else 'cached'}")
    print(f"  critical path per episode: mean {statistics.mean(paths):.2f} s "
          f"(min {min(paths):.2f}, max {max(paths):.2f})")
    print(f"  wall {wall:.1f} s; measured {measured:.2f} episodes/s; ideal {ideal:.2f} episodes/s")
    print(f"  ratio measured / ideal = {measured / ideal:.3f} (target >= 0.6)")
    print(f"  CPU per episode: {cpu_client / max(1, summary.done):.2f} s sweep process + "
          f"{cpu_server / max(1, summary.done):.2f} s simulator; ceiling {ceiling:.2f} episodes/s "
          f"on {cores} CPUs")
    print(f"  ratio measured / min(ideal, ceiling) = {measured / min(ideal, ceiling):.3f} "
          f"(target >= 0.95)")
    first = min(start for start, _ in spans) - (ended - wall)
    last = ended - max(end for _, end in spans)
    busy = [end - start for start, end in spans]
    print(f"  timeline: first episode starts {first:.2f} s into the sweep, the last ends {last:.2f} s "
          f"before it returns; episode wall {statistics.mean(busy):.2f} s mean "
          f"({statistics.mean(busy) / statistics.mean(paths):.2f} x its critical path)")
    server_ms = cpu_server * 1000.0 / max(1, summary.done) / requests
    floor = requests * (sdk_ms + server_ms) / 1000.0
    print(f"  floor: {requests:.1f} requests per episode x ({sdk_ms:.2f} ms bare SDK post + "
          f"{server_ms:.2f} ms simulator) = {floor:.3f} CPU-s per episode; ceiling "
          f"{cores / floor:.2f} episodes/s = {min(1.0, cores / floor / ideal):.3f} of the ideal at best")


if __name__ == "__main__":
    main()
