"""The LLM judge end to end: the openai SDK over real HTTP to the simulator's baseline judge,
recorded in a cassette and replayed offline; scores, evidence and alpha checked by hand."""

from __future__ import annotations

import asyncio
import hashlib
import time
import json
from pathlib import Path

import pytest
import typer
import yaml
from typer.testing import CliRunner

from treatylab.agents.backends.clients import offline_credentials
from treatylab.evals.agreement import krippendorff_alpha
from treatylab.evals.judge import JudgeAnswer, judge_record, judge_transcript, parse_judge_specs
from treatylab.evals.judge.panel import check_answer
from treatylab.evals.judge.record import JUDGE_BEGIN, judge_messages, record_from_messages
from treatylab.graphs import RunConfig
from tests.evals.support import EventLog, build_scenario
from tests.evals.test_outcome_space import TWO, TWO_R
from treatylab import outputs
from treatylab.cassettes import cassette_session
from treatylab.cli_judge import JUDGE_CASSETTE, JUDGE_FILE, register
from treatylab.errors import UserError
from treatylab.simulator import start_simulator

JUDGES = ["openai:judge-a", "openai:judge-b"]
CANARY_KEY = "sk-canary-judge-71c2e0a9b4"
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "scenarios" / "tiny-valid.yaml"


def scenario():
    return build_scenario(TWO, TWO_R)


def transcript() -> EventLog:
    log = EventLog()
    log.move("a", 1, {"x": "x0", "y": "y2"}, statement="We offer x0 with y2.")
    log.move("a", 2, responses={"r1-b": "reject"}, statement="We reject that offer outright.")
    log.move("a", 3, {"x": "x2", "y": "y2"}, responses={"r2-b": "accept"}, statement="Agreed.")
    log.move("b", 1, {"x": "x1", "y": "y0"}, commitments=[("x", "x1")],
             statement="Our offer: x1 and y0, and we commit to x1.")
    log.move("b", 2, statement="We need more time.")
    log.move("b", 3, responses={"r1-a": "reject"}, statement="No.")
    log.move("b", 4, statement="We are still reflecting.")
    return log


def shift(model: str, criterion: str, party: str) -> int:
    """The documented per-model shift of the baseline judge: sha256 mod 3 - 1."""
    return int(hashlib.sha256(f"{model}|{criterion}|{party}".encode()).hexdigest(), 16) % 3 - 1


# Bases by hand. commitment_clarity: a 2 of 3 moves concrete -> 1 + round(8/3) = 4;
# b 1 of 4 -> 1 + round(1) = 2. good_faith: a answers twice, the accept engages -> 1 + 2 = 3;
# b rejects once without a counter-proposal -> 1.
BASES = {("commitment_clarity", "a"): 4, ("commitment_clarity", "b"): 2,
         ("good_faith", "a"): 3, ("good_faith", "b"): 1}
FIRST_EVIDENCE = {("commitment_clarity", "a"): "We offer x0 with y2.",
                  ("commitment_clarity", "b"): "Our offer: x1 and y0, and we commit to x1.",
                  ("good_faith", "a"): "Agreed."}


def expected_score(judge: str, criterion: str, party: str) -> int:
    model = judge.removeprefix("openai:")
    return min(5, max(1, BASES[(criterion, party)] + shift(model, criterion, party)))


def record(path: Path, monkeypatch: pytest.MonkeyPatch, **simulator):
    monkeypatch.setenv("OPENAI_API_KEY", CANARY_KEY)
    with start_simulator(**simulator) as sim, cassette_session(path, "record"):
        report = judge_transcript(scenario(), transcript().events, JUDGES, base_url=sim.base_url)
    monkeypatch.delenv("OPENAI_API_KEY")
    return report


def test_scores_evidence_means_and_alpha_by_hand(tmp_path: Path, monkeypatch) -> None:
    report = record(tmp_path / "judge.yaml", monkeypatch)
    assert [c.error for c in report.calls] == [None] * 4
    got = {(s.judge, s.criterion, s.party): s.score for s in report.scores}
    want = {(j, c, p): expected_score(j, c, p) for j in JUDGES for c, p in BASES}
    assert got == want
    for s in report.scores:
        if s.criterion == "commitment_clarity" or s.party == "a":
            assert [q.text for q in s.evidence] == [FIRST_EVIDENCE[(s.criterion, s.party)]]
        assert all(q.verified for q in s.evidence)
    # b's good-faith evidence falls back to its first statement
    b_good = [s for s in report.scores if (s.criterion, s.party) == ("good_faith", "b")]
    assert [q.text for q in b_good[0].evidence] == ["Our offer: x1 and y0, and we commit to x1."]
    for c, p in BASES:
        assert report.mean_scores[c][p] == pytest.approx(
            sum(expected_score(j, c, p) for j in JUDGES) / 2)
    units = [("good_faith", "a"), ("good_faith", "b"),
             ("commitment_clarity", "a"), ("commitment_clarity", "b")]
    table = [[float(want[(j, c, p)]) for c, p in units] for j in JUDGES]
    assert report.agreement["all"].units == 4
    assert report.agreement["all"].interval == krippendorff_alpha(table, "interval")
    assert report.agreement["all"].ordinal == krippendorff_alpha(table, "ordinal")
    krippendorff = pytest.importorskip("krippendorff")
    theirs = krippendorff.alpha(reliability_data=table, level_of_measurement="interval")
    assert report.agreement["all"].interval == pytest.approx(float(theirs))


def test_judging_is_recorded_and_replays_offline(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "judge.yaml"
    recorded = record(path, monkeypatch)
    text = path.read_text(encoding="utf-8")
    assert CANARY_KEY not in text
    cassette = yaml.safe_load(text)["interactions"]
    assert len(cassette) == 4  # 2 judges x 2 criteria, one request each
    bodies = [json.loads(item["request"]["body"]) for item in cassette]
    assert [b["model"] for b in bodies] == ["judge-a", "judge-a", "judge-b", "judge-b"]
    assert all(b["response_format"]["type"] == "json_schema" for b in bodies)
    assert all(b["response_format"]["json_schema"]["strict"] for b in bodies)
    assert all(JUDGE_BEGIN in b["messages"][1]["content"] for b in bodies)
    with offline_credentials(), cassette_session(path, "replay") as session:
        replayed = judge_transcript(scenario(), transcript().events, JUDGES,
                                    base_url="http://127.0.0.1:9/v1")
    assert session.unplayed() == 0
    assert replayed == recorded


def test_the_record_carries_moves_votes_and_private_notes() -> None:
    log = transcript().vote("a", "sign_with_reservations", ["y"])
    log._add("private_note", "b", {"text": "Bluff on x1; we can live with x2."}, "prepare", 0,
             "private")
    data = judge_record(scenario(), log.events)
    a, b = data["parties"]
    assert [m["statement"] for m in a["moves"]][:2] == ["We offer x0 with y2.",
                                                        "We reject that offer outright."]
    assert a["moves"][0]["proposal"] == [{"issue": "x", "option": "x0"},
                                         {"issue": "y", "option": "y2"}]
    assert b["moves"][0]["commitments"] == ["x=x1"]
    assert a["votes"] == [{"decision": "sign_with_reservations", "reservations": ["y"],
                           "statement": ""}]
    assert b["private_notes"] == ["Bluff on x1; we can live with x2."]
    messages = judge_messages(data, "good_faith")
    assert record_from_messages(messages) == data
    assert "criterion: good_faith" in messages[1]["content"]


def test_unusable_answers_are_recorded_as_errors(tmp_path: Path, monkeypatch) -> None:
    # (the simulator's "schema" fault only adds a field here, and extra fields are ignored)
    report = record(tmp_path / "faulty.yaml", monkeypatch, fault_rate=1.0, faults=["invalid_json"])
    assert len(report.calls) == 4 and report.scores == []
    assert all(c.error.startswith("unusable answer: the answer is not valid JSON")
               and c.attempts == 1 for c in report.calls)
    assert report.agreement["all"].interval is None
    assert report.mean_scores["good_faith"] == {"a": None, "b": None}


def test_transient_errors_are_retried(tmp_path: Path, monkeypatch) -> None:
    report = record(tmp_path / "flaky.yaml", monkeypatch, fault_rate=0.5, faults=["http_500"],
                    seed=3, retry_after_ms=0)
    attempts = [c.attempts for c in report.calls]
    assert max(attempts) > 1  # some first tries failed with HTTP 500 and were retried
    for call in report.calls:  # a call fails only when all three tries got HTTP 500
        assert call.error is None or (call.error.startswith("http 500") and call.attempts == 3)
    scored = {(s.judge, s.criterion) for s in report.scores}
    assert scored == {(c.judge, c.criterion) for c in report.calls if c.error is None}


def test_a_dead_judge_endpoint_stops_judging_at_once_with_exit_4(monkeypatch) -> None:
    from treatylab.evals.judge.panel import JudgeEndpointError

    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    started = time.perf_counter()
    with pytest.raises(JudgeEndpointError) as caught:
        judge_transcript(scenario(), transcript().events, JUDGES,
                         base_url="http://127.0.0.1:9/v1", max_attempts=2)
    assert time.perf_counter() - started < 3.0  # one call, two tries: not every call
    assert caught.value.exit_code == 4
    assert caught.value.problems[0].startswith(
        "could not connect to http://127.0.0.1:9/v1")
    assert "judge judge-a, 2 tries" in caught.value.problems[0]


def test_answer_checks() -> None:
    answer = JudgeAnswer.model_validate({"kind": "judge_scores", "criterion": "good_faith",
                                         "scores": [
        {"party": "a", "score": 6, "evidence": [], "rationale": ""},
        {"party": "zz", "score": 3, "evidence": [], "rationale": ""}]})
    assert check_answer(answer, "commitment_clarity", ["a", "b"]) == [
        "criterion is 'good_faith', expected 'commitment_clarity'",
        "unknown party 'zz'",
        "party 'b' scored 0 times, expected once",
        "score 6 for 'a' is outside 1..5",
    ]


def test_judge_specs() -> None:
    assert parse_judge_specs(JUDGES) == ["judge-a", "judge-b"]
    with pytest.raises(UserError) as caught:
        parse_judge_specs(["openai:m"])
    assert "at least 2 --judge models" in caught.value.problems[0]
    with pytest.raises(UserError) as caught:
        parse_judge_specs(["heuristic", "openai:m", "openai:m"])
    assert caught.value.problems == [
        "--judge 'heuristic': use openai:MODEL (judges run through the OpenAI-compatible backend)",
        "--judge 'openai:m' is given twice"]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from treatylab.scenarios import load
    from treatylab.runner import run_episode

    out = tmp_path_factory.mktemp("run")
    asyncio.run(run_episode(load(FIXTURE), RunConfig(mediator="formulative", seed=2),
                            scenario_ref=str(FIXTURE), out_dir=out))
    return out


def test_cli_records_judge_json_and_replays_it(run_dir: Path) -> None:
    app = typer.Typer()

    @app.callback()
    def root() -> None:  # keeps `judge` a subcommand
        pass

    register(app)
    args = ["judge", str(run_dir), "--judge", JUDGES[0], "--judge", JUDGES[1]]
    with start_simulator() as sim:
        result = CliRunner().invoke(app, [*args, "--base-url", sim.base_url])
    assert result.exit_code == 0, result.output
    assert "Krippendorff's alpha (all, ordinal, 6 units)" in result.output
    first = json.loads((run_dir / JUDGE_FILE).read_text(encoding="utf-8"))
    assert set(first) == {"scenario", "run_id", "judges", "criteria", "scores", "calls",
                          "mean_scores", "agreement"}
    _, result_doc, _ = outputs.read_run(run_dir)
    assert first["run_id"] == result_doc["run_id"] and first["scenario"] == "tiny-valid"
    assert len(first["scores"]) == 2 * 2 * 3  # judges x criteria x parties
    assert (run_dir / JUDGE_CASSETTE).exists()
    (run_dir / JUDGE_FILE).unlink()
    replay = CliRunner().invoke(app, [*args, "--record-mode", "replay", "--json"])
    assert replay.exit_code == 0, replay.output
    assert json.loads((run_dir / JUDGE_FILE).read_text(encoding="utf-8")) == first
