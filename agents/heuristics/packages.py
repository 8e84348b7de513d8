"""All packages of a view's issues as integer option indices, with vectorised scoring.

Baseline policies search the whole outcome space every turn; a cached index grid plus
per-issue lookup tables keeps that a few numpy gathers instead of per-package Python calls.
"""

from __future__ import annotations

import numpy as np

from treatylab.agents.actions import Package
from treatylab.scenarios.schema import Issue, RedLine


class PackageGrid:
    """Mixed-radix enumeration of packages; row i of `codes` holds option indices per issue."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issue_ids = [issue.id for issue in issues]
        self.option_ids = [issue.option_ids() for issue in issues]
        sizes = [len(options) for options in self.option_ids]
        grids = np.meshgrid(*[np.arange(n, dtype=np.int16) for n in sizes], indexing="ij")
        self.codes = np.stack([grid.ravel() for grid in grids], axis=1)

    def __len__(self) -> int:
        return int(self.codes.shape[0])

    def score(self, table: dict[str, dict[str, float]]) -> np.ndarray:
        """Additive score of every package from an issue -> option -> value table."""
        total = np.zeros(len(self), dtype=np.float64)
        for k, issue_id in enumerate(self.issue_ids):
            row = table.get(issue_id, {})
            values = np.array([row.get(option, 0.0) for option in self.option_ids[k]])
            total += values[self.codes[:, k]]
        return total

    def forbidden(self, red_lines: list[RedLine]) -> np.ndarray:
        """True for packages that cross any of `red_lines`."""
        mask = np.zeros(len(self), dtype=bool)
        for line in red_lines:
            if line.issue not in self.issue_ids:
                continue
            k = self.issue_ids.index(line.issue)
            banned = [self.option_ids[k].index(o) for o in line.forbid if o in self.option_ids[k]]
            mask |= np.isin(self.codes[:, k], banned)
        return mask

    def package(self, index: int) -> Package:
        row = self.codes[index]
        return {issue_id: self.option_ids[k][int(row[k])] for k, issue_id in enumerate(self.issue_ids)}

    def index_of(self, package: Package) -> int:
        index = 0
        for k, issue_id in enumerate(self.issue_ids):
            index = index * len(self.option_ids[k]) + self.option_ids[k].index(package[issue_id])
        return index

    def matches(self, constraints: dict[str, str]) -> np.ndarray:
        """True for packages that keep every issue=option in `constraints`."""
        mask = np.ones(len(self), dtype=bool)
        for issue_id, option in constraints.items():
            if issue_id in self.issue_ids:
                k = self.issue_ids.index(issue_id)
                if option in self.option_ids[k]:
                    mask &= self.codes[:, k] == self.option_ids[k].index(option)
        return mask


_GRIDS: dict[tuple[tuple[str, tuple[str, ...]], ...], PackageGrid] = {}
_MAX_CACHED = 32


def grid_for(issues: list[Issue]) -> PackageGrid:
    """The grid depends only on ids, so one is shared by every turn of every episode."""
    key = tuple((issue.id, tuple(issue.option_ids())) for issue in issues)
    grid = _GRIDS.get(key)
    if grid is None:
        if len(_GRIDS) >= _MAX_CACHED:
            _GRIDS.clear()
        grid = _GRIDS[key] = PackageGrid(issues)
    return grid
