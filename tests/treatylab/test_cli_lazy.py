"""The lazy top-level group: `treatylab --help` lists every command from a static table and
imports no command module (so none of pydantic, numpy, langgraph, openai ...), while running
a command still imports and runs the real one, with the same usage errors as before."""

from __future__ import annotations

import importlib
import inspect
import os
import pathlib
import re
import subprocess
import sys

import pytest
import typer

from treatylab import cli

HEAVY = ("pydantic", "yaml", "numpy", "jinja2", "langgraph", "openai", "httpx2", "pandas")

# Runs the CLI in a fresh interpreter, then prints (on stderr's last line) which heavy
# libraries and which command modules ended up imported.
PROBE = """
import sys
from treatylab.cli import main
try:
    main(sys.argv[1:])
except SystemExit as done:
    code = done.code
loaded = [m for m in {heavy!r} if m in sys.modules]
loaded += sorted(m for m in sys.modules if m.startswith("treatylab.cli_"))
print("LOADED " + " ".join(loaded), file=sys.stderr)
sys.exit(code)
"""


def _probe(*args: str, env: dict[str, str] | None = None
           ) -> tuple[subprocess.CompletedProcess, list[str]]:
    """Exit status and output of `treatylab ARGS`, and the heavy and command modules loaded."""
    done = subprocess.run([sys.executable, "-c", PROBE.format(heavy=HEAVY), *args],
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
                          env=env)
    last = done.stderr.splitlines()[-1]
    assert last.startswith("LOADED"), done.stderr
    return done, last.split()[1:]


def _first_paragraph(command) -> str:
    """What typer shows for a command in its parent's list (rich_utils._make_command_help)."""
    return inspect.cleandoc(command.short_help or command.help or "").split("\n\n")[0].strip()


def test_every_command_module_is_in_the_table() -> None:
    shipped = sorted(f"treatylab.{p.stem}" for p in
                     pathlib.Path(cli.__file__).parent.glob("cli_*.py"))
    assert sorted(cli.COMMAND_MODULES) == shipped


def test_lazy_table_matches_what_register_adds() -> None:
    """All modules registered eagerly on a fresh app give the table's names, order and help."""
    fresh = typer.Typer(add_completion=False)
    for name in cli.COMMAND_MODULES:
        importlib.import_module(name).register(fresh)
    real = typer.main.get_group(fresh).commands
    assert list(real) == list(cli.LAZY_COMMANDS)
    assert {n: _first_paragraph(c) for n, c in real.items()} == \
        {n: entry.help for n, entry in cli.LAZY_COMMANDS.items()}


@pytest.mark.parametrize("module", cli.COMMAND_MODULES)
def test_each_table_entry_names_the_module_that_registers_it(module: str) -> None:
    scratch = typer.Typer(add_completion=False)
    importlib.import_module(module).register(scratch)
    registered = list(typer.main.get_group(scratch).commands)
    assert registered, module
    assert registered == [n for n, e in cli.LAZY_COMMANDS.items() if e.module == module]


def test_help_imports_no_heavy_module_and_no_command_module() -> None:
    done, loaded = _probe("--help")
    assert done.returncode == 0, done.stderr
    assert loaded == []
    assert "Usage: treatylab [OPTIONS] COMMAND [ARGS]..." in done.stdout
    for name in cli.LAZY_COMMANDS:
        assert f"│ {name} " in done.stdout


def test_lazy_help_is_the_page_the_eager_app_prints() -> None:
    """Same bytes as typer's own help of an app with every module registered, at two widths."""
    eager = ("import sys, typer\nfrom treatylab import cli\n"
             "app = typer.Typer(name='treatylab', help=cli.app.info.help, add_completion=False)\n"
             "for name in cli.COMMAND_MODULES:\n"
             "    __import__(name, fromlist=['register']).register(app)\n"
             "group = typer.main.get_group(app)\n"
             "try:\n    group.main(['--help'], prog_name='treatylab')\n"
             "except SystemExit:\n    pass\n")
    for width in ("80", "132"):
        env = {**_base_env(), "TERMINAL_WIDTH": width}
        lazy, _ = _probe("--help", env=env)
        want = subprocess.run([sys.executable, "-c", eager], capture_output=True, text=True,
                              timeout=120, env=env)
        assert want.returncode == 0, want.stderr
        assert lazy.stdout == want.stdout
        assert max(len(line) for line in lazy.stdout.splitlines()) == int(width)


def _base_env() -> dict[str, str]:
    """This environment without the variables that make typer's console force colour or width."""
    return {k: v for k, v in os.environ.items()
            if k not in ("FORCE_COLOR", "PY_COLORS", "GITHUB_ACTIONS", "COLUMNS")}


def test_group_help_imports_only_its_own_module() -> None:
    done, loaded = _probe("scenario", "--help")
    assert done.returncode == 0, done.stderr
    assert [m for m in loaded if m.startswith("treatylab.cli_")] == ["treatylab.cli_scenario"]
    for sub in ("validate", "schema", "list", "check", "show", "new", "import"):
        assert f"│ {sub} " in done.stdout


def test_a_command_runs_through_the_lazy_group() -> None:
    done, loaded = _probe("scenario", "list")
    assert done.returncode == 0, done.stderr
    assert "northern-shield" in done.stdout
    assert "treatylab.cli_scenario" in loaded and "treatylab.cli_run" not in loaded


def test_usage_error_in_a_lazy_group_is_one_line_and_exit_2() -> None:
    done, _ = _probe("scenario", "bogus")
    lines = done.stderr.splitlines()[:-1]  # the probe's own LOADED line is last
    assert done.returncode == 2
    assert done.stdout == ""
    assert lines == ["Usage: treatylab scenario [OPTIONS] COMMAND [ARGS]...",
                     "Try 'treatylab scenario --help' for help.",
                     "error: No such command 'bogus'."]


def test_missing_scenario_is_one_error_line_and_exit_2() -> None:
    """ScenarioError is caught although cli.py no longer imports the loader at start-up."""
    done, _ = _probe("scenario", "show", "no-such-scenario")
    lines = done.stderr.splitlines()[:-1]
    assert done.returncode == 2
    assert len(lines) == 1 and lines[0].startswith("error: no-such-scenario: no such file")


def test_main_runs_many_times_in_one_process(capsys) -> None:
    for args, code in ((["scenario", "list"], 0), (["--help"], 0), (["scenario", "list"], 0),
                       (["scenario"], 2)):
        with pytest.raises(SystemExit) as done:
            cli.main(args)
        assert done.value.code == code, args
    captured = capsys.readouterr()
    assert captured.out.count("northern-shield") >= 2
    assert captured.err.splitlines()[-1].startswith(
        "error: missing command; choose one of check, import, list, new, schema, show, validate")
    assert cli.app.registered_commands == [] and cli.app.registered_groups == []


RENDERERS = ("rich.console", "rich.text", "rich.table", "rich.panel", "rich.markdown",
             "typer.rich_utils")


@pytest.mark.parametrize("colour", [False, True], ids=["piped", "FORCE_COLOR"])
def test_help_imports_no_rich_renderer(colour: bool) -> None:
    """The top-level page is written by help_page.top_level_help: neither rich's console nor typer's
    rich_utils (rich.markdown, markdown_it, rich.traceback ...) is imported for it."""
    code = ("import sys\nfrom treatylab.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit as done:\n    code = done.code\n"
            f"print(' '.join(m for m in {RENDERERS!r} if m in sys.modules), file=sys.stderr)\n"
            "sys.exit(code)\n")
    env = {**_base_env(), "TERMINAL_WIDTH": "100", **({"FORCE_COLOR": "1"} if colour else {})}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, stdin=subprocess.DEVNULL, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == ""
    assert ("\x1b[1;36mscenario\x1b[0m" in done.stdout) is colour
    assert "│ scenario  Validate, inspect, check, scaffold and import scenarios." in \
        re.sub(r"\x1b\[[0-9;]*m", "", done.stdout)
