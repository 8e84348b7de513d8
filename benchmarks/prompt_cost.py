"""Prompt cost and view-building time: what issue 16's prompt and view targets measure.

Method (all in process, heuristic backends; the prompts are rendered by the same function
the OpenAI backend sends, `agents.backends.prompting.initial_messages`):

- **Prompt tokens vs a naive full-transcript prompt.** Every view an actor gets in one
  episode of the flagship (`northern-shield`, formulative mediator, seed 1) is rendered. The
  naive baseline for the same call is the same system message (instructions and the
  episode-constant data) plus every transcript event visible to that actor so far, each as
  one line of JSON, plus the same task text: what a prompt that sends the whole transcript
  each turn costs, with no summary and no window. Tokens are estimated as characters / 4
  (tiktoken is not installed here; the ratios do not depend on the divisor). Run for the
  scenario's 6 rounds and with `max_rounds` raised to 20.
- **Shared prefix.** For each actor, the length of the common prefix of each prompt
  (system + user text) with that actor's previous prompt, as a share of the prompt; the mean
  over all prompts that have a predecessor.
- **View-building time.** A 36-round transcript: a real flagship episode's events with its
  bargaining rounds repeated and renumbered (a real episode ends earlier: the baselines agree,
  or the protocol stops a stalled negotiation). Round by round, as the graph does, every
  delegate's and the mediator's bargaining view is built with `graphs.views.delegate_view` /
  `mediator_view` from the transcript so far (one transcript object, so the ledger is kept
  incrementally); the median time per call of rounds 5-7 is compared with rounds 33-35,
  over 5 passes.
- **Episode CPU.** `time.process_time` of a whole flagship episode (evaluation included) with
  `max_rounds` 6 and 20 (median of 3).

    python benchmarks/prompt_cost.py [--seed 1]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from collections import defaultdict

from treatylab.agents.backends.recorder import ViewRecorder
from treatylab.agents.backends.prompting import initial_messages
from treatylab.agents.transcript import MEDIATOR, event_to_dict
from treatylab.agents.views import DelegateView, View
from treatylab.graphs import RunConfig
from treatylab.graphs import views as view_module
from treatylab.graphs.record import HIDDEN_KINDS, visible_to
from treatylab.runner import run_episode
from treatylab.scenarios import load


def tokens(text: str) -> int:
    return -(-len(text) // 4)



def _with_rounds(scenario, rounds: int):
    return scenario.model_copy(update={"rules": scenario.rules.model_copy(update={"max_rounds": rounds})})


def _run(scenario, config, backends=None):
    return asyncio.run(run_episode(scenario, config, backends=backends))


def _naive(view: View, messages, events) -> str:
    actor = view.party_id if isinstance(view, DelegateView) else MEDIATOR
    cutoff = view.record.recent[-1].seq if view.record.recent else -1
    seen = [json.dumps(event_to_dict(e), sort_keys=True, ensure_ascii=False) for e in events
            if e.seq <= cutoff and visible_to(e, actor) and e.kind not in HIDDEN_KINDS]
    task = messages[1]["content"].rsplit(">>>", 1)[-1]
    return messages[0]["content"] + "\n" + "\n".join(seen) + task


def prompt_figures(scenario, seed: int) -> dict:
    config = RunConfig(mediator="formulative", seed=seed)
    backends = {p: ViewRecorder() for p in scenario.party_ids()}
    backends[MEDIATOR] = ViewRecorder()
    run = _run(scenario, config, backends)
    ours = naive = 0
    shares = []
    for backend in backends.values():
        previous = None
        for view in backend.views:
            messages = initial_messages(view)
            text = messages[0]["content"] + "\n" + messages[1]["content"]
            ours += tokens(text)
            naive += tokens(_naive(view, messages, run.events))
            if previous is not None:
                shares.append(len(os.path.commonprefix([previous, text])) / len(text))
            previous = text
    rounds = max(e.round for e in run.events if e.stage == "bargain")
    calls = sum(len(b.views) for b in backends.values())
    return {"rounds": rounds, "outcome": run.result["outcome"], "calls": calls,
            "tokens": ours, "naive_tokens": naive, "ratio": ours / naive,
            "prefix_share": statistics.mean(shares)}


def _long_transcript(scenario, seed: int, rounds: int) -> list:
    """A real episode's events, its bargaining rounds repeated (renumbered) up to `rounds`."""
    events = _run(_with_rounds(scenario, 20), RunConfig(mediator="formulative", seed=seed)).events
    head = [e for e in events if e.stage in ("prepare", "open", "clarify")]
    played = sorted({e.round for e in events if e.stage == "bargain"})
    by_round = {r: [e for e in events if e.stage == "bargain" and e.round == r] for r in played}
    out = list(head)
    for r in range(1, rounds + 1):
        source = by_round[played[(r - 1) % len(played)]]
        out.extend(e.model_copy(update={"round": r, "seq": len(out) + i}) for i, e in enumerate(source))
    return out


def view_times(scenario, seed: int, passes: int = 5) -> dict:
    """Per-call time of building every actor's bargaining view, round by round, as the graph does."""
    events = _long_transcript(scenario, seed, 36)
    config = RunConfig(mediator="formulative", seed=seed)
    ends = {r: max(i for i, e in enumerate(events) if e.stage == "bargain" and e.round == r) + 1
            for r in range(1, 37)}
    per_round: dict[int, list[float]] = defaultdict(list)
    for _ in range(passes):
        copies = [e.model_copy() for e in events]  # a fresh transcript: a fresh ledger
        for r in range(2, 37):
            prefix = copies[:ends[r - 1]]
            started = time.perf_counter()
            for party in scenario.party_ids():
                view_module.delegate_view(scenario, config, prefix, party, stage="bargain",
                                          round_=r, expected="delegate_action")
            view_module.mediator_view(scenario, config, prefix, stage="bargain", round_=r,
                                      oracle=False)
            per_round[r].append((time.perf_counter() - started) / (len(scenario.parties) + 1))
    early = statistics.median([t for r in (5, 6, 7) for t in per_round[r]])
    late = statistics.median([t for r in (33, 34, 35) for t in per_round[r]])
    return {"round_6_ms": early * 1e3, "round_34_ms": late * 1e3, "ratio": late / early,
            "events_6": ends[6], "events_34": ends[34]}


def episode_cpu(scenario, seed: int, rounds: int) -> float:
    config = RunConfig(mediator="formulative", seed=seed)
    samples = []
    for _ in range(3):
        started = time.process_time()
        _run(_with_rounds(scenario, rounds), config)
        samples.append(time.process_time() - started)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    flagship = load("northern-shield")
    _run(flagship, RunConfig(mediator="formulative", seed=args.seed))  # warm-up: imports, caches
    for rounds, target in ((6, 0.45), (20, 0.3)):
        f = prompt_figures(_with_rounds(flagship, rounds), args.seed)
        print(f"prompts, max_rounds {rounds}: {f['rounds']} rounds ({f['outcome']}), {f['calls']} calls, "
              f"{f['tokens']} tokens vs naive {f['naive_tokens']}: ratio {f['ratio']:.3f} "
              f"(target <= {target}); mean shared prefix {f['prefix_share']:.3f} (target >= 0.6)")
    v = view_times(flagship, args.seed)
    print(f"view building per call: round 6 ({v['events_6']} events) {v['round_6_ms']:.3f} ms, "
          f"round 34 ({v['events_34']} events) {v['round_34_ms']:.3f} ms: "
          f"ratio {v['ratio']:.2f} (target <= 1.2)")
    six, twenty = episode_cpu(flagship, args.seed, 6), episode_cpu(flagship, args.seed, 20)
    print(f"heuristic episode CPU (max_rounds 6 vs 20): 6 rounds {six * 1e3:.0f} ms, "
          f"20 rounds {twenty * 1e3:.0f} ms: ratio {twenty / six:.2f} (target <= 3.6)")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
