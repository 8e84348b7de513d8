"""Keep the cyclic garbage collector off the start-up objects (issue 16, item 4).

After imports, about 120k tracked objects (modules, classes, pydantic schemas, compiled
templates) live for the whole process, yet every full collection walks them all again: 80 to
140 ms each, mid-episode. `gc.freeze()` moves everything alive now into a permanent
generation the collector skips. The CLI freezes once its imports are done, just before the
episode runs. A sweep's worker process freezes twice: in its initializer, once the episode
path is imported (`treatylab.sweep.workers.warm_process`, run by the forkserver that forks the
workers, or by a spawned worker itself), so that its first wave of episodes (16 at once in a 32-way
sweep over two workers) does not walk the imports on every full collection; and after its first
episode (`freeze_once`), when the per-process caches (compiled graph, templates, outcome
spaces) are warm too. A frozen object stays frozen; the second freeze adds what the first
episode left alive.

Freezing changes no result: it only decides which objects the collector looks at, and the
frozen ones are alive anyway.
"""

from __future__ import annotations

import gc

_done = False


def freeze_once() -> bool:
    """Collect once, then freeze what is alive; a no-op after the first call. True if it froze."""
    global _done
    if _done:
        return False
    _done = True
    freeze_alive()
    return True


def freeze_alive() -> None:
    """Collect, then freeze everything alive now (what `freeze_once` does, without the latch)."""
    gc.collect()
    gc.freeze()


def frozen() -> int:
    """How many objects the collector now skips."""
    return gc.get_freeze_count()
