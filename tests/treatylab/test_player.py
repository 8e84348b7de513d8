"""`treatylab show RUN --step`, driven through a pseudo-terminal."""

from __future__ import annotations

import sys

import pexpect

from treatylab.demo import DEMO_DIR
from tests.conftest import ROOT


def _spawn(*args: str) -> pexpect.spawn:
    return pexpect.spawn(sys.executable, ["-m", "treatylab.cli", "show", str(DEMO_DIR), *args],
                         cwd=str(ROOT), encoding="utf-8", timeout=60, dimensions=(40, 200))


def test_step_keys(tmp_path) -> None:
    child = _spawn("--step")
    child.expect(r"#(\d+)\D")
    first = int(child.match.group(1))
    assert first == 0
    child.expect("shown with --private")  # prepare notes are private: hidden by default
    child.expect("> ")
    child.sendline("p")
    child.expect("private notes shown")
    child.expect(r"Preparation notes")
    child.sendline("")
    child.expect(r"#(\d+)\D")
    second = int(child.match.group(1))
    assert second > first
    child.sendline("b")
    child.expect(r"#(\d+)\D")
    assert int(child.match.group(1)) == first
    child.sendline("s")  # next stage: the openings
    child.expect("Opening statements")
    child.sendline("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_stage_and_from(tmp_path) -> None:
    child = _spawn("--stage", "finalize")
    child.expect("Finalisation")
    child.sendline("q")
    child.expect(pexpect.EOF)
    child = _spawn("--from", "100")
    child.expect(r"#(\d+)\D")
    assert int(child.match.group(1)) >= 100
    child.sendline("q")
    child.expect(pexpect.EOF)
    child = _spawn("--stage", "treaty")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2 and "--stage treaty" in child.before
