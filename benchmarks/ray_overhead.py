"""The Ray executor's cost per episode against the local process pool, on the same spec.

Method: one heuristic spec (island-compact x every mediator x `--seeds` seeds); the local
executor (`run_sweep`, process pool of `--workers`) runs it into a fresh folder, then the Ray
executor on a local cluster of `--workers` CPUs does the same. The cluster is started
(`ray.init`) and warmed with one throw-away sweep of the same episodes before the timed run,
so the figure is the steady per-episode cost a long sweep pays, not Ray's start-up (reported
apart). Both runs are timed end to end (planning, episodes, results.parquet).

    wall per episode = sweep wall time / episodes
    ratio            = Ray's wall per episode / the local pool's   (target <= 1.3)

    python benchmarks/ray_overhead.py [--seeds 8] [--workers 2]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import tempfile
import time
from pathlib import Path

import yaml

from treatylab.sweep import run_sweep


def _spec(folder: Path, seeds: int) -> Path:
    path = folder / "spec.yaml"
    path.write_text(yaml.safe_dump({"name": "ray-overhead", "scenarios": ["island-compact"],
                                    "mediators": "all", "seeds": seeds}), encoding="utf-8")
    return path


def _timed(spec: Path, out: Path, workers: int, executor: str) -> tuple[float, int]:
    started = time.perf_counter()
    summary = asyncio.run(run_sweep(spec, out=out, concurrency=workers, workers=workers,
                                    show_progress=False, executor=executor))
    return time.perf_counter() - started, summary.done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    import ray

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        spec = _spec(root, args.seeds)
        local_s, episodes = _timed(spec, root / "local", args.workers, "local")
        started = time.perf_counter()
        ray.init(num_cpus=args.workers, include_dashboard=False, log_to_driver=False)
        startup = time.perf_counter() - started
        warm_s, _ = _timed(spec, root / "warm", args.workers, "ray")
        shutil.rmtree(root / "warm")
        ray_s, ray_episodes = _timed(spec, root / "ray", args.workers, "ray")
        ray.shutdown()
    assert episodes == ray_episodes
    local_per, ray_per = local_s / episodes, ray_s / episodes
    print(f"episodes: {episodes}, workers: {args.workers}")
    print(f"local pool: {local_s:.2f} s, {local_per * 1000:.0f} ms per episode")
    print(f"ray:        {ray_s:.2f} s, {ray_per * 1000:.0f} ms per episode "
          f"(cluster start {startup:.1f} s, warm-up sweep {warm_s:.1f} s, not counted)")
    print(f"ratio ray / local: {ray_per / local_per:.2f} (target <= 1.3)")


if __name__ == "__main__":
    main()
