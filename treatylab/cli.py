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

    def report(problems: list[str]) -> None:
        for problem in problems:
            err.print(Text("error: ", style="red") + Text(problem))

    try:
        # Without standalone mode click returns (not raises) the code of typer.Exit.
        code = app(standalone_mode=False)
        sys.exit(code if isinstance(code, int) else 0)
    except ScenarioError as exc:
        report(exc.problems)
        sys.exit(2)
    except UserError as exc:
        report(exc.problems)
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
