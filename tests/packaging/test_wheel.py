"""The built wheel installs exactly one top-level package, `treatylab` (plus its dist-info)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from tests.packaging.wheel_build import build_wheel, top_level_entries


def test_the_wheel_has_one_top_level_package(tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path)
    entries = top_level_entries(wheel)
    assert entries == {"treatylab", "treatylab-0.1.0.dist-info"}
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        top_level = archive.read("treatylab-0.1.0.dist-info/top_level.txt").decode().split()
    assert top_level == ["treatylab"]
    # the owner's folders are inside, as subpackages, with their data files
    for module in ("treatylab/agents/__init__.py", "treatylab/graphs/builder.py",
                   "treatylab/evals/scorecard.py", "treatylab/scenarios/northern-shield.yaml",
                   "treatylab/cli.py"):
        assert module in names
    assert any(n.startswith("treatylab/prompts/") and n.endswith(".j2") for n in names)
