"""Usage errors of the real console script: usage line, help hint, one error line, exit 2,
and no traceback; Ctrl-C outside a command's own handler is one line and exit 130."""

from __future__ import annotations

import subprocess
import sys

import pytest

from treatylab import cli

USAGE_ERRORS = {
    (): ("Usage: treatylab [OPTIONS] COMMAND [ARGS]...",
         "error: missing command; choose one of analyze, "),
    ("run", "northern-shield", "--seed", "abc"): (
        "Usage: treatylab run [OPTIONS] {scenario}", "error: Invalid value for '--seed': "),
    ("run", "northern-shield", "--mediatr", "x"): (
        "Usage: treatylab run [OPTIONS] {scenario}", "error: No such option: --mediatr"),
    ("runn",): ("Usage: treatylab [OPTIONS] COMMAND [ARGS]...",
                "error: No such command 'runn'. Did you mean 'run'?"),
    ("demo", "--bogus"): ("Usage: treatylab demo [OPTIONS]", "error: No such option: --bogus"),
    ("scenario",): ("Usage: treatylab scenario [OPTIONS] COMMAND [ARGS]...",
                    "error: missing command; choose one of check, import, list, new, schema, "),
}


@pytest.mark.parametrize("args", sorted(USAGE_ERRORS), ids=lambda a: " ".join(a) or "(none)")
def test_usage_error_is_one_line_with_the_usage_hint(args) -> None:
    done = subprocess.run([sys.executable, "-m", "treatylab.cli", *args], capture_output=True,
                          text=True, timeout=60, stdin=subprocess.DEVNULL)
    usage, error = USAGE_ERRORS[args]
    lines = done.stderr.splitlines()
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert len(lines) == 3, lines
    assert lines[0] == usage
    assert lines[1].startswith("Try 'treatylab") and lines[1].endswith(" --help' for help.")
    assert lines[2].startswith(error)


def test_ctrl_c_in_any_command_is_one_line_and_exit_130(capsys) -> None:
    def interrupted() -> None:
        raise KeyboardInterrupt

    cli.app.command("interrupt-probe")(interrupted)
    try:
        with pytest.raises(SystemExit) as done:
            cli.main(["interrupt-probe"])
    finally:
        cli.app.registered_commands = [c for c in cli.app.registered_commands
                                       if c.name != "interrupt-probe"]
    captured = capsys.readouterr()
    assert done.value.code == 130
    assert captured.err == "interrupted\n" and captured.out == ""


def test_help_still_exits_0(capsys) -> None:
    with pytest.raises(SystemExit) as done:
        cli.main(["--help"])
    assert done.value.code == 0
    assert "Usage: treatylab" in capsys.readouterr().out


def test_click_is_never_imported_directly() -> None:
    import pathlib
    import re

    root = pathlib.Path(cli.__file__).resolve().parents[1]
    offenders = [str(p) for folder in ("treatylab", "agents", "graphs", "scenarios", "evals")
                 for p in (root / folder).rglob("*.py")
                 if re.search(r"^\s*(import click|from click\b)", p.read_text(encoding="utf-8"),
                              re.MULTILINE)]
    assert offenders == []
