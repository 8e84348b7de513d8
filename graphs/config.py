"""RunConfig, re-exported: it lives in `treatylab.agents.run_config` (the backends read it).

Backend kinds are not listed here: the backend registry (`agents.backends.registry`) knows
them, and `RunConfig` checks its specs through it.
"""

from treatylab.agents.run_config import RunConfig, check_backend_spec

__all__ = ["RunConfig", "check_backend_spec"]
