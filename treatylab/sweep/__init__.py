"""Sweeps: scenario x delegate backend x mediator x seed, run concurrently and resumably.

`run_sweep(spec_path, ...)` is what `treatylab sweep` calls; `load_spec` validates a spec and
`expand` lists its episodes with stable ids; `build_results` derives the results table from
the episode folders.

The names load on first use: a sweep's worker processes import `treatylab.sweep.shards` and
`treatylab.sweep.episode` through this package, and they need neither the scheduler nor
pandas (about 0.4 s of import per worker).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_HOMES = {
    "SweepSummary": "execute", "run_sweep": "execute",
    "PlannedEpisode": "plan", "expand": "plan",
    "DelegateBackend": "spec", "SweepSpec": "spec", "load_spec": "spec", "parse_spec": "spec",
    "build_results": "table", "flatten_scores": "table", "write_results": "table",
}

__all__ = sorted(_HOMES)

if TYPE_CHECKING:
    from treatylab.sweep.execute import SweepSummary, run_sweep
    from treatylab.sweep.plan import PlannedEpisode, expand
    from treatylab.sweep.spec import DelegateBackend, SweepSpec, load_spec, parse_spec
    from treatylab.sweep.table import build_results, flatten_scores, write_results


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'treatylab.sweep' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"treatylab.sweep.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOMES])
