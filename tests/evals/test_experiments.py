"""Comparisons and the HTML report on a small synthetic results table."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from treatylab.evals.experiments import ResultsError, compare, default_metrics, load_results
from treatylab.evals.report import write_report


def table() -> pd.DataFrame:
    rows = []
    for seed in range(3):
        for mediator, trust in (("formulative", [0.5, 0.6, 0.7]), ("oracle", [0.7, 0.8, 0.9])):
            rows.append({"episode_id": f"s--heuristic--{mediator}--s{seed}", "sweep": "t", "scenario": "s",
                         "delegates": "heuristic", "model": "heuristic", "mediator": mediator, "seed": seed,
                         "status": "done", "agreement": mediator == "oracle" or seed > 0, "rounds": 4 + seed,
                         "tokens": 0, "trust": trust[seed], "trust.structural": 0.5, "burden_equity": 0.8,
                         "pareto_optimal": None if seed == 0 else mediator == "oracle",
                         "process.failed_turns": 0})
    rows.append({"episode_id": "s--heuristic--oracle--s9", "sweep": "t", "scenario": "s", "delegates": "heuristic",
                 "model": "heuristic", "mediator": "oracle", "seed": 9, "status": "failed"})
    return pd.DataFrame(rows)


def test_default_metrics_are_agreement_scores_rounds_tokens() -> None:
    assert default_metrics(table()) == ["agreement", "trust", "trust.structural", "burden_equity", "pareto_optimal",
                                        "rounds", "tokens"]


def test_group_means_and_paired_differences() -> None:
    result = compare(table(), by="mediator", resamples=2000, seed=1)
    assert result.episodes == 6 and result.excluded == 1
    trust = {s.group: s for s in result.stats if s.metric == "trust"}
    assert trust["formulative"].mean == pytest.approx(0.6) and trust["oracle"].mean == pytest.approx(0.8)
    assert trust["formulative"].low == pytest.approx(0.5) and trust["formulative"].high == pytest.approx(0.7)
    pair = next(p for p in result.pairs if p.metric == "trust")
    # Every seed's oracle episode beats its formulative twin by exactly 0.2: a paired design
    # gives a degenerate interval, and the 2**3 sign flips give p = 2/8.
    assert (pair.a, pair.b, pair.design, pair.n) == ("formulative", "oracle", "paired", 3)
    assert (pair.difference, pair.low, pair.high) == pytest.approx((-0.2, -0.2, -0.2))
    assert pair.p == pytest.approx(0.25)
    agreement = {s.group: s.mean for s in result.stats if s.metric == "agreement"}
    assert agreement == pytest.approx({"formulative": 2 / 3, "oracle": 1.0})


def test_unpaired_when_episodes_do_not_match() -> None:
    frame = table()
    frame.loc[frame["mediator"] == "oracle", "seed"] += 100
    pair = next(p for p in compare(frame, resamples=500).pairs if p.metric == "trust")
    assert pair.design == "unpaired" and pair.n == 6


def test_bad_column_names(tmp_path: Path) -> None:
    with pytest.raises(ResultsError, match="--by 'colour' is not a column"):
        compare(table(), by="colour")
    with pytest.raises(ResultsError, match="--metric 'speed' is not a column"):
        compare(table(), metrics=["speed"])
    with pytest.raises(ResultsError, match="run `treatylab sweep"):
        load_results(tmp_path)


def test_load_results_reads_folder_or_file(tmp_path: Path) -> None:
    table().to_parquet(tmp_path / "results.parquet", index=False)
    assert len(load_results(tmp_path)) == 7
    assert len(load_results(tmp_path / "results.parquet")) == 7


def test_report_is_one_self_contained_file(tmp_path: Path) -> None:
    frame = table()
    frame["pareto_optimal"] = frame["pareto_optimal"].astype("boolean")
    path = write_report(frame, tmp_path / "report.html", resamples=500)
    text = path.read_text(encoding="utf-8")
    assert text.count("data:image/png;base64,") == 3  # agreement, distributions, trust vs equity
    assert not re.search(r"""(src|href)=["'](?!data:)""", text)
    assert "Pairwise differences" in text and "paired" in text and "[-0.200, -0.200]" in text


def test_compare_command_keeps_full_names_in_a_narrow_terminal(tmp_path: Path) -> None:
    table().to_parquet(tmp_path / "results.parquet", index=False)
    env = {**os.environ, "COLUMNS": "80"}
    proc = subprocess.run([sys.executable, "-m", "treatylab.cli", "compare", str(tmp_path), "--by", "mediator",
                           "--metric", "trust.structural", "--metric", "trust", "--resamples", "500"],
                          capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    assert max(len(line) for line in proc.stdout.splitlines()) <= 80
    assert "…" not in proc.stdout
    rows = [line for line in proc.stdout.splitlines() if "formulative - oracle" in line]
    assert len(rows) == 2  # one per metric, each under its metric's header row
    assert "-0.200" in rows[1] and "[-0.200, -0.200]" in rows[1] and "0.2500" in rows[1]
    assert "trust.structural" in proc.stdout and "1 episode(s) not done are left out" in proc.stdout
