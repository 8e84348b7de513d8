"""Hostile scenario input: each refusal names the file, the field (or line) and the fix."""

from __future__ import annotations

import os

import pytest
import yaml

from tests.conftest import FIXTURES
from treatylab.scenarios import ScenarioError, load, parse
from treatylab.scenarios.loader import MAX_FILE_BYTES

TINY = FIXTURES / "scenarios" / "tiny-valid.yaml"


def _data() -> dict:
    return yaml.safe_load(TINY.read_text(encoding="utf-8"))


def _problems(data_or_text) -> list[str]:
    text = data_or_text if isinstance(data_or_text, str) else yaml.safe_dump(data_or_text)
    with pytest.raises(ScenarioError) as err:
        parse(text, source="x.yaml")
    return err.value.problems


def test_the_fixture_is_valid() -> None:
    assert parse(TINY.read_text(encoding="utf-8")).id


@pytest.mark.parametrize("value", [True, 1.0, "1", 2])
def test_schema_version_is_exactly_the_integer_1(value) -> None:
    data = _data()
    data["schema_version"] = value
    assert any(p.startswith("x.yaml: schema_version: ") and "integer" in p for p in _problems(data))


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -1e308, True])
def test_utilities_are_finite_numbers_in_range(value) -> None:
    data = _data()
    pid = next(iter(data["utilities"]))
    issue = next(iter(data["utilities"][pid]))
    option = next(iter(data["utilities"][pid][issue]))
    data["utilities"][pid][issue][option] = value
    assert any(p.startswith(f"x.yaml: utilities.{pid}.{issue}.{option}: ") for p in _problems(data))


def test_a_boolean_is_not_a_reservation() -> None:
    data = _data()
    data["parties"][0]["reservation"] = True
    assert "x.yaml: parties[0].reservation: Input should be a valid number" in _problems(data)


def test_negative_burden_shares_are_refused_even_when_they_sum_to_1() -> None:
    data = _data()
    for i, issue in enumerate(data["issues"]):
        for j, option in enumerate(issue["options"]):
            if option.get("burden_shares"):
                a, b = list(option["burden_shares"])[:2]
                option["burden_shares"][b] += option["burden_shares"][a] + 0.5
                option["burden_shares"][a] = -0.5
                assert any(p.startswith(f"x.yaml: issues[{i}].options[{j}].burden_shares.{a}:")
                           for p in _problems(data))
                return
    pytest.skip("fixture has no burden shares")


def test_a_reserved_party_id_is_refused() -> None:
    data = _data()
    old = data["parties"][0]["id"]
    text = yaml.safe_dump(data).replace(f"{old}", "mediator")
    assert "x.yaml: parties[0].id: 'mediator' is reserved for the protocol; rename the party " \
        "(e.g. 'mediator-state')" in _problems(text)


def test_duplicate_keys_are_refused_with_their_line() -> None:
    lines = TINY.read_text(encoding="utf-8").splitlines()
    n = next(k for k, line in enumerate(lines) if line.strip().startswith("reservation:"))
    indent = lines[n][: len(lines[n]) - len(lines[n].lstrip())]
    lines.insert(n + 1, f"{indent}reservation: 99")
    problems = _problems("\n".join(lines))
    assert problems == [f"x.yaml: line {n + 2}, column {len(indent) + 1}: YAML syntax error: "
                        f"duplicate key 'reservation' (first at line {n + 1}); each key may "
                        "appear once: remove one"]


def test_empty_titles_are_refused() -> None:
    data = _data()
    data["title"] = "  "
    assert "x.yaml: title: Value error, must not be empty; write a short text" in _problems(data) \
        or "x.yaml: title: must not be empty; write a short text" in _problems(data)


def test_deep_nesting_and_aliases_are_refused_without_recursion_error() -> None:
    text = TINY.read_text(encoding="utf-8")
    deep = _problems(text + "deep: " + "[" * 20000 + "]" * 20000 + "\n")
    assert len(deep) == 1 and "nesting deeper than 32 levels" in deep[0]
    alias = _problems(text + "a: &x [1]\nb: *x\n")
    assert len(alias) == 1 and "alias *x is not allowed" in alias[0]


def test_devices_fifos_and_huge_files_are_refused_before_reading(tmp_path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    for path in ("/dev/zero", str(fifo), str(tmp_path)):
        with pytest.raises(ScenarioError) as err:
            load(path)
        assert err.value.problems == [f"{path}: (file): not a regular file; give a scenario "
                                      "YAML file"]
    huge = tmp_path / "huge.yaml"
    huge.write_bytes(b"#" * (MAX_FILE_BYTES + 1))
    with pytest.raises(ScenarioError) as err:
        load(huge)
    assert "the cap is 5,242,880 bytes (5 MB)" in err.value.problems[0]


@pytest.mark.parametrize("ref", ["../../x", "../scenarios/northern-shield", "/northern-shield"])
def test_library_ids_resolve_only_inside_the_library(ref) -> None:
    with pytest.raises(ScenarioError) as err:
        load(ref)
    assert "no library scenario with that id" in err.value.problems[0]


def _grow(data: dict, issues: int, options: int) -> None:
    for n in range(issues):
        issue_id = f"extra-{n}"
        data["issues"].append({"id": issue_id, "title": f"Extra {n}", "options": [
            {"id": f"o{m}", "label": f"O{m}"} for m in range(options)]})
        for pid in data["utilities"]:
            data["utilities"][pid][issue_id] = {f"o{m}": 0 for m in range(options)}


def test_the_package_space_is_capped_with_size_and_cap_named() -> None:
    data = _data()
    _grow(data, 34, 2)
    problems = _problems(data)
    assert any("issues: the package space has" in p and "the cap is 10,000,000" in p
               for p in problems)


def test_a_space_under_the_cap_validates_but_run_refuses_it(tmp_path) -> None:
    data = _data()
    _grow(data, 17, 2)
    path = tmp_path / "big.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert load(path).package_count() > 100_000
    with pytest.raises(ScenarioError) as err:
        load(path, for_run=True)
    assert err.value.problems[0].startswith(f"{path}: issues: ")
    assert "`run` negotiates at most 100,000" in err.value.problems[0]
