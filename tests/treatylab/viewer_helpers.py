"""Shared by the viewer tests: a copy of the demo run with hostile and canary text planted."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from treatylab.demo import DEMO_DIR

HOSTILE_SEQ = 19


def planted_run(tmp: Path, port: int = 9) -> tuple[Path, str, str]:
    """Copy the demo run; put markup into one public statement and a canary into one private
    note. Returns (run folder, hostile statement, canary)."""
    run = tmp / "run"
    shutil.copytree(DEMO_DIR, run)
    hostile = (f"</script><script>window.pwned = 1;</script><img src=\"http://127.0.0.1:{port}/img\" "
               f"onerror=\"window.pwned = 2\"><script>fetch('http://127.0.0.1:{port}/fetch')</script>")
    canary = "CANARY-PRIVATE-7d1f"
    lines = (run / "transcript.jsonl").read_text(encoding="utf-8").splitlines()
    out = []
    planted_private = False
    for line in lines:
        event = json.loads(line)
        if event["seq"] == HOSTILE_SEQ:
            assert event["kind"] == "delegate_move" and event["visibility"] == "public"
            event["payload"]["statement"] = hostile
        if event["kind"] == "private_note" and event["stage"] == "bargain" and not planted_private:
            event["payload"]["text"] = f"{canary} {event['payload']['text']}"
            planted_private = True
        out.append(json.dumps(event, sort_keys=True, ensure_ascii=False))
    (run / "transcript.jsonl").write_text("\n".join(out) + "\n", encoding="utf-8")
    return run, hostile, canary
