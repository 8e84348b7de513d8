"""Every prompt and every rendered statement comes from a jinja2 template in this folder.

One environment, StrictUndefined (a missing variable is an error, not an empty string), fixed
whitespace, and a `json` filter with sorted keys and no HTML escaping, so the same inputs render
byte-identically and cassettes match.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

TEMPLATE_DIR = Path(__file__).resolve().parent


def to_json(value: Any, indent: int | None = None) -> str:
    if hasattr(value, "model_dump"):
        value = value.model_dump(mode="json")
    return json.dumps(value, sort_keys=True, indent=indent, ensure_ascii=False)


def _join_labels(values: list[str]) -> str:
    values = list(values)
    if len(values) <= 1:
        return "".join(values)
    return ", ".join(values[:-1]) + " and " + values[-1]


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates ship with the package: no stat of the file per render
    )
    env.filters["json"] = to_json
    env.filters["join_labels"] = _join_labels
    return env


def render(template: str, /, **context: Any) -> str:
    """Render `prompts/<name>` (e.g. 'heuristic/opening.j2'); trailing whitespace stripped."""
    return environment().get_template(template).render(**context).strip()


def render_lines(template: str, /, **context: Any) -> list[str]:
    """Render a template that lists one item per line (e.g. a mediator's questions)."""
    return [line.strip() for line in render(template, **context).splitlines() if line.strip()]


def template_hashes() -> dict[str, str]:
    """sha256 of every template, for manifests: an edited prompt explains a cassette mismatch.

    Read once per process (a fresh dict each call), like the templates themselves: the
    environment does not reload an edited template (`auto_reload=False`), so the hashes are
    those of the text every prompt of this process was rendered from. Listing and stat'ing
    the folder cost about 5 ms, twice per episode (identity and manifest).
    """
    return dict(_template_hashes(TEMPLATE_DIR))


@lru_cache(maxsize=4)
def _template_hashes(folder: Path) -> dict[str, str]:
    return {str(path.relative_to(folder)): _file_hash(path) for path in sorted(folder.rglob("*.j2"))}


def _file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
