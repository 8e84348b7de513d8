"""The sweep folder on disk, and the rule that makes resuming safe.

```
<out>/spec.yaml                       the spec as run (provenance)
<out>/episodes/<episode-id>/          one finished episode: transcript.jsonl, manifest.json,
                                      result.json (written last), or failure.json
<out>/results.parquet                 one row per episode, rebuilt from the folders
<out>/.lock                           held while a sweep writes here
```

An episode is finished when its `result.json` exists: every file is written atomically
(temporary file + rename) and `result.json` last, so a folder killed half-way has no
result and is cleared and run again. A failed episode (one that raised) leaves only
`failure.json` and is run again too. Two sweeps never write one folder at once: the second
finds the lock taken and stops with a UserError.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import shutil
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from treatylab import outputs
from treatylab.errors import UserError

EPISODES = "episodes"
FAILURE = "failure.json"
RESULTS = "results.parquet"
SPEC_COPY = "spec.yaml"
LOCK = ".lock"


def episode_dir(out: Path, episode_id: str) -> Path:
    return out / EPISODES / episode_id


def is_finished(folder: Path) -> bool:
    return (folder / outputs.RESULT).exists()


def prepare_rerun(folder: Path) -> None:
    """Clear an unfinished folder (partial files, old failure) before it runs again."""
    if folder.exists() and not is_finished(folder):
        shutil.rmtree(folder)


def write_failure(folder: Path, episode_id: str, exc: BaseException) -> dict[str, Any]:
    """failure.json: what raised, so the row says why and the next run retries it."""
    frames = traceback.format_exception(type(exc), exc, exc.__traceback__)
    document = {
        "episode_id": episode_id,
        "error_type": type(exc).__name__,
        "reason": " ".join(str(exc).split())[:2000] or type(exc).__name__,
        "traceback": "".join(frames[-6:]),
    }
    if folder.exists():
        for name in (outputs.TRANSCRIPT, outputs.MANIFEST):
            with contextlib.suppress(OSError):
                (folder / name).unlink()
    outputs.atomic_write(folder / FAILURE, outputs.dumps_json(document))
    return document


def read_failure(folder: Path) -> dict[str, Any] | None:
    path = folder / FAILURE
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {"reason": "unreadable failure.json", "error_type": "unknown"}


@contextlib.contextmanager
def sweep_lock(out: Path) -> Iterator[None]:
    """Exclusive use of `out` for this process (released by the kernel even on SIGKILL)."""
    out.mkdir(parents=True, exist_ok=True)
    handle = open(out / LOCK, "a+")  # noqa: SIM115 - held for the whole block
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UserError(f"{out}: another sweep is writing to this folder; wait for it to "
                            "finish or choose another --out") from None
        yield
    finally:
        handle.close()
