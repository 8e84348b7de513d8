"""The metric registry: a toy metric registers in this file alone and reaches every consumer."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest
from rich.console import Console

from treatylab.agents.transcript import DelegateMoveEvent
from treatylab.evals import analyze_scenario, evaluate
from treatylab.evals.metric import MetricResult
from treatylab.evals.registry import MetricContext, metric, registered_metrics, unregister
from treatylab.evals.scorecard import Scorecard
from treatylab.graphs import RunConfig
from treatylab.render import scorecard_table
from treatylab.runner import run_episode
from treatylab.scenarios import load
from treatylab.sweep import flatten_scores


@pytest.fixture
def talkativeness() -> Iterator[None]:
    @metric("talkativeness", words=10)
    def _talk(context: MetricContext, *, words: int) -> MetricResult:
        """Share of delegate statements of at least `words` words."""
        moves = [e for e in context.events if isinstance(e, DelegateMoveEvent)]
        long = [m for m in moves if len(m.payload.statement.split()) >= words]
        value = len(long) / len(moves) if moves else None
        return MetricResult(name="talkativeness", value=value, parameters={"words": words},
                            components={"statements": len(moves), "long": len(long)})
    yield
    unregister("talkativeness")


def test_the_builtin_metrics_are_registered_with_their_parameters() -> None:
    found = {m.name: m for m in registered_metrics()}
    assert {"trust", "burden_equity", "sovereignty_preservation"} <= set(found)
    assert found["burden_equity"].parameters == {"reference": "capacity"}
    assert not found["burden_equity"].needs_transcript and found["trust"].needs_transcript


def test_a_toy_metric_reaches_the_scorecard_result_table_and_renderer(talkativeness: None) -> None:
    scenario = load("northern-shield")
    run = asyncio.run(run_episode(scenario, RunConfig(mediator="formulative", seed=7)))
    scores = run.result["scores"]
    toy = scores["talkativeness"]
    moves = [e for e in run.events if isinstance(e, DelegateMoveEvent)]
    long = [m for m in moves if len(m.payload.statement.split()) >= 10]
    assert toy["parameters"] == {"words": 10}
    assert toy["components"] == {"statements": len(moves), "long": len(long)}
    assert toy["value"] == pytest.approx(len(long) / len(moves))
    # a run's parameters override the default, and the result records them
    card = evaluate(scenario, run.events, parameters={"talkativeness": {"words": 1}})
    assert card.talkativeness.value == 1.0 and card.talkativeness.parameters == {"words": 1}
    # the flat JSON form round-trips, and the other scores are untouched by the toy
    again = Scorecard.model_validate(json.loads(card.model_dump_json()))
    assert again == card and set(again.metrics) >= {"trust", "talkativeness"}
    assert {k: v for k, v in scores.items() if k != "talkativeness"} == \
        {k: v for k, v in evaluate(scenario, run.events).model_dump(mode="json").items()
         if k not in ("talkativeness", "outcome", "package", "rounds", "process")}
    # the results table and the terminal scorecard pick it up by iterating
    assert flatten_scores(scores)["talkativeness"] == toy["value"]
    assert flatten_scores(scores)["talkativeness.long"] == len(long)
    console = Console(width=100, record=True)
    console.print(scorecard_table(run.result, scenario))
    assert "talkativeness" in console.export_text()


def test_package_analysis_shows_only_metrics_that_need_no_transcript(talkativeness: None) -> None:
    scenario = load("northern-shield")
    package = {issue.id: issue.options[0].id for issue in scenario.issues}
    report = analyze_scenario(scenario, package, burden_reference="benefit")
    assert report.package is not None
    assert set(report.package.metrics) == {"burden_equity", "sovereignty_preservation"}
    doc = report.model_dump(mode="json")["package"]
    assert doc["burden_equity"]["parameters"] == {"reference": "benefit"}
    assert "metrics" not in doc and "talkativeness" not in doc
