"""Record a run through the simulator, then replay it offline: identical, or a clear mismatch."""

from __future__ import annotations

import logging
import os
import shutil
import time
from pathlib import Path

import pytest

from treatylab import prompts
from treatylab.scenarios import load
from treatylab import outputs
from treatylab.cassette_diff import turn_of
from treatylab.cassettes import recorded_bodies
from treatylab.cli import main
from treatylab.replay import replay_run
from treatylab.simulator import start_simulator
from tests.conftest import FIXTURES
from tests.treatylab.llm_helpers import CANARY_KEY, negotiation, record_run, sim_config

TINY = str(FIXTURES / "scenarios" / "tiny-valid.yaml")


class _LogText(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture(scope="module")
def master(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A tiny-scenario run recorded with a canary key and faults, and every log line emitted
    meanwhile (at DEBUG); the key is removed from the environment afterwards."""
    saved = {name: os.environ.pop(name, None) for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL")}
    handler, root = _LogText(), logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    os.environ["OPENAI_API_KEY"] = CANARY_KEY
    out = tmp_path_factory.mktemp("recorded") / "run"
    try:
        with start_simulator(fault_rate=0.25, seed=3, hang_s=2) as sim:
            record_run(load(TINY), sim_config(sim.base_url, seed=3, timeout_s=0.3), out, TINY)
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        del os.environ["OPENAI_API_KEY"]
        os.environ.update({name: value for name, value in saved.items() if value is not None})
    return out, "\n".join(handler.lines)


@pytest.fixture
def recorded(master: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the recorded run folder, with no credentials in the environment."""
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    return Path(shutil.copytree(master[0], tmp_path / "run"))


def test_replay_is_identical_offline_without_a_key(recorded: Path) -> None:
    report = replay_run(recorded)
    assert report.identical, report.transcript_diff + report.result_diff
    assert not report.warnings


def test_parallel_delegate_turns_were_recorded_and_replayed(recorded: Path) -> None:
    turns = [turn_of(body) for body in recorded_bodies(recorded / outputs.CASSETTE)]
    prepare = {turn["actor"] for turn in turns if turn["stage"] == "prepare"}
    assert prepare == {"delegate alpha", "delegate beta", "delegate gamma"}
    report = replay_run(recorded)
    recorded_events, _, _ = outputs.read_run(recorded)
    assert negotiation(report.run.events) == negotiation(recorded_events)


def test_canary_key_reaches_no_artefact_and_no_log(master: tuple[Path, str]) -> None:
    run_dir, log_text = master
    files = [path for path in run_dir.rglob("*") if path.is_file()]
    assert {path.name for path in files} >= {"cassette.yaml", "manifest.json", "result.json",
                                              "transcript.jsonl"}
    for path in files:
        assert CANARY_KEY not in path.read_text(encoding="utf-8"), path.name
    assert "HTTP Request" in log_text or "Sending HTTP Request" in log_text, "logs were captured"
    assert CANARY_KEY not in log_text


def test_replay_command_prints_identical(recorded: Path, monkeypatch, capsys) -> None:
    monkeypatch.setattr("sys.argv", ["treatylab", "replay", str(recorded)])
    with pytest.raises(SystemExit) as done:
        main()
    assert done.value.code in (0, None)
    assert "identical" in capsys.readouterr().out


def test_edited_template_stops_the_replay_with_exit_3(recorded: Path, tmp_path: Path,
                                                      monkeypatch, capsys) -> None:
    edited = tmp_path / "prompts"
    shutil.copytree(prompts.TEMPLATE_DIR, edited, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    task = edited / "delegate" / "prepare.j2"
    task.write_text(task.read_text().replace("Prepare privately.", "Prepare in private."))
    monkeypatch.setattr(prompts, "TEMPLATE_DIR", edited)
    prompts.environment.cache_clear()
    monkeypatch.setattr("sys.argv", ["treatylab", "replay", str(recorded)])
    started = time.perf_counter()
    try:
        with pytest.raises(SystemExit) as done:
            main()
    finally:
        prompts.environment.cache_clear()
    assert time.perf_counter() - started < 5
    assert done.value.code == 3
    err = capsys.readouterr().err
    assert "cassette mismatch" in err
    assert "prepare request of delegate" in err
    assert "Prepare in private." in err and "Prepare privately." in err
    assert "prompt templates changed since recording: delegate/prepare.j2" in err


def test_different_outcome_is_reported_with_exit_1(recorded: Path, monkeypatch, capsys) -> None:
    result = recorded / outputs.RESULT
    result.write_text(result.read_text().replace('"seed": 3', '"seed": 30'))
    monkeypatch.setattr("sys.argv", ["treatylab", "replay", str(recorded)])
    with pytest.raises(SystemExit) as done:
        main()
    assert done.value.code == 1
    out = capsys.readouterr().out
    assert "different" in out and '"seed": 30' in out
