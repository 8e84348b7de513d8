"""Where a sweep's worker processes come from, and how each knows its sweep is still alive.

A spawned worker imports langgraph, the openai SDK, the pydantic models and treatylab again
(1.5 to 2 CPU-seconds on the development machine), and its first episode warms per-process
caches (compiled graph, TLS context, lazily imported HTTP modules: 0.4 s more). On Linux and
macOS the workers are forked from a *forkserver* instead: a process started once per sweep
process, which imports and warms the episode path (`treatylab.sweep.preload`) and then forks
each worker, so N workers pay that start-up once rather than N times, and share its memory
copy-on-write. Where no forkserver exists (Windows) workers are spawned as before.

A forked worker inherits the forkserver's environment, fixed when the forkserver started (at
the first sweep of the process), not the sweep's current one; multiprocessing passes the
working directory and `sys.path`, not the environment. `WorkerOrigin` carries the sweep's
environment across, and the worker adopts it before anything reads it.

Its parent is the forkserver, not the sweep, so a worker cannot watch its parent pid to learn
that the sweep was killed. It holds the read end of a pipe whose only write end stays in the
sweep process (the *lifeline*): the read ends at EOF the moment the sweep process is gone,
however it died, and the worker exits without writing anything further.
"""

from __future__ import annotations

import contextlib
import importlib
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext

PRELOAD = "treatylab.sweep.preload"
"""The module the forkserver imports: importing it warms the process (see its docstring)."""

EPISODE_PATH = ("treatylab.runner", "treatylab.agents.backends.openai_kind",
                "treatylab.agents.backends.chat_call", "treatylab.evals.metrics",
                "treatylab.evals.space_cache",
                # imported lazily by the first LLM call; trio and numpy.random ride along
                "httpcore2", "h11", "anyio._backends._asyncio", "numpy.random")
"""What an LLM or heuristic episode imports, listed so a worker imports it before its first."""


def start_method() -> str:
    """"forkserver" where the platform has one, else "spawn"."""
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


def worker_context() -> BaseContext:
    """The multiprocessing context sweep workers start from (queues and pipes come from it too)."""
    context = multiprocessing.get_context(start_method())
    if context.get_start_method() == "forkserver":
        context.set_forkserver_preload([PRELOAD])  # type: ignore[attr-defined]
    return context


def start_early() -> None:
    """Start the forkserver now, so that its preload runs while this process imports the rest.

    `treatylab sweep` calls this first thing: the sweep process then spends about a second
    importing the scheduler and the episode path while the forkserver imports its own copy
    on the other core, instead of one after the other. A no-op where workers are spawned.
    If the sweep then needs no worker (everything finished, one episode), the forkserver's
    import was spent on a core that had nothing else to do.
    """
    if worker_context().get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


@dataclass
class WorkerOrigin:
    """What a worker needs from the sweep process that started it (pickled to each worker)."""

    environment: dict[str, str] = field(repr=False)
    """The sweep's os.environ, API keys included: kept out of the repr, so no log shows it."""
    lifeline: Connection
    """Read end of a pipe the sweep holds open: EOF means the sweep process is gone."""


class Lifeline:
    """The sweep side: hold the write end open while workers run; `origin()` is for initargs."""

    def __init__(self, context: BaseContext) -> None:
        self._reader, self._writer = context.Pipe(duplex=False)

    def origin(self) -> WorkerOrigin:
        return WorkerOrigin(environment=dict(os.environ), lifeline=self._reader)

    def close(self) -> None:
        """Release the pipe once every worker has exited (closing it earlier stops them)."""
        self._reader.close()
        self._writer.close()

    def __enter__(self) -> Lifeline:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextlib.contextmanager
def worker_pool(context: BaseContext, max_workers: int, initializer: Callable[..., None],
                *initargs: object) -> Iterator[ProcessPoolExecutor]:
    """A process pool whose workers get `initializer(origin, *initargs)`, the lifeline held open.

    `initializer` must call `adopt(origin)` first (`treatylab.sweep.episode.init_worker` does).
    The lifeline closes only after the pool has shut down, so no worker is stopped early.
    """
    with Lifeline(context) as lifeline, ProcessPoolExecutor(
            max_workers=max_workers, mp_context=context, initializer=initializer,
            initargs=(lifeline.origin(), *initargs)) as pool:
        yield pool


_lifeline: Connection | None = None
_warmed = False


def adopt(origin: WorkerOrigin) -> None:
    """Worker side, first thing in the initializer: take the sweep's environment, watch it live.

    A TLS context built by the forkserver under another environment (SSL_CERT_FILE, ...) is
    dropped, so the first client builds it again from the sweep's.
    """
    global _lifeline
    if dict(os.environ) != origin.environment:
        os.environ.clear()
        os.environ.update(origin.environment)
        from treatylab.agents.backends.clients import tls_context

        tls_context.cache_clear()
    _lifeline = origin.lifeline

    def watch(lifeline: Connection) -> None:
        try:
            while True:
                lifeline.recv_bytes()  # nothing is ever sent: this returns only at EOF, by raising
        except (EOFError, OSError):
            os._exit(3)

    threading.Thread(target=watch, args=(origin.lifeline,), name="sweep-lifeline", daemon=True).start()


def sweep_alive() -> bool:
    """False once the sweep process that started this worker is gone (always True outside one)."""
    if _lifeline is None:
        return True
    try:
        return not _lifeline.poll()  # readable means EOF: the only writer has closed
    except (EOFError, OSError):
        return False


def warm_process() -> None:
    """Import what an episode runs and build its per-process caches, then freeze all of it.

    Run by the forkserver before it forks any worker (and by each spawned worker), so that no
    episode pays for imports and that the collector never walks the start-up objects again.
    A forked worker inherits `_warmed` and skips it.
    """
    global _warmed
    if _warmed:
        return
    _warmed = True
    for name in EPISODE_PATH:
        try:
            importlib.import_module(name)
        except ImportError:  # an optional transport module this install lacks: the call imports its own
            continue
    from treatylab.agents.backends.clients import tls_context
    from treatylab.agents.mediators import available
    from treatylab.gc_tuning import freeze_alive
    from treatylab.graphs.builder import shared_graph

    available()  # imports every strategy module
    for build in (shared_graph, tls_context):
        try:
            build()
        except Exception:  # noqa: BLE001 - e.g. SSL_CERT_FILE names no file: the episode that
            continue  # needs it builds it again and fails there, recorded like any endpoint failure
    freeze_alive()
