"""`treatylab analyze`: solution packages, package measures, JSON keys, --package errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import typer
from typer.testing import CliRunner

from treatylab.scenarios import load
from treatylab.cli_analyze import parse_package, register
from treatylab.errors import UserError

NASH = ("burden=benefit_proportional,spending=pct_2_0,command=coordinated,basing=permanent,"
        "verification=peer_review,disputes=council_arbitration_5y")


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def root() -> None:  # keeps `analyze` a subcommand
        pass

    register(app)
    return app


def test_json_report_has_the_documented_keys(app: typer.Typer) -> None:
    result = CliRunner().invoke(app, ["analyze", "northern-shield", "--json", "--package", NASH,
                                      "--burden-reference", "benefit"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert set(doc) == {"scenario", "parties", "issues", "packages", "reservations",
                        "frontier_size", "feasible_frontier_size", "individually_rational_size",
                        "zone_of_agreement_size", "deals_under_rule_size", "required_signatories",
                        "solutions", "favourites", "package"}
    assert set(doc["solutions"]) == {"nash", "kalai_smorodinsky", "utilitarian", "egalitarian"}
    analysis = doc["package"]["analysis"]
    assert analysis["nash_ratio"] == 1.0 and analysis["pareto_gap"] == 0.0
    assert doc["package"]["burden_equity"]["parameters"] == {"reference": "benefit"}
    assert doc["solutions"]["nash"]["package"] == dict(kv.split("=") for kv in NASH.split(","))


def test_text_report_names_frontier_and_solutions(app: typer.Typer) -> None:
    result = CliRunner().invoke(app, ["analyze", "northern-shield", "--package", NASH])
    assert result.exit_code == 0, result.output
    assert "Pareto frontier 396" in result.output
    for name in ("nash", "kalai_smorodinsky", "utilitarian", "egalitarian", "Pareto gap"):
        assert name in result.output


def test_parse_package_lists_every_problem() -> None:
    scenario = load("northern-shield")
    with pytest.raises(UserError) as caught:
        parse_package("burden=nope,zz=1,spending,burden=equal", scenario)
    problems = caught.value.problems
    assert any("unknown option 'nope' for issue 'burden'" in p for p in problems)
    assert any("unknown issue 'zz'" in p for p in problems)
    assert any("'spending' is not issue=option" in p for p in problems)
    assert any("issue 'burden' is given twice" in p for p in problems)
    assert any(p.startswith("--package: missing issue(s)") and "'command'" in p for p in problems)


def test_bad_package_exits_2_with_a_line_to_fix() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "treatylab.cli", "analyze", "northern-shield",
         "--package", "burden=equal"],
        capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "error: --package: missing issue(s)" in proc.stderr
    assert "Traceback" not in proc.stderr
