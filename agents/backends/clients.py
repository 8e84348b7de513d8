"""Where the OpenAI backend sends its requests, and the SDK clients that send them.

Configuration comes from the run config and the environment: `--base-url` (RunConfig.base_url)
wins over `OPENAI_BASE_URL`; the key comes from `OPENAI_API_KEY`. A local server (a base URL,
e.g. the simulator) needs no key, so a placeholder is sent; no key and no base URL is a
`UserError` that names the variable to set. Replays run with `offline_credentials()`: no key is
needed because the cassette answers, and the environment's base URL is ignored.

The key is held only by the SDK client and the `Endpoint` (whose repr hides it): it never
reaches a transcript, a manifest or a log line. Credentials written into a base URL (userinfo,
`http://u:KEY@host/v1`, or `api-key`/`key`/`token` query parameters) are sent as given but
printed only through `safe_url` / `scrub_text`, and `scrub_logs` redacts them in the SDK's and
httpx's log records; cassettes are scrubbed by `treatylab.cassettes`.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import logging
import os
import re
import ssl
import threading
import weakref
from collections.abc import AsyncIterator, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

import httpx2
import openai

from treatylab.core.errors import UserError

PLACEHOLDER_KEY = "sk-treatylab-placeholder"
REDACTED = "<redacted>"
CREDENTIAL_PARAMS = frozenset({"api-key", "api_key", "apikey", "key", "token", "access_token",
                               "access-token", "auth", "password", "secret", "sig"})
"""Query parameters whose values are credentials (Azure's api-key, Gemini's key, ...)."""
_offline = threading.local()
_USERINFO = re.compile(r"(?P<scheme>\b[a-zA-Z][a-zA-Z0-9+.-]*://)[^/\s@?#]+@")
_QUERY = re.compile(r"(?P<name>[?&](?:" + "|".join(re.escape(p) for p in sorted(CREDENTIAL_PARAMS))
                    + r")=)[^&#\s\"']*", re.IGNORECASE)


def safe_url(url: str | None) -> str:
    """A base URL fit to print or store: no userinfo, credential query values redacted.

    A URL without a scheme (a common mistake) stays without one, so messages show it as given.
    """
    if not url:
        return "https://api.openai.com/v1"
    has_scheme = "://" in url
    parts = urlsplit(url if has_scheme else "//" + url)
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        port = ""
    query = "&".join(
        f"{name}={REDACTED}" if name.lower() in CREDENTIAL_PARAMS else f"{name}={value}"
        for name, value in parse_qsl(parts.query, keep_blank_values=True))
    scheme = f"{parts.scheme}://" if has_scheme else ""
    return f"{scheme}{parts.hostname or ''}{port}{parts.path}" + (f"?{query}" if query else "")


def scrub_text(text: str, secrets: list[str] | tuple[str, ...] = ()) -> str:
    """`text` with URL userinfo, credential query values and the given secrets redacted."""
    for secret in sorted((s for s in secrets if len(s) >= 8), key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    if "@" in text:
        text = _USERINFO.sub(lambda m: m.group("scheme") + REDACTED + "@", text)
    if "=" in text:
        text = _QUERY.sub(lambda m: m.group("name") + REDACTED, text)
    return text


_LOGGERS = ("httpx", "httpcore", "openai", "vcr")
_log_lock = threading.Lock()
_log_secrets: set[str] = set()


def scrub_logs(secret: str | None = None) -> None:
    """Redact URL credentials (and `secret`) in the SDK's and httpx's log records.

    httpx logs every request URL at INFO, userinfo included; the SDK logs request options at
    DEBUG. A record factory (not a logger filter, which child loggers would bypass) rewrites
    those records before any handler sees them. Installed once; later calls add secrets.
    """
    with _log_lock:
        if secret and len(secret) >= 8 and secret != PLACEHOLDER_KEY:
            _log_secrets.add(secret)
        if getattr(scrub_logs, "installed", False):
            return
        previous = logging.getLogRecordFactory()

        def factory(*args: object, **kwargs: object) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            if record.name.startswith(_LOGGERS):
                try:
                    message = record.getMessage()
                except Exception:  # noqa: BLE001 - a broken record is logging's to report
                    return record
                record.msg, record.args = scrub_text(message, tuple(_log_secrets)), ()
            return record

        logging.setLogRecordFactory(factory)
        scrub_logs.installed = True  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Endpoint:
    base_url: str | None
    api_key: str = field(repr=False)

    @property
    def display_url(self) -> str:
        """The base URL without userinfo or credential query parameters, safe to print."""
        return safe_url(self.base_url)

    def scrub(self, text: str) -> str:
        """`text` with this endpoint's key and any URL credentials replaced by <redacted>."""
        return scrub_text(text, [self.api_key] if self.api_key != PLACEHOLDER_KEY else [])

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

    Raises:
        UserError: the certificates cannot be loaded (e.g. SSL_CERT_FILE names no file), with
            the variable to fix, instead of a bare "No such file or directory".
    """
    try:
        return httpx2.create_ssl_context()
    except OSError as exc:  # ssl.SSLError is an OSError too
        given = [f"{name}={os.environ[name]}" for name in ("SSL_CERT_FILE", "SSL_CERT_DIR")
                 if os.environ.get(name)]
        source = " and ".join(given) or "the default certificate store"
        raise UserError(f"cannot load TLS certificates from {source} ({exc.strerror or exc}): point "
                        "SSL_CERT_FILE at a CA bundle in PEM format, or unset it") from None


_LEASES: ContextVar[dict[ClientPool, openai.AsyncOpenAI] | None] = ContextVar(
    "treatylab_client_leases", default=None)
"""The async clients leased to the episode running in this context, by pool."""


@contextlib.asynccontextmanager
async def episode_connections() -> AsyncIterator[None]:
    """Give the episode run inside its own async clients, returned to their pools on exit.

    httpcore's pool scans every one of its connections each time it assigns a request or
    takes one back, so a pool shared by 32 concurrent episodes (160 connections) spends more
    CPU on that scan than on the requests (half of a sweep's client CPU in a profile). Inside
    this block each pool hands the episode one client of its own, holding at most the
    episode's few connections; on exit the client goes back to an idle list and the next
    episode on the same event loop reuses it with its connections still open.
    """
    leases: dict[ClientPool, openai.AsyncOpenAI] = {}
    token = _LEASES.set(leases)
    try:
        yield
    finally:
        _LEASES.reset(token)
        for pool, client in leases.items():
            if not pool.give_back(client):
                await client.close()  # its pool was released meanwhile: nobody will reuse it


class ClientPool:
    """SDK clients for one endpoint: async clients per event loop, one sync OpenAI.

    Actors on the same endpoint share clients. Inside `episode_connections` an episode gets a
    client of its own (from the loop's idle list, or a new one); outside, everyone on the loop
    shares one. Async clients are never shared across event loops, since their connections
    belong to the loop that opened them.
    """

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        scrub_logs(endpoint.api_key)
        self._async: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, openai.AsyncOpenAI] = (
            weakref.WeakKeyDictionary())
        self._idle: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop,
                                              list[openai.AsyncOpenAI]] = weakref.WeakKeyDictionary()
        self._sync: openai.OpenAI | None = None
        self._lock = threading.Lock()
        self._users = 0

    def _new_async(self) -> openai.AsyncOpenAI:
        http = openai.DefaultAsyncHttpxClient(verify=tls_context())
        return openai.AsyncOpenAI(**self._kwargs(), http_client=http)  # type: ignore[arg-type]

    def give_back(self, client: openai.AsyncOpenAI) -> bool:
        """An episode on the running loop is done with a leased client: keep it for the next.

        False when nobody uses the pool any more (the caller closes the client then).
        """
        loop = asyncio.get_running_loop()
        with self._lock:
            if not self._users:
                return False
            self._idle.setdefault(loop, []).append(client)
            return True

    def _kwargs(self) -> dict[str, object]:
        kwargs: dict[str, object] = {"api_key": self.endpoint.api_key, "max_retries": 0}
        if self.endpoint.base_url:
            # the SDK would splice a base URL's query into the path: send it as a query
            base, _, query = self.endpoint.base_url.partition("?")
            kwargs["base_url"] = base
            if query:
                kwargs["default_query"] = dict(parse_qsl(query, keep_blank_values=True))
        return kwargs

    def async_client(self) -> openai.AsyncOpenAI:
        loop = asyncio.get_running_loop()
        leases = _LEASES.get()
        with self._lock:
            if leases is not None:
                client = leases.get(self)
                if client is None:
                    idle = self._idle.get(loop)
                    client = leases[self] = idle.pop() if idle else self._new_async()
                return client
            client = self._async.get(loop)
            if client is None:
                client = self._new_async()
                self._async[loop] = client
            return client

    def sync_client(self) -> openai.OpenAI:
        with self._lock:
            if self._sync is None:
                http = openai.DefaultHttpxClient(verify=tls_context())
                self._sync = openai.OpenAI(**self._kwargs(), http_client=http)  # type: ignore[arg-type]
            return self._sync

    def close_sync(self) -> None:
        """Close the sync client and its connections (a new one opens on next use)."""
        with self._lock:
            client, self._sync = self._sync, None
        if client is not None:
            client.close()

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
            clients = [c for c in [self._async.pop(loop, None), *self._idle.pop(loop, [])] if c]
        for client in clients:
            await client.close()
