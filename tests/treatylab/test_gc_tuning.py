"""gc.freeze once start-up is over: the CLI run freezes its imports, and only once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = """
import gc, sys
from treatylab.gc_tuning import freeze_once
from treatylab.cli import main
assert gc.get_freeze_count() == 0
try:
    main(["run", "northern-shield", "--quiet", "--out", sys.argv[1]])
except SystemExit as exc:
    assert exc.code in (0, None), exc.code
print(gc.get_freeze_count(), freeze_once())
"""


def test_a_cli_run_freezes_the_start_up_objects_once(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "run")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    count, again = done.stdout.strip().splitlines()[-1].split()
    assert int(count) > 20_000  # modules, classes, schemas: tens of thousands of objects
    assert again == "False"
    assert (tmp_path / "run" / "result.json").exists()


WORKER = """
import gc, sys
import treatylab.sweep.shards
assert "pandas" not in sys.modules and "treatylab.sweep.execute" not in sys.modules
from treatylab.sweep.workers import warm_process
assert gc.get_freeze_count() == 0
warm_process()
from treatylab.graphs.builder import shared_graph
print(gc.get_freeze_count(), "treatylab.runner" in sys.modules,
      "treatylab.agents.mediators.oracle" in sys.modules, "pandas" in sys.modules,
      "httpcore2" in sys.modules, shared_graph.cache_info().currsize)
"""


def test_a_sweep_worker_imports_the_episode_path_and_freezes_it_before_any_episode() -> None:
    done = subprocess.run([sys.executable, "-c", WORKER], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    count, runner, strategy, pandas, http, graphs = done.stdout.split()
    assert int(count) > 20_000
    assert (runner, strategy, pandas) == ("True", "True", "False")  # no scheduler, no pandas
    assert (http, graphs) == ("True", "1")  # what the first call imported lazily; the graph compiled
