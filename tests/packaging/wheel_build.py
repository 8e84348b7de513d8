"""Build treatylab's wheel from a copy of the source tree, and repack installed distributions.

The copy keeps setuptools' `build/` and `*.egg-info` out of the shared working tree. The
repack turns a distribution already installed in this venv (openai-agents, a test extra)
back into a wheel from its RECORD, so the co-install test runs offline.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("agents", "graphs", "scenarios", "evals", "prompts", "treatylab")
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "runs")


def build_wheel(workdir: Path) -> Path:
    """`pip wheel --no-deps --no-build-isolation` of a copy of the project; the wheel's path."""
    src = workdir / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    for folder in SOURCES:
        shutil.copytree(ROOT / folder, src / folder, ignore=IGNORE)
    out = workdir / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    "--no-index", str(src), "-w", str(out)], check=True, capture_output=True)
    (wheel,) = out.glob("treatylab-*.whl")
    return wheel


def top_level_entries(wheel: Path) -> set[str]:
    """The first path component of every file in the wheel (what `unzip -l` lists)."""
    with zipfile.ZipFile(wheel) as archive:
        return {name.split("/", 1)[0] for name in archive.namelist()}


def repack_installed(distribution: str, workdir: Path) -> Path:
    """A wheel of an installed distribution, rebuilt from the files its RECORD lists."""
    dist = metadata.distribution(distribution)
    base = Path(str(dist.locate_file("")))
    info = Path(str(dist._path))  # type: ignore[attr-defined]  # the .dist-info folder
    version = dist.version
    name = dist.metadata["Name"].replace("-", "_")
    wheel = workdir / f"{name}-{version}-py3-none-any.whl"
    with (info / "RECORD").open(encoding="utf-8") as handle:
        rows = [row[0] for row in csv.reader(handle) if row]
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as archive:
        for rel in rows:
            path = (base / rel).resolve()
            if rel.startswith("..") or rel.endswith(".pyc") or not path.is_file():
                continue
            if Path(rel).parts[0] == info.name and Path(rel).name in ("INSTALLER", "REQUESTED",
                                                                       "direct_url.json"):
                continue
            archive.write(path, rel)
    return wheel
