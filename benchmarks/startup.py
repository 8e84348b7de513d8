"""Start-up cost: `treatylab --help` against `python -c "import typer, rich"` (issue 16 target 1.3x).

Each command runs in a fresh process, alternating, `--runs` times (default 5); the figures are
medians of wall time. It also lists which heavy libraries and which rich renderers `--help`
imports, to show where the rest of the time goes.

Bytecode: typer and rich are installed with their `.pyc` files; treatylab is an editable
install whose `.pyc` files Python writes on first import, unless PYTHONDONTWRITEBYTECODE is
set (as it is on the development machine), in which case every run compiles treatylab's
sources again (cli.py alone: about 12 ms). By default the measured processes run without
that variable and with PYTHONPYCACHEPREFIX set to a fresh temporary directory, so the
warm-up run writes bytecode for both sides, as an installed package has it, and nothing is
written into the source tree. `--no-bytecode-cache` keeps the environment as it is, to
measure with treatylab compiled from source on every run.

    python benchmarks/startup.py [--runs 5] [--no-bytecode-cache]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HEAVY = ("pydantic", "yaml", "numpy", "jinja2", "langgraph", "openai", "httpx2", "pandas")
# rich's renderers and typer's rich help module: the top-level page is written without them
RENDERERS = ("rich.console", "rich.markdown", "typer.rich_utils")
PROBE = ("import sys, runpy; sys.argv = ['treatylab', '--help']\n"
         "try:\n    runpy.run_module('treatylab.cli', run_name='__main__')\n"
         "except SystemExit:\n    pass\n"
         f"print(' '.join(m for m in {HEAVY + RENDERERS!r} if m in sys.modules), file=sys.stderr)")


def wall(cmd: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, env=env)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-bytecode-cache", action="store_true",
                        help="keep PYTHONDONTWRITEBYTECODE if set (treatylab compiled each run)")
    args = parser.parse_args()
    env = dict(os.environ)
    cache_dir = tempfile.TemporaryDirectory(prefix="startup-pycache-")
    if not args.no_bytecode_cache:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = cache_dir.name
    cached = "PYTHONDONTWRITEBYTECODE" not in env
    script = shutil.which("treatylab") or sys.exit("treatylab is not on PATH (pip install -e .)")
    baseline = [sys.executable, "-c", "import typer, rich"]
    ours = [script, "--help"]
    wall(baseline, env), wall(ours, env)  # warm the OS file cache and the bytecode
    base_times, help_times = [], []
    for _ in range(args.runs):
        base_times.append(wall(baseline, env))
        help_times.append(wall(ours, env))
    base, help_ = statistics.median(base_times), statistics.median(help_times)
    loaded = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                            env=env).stderr.split()
    heavy = [m for m in loaded if m in HEAVY]
    renderers = [m for m in loaded if m in RENDERERS]
    print(f"import typer, rich : {base * 1000:7.0f} ms (median of {args.runs})")
    print(f"treatylab --help   : {help_ * 1000:7.0f} ms (median of {args.runs})")
    print(f"ratio              : {help_ / base:7.2f}  (target <= 1.3)")
    print(f"heavy imports of --help: {', '.join(heavy) or 'none'}")
    print(f"rich renderers imported by --help: {', '.join(renderers) or 'none'}")
    print(f"bytecode cache for treatylab: {'on' if cached else 'off (PYTHONDONTWRITEBYTECODE)'}")
    cache_dir.cleanup()


if __name__ == "__main__":
    main()
