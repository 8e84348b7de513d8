"""A human seat answers through LangGraph interrupts; its answers are validated like any
backend's, and a bad answer is sent back with what to fix."""

from __future__ import annotations

import subprocess
import sys

from treatylab.agents.backends.human import HumanSeat
from treatylab.agents.policy import decide
from treatylab.agents.transcript import dumps_jsonl
from treatylab.agents.views import DelegateView
from treatylab.graphs import RunConfig
from tests.conftest import ROOT, heuristic_backends, run


class BaselineStudent:
    """Answers every interrupt with what the baseline policy would do; records the requests."""

    def __init__(self, first_answer_bad: bool = False) -> None:
        self.requests: list[dict] = []
        self.bad = first_answer_bad

    def __call__(self, request: dict) -> dict:
        self.requests.append(request)
        view = DelegateView.model_validate(request["view"])
        if self.bad and view.stage == "bargain":
            self.bad = False
            return {"kind": "delegate_action", "statement": "x",
                    "proposal": {"proposer": view.party_id, "package": {"burden": "nonsense"}}}
        return decide(view).model_dump(mode="json")


def test_human_seat_answered_like_the_baseline_gives_the_baseline_run(tiny):
    config = RunConfig(mediator="formulative", seed=4)
    reference = run(tiny, config)
    backends = heuristic_backends(tiny)
    backends["beta"] = HumanSeat()
    student = BaselineStudent()
    episode = run(tiny, config, backends=backends, answer_human=student)
    assert dumps_jsonl(episode.events) == dumps_jsonl(reference.events)
    stages = [r["view"]["stage"] for r in student.requests]
    assert stages[:3] == ["prepare", "open", "clarify"] and "finalize" in stages
    assert all(r["actor"] == "beta" for r in student.requests)


def test_invalid_answer_comes_back_with_the_problem(tiny):
    backends = heuristic_backends(tiny)
    backends["beta"] = HumanSeat()
    student = BaselineStudent(first_answer_bad=True)
    episode = run(tiny, RunConfig(seed=4), backends=backends, answer_human=student)
    retried = [r for r in student.requests if r["problems"]]
    assert len(retried) == 1
    assert any("nonsense" in p for p in retried[0]["problems"])
    assert not any(e.kind == "failed_turn" for e in episode.events)


def test_terminal_seat_with_default_answers(tmp_path):
    """A student pressing Enter throughout: the run finishes and writes its folder."""
    fixture = ROOT / "tests" / "fixtures" / "scenarios" / "tiny-valid.yaml"
    proc = subprocess.run(
        [sys.executable, "-m", "treatylab.cli", "run", str(fixture), "--delegate", "beta=human",
         "--seed", "2", "--out", str(tmp_path / "run"), "--quiet"],
        input="\n" * 400, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Your confidential brief" in proc.stdout
    assert (tmp_path / "run" / "result.json").exists()
