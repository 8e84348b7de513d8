"""Mediator strategies, one module each, found by name.

Every module in this package that defines a `MediatorStrategy` subclass decorated with
`@register` becomes available as `--mediator NAME`; adding a strategy touches no other module.
"""

from treatylab.agents.mediators.base import MediatorStrategy, available, get, register

__all__ = ["MediatorStrategy", "available", "get", "register"]
