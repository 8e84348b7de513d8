"""Sweep throughput against the simulator as the LLM endpoint, against the ideal.

Method: start `treatylab simulate --latency-ms 200` in its own process (a real endpoint is
another machine); write a sweep spec whose delegates and mediator are all on the simulator's
model; run `run_sweep` with `--concurrency 32` into a fresh folder, and time it (after one
warm-up episode that pays for imports). For every episode, its critical path is its number
of sequential LLM-call layers times the latency (see critical_path.py). The ideal sweep keeps
`concurrency` episodes in flight, each taking exactly its critical path, so

    ideal throughput    = concurrency / mean critical path          (episodes per second)
    measured throughput = episodes / sweep wall time
    ratio               = measured / ideal   (target >= 0.8)

The last wave of a sweep cannot fill every slot, so use several waves (episodes >= 4 x
concurrency).

    python benchmarks/sweep_throughput.py [--concurrency 32] [--latency-ms 200] [--seeds 8]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from critical_path import call_layers, simulator_process  # noqa: E402

from agents.transcript import loads_jsonl  # noqa: E402
from treatylab.simulator import MODEL_ID  # noqa: E402
from treatylab.sweep import run_sweep  # noqa: E402

SCENARIOS = ["northern-shield", "island-compact", "trident-partnership", "ardent-valley"]
MEDIATORS = ["formulative", "facilitative", "oracle", "generate-rank-aggregate"]


def write_spec(folder: Path, base_url: str, seeds: list[int], name: str) -> Path:
    spec = {"name": name, "scenarios": SCENARIOS, "mediators": MEDIATORS, "seeds": seeds,
            "delegates": [{"name": "sim", "model": MODEL_ID, "base_url": base_url}]}
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


def critical_paths(out: Path, latency_ms: float) -> list[float]:
    paths = []
    for transcript in sorted(out.glob("episodes/*/transcript.jsonl")):
        events = loads_jsonl(transcript.read_text(encoding="utf-8"))
        paths.append(call_layers(events) * latency_ms / 1000.0)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--latency-ms", type=float, default=200.0)
    parser.add_argument("--seeds", type=int, default=8, help="Seeds per scenario x mediator cell.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, simulator_process(args.latency_ms) as base_url:
        folder = Path(tmp)
        warm = write_spec(folder, base_url, [1000], "warm-up")
        asyncio.run(run_sweep(warm, out=folder / "warm", concurrency=1, show_progress=False))
        spec = write_spec(folder, base_url, list(range(args.seeds)), "throughput")
        started = time.perf_counter()
        summary = asyncio.run(run_sweep(spec, out=folder / "out", concurrency=args.concurrency,
                                        show_progress=False))
        wall = time.perf_counter() - started
        paths = critical_paths(folder / "out", args.latency_ms)
    ideal = args.concurrency / statistics.mean(paths)
    measured = summary.done / wall
    print(f"sweep against the simulator: {summary.total} episodes ({summary.failed} failed), "
          f"concurrency {args.concurrency}, latency {args.latency_ms:g} ms")
    print(f"  critical path per episode: mean {statistics.mean(paths):.2f} s "
          f"(min {min(paths):.2f}, max {max(paths):.2f})")
    print(f"  wall {wall:.1f} s; measured {measured:.2f} episodes/s; ideal {ideal:.2f} episodes/s")
    print(f"  ratio measured / ideal = {measured / ideal:.3f} (target >= 0.8)")


if __name__ == "__main__":
    main()
