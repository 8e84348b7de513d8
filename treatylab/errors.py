"""Errors a user can fix: re-exported from the base layer (`treatylab.core.errors`)."""

from treatylab.core.errors import CassetteMismatch, UserError

__all__ = ["CassetteMismatch", "UserError"]
