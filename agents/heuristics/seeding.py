"""Derived seeds: re-exported from the base layer (`treatylab.core.seeding`)."""

from treatylab.core.seeding import derive_seed, rng

__all__ = ["derive_seed", "rng"]
