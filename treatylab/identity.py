"""The identity of an episode's state: a hash of everything that decides what it produces.

A checkpoint, a run folder and a sweep episode are only reusable by the run that made them.
Reusing one made by another scenario, config, seed or prompt set gives an old transcript under
a new manifest, so every one of them records this identity, and a resume with another
identity is refused with a line naming the part that differs.

Transport settings (base URL, per-call timeout, episode deadline) are not part of it: they say
how to reach the model, not what the episode is, and a resume after a dead endpoint or a
Ctrl-C may need another endpoint or a longer deadline. Spending caps (max_tokens, max_cost,
max_calls; see treatylab.budget) are left out for the same reason: an episode stopped by its
budget resumes from its checkpoint when the cap is raised.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from treatylab import prompts
from treatylab.graphs import RunConfig
from treatylab.scenarios import Scenario, scenario_hash

TRANSPORT_FIELDS = frozenset({"base_url", "timeout_s", "deadline_s", "max_tokens", "max_cost", "max_calls"})
TABLE = "treatylab_identity"


def _sha(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


class Identity(BaseModel):
    """The parts and their combined hash; `config` is kept whole so a difference can be named."""

    model_config = ConfigDict(frozen=True)

    sha256: str
    scenario: str
    config: dict[str, Any]
    seed: int
    prompts: str

    def differences(self, other: "Identity") -> list[str]:
        """What differs from `other` (the recorded identity), for a person."""
        out = []
        if self.scenario != other.scenario:
            out.append("the scenario file changed")
        if self.seed != other.seed:
            out.append(f"seed {other.seed} -> {self.seed}")
        fields = sorted(set(self.config) | set(other.config))
        for name in fields:
            if self.config.get(name) != other.config.get(name):
                out.append(f"{name} {json.dumps(other.config.get(name))} -> {json.dumps(self.config.get(name))}")
        if self.prompts != other.prompts:
            out.append("prompt templates changed")
        return out or ["the recorded hash differs"]


def identity_of(scenario: Scenario, config: RunConfig) -> Identity:
    cfg = {k: v for k, v in config.model_dump(mode="json").items()
           if k not in TRANSPORT_FIELDS and k != "seed"}
    parts = {"scenario": scenario_hash(scenario), "config": cfg, "seed": config.seed,
             "prompts": _sha(prompts.template_hashes())}
    return Identity(sha256=_sha(parts), **parts)


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=30)
    db.execute(f"create table if not exists {TABLE} (thread text primary key, identity text not null)")
    return db


def claim_checkpoint(path: Path, thread: str, identity: Identity) -> bool:
    """Record `identity` for `thread` in the checkpoint file, or check it against the recorded one.

    Returns True when the file already holds this thread with the same identity (a resume).

    Raises:
        ValueError: the thread was checkpointed by a run with another identity; the message
            names what differs.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.closing(_connect(path)) as db, db:
        row = db.execute(f"select identity from {TABLE} where thread = ?", (thread,)).fetchone()
        if row is None:
            db.execute(f"insert into {TABLE} values (?, ?)", (thread, identity.model_dump_json()))
            return False
        recorded = Identity.model_validate_json(row[0])
        if recorded.sha256 != identity.sha256:
            raise ValueError("; ".join(identity.differences(recorded)))
        return True

