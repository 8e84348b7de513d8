"""Wall time of the shipped comparison sweep, and whether its report shows the differences.

Method: run `experiments/mediator-comparison.yaml` (every library scenario x every strategy x
10 seeds, baseline delegates: 540 episodes) into a fresh folder with the default concurrency
(a process pool, one worker per CPU), exactly as `treatylab sweep` does; time it; then run
`compare` and write the HTML report, and check that the report carries an interval for every
strategy and a pairwise table. Target: the sweep under 10 minutes.

    python benchmarks/mediator_comparison.py [--out DIR] [--keep]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import tempfile
import time
from pathlib import Path

from treatylab.evals.experiments import compare, load_results
from treatylab.evals.report import write_report
from treatylab.sweep import run_sweep

SPEC = Path(__file__).resolve().parent.parent / "experiments" / "mediator-comparison.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="Sweep folder (default: a temporary one).")
    parser.add_argument("--keep", action="store_true", help="Keep the temporary folder.")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="mediator-comparison-"))
    try:
        started = time.perf_counter()
        summary = asyncio.run(run_sweep(SPEC, out=out, show_progress=False))
        sweep_s = time.perf_counter() - started
        frame = load_results(out)
        started = time.perf_counter()
        comparison = compare(frame, by="mediator", metrics=["agreement", "trust", "nash_ratio", "burden_equity"])
        report = write_report(frame, out / "report.html")
        report_s = time.perf_counter() - started
        text = report.read_text(encoding="utf-8")
        intervals = len(re.findall(r"<small>\[[-0-9.]+, [-0-9.]+\] n=\d+</small>", text))
        significant = [p for p in comparison.pairs if p.p < 0.05]
        print(f"{summary.total} episodes ({summary.failed} failed) on {os.cpu_count()} CPUs: "
              f"sweep {sweep_s:.1f} s ({'under' if sweep_s < 600 else 'OVER'} the 10-minute target)")
        print(f"compare + report: {report_s:.1f} s; report {len(text) / 1e6:.2f} MB, "
              f"{text.count('data:image/png;base64,')} inline plots, {intervals} group intervals")
        for stat in comparison.stats:
            if stat.metric == "agreement":
                print(f"  agreement {stat.group:<24} {stat.mean:.3f} [{stat.low:.3f}, {stat.high:.3f}]")
        print(f"  {len(significant)} of {len(comparison.pairs)} pairwise differences with p < 0.05, e.g.")
        for pair in sorted(significant, key=lambda p: p.p)[:5]:
            print(f"    {pair.metric}: {pair.a} - {pair.b} = {pair.difference:+.3f} "
                  f"[{pair.low:+.3f}, {pair.high:+.3f}], p = {pair.p:.4f}")
    finally:
        if args.out is None and not args.keep:
            shutil.rmtree(out, ignore_errors=True)
        elif args.out is None:
            print(f"kept {out}")


if __name__ == "__main__":
    main()
