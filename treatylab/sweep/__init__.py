"""Sweeps: scenario x delegate backend x mediator x seed, run concurrently and resumably.

`run_sweep(spec_path, ...)` is what `treatylab sweep` calls; `load_spec` validates a spec and
`expand` lists its episodes with stable ids; `build_results` derives the results table from
the episode folders.
"""

from treatylab.sweep.execute import SweepSummary, run_sweep
from treatylab.sweep.plan import PlannedEpisode, expand
from treatylab.sweep.spec import DelegateBackend, SweepSpec, load_spec, parse_spec
from treatylab.sweep.table import build_results, flatten_scores, write_results

__all__ = [
    "DelegateBackend", "PlannedEpisode", "SweepSpec", "SweepSummary", "build_results", "expand",
    "flatten_scores", "load_spec", "parse_spec", "run_sweep", "write_results",
]
