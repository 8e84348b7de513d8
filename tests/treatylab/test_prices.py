"""The price table: shipped defaults, glob order, unpriced models, bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from treatylab.errors import UserError
from treatylab.prices import default_prices, load_prices, usage_cost


def test_shipped_table_prices_the_simulator_at_zero_and_orders_specific_names_first() -> None:
    table = default_prices()
    assert table.cost("treatylab-sim", 10_000, 10_000) == 0.0
    mini = table.price_for("gpt-4o-mini-2024-07-18")
    assert mini is not None and mini.pattern == "gpt-4o-mini*"
    assert table.cost("gpt-4o-mini", 1_000_000, 1_000_000) == pytest.approx(0.15 + 0.60)
    assert table.cost("gpt-4o-2024-08-06", 2_000_000, 0) == pytest.approx(5.0)
    assert table.price_for("llama-3.1-8b-instruct") is None


def test_episode_cost_is_null_only_with_an_unpriced_model() -> None:
    table = default_prices()
    calls = [{"model": "gpt-4o-mini", "prompt_tokens": 500_000, "completion_tokens": 0},
             {"model": "treatylab-sim", "prompt_tokens": 99, "completion_tokens": 9}]
    assert usage_cost(calls, table) == pytest.approx(0.075)
    assert usage_cost([], table) == 0.0
    assert usage_cost([*calls, {"model": "mystery", "prompt_tokens": 1}], table) is None


def test_price_file_replaces_the_table(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("models:\n  - {pattern: 'local-*', input: 1, output: 2}\n")
    table = load_prices(path)
    assert table.cost("local-7b", 1_000_000, 1_000_000) == 3.0
    assert table.price_for("gpt-4o") is None
    assert table.provenance()["source"] == str(path)
    assert len(table.provenance()["sha256"]) == 64


@pytest.mark.parametrize(("text", "needle"), [
    ("models:\n  - {pattern: 'x', input: 1}\n", "models[0].output: Field required"),
    ("models:\n  - {pattern: 'x', input: -1, output: 1}\n", "models[0].input"),
    ("models:\n  - {pattern: 'x', input: 1, output: 1, per_call: 3}\n", "models[0].per_call: unknown field"),
    ("- just a list\n", "a price table is a mapping"),
])
def test_bad_price_file_names_file_and_field(tmp_path: Path, text: str, needle: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(UserError) as error:
        load_prices(path)
    assert str(path) in str(error.value) and needle in str(error.value)


def test_missing_price_file(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no such file"):
        load_prices(tmp_path / "none.yaml")
