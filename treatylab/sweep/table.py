"""results.parquet: one row per planned episode, rebuilt from the episode folders.

The table is derived, never appended to: after every sweep (finished, failed or interrupted)
it is rebuilt from what is on disk, so it cannot disagree with the folders and a resumed
sweep never duplicates a row. Columns (docs/experiments.md lists them):

- config: episode_id, sweep, scenario, delegates, model, mediator, seed;
- status: status (done | failed | budget | pending), failure_type, failure, budget_cap (the
  cap that stopped a `budget` episode);
- outcome: outcome, agreement (bool), rounds, package (JSON text);
- usage, counted from the transcript: llm_calls, prompt_tokens, completion_tokens, tokens,
  repairs, failed_turns, latency_s (summed over calls), wall_s (the episode's wall time);
- cost_usd: the episode's cost by the price table (treatylab.prices); null only when a model
  it called has no price;
- compensation_paid: points the mediator owes (its text agreed with an offer attached);
- stalls: stall events the protocol recorded (graphs.stall); stall_reason: the first one's
  reason (no_new_proposal | restated | accepted_while_talking), null without a stall;
- every numeric score of result.json's `scores`, flattened with dots: a metric's value takes
  its name (`trust`) and its components follow (`trust.structural`); maps keyed by party
  become `path[party]` (`advantage[aurelia]`); the `process` section becomes `process.*`.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from treatylab import outputs
from treatylab.sweep.plan import PlannedEpisode
from treatylab.sweep.store import RESULTS, episode_dir, read_failure

CONFIG_COLUMNS = ("episode_id", "sweep", "scenario", "delegates", "model", "mediator", "seed")
STATUS_COLUMNS = ("status", "failure_type", "failure", "budget_cap")
OUTCOME_COLUMNS = ("outcome", "agreement", "rounds", "package")
USAGE_COLUMNS = ("llm_calls", "prompt_tokens", "completion_tokens", "tokens", "repairs",
                 "failed_turns", "latency_s", "wall_s", "cost_usd", "compensation_paid", "stalls",
                 "stall_reason")


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not (isinstance(value, float) and math.isnan(value))


def flatten_scores(scores: Any, parties: frozenset[str] = frozenset(), prefix: str = "") -> dict[str, Any]:
    """Numeric and boolean leaves of a nested score dict, keyed by dotted path.

    A metric record (`value` + `components`, see evals.metric) becomes its name for the value
    and `name.component` for each component; its parameters and notes are provenance, not
    scores, and stay in result.json. A map keyed by party ids becomes `path[party]` columns.
    """
    out: dict[str, Any] = {}
    if isinstance(scores, dict):
        if prefix and "value" in scores and "components" in scores:
            out[prefix] = scores["value"]
            out.update(flatten_scores(scores["components"], parties, prefix))
            return out
        per_party = bool(scores) and bool(parties) and set(scores) <= parties
        for key, value in scores.items():
            path = f"{prefix}[{key}]" if per_party else (f"{prefix}.{key}" if prefix else str(key))
            out.update(flatten_scores(value, parties, path))
    elif isinstance(scores, (bool, int, float)) and prefix:
        out[prefix] = scores  # null scores are left out: missing values in the table
    return out


def _usage(transcript: Path) -> dict[str, Any]:
    """Token counts, calls, repairs and failed turns from the transcript, read as plain JSON."""
    from treatylab.agents.mediators.leverage import compensation_paid
    from treatylab.agents.transcript import loads_jsonl

    counts: dict[str, Any] = {"llm_calls": 0, "prompt_tokens": 0, "completion_tokens": 0,
                              "repairs": 0, "failed_turns": 0, "latency_s": 0.0, "stalls": 0,
                              "stall_reason": None}
    text = transcript.read_text(encoding="utf-8")
    for line in text.splitlines():
        event = json.loads(line)
        if event["kind"] == "usage":
            payload = event["payload"]
            counts["llm_calls"] += 1
            counts["prompt_tokens"] += int(payload.get("prompt_tokens", 0))
            counts["completion_tokens"] += int(payload.get("completion_tokens", 0))
            counts["repairs"] += int(bool(payload.get("repair")))
            counts["latency_s"] += float(payload.get("latency_ms", 0.0)) / 1000.0
        elif event["kind"] == "failed_turn":
            counts["failed_turns"] += 1
        elif event["kind"] == "stall":  # graphs.stall: talks going round in circles
            counts["stalls"] += 1
            counts["stall_reason"] = counts["stall_reason"] or event["payload"]["reason"]
    counts["tokens"] = counts["prompt_tokens"] + counts["completion_tokens"]
    # Only mediator moves and outcomes decide compensation: parse just those lines as events.
    relevant = [line for line in text.splitlines()
                if '"kind": "mediator_move"' in line or '"kind": "outcome"' in line]
    counts["compensation_paid"] = float(sum(compensation_paid(loads_jsonl("\n".join(relevant))).values()))
    return counts


@lru_cache(maxsize=64)
def _party_ids(scenario_file: str) -> tuple[str, ...]:
    from treatylab.scenarios import load

    return tuple(load(scenario_file).party_ids())


def episode_row(out: Path, episode: PlannedEpisode, sweep: str) -> dict[str, Any]:
    row: dict[str, Any] = {
        "episode_id": episode.episode_id, "sweep": sweep, "scenario": episode.scenario,
        "delegates": episode.delegates, "model": episode.model, "mediator": episode.mediator,
        "seed": episode.seed, "status": "pending", "failure_type": None, "failure": None,
    }
    folder = episode_dir(out, episode.episode_id)
    result_path = folder / outputs.RESULT
    if result_path.exists():
        result = json.loads(result_path.read_text(encoding="utf-8"))
        manifest = json.loads((folder / outputs.MANIFEST).read_text(encoding="utf-8"))
        row["status"] = result.get("status") or "done"
        row["budget_cap"] = (result.get("budget") or {}).get("cap")
        row["cost_usd"] = result.get("cost_usd")
        row["outcome"] = result.get("outcome")
        row["agreement"] = result.get("outcome") == "agreement"
        row["rounds"] = result.get("rounds")
        row["package"] = json.dumps(result.get("package"), sort_keys=True) if result.get("package") else None
        row.update(_usage(folder / outputs.TRANSCRIPT))
        row["wall_s"] = manifest.get("sweep", {}).get("wall_s")
        parties = frozenset(_party_ids(episode.scenario_file))
        row.update(flatten_scores(result.get("scores", {}), parties))
        row.update(flatten_scores(result.get("process", {}), parties, "process"))
        return row
    failure = read_failure(folder)
    if failure is not None:
        row.update(status="failed", failure_type=failure.get("error_type"), failure=failure.get("reason"))
    return row


def build_results(out: Path, episodes: list[PlannedEpisode], sweep: str) -> pd.DataFrame:
    rows = [episode_row(out, episode, sweep) for episode in episodes]
    frame = pd.DataFrame(rows)
    fixed = [c for c in (*CONFIG_COLUMNS, *STATUS_COLUMNS, *OUTCOME_COLUMNS, *USAGE_COLUMNS) if c in frame]
    rest = sorted(c for c in frame.columns if c not in fixed)
    frame = frame[fixed + rest]
    for column in frame.columns:  # booleans with gaps (breakdowns, failures): nullable booleans
        present = frame[column].dropna()
        if frame[column].dtype == object and len(present) and all(isinstance(v, bool) for v in present):
            frame[column] = frame[column].astype("boolean")
    if "agreement" in frame:
        frame["agreement"] = frame["agreement"].astype("boolean")
    if "cost_usd" in frame:
        frame["cost_usd"] = frame["cost_usd"].astype("Float64")
    for column in ("failure_type", "failure", "outcome", "package", "budget_cap", "stall_reason"):
        if column in frame:
            frame[column] = frame[column].astype("string")
    return frame


def write_results(out: Path, episodes: list[PlannedEpisode], sweep: str = "") -> Path:
    """Rebuild results.parquet atomically (temporary file + rename)."""
    sweep = sweep or out.name
    frame = build_results(out, episodes, sweep)
    target = out / RESULTS
    fd, tmp = tempfile.mkstemp(prefix=f".{RESULTS}.", dir=out)
    os.close(fd)
    try:
        frame.to_parquet(tmp, index=False)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
