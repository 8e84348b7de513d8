"""Re-run a recorded episode from its manifest and cassette, offline, and compare.

A replay rebuilds the RunConfig and scenario from `manifest.json`, answers every LLM request
from `cassette.yaml` (no network, no API key) and checks that the transcript and the scores
equal the recorded ones. Wall-clock latency is measured, never replayed: it lives in
timings.jsonl (recordings made before that split carry it in usage events, and it is left out
of the comparison there too). The run id is a label derived from the config (its format
gained the backends later), and result fields added after a recording was made (`status`,
`failure`) are not compared against it; everything else must match exactly.
"""

from __future__ import annotations

import asyncio
import difflib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from treatylab import prompts
from treatylab.agents.backends.clients import offline_credentials
from treatylab.agents.transcript import Event, event_to_dict
from treatylab.graphs import RunConfig
from treatylab.scenarios import Scenario, load, scenario_hash
from treatylab import outputs
from treatylab.cassettes import cassette_session
from treatylab.errors import CassetteMismatch, UserError
from treatylab.runner import EpisodeRun, ProgressHook, run_episode

def _wall_clock(key: str) -> bool:
    """Latency figures (latency_ms per call, latency totals) are measured, never replayed."""
    return "latency" in key


MAX_DIFF_LINES = 40
LABELS = ("run_id",)


@dataclass
class ReplayReport:
    identical: bool
    run: EpisodeRun
    transcript_diff: list[str] = field(default_factory=list)
    result_diff: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if not _wall_clock(k)}
    if isinstance(value, list):
        return [_strip(item) for item in value]
    return value


def comparable_lines(events: list[Event]) -> list[str]:
    return [json.dumps(_strip(event_to_dict(e)), sort_keys=True, ensure_ascii=False) for e in events]


def comparable_result(result: dict[str, Any], recorded: dict[str, Any] | None = None) -> list[str]:
    """The result without labels and timings, and only with the fields the recording has."""
    keys = set(recorded if recorded is not None else result) - set(LABELS)
    return outputs.dumps_json(_strip({k: v for k, v in result.items() if k in keys})).splitlines()


def _diff(recorded: list[str], replayed: list[str], name: str) -> list[str]:
    lines = list(difflib.unified_diff(recorded, replayed, f"recorded/{name}", f"replayed/{name}",
                                      lineterm="", n=1))
    if len(lines) > MAX_DIFF_LINES:
        lines = lines[:MAX_DIFF_LINES] + [f"... ({len(lines) - MAX_DIFF_LINES} more diff lines)"]
    return lines


def drift(manifest: dict[str, Any], scenario: Scenario) -> list[str]:
    """What changed since recording that explains a mismatch: templates, scenario."""
    notes = []
    recorded = manifest.get("prompt_templates") or {}
    current = prompts.template_hashes()
    # Only templates the recording knew: one added since (say, a judge rubric) was not used by it.
    changed = sorted(name for name in recorded if recorded[name] != current.get(name))
    if changed:
        notes.append(f"prompt templates changed since recording: {', '.join(changed)}")
    sha = (manifest.get("scenario") or {}).get("sha256")
    if sha and sha != scenario_hash(scenario):
        notes.append(f"scenario '{scenario.id}' changed since recording (sha256 differs)")
    return notes


def load_recorded(run_dir: Path) -> tuple[list[Event], dict[str, Any], dict[str, Any], Scenario, RunConfig]:
    events, result, manifest = outputs.read_run(run_dir)
    scenario_ref = (manifest.get("scenario") or {}).get("ref") or (manifest.get("scenario") or {}).get("id")
    if not scenario_ref:
        raise UserError(f"{run_dir / outputs.MANIFEST}: no scenario reference; cannot replay")
    path = Path(scenario_ref)
    if not path.is_absolute() and not path.exists() and (run_dir / scenario_ref).exists():
        scenario_ref = str(run_dir / scenario_ref)
    scenario = load(scenario_ref)
    config = RunConfig.model_validate(manifest["config"])
    return events, result, manifest, scenario, config


def cassette_path(run_dir: Path, manifest: dict[str, Any]) -> Path:
    name = (manifest.get("cassette") or {}).get("file") or outputs.CASSETTE
    return run_dir / name


def replay_run(run_dir: Path, *, progress: ProgressHook | None = None,
               out_dir: Path | None = None) -> ReplayReport:
    """Replay `run_dir` offline and compare it with the recording.

    Raises:
        UserError: not a finished run folder, or an LLM run without its cassette.
        CassetteMismatch: the replay asked for a request the cassette does not hold; the
            message names the turn and the first difference, plus what changed since recording.
    """
    run_dir = Path(run_dir)
    events, result, manifest, scenario, config = load_recorded(run_dir)
    cassette = cassette_path(run_dir, manifest)
    llm = config.uses_llm()
    if llm and not cassette.exists():
        raise UserError(f"{run_dir}: this run used an LLM but has no {cassette.name}; "
                        "nothing to replay from")
    warnings = drift(manifest, scenario)
    coroutine = run_episode(scenario, config, scenario_ref=manifest["scenario"].get("ref", ""),
                            out_dir=out_dir, progress=progress, backends=_seats_from_record(scenario, config, events))
    try:
        with offline_credentials(), cassette_session(cassette if llm else None,
                                                     "replay" if llm else "off"):
            replayed = asyncio.run(coroutine)
    except CassetteMismatch as exc:
        raise CassetteMismatch(*exc.problems, *warnings) from None
    transcript_diff = _diff(comparable_lines(events), comparable_lines(replayed.events),
                            outputs.TRANSCRIPT)
    result_diff = _diff(comparable_result(result), comparable_result(replayed.result, result),
                        outputs.RESULT)
    return ReplayReport(identical=not transcript_diff and not result_diff, run=replayed,
                        transcript_diff=transcript_diff, result_diff=result_diff,
                        warnings=warnings)


def _seats_from_record(scenario: Scenario, config: RunConfig, events: list[Event]) -> dict[str, Any] | None:
    """A human seat's recorded answers (its transcript events) answer for it in a replay."""
    humans = [p for p in scenario.party_ids() if config.backend_for(p) == "human"]
    if not humans:
        return None
    from treatylab.backends import make_backends
    from treatylab.branch_script import ScriptedBackend, recorded_turns

    turns = recorded_turns(events)
    plain = config.model_copy(update={"delegates": {p: s for p, s in config.delegates.items() if s != "human"}})
    seats = make_backends(scenario, plain)
    seats.update({p: ScriptedBackend(p, turns) for p in humans})
    return seats
