"""Run experiments/mediation-style.yaml with LLM delegates in the seats (`--model`).

The shipped spec seats the offline baseline delegates. With `--model M` this writes the same
grid (every library scenario x none/facilitative/formulative/manipulative x 30 seeds) with
delegates `openai:M` (mediators stay the heuristic strategies) to the output folder and runs
it as `treatylab sweep` would; run it again to resume.

    python experiments/mediation_style.py --model gpt-4o-mini [--base-url URL] [--out DIR]
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

import yaml

from treatylab.sweep import run_sweep

SPEC = Path(__file__).resolve().parent / "mediation-style.yaml"


def llm_spec(model: str, base_url: str | None, seeds: int | None) -> dict:
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    seat = {"name": model.replace("/", "-"), "model": model, "mediator": "heuristic"}
    if base_url:
        seat["base_url"] = base_url
    spec.update(name=f"mediation-style-{seat['name']}", delegates=[seat])
    if seeds:
        spec["seeds"] = seeds
    return spec


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="OpenAI-compatible model for every delegate.")
    parser.add_argument("--base-url", default=None)
    parser.add_argument("--seeds", type=int, default=None, help="Fewer seeds than the spec's 30.")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    spec = llm_spec(args.model, args.base_url, args.seeds)
    out = args.out or Path("runs") / spec["name"]
    out.mkdir(parents=True, exist_ok=True)
    path = out / "mediation-style.llm.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    summary = asyncio.run(run_sweep(path, out=out))
    print(f"{summary.total} episodes ({summary.failed} failed): {out}")


if __name__ == "__main__":
    main()
