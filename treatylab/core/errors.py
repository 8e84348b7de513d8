"""Errors a user can fix. The CLI prints them as one line each and exits with their code.

They live in the base layer so the scenario loader, the backends and the judge can raise them
without importing the app shell (that import was a package cycle).
"""

from __future__ import annotations


class UserError(Exception):
    """Bad input (file, option, spec): print `problems`, exit 2, no traceback."""

    exit_code = 2

    def __init__(self, *problems: str) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class CassetteMismatch(UserError):
    """A replayed run asked for a request the cassette does not hold."""

    exit_code = 3
