"""`treatylab sweep SPEC --dry-run`: what a sweep would spend, before anything is spent.

Nothing is called: the figures come from the scenario sizes and the price table.

- **Calls** per LLM seat: prepare, open and clarify once each, one per bargaining round (all
  `max_rounds` played), two for the draft (a draft and an amendment answer), two to finalize
  (a rejection sends the text back once), one per implementation period. An acting mediator
  on an LLM: clarify, one per round, two for the draft. Repairs and retries come on top.
- **Prompt tokens** per call: the first prompt is the instructions (`BASE_PROMPT_TOKENS`)
  plus the scenario's public and private text and its option table at 4 characters a token;
  later prompts carry the record so far, on average `GROWTH` times the first.
- **Completion tokens** per call: `COMPLETION_TOKENS`, a typical structured action.
The constants were measured on simulator runs of island-compact (2 parties) and
northern-shield (5 parties): these rules give 32 and 80 delegate calls against 32 and 65
made (northern-shield agreed in round 5), and prompts within 5% of the measured means, so
the estimate is an upper bound of the usual case, not a guarantee.
"""

from __future__ import annotations

import math

from pydantic import BaseModel, ConfigDict

from treatylab.agents import mediators
from treatylab.scenarios.schema import Scenario
from treatylab.prices import PriceTable
from treatylab.sweep.plan import PlannedEpisode

BASE_PROMPT_TOKENS = 2200
OPTION_TOKENS = 20
GROWTH = 1.85
COMPLETION_TOKENS = 250


class EpisodeEstimate(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    calls: int
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float | None

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


class SweepEstimate(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    episodes: int
    llm_episodes: int
    to_run: int
    calls: int
    tokens: int
    cost_usd: float | None
    unpriced: list[str]


def first_prompt_tokens(scenario: Scenario) -> int:
    text = len(scenario.background) + sum(len(p.private_brief) + len(p.persona) for p in scenario.parties)
    options = sum(len(issue.options) for issue in scenario.issues)
    return BASE_PROMPT_TOKENS + math.ceil(text / 4) + OPTION_TOKENS * options


def seat_calls(scenario: Scenario) -> tuple[int, int]:
    """(calls per LLM delegate seat, calls of an acting LLM mediator)."""
    rounds, periods = scenario.rules.max_rounds, scenario.rules.implementation_periods
    return 3 + rounds + 2 + 2 + periods, 1 + rounds + 2


def estimate_episode(episode: PlannedEpisode, scenario: Scenario, prices: PriceTable) -> EpisodeEstimate:
    config = episode.config
    delegate_calls, mediator_calls = seat_calls(scenario)
    calls_by_model: dict[str, int] = {}
    for party in scenario.party_ids():
        spec = config.backend_for(party)
        if spec.startswith("openai:"):
            model = spec.partition(":")[2]
            calls_by_model[model] = calls_by_model.get(model, 0) + delegate_calls
    if config.mediator != "none" and mediators.get(config.mediator).acts and config.mediator_backend.startswith("openai:"):
        model = config.mediator_backend.partition(":")[2]
        calls_by_model[model] = calls_by_model.get(model, 0) + mediator_calls
    per_call = round(first_prompt_tokens(scenario) * GROWTH)
    calls = sum(calls_by_model.values())
    cost: float | None = 0.0
    for model, n in calls_by_model.items():
        one = prices.cost(model, n * per_call, n * COMPLETION_TOKENS)
        cost = None if one is None or cost is None else cost + one
    return EpisodeEstimate(calls=calls, prompt_tokens=calls * per_call,
                           completion_tokens=calls * COMPLETION_TOKENS,
                           cost_usd=None if cost is None else round(cost, 6))


def estimate_sweep(episodes: list[PlannedEpisode], scenarios: dict[str, Scenario],
                   prices: PriceTable, finished: set[str]) -> SweepEstimate:
    """Totals over the episodes not yet finished (a resumed sweep spends only on those)."""
    todo = [e for e in episodes if e.episode_id not in finished]
    calls = tokens = 0
    cost: float | None = 0.0
    unpriced: set[str] = set()
    for episode in todo:
        one = estimate_episode(episode, scenarios[episode.scenario], prices)
        calls += one.calls
        tokens += one.tokens
        if one.cost_usd is None:
            unpriced.add(episode.model)
            cost = None
        elif cost is not None:
            cost += one.cost_usd
    return SweepEstimate(episodes=len(episodes), llm_episodes=sum(e.uses_llm for e in episodes),
                         to_run=len(todo), calls=calls, tokens=tokens,
                         cost_usd=None if cost is None else round(cost, 4), unpriced=sorted(unpriced))
