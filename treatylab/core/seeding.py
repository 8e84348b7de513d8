"""Derived seeds: every random choice comes from a generator seeded by what it is about.

Deriving (episode seed, actor, stage, round) through sha256 keeps the draws independent of the
order in which parallel turns run and of Python's per-process hash randomisation.
"""

from __future__ import annotations

import hashlib

import numpy as np


def derive_seed(*parts: object) -> int:
    digest = hashlib.sha256("/".join(str(part) for part in parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") & 0x7FFF_FFFF_FFFF_FFFF


def rng(*parts: object) -> np.random.Generator:
    return np.random.default_rng(derive_seed(*parts))
