"""The shipped demo replays offline, stage by stage, to the recorded scorecard."""

from __future__ import annotations

import json

import pytest

from treatylab import outputs
from treatylab.cli import main
from treatylab.demo import DEMO_DIR


def test_demo_ships_as_package_data_and_says_where_it_came_from() -> None:
    assert "treatylab/data/" in DEMO_DIR.as_posix()
    for name in (outputs.MANIFEST, outputs.RESULT, outputs.TRANSCRIPT, outputs.CASSETTE):
        assert (DEMO_DIR / name).is_file(), f"demo is missing {name}; run `treatylab demo --record`"
    manifest = json.loads((DEMO_DIR / outputs.MANIFEST).read_text())
    assert manifest["recorded_from"]["endpoint"] == "simulator"
    assert "simulator" in manifest["recorded_from"]["description"]
    assert "authorization" not in (DEMO_DIR / outputs.CASSETTE).read_text().lower()


def test_demo_replays_to_the_recorded_scorecard(monkeypatch, capsys) -> None:
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("sys.argv", ["treatylab", "demo"])
    with pytest.raises(SystemExit) as done:
        main()
    out = capsys.readouterr().out
    assert done.value.code in (0, None), out[-2000:]
    assert "recorded from the treatylab simulator" in out.lower()
    for title in ("Opening statements", "Bargaining", "Finalisation"):
        assert title in out
    assert "The replayed transcript and scorecard equal the recorded ones." in out
