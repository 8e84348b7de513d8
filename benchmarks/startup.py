"""Start-up cost: `treatylab --help` against `python -c "import typer, rich"` (issue 16 target 1.3x).

Each command runs in a fresh process, alternating, `--runs` times (default 5); the figures are
medians of wall time. It also lists which heavy libraries `--help` imports, to show where
the rest of the time goes.

    python benchmarks/startup.py [--runs 5]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time

HEAVY = ("pydantic", "yaml", "numpy", "jinja2", "langgraph", "openai", "httpx2", "pandas")
PROBE = ("import sys, runpy; sys.argv = ['treatylab', '--help']\n"
         "try:\n    runpy.run_module('treatylab.cli', run_name='__main__')\n"
         "except SystemExit:\n    pass\n"
         f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)")


def wall(cmd: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    script = shutil.which("treatylab") or sys.exit("treatylab is not on PATH (pip install -e .)")
    baseline = [sys.executable, "-c", "import typer, rich"]
    ours = [script, "--help"]
    wall(baseline), wall(ours)  # warm the OS file cache and the bytecode
    base_times, help_times = [], []
    for _ in range(args.runs):
        base_times.append(wall(baseline))
        help_times.append(wall(ours))
    base, help_ = statistics.median(base_times), statistics.median(help_times)
    heavy = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True).stderr.split()
    print(f"import typer, rich : {base * 1000:7.0f} ms (median of {args.runs})")
    print(f"treatylab --help   : {help_ * 1000:7.0f} ms (median of {args.runs})")
    print(f"ratio              : {help_ / base:7.2f}  (target <= 1.3)")
    print(f"heavy imports of --help: {', '.join(heavy) or 'none'}")


if __name__ == "__main__":
    main()
