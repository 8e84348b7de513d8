"""Spending caps: per-episode limits checked before every LLM call, and a per-sweep budget.

Per episode (`RunConfig.max_tokens`, `max_cost`, `max_calls`; `--max-*` on `run`, `config:` in
a sweep spec): an `EpisodeMeter` wraps each LLM seat's chat (`attach`) and, before every HTTP
attempt (retries and repairs included), estimates the call (prompt: its characters / 4;
completion: the mean of this episode's answers so far, `FIRST_COMPLETION_TOKENS` before
the first) and refuses it when spent + in flight + estimate would pass a cap. The refusal
raises `BudgetExceeded`; the runner ends the episode with `status: "budget"` and keeps the
events of every finished step. Calls the meter admitted are counted in full, so the cap holds
for what was recorded: a refused call is never sent.

Parallel delegate turns start their calls together; each is admitted against the others'
estimates (reservations), so a step never overshoots a cap by more than its estimates' error.

Per sweep (`budget:` in the spec): totals over the sweep's episodes. When the spend of
finished episodes reaches it, the sweep stops launching: it writes `<out>/.budget-stop` and
every executor checks that file before it starts an episode. Episodes already in flight
finish (their own caps still apply), so a sweep can pass its budget by at most what its
in-flight episodes spend. Raising the budget and re-running resumes the episodes held back.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from treatylab.errors import UserError
from treatylab.prices import PriceTable

Cap = Literal["max_tokens", "max_cost", "max_calls"]
FIRST_COMPLETION_TOKENS = 256
"""Completion estimate before an episode has seen an answer (a typical action is 100-300)."""
STOP_FILE = ".budget-stop"


class Caps(BaseModel):
    """Limits on spending; None: no limit. Episodes take them from the run config."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_tokens: int | None = Field(default=None, ge=1, description="Prompt + completion tokens.")
    max_cost: float | None = Field(default=None, gt=0, description="US dollars, by the price table.")
    max_calls: int | None = Field(default=None, ge=1, description="HTTP attempts to the endpoint.")

    @classmethod
    def of(cls, config: Any) -> Caps:
        return cls(**{name: getattr(config, name, None) for name in cls.model_fields})

    def any(self) -> bool:
        return any(v is not None for v in self.model_dump().values())


class Spend(BaseModel):
    """What was spent: calls, tokens and dollars (None when a called model has no price)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    calls: int = 0
    tokens: int = 0
    cost_usd: float | None = 0.0


class BudgetStop(BaseModel):
    """Why an episode (or a sweep) stopped spending; goes into result.json as `budget`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    cap: Cap
    limit: float
    spent: Spend
    refused: dict[str, Any] = Field(default_factory=dict, description=(
        "The refused call: model, its estimates, and what was spent and in flight when it came."))
    message: str


class BudgetExceeded(Exception):
    """Raised before a call that would pass a cap; the call is not made."""

    def __init__(self, stop: BudgetStop) -> None:
        super().__init__(stop.message)
        self.stop = stop


def estimate_prompt_tokens(messages: Iterable[Mapping[str, Any]]) -> int:
    """About 4 characters per token: OpenAI's rule of thumb for English, the simulator's count."""
    return max(1, math.ceil(sum(len(str(m.get("content") or "")) for m in messages) / 4))


@dataclass
class Ticket:
    tokens: int
    cost: float


class EpisodeMeter:
    """Counts one episode's calls and refuses the one that would pass a cap."""

    def __init__(self, caps: Caps, prices: PriceTable) -> None:
        self.caps, self.prices = caps, prices
        self.calls = 0
        self.tokens = 0
        self.cost: float | None = 0.0
        self._reserved_tokens = 0
        self._reserved_cost = 0.0
        self._answers = 0
        self._completion = 0

    def seed(self, usages: Iterable[Any]) -> None:
        """Count calls an earlier process made (a resumed checkpoint's usage events)."""
        for usage in usages:
            self._add(usage.model, usage.model, usage.prompt_tokens, usage.completion_tokens)

    def spent(self) -> Spend:
        cost = None if self.cost is None else round(self.cost, 8)
        return Spend(calls=self.calls, tokens=self.tokens, cost_usd=cost)

    def admit(self, model: str, messages: list[dict[str, Any]]) -> Ticket:
        """Reserve the call's estimate, or raise BudgetExceeded without making it."""
        completion = round(self._completion / self._answers) if self._answers else FIRST_COMPLETION_TOKENS
        prompt = estimate_prompt_tokens(messages)
        price = self.prices.price_for(model)
        cost = price.cost(prompt, completion) if price else 0.0
        refused = {"model": model, "estimated_tokens": prompt + completion,
                   "estimated_cost_usd": round(cost, 8) if price else None,
                   "spent_tokens": self.tokens, "in_flight_tokens": self._reserved_tokens,
                   "in_flight_cost_usd": round(self._reserved_cost, 8)}
        caps = self.caps
        if caps.max_calls is not None and self.calls + 1 > caps.max_calls:
            self._refuse("max_calls", caps.max_calls, refused, f"call {self.calls + 1} would pass "
                         f"the cap of {caps.max_calls} calls")
        if caps.max_tokens is not None and self.tokens + self._reserved_tokens + prompt + completion > caps.max_tokens:
            self._refuse("max_tokens", caps.max_tokens, refused,
                         f"a call of about {prompt + completion} tokens would pass the cap of "
                         f"{caps.max_tokens} tokens ({self.tokens} spent)")
        if caps.max_cost is not None:
            spent = (self.cost or 0.0) + self._reserved_cost
            if price is None or spent + cost > caps.max_cost:
                self._refuse("max_cost", caps.max_cost, refused,
                             f"a call of about ${cost:.6f} would pass the cap of ${caps.max_cost:g} "
                             f"(${spent:.6f} spent)")
        self.calls += 1
        self._reserved_tokens += prompt + completion
        self._reserved_cost += cost
        return Ticket(prompt + completion, cost)

    def settle(self, ticket: Ticket, model: str, usage: Any) -> None:
        """Replace the reservation by what the call really used."""
        self.release(ticket)
        self._add(usage.model, model, usage.prompt_tokens, usage.completion_tokens)
        if usage.error is None and usage.completion_tokens:
            self._answers += 1
            self._completion += usage.completion_tokens

    def release(self, ticket: Ticket) -> None:
        self._reserved_tokens -= ticket.tokens
        self._reserved_cost -= ticket.cost

    def _add(self, reported: str, requested: str, prompt: int, completion: int) -> None:
        self.tokens += prompt + completion
        price = self.prices.price_for(reported) or self.prices.price_for(requested)
        if price is None:
            self.cost = None
        elif self.cost is not None:
            self.cost += price.cost(prompt, completion)

    def _refuse(self, cap: Cap, limit: float, refused: dict[str, Any], message: str) -> None:
        raise BudgetExceeded(BudgetStop(cap=cap, limit=limit, spent=self.spent(), refused=refused,
                                        message=f"budget: {message}"))


class MeteredChat:
    """A seat's structured chat with the meter in front: admit, call, settle."""

    def __init__(self, inner: Any, meter: EpisodeMeter) -> None:
        self.inner, self.meter = inner, meter

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def aperform(self, call: Any) -> Any:
        ticket = self.meter.admit(self.inner.model, call.messages)
        try:
            outcome = await self.inner.aperform(call)
        except BaseException:
            self.meter.release(ticket)
            raise
        self.meter.settle(ticket, self.inner.model, outcome.usage)
        return outcome

    def perform(self, call: Any) -> Any:
        ticket = self.meter.admit(self.inner.model, call.messages)
        try:
            outcome = self.inner.perform(call)
        except BaseException:
            self.meter.release(ticket)
            raise
        self.meter.settle(ticket, self.inner.model, outcome.usage)
        return outcome


def attach(backends: Mapping[str, Any], meter: EpisodeMeter) -> None:
    """Put `meter` in front of every seat that talks to an LLM through a structured chat."""
    for backend in backends.values():
        chat = getattr(backend, "chat", None)
        if chat is not None and hasattr(chat, "aperform") and not isinstance(chat, MeteredChat):
            backend.chat = MeteredChat(chat, meter)


def check_priced(config: Any, prices: PriceTable) -> None:
    """A cost cap needs a price for every model the episode calls.

    Raises:
        UserError: `max_cost` is set and a seat's model matches no price-table entry.
    """
    if getattr(config, "max_cost", None) is None:
        return
    models = sorted({spec.partition(":")[2] for spec in config.seat_specs() if spec.startswith("openai:")})
    unpriced = [m for m in models if prices.price_for(m) is None]
    if unpriced:
        raise UserError(f"--max-cost: model {unpriced[0]!r} has no price in {prices.provenance()['source']}; "
                        "add an entry for it to a copy of the table and pass --prices FILE")


# -- per sweep --------------------------------------------------------------------------------
class SweepBudget:
    """The sweep's totals against its `budget:`; a stop file tells every executor to hold off."""

    def __init__(self, caps: Caps, out: Path) -> None:
        self.caps, self.out = caps, out
        self.calls, self.tokens, self.cost = 0, 0, 0.0
        (out / STOP_FILE).unlink(missing_ok=True)

    def add(self, calls: int, tokens: int, cost: float | None) -> None:
        self.calls += calls
        self.tokens += tokens
        self.cost += cost or 0.0
        reason = self.reached()
        if reason is not None:
            from treatylab import outputs

            outputs.atomic_write(self.out / STOP_FILE, reason + "\n")

    def reached(self) -> str | None:
        caps = self.caps
        if caps.max_cost is not None and self.cost >= caps.max_cost:
            return f"cost ${self.cost:.4f} reached the sweep budget of ${caps.max_cost:g}"
        if caps.max_tokens is not None and self.tokens >= caps.max_tokens:
            return f"{self.tokens} tokens reached the sweep budget of {caps.max_tokens}"
        if caps.max_calls is not None and self.calls >= caps.max_calls:
            return f"{self.calls} calls reached the sweep budget of {caps.max_calls}"
        return None


def held_back(out: Path) -> str | None:
    """The reason the sweep in `out` stopped launching, if it did (read by every executor)."""
    path = out / STOP_FILE
    try:
        return path.read_text(encoding="utf-8").strip() or "the sweep budget was reached"
    except OSError:
        return None


# -- the runner's side ------------------------------------------------------------------------
async def seed_from_checkpoint(meter: EpisodeMeter, graph: Any, thread: str) -> None:
    """Count what a resumed checkpoint already spent, so a cap holds across the resume."""
    from treatylab.agents.transcript import UsageEvent, events_from_dicts

    snapshot = await graph.aget_state({"configurable": {"thread_id": thread}})
    if snapshot.created_at is None:
        return
    events = events_from_dicts((snapshot.values or {}).get("events") or [])
    meter.seed(e.payload for e in events if isinstance(e, UsageEvent))


def settle_result(result: dict[str, Any], events: list[Any], meter: EpisodeMeter,
                  stop: BudgetStop | None) -> dict[str, Any]:
    """result.json's spending fields: `cost_usd` of the recorded calls and the `budget` stop.

    A stopped episode gets `status: "budget"`; like a failed one it has no outcome or scores
    (scoring half a negotiation would read as a breakdown), and its `process` says how far it got.
    """
    from treatylab.agents.transcript import UsageEvent
    from treatylab.prices import usage_cost

    result["cost_usd"] = usage_cost((e.payload for e in events if isinstance(e, UsageEvent)), meter.prices)
    result["budget"] = None
    if stop is not None:
        result["status"] = "budget"
        result["budget"] = stop.model_copy(update={"spent": meter.spent()}).model_dump(mode="json")
    return result
