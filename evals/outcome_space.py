"""Every package of a scenario as one utility matrix, and the solution points on it.

A scenario's utilities are additive (points per issue option), so the matrix is a broadcast
sum of the per-issue option tables: no Python loop runs per package. Package indices are
mixed-radix numbers with the first issue most significant, the order of `itertools.product`
over the issues' options (and of `scenarios.schema.all_packages`).

Conventions (docs/metrics.md gives the formulas and their sources):
- reservation r_i: the party's BATNA (from the scenario, or overridden, e.g. after shocks);
- disagreement point d_i = max(r_i, min_o u_i(o)): gains are measured from d, as negmas does
  for its Nash and Kalai-Smorodinsky points (a reservation below anything the space can give
  the party is replaced by the party's minimum);
- feasible: crosses no party's red line; red lines forbid options issue by issue, so the
  feasible packages form a sub-box of the space and have an exact frontier of their own;
- ties: the lowest package index wins, after any tie-break named in a method's docstring.
"""

from __future__ import annotations

import math
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from treatylab.evals._pareto import frontier_packages
from treatylab.scenarios.schema import Scenario

BoolArray = NDArray[np.bool_]
FloatArray = NDArray[np.floating]

NASH_REL_TOL = 1e-9  # products equal up to rounding of the party order count as ties
KS_ABS_TOL = 1e-12  # negmas's eps for Kalai-Smorodinsky ties


def _exact_dtype(tables: list[NDArray[np.float64]]) -> type[np.floating]:
    """float32 when every partial sum is exactly representable in it, else float64."""
    scaled = np.concatenate([t.ravel() for t in tables]) * 256.0
    bound = sum(float(np.abs(t).max()) for t in tables) * 256.0
    if np.all(scaled == np.round(scaled)) and bound < 2**24:
        return np.float32
    return np.float64


class OutcomeSpace:
    """Utilities of all packages of a scenario, with frontier and solution points (cached)."""

    def __init__(
        self,
        party_ids: list[str],
        issue_ids: list[str],
        option_ids: list[list[str]],
        tables: list[NDArray[np.float64]],
        reservations: NDArray[np.float64],
        allowed: list[BoolArray],
        red_lines: dict[str, dict[str, set[str]]] | None = None,
        required_signatories: int | None = None,
        veto_parties: list[str] | None = None,
    ) -> None:
        self.party_ids = party_ids
        self.issue_ids = issue_ids
        self.option_ids = option_ids
        self.tables = tables
        self.reservations = reservations
        self.allowed = allowed
        self.red_lines = red_lines or {}  # {party: {issue: forbidden options}}
        # the decision rule (default unanimity): how many must sign, and who always must
        self.required_signatories = (len(party_ids) if required_signatories is None
                                     else required_signatories)
        self.veto_parties = list(veto_parties or [])
        self.radices = [len(options) for options in option_ids]
        self.n_packages = math.prod(self.radices)
        self._option_pos = [{o: j for j, o in enumerate(opts)} for opts in option_ids]
        self.utilities = self._broadcast_sum()

    @classmethod
    def build(cls, scenario: Scenario,
              reservations: dict[str, float] | None = None) -> OutcomeSpace:
        """Tabulate a scenario. `reservations` overrides some parties' BATNAs (e.g. shocks)."""
        party_ids = scenario.party_ids()
        unknown = sorted(set(reservations or {}) - set(party_ids))
        if unknown:
            raise ValueError(f"reservations: unknown party id(s) {unknown}; expected {party_ids}")
        override = reservations or {}
        r = np.array([float(override.get(p.id, p.reservation)) for p in scenario.parties])
        option_ids = [issue.option_ids() for issue in scenario.issues]
        tables = [
            np.array([[scenario.utilities[pid][issue.id][o] for pid in party_ids] for o in opts])
            for issue, opts in zip(scenario.issues, option_ids)
        ]
        red_lines: dict[str, dict[str, set[str]]] = {}
        for party in scenario.parties:
            for line in party.red_lines:
                red_lines.setdefault(party.id, {}).setdefault(line.issue, set()).update(line.forbid)
        allowed = [
            np.array([not any(o in lines.get(issue.id, ()) for lines in red_lines.values())
                      for o in opts])
            for issue, opts in zip(scenario.issues, option_ids)
        ]
        return cls(party_ids, scenario.issue_ids(), option_ids, tables, r, allowed, red_lines,
                   required_signatories=scenario.rules.required_signatories(len(party_ids)),
                   veto_parties=list(scenario.rules.veto_parties))

    # -- the matrix -----------------------------------------------------------------------
    def _broadcast_sum(self) -> FloatArray:
        """The (n_packages, n_parties) matrix, column-major: each party's column is contiguous.

        Column-major because everything that scans the whole matrix goes party by party
        (reservation tests, favourites), and because the last broadcast add of each column
        can then write straight into the matrix. Row access (`utilities[i]`) is unchanged.
        """
        dtype = _exact_dtype(self.tables)
        n_issues = len(self.tables)
        out = np.zeros((self.n_packages, len(self.party_ids)), dtype=dtype, order="F")
        for p in range(len(self.party_ids) if n_issues else 0):  # no issues: one zero package
            total = np.zeros((1,) * n_issues, dtype=dtype)
            for k, table in enumerate(self.tables):  # issue order: the frontier sums the same way
                shape = [1] * n_issues
                shape[k] = table.shape[0]
                column = table[:, p].astype(dtype).reshape(shape)
                if k == n_issues - 1:
                    np.add(total, column, out=out[:, p].reshape(self.radices))
                else:
                    total = total + column
        return out

    def _column_ok(self, p: int, strict: bool) -> BoolArray:
        """u_p >= r_p (or >) per package.

        The threshold is moved to the matrix dtype without changing any comparison: for >=
        the smallest representable value >= r, for > the largest <= r."""
        dtype = self.utilities.dtype.type
        r = float(self.reservations[p])
        t = dtype(r)
        if strict and float(t) > r:
            t = np.nextafter(t, dtype(-np.inf))
        elif not strict and float(t) < r:
            t = np.nextafter(t, dtype(np.inf))
        column = self.utilities[:, p]
        return (column > t) if strict else (column >= t)

    def _all_columns(self, strict: bool) -> BoolArray:
        """u_i >= r_i (or >) for every party, one column at a time (cheaper than axis=1)."""
        ok = np.ones(self.n_packages, dtype=bool)
        for p in range(len(self.party_ids)):
            ok &= self._column_ok(p, strict)
        return ok

    def package(self, index: int) -> dict[str, str]:
        """Decode a package index into {issue_id: option_id}."""
        if not 0 <= index < self.n_packages:
            raise IndexError(f"package index {index} outside 0..{self.n_packages - 1}")
        digits = np.unravel_index(index, self.radices)
        return {i: opts[int(d)] for i, opts, d in zip(self.issue_ids, self.option_ids, digits)}

    def index_of(self, package: dict[str, str]) -> int:
        """Encode a full package; KeyError names the missing or unknown issue / option."""
        extra = sorted(set(package) - set(self.issue_ids))
        if extra:
            raise KeyError(f"unknown issue(s) {extra}; expected {self.issue_ids}")
        index = 0
        for issue_id, positions, radix in zip(self.issue_ids, self._option_pos, self.radices):
            if issue_id not in package:
                raise KeyError(f"missing issue '{issue_id}'; a package names one option per issue")
            option = package[issue_id]
            if option not in positions:
                raise KeyError(f"unknown option '{option}' of issue '{issue_id}'; "
                               f"expected one of {list(positions)}")
            index = index * radix + positions[option]
        return index

    # -- feasibility ------------------------------------------------------------------------
    @cached_property
    def disagreement(self) -> NDArray[np.float64]:
        """d_i = max(r_i, min u_i): the point gains are measured from (negmas's convention)."""
        return np.maximum(self.reservations, self.minima)

    @cached_property
    def minima(self) -> NDArray[np.float64]:
        return np.array([sum(float(t[:, p].min()) for t in self.tables)
                         for p in range(len(self.party_ids))])

    @cached_property
    def maxima(self) -> NDArray[np.float64]:
        return np.array([sum(float(t[:, p].max()) for t in self.tables)
                         for p in range(len(self.party_ids))])

    def red_line_ok(self) -> BoolArray:
        """Per package: crosses no party's red line."""
        return self._red_line_ok

    @cached_property
    def _red_line_ok(self) -> BoolArray:
        n_issues = len(self.allowed)
        ok = np.ones((1,) * n_issues, dtype=bool)
        for k, mask in enumerate(self.allowed):
            shape = [1] * n_issues
            shape[k] = mask.size
            ok = ok & mask.reshape(shape)
        return np.broadcast_to(ok, self.radices).reshape(-1)

    def _own_red_lines_ok(self, party_id: str) -> BoolArray | None:
        """Per package: crosses none of this party's red lines (None when it has none)."""
        lines = self.red_lines.get(party_id)
        if not lines:
            return None
        n_issues = len(self.option_ids)
        ok = np.ones((1,) * n_issues, dtype=bool)
        for k, (issue_id, options) in enumerate(zip(self.issue_ids, self.option_ids)):
            forbidden = lines.get(issue_id)
            if forbidden:
                shape = [1] * n_issues
                shape[k] = len(options)
                ok = ok & np.array([o not in forbidden for o in options]).reshape(shape)
        return np.broadcast_to(ok, self.radices).reshape(-1)

    def signable(self, party_id: str) -> BoolArray:
        """Per package: the party can sign it, u_i >= r_i and none of its red lines crossed."""
        ok = self._column_ok(self.party_ids.index(party_id), strict=False)
        own = self._own_red_lines_ok(party_id)
        return ok if own is None else ok & own

    def deals_under_rule(self) -> BoolArray:
        """Per package: the parties that can sign it carry the scenario's decision rule.

        A party can sign when the package gives it at least its reservation and crosses none
        of its own red lines; the package passes when every veto party can sign and the
        signers number at least the rule's required signatories (graphs.protocol.passes,
        vectorised). Under unanimity this is the individually rational, red-line-free set.
        """
        count = np.zeros(self.n_packages, dtype=np.uint8 if len(self.party_ids) < 255
                         else np.int32)
        ok = np.ones(self.n_packages, dtype=bool)
        for pid in self.party_ids:
            column = self.signable(pid)
            count += column
            if pid in self.veto_parties:
                ok &= column
        return ok & (count >= self.required_signatories)

    def individually_rational(self) -> BoolArray:
        """Per package: u_i >= r_i for every party."""
        return self._all_columns(strict=False)

    def zone_of_agreement(self) -> BoolArray:
        """Per package: every u_i > r_i strictly, and no red line crossed."""
        ok = self._all_columns(strict=True)
        if not all(mask.all() for mask in self.allowed):  # without red lines every package passes
            ok &= self.red_line_ok()
        return ok

    # -- frontiers --------------------------------------------------------------------------
    @cached_property
    def pareto_indices(self) -> NDArray[np.int64]:
        """Ascending indices of the exact frontier of the whole space."""
        return frontier_packages(self.tables)

    @cached_property
    def feasible_pareto_indices(self) -> NDArray[np.int64]:
        """Frontier of the red-line-respecting sub-box (equal to the above without red lines)."""
        if all(mask.all() for mask in self.allowed):
            return self.pareto_indices
        return frontier_packages(self.tables, self.allowed)

    def pareto_mask(self) -> BoolArray:
        """Per package: no package is >= for every party and > for one (exact)."""
        mask = np.zeros(self.n_packages, dtype=bool)
        mask[self.pareto_indices] = True
        return mask

    @cached_property
    def _bargaining_set(self) -> NDArray[np.int64]:
        """Feasible-frontier packages that are individually rational (where Nash/KS live)."""
        idx = self.feasible_pareto_indices
        rational = np.all(self.utilities[idx].astype(np.float64) >= self.reservations, axis=1)
        return idx[rational]

    # -- solution points ----------------------------------------------------------------------
    def gains(self, indices: NDArray[np.int64] | None = None) -> NDArray[np.float64]:
        """u - d for the given packages (all packages when None), in float64."""
        rows = self.utilities if indices is None else self.utilities[indices]
        return rows.astype(np.float64) - self.disagreement

    def nash_product(self, indices: NDArray[np.int64]) -> NDArray[np.float64]:
        return np.prod(self.gains(indices), axis=1)

    @cached_property
    def _nash(self) -> int | None:
        candidates = self._bargaining_set
        if candidates.size == 0:
            return None
        products = self.nash_product(candidates)
        best = products.max()
        tied = products >= best - NASH_REL_TOL * abs(best)
        return int(candidates[tied][0])

    def nash_index(self) -> int | None:
        """Max prod(u_i - d_i) over feasible, individually rational packages (Nash 1950).

        The maximum is searched on the feasible frontier, so among tied products a
        Pareto-optimal package is chosen (then the lowest index). None when no feasible
        package is individually rational.
        """
        return self._nash

    @cached_property
    def _ks(self) -> int | None:
        candidates = self._bargaining_set
        if candidates.size == 0:
            return None
        span = self.maxima - self.disagreement
        parties = span > 0  # a party whose best equals its disagreement point is indifferent
        if not parties.any():
            return int(candidates[0])
        ratios = self.gains(candidates)[:, parties] / span[parties]
        spread = ratios.max(axis=1) - ratios.min(axis=1)
        tied = spread <= spread.min() + KS_ABS_TOL
        return int(candidates[tied][0])

    def kalai_smorodinsky_index(self) -> int | None:
        """Kalai-Smorodinsky point as negmas computes it for discrete spaces.

        Among feasible, individually rational frontier packages, the one whose normalised
        gains a_i = (u_i - d_i) / (max_i - d_i) are most nearly equal (min of max_i a_i -
        min_i a_i), max_i over the whole space. The textbook point (Kalai & Smorodinsky
        1975) is where the segment d -> ideal meets the frontier; a discrete space rarely has
        a package there, so the closest-to-proportional package stands in for it.
        """
        return self._ks

    def utilitarian_index(self) -> int:
        """Max sum of utilities over all packages (Harsanyi 1955); lowest index on ties."""
        return self._utilitarian

    @cached_property
    def _egalitarian(self) -> int:
        # A leximin-optimal package is Pareto-optimal, so the frontier holds every candidate.
        frontier = self.pareto_indices
        gains = self.gains(frontier)
        worst = gains.min(axis=1)
        keep = worst == worst.max()
        candidates, ordered = frontier[keep], np.sort(gains[keep], axis=1)
        for col in range(1, ordered.shape[1]):
            keep = ordered[:, col] == ordered[:, col].max()
            candidates, ordered = candidates[keep], ordered[keep]
        return int(candidates[0])

    def egalitarian_index(self) -> int:
        """Max of the smallest gain u_i - d_i over all packages, leximin tie-break (Rawls 1971;
        Kalai 1977), then the lowest index."""
        return self._egalitarian

    @cached_property
    def _utilitarian(self) -> int:
        # Every max-sum package is Pareto-optimal (a dominator has a larger sum), so the
        # ascending frontier holds them all; argmax returns the lowest index among ties.
        frontier = self.pareto_indices
        sums = self.utilities[frontier].sum(axis=1, dtype=np.float64)
        return int(frontier[int(np.argmax(sums))])

    def favourite_index(self, party_id: str) -> int:
        """The party's best package; ties go to the largest utility sum (so it is
        Pareto-optimal), then the lowest index."""
        p = self.party_ids.index(party_id)
        column = self.utilities[:, p]
        candidates = np.flatnonzero(column == column.max())
        sums = self.utilities[candidates].sum(axis=1, dtype=np.float64)
        return int(candidates[int(np.argmax(sums))])

    def solution_indices(self) -> dict[str, int | None]:
        """The four reference points by name, in a fixed order."""
        return {
            "nash": self.nash_index(),
            "kalai_smorodinsky": self.kalai_smorodinsky_index(),
            "utilitarian": self.utilitarian_index(),
            "egalitarian": self.egalitarian_index(),
        }

    def normalised(self, rows: FloatArray) -> NDArray[np.float64]:
        """(u - min_i) / (max_i - min_i) per party over the space; 0 for a constant party."""
        span = self.maxima - self.minima
        safe = np.where(span > 0, span, 1.0)
        return (np.asarray(rows, dtype=np.float64) - self.minima) / safe
