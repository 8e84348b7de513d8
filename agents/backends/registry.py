"""The backend registry: one entry per spec kind (`heuristic`, `openai`, `human`, ...).

A backend spec is a string, `KIND` or `KIND:ARGUMENT` (e.g. `openai:gpt-4o-mini`), so run
configs, sweep specs and manifests stay plain JSON. Each kind declares:

- its settings as a pydantic model, validated from the spec's argument and the run config's
  fields of the same name (so `OpenAISettings.temperature` comes from `RunConfig.temperature`);
- the seats it may take (`roles`), and whether it calls an LLM endpoint (`uses_llm`);
- `build(settings, role) -> Backend`.

Adding a backend is one module that calls `register_backend(...)`; nothing else names kinds.
The built-in kinds' modules are imported on first use, so validating a heuristic-only config
never imports the openai SDK.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

if TYPE_CHECKING:
    from treatylab.agents.backends.base import Backend

Role = str  # "delegate" | "mediator"
ROLES: tuple[Role, ...] = ("delegate", "mediator")


class BackendSettings(BaseModel):
    """Base of every kind's settings: frozen, no unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


S = TypeVar("S", bound=BackendSettings)


@dataclass(frozen=True)
class BackendKind(Generic[S]):
    """One registered kind. `argument` names the settings field the spec's `:ARGUMENT` fills."""

    kind: str
    settings: type[S]
    build: Callable[[S, Role], Backend]
    argument: str | None = None
    roles: tuple[Role, ...] = ROLES
    uses_llm: bool = False
    usage: str = ""

    def parse(self, spec: str, config: Any = None) -> S:
        """The settings a spec names, with the shared fields taken from `config`.

        Raises:
            ValueError: a missing or unexpected argument, or invalid settings.
        """
        _, sep, argument = spec.partition(":")
        fields = self.settings.model_fields
        data: dict[str, Any] = {}
        if config is not None:
            data = {name: getattr(config, name) for name in fields
                    if name != self.argument and hasattr(config, name)}
        if self.argument is not None:
            if not argument:
                raise ValueError(f"backend '{spec}' needs a {self.argument}: {self.usage}")
            data[self.argument] = argument
        elif sep:
            raise ValueError(f"backend '{spec}' takes no argument; use '{self.kind}'")
        try:
            return self.settings.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ValueError(f"backend '{spec}': {where}: {first['msg']}") from None


_KINDS: dict[str, BackendKind[Any]] = {}
# Built-in kinds register when their module is imported; the registry imports them lazily.
BUILTIN_MODULES: Mapping[str, str] = {
    "heuristic": "treatylab.agents.backends.heuristic",
    "openai": "treatylab.agents.backends.openai_kind",
    "human": "treatylab.agents.backends.human",
}


def register_backend(kind: BackendKind[Any]) -> BackendKind[Any]:
    """Add (or replace) a kind. Returns it, so a module can keep a handle."""
    if not kind.kind.isidentifier() and not kind.kind.replace("-", "_").isidentifier():
        raise ValueError(f"backend kind '{kind.kind}' must be a simple name (letters, digits, -, _)")
    _KINDS[kind.kind] = kind
    return kind


def unregister_backend(name: str) -> None:
    """Remove a kind (tests that register toy backends clean up with this)."""
    _KINDS.pop(name, None)


def kinds() -> list[str]:
    """Every known kind, built-in or registered, in name order."""
    return sorted(set(BUILTIN_MODULES) | set(_KINDS))


def backend_kind(spec: str) -> BackendKind[Any]:
    """The registered kind a spec names.

    Raises:
        ValueError: the kind is unknown (the message lists the known ones).
    """
    name = spec.partition(":")[0]
    if name not in _KINDS and name in BUILTIN_MODULES:
        importlib.import_module(BUILTIN_MODULES[name])
    if name not in _KINDS:
        known = ", ".join(usage_of(k) for k in kinds())
        raise ValueError(f"unknown backend '{spec}'; use {known}")
    return _KINDS[name]


def usage_of(name: str) -> str:
    kind = _KINDS.get(name)
    return kind.usage if kind is not None and kind.usage else name


def check_spec(spec: str, config: Any = None) -> str:
    """`spec` unchanged if it names a known kind with valid settings; else ValueError."""
    backend_kind(spec).parse(spec, config)
    return spec


def build_backend(spec: str, config: Any, role: Role) -> Backend:
    """The backend a spec names, for a seat of `role`.

    Raises:
        ValueError: unknown kind, invalid settings, or a kind that cannot take this seat.
    """
    kind = backend_kind(spec)
    if role not in kind.roles:
        allowed = " or ".join(kind.roles)
        raise ValueError(f"backend '{spec}' cannot take a {role} seat; it takes a {allowed} seat")
    return kind.build(kind.parse(spec, config), role)
