"""`--checkpoint postgresql://...` against a real PostgreSQL server, killed and resumed.

The fixture starts a throwaway server (initdb + pg_ctl, Debian's binaries in
/usr/lib/postgresql/*/bin, which .ci/run installs) on a free loopback port with a password
login; as root it runs them as the `postgres` user, as initdb requires.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from tests.treatylab.test_kill_resume import _cli_in_child, _exit_code

psycopg = pytest.importorskip("psycopg", reason="the postgres extra is not installed")
pytest.importorskip("langgraph.checkpoint.postgres", reason="the postgres extra is not installed")

PASSWORD = "pw-canary-7f3e91c2"
TINY = str(FIXTURES / "scenarios" / "tiny-valid.yaml")


def _bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    bindir = _bin()
    if bindir is None:
        pytest.skip("PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin "
                    "(apt-get install postgresql; .ci/run does)")
    root = Path(tempfile.mkdtemp(prefix="treatylab-pg-"))
    data, pwfile = root / "data", root / "pw"
    pwfile.write_text(PASSWORD + "\n")
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(pwfile, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    run = lambda *args: subprocess.run([*as_user, *args], check=True, capture_output=True, timeout=120)  # noqa: E731
    run(str(bindir / "initdb"), "-D", str(data), "-U", "treatylab", f"--pwfile={pwfile}",
        "--auth=scram-sha-256", "-E", "UTF8", "--no-sync")
    run(str(bindir / "pg_ctl"), "-D", str(data), "-w", "-l", str(root / "log"), "-o",
        f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off", "start")
    try:
        yield f"postgresql://treatylab:{PASSWORD}@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True, timeout=60)
        shutil.rmtree(root, ignore_errors=True)


def _writes(url: str) -> int:
    try:
        with psycopg.connect(url, connect_timeout=2) as db:
            return int(db.execute("select count(*) from checkpoint_writes").fetchone()[0])
    except psycopg.Error:
        return 0


def _treatylab(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "treatylab.cli", *args], capture_output=True,
                          text=True, timeout=120)


def test_killed_postgres_run_resumes_to_the_sqlite_transcript(postgres_url: str, tmp_path: Path) -> None:
    base = ["run", TINY, "--mediator", "formulative", "--seed", "4", "-q"]
    reference = _treatylab(*base, "--checkpoint", str(tmp_path / "ref.sqlite"), "--out", str(tmp_path / "ref"))
    assert reference.returncode == 0, reference.stderr
    with psycopg.connect(postgres_url, autocommit=True) as db:  # a fresh database per test
        db.execute("drop database if exists kill_resume")
        db.execute("create database kill_resume")
    url = postgres_url.rsplit("/", 1)[0] + "/kill_resume"
    argv = [*base, "--checkpoint", url, "--out", str(tmp_path / "pg")]
    killed_at = []
    for target in (3, 9, 20):  # successive kills, each further into the episode
        pid = _cli_in_child(argv)
        deadline = time.monotonic() + 60
        while _writes(url) < target:
            if os.waitpid(pid, os.WNOHANG)[0]:
                break
            assert time.monotonic() < deadline, "the run made no progress"
            time.sleep(0.002)
        else:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            killed_at.append(_writes(url))
    assert killed_at, "no kill landed before the run finished"
    resumed = _treatylab(*argv)
    assert resumed.returncode == 0, resumed.stderr
    for name in ("transcript.jsonl", "result.json"):
        assert (tmp_path / "pg" / name).read_bytes() == (tmp_path / "ref" / name).read_bytes(), name
    for folder in ("pg", "ref"):
        for path in (tmp_path / folder).rglob("*"):
            if path.is_file():
                assert PASSWORD not in path.read_text(encoding="utf-8", errors="replace"), path
    assert PASSWORD not in resumed.stdout + resumed.stderr


def test_another_config_is_refused_and_errors_hold_no_password(postgres_url: str, tmp_path: Path) -> None:
    first = _treatylab("run", TINY, "--seed", "5", "-q", "--checkpoint", postgres_url, "--out", str(tmp_path / "a"))
    assert first.returncode == 0, first.stderr
    other = _treatylab("run", TINY, "--seed", "5", "-q", "--checkpoint", postgres_url, "--out", str(tmp_path / "b"),
                       "--burden-reference", "benefit")
    wrong = postgres_url.replace(PASSWORD, PASSWORD + "-wrong")
    refused = _treatylab("run", TINY, "--seed", "6", "-q", "--checkpoint", wrong, "--out", str(tmp_path / "c"))
    assert refused.returncode == 2
    assert "cannot use the PostgreSQL database" in refused.stderr and "treatylab:***@" in refused.stderr
    assert "Traceback" not in refused.stderr
    for done in (first, other, refused):
        assert PASSWORD not in done.stdout + done.stderr
    assert other.returncode == 2 and "made by a different run" in other.stderr
    assert "burden_reference" in other.stderr and "treatylab:***@" in other.stderr
