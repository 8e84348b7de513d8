"""Outcome spaces shared within a process, keyed by scenario content and reservations.

Scoring an episode builds the scenario's outcome space and its Pareto frontier (about 10 ms
for the flagship, twice the frontier pass: with and without red lines); every episode of a
sweep, and every replay of a run, asks for the same one. An `OutcomeSpace` is read-only once
built (its derived arrays are computed once and cached on it), so one object can serve every
caller. The key is the scenario's canonical hash, not the object, so a scenario loaded again
from the same file hits the cache, and an edited one misses it.

Spaces above `MAX_CACHED_PACKAGES` are not kept: at that size the build dominates anyway and
holding hundreds of megabytes for the rest of the process would cost more than it saves.
"""

from __future__ import annotations

from collections import OrderedDict
from math import prod
from threading import Lock
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from treatylab.evals.outcome_space import OutcomeSpace
    from treatylab.scenarios.schema import Scenario

MAX_ENTRIES = 8
MAX_CACHED_PACKAGES = 200_000

_spaces: OrderedDict[tuple[str, tuple[tuple[str, float], ...]], OutcomeSpace] = OrderedDict()
_lock = Lock()


def shared_space(scenario: Scenario, reservations: dict[str, float] | None = None) -> OutcomeSpace:
    """The outcome space of `scenario` at `reservations`, built once per process."""
    from treatylab.evals.outcome_space import OutcomeSpace

    if prod(len(issue.options) for issue in scenario.issues) > MAX_CACHED_PACKAGES:
        return OutcomeSpace.build(scenario, reservations=reservations or None)
    from treatylab.scenarios.loader import scenario_hash

    key = (scenario_hash(scenario), tuple(sorted((reservations or {}).items())))
    with _lock:
        space = _spaces.get(key)
        if space is not None:
            _spaces.move_to_end(key)
            return space
    space = OutcomeSpace.build(scenario, reservations=reservations or None)
    with _lock:
        _spaces[key] = space
        while len(_spaces) > MAX_ENTRIES:
            _spaces.popitem(last=False)
    return space


def clear() -> None:
    """Forget every cached space (tests, or a process that is done with its scenarios)."""
    with _lock:
        _spaces.clear()
