"""Sweep specs: expansion with stable ids, and bad specs refused with file, field and fix."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from treatylab.agents import mediators
from treatylab.scenarios import library_ids
from treatylab.errors import UserError
from treatylab.sweep import expand, load_spec


def test_expansion_order_and_stable_ids(spec_file) -> None:
    path = spec_file(scenarios=["northern-shield", "island-compact"], mediators=["oracle", "formulative"],
                     seeds=[7, 3], delegates=[{"name": "heuristic"}])
    episodes, scenarios = expand(load_spec(path), path)
    assert [e.episode_id for e in episodes[:4]] == [
        "northern-shield--heuristic--oracle--s7", "northern-shield--heuristic--oracle--s3",
        "northern-shield--heuristic--formulative--s7", "northern-shield--heuristic--formulative--s3"]
    assert len(episodes) == 8 and set(scenarios) == {"northern-shield", "island-compact"}
    again, _ = expand(load_spec(path), path)
    assert [e.episode_id for e in again] == [e.episode_id for e in episodes]
    assert episodes[0].config.seed == 7 and episodes[0].config.mediator == "oracle"
    assert not episodes[0].uses_llm


def test_all_and_seed_count(spec_file) -> None:
    path = spec_file(scenarios="all", mediators="all", seeds=3, config={"recent_events": 4})
    episodes, _ = expand(load_spec(path), path)
    assert len(episodes) == len(library_ids()) * len(mediators.available()) * 3
    assert {e.seed for e in episodes} == {0, 1, 2}
    assert all(e.config.recent_events == 4 for e in episodes)


def test_llm_backend_configuration(spec_file) -> None:
    path = spec_file(delegates=[{"name": "sim", "model": "sim", "base_url": "http://127.0.0.1:9/v1"},
                                {"name": "mixed", "model": "m", "mediator": "heuristic"}])
    episodes, _ = expand(load_spec(path), path)
    sim, mixed = episodes
    assert sim.config.default_backend == "openai:sim" and sim.config.mediator_backend == "openai:sim"
    assert sim.config.base_url == "http://127.0.0.1:9/v1" and sim.uses_llm
    assert mixed.config.mediator_backend == "heuristic" and mixed.episode_id.endswith("--mixed--formulative--s0")


@pytest.mark.parametrize(("fields", "expected"), [
    ({"seeds": "many"}, "seeds: expected a count (e.g. 10) or a list of integers"),
    ({"seeds": 0}, "seeds: a seed count must be at least 1"),
    ({"mediators": ["mystery"]}, "mediators[0]: unknown strategy 'mystery'"),
    ({"scenarios": ["atlantis"]}, "scenarios[0]: no library scenario or file 'atlantis'"),
    ({"delegates": [{"name": "gpt"}]}, "delegates[0]: delegate backend 'gpt' needs a model"),
    ({"delegates": [{"name": "heuristic", "colour": "red"}]}, "delegates[0].colour: unknown field"),
    ({"config": {"seed": 4}}, "config: ['seed'] are set by the sweep itself"),
    ({"config": {"max_repairs": 99}}, "config.max_repairs: Input should be less than or equal to 5"),
    ({"name": "Has Spaces"}, "name: use lower-case letters"),
    ({"scenarios": ["northern-shield", "northern-shield"]}, "the same scenario is listed twice"),
])
def test_bad_specs_name_file_field_and_fix(spec_file, fields, expected) -> None:
    path = spec_file(**fields)
    with pytest.raises(UserError) as info:
        expand(load_spec(path), path)
    assert any(line.startswith(f"{path}: ") and expected in line for line in info.value.problems), info.value.problems


def test_cli_exits_2_without_traceback(spec_file, tmp_path: Path) -> None:
    path = spec_file(seeds="many", mediators=["mystery"])
    done = subprocess.run([sys.executable, "-m", "treatylab.cli", "sweep", str(path), "--out", str(tmp_path / "o")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert f"{path}: seeds: expected a count" in done.stderr
    assert not (tmp_path / "o").exists()


def test_missing_and_malformed_files(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no such sweep spec"):
        load_spec(tmp_path / "nope.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: [unclosed\n", encoding="utf-8")
    with pytest.raises(UserError, match="not valid YAML"):
        load_spec(broken)
