"""Scoring: outcome-space analysis, burden equity, sovereignty preservation, trust, scorecard."""

from evals.outcome_space import OutcomeSpace
from evals.package_analysis import PackageAnalysis, RedLineCrossing, analyze_package

__all__ = ["OutcomeSpace", "PackageAnalysis", "RedLineCrossing", "analyze_package"]
