"""`treatylab run --checkpoint`, killed with SIGKILL at seeded points, resumes to the exact run.

Each kill point is a count of checkpoint writes drawn from a seeded generator, so the kill
lands at a reproducible place in the episode: inside a fan-out of Send branches, between a
step's writes and its checkpoint, or during the final file writes. The command runs in a
forked child (the real CLI entry point, with the modules already imported, so a kill costs
milliseconds, not an interpreter start) and is killed with SIGKILL; the same command then
runs again to the end. Its transcript and result must equal an uninterrupted run's byte for
byte, and for an LLM run through the simulator the cassette must hold every call (from before
and after the kill) so that `treatylab replay` says "identical".
"""

from __future__ import annotations

import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from treatylab.simulator import MODEL_ID
from tests.conftest import FIXTURES

KILLS = 10
TINY = str(FIXTURES / "scenarios" / "tiny-valid.yaml")


def _cli_in_child(argv: list[str], env: dict[str, str] | None = None) -> int:
    """Fork; the child runs `treatylab ARGV` and exits with its code. Returns the child's pid."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 1
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            os.environ.update(env or {})
            sys.argv = ["treatylab", *argv]
            from treatylab.cli import main

            try:
                main()
                code = 0
            except SystemExit as done:
                code = done.code if isinstance(done.code, int) else 1
        finally:
            os._exit(code)
    return pid


def _exit_code(pid: int) -> int:
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def _writes(checkpoint: Path) -> int:
    if not checkpoint.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{checkpoint}?mode=ro", uri=True, timeout=0.05) as db:
            return int(db.execute("select count(*) from writes").fetchone()[0])
    except sqlite3.Error:
        return 0


def _kill_after(argv: list[str], checkpoint: Path, writes: int, env: dict[str, str]) -> None:
    pid = _cli_in_child(argv, env)
    deadline = time.monotonic() + 60
    while _writes(checkpoint) < writes:
        finished, _ = os.waitpid(pid, os.WNOHANG)
        if finished:
            return  # it finished before the kill point: resuming a finished run is a case too
        assert time.monotonic() < deadline, "the run made no progress"
        time.sleep(0.002)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


def _files(run_dir: Path) -> dict[str, bytes]:
    return {name: (run_dir / name).read_bytes() for name in ("transcript.jsonl", "result.json")}


def _kill_and_resume(tmp_path: Path, args: list[str], seed: int, env: dict[str, str]) -> list[Path]:
    """The uninterrupted run, then KILLS killed-and-resumed runs; returns the resumed folders."""
    reference, reference_db = tmp_path / "reference", tmp_path / "reference.sqlite"
    assert _exit_code(_cli_in_child([*args, "--out", str(reference), "--checkpoint", str(reference_db)], env)) == 0
    total = _writes(reference_db)
    assert total > 20
    points = sorted(random.Random(seed).sample(range(1, total), KILLS))
    expected = _files(reference)
    folders = []
    for index, point in enumerate(points):
        out, db = tmp_path / f"killed-{index}", tmp_path / f"killed-{index}.sqlite"
        command = [*args, "--out", str(out), "--checkpoint", str(db)]
        _kill_after(command, db, point, env)
        assert _exit_code(_cli_in_child(command, env)) == 0, f"resume after {point} writes"
        assert _files(out) == expected, f"killed after {point} of {total} checkpoint writes"
        folders.append(out)
    return folders


def test_sigkill_at_ten_points_of_a_heuristic_run_resumes_byte_for_byte(tmp_path: Path) -> None:
    args = ["run", "northern-shield", "--mediator", "formulative", "--seed", "5", "--quiet"]
    started = time.monotonic()
    _kill_and_resume(tmp_path, args, seed=10, env={})
    assert time.monotonic() - started < 240  # ~35 s on an idle 2-core machine


@pytest.fixture(scope="module")
def simulator_url():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "treatylab.cli", "simulate", "--port", str(port),
                                "--fault-rate", "0"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            assert process.poll() is None and time.monotonic() < deadline, "simulator did not start"
            time.sleep(0.1)
    yield url
    process.terminate()
    process.wait(timeout=10)


def test_sigkill_at_ten_points_of_an_llm_run_resumes_and_replays_identical(tmp_path: Path, simulator_url: str) -> None:
    from treatylab.cli import main

    env = {"OPENAI_API_KEY": "sk-kill-resume-test"}
    args = ["run", TINY, "--mediator", "formulative", "--seed", "3", "--model", MODEL_ID,
            "--base-url", simulator_url, "--quiet"]
    reference_calls = None
    for folder in _kill_and_resume(tmp_path, args, seed=11, env=env):
        calls = (folder / "cassette.yaml").read_text(encoding="utf-8").count("\n- request:")
        reference_calls = reference_calls or (tmp_path / "reference" / "cassette.yaml").read_text(
            encoding="utf-8").count("\n- request:")
        assert calls == reference_calls, folder
        pid = _cli_in_child(["replay", str(folder)])
        assert _exit_code(pid) == 0, f"replay of {folder.name} is not identical"
    assert main is not None
