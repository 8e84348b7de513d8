"""The shipped demo: a recorded flagship negotiation, replayed offline.

The recording lives in `treatylab/data/demo/northern-shield/` (package data, so it ships in the
wheel): manifest, transcript, result and the cassette of every LLM exchange. It was recorded from
the treatylab simulator (the baseline policies behind the OpenAI protocol, with a few injected
answer faults so repairs show), and the manifest says so. `record_demo` re-records it; do that
whenever prompts, policies or the scenario change, since the replay must match byte for byte.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from pathlib import Path
from typing import Any

from treatylab.graphs import RunConfig
from treatylab.scenarios import load
from treatylab import outputs
from treatylab.cassettes import cassette_session
from treatylab.runner import EpisodeRun, run_episode
from treatylab.simulator import MODEL_ID, SimulatorConfig, start_simulator

DEMO_DIR = Path(__file__).resolve().parent / "data" / "demo" / "northern-shield"
DEMO_SCENARIO = "northern-shield"
DEMO_MEDIATOR = "formulative"
DEMO_SEED = 7
DEMO_SIMULATOR = SimulatorConfig(seed=DEMO_SEED, fault_rate=0.08,
                                 faults=["invalid_json", "schema", "illegal_option"])
RECORDED_FROM = (
    "the treatylab simulator: the baseline policies answering through the OpenAI "
    "chat-completions protocol over loopback, with seeded answer faults; no hosted model was called"
)


def demo_config(base_url: str) -> RunConfig:
    spec = f"openai:{MODEL_ID}"
    return RunConfig(mediator=DEMO_MEDIATOR, seed=DEMO_SEED, base_url=base_url,
                     default_backend=spec, mediator_backend=spec)


def record_demo(target: Path = DEMO_DIR, simulator: SimulatorConfig = DEMO_SIMULATOR) -> EpisodeRun:
    """Record the demo from an in-process simulator and replace `target` with it."""
    scenario = load(DEMO_SCENARIO)
    extra: dict[str, Any] = {
        "cassette": {"file": outputs.CASSETTE, "record_mode": "record"},
        "recorded_from": {"endpoint": "simulator", "description": RECORDED_FROM,
                          "simulator": simulator.model_dump(mode="json", exclude={"host", "port"})},
    }
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".demo-", dir=target.parent))
    try:
        with start_simulator(simulator) as sim:
            config = demo_config(sim.base_url)
            with cassette_session(staging / outputs.CASSETTE, "record"):
                run = asyncio.run(run_episode(scenario, config, scenario_ref=DEMO_SCENARIO,
                                              out_dir=staging, extra_manifest=extra))
        staging.chmod(0o755)  # a temporary folder is private; package data is not
        for path in staging.iterdir():
            path.chmod(0o644)
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return run.model_copy(update={"run_dir": target})
