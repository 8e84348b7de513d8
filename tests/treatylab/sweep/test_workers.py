"""Sweep workers: forked warm from a forkserver, in the sweep's environment, gone with the sweep."""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from treatylab.sweep.episode import init_worker
from treatylab.sweep.workers import Lifeline, start_method, worker_context, worker_pool

needs_forkserver = pytest.mark.skipif(start_method() != "forkserver", reason="no forkserver here")


def _probe() -> tuple[int, int, str | None, bool, float]:
    """What a worker sees: its parent, frozen objects, the probe variable, imports, CPU so far."""
    return (os.getppid(), gc.get_freeze_count(), os.environ.get("TREATYLAB_WORKER_PROBE"),
            "treatylab.runner" in sys.modules, time.process_time())


def _in_worker(context) -> tuple[int, int, str | None, bool, float]:  # noqa: ANN001
    with worker_pool(context, 1, init_worker) as pool:
        return pool.submit(_probe).result(timeout=120)


@needs_forkserver
def test_a_worker_is_forked_warm_and_takes_the_sweeps_current_environment(monkeypatch) -> None:
    context = worker_context()
    monkeypatch.setenv("TREATYLAB_WORKER_PROBE", "first")
    first = _in_worker(context)  # starts the forkserver (if no earlier test did) and warms it
    monkeypatch.setenv("TREATYLAB_WORKER_PROBE", "second")  # after the forkserver started
    parent, frozen, probe, imported, cpu = _in_worker(context)
    assert first[2] == "first" and probe == "second"  # adopted, not the forkserver's
    assert parent != os.getpid()  # its parent is the forkserver
    assert imported and frozen > 20_000  # the episode path came imported and frozen
    # A spawned worker spends 1.5-2 CPU-s importing; a forked one inherited all of it.
    assert cpu < 0.5, cpu


def test_without_a_forkserver_workers_are_spawned_and_warm_themselves() -> None:
    import multiprocessing

    parent, frozen, _, imported, _ = _in_worker(multiprocessing.get_context("spawn"))
    assert parent == os.getpid() and imported and frozen > 20_000


ORPHAN = """
import os, sys, time
from treatylab.sweep.episode import init_worker
from treatylab.sweep.workers import worker_context, worker_pool

def pid():
    return os.getpid()

if __name__ == "__main__":
    with worker_pool(worker_context(), 2, init_worker) as pool:
        pids = {pool.submit(pid).result(timeout=120) for _ in range(8)}
        print(" ".join(map(str, sorted(pids))), flush=True)
        time.sleep(600)
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_workers_exit_when_the_sweep_process_is_killed(tmp_path: Path) -> None:
    script = tmp_path / "orphan.py"
    script.write_text(ORPHAN, encoding="utf-8")
    process = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    pids: list[int] = []
    try:
        pids = [int(p) for p in process.stdout.readline().split()]
        assert pids and all(_alive(p) for p in pids)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        deadline = time.monotonic() + 10
        while any(_alive(p) for p in pids) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [p for p in pids if _alive(p)], "orphaned workers kept running"
    finally:
        process.kill()
        process.wait(timeout=30)
        for pid in [p for p in pids if _alive(p)]:  # a failed run must not leave orphans behind
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


EARLY = """
import sys
from multiprocessing import forkserver
import treatylab.sweep.workers as workers

seen = []
start = workers.start_early
def spy():
    seen.append("treatylab.sweep.execute" in sys.modules)
    start()
    seen.append(forkserver._forkserver._forkserver_pid is not None)
workers.start_early = spy
from treatylab.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    assert exc.code in (0, None), exc.code
print(seen)
"""


@needs_forkserver
@pytest.mark.parametrize("extra, expected", [(["--workers", "2"], "[False, True]"), (["--workers", "1"], "[]"),
                                             (["--dry-run"], "[]")])
def test_the_sweep_command_starts_the_forkserver_before_it_imports_the_scheduler(
        spec_file, tmp_path: Path, extra: list[str], expected: str) -> None:
    done = subprocess.run([sys.executable, "-c", EARLY, "sweep", str(spec_file(seeds=2)), "--out",
                           str(tmp_path / "out"), "--quiet", *extra],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == expected


def test_a_cache_that_cannot_be_warmed_does_not_stop_the_workers(spec_file, tmp_path: Path) -> None:
    """A missing CA bundle fails the TLS context the forkserver warms: heuristic episodes need none."""
    env = {**os.environ, "SSL_CERT_FILE": str(tmp_path / "missing.pem")}
    done = subprocess.run([sys.executable, "-m", "treatylab.cli", "sweep", str(spec_file(seeds=3)),
                           "--out", str(tmp_path / "out"), "--workers", "2", "--quiet"],
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "3 run, 0 failed" in done.stderr


def test_a_workers_origin_never_shows_the_environment(monkeypatch) -> None:
    import multiprocessing

    monkeypatch.setenv("OPENAI_API_KEY", "test-key-never-shown")
    with Lifeline(multiprocessing.get_context("spawn")) as lifeline:
        origin = lifeline.origin()
        assert origin.environment["OPENAI_API_KEY"] == "test-key-never-shown"
        assert "test-key-never-shown" not in repr(origin) and "OPENAI_API_KEY" not in repr(origin)
