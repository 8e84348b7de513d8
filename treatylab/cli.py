"""The `treatylab` command: parses options and calls library functions, nothing more.

Each command group lives in its own `cli_*.py` module exposing `register(app)`, so adding a
command touches no other group. `main()` turns `UserError` and `ScenarioError` into one line
per problem on stderr and their exit code, never a traceback.
"""

from __future__ import annotations

import importlib
import sys

import typer
from rich.console import Console

from scenarios import ScenarioError
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
    "treatylab.cli_llm",
    "treatylab.cli_sweep",
)


def _register_commands() -> None:
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue  # command group not built yet
            raise
        module.register(app)


def main() -> None:
    _register_commands()
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        app(standalone_mode=False)
    except ScenarioError as exc:
        for problem in exc.problems:
            err.print(f"[red]error:[/red] {problem}", markup=True)
        sys.exit(2)
    except UserError as exc:
        for problem in exc.problems:
            err.print(f"[red]error:[/red] {problem}")
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        err.print("aborted")
        sys.exit(130)
    except Exception as exc:  # click usage errors arrive here in non-standalone mode
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(2 if isinstance(exc, click.UsageError) else exc.exit_code)
        raise


if __name__ == "__main__":
    main()
