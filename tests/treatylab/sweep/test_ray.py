"""The Ray executor on a real local Ray cluster (two CPUs, no dashboard): 24 heuristic episodes.

The driver is the real CLI in a subprocess, so it can be SIGKILLed; its `ray.init` starts the
local cluster. The re-run resumes, and its table equals the local executor's, timing aside.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("ray", reason='the ray extra is not installed (pip install "treatylab[ray]")')

from treatylab.sweep import run_sweep  # noqa: E402

TIMING = ["wall_s", "latency_s"]
SPEC = {"name": "ray24", "scenarios": ["island-compact"], "mediators": "all", "seeds": 4}


def _driver(spec: Path, out: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "treatylab.cli", "sweep", str(spec), "--out", str(out),
                             "--executor", "ray", "--workers", "2", "-q"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def _finished(out: Path) -> int:
    return len(list(out.glob("episodes/*/result.json")))


def test_ray_sweep_equals_local_and_resumes_after_driver_sigkill(spec_file, tmp_path: Path) -> None:
    spec = spec_file(**SPEC)
    local = asyncio.run(run_sweep(spec, out=tmp_path / "local", concurrency=2, show_progress=False))
    assert local.total == 24 and local.done == 24

    out = tmp_path / "ray"
    driver = _driver(spec, out)
    deadline = time.monotonic() + 60
    while _finished(out) < 4 and driver.poll() is None:
        assert time.monotonic() < deadline, "the Ray sweep finished no episode in 60 s"
        time.sleep(0.05)
    os.killpg(driver.pid, signal.SIGKILL)  # the driver and the cluster it started
    driver.wait()
    first = _finished(out)
    assert 4 <= first < 24, f"the kill came too late ({first} episodes finished)"
    assert not (out / "results.parquet").exists()  # only the driver writes it, at the end

    rerun = _driver(spec, out)
    stdout, stderr = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, stderr
    resumed = re.search(r"(\d+) already finished", " ".join(stderr.split()))
    assert resumed and first <= int(resumed.group(1)) < 24  # what was finished is not run again
    ray_table = pd.read_parquet(out / "results.parquet")
    assert len(ray_table) == 24 and ray_table.episode_id.is_unique
    assert set(ray_table.status) == {"done"}
    local_table = pd.read_parquet(tmp_path / "local" / "results.parquet")
    pd.testing.assert_frame_equal(ray_table.drop(columns=TIMING), local_table.drop(columns=TIMING))
    for transcript in (tmp_path / "local").glob("episodes/*/transcript.jsonl"):
        twin = out / transcript.relative_to(tmp_path / "local")
        assert twin.read_bytes() == transcript.read_bytes()
