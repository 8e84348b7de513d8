"""Imported by the sweep's forkserver before it forks any worker: importing it warms the process.

This is the one module whose import does work, on purpose: multiprocessing's forkserver can
only be told module names to import (`set_forkserver_preload`), and everything this import
builds (the episode path's modules, the compiled graph, the TLS context, all of it frozen out
of the collector's sight) is inherited by every worker it forks (see `treatylab.sweep.workers`).
"""

from treatylab.sweep.workers import warm_process

warm_process()
