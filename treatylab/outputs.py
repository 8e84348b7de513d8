"""The run folder: transcript.jsonl, result.json, manifest.json, timings.jsonl, written atomically.

JSON is written with sorted keys and a fixed indent, so two runs with the same scenario,
config and seed compare byte for byte with `cmp`; wall-clock figures (call latency, episode
wall time) live only in timings.jsonl, which no two runs share. The manifest records what is
needed to explain a difference (identity hash, scenario hash, config, prompt-template hashes,
package versions, seed, the endpoint and model that answered) and never a secret: base URLs
are stored without userinfo and without key/token query parameters.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import platform
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from treatylab import prompts
from treatylab.agents.backends.failures import FailureRecord
from treatylab.agents.transcript import Event, UsageEvent, dumps_jsonl, loads_jsonl, timing_records
from treatylab.graphs import RunConfig
from treatylab.scenarios import Scenario, scenario_hash
from treatylab import __version__

TRANSCRIPT = "transcript.jsonl"
RESULT = "result.json"
MANIFEST = "manifest.json"
CASSETTE = "cassette.yaml"
TIMINGS = "timings.jsonl"
DEFAULT_ENDPOINT = "https://api.openai.com/v1"
SECRET_QUERY_KEYS = frozenset({"key", "api-key", "api_key", "apikey", "token", "access_token",
                               "access-token", "auth", "password", "secret", "sig", "signature"})
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


def safe_url(url: str | None) -> str | None:
    """`url` without userinfo and without credential query parameters (key, api-key, token...)."""
    if not url:
        return url
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    if port:
        host = f"{host}:{port}"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if k.lower() not in SECRET_QUERY_KEYS]
    return urlunsplit((parts.scheme, host, parts.path, urlencode(query), ""))


_safe_url = safe_url


def endpoint_used(config: RunConfig) -> str | None:
    """The endpoint LLM calls went to: the flag, else OPENAI_BASE_URL, else OpenAI's; scrubbed."""
    if not config.uses_llm():
        return None
    return safe_url(config.base_url or os.environ.get("OPENAI_BASE_URL") or DEFAULT_ENDPOINT)


def result_document(scenario: Scenario, config: RunConfig, run_id: str,
                    card: dict[str, Any], *, failure: FailureRecord | None = None,
                    process: dict[str, Any] | None = None) -> dict[str, Any]:
    """result.json: status, outcome, package and rounds on top, every score under `scores`.

    A failed episode (`failure` given: the endpoint failed, not the negotiators) has no
    outcome, package, rounds or scores: scoring a half-run negotiation would read as a
    breakdown. Its `process` still says how far it got. Latency is a timing, kept in
    timings.jsonl, so result.json is byte-identical across replays.
    """
    if failure is not None:
        card = {}
    top = {key: card.get(key) for key in ("outcome", "package", "rounds")}
    scores = {key: value for key, value in card.items() if key not in top and key != "process"}
    process_doc = {k: v for k, v in (process if process is not None else card.get("process", {})).items()
                   if k != "latency_ms"}
    return {
        "run_id": run_id,
        "status": "failed" if failure is not None else "done",
        "failure": failure.model_dump(mode="json") if failure is not None else None,
        "scenario": scenario.id,
        "mediator": config.mediator,
        "seed": config.seed,
        **top,
        "scores": scores,
        "process": process_doc,
    }


def package_versions() -> dict[str, str]:
    """Versions of the packages a run depends on, for the manifest (a fresh dict each call)."""
    return dict(_package_versions())


@functools.lru_cache(maxsize=1)
def _package_versions() -> dict[str, str]:
    """Read once per process: installed versions do not change under a running sweep."""
    versions = {}
    for name in VERSIONED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions


def client_versions() -> dict[str, str]:
    """The HTTP client stack that talked to the endpoint (a fresh dict each call)."""
    return dict(_client_versions())


@functools.lru_cache(maxsize=1)
def _client_versions() -> dict[str, str]:
    """Read once per process, as `_package_versions` (about 3 ms a lookup, three per episode)."""
    out = {"treatylab": __version__}
    for name in ("openai", "httpx2", "httpx"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out


def models_document(config: RunConfig, events: list[Event]) -> dict[str, Any]:
    """The models as requested (backend specs) and as the server named them in its answers."""
    specs = [config.default_backend, *config.delegates.values()]
    if config.mediator != "none":
        specs.append(config.mediator_backend)
    requested = sorted({spec.partition(":")[2] for spec in specs if spec.startswith("openai:")})
    reported = sorted({e.payload.model for e in events
                       if isinstance(e, UsageEvent) and e.payload.error is None})
    return {"requested": requested, "reported": reported}


def manifest_document(scenario: Scenario, config: RunConfig, run_id: str, scenario_ref: str,
                      extra: dict[str, Any] | None = None, *, identity: dict[str, Any] | None = None,
                      events: list[Event] | None = None) -> dict[str, Any]:
    config_data = config.model_dump(mode="json")
    config_data["base_url"] = safe_url(config.base_url)
    llm = {"endpoint": endpoint_used(config), "models": models_document(config, events or []),
           "client": client_versions()} if config.uses_llm() else None
    return {
        "run_id": run_id,
        "treatylab_version": __version__,
        "identity": identity,
        "scenario": {"id": scenario.id, "ref": scenario_ref or scenario.id,
                     "sha256": scenario_hash(scenario)},
        "config": config_data,
        "seed": config.seed,
        "llm": llm,
        "prompt_templates": prompts.template_hashes(),
        "packages": package_versions(),
        "python": platform.python_version(),
        **(extra or {}),
    }


def timings_jsonl(events: list[Event], wall_s: float | None = None) -> str:
    lines = [{"kind": "call", **record} for record in timing_records(events)]
    if wall_s is not None:
        lines.append({"kind": "episode", "wall_s": round(wall_s, 4),
                      "latency_ms": round(sum(float(r["latency_ms"]) for r in lines), 1)})
    return "".join(json.dumps(line, sort_keys=True) + "\n" for line in lines)


def write_run(out_dir: Path, events: list[Event], result: dict[str, Any],
              manifest: dict[str, Any], wall_s: float | None = None) -> None:
    atomic_write(out_dir / TRANSCRIPT, dumps_jsonl(events))
    if wall_s is not None or any(isinstance(e, UsageEvent) for e in events):
        atomic_write(out_dir / TIMINGS, timings_jsonl(events, wall_s))
    atomic_write(out_dir / MANIFEST, dumps_json(manifest))
    atomic_write(out_dir / RESULT, dumps_json(result))  # last: its presence means "finished"


def prepare_out_dir(out_dir: Path, *, overwrite: bool, identity: dict[str, Any] | None,
                    resuming: bool = False) -> None:
    """Make sure `out_dir` can take this run, before anything runs.

    An existing folder is never silently reused (a stale cassette.yaml in it would answer the
    new run's calls): it is refused, or deleted first with `overwrite`. The one exception is a
    resume: the same checkpoint, with the same identity, going on into its own folder.

    Raises:
        UserError: `out_dir` is a file, or a folder that holds something else.
    """
    from treatylab.errors import UserError

    if out_dir.exists() and not out_dir.is_dir():
        raise UserError(f"--out {out_dir}: is a file, not a folder; give a folder path")
    if not out_dir.exists() or not any(out_dir.iterdir()):
        return
    if overwrite:
        import shutil

        shutil.rmtree(out_dir)
        return
    if resuming:
        manifest = out_dir / MANIFEST
        recorded = None
        if manifest.is_file():
            with contextlib.suppress(ValueError, OSError):
                recorded = (json.loads(manifest.read_text(encoding="utf-8")).get("identity") or {}).get("sha256")
        if not manifest.exists() or (identity and recorded == identity.get("sha256")):
            return
    raise UserError(f"--out {out_dir}: folder exists and holds an earlier run; pass --overwrite to "
                    "replace it (deletes it first) or choose another --out")


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
