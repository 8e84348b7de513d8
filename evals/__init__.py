"""Scoring: outcome-space analysis, burden equity, sovereignty preservation, trust, scorecard.

`evaluate(scenario, transcript)` is the one call a run needs; the pieces are public for
analysis (`treatylab analyze`) and for experiments. Formulas: docs/metrics.md.
"""

from treatylab.evals.analysis import SolutionPoint, SpaceReport, analyze_scenario
from treatylab.evals.burden import burden_equity
from treatylab.evals.metric import MetricResult
from treatylab.evals.outcome_space import OutcomeSpace
from treatylab.evals.package_analysis import PackageAnalysis, RedLineCrossing, analyze_package
from treatylab.evals.registry import Metric, MetricContext, metric, registered_metrics
from treatylab.evals.scorecard import Process, Scorecard, evaluate
from treatylab.evals.sovereignty import sovereignty_preservation
from treatylab.evals.trust import trust


def __getattr__(name: str) -> object:
    """`load_results` pulls in pandas; load it only when a notebook or report asks for it."""
    if name == "load_results":
        from treatylab.evals.experiments import load_results

        return load_results
    raise AttributeError(f"module 'treatylab.evals' has no attribute {name!r}")

__all__ = [
    "Metric", "MetricContext", "MetricResult", "OutcomeSpace", "PackageAnalysis", "Process", "RedLineCrossing",
    "Scorecard", "SolutionPoint", "SpaceReport", "analyze_package", "analyze_scenario",
    "burden_equity", "evaluate", "load_results", "metric", "registered_metrics",
    "sovereignty_preservation", "trust",
]
