"""Keep the cyclic garbage collector off the start-up objects (issue 16, item 4).

After imports, about 120k tracked objects (modules, classes, pydantic schemas, compiled
templates) live for the whole process, yet every full collection walks them all again: 80 to
140 ms each, mid-episode. `gc.freeze()` moves everything alive now into a permanent
generation the collector skips. The CLI freezes once its imports are done, just before the
episode runs. A sweep's worker process freezes twice: in its initializer, once the episode
path is imported (`warm_worker`), so that its first wave of episodes (16 at once in a 32-way
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
    gc.collect()
    gc.freeze()
    return True


def warm_worker() -> None:
    """Import what an LLM or heuristic episode runs, then collect and freeze it.

    A worker otherwise imports the graph, the mediator strategies, the metrics and the SDK
    while its first episodes run, and the collector walks all of it on every full pass.
    """
    import importlib

    for name in ("treatylab.runner", "treatylab.agents.backends.openai_kind",
                 "treatylab.agents.backends.chat_call", "treatylab.evals.metrics",
                 "treatylab.evals.space_cache"):
        importlib.import_module(name)
    from treatylab.agents.mediators import available

    available()  # imports every strategy module
    gc.collect()
    gc.freeze()


def frozen() -> int:
    """How many objects the collector now skips."""
    return gc.get_freeze_count()
