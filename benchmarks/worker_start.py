"""What starting a sweep's workers costs: forked from a warm forkserver against spawned.

Method: a heuristic sweep (northern-shield and island-compact x formulative and facilitative x
4 seeds: 16 episodes, one per worker process at a time) runs with `--workers N`, once with
the workers forked from treatylab's forkserver and once spawned, each in a fresh interpreter
(so no forkserver is warm from an earlier run), alternating, `--repeats` times. Reported:
wall time of `run_sweep`, and CPU of the sweep process with everything it started (the
forkserver is stopped and reaped before CPU is read, so its own CPU and its workers' count).
Bytecode is cached as an installed package has it: when PYTHONDONTWRITEBYTECODE is set the
measurements run without it, with PYTHONPYCACHEPREFIX in a temporary folder written by a
first, unreported run (see sweep_throughput.py for why the variable alone is not enough).

Memory: `--workers` warm workers (initializer done, no episode yet) report their PSS
(proportional set size, from /proc/self/smaps_rollup: each shared page counted once across
the processes sharing it), summed, plus the forkserver's own PSS when there is one; each
start method in a fresh interpreter. Linux only.

Then the same sweep through the command line, `treatylab sweep SPEC --workers 2 --quiet`, timed
from launch to exit, with the forkserver started first thing (as the command does, so that its
preload overlaps the sweep process's own imports) and with that early start switched off.

    python benchmarks/worker_start.py [--workers 4] [--repeats 2]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

SPEC = {"name": "worker-start", "scenarios": ["northern-shield", "island-compact"],
        "mediators": ["formulative", "facilitative"], "seeds": 4}


def measure(method: str, workers: int) -> tuple[float, float, int]:
    """(wall s, CPU s, episodes done) of one sweep in this process with workers started by `method`."""
    from multiprocessing import forkserver

    from treatylab.sweep import run_sweep
    from treatylab.sweep import workers as worker_module

    worker_module.start_method = lambda: method  # the sweep process picks the context
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "spec.yaml"
        spec.write_text(yaml.safe_dump(SPEC, sort_keys=False), encoding="utf-8")
        before = os.times()
        started = time.perf_counter()
        summary = asyncio.run(run_sweep(spec, out=Path(tmp) / "out", workers=workers,
                                        concurrency=workers, show_progress=False))
        wall = time.perf_counter() - started
        forkserver._forkserver._stop()  # noqa: SLF001 - reap it: its CPU and its workers' join ours
        after = os.times()
    cpu = sum(after[:4]) - sum(before[:4])
    return wall, cpu, summary.done


def _pss_mib() -> tuple[int, float]:
    """(pid, PSS in MiB) of the calling process, once it has sat idle a moment."""
    time.sleep(0.3)
    for line in Path("/proc/self/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return os.getpid(), int(line.split()[1]) / 1024
    raise RuntimeError("no Pss line in /proc/self/smaps_rollup")


def memory(method: str, workers: int) -> float:
    """PSS in MiB of `workers` warm workers started by `method`, the forkserver included."""
    import multiprocessing
    from multiprocessing import forkserver

    from treatylab.sweep.episode import init_worker
    from treatylab.sweep.workers import worker_context, worker_pool

    context = worker_context() if method == "forkserver" else multiprocessing.get_context("spawn")
    seen: dict[int, float] = {}
    with worker_pool(context, workers, init_worker) as pool:
        while len(seen) < workers:
            seen.update(f.result() for f in [pool.submit(_pss_mib) for _ in range(2 * workers)])
        total = sum(seen.values())
        if method == "forkserver":
            pid = forkserver._forkserver._forkserver_pid  # noqa: SLF001
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) / 1024
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--one", choices=["forkserver", "spawn"], help=argparse.SUPPRESS)
    parser.add_argument("--memory", choices=["forkserver", "spawn"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory:
        print(memory(args.memory, args.workers))
        return
    if args.one:
        wall, cpu, done = measure(args.one, args.workers)
        print(f"{wall} {cpu} {done}")
        return
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ)
        if sys.flags.dont_write_bytecode or "PYTHONDONTWRITEBYTECODE" in env:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = cache

        def one(method: str) -> tuple[float, float, int]:
            done = subprocess.run([sys.executable, __file__, "--one", method, "--workers", str(args.workers)],
                                  env=env, capture_output=True, text=True, check=True)
            wall, cpu, episodes = done.stdout.split()[-3:]
            return float(wall), float(cpu), int(episodes)

        one("forkserver")  # writes the bytecode; not reported
        runs: dict[str, list[tuple[float, float, int]]] = {"spawn": [], "forkserver": []}
        for _ in range(args.repeats):
            for method in ("spawn", "forkserver"):
                runs[method].append(one(method))
    print(f"heuristic sweep, {runs['spawn'][0][2]} episodes, --workers {args.workers}, "
          f"{os.cpu_count()} CPUs, median of {args.repeats}")
    medians = {}
    for method, figures in runs.items():
        wall = statistics.median(f[0] for f in figures)
        cpu = statistics.median(f[1] for f in figures)
        medians[method] = (wall, cpu)
        print(f"  {method:10s} wall {wall:.2f} s  CPU {cpu:.2f} s")
    (fs_wall, fs_cpu), (sp_wall, sp_cpu) = medians["forkserver"], medians["spawn"]
    print(f"  forkserver / spawn: wall {fs_wall / sp_wall:.2f}, CPU {fs_cpu / sp_cpu:.2f}")
    if Path("/proc/self/smaps_rollup").exists():
        pss = {method: float(subprocess.run([sys.executable, __file__, "--memory", method, "--workers",
                                             str(args.workers)], env=env, capture_output=True, text=True,
                                            check=True).stdout.split()[-1])
               for method in ("spawn", "forkserver")}
        print(f"  memory of {args.workers} warm workers (PSS, forkserver included): spawn "
              f"{pss['spawn']:.0f} MiB, forkserver {pss['forkserver']:.0f} MiB "
              f"(ratio {pss['forkserver'] / pss['spawn']:.2f})")
    cli_walls = cli_start(env, args.repeats + 1)
    early, late = statistics.median(cli_walls[True]), statistics.median(cli_walls[False])
    print(f"treatylab sweep --workers 2, launch to exit, median of {args.repeats + 1}: forkserver started "
          f"first {early:.2f} s, after the imports {late:.2f} s (ratio {early / late:.2f})")


CLI = ("import sys, treatylab.sweep.workers as w\n"
       "if sys.argv[1] == 'late': w.start_early = lambda: None\n"
       "from treatylab.cli import main\n"
       "main(sys.argv[2:])")


def cli_start(env: dict[str, str], repeats: int) -> dict[bool, list[float]]:
    """Wall of `treatylab sweep` from launch to exit, with and without the early forkserver start."""
    walls: dict[bool, list[float]] = {True: [], False: []}
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "spec.yaml"
        spec.write_text(yaml.safe_dump(SPEC, sort_keys=False), encoding="utf-8")
        for i in range(repeats):
            for early in (True, False):
                out = Path(tmp) / f"out-{i}-{early}"
                started = time.perf_counter()
                subprocess.run([sys.executable, "-c", CLI, "early" if early else "late", "sweep", str(spec),
                                "--out", str(out), "--workers", "2", "--quiet"],
                               env=env, capture_output=True, check=True)
                walls[early].append(time.perf_counter() - started)
    return walls


if __name__ == "__main__":
    main()
