"""Where the OpenAI backend sends its requests, and the SDK clients that send them.

Configuration comes from the run config and the environment: `--base-url` (RunConfig.base_url)
wins over `OPENAI_BASE_URL`; the key comes from `OPENAI_API_KEY`. A local server (a base URL,
e.g. the simulator) needs no key, so a placeholder is sent; no key and no base URL is a
`UserError` that names the variable to set. Replays run with `offline_credentials()`: no key is
needed because the cassette answers, and the environment's base URL is ignored.

The key is held only by the SDK client and the `Endpoint` (whose repr hides it): it never
reaches a transcript, a manifest or a log line.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import os
import ssl
import threading
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx2
import openai

from treatylab.errors import UserError

PLACEHOLDER_KEY = "sk-treatylab-placeholder"
_offline = threading.local()


@dataclass(frozen=True)
class Endpoint:
    base_url: str | None
    api_key: str = field(repr=False)

    @property
    def display_url(self) -> str:
        """The base URL without userinfo or query, safe to print."""
        if not self.base_url:
            return "https://api.openai.com/v1"
        parts = urlsplit(self.base_url)
        port = f":{parts.port}" if parts.port else ""
        return f"{parts.scheme}://{parts.hostname or ''}{port}{parts.path}"

    def cache_key(self) -> tuple[str, str]:
        digest = hashlib.sha256(self.api_key.encode()).hexdigest()[:16]
        return (self.base_url or "", digest)


@contextlib.contextmanager
def offline_credentials() -> Iterator[None]:
    """While active, endpoints need no key and ignore OPENAI_BASE_URL (cassette replays)."""
    previous = getattr(_offline, "active", False)
    _offline.active = True
    try:
        yield
    finally:
        _offline.active = previous


def resolve_endpoint(base_url: str | None, spec: str = "openai") -> Endpoint:
    """The endpoint for a run: explicit base URL, else OPENAI_BASE_URL, else OpenAI's.

    Raises:
        UserError: no API key and no base URL (a hosted endpoint needs a key).
    """
    offline = getattr(_offline, "active", False)
    if not base_url and not offline:
        base_url = os.environ.get("OPENAI_BASE_URL") or None
    key = os.environ.get("OPENAI_API_KEY") or ""
    if offline:
        key = PLACEHOLDER_KEY
    if not key:
        if not base_url:
            raise UserError(
                f"backend '{spec}' needs an API key: set the OPENAI_API_KEY environment variable, "
                "or give --base-url (or OPENAI_BASE_URL) for a local OpenAI-compatible server "
                "such as `treatylab simulate`")
        key = PLACEHOLDER_KEY
    return Endpoint(base_url=base_url, api_key=key)


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The TLS settings every SDK client of this process shares.

    Loading the certificate store costs 50-100 ms of CPU per client; a sweep opens a client
    per episode, so building it once is a measurable share of an LLM episode's client time.
    It is the context the SDK would build itself (httpx2's default, environment honoured).
    """
    return httpx2.create_ssl_context()


class ClientPool:
    """SDK clients for one endpoint: one AsyncOpenAI per event loop, one sync OpenAI.

    Every actor of an episode (and every concurrent episode) on the same endpoint shares the
    connection pool. Async clients are never shared across event loops, since their
    connections belong to the loop that opened them.
    """

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        self._async: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, openai.AsyncOpenAI] = (
            weakref.WeakKeyDictionary())
        self._sync: openai.OpenAI | None = None
        self._lock = threading.Lock()
        self._users = 0

    def _kwargs(self) -> dict[str, object]:
        kwargs: dict[str, object] = {"api_key": self.endpoint.api_key, "max_retries": 0}
        if self.endpoint.base_url:
            kwargs["base_url"] = self.endpoint.base_url
        return kwargs

    def async_client(self) -> openai.AsyncOpenAI:
        loop = asyncio.get_running_loop()
        with self._lock:
            client = self._async.get(loop)
            if client is None:
                http = openai.DefaultAsyncHttpxClient(verify=tls_context())
                client = openai.AsyncOpenAI(**self._kwargs(), http_client=http)  # type: ignore[arg-type]
                self._async[loop] = client
            return client

    def sync_client(self) -> openai.OpenAI:
        with self._lock:
            if self._sync is None:
                http = openai.DefaultHttpxClient(verify=tls_context())
                self._sync = openai.OpenAI(**self._kwargs(), http_client=http)  # type: ignore[arg-type]
            return self._sync

    def retain(self) -> None:
        """A backend starts using the pool (see `release`)."""
        with self._lock:
            self._users += 1

    async def release(self) -> None:
        """A backend is done; the last one out closes this loop's client and its connections."""
        with self._lock:
            self._users = max(0, self._users - 1)
            if self._users:
                return
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                return
            client = self._async.pop(loop, None)
        if client is not None:
            await client.close()
