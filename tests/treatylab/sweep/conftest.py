"""Small sweep specs written into a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml


def write_spec(folder: Path, **fields: object) -> Path:
    spec = {"name": "tiny", "scenarios": ["northern-shield"], "mediators": ["formulative"], "seeds": 1}
    spec.update(fields)
    path = folder / "spec.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def spec_file(tmp_path: Path):  # noqa: ANN201 - a factory
    return lambda **fields: write_spec(tmp_path, **fields)
