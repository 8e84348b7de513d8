"""The teaching pack: three recorded runs of the flagship under different mediators.

`treatylab/data/teaching/` ships northern-shield with no mediator, a facilitative and a
formulative (single negotiating text) mediator, seed 7, baseline delegates, each with a
teacher's `annotations.yaml`. docs/teaching.md is the 90-minute lesson plan that uses them.
`open_pack` writes each run's viewer page and returns their paths.
"""

from __future__ import annotations

from pathlib import Path

from treatylab.viewer import write_view

PACK_DIR = Path(__file__).resolve().parent / "data" / "teaching"
STRATEGIES = ("none", "facilitative", "formulative")


def pack_runs() -> list[Path]:
    return [PACK_DIR / f"northern-shield-{strategy}" for strategy in STRATEGIES]


def open_pack(out_dir: Path) -> list[Path]:
    """Write the three viewer pages into `out_dir` (the pack itself stays read-only)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    return [write_view(run, out_dir / f"{run.name}.html") for run in pack_runs()]
