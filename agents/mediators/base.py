"""The mediator-strategy interface and its registry."""

from __future__ import annotations

import importlib
import pkgutil
from abc import ABC, abstractmethod

from treatylab.agents.actions import MediatorAction
from treatylab.agents.views import MediatorView

_REGISTRY: dict[str, type[MediatorStrategy]] = {}


class MediatorStrategy(ABC):
    """A heuristic mediator policy: a pure function of the mediator's view."""

    name: str = ""
    description: str = ""
    oracle: bool = False  # True: the view carries the parties' true utilities (a baseline)
    acts: bool = True  # False: no mediator turns at all (the lead party drafts)

    @abstractmethod
    def decide(self, view: MediatorView) -> MediatorAction: ...


def register(cls: type[MediatorStrategy]) -> type[MediatorStrategy]:
    if not cls.name:
        raise ValueError(f"{cls.__name__} needs a name")
    _REGISTRY[cls.name] = cls
    return cls


def _discover() -> None:
    import treatylab.agents.mediators as package

    for info in pkgutil.iter_modules(package.__path__):
        if info.name not in ("base", "common"):
            importlib.import_module(f"treatylab.agents.mediators.{info.name}")


def available() -> list[str]:
    _discover()
    return sorted(_REGISTRY)


def get(name: str) -> MediatorStrategy:
    _discover()
    if name not in _REGISTRY:
        raise KeyError(f"unknown mediator strategy '{name}'; choose one of {sorted(_REGISTRY)}")
    return _REGISTRY[name]()
