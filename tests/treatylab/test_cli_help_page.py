"""The hand-written top-level help page (`help_page.top_level_help`) against typer's rich renderer.

`treatylab --help` must print exactly the bytes typer's own rich help prints, styles included,
without importing rich's renderers. These tests compare the two pages: in process at every
width from 40 to 200 (plain, coloured, NO_COLOR), on random command tables (wrapping, explicit
newlines, option names that typer highlights), in fresh processes through the environment
variables typer and rich read, and on a pseudo-terminal whose size alone sets the width.
Where the renderer hands the page back to typer (documented in help_page.py), the bytes must still
be typer's, and typer's renderer must really be the one used.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import os
import pty
import random
import re
import struct
import subprocess
import sys
import termios
import time

import pytest
import typer
import typer.rich_utils as rich_utils
from rich.cells import cell_len

from treatylab import cli, help_page

WIDTHS = (40, 60, 80, 100, 132, 200)
# environment variables that change typer's console; each test sets the ones it needs
CONSOLE_VARS = ("FORCE_COLOR", "PY_COLORS", "GITHUB_ACTIONS", "COLUMNS", "LINES", "NO_COLOR",
                "TTY_COMPATIBLE", "TTY_INTERACTIVE", "TERMINAL_WIDTH",
                "_TYPER_FORCE_DISABLE_TERMINAL", "TERM", "COLORTERM")

EAGER = """
import sys, typer
from treatylab import cli
app = typer.Typer(name='treatylab', help=cli.app.info.help, add_completion=False)
for name in cli.COMMAND_MODULES:
    __import__(name, fromlist=['register']).register(app)
group = typer.main.get_group(app)
try:
    group.main(['--help'], prog_name='treatylab')
except SystemExit:
    pass
"""
LAZY = """
import sys
from treatylab.cli import main
try:
    main(['--help'])
except SystemExit:
    pass
print(' '.join(m for m in ('rich.console', 'typer.rich_utils') if m in sys.modules),
      file=sys.stderr)
"""


def _env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CONSOLE_VARS}
    env.update(values)
    return env


def _eager_group() -> typer.core.TyperGroup:
    """The page's reference: a plain typer app with every command module registered."""
    app = typer.Typer(name="treatylab", help=cli.app.info.help, add_completion=False)
    for name in cli.COMMAND_MODULES:
        __import__(name, fromlist=["register"]).register(app)
    return typer.main.get_group(app)


def _typer_page(group: typer.core.TyperGroup) -> str:
    """What typer's rich renderer prints for `group`'s help, captured in process."""
    ctx = group.make_context("treatylab", [], resilient_parsing=True)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        rich_utils.rich_format_help(obj=group, ctx=ctx, markup_mode="rich")
    return out.getvalue()


def _our_page(group: typer.core.TyperGroup) -> str | None:
    ctx = group.make_context("treatylab", [], resilient_parsing=True)
    if isinstance(group, cli.LazyGroup):
        listed = group.listed_commands(ctx)
    else:
        listed = [c for c in (group.get_command(ctx, n) for n in group.list_commands(ctx)) if c]
    return help_page.top_level_help(group, ctx, listed)


@pytest.fixture
def console(monkeypatch):
    """Sets typer's console as its import-time settings would: width, forced terminal."""
    for name in CONSOLE_VARS:
        monkeypatch.delenv(name, raising=False)

    def configure(width: int, colour: bool = False, no_color: bool = False) -> None:
        monkeypatch.setattr(rich_utils, "MAX_WIDTH", width)
        monkeypatch.setattr(rich_utils, "FORCE_TERMINAL", True if colour else None)
        if no_color:
            monkeypatch.setenv("NO_COLOR", "1")
        else:
            monkeypatch.delenv("NO_COLOR", raising=False)
    return configure


def test_copied_settings_are_typers() -> None:
    """The renderer's copy of typer's styles and highlighters is typer's (or typer changed)."""
    for name, value in help_page._TYPER_STYLES.items():
        assert getattr(rich_utils, name) == value, name
    assert tuple(rich_utils.OptionHighlighter.highlights) == help_page._OPTION_HIGHLIGHTS
    assert tuple(rich_utils.NegativeOptionHighlighter.highlights) == help_page._NEGATIVE_HIGHLIGHTS
    assert tuple(rich_utils.TypesHighlighter.highlights) == help_page._TYPES_HIGHLIGHTS
    assert rich_utils.COLOR_SYSTEM == "auto"


def test_characters_taken_as_one_cell_are_one_cell_for_rich() -> None:
    allowed = [chr(c) for c in range(0x20, 0x3000) if help_page._ONE_CELL.fullmatch(chr(c))]
    assert len(allowed) > 700
    assert [hex(ord(ch)) for ch in allowed if cell_len(ch) != 1] == []


@pytest.mark.parametrize("mode", ["plain", "colour", "no_color"])
def test_page_equals_typers_at_every_width(console, mode: str) -> None:
    group = _eager_group()
    lazy = typer.main.get_group(cli.app)
    for width in range(40, 201):
        console(width, colour=mode != "plain", no_color=mode == "no_color")
        want = _typer_page(group)
        assert _our_page(lazy) == want, width
        assert _our_page(group) == want, width  # loaded commands render the same
    if mode == "colour":
        assert "\x1b[1;36mrun     \x1b[0m" in want and "\x1b[2m╭─\x1b[0m" in want
    elif mode == "no_color":
        assert "\x1b[1mrun     \x1b[0m" in want and "36m" not in want
    else:
        assert "\x1b" not in want


VOCABULARY = ("a", "an", "the", "run", "runs", "scenario", "Pareto", "frontier", "p-values",
              "Kalai-Smorodinsky", "(northern-shield),", "OpenAI-compatible", "self-contained",
              "95%", "--seed", "-n", "x--y", "<path>", "docs/metrics.md", "Krippendorff's",
              "négociation", "–", "“quoted”", "...", "1,296", "7", "e.g.", "alpha-beta-gamma")


def _random_help(rng: random.Random) -> str:
    words = [rng.choice(VOCABULARY) for _ in range(rng.randint(1, 40))]
    text = ""
    for word in words:
        text += word + rng.choice((" ", " ", " ", " ", "  ", "\n"))
    return text.strip()


def test_random_command_tables_wrap_like_rich(console) -> None:
    """Random helps (explicit newlines, double spaces, highlighted option names, long words)."""
    rng = random.Random(16)
    rendered = fell_back = 0
    for case in range(300):
        app = typer.Typer(name="treatylab", help=_random_help(rng).replace("\n", " "),
                          add_completion=False)
        for index in range(rng.randint(1, 8)):
            name = rng.choice(("go", "x", "simulate", "a-long-command-name")) + str(index)
            app.command(name, help=_random_help(rng))(lambda: None)
        width = rng.randint(40, 200)
        console(width, colour=case % 3 > 0, no_color=case % 3 == 2)
        group = typer.main.get_group(app)
        ours = _our_page(group)
        if ours is None:
            fell_back += 1
            continue
        rendered += 1
        assert ours == _typer_page(group), (case, width)
    assert rendered >= 290 and rendered + fell_back == 300, (rendered, fell_back)


def _run(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, stdin=subprocess.DEVNULL, env=env)


ENVIRONMENTS = {
    "piped": {},
    "FORCE_COLOR": {"FORCE_COLOR": "1"},
    "PY_COLORS+NO_COLOR": {"PY_COLORS": "1", "NO_COLOR": "1"},
    "TTY_COMPATIBLE": {"TTY_COMPATIBLE": "1"},
    "TTY_COMPATIBLE+dumb": {"TTY_COMPATIBLE": "1", "TERM": "dumb"},
    "FORCE_COLOR+disabled": {"FORCE_COLOR": "1", "_TYPER_FORCE_DISABLE_TERMINAL": "1"},
    "COLUMNS": {"COLUMNS": "57", "FORCE_COLOR": "1"},
}


@pytest.mark.parametrize("name", sorted(ENVIRONMENTS))
def test_fresh_process_page_equals_typers(name: str) -> None:
    """Through the real environment variables, in processes that never imported typer's
    renderer: same bytes, and rich.console / typer.rich_utils stay unimported."""
    for width in ("44", "132"):
        extra = dict(ENVIRONMENTS[name])
        if "COLUMNS" not in extra:
            extra["TERMINAL_WIDTH"] = width
        env = _env(**extra)
        lazy, eager = _run(LAZY, env), _run(EAGER, env)
        assert eager.returncode == 0, eager.stderr
        assert lazy.stdout == eager.stdout, (name, width)
        assert lazy.stderr.strip() == "", lazy.stderr
        if "COLUMNS" in extra:
            plain = re.sub(r"\x1b\[[0-9;]*m", "", lazy.stdout)
            assert max(len(line) for line in plain.splitlines()) == 57
            break


def _on_pty(code: str, columns: int) -> bytes:
    """All a process writes to a pseudo-terminal `columns` wide (no width variable set)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    env = _env(TERM="xterm-256color")
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=slave, stdout=slave,
                            stderr=slave, env=env, close_fds=True)
    os.close(slave)
    chunks = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed its end
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait(timeout=120)
    os.close(master)
    return b"".join(chunks)


@pytest.mark.parametrize("columns", [64, 132])
def test_terminal_page_equals_typers(columns: int) -> None:
    """A real terminal: width from the terminal's size, colours because it is one."""
    lazy = _on_pty(LAZY, columns)
    eager = _on_pty(EAGER, columns)
    assert lazy.endswith(b"\r\n"), lazy[-200:]  # LAZY's module line is empty on stderr
    lazy_page = lazy[:lazy.rindex(b"\r\n", 0, len(lazy) - 2) + 2]
    assert lazy_page == eager
    assert b"\x1b[1;36mrun" in eager and f"{'─' * (columns - 2)}".encode() in eager
    assert lazy[len(lazy_page):] == b"\r\n"  # rich.console and typer.rich_utils not imported


@pytest.mark.parametrize("env", [{"TERMINAL_WIDTH": "30"}, {"TERMINAL_WIDTH": "80",
                                                             "PYTHONIOENCODING": "latin-1"}],
                         ids=["narrow", "latin-1"])
def test_what_it_does_not_model_is_left_to_typer(env: dict[str, str]) -> None:
    """Below 40 columns a word outgrows its column; a non-UTF-8 stdout gets ASCII boxes."""
    lazy, eager = _run(LAZY, _env(**env)), _run(EAGER, _env(**env))
    assert lazy.stdout == eager.stdout
    assert lazy.stderr.split() == ["rich.console", "typer.rich_utils"]
    if "PYTHONIOENCODING" in env:
        assert "+-" in lazy.stdout and "╭" not in lazy.stdout


def test_group_help_and_errors_still_use_typer_and_rich() -> None:
    done = _run("from treatylab.cli import main\nmain(['scenario', '--help'])",
                _env(TERMINAL_WIDTH="80"))
    assert done.returncode == 0 and "╭─ Commands" in done.stdout and "│ validate " in done.stdout
    done = _run("from treatylab.cli import main\nmain(['bogus'])", _env(TERMINAL_WIDTH="80"))
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == ["Usage: treatylab [OPTIONS] COMMAND [ARGS]...",
                                        "Try 'treatylab --help' for help.",
                                        "error: No such command 'bogus'."]
