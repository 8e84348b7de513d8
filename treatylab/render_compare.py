"""Print a strategy comparison as two rich tables: groups, then pairwise differences."""

from __future__ import annotations

import math

from rich.console import Console
from rich.table import Table

from treatylab.evals.experiments import Comparison


def _num(value: float, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}"


def _p(value: float) -> str:
    if value is None or math.isnan(value):
        return "-"
    return f"{value:.4f}" if value >= 0.0001 else "<0.0001"


def print_comparison(console: Console, comparison: Comparison) -> None:
    """Long format (one row per metric and group), so it reads in a narrow terminal too."""
    level = int(comparison.level * 100)
    groups = Table(title=f"Mean and {level}% bootstrap interval by {comparison.by} "
                         f"({comparison.episodes} episodes, {comparison.resamples:,} resamples)")
    for column in ("metric", comparison.by, "n", "mean", "interval"):
        groups.add_column(column, justify="right" if column in ("n", "mean", "interval") else "left",
                          overflow="fold")
    for metric in comparison.metrics:
        for index, group in enumerate(comparison.groups):
            stat = next(s for s in comparison.stats if s.metric == metric and s.group == group)
            groups.add_row(metric if index == 0 else "", group, str(stat.n), _num(stat.mean),
                           f"[{_num(stat.low)}, {_num(stat.high)}]", end_section=index == len(comparison.groups) - 1)
    console.print(groups)
    pairs = Table(title=f"Differences a - b, {level}% bootstrap interval, two-sided permutation p "
                        f"({comparison.resamples:,} permutations, or exact; seed {comparison.seed}); "
                        "paired over matched episodes unless marked")
    # One header row per metric and one row per pair: full names in a narrow terminal, where
    # separate metric / a / b columns would cut "burden_equity.gini" down to "burden…".
    pairs.add_column("metric: a - b", overflow="fold")
    for column in ("n", "a - b", "interval", "p"):
        pairs.add_column(column, justify="right", no_wrap=True)
    for index, pair in enumerate(comparison.pairs):
        last = index + 1 == len(comparison.pairs) or comparison.pairs[index + 1].metric != pair.metric
        if index == 0 or comparison.pairs[index - 1].metric != pair.metric:
            pairs.add_row(f"[bold]{pair.metric}[/bold]", "", "", "", "")
        marker = "" if pair.design == "paired" else f" ({pair.design})"
        pairs.add_row(f"  {pair.a} - {pair.b}{marker}", str(pair.n), _num(pair.difference),
                      f"[{_num(pair.low)}, {_num(pair.high)}]", _p(pair.p), end_section=last)
    console.print(pairs)
    if comparison.excluded:
        console.print(f"{comparison.excluded} episode(s) not done are left out of every figure above:")
        for group, statuses in comparison.left_out.items():
            listed = ", ".join(f"{count} {status}" for status, count in sorted(statuses.items()))
            console.print(f"  {comparison.by} {group}: {listed}")
