"""The baseline policy of every role: `decide(view) -> Action`, a pure function.

The same function answers in process (the heuristic backend) and behind HTTP (the simulator),
which is why a run through the simulator and an in-process run negotiate identically.
"""

from __future__ import annotations

from treatylab.agents import mediators
from treatylab.agents.actions import Action
from treatylab.agents.heuristics.delegate import decide_compliance, decide_delegate, decide_vote
from treatylab.agents.views import DelegateView, MediatorView, View


def decide(view: View) -> Action:
    if isinstance(view, MediatorView):
        return mediators.get(view.strategy).decide(view)
    if isinstance(view, DelegateView):
        if view.expected == "vote":
            return decide_vote(view)
        if view.expected == "compliance":
            return decide_compliance(view)
        return decide_delegate(view)
    raise TypeError(f"no policy for {type(view).__name__}")
