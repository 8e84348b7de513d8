"""The `treatylab` command: parses options and calls library functions, nothing more.

Each command group lives in its own `cli_*.py` module exposing `register(app)`, so adding a
command touches no other group. Those modules import pydantic, numpy, langgraph, openai and
more, so they are imported only when one of their commands runs (or shows its own help):
`treatylab --help` lists every command from `LAZY_COMMANDS`, a static table of names and
one-line helps (tests/treatylab/test_cli_lazy.py keeps it equal to what `register` adds).
That page is written by `top_level_help`, a hand-written copy of typer's rich rendering for
this one page (same bytes, styles included), so `--help` imports neither `rich.console` nor
`typer.rich_utils`; subcommand help, errors and anything it does not model go through typer
and rich as before.

`main()` turns `UserError` and `ScenarioError` into one line per problem on stderr and their
exit code, never a traceback; a usage error is its usage line, the help hint and one error
line (exit 2); Ctrl-C is one line and exit 130. Those lines are printed with rich, imported
only when one is printed.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterator, MutableMapping
from typing import Any, NamedTuple

import typer
import typer.core

from treatylab.errors import UserError
from treatylab.help_page import top_level_help


class LazyCommand(NamedTuple):
    """One top-level command: the module whose `register(app)` adds it, and its help line."""

    module: str
    help: str


# Top-level commands in the order `--help` lists them (typer's order: commands, then groups).
# `help` is the first paragraph of the command's help, exactly as typer renders it in a list.
LAZY_COMMANDS: dict[str, LazyCommand] = {
    "run": LazyCommand("treatylab.cli_run",
                       "Negotiate a scenario through all seven stages and score the outcome."),
    "show": LazyCommand("treatylab.cli_run", "Render a finished run again: the negotiation "
                        "stage by stage, then its scorecard."),
    "analyze": LazyCommand("treatylab.cli_analyze", "Frontier size, Nash / Kalai-Smorodinsky / "
                           "utilitarian / egalitarian packages, and a\ngiven package's flags, "
                           "Pareto gap and ratios (formulas: docs/metrics.md)."),
    "judge": LazyCommand("treatylab.cli_judge", "Score a finished run with LLM judges (good "
                         "faith, clarity of commitments) and report\nKrippendorff's alpha "
                         "between them."),
    "simulate": LazyCommand("treatylab.cli_llm", "Serve an OpenAI-compatible endpoint answered "
                            "by the baseline policies."),
    "replay": LazyCommand("treatylab.cli_llm", "Re-run a recorded episode offline from its "
                          "cassette and check it matches."),
    "demo": LazyCommand("treatylab.cli_llm", "Replay the shipped flagship negotiation "
                        "(northern-shield), stage by stage, offline."),
    "sweep": LazyCommand("treatylab.cli_sweep", "Run every episode of a sweep spec; run it "
                         "again to resume where it stopped."),
    "compare": LazyCommand("treatylab.cli_sweep", "Mean and 95% bootstrap interval per group, "
                           "and pairwise differences with p-values."),
    "report": LazyCommand("treatylab.cli_sweep", "Write one self-contained HTML report: "
                          "distributions, agreement, trust vs equity, tables."),
    "view": LazyCommand("treatylab.cli_view", "Write an HTML viewer of a run: timeline, "
                        "stepping, private toggle, charts, scorecard."),
    "branch": LazyCommand("treatylab.cli_branch", "Replay a run up to an event with no model "
                          "call, then go on with changed settings."),
    "scenario": LazyCommand("treatylab.cli_scenario",
                            "Validate, inspect, check, scaffold and import scenarios."),
}

# Every command module, in first-use order of the table.
COMMAND_MODULES: tuple[str, ...] = tuple(dict.fromkeys(c.module for c in LAZY_COMMANDS.values()))

# Settings shared by the real app and the scratch apps command modules register on, so a
# command renders and behaves the same whichever app built it.
_APP_SETTINGS: dict[str, Any] = {"add_completion": False, "pretty_exceptions_enable": False}


def module_commands(module_name: str) -> dict[str, Any]:
    """The click commands `module_name`'s `register(app)` adds, by name, in their order.

    Registered on a scratch app rather than on `app`, so loading one module adds nothing to
    the shared app and `main()` can be called any number of times in one process.
    """
    scratch = typer.Typer(**_APP_SETTINGS)
    importlib.import_module(module_name).register(scratch)
    commands = dict(typer.main.get_group(scratch).commands)
    for command in commands.values():
        _no_help_on_empty(command)
    return commands


class _LazyCommands(MutableMapping[str, Any]):
    """A group's command mapping whose `LAZY_COMMANDS` entries import their module on lookup.

    Names, membership and iteration never import anything, so usage errors ("missing
    command; choose one of ...", "Did you mean ...?") stay cheap; commands added to `app`
    directly (`app.command(...)`) are held as they are and win over a table entry.
    """

    def __init__(self, explicit: MutableMapping[str, Any]) -> None:
        self.loaded: dict[str, Any] = dict(explicit)
        self._removed: set[str] = set()

    def load(self, name: str) -> Any:
        if name not in self.loaded and name in LAZY_COMMANDS and name not in self._removed:
            for found, command in module_commands(LAZY_COMMANDS[name].module).items():
                self.loaded.setdefault(found, command)
        if name in self._removed or name not in self.loaded:
            raise KeyError(name)
        return self.loaded[name]

    def __getitem__(self, name: str) -> Any:
        return self.load(name)

    def __contains__(self, name: object) -> bool:
        return name not in self._removed and (name in self.loaded or name in LAZY_COMMANDS)

    def __iter__(self) -> Iterator[str]:
        names = dict.fromkeys([*LAZY_COMMANDS, *self.loaded])
        return (name for name in names if name not in self._removed)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __setitem__(self, name: str, command: Any) -> None:
        self._removed.discard(name)
        self.loaded[name] = command

    def __delitem__(self, name: str) -> None:
        if name not in self:
            raise KeyError(name)
        self.loaded.pop(name, None)
        self._removed.add(name)


class LazyGroup(typer.core.TyperGroup):
    """The top-level group: its own help lists the table's commands without importing them."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.commands = _LazyCommands(self.commands)
        self._listing = False

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        commands = self.commands
        if (self._listing and isinstance(commands, _LazyCommands)
                and cmd_name not in commands.loaded and cmd_name in LAZY_COMMANDS):
            # a stand-in with the same name and help line: all the command list renders
            return typer.core.TyperCommand(cmd_name, help=LAZY_COMMANDS[cmd_name].help)
        return commands.get(cmd_name)

    def list_commands(self, ctx: Any) -> list[str]:
        """Names in table order; typer's own version walks `.items()`, importing every module."""
        return list(self.commands)

    def listed_commands(self, ctx: Any) -> list[Any]:
        """The commands the help list shows, in order: table stand-ins, imports nothing."""
        self._listing = True
        try:
            found = (self.get_command(ctx, name) for name in self.list_commands(ctx))
            return [command for command in found if command is not None]
        finally:
            self._listing = False

    def format_help(self, ctx: Any, formatter: Any) -> None:
        """The page `top_level_help` writes (no rich import), else typer's own rendering."""
        page = top_level_help(self, ctx, self.listed_commands(ctx))
        if page is not None:
            out = getattr(sys.stdout, "rich_proxied_file", sys.stdout)
            out.write(page)
            out.flush()
            return
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


app = typer.Typer(
    name="treatylab",
    help="Negotiate alliance and defence treaties with LLM and baseline delegates, "
    "replay recorded runs offline, and score what the parties agree on.",
    no_args_is_help=True,
    cls=LazyGroup,
    **_APP_SETTINGS,
)


def _register_commands() -> None:
    """Kept for callers of the eager days: commands now load on first use, nothing to do."""


def _scenario_errors() -> type[BaseException] | tuple[()]:
    """ScenarioError if the scenario loader (yaml, pydantic) was imported, else nothing.

    Only code that imported the loader can raise it, so start-up need not import it just to
    name it in an `except` clause.
    """
    loader = sys.modules.get("treatylab.scenarios.loader")
    return getattr(loader, "ScenarioError", ())


def _usage_lines(exc: typer.TyperException) -> list[str]:
    """Typer's usage errors carry their context: the usage line and the help hint."""
    ctx = getattr(exc, "ctx", None)
    if ctx is None:
        return []
    hint = f"Try '{ctx.command_path} {ctx.help_option_names[0]}' for help."
    return [ctx.get_usage(), hint]


def _usage_message(exc: typer.TyperException) -> str:
    message = " ".join(exc.format_message().split())
    ctx = getattr(exc, "ctx", None)
    names = sorted(getattr(ctx.command, "commands", None) or {}) if ctx is not None else []
    if message == "Missing command." and names:
        return f"missing command; choose one of {', '.join(names)}"
    return message


def _no_help_on_empty(command: object) -> None:
    """A group called without a subcommand is a usage error (one line), not a help page.

    With no_args_is_help typer raises an error whose construction prints the whole help.
    Lazy commands not loaded yet are skipped here; `module_commands` treats them on load.
    """
    if hasattr(command, "no_args_is_help"):
        command.no_args_is_help = False  # type: ignore[attr-defined]
    commands = getattr(command, "commands", None) or {}
    if isinstance(commands, _LazyCommands):
        commands = commands.loaded
    for sub in commands.values():
        _no_help_on_empty(sub)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; every failure a user can cause ends in one line and its exit code.

    The click command is driven directly (make_context + invoke) instead of through typer's
    standalone main, so usage errors, typer.Exit and Ctrl-C all reach this function as they
    are: typer's main turns a KeyboardInterrupt into a silent exit code, and prints usage
    errors in a rich box.
    """
    def err_print(line: str, prefix: str = "") -> None:
        # rich only on this path: `--help` and every successful command never import it
        from rich.console import Console
        from rich.text import Text

        err = Console(stderr=True, highlight=False, soft_wrap=True)
        err.print((Text(prefix, style="red") if prefix else Text("")) + Text(line))

    def report(problems: list[str]) -> None:
        for problem in problems:
            err_print(problem, prefix="error: ")

    args = sys.argv[1:] if argv is None else list(argv)
    try:
        command = typer.main.get_group(app)  # always a group, even with one command on `app`
        _no_help_on_empty(command)
        with command.make_context("treatylab", args) as ctx:
            command.invoke(ctx)
        sys.exit(0)
    except _scenario_errors() as exc:
        report(exc.problems)  # type: ignore[attr-defined]
        sys.exit(2)
    except UserError as exc:
        report(exc.problems)
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err_print("interrupted")
        sys.exit(130)
    except BrokenPipeError:
        # `treatylab ... | head` closed the pipe: not an error of ours; silence the flush at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(141)
    except (typer.Abort, EOFError):
        err_print("aborted")
        sys.exit(130)
    except typer.TyperException as exc:  # usage errors of typer's bundled click
        for line in _usage_lines(exc):
            err_print(line)
        report([_usage_message(exc)])
        sys.exit(getattr(exc, "exit_code", 2) or 2)


if __name__ == "__main__":
    main()
