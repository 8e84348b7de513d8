"""The run folder: transcript.jsonl, result.json, manifest.json, written atomically.

JSON is written with sorted keys and a fixed indent, so two runs with the same scenario,
config and seed compare byte for byte with `cmp`. The manifest records what is needed to
explain a difference (scenario hash, config, prompt-template hashes, package versions, seed)
and never a secret: the config holds no API key, and base URLs are stored without userinfo.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from treatylab import prompts
from treatylab.agents.transcript import Event, dumps_jsonl, loads_jsonl
from treatylab.graphs import RunConfig
from treatylab.scenarios import Scenario, scenario_hash
from treatylab import __version__

TRANSCRIPT = "transcript.jsonl"
RESULT = "result.json"
MANIFEST = "manifest.json"
CASSETTE = "cassette.yaml"
VERSIONED_PACKAGES = ("langgraph", "openai", "pydantic", "jinja2", "vcrpy", "numpy", "pandas")


def atomic_write(path: Path, text: str) -> None:
    """Write via a temporary file in the same folder and rename: never a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def dumps_json(document: Any) -> str:
    return json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def _safe_url(url: str | None) -> str | None:
    if not url:
        return url
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def result_document(scenario: Scenario, config: RunConfig, run_id: str,
                    card: dict[str, Any]) -> dict[str, Any]:
    """result.json: outcome, package and rounds on top, every score under `scores`."""
    top = {key: card.get(key) for key in ("outcome", "package", "rounds")}
    scores = {key: value for key, value in card.items() if key not in top and key != "process"}
    return {
        "run_id": run_id,
        "scenario": scenario.id,
        "mediator": config.mediator,
        "seed": config.seed,
        **top,
        "scores": scores,
        "process": card.get("process", {}),
    }


def package_versions() -> dict[str, str]:
    versions = {}
    for name in VERSIONED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions


def manifest_document(scenario: Scenario, config: RunConfig, run_id: str, scenario_ref: str,
                      extra: dict[str, Any] | None = None) -> dict[str, Any]:
    config_data = config.model_dump(mode="json")
    config_data["base_url"] = _safe_url(config.base_url)
    return {
        "run_id": run_id,
        "treatylab_version": __version__,
        "scenario": {"id": scenario.id, "ref": scenario_ref or scenario.id,
                     "sha256": scenario_hash(scenario)},
        "config": config_data,
        "seed": config.seed,
        "prompt_templates": prompts.template_hashes(),
        "packages": package_versions(),
        "python": platform.python_version(),
        **(extra or {}),
    }


def write_run(out_dir: Path, events: list[Event], result: dict[str, Any],
              manifest: dict[str, Any]) -> None:
    atomic_write(out_dir / TRANSCRIPT, dumps_jsonl(events))
    atomic_write(out_dir / MANIFEST, dumps_json(manifest))
    atomic_write(out_dir / RESULT, dumps_json(result))  # last: its presence means "finished"


def read_run(run_dir: Path) -> tuple[list[Event], dict[str, Any], dict[str, Any]]:
    from treatylab.errors import UserError

    missing = [name for name in (TRANSCRIPT, RESULT, MANIFEST) if not (run_dir / name).exists()]
    if missing:
        raise UserError(f"{run_dir}: not a finished run folder (missing {', '.join(missing)}); "
                        "run `treatylab run SCENARIO --out DIR` first")
    events = loads_jsonl((run_dir / TRANSCRIPT).read_text(encoding="utf-8"))
    result = json.loads((run_dir / RESULT).read_text(encoding="utf-8"))
    manifest = json.loads((run_dir / MANIFEST).read_text(encoding="utf-8"))
    return events, result, manifest
