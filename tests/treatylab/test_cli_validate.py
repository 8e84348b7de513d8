"""`treatylab scenario validate` one broken file at a time: each fault on its own gives the
line that names its field path, exit code 2, and no traceback."""

from __future__ import annotations

import copy
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import FIXTURES
from tests.scenarios.test_fixtures import BROKEN
from treatylab.cli import main

SCENARIOS = FIXTURES / "scenarios"
TINY = SCENARIOS / "tiny-valid.yaml"


def _dup_party(data: dict) -> None:
    data["parties"].append(copy.deepcopy(data["parties"][0]))


def _dup_issue(data: dict) -> None:
    data["issues"].append(copy.deepcopy(data["issues"][0]))


def _dup_option(data: dict) -> None:
    data["issues"][0]["options"].append(copy.deepcopy(data["issues"][0]["options"][0]))


# duplicate ids besides the shock ids of duplicate-ids.yaml: a copy of tiny-valid with one
# entry repeated, and the line that must name it
DUPLICATES = {
    "party": (_dup_party, "parties: duplicate party id 'alpha'; each party id must be unique"),
    "issue": (_dup_issue, "issues: duplicate issue id 'burden'; each issue id must be unique"),
    "option": (_dup_option, "issues[0].options: duplicate option id 'equal' in issue 'burden'; each option id must be unique within its issue"),
}


def _validate(path: Path, monkeypatch, capsys) -> tuple[int, str, str]:
    """The real entry point, in process: any uncaught exception fails the test here."""
    monkeypatch.setattr(sys, "argv", ["treatylab", "scenario", "validate", str(path)])
    with pytest.raises(SystemExit) as done:
        main()
    captured = capsys.readouterr()
    return done.value.code, captured.out, captured.err


def test_the_valid_fixture_passes(monkeypatch, capsys) -> None:
    code, out, err = _validate(TINY, monkeypatch, capsys)
    assert (code, out, err) == (0, f"ok {TINY}\n", "")


@pytest.mark.parametrize("stem", sorted(BROKEN))
def test_each_broken_fixture_alone_exits_2_with_its_field_path(stem, monkeypatch, capsys) -> None:
    path = SCENARIOS / f"{stem}.yaml"
    code, out, err = _validate(path, monkeypatch, capsys)
    assert code == 2
    assert out == ""
    assert "Traceback" not in out + err
    assert err.splitlines() == [f"error: {path}: {line}" for line in BROKEN[stem]] + [
        "error: 1 of 1 scenario file(s) failed validation"]


@pytest.mark.parametrize("kind", sorted(DUPLICATES))
def test_duplicate_ids_of_every_kind_are_refused(kind, tmp_path, monkeypatch, capsys) -> None:
    mutate, line = DUPLICATES[kind]
    data = yaml.safe_load(TINY.read_text(encoding="utf-8"))
    mutate(data)
    path = tmp_path / f"duplicate-{kind}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    code, out, err = _validate(path, monkeypatch, capsys)
    assert code == 2 and out == ""
    assert "Traceback" not in err
    lines = err.splitlines()
    assert f"error: {path}: {line}" in lines
    assert lines[-1] == "error: 1 of 1 scenario file(s) failed validation"
