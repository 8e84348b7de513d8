"""treatylab: the application shell (CLI, run orchestration, cassettes, simulator, outputs).

Negotiation logic lives in the top-level packages `agents`, `graphs`, `scenarios` and `evals`.
"""

__version__ = "0.1.0"
