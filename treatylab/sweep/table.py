"""results.parquet: one row per planned episode, rebuilt from the episode folders.

The table is derived, never appended to: after every sweep (finished, failed or interrupted)
it is rebuilt from what is on disk, so it cannot disagree with the folders and a resumed
sweep never duplicates a row. Columns (docs/experiments.md lists them):

- config: episode_id, sweep, scenario, delegates, model, mediator, seed;
- status: status (done | failed | pending), failure_type, failure;
- outcome: outcome, agreement (bool), rounds, package (JSON text);
- usage, counted from the transcript: llm_calls, prompt_tokens, completion_tokens, tokens,
  repairs, failed_turns, latency_s (summed over calls), wall_s (the episode's wall time);
- compensation_paid: points the mediator owes (its text agreed with an offer attached);
- every numeric score of result.json's `scores`, flattened with dots (`trust`,
  `trust.structural`, ...): a nested score's headline (`value`, `composite` or `score`) takes
  the parent's name; and the `process` section as `process.*`.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from treatylab import outputs
from treatylab.sweep.plan import PlannedEpisode
from treatylab.sweep.store import RESULTS, episode_dir, read_failure

HEADLINE_KEYS = ("value", "composite", "score")
CONFIG_COLUMNS = ("episode_id", "sweep", "scenario", "delegates", "model", "mediator", "seed")
STATUS_COLUMNS = ("status", "failure_type", "failure")
OUTCOME_COLUMNS = ("outcome", "agreement", "rounds", "package")
USAGE_COLUMNS = ("llm_calls", "prompt_tokens", "completion_tokens", "tokens", "repairs",
                 "failed_turns", "latency_s", "wall_s", "compensation_paid")


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not (isinstance(value, float) and math.isnan(value))


def flatten_scores(scores: Any, prefix: str = "") -> dict[str, Any]:
    """Numeric (and boolean, and null) leaves of a nested score dict, keyed by dotted path."""
    out: dict[str, Any] = {}
    if isinstance(scores, dict):
        headline = next((k for k in HEADLINE_KEYS if k in scores
                         and (_number(scores[k]) or scores[k] is None)), None)
        if headline is not None and prefix:
            out[prefix] = scores[headline]
        for key, value in scores.items():
            if key == headline and prefix:
                continue
            out.update(flatten_scores(value, f"{prefix}.{key}" if prefix else str(key)))
    elif scores is None or isinstance(scores, (bool, int, float)):
        if prefix:
            out[prefix] = scores
    return out


def _usage(transcript: Path) -> dict[str, Any]:
    """Token counts, calls, repairs and failed turns from the transcript, read as plain JSON."""
    from agents.mediators.leverage import compensation_paid
    from agents.transcript import loads_jsonl

    counts = {"llm_calls": 0, "prompt_tokens": 0, "completion_tokens": 0, "repairs": 0,
              "failed_turns": 0, "latency_s": 0.0}
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
    counts["tokens"] = counts["prompt_tokens"] + counts["completion_tokens"]
    # Only mediator moves and outcomes decide compensation: parse just those lines as events.
    relevant = [line for line in text.splitlines()
                if '"kind": "mediator_move"' in line or '"kind": "outcome"' in line]
    counts["compensation_paid"] = float(sum(compensation_paid(loads_jsonl("\n".join(relevant))).values()))
    return counts


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
        row["status"] = "done"
        row["outcome"] = result.get("outcome")
        row["agreement"] = result.get("outcome") == "agreement"
        row["rounds"] = result.get("rounds")
        row["package"] = json.dumps(result.get("package"), sort_keys=True) if result.get("package") else None
        row.update(_usage(folder / outputs.TRANSCRIPT))
        row["wall_s"] = manifest.get("sweep", {}).get("wall_s")
        row.update(flatten_scores(result.get("scores", {})))
        row.update(flatten_scores(result.get("process", {}), "process") if result.get("process") else {})
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
    if "agreement" in frame:
        frame["agreement"] = frame["agreement"].astype("boolean")
    for column in ("failure_type", "failure", "outcome", "package"):
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
