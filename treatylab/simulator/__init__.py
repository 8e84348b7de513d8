"""An OpenAI-compatible endpoint answered by the baseline policies, with seeded faults.

It makes the real LLM path testable offline: the openai SDK talks HTTP to it, vcrpy records the
exchanges, and a run through it negotiates exactly like the in-process heuristic backend.
"""

from treatylab.simulator.faults import FAULT_KINDS, FaultKind, parse_fault_list
from treatylab.simulator.responses import MODEL_ID, SimulatorConfig, respond
from treatylab.simulator.server import RunningSimulator, SimulatorServer, make_server, start_simulator

__all__ = [
    "FAULT_KINDS", "MODEL_ID", "FaultKind", "RunningSimulator", "SimulatorConfig",
    "SimulatorServer", "make_server", "parse_fault_list", "respond", "start_simulator",
]
