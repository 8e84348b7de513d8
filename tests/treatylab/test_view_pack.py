"""The teaching pack: three annotated runs of one scenario, opened by `treatylab demo --teach`."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from treatylab.teaching import open_pack, pack_runs


def test_pack_has_three_mediators_of_one_scenario_with_annotations(tmp_path) -> None:
    runs = pack_runs()
    results = [json.loads((run / "result.json").read_text()) for run in runs]
    assert [r["mediator"] for r in results] == ["none", "facilitative", "formulative"]
    assert {r["scenario"] for r in results} == {"northern-shield"}
    assert all((run / "annotations.yaml").is_file() for run in runs)
    pages = open_pack(tmp_path)
    for page in pages:
        data = json.loads(page.read_text().split('id="run-data">', 1)[1].split("</script>", 1)[0])
        assert len(data["annotations"]) == 6


def test_demo_teach_writes_the_pages(tmp_path) -> None:
    env = {**os.environ, "BROWSER": "true"}
    done = subprocess.run([sys.executable, "-m", "treatylab.cli", "demo", "--teach"], capture_output=True,
                          text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("Teaching pack: ") == 3 and "docs/teaching.md" in done.stdout
