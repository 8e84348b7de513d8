"""The `treatylab` command: parses options and calls library functions, nothing more.

Each command group lives in its own `cli_*.py` module exposing `register(app)`, so adding a
command touches no other group. `main()` turns `UserError` and `ScenarioError` into one line
per problem on stderr and their exit code, never a traceback; a usage error is its usage
line, the help hint and one error line (exit 2); Ctrl-C is one line and exit 130.
"""

from __future__ import annotations

import importlib
import os
import sys

import typer
from rich.console import Console
from rich.text import Text

from treatylab.scenarios import ScenarioError
from treatylab.errors import UserError

app = typer.Typer(
    name="treatylab",
    help="Negotiate alliance and defence treaties with LLM and baseline delegates, "
    "replay recorded runs offline, and score what the parties agree on.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

COMMAND_MODULES = (
    "treatylab.cli_run",
    "treatylab.cli_scenario",
    "treatylab.cli_analyze",
    "treatylab.cli_judge",
    "treatylab.cli_llm",
    "treatylab.cli_sweep",
    "treatylab.cli_view",
    "treatylab.cli_branch",
)


_REGISTERED: list[str] = []


def _register_commands() -> None:
    """Add every command group once per process (main() may be called many times in one)."""
    if _REGISTERED:
        return
    _REGISTERED.append("done")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue  # command group not built yet
            raise
        module.register(app)


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
    """
    if hasattr(command, "no_args_is_help"):
        command.no_args_is_help = False  # type: ignore[attr-defined]
    for sub in (getattr(command, "commands", None) or {}).values():
        _no_help_on_empty(sub)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; every failure a user can cause ends in one line and its exit code.

    The click command is driven directly (make_context + invoke) instead of through typer's
    standalone main, so usage errors, typer.Exit and Ctrl-C all reach this function as they
    are: typer's main turns a KeyboardInterrupt into a silent exit code, and prints usage
    errors in a rich box.
    """
    _register_commands()
    err = Console(stderr=True, highlight=False, soft_wrap=True)

    def report(problems: list[str]) -> None:
        for problem in problems:
            err.print(Text("error: ", style="red") + Text(problem))

    args = sys.argv[1:] if argv is None else list(argv)
    try:
        command = typer.main.get_command(app)
        _no_help_on_empty(command)
        with command.make_context("treatylab", args) as ctx:
            command.invoke(ctx)
        sys.exit(0)
    except ScenarioError as exc:
        report(exc.problems)
        sys.exit(2)
    except UserError as exc:
        report(exc.problems)
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
    except BrokenPipeError:
        # `treatylab ... | head` closed the pipe: not an error of ours; silence the flush at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(141)
    except (typer.Abort, EOFError):
        err.print("aborted")
        sys.exit(130)
    except typer.TyperException as exc:  # usage errors of typer's bundled click
        for line in _usage_lines(exc):
            err.print(Text(line))
        report([_usage_message(exc)])
        sys.exit(getattr(exc, "exit_code", 2) or 2)


if __name__ == "__main__":
    main()
