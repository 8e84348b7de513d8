"""Scoring: outcome-space analysis, burden equity, sovereignty preservation, trust, scorecard.

`evaluate(scenario, transcript)` is the one call a run needs; the pieces are public for
analysis (`treatylab analyze`) and for experiments. Formulas: docs/metrics.md.
"""

from evals.analysis import SolutionPoint, SpaceReport, analyze_scenario
from evals.burden import burden_equity
from evals.metric import MetricResult
from evals.outcome_space import OutcomeSpace
from evals.package_analysis import PackageAnalysis, RedLineCrossing, analyze_package
from evals.scorecard import Process, Scorecard, evaluate
from evals.sovereignty import sovereignty_preservation
from evals.trust import trust


def __getattr__(name: str) -> object:
    """`load_results` pulls in pandas; load it only when a notebook or report asks for it."""
    if name == "load_results":
        from evals.experiments import load_results

        return load_results
    raise AttributeError(f"module 'evals' has no attribute {name!r}")

__all__ = [
    "MetricResult", "OutcomeSpace", "PackageAnalysis", "Process", "RedLineCrossing",
    "Scorecard", "SolutionPoint", "SpaceReport", "analyze_package", "analyze_scenario",
    "burden_equity", "evaluate", "load_results", "sovereignty_preservation", "trust",
]
