"""The Ray executor: a sweep's episodes as Ray tasks, on one machine or a cluster.

`treatylab sweep SPEC --executor ray [--ray-address ADDR]`. Every episode is one task that
runs the same `run_payload` as the local pool's workers, with the same episode id and into the
same atomic episode folder (`result.json` last), so the resume rules do not change: the
driver (this process) skips finished folders, and only the driver writes `results.parquet`,
rebuilt from the folders at the end. The sweep folder must be a path every node reaches at
the same name (a shared filesystem: NFS, a cluster file system; docs/scaling.md).

- Killing the driver: Ray ends the job's tasks; an episode that had not written its
  `result.json` is cleared and run again by the next `treatylab sweep`.
- Killing a worker: Ray retries the task (`MAX_RETRIES`) on another worker; the retry clears
  the half-written folder first, so the episode appears once.
- Without `--ray-address` a local cluster starts in this process (`ray.init`, one CPU per
  worker, no dashboard); with it, the sweep joins that cluster (`auto`, or `HOST:6379`).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from typing import Any

from treatylab.errors import UserError
from treatylab.sweep.episode import EpisodeReport, run_payload

MAX_RETRIES = 3


def _episode_task(payload: dict[str, Any]) -> dict[str, Any]:
    """One episode on a Ray worker: the pool worker's entry, without a parent to watch."""
    return asyncio.run(run_payload(payload))


def connect(address: str | None, workers: int | None) -> Any:
    """Start or join a cluster. Raises UserError when ray is missing or the address is wrong."""
    try:
        import ray
    except ModuleNotFoundError:
        raise UserError('--executor ray: Ray is not installed; pip install "treatylab[ray]"') from None
    if ray.is_initialized():
        return ray
    options: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False,
                               "configure_logging": False}
    try:
        if address:
            ray.init(address=address, **options)
        else:
            ray.init(num_cpus=workers or os.cpu_count() or 1, **options)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise UserError(f"--ray-address {address}: cannot join the Ray cluster "
                        f"({' '.join(str(exc).split())[:200]}); start it with `ray start --head` "
                        "or give its address (HOST:6379, or auto)") from None
    return ray


async def run_on_ray(payloads: list[dict[str, Any]], address: str | None, workers: int | None,
                     on_report: Callable[[EpisodeReport], None]) -> None:
    """Submit every payload as a task; report each episode as it finishes, in any order."""
    if not payloads:
        return
    ray = connect(address, workers)
    task = ray.remote(num_cpus=1, max_retries=MAX_RETRIES, retry_exceptions=False)(_episode_task)
    refs = [task.remote(payload) for payload in payloads]
    futures = [asyncio.wrap_future(ref.future()) for ref in refs]
    try:
        for finished in asyncio.as_completed(futures):
            on_report(EpisodeReport.model_validate(await finished))
    except BaseException:
        for ref in refs:
            ray.cancel(ref, force=True)
        raise
