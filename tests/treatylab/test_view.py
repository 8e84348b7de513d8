"""`treatylab view` without a browser: one file, size and time, escaping, annotations, errors."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from treatylab.demo import DEMO_DIR
from treatylab.errors import UserError
from treatylab.viewer import write_view
from treatylab.viewer.page import embed_json

from tests.treatylab.viewer_helpers import planted_run


def _data(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="run-data">(.*?)</script>', page, re.S)
    assert match, "the run's JSON is embedded"
    return json.loads(match.group(1))


def test_demo_view_is_one_small_file_written_fast(tmp_path: Path) -> None:
    out = tmp_path / "demo.html"
    started = time.perf_counter()
    write_view(DEMO_DIR, out)
    elapsed = time.perf_counter() - started
    size = out.stat().st_size
    assert elapsed < 2.0, f"view took {elapsed:.2f} s"
    assert size < 2_000_000, f"view is {size} bytes"
    page = out.read_text(encoding="utf-8")
    # nothing to fetch: no src/href to a network address, no external stylesheet or script
    assert not re.search(r'\b(?:src|href)\s*=\s*["\']?(?:https?:)?//', page)
    assert "<link" not in page and '<script src' not in page
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1)
    assert "default-src 'none'" in csp and "connect-src 'none'" in csp
    assert "unsafe-inline" not in csp
    data = _data(page)
    assert [e["seq"] for e in data["events"]][:2] == [0, 2]  # usage events are left out
    result = json.loads((DEMO_DIR / "result.json").read_text())
    assert data["space"]["frontier_size"] == result["scores"]["frontier_size"]
    assert data["space"]["agreement"]["points"] == result["scores"]["utilities"]
    assert len(data["space"]["pairs"]) == 10  # 5 parties, every pair
    assert {row["key"] for row in data["scorecard"]} >= {"outcome", "nash_ratio", "burden_equity", "trust"}
    assert all("metrics.md#" in row["href"] for row in data["scorecard"])


def test_markup_in_a_statement_cannot_end_the_data_element(tmp_path: Path) -> None:
    run, hostile, _ = planted_run(tmp_path)
    page = write_view(run, tmp_path / "v.html").read_text(encoding="utf-8")
    body = page.split('id="run-data">', 1)[1].split("</script>", 1)[0]
    assert "<" not in body and ">" not in body, "the JSON holds no raw angle bracket"
    assert hostile not in page
    assert any(e["text"] == hostile for e in _data(page)["events"]), "the text is kept, escaped"
    assert embed_json({"t": "a</script>\u2028b&"}) == '{"t":"a\\u003c/script\\u003e\\u2028b\\u0026"}'


def test_annotations_by_seq_stage_and_round(tmp_path: Path) -> None:
    notes = tmp_path / "notes.yaml"
    notes.write_text("16: Corvinia opens soft\nbargain: Now the haggling starts\nround 3: [a, b]\n",
                     encoding="utf-8")
    data = _data(write_view(DEMO_DIR, tmp_path / "v.html", notes).read_text(encoding="utf-8"))
    events = {e["seq"]: e for e in data["events"]}
    first_bargain = min(s for s, e in events.items() if e["stage"] == "bargain" and e["vis"] == "public")
    first_r3 = min(s for s, e in events.items()
                   if e["stage"] == "bargain" and e["round"] == 3 and e["vis"] == "public")
    assert data["annotations"] == {"16": ["Corvinia opens soft"],
                                   str(first_bargain): ["Now the haggling starts"],
                                   str(first_r3): ["a", "b"]}


@pytest.mark.parametrize("text, message", [
    ("9999: too far\n", "key 9999: no event with that seq"),
    ("treaty: x\n", "key 'treaty': expected an event seq"),
    ("round 42: x\n", "no bargaining round 42"),
    ("- a list\n", "expected a mapping"),
])
def test_bad_annotations_name_the_key(tmp_path: Path, text: str, message: str) -> None:
    notes = tmp_path / "notes.yaml"
    notes.write_text(text, encoding="utf-8")
    with pytest.raises(UserError) as err:
        write_view(DEMO_DIR, tmp_path / "v.html", notes)
    assert message in err.value.problems[0] and str(notes) in err.value.problems[0]


def test_cli_view_writes_the_page_and_refuses_a_non_run(tmp_path: Path) -> None:
    out = tmp_path / "page.html"
    done = subprocess.run([sys.executable, "-m", "treatylab.cli", "view", str(DEMO_DIR), "--out", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert out.exists() and "Wrote" in done.stdout
    bad = subprocess.run([sys.executable, "-m", "treatylab.cli", "view", str(tmp_path)],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2
    assert "not a finished run folder" in bad.stderr and "Traceback" not in bad.stderr
