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


# -- the teaching seat, driven through a pseudo-terminal --------------------------------------
import json  # noqa: E402
import textwrap  # noqa: E402

import pexpect  # noqa: E402

TINY = ROOT / "tests" / "fixtures" / "scenarios" / "tiny-valid.yaml"

VOTE_SCRIPT = textwrap.dedent("""
    import json
    from rich.console import Console
    from treatylab.graphs import RunConfig
    from treatylab.graphs.views import delegate_view
    from treatylab.scenarios import load
    from treatylab.seat import TerminalSeat

    scenario = load("northern-shield")
    # aurelia's worst option on every issue: far below its walk-away
    worst = {i: min(o, key=o.get) for i, o in scenario.utilities["aurelia"].items()}
    view = delegate_view(scenario, RunConfig(), [], "aurelia", stage="finalize", round_=3,
                         expected="vote", draft=worst)
    seat = TerminalSeat(Console(force_terminal=False, width=120))
    seat.briefed.add("aurelia")
    print("ANSWER", json.dumps(seat({"view": view.model_dump(mode="json"), "problems": []})))
""")


def _vote(tmp_path, answers: list[tuple[str, str | None]]) -> tuple[dict, str]:
    script = tmp_path / "vote.py"
    script.write_text(VOTE_SCRIPT, encoding="utf-8")
    child = pexpect.spawn(sys.executable, [str(script)], cwd=str(ROOT), encoding="utf-8", timeout=60,
                          dimensions=(50, 140))
    for pattern, reply in answers:
        child.expect(pattern)
        if reply is not None:
            child.sendline(reply)
    child.expect(r"ANSWER (\{.*\})")
    answer = json.loads(child.match.group(1))
    child.expect(pexpect.EOF)
    return answer, child.before


def test_signing_below_walk_away_needs_an_explicit_yes(tmp_path):
    # the vote's default below walk-away is reject; asking to sign asks again, default no
    answer, _ = _vote(tmp_path, [(r"below your walk-away", None), (r"Your vote.*\(reject\)", "sign"),
                                 (r"Sign anyway\? \[y/n\] \(n\)", "")])
    assert answer["decision"] == "reject"
    answer, _ = _vote(tmp_path, [(r"Your vote", "sign"), (r"Sign anyway\?", "y")])
    assert answer["decision"] == "sign"
    answer, _ = _vote(tmp_path, [(r"Your vote", "")])
    assert answer["decision"] == "reject", "Enter never signs below walk-away"


def test_seat_shows_points_of_options_and_packages_on_the_table(tmp_path):
    out = tmp_path / "run"
    child = pexpect.spawn(sys.executable, ["-m", "treatylab.cli", "run", str(TINY), "--delegate",
                                           "beta=human", "--mediator", "formulative", "--seed", "2",
                                           "--out", str(out), "--quiet"],
                          cwd=str(ROOT), encoding="utf-8", timeout=60, dimensions=(60, 160))
    child.expect("Your points per option")
    child.expect("Private note to yourself")
    child.sendline("NOTE-TO-SELF hold out on command")
    screen = ""
    for _ in range(400):  # Enter at every prompt, as a hurried student would
        index = child.expect([pexpect.EOF, pexpect.TIMEOUT], timeout=0.6)
        screen += child.before or ""
        if index == 0:
            break
        child.sendline("")
    child.close()
    assert child.exitstatus == 0, screen[-2000:]
    assert "Packages on the table: your points (walk-away 25)" in screen
    assert "vs walk-away" in screen and "Confidential message to the mediator" in screen
    assert "Your own private notes" in screen and "NOTE-TO-SELF hold out on command" in screen
    # the answers are in the run folder: replay and view work on the human run
    replay = subprocess.run([sys.executable, "-m", "treatylab.cli", "replay", str(out)],
                            capture_output=True, text=True, timeout=120, cwd=str(ROOT))
    assert replay.returncode == 0, replay.stderr[-2000:]
    assert "identical" in replay.stdout
    view = subprocess.run([sys.executable, "-m", "treatylab.cli", "view", str(out)],
                          capture_output=True, text=True, timeout=120, cwd=str(ROOT))
    assert view.returncode == 0 and (out / "view.html").exists()


def test_ctrl_c_saves_and_the_same_command_resumes(tmp_path):
    out = tmp_path / "run"
    argv = ["-m", "treatylab.cli", "run", str(TINY), "--delegate", "beta=human", "--seed", "2",
            "--out", str(out), "--quiet"]
    child = pexpect.spawn(sys.executable, argv, cwd=str(ROOT), encoding="utf-8", timeout=60)
    child.expect("Private note to yourself")
    child.sendline("my secret plan")
    child.expect("Your statement")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert "Traceback" not in child.before and "resume with the same command" in child.before
    assert (out / "checkpoint.sqlite").exists() and not (out / "result.json").exists()
    again = subprocess.run([sys.executable, *argv], input="\n" * 400, capture_output=True,
                           text=True, timeout=120, cwd=str(ROOT))
    assert again.returncode == 0, again.stderr[-2000:]
    events = [json.loads(line) for line in (out / "transcript.jsonl").read_text().splitlines()]
    notes = [e for e in events if e["actor"] == "beta" and e["kind"] == "private_note"]
    assert notes[0]["payload"]["text"] == "my secret plan", "the answer before Ctrl-C was kept"
