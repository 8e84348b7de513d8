"""No run is ever silently wrong: failure is a status, stale state is refused, artefacts are exact.

Each test here reproduces a path that used to end with exit 0 and a wrong result: a dead
endpoint scored as a breakdown, a checkpoint reused by another config, a run folder reused
with its old cassette, latency making two replays differ, an endpoint nobody recorded.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from treatylab.agents.backends.base import Backend, TurnResult
from treatylab.agents.backends.failures import FailureRecord, InfrastructureFailure
from treatylab.agents.backends.heuristic import HeuristicBackend
from treatylab.agents.views import View
from treatylab.graphs import RunConfig
from treatylab.replay import replay_run
from treatylab.runner import default_run_id
from treatylab.simulator import MODEL_ID, start_simulator
from tests.conftest import FIXTURES, heuristic_backends, run
from tests.treatylab.llm_helpers import record_run, sim_config

TINY = str(FIXTURES / "scenarios" / "tiny-valid.yaml")
CANARY = "sk-canary-integrity-7f3a9c21"


def treatylab(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
              timeout: float = 300) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if k not in ("OPENAI_BASE_URL", "OPENAI_API_KEY")}
    full.update(env or {})
    return subprocess.run([sys.executable, "-m", "treatylab.cli", *args], capture_output=True,
                          text=True, timeout=timeout, cwd=cwd, env=full)


class DeadAtRound(Backend):
    """A backend whose endpoint dies at a bargaining round: it raises as the openai backend does."""

    def __init__(self, round_: int) -> None:
        self.round, self.inner, self.calls = round_, HeuristicBackend(), 0

    async def aact(self, view: View) -> TurnResult:
        self.calls += 1
        if view.stage == "bargain" and view.round >= self.round:
            raise InfrastructureFailure(FailureRecord(
                kind="connection", message="connection refused by http://127.0.0.1:9/v1",
                fix="start the server or correct --base-url", endpoint="http://127.0.0.1:9/v1",
                attempts=4))
        return await self.inner.aact(view)


# -- 1. failure is a status -------------------------------------------------------------------
def test_infrastructure_failure_stops_the_episode_and_is_recorded_as_failed(flagship, tmp_path) -> None:
    backends = heuristic_backends(flagship)
    dead = DeadAtRound(2)
    backends["borealis"] = dead
    episode = run(flagship, RunConfig(mediator="formulative", seed=5), backends=backends,
                  out_dir=tmp_path / "run")
    result = json.loads((tmp_path / "run" / "result.json").read_text())
    assert result["status"] == "failed"
    assert result["outcome"] is None and result["package"] is None and result["rounds"] is None
    assert result["scores"] == {}
    failure = result["failure"]
    assert (failure["kind"], failure["actor"], failure["stage"], failure["round"]) == (
        "connection", "borealis", "bargain", 2)
    assert dead.calls == 5  # prepare, open, clarify, round 1, then the failing round-2 turn: no grinding on
    kinds = {e.kind for e in episode.events}
    assert "outcome" not in kinds and "delegate_move" in kinds  # what happened before is kept


def test_dead_endpoint_run_exits_4_with_one_line_in_under_10_s(tmp_path) -> None:
    started = time.monotonic()
    proc = treatylab("run", "northern-shield", "--model", "sim", "--base-url", "http://127.0.0.1:9/v1",
                     "--out", str(tmp_path / "dead"), "--quiet", env={"OPENAI_API_KEY": "sk-unused-0000"},
                     timeout=60)
    elapsed = time.monotonic() - started
    assert proc.returncode == 4, proc.stderr[-2000:]
    assert elapsed < 10, elapsed
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("failed:"), proc.stderr
    assert "Traceback" not in proc.stderr
    result = json.loads((tmp_path / "dead" / "result.json").read_text())
    assert result["status"] == "failed" and result["outcome"] != "breakdown"
    assert result["failure"]["kind"] == "connection"


def test_deadline_fails_the_episode_with_exit_4(tmp_path) -> None:
    with start_simulator(latency_ms=400) as sim:
        proc = treatylab("run", TINY, "--model", MODEL_ID, "--base-url", sim.base_url, "--deadline", "1.5",
                         "--out", str(tmp_path / "slow"), "--quiet", env={"OPENAI_API_KEY": "sk-unused-0000"})
    assert proc.returncode == 4, proc.stderr
    result = json.loads((tmp_path / "slow" / "result.json").read_text())
    assert result["failure"]["kind"] == "deadline" and result["status"] == "failed"


# -- 3. identity of state -----------------------------------------------------------------------
def test_a_changed_config_is_refused_on_resume(tmp_path) -> None:
    checkpoint = tmp_path / "c.sqlite"
    first = treatylab("run", TINY, "--mediator", "formulative", "--checkpoint", str(checkpoint),
                      "--out", str(tmp_path / "a"), "--quiet")
    assert first.returncode == 0, first.stderr
    # same run id (scenario, mediator, backends, seed), another config: the burden reference
    again = treatylab("run", TINY, "--mediator", "formulative", "--checkpoint", str(checkpoint),
                      "--burden-reference", "benefit", "--out", str(tmp_path / "b"), "--quiet")
    assert again.returncode == 2
    lines = [line for line in again.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "burden_reference" in lines[0] and '"capacity" -> "benefit"' in lines[0], lines
    assert not (tmp_path / "b").exists()


def test_out_into_an_existing_folder_is_refused_and_overwrite_deletes_it_first(tmp_path) -> None:
    out = tmp_path / "run"
    assert treatylab("run", TINY, "--out", str(out), "--quiet").returncode == 0
    stale = out / "cassette.yaml"
    stale.write_text("interactions: []\n")
    refused = treatylab("run", TINY, "--seed", "1", "--out", str(out), "--quiet")
    assert refused.returncode == 2 and "--overwrite" in refused.stderr
    assert json.loads((out / "result.json").read_text())["seed"] == 0  # untouched
    accepted = treatylab("run", TINY, "--seed", "1", "--out", str(out), "--overwrite", "--quiet")
    assert accepted.returncode == 0, accepted.stderr
    assert json.loads((out / "result.json").read_text())["seed"] == 1
    assert not stale.exists()


def test_out_pointing_at_a_file_is_refused_before_the_run(tmp_path) -> None:
    target = tmp_path / "a-file"
    target.write_text("x")
    proc = treatylab("run", TINY, "--out", str(target), "--checkpoint", str(tmp_path / "c.sqlite"))
    assert proc.returncode == 2 and "is a file" in proc.stderr and "Traceback" not in proc.stderr
    assert "Round" not in proc.stdout  # nothing ran
    assert target.read_text() == "x"


def test_default_run_folders_differ_by_backends(tiny) -> None:
    heuristic = RunConfig(seed=3)
    llm = RunConfig(seed=3, default_backend=f"openai:{MODEL_ID}", mediator_backend=f"openai:{MODEL_ID}")
    mixed = RunConfig(seed=3, delegates={"alpha": f"openai:{MODEL_ID}"})
    ids = {default_run_id(tiny, c) for c in (heuristic, llm, mixed)}
    assert len(ids) == 3
    assert default_run_id(tiny, heuristic) == f"{tiny.id}-none-heuristic-s3"


# -- 4. provenance -------------------------------------------------------------------------------
def test_manifest_names_the_endpoint_from_the_environment_and_the_answering_model(tmp_path) -> None:
    with start_simulator() as sim:
        host = sim.base_url.split("//", 1)[1]
        proc = treatylab("run", TINY, "--model", MODEL_ID, "--out", str(tmp_path / "run"), "--quiet",
                         env={"OPENAI_BASE_URL": f"http://user:{CANARY}@{host}", "OPENAI_API_KEY": "sk-unused-0000"})
    assert proc.returncode == 0, proc.stderr
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert manifest["llm"]["endpoint"] == sim.base_url
    assert manifest["llm"]["models"] == {"requested": [MODEL_ID], "reported": [MODEL_ID]}
    assert set(manifest["llm"]["client"]) >= {"treatylab", "openai"}
    assert manifest["identity"]["sha256"]
    for name in ("manifest.json", "result.json", "transcript.jsonl", "timings.jsonl"):
        assert CANARY not in (tmp_path / "run" / name).read_text(), name
    assert CANARY not in proc.stdout + proc.stderr


def test_a_canary_key_in_the_query_reaches_no_manifest_result_or_message(tmp_path) -> None:
    url = f"http://u:{CANARY}@127.0.0.1:9/v1?api-key={CANARY}&token={CANARY}&api-version=2024"
    proc = treatylab("run", TINY, "--model", MODEL_ID, "--base-url", url, "--out", str(tmp_path / "run"),
                     "--quiet", env={"OPENAI_API_KEY": "sk-unused-0000"}, timeout=60)
    assert proc.returncode == 4, proc.stderr
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert manifest["llm"]["endpoint"] == "http://127.0.0.1:9/v1?api-version=2024"
    for path in (tmp_path / "run").iterdir():
        assert CANARY not in path.read_text(), path.name
    assert CANARY not in proc.stdout + proc.stderr


# -- 5. byte-identical LLM transcripts -------------------------------------------------------------
def test_two_replays_of_one_llm_run_give_cmp_equal_transcripts(tiny, tmp_path) -> None:
    with start_simulator(latency_ms=5) as sim:
        recorded = record_run(tiny, sim_config(sim.base_url, seed=2), tmp_path / "rec", TINY)
    assert any(e.kind == "usage" for e in recorded.events)
    transcript = (tmp_path / "rec" / "transcript.jsonl").read_bytes()
    assert b"latency" not in transcript
    timings = (tmp_path / "rec" / "timings.jsonl").read_text().splitlines()
    assert len([line for line in timings if '"call"' in line]) == sum(e.kind == "usage" for e in recorded.events)
    outs = []
    for name in ("one", "two"):
        report = replay_run(tmp_path / "rec", out_dir=tmp_path / name)
        assert report.identical
        outs.append(tmp_path / name)
    for name in ("transcript.jsonl", "result.json"):
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes() == (tmp_path / "rec" / name).read_bytes()


# -- issue 11 run-level edges -----------------------------------------------------------------------
def test_show_does_not_open_a_device_or_fifo_named_as_the_scenario(tmp_path) -> None:
    out = tmp_path / "run"
    assert treatylab("run", "northern-shield", "--out", str(out), "--quiet").returncode == 0
    manifest = json.loads((out / "manifest.json").read_text())
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for ref in ("/dev/zero", str(fifo)):
        manifest["scenario"]["ref"] = ref
        (out / "manifest.json").write_text(json.dumps(manifest))
        proc = treatylab("show", str(out), timeout=30)
        assert proc.returncode == 0, proc.stderr
        assert "Burden" in proc.stdout or "burden" in proc.stdout


def _writes(path: Path) -> int:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=0.05) as db:
            return int(db.execute("select count(*) from writes").fetchone()[0])
    except sqlite3.Error:
        return 0


def test_ctrl_c_exits_130_with_one_line_and_leaves_a_resumable_checkpoint(tmp_path) -> None:
    with start_simulator(latency_ms=30) as sim:
        args = [sys.executable, "-m", "treatylab.cli", "run", TINY, "--mediator", "formulative", "--model",
                MODEL_ID, "--base-url", sim.base_url, "--quiet"]
        env = {**os.environ, "OPENAI_API_KEY": "sk-unused-0000"}
        reference = subprocess.run([*args, "--out", str(tmp_path / "ref")], capture_output=True, text=True,
                                   env=env, timeout=120)
        assert reference.returncode == 0, reference.stderr
        checkpoint = tmp_path / "c.sqlite"
        command = [*args, "--out", str(tmp_path / "run"), "--checkpoint", str(checkpoint)]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        deadline = time.monotonic() + 60
        while _writes(checkpoint) < 15:
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.01)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
        assert process.returncode == 130, err
        lines = [line for line in err.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("interrupted:") and "Traceback" not in err, err
        resumed = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    for name in ("transcript.jsonl", "result.json"):
        assert (tmp_path / "run" / name).read_bytes() == (tmp_path / "ref" / name).read_bytes(), name
