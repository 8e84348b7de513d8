"""One self-contained HTML report of a sweep: plots inline (base64 PNG), tables, no assets.

Sections: what was run; agreement rate per group with its 95% interval; the distribution of
every headline score per group; trust against burden equity, one point per agreed episode;
then the comparison tables of `evals.experiments.compare` (means with intervals, pairwise
differences with intervals and permutation p-values). Plots are drawn with matplotlib's Agg
backend, so no display is needed.
"""

from __future__ import annotations

import base64
import html
import io
import math
import os
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from treatylab.evals.experiments import Comparison, as_float, compare, score_columns  # noqa: E402

TRUST_COLUMNS = ("trust", "trust.composite")
EQUITY_HINTS = ("burden_equity", "burden.equity", "burden")
MAX_SCORE_PANELS = 9


def _png(figure: plt.Figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(figure)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img alt="plot" src="data:image/png;base64,{data}">'


def _stat(comparison: Comparison, metric: str, group: str):  # noqa: ANN202 - GroupStat
    return next(s for s in comparison.stats if s.metric == metric and s.group == group)


def agreement_plot(comparison: Comparison) -> str:
    if "agreement" not in comparison.metrics:
        return "<p>No agreement column.</p>"
    stats = [_stat(comparison, "agreement", g) for g in comparison.groups]
    figure, axis = plt.subplots(figsize=(1.2 + 1.1 * len(stats), 3.2))
    means = np.array([s.mean for s in stats])
    errors = np.array([[s.mean - s.low for s in stats], [s.high - s.mean for s in stats]])
    axis.bar(range(len(stats)), means, yerr=errors, capsize=4, color="#4c72b0")
    axis.set_xticks(range(len(stats)), [s.group for s in stats], rotation=30, ha="right")
    axis.set_ylim(0, 1.05)
    axis.set_ylabel("agreement rate (95% CI)")
    return _png(figure)


def distribution_plot(frame: pd.DataFrame, by: str, groups: list[str], metrics: list[str],
                      comparison: Comparison) -> str:
    """Box plot and points per group; a yes/no score (0/1) is drawn as a rate with its interval."""
    if not metrics:
        return "<p>No score columns.</p>"
    cols = min(3, len(metrics))
    rows = math.ceil(len(metrics) / cols)
    figure, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.0 * rows), squeeze=False)
    jitter = np.random.default_rng(0)
    for axis, metric in zip(axes.ravel(), metrics):
        data = [as_float(frame.loc[frame[by] == g, metric]) for g in groups]
        data = [d[~np.isnan(d)] for d in data]
        present = [i for i, d in enumerate(data) if d.size]
        binary = all(np.isin(data[i], (0.0, 1.0)).all() for i in present)
        if binary and metric in comparison.metrics:
            stats = [_stat(comparison, metric, g) for g in groups]
            axis.bar(range(len(groups)), [s.mean for s in stats], color="#4c72b0",
                     yerr=[[s.mean - s.low for s in stats], [s.high - s.mean for s in stats]], capsize=3)
            axis.set_ylim(0, 1.05)
            metric = f"{metric} (rate, 95% CI)"
        elif present:
            axis.boxplot([data[i] for i in present], positions=present, widths=0.6, showfliers=False)
            for i in present:
                axis.scatter(i + jitter.uniform(-0.18, 0.18, data[i].size), data[i], s=6, alpha=0.35,
                             color="#dd8452")
        axis.set_xticks(range(len(groups)), groups, rotation=30, ha="right", fontsize=7)
        axis.set_title(metric, fontsize=9)
    for axis in axes.ravel()[len(metrics):]:
        axis.set_visible(False)
    figure.tight_layout()
    return _png(figure)


def _equity_column(frame: pd.DataFrame) -> str | None:
    for hint in EQUITY_HINTS:
        for column in score_columns(frame):
            if column == hint or (column.startswith(hint) and "equity" in column and column.count(".") <= 1):
                return column
    return None


def trust_equity_plot(frame: pd.DataFrame, by: str, groups: list[str]) -> str:
    trust = next((c for c in TRUST_COLUMNS if c in frame and frame[c].notna().any()), None)
    equity = _equity_column(frame)
    if trust is None or equity is None:
        return "<p>Trust or burden-equity scores are not in this table.</p>"
    figure, axis = plt.subplots(figsize=(6.0, 4.2))
    for group in groups:
        rows = frame[frame[by] == group]
        axis.scatter(as_float(rows[equity]), as_float(rows[trust]), s=14, alpha=0.6, label=group)
    axis.set_xlabel(equity)
    axis.set_ylabel(trust)
    axis.legend(fontsize=7, loc="best")
    return _png(figure)


def _fmt(value: float) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3f}"


def group_table(comparison: Comparison) -> str:
    head = "".join(f"<th>{html.escape(g)}</th>" for g in comparison.groups)
    rows = []
    for metric in comparison.metrics:
        cells = []
        for group in comparison.groups:
            s = _stat(comparison, metric, group)
            cells.append(f"<td>{_fmt(s.mean)}<br><small>[{_fmt(s.low)}, {_fmt(s.high)}] n={s.n}</small></td>")
        rows.append(f"<tr><th>{html.escape(metric)}</th>{''.join(cells)}</tr>")
    return f"<table><tr><th>metric</th>{head}</tr>{''.join(rows)}</table>"


def pair_table(comparison: Comparison) -> str:
    rows = []
    for p in comparison.pairs:
        strong = ' class="sig"' if not math.isnan(p.p) and p.p < 0.05 else ""
        p_text = "–" if math.isnan(p.p) else (f"{p.p:.4f}" if p.p >= 1e-4 else "&lt;0.0001")
        rows.append(f"<tr{strong}><td>{html.escape(p.metric)}</td><td>{html.escape(p.a)}</td>"
                    f"<td>{html.escape(p.b)}</td><td>{p.design}</td><td>{p.n}</td>"
                    f"<td>{_fmt(p.difference)}</td><td>[{_fmt(p.low)}, {_fmt(p.high)}]</td><td>{p_text}</td></tr>")
    head = "".join(f"<th>{h}</th>" for h in ("metric", "a", "b", "design", "n", "a − b", "95% interval", "p"))
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


STYLE = """body{font-family:system-ui,sans-serif;margin:2em;max-width:1200px;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:13px}td,th{border:1px solid #ccc;padding:3px 7px;
text-align:right}th:first-child,td:first-child{text-align:left}tr.sig{background:#fff3c4}
img{max-width:100%}small{color:#666}"""


def survival_plot(frame: pd.DataFrame, by: str) -> str:
    """Agreements in force after each implementation period, one step curve per group."""
    from treatylab.evals.durability import survival_curve

    curve = survival_curve(frame, by)
    if curve is None or curve.shape[1] < 2:
        return "<p>Durability scores are not in this table.</p>"
    figure, axis = plt.subplots(figsize=(6.0, 3.6))
    for group, row in curve.iterrows():
        axis.step(list(curve.columns), list(row), where="post", label=str(group))
    axis.set_xlabel("implementation period")
    axis.set_ylabel("share of episodes with the agreement in force")
    axis.set_ylim(0, 1.02)
    axis.legend(fontsize=7, loc="best")
    return _png(figure) + curve.round(3).to_html()


def _left_out_note(comparison: Comparison) -> str:
    if not comparison.left_out:
        return "<p>Every episode finished (status done) and is scored.</p>"
    items = "".join(
        f"<li>{html.escape(comparison.by)} {html.escape(group)}: "
        + ", ".join(f"{count} {html.escape(status)}" for status, count in sorted(statuses.items()))
        + "</li>" for group, statuses in comparison.left_out.items())
    return (f"<p>Left out of every figure and table below ({comparison.excluded} episodes): a failed "
            f"endpoint or a spent budget is not a negotiation outcome.</p><ul>{items}</ul>")


def render_report(frame: pd.DataFrame, by: str = "mediator", resamples: int = 10_000, seed: int = 0,
                  source: str = "") -> str:
    """The report as one HTML string."""
    comparison = compare(frame, by=by, resamples=resamples, seed=seed)
    done = frame[frame["status"] == "done"].assign(**{by: lambda f: f[by].astype(str)})
    headline = [m for m in score_columns(frame) if "." not in m][:MAX_SCORE_PANELS]
    counts = frame.groupby(frame[by].astype(str))["status"].value_counts().unstack(fill_value=0)
    sweeps = ", ".join(sorted(map(str, frame["sweep"].dropna().unique()))) if "sweep" in frame else ""
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>treatylab report {html.escape(sweeps)}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>treatylab sweep report: {html.escape(sweeps)}</h1>",
        f"<p>Source: {html.escape(source)}. {len(frame)} episodes over "
        f"{frame['scenario'].nunique() if 'scenario' in frame else '?'} scenarios; grouped by <b>{html.escape(by)}</b>. "
        f"Intervals are 95% percentile-bootstrap intervals ({resamples:,} resamples, seed {seed}); "
        "p-values are two-sided permutation tests (sign flips of matched pairs when every episode "
        "has a partner with the same scenario, delegates and seed; label permutations otherwise), "
        "exact when the rearrangements are few. Highlighted rows: p &lt; 0.05, uncorrected.</p>",
        "<h2>Episodes</h2>", counts.to_html(), _left_out_note(comparison),
        "<h2>Agreement rate</h2>", agreement_plot(comparison),
        "<h2>Score distributions</h2>", distribution_plot(done, by, comparison.groups, headline, comparison),
        "<h2>Trust against burden equity</h2>", trust_equity_plot(done, by, comparison.groups),
        "<h2>Survival of agreements</h2>", survival_plot(frame, by),
        "<h2>Means and intervals</h2>", group_table(comparison),
        "<h2>Pairwise differences</h2>", pair_table(comparison),
        "</body></html>",
    ]
    return "\n".join(parts)


def write_report(frame: pd.DataFrame, out: Path, by: str = "mediator", resamples: int = 10_000,
                 seed: int = 0, source: str = "") -> Path:
    """Write the report to `out` atomically and return the path."""
    text = render_report(frame, by=by, resamples=resamples, seed=seed, source=source)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out
