"""Numbers for docs/findings.md: mediation style against agreement, trust change, durability.

Reads a sweep folder (results.parquet plus the episode transcripts), scores `durability`
from each transcript (so sweeps run before the metric existed can be read too), and prints,
per mediator, the agreement rate, the change in elicited trust, durability and their sum
(tension reduction), each with a 95% bootstrap interval (evals.experiments.compare), and the
pairwise differences against `none`. With `--before DIR` it also prints what stall detection
changed between two runs of the same spec: mean rounds saved and the change in agreement rate.

    python experiments/findings.py runs/mediation-style [--before runs/old-mediator-comparison]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

from treatylab.agents.transcript import loads_jsonl
from treatylab.evals.durability import durability, survival_curve
from treatylab.evals.experiments import compare, load_results
from treatylab.scenarios import load

METRICS = ["agreement", "trust.elicited_change", "durability", "tension_reduction"]


def with_durability(folder: Path) -> pd.DataFrame:
    frame = load_results(folder)
    scenarios = {}
    values, survived, periods = [], [], []
    for _, row in frame.iterrows():
        episode = folder / "episodes" / row["episode_id"]
        transcript = episode / "transcript.jsonl"
        if row["status"] != "done" or not transcript.exists():
            values.append(None), survived.append(None), periods.append(None)
            continue
        scenario = scenarios.setdefault(row["scenario"], load(row["scenario"]))
        result = durability(scenario, loads_jsonl(transcript.read_text(encoding="utf-8")))
        values.append(result.value)
        survived.append(result.components.get("periods_survived"))
        periods.append(result.components.get("periods"))
    frame = frame.assign(**{"durability": values, "durability.periods_survived": survived,
                            "durability.periods": periods})
    frame["durability"] = pd.to_numeric(frame["durability"])
    # Tension reduction: the change in elicited trust plus durability (breakdowns: trust only).
    frame["tension_reduction"] = (pd.to_numeric(frame["trust.elicited_change"])
                                  + frame["durability"].fillna(0.0))
    return frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sweep", type=Path)
    parser.add_argument("--before", type=Path, default=None)
    parser.add_argument("--mediators", nargs="*", default=["none", "facilitative", "formulative", "manipulative"])
    args = parser.parse_args()
    frame = with_durability(args.sweep)
    frame = frame[frame["mediator"].isin(args.mediators)]
    comparison = compare(frame, by="mediator", metrics=METRICS)
    print(f"{len(frame)} episodes, {frame['scenario'].nunique()} scenarios")
    for stat in comparison.stats:
        print(f"{stat.metric:<24} {stat.group:<14} {stat.mean:+.3f} [{stat.low:+.3f}, {stat.high:+.3f}] n={stat.n}")
    for pair in comparison.pairs:
        if "none" in (pair.a, pair.b):
            print(f"{pair.metric:<24} {pair.a} - {pair.b} = {pair.difference:+.3f} "
                  f"[{pair.low:+.3f}, {pair.high:+.3f}] p={pair.p:.4f}")
    curve = survival_curve(frame, "mediator")
    if curve is not None:
        print(curve.round(3).to_string())
    if args.before:
        before = load_results(args.before).set_index("episode_id")
        after = load_results(args.sweep).set_index("episode_id")
        both = before.merge(after, left_index=True, right_index=True, suffixes=("_before", "_after"))
        saved = (both["rounds_before"] - both["rounds_after"]).astype(float)
        change = both["agreement_after"].astype(float) - both["agreement_before"].astype(float)
        print(json.dumps({"episodes": len(both), "mean_rounds_saved": round(float(saved.mean()), 4),
                          "agreement_before": round(float(both["agreement_before"].astype(float).mean()), 4),
                          "agreement_after": round(float(both["agreement_after"].astype(float).mean()), 4),
                          "agreement_change": round(float(change.mean()), 4),
                          "episodes_with_stall": int((after.get("stalls", pd.Series(dtype=float)) > 0).sum())}))


if __name__ == "__main__":
    main()
