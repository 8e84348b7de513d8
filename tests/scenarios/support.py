"""Paths and a subprocess helper for the scenario tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "scenarios"
LLM_DELIBERATION = ROOT / "tests" / "fixtures" / "llm_deliberation" / "coastal_radar"


def treatylab(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real CLI entry point (main() registers the command modules)."""
    return subprocess.run([sys.executable, "-m", "treatylab.cli", *args], capture_output=True,
                          text=True, cwd=cwd or ROOT, timeout=120)
