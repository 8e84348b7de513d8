"""The HTML viewer of one run: `treatylab view RUN_DIR` writes one self-contained file.

A teacher projects it in class: a stage timeline, event-by-event stepping (keyboard and
buttons, position in the URL fragment), private reasoning revealed per party on demand,
each party's points over the rounds against its walk-away, the outcome space of two parties,
the scorecard, and the teacher's annotations. The page makes no network request: CSS, script
and SVG are inline and its Content-Security-Policy forbids fetching anything.
"""

from treatylab.viewer.annotations import load_annotations
from treatylab.viewer.page import render_page, write_view

__all__ = ["load_annotations", "render_page", "write_view"]
