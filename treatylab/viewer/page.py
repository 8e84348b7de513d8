"""Assemble the viewer page: template + inline CSS + inline script + the run's JSON.

The Content-Security-Policy allows only the page's own inline script and style (by their
SHA-256 hashes) and data: images, and forbids every fetch (`connect-src 'none'`,
`default-src 'none'`). The JSON goes in a `<script type="application/json">` with `<`, `>`,
`&` and the JavaScript line separators escaped, so no transcript text can end that element.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
from importlib import resources
from pathlib import Path
from typing import Any

from treatylab import outputs
from treatylab.errors import UserError
from treatylab.viewer.annotations import SIDECAR, load_annotations
from treatylab.viewer.branching import branch_summary
from treatylab.viewer.data import build_document

ASSETS = resources.files("treatylab.viewer") / "assets"
METRICS_DOC = Path(__file__).resolve().parents[2] / "docs" / "metrics.md"


def _asset(name: str) -> str:
    return (ASSETS / name).read_text(encoding="utf-8")


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def embed_json(document: Any) -> str:
    """JSON safe inside a <script> element: nothing in it can close the element."""
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def csp(script: str, style: str) -> str:
    return ("default-src 'none'; " f"script-src {_sha256(script)}; style-src {_sha256(style)}; "
            "img-src data:; connect-src 'none'; font-src 'none'; media-src 'none'; "
            "object-src 'none'; frame-src 'none'; worker-src 'none'; manifest-src 'none'; "
            "form-action 'none'; base-uri 'none'")


def render_page(document: dict[str, Any]) -> str:
    script, style = _asset("viewer.js"), _asset("viewer.css")
    page = _asset("page.html")
    # replace the data last: transcript text can never be mistaken for a placeholder
    for key, value in (("__CSP__", csp(script, style)), ("__TITLE__", html.escape(
            f"{document['meta']['title']} — {document['meta']['mediator']} (treatylab)")),
            ("__CSS__", style), ("__JS__", script)):
        page = page.replace(key, value, 1)
    return page.replace("__DATA__", embed_json(document), 1)


def docs_href(out: Path) -> str:
    """Link target of the scorecard rows: the project's docs/metrics.md, relative to the page."""
    if METRICS_DOC.exists():
        return Path(os.path.relpath(METRICS_DOC, out.resolve().parent)).as_posix()
    return "docs/metrics.md"


def write_view(run_dir: Path, out: Path | None = None, annotations: Path | None = None) -> Path:
    """Write the viewer page of `run_dir` (default RUN_DIR/view.html) and return its path.

    Raises:
        UserError: not a run folder, or a bad annotations file (exit 2).
    """
    from treatylab.cli_run import scenario_of

    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise UserError(f"{run_dir}: not a folder; give a run folder written by `treatylab run`")
    events, result, manifest = outputs.read_run(run_dir)
    scenario = scenario_of(manifest)
    if annotations is None and (run_dir / SIDECAR).is_file():
        annotations = run_dir / SIDECAR
    notes = load_annotations(annotations, events)
    out = out or run_dir / "view.html"
    if out.exists() and out.is_dir():
        raise UserError(f"--out {out}: is a folder; give a file name such as view.html")
    document = build_document(scenario, events, result, manifest, notes, docs_href=docs_href(out),
                              parent=branch_summary(manifest, result, scenario))
    outputs.atomic_write(out, render_page(document))
    return out
