"""Keep the cyclic garbage collector off the start-up objects (issue 16, item 4).

After imports, about 120k tracked objects (modules, classes, pydantic schemas, compiled
templates) live for the whole process, yet every full collection walks them all again: 80 to
140 ms each, mid-episode. `gc.freeze()` moves everything alive now into a permanent
generation the collector skips. The CLI freezes once its imports are done, just before the
episode runs; a sweep process (in-process or a pool worker) freezes after its first episode,
when the per-process caches (compiled graph, templates, outcome spaces) are warm too.

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
    gc.collect()
    gc.freeze()
    return True


def frozen() -> int:
    """How many objects the collector now skips."""
    return gc.get_freeze_count()
