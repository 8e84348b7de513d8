"""Experiment analysis: load a sweep's results and compare groups with resampled intervals.

`load_results(path)` returns the sweep's table (one row per episode) as a pandas DataFrame,
for notebooks and for `treatylab compare` / `treatylab report`. `compare(frame, by=...)`
gives, per group and metric, the mean with a 95% percentile-bootstrap interval, and for every
pair of groups the difference of means with its interval and a two-sided permutation p-value.

Design. A sweep runs every strategy on the same scenarios and seeds, so two groups usually
hold matched episodes (same scenario, delegates, model and seed). Then the comparison is
paired: the bootstrap resamples pair differences and the permutation test flips their signs.
Otherwise (e.g. grouping by scenario) it is unpaired. Only finished episodes count
(status "done"); failed ones are reported by the sweep, not averaged.

Resampling: `resamples` (default 10,000) bootstrap resamples and permutations per
statistic; each statistic has its own generator seeded from (seed, metric, groups), so
results do not depend on the order metrics are listed in. p-values are not corrected for
multiple comparisons.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict

from treatylab.agents.heuristics.seeding import rng as seeded
from treatylab.evals.resampling import bootstrap_difference, bootstrap_mean, permutation_p

RESAMPLES = 10_000
MATCH_KEYS = ("scenario", "delegates", "model", "mediator", "seed")
NON_METRICS = {
    "episode_id", "sweep", "scenario", "delegates", "model", "mediator", "seed", "status",
    "failure_type", "failure", "outcome", "package", "agreement", "rounds", "llm_calls",
    "prompt_tokens", "completion_tokens", "tokens", "repairs", "failed_turns", "latency_s",
    "wall_s", "compensation_paid",
    "frontier_size", "zone_of_agreement_size",  # properties of the scenario, not of the outcome
}


class ResultsError(ValueError):
    """The results file is missing or not a sweep table; the message says what to do."""


class GroupStat(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    group: str
    metric: str
    n: int
    mean: float
    low: float
    high: float


class PairStat(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    a: str
    b: str
    metric: str
    design: str
    n: int
    """Pairs when paired, else both groups' episodes together."""
    difference: float
    low: float
    high: float
    p: float


class Comparison(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    by: str
    metrics: list[str]
    groups: list[str]
    episodes: int
    excluded: int
    left_out: dict[str, dict[str, int]] = {}
    """Per group, the episodes not scored, by status (failed, budget, pending ...): a failed
    endpoint is not a breakdown, so such rows never enter a mean, and the reader sees how many."""
    resamples: int
    seed: int
    level: float = 0.95
    stats: list[GroupStat]
    pairs: list[PairStat]


def load_results(path: str | Path) -> pd.DataFrame:
    """The results table of a sweep: `results.parquet` itself or the sweep folder holding it.

    Raises:
        ResultsError: no such file, or a file that is not a sweep results table.
    """
    path = Path(path)
    if path.is_dir():
        path = path / "results.parquet"
    if not path.exists():
        raise ResultsError(f"{path}: no results table; run `treatylab sweep SPEC.yaml` first "
                           "(it writes <out>/results.parquet)")
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # noqa: BLE001 - any unreadable file gets the same advice
        raise ResultsError(f"{path}: not a readable parquet file ({type(exc).__name__})") from None
    if "episode_id" not in frame or "status" not in frame:
        raise ResultsError(f"{path}: not a sweep results table (no episode_id/status columns)")
    return frame


def score_columns(frame: pd.DataFrame) -> list[str]:
    """Score columns: numeric or boolean, not config, status, usage or process, and not the
    per-party columns (`advantage[aurelia]`), which differ from scenario to scenario."""
    return [c for c in frame.columns
            if c not in NON_METRICS and not c.startswith("process.") and "[" not in c
            and (pd.api.types.is_numeric_dtype(frame[c]) or _boolean(frame[c]))
            and frame[c].notna().any()]


def _boolean(series: pd.Series) -> bool:
    present = series.dropna()
    return bool(len(present)) and all(isinstance(v, (bool, np.bool_)) for v in present)


def default_metrics(frame: pd.DataFrame) -> list[str]:
    """Agreement rate, every score, rounds and tokens (the columns that exist)."""
    head = [c for c in ("agreement",) if c in frame]
    tail = [c for c in ("rounds", "tokens") if c in frame]
    return head + score_columns(frame) + tail


def as_float(series: pd.Series) -> np.ndarray:
    """Floats with NaN for missing values; booleans count as 1.0 / 0.0 (rates)."""
    values = [np.nan if v is None or v is pd.NA else float(v) for v in series.tolist()]
    return np.asarray(values, dtype=np.float64)


def _paired(frame: pd.DataFrame, by: str, a: str, b: str, metric: str) -> tuple[np.ndarray, np.ndarray] | None:
    keys = [k for k in MATCH_KEYS if k in frame and k != by]
    if not keys:
        return None
    left = frame[frame[by] == a].set_index(keys)[metric]
    right = frame[frame[by] == b].set_index(keys)[metric]
    if not left.index.is_unique or not right.index.is_unique or set(left.index) != set(right.index):
        return None
    right = right.loc[left.index]
    x, y = as_float(left), as_float(right)
    keep = ~(np.isnan(x) | np.isnan(y))
    return x[keep], y[keep]


def compare(frame: pd.DataFrame, by: str = "mediator", metrics: list[str] | None = None,
            resamples: int = RESAMPLES, seed: int = 0) -> Comparison:
    """Group means with bootstrap intervals and pairwise differences with p-values.

    Raises:
        ResultsError: `by` or a metric is not a column.
    """
    if by not in frame:
        raise ResultsError(f"--by '{by}' is not a column; choose one of "
                           f"{[c for c in ('mediator', 'delegates', 'model', 'scenario') if c in frame]}")
    chosen = list(metrics) if metrics else default_metrics(frame)
    missing = [m for m in chosen if m not in frame]
    if missing:
        raise ResultsError(f"--metric {missing[0]!r} is not a column; metrics here: {default_metrics(frame)}")
    done = frame[frame["status"] == "done"]
    groups = sorted(done[by].astype(str).unique())
    done = done.assign(**{by: done[by].astype(str)})
    stats = []
    for metric in chosen:
        for group in groups:
            values = as_float(done.loc[done[by] == group, metric])
            values = values[~np.isnan(values)]
            mean, low, high = bootstrap_mean(values, resamples, seeded(seed, "mean", metric, group))
            stats.append(GroupStat(group=group, metric=metric, n=int(values.size), mean=mean, low=low, high=high))
    pairs = []
    for metric in chosen:
        for a, b in itertools.combinations(groups, 2):
            pairs.append(_pair(done, by, a, b, metric, resamples, seed))
    return Comparison(by=by, metrics=chosen, groups=groups, episodes=int(len(done)),
                      excluded=int(len(frame) - len(done)), left_out=left_out_by_group(frame, by),
                      resamples=resamples, seed=seed, stats=stats, pairs=pairs)


def left_out_by_group(frame: pd.DataFrame, by: str) -> dict[str, dict[str, int]]:
    """Counts of the rows whose status is not "done", per group and status."""
    rest = frame[frame["status"] != "done"]
    counts: dict[str, dict[str, int]] = {}
    for (group, status), size in rest.groupby([rest[by].astype(str), rest["status"].astype(str)]).size().items():
        counts.setdefault(str(group), {})[str(status)] = int(size)
    return dict(sorted(counts.items()))


def _pair(done: pd.DataFrame, by: str, a: str, b: str, metric: str, resamples: int, seed: int) -> PairStat:
    matched = _paired(done, by, a, b, metric)
    if matched is not None:
        x, y, design = matched[0], matched[1], "paired"
    else:
        x = as_float(done.loc[done[by] == a, metric])
        y = as_float(done.loc[done[by] == b, metric])
        x, y, design = x[~np.isnan(x)], y[~np.isnan(y)], "unpaired"
    paired = design == "paired"
    diff, low, high = bootstrap_difference(x, y, resamples, seeded(seed, "diff", metric, a, b), paired)
    p = permutation_p(x, y, resamples, seeded(seed, "perm", metric, a, b), paired)
    n = int(x.size) if paired else int(x.size + y.size)
    return PairStat(a=a, b=b, metric=metric, design=design, n=n, difference=diff, low=low, high=high,
                    p=p if not math.isnan(p) else math.nan)
