"""Record and replay every LLM exchange of an episode in one vcrpy cassette.

vcrpy intercepts httpx2, the openai SDK's HTTP layer. A session matches requests on method,
endpoint (the path after the base URL, so the simulator's port or a proxy prefix does not
matter) and the parsed JSON body, compared canonically. Before anything is saved, credential
headers (Authorization, api-key, OpenAI-Organization, OpenAI-Project) are removed from requests,
Set-Cookie and organisation headers from responses, and any known secret value (the current
OPENAI_API_KEY) is replaced wherever it appears; credentials in the request URL (userinfo,
`api-key`/`key`/`token` query parameters) are removed; compressed bodies are stored decoded; a
response body over the backend's size cap is stored cut to its first 4 KiB and marked, so the
replay treats it as the same oversize answer.

Modes:
- record: new_episodes; a client-side timeout is recorded too (as a marked 408), so a run
  whose calls timed out replays with the same timeouts, attempts and usage events;
- replay: record_mode none, sockets blocked; the first unmatched request raises
  `CassetteMismatch` (exit 3) naming the turn, the closest recorded request and the first
  difference, and the run stops there;
- off: nothing is intercepted.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import json
import os
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import httpx2
import vcr
from vcr.errors import CannotOverwriteExistingCassetteException
from vcr.request import Request as VcrRequest
from vcr.serializers import compat as vcr_compat

from treatylab.agents.backends.chat_call import CASSETTE_MARK, MAX_RESPONSE_BYTES, OVERSIZE_VALUE
from treatylab.agents.backends.clients import CREDENTIAL_PARAMS, scrub_text
from treatylab.cassette_diff import body_json, canonical, explain
from treatylab.errors import CassetteMismatch, UserError

Mode = Literal["record", "replay", "off"]
MODES: tuple[Mode, ...] = ("record", "replay", "off")
REQUEST_HEADERS_SCRUBBED = ("authorization", "api-key", "x-api-key", "openai-organization",
                            "openai-project", "cookie")
RESPONSE_HEADERS_SCRUBBED = ("set-cookie", "openai-organization", "openai-project")
SECRET_ENV = ("OPENAI_API_KEY", "AZURE_OPENAI_API_KEY")
REDACTED = "<redacted>"
JOURNAL_SUFFIX = ".journal"
TIMEOUT_MARK = CASSETTE_MARK
TIMEOUT_VALUE = "client-timeout"
OVERSIZE_HEAD = 4096
"""A response body over the backend's size cap is stored cut to this many characters and
marked, so a cassette never holds a multi-megabyte answer and the replay still sees it as
over the cap (the backend never parses or quotes such an answer)."""


# -- matching ---------------------------------------------------------------------------------
def endpoint(request: VcrRequest) -> str:
    """'chat/completions' for any base URL: the last two path segments."""
    return "/".join(request.path.rstrip("/").split("/")[-2:])


def match_endpoint(r1: VcrRequest, r2: VcrRequest) -> None:
    if endpoint(r1) != endpoint(r2):
        raise AssertionError(f"{endpoint(r1)} != {endpoint(r2)}")


def match_json_body(r1: VcrRequest, r2: VcrRequest) -> None:
    if canonical(r1.body) != canonical(r2.body):
        raise AssertionError("JSON bodies differ")


# -- scrubbing --------------------------------------------------------------------------------
def _secrets(extra: list[str]) -> list[str]:
    values = [os.environ.get(name, "") for name in SECRET_ENV] + list(extra)
    return sorted({value for value in values if len(value) >= 8}, key=len, reverse=True)


def _scrub_text(value: Any, secrets: list[str]) -> Any:
    if isinstance(value, bytes):
        for secret in secrets:
            value = value.replace(secret.encode(), REDACTED.encode())
        return value
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, REDACTED)
        return value
    if isinstance(value, dict):
        return {key: _scrub_text(item, secrets) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub_text(item, secrets) for item in value]
    return value


def _scrubber(secrets: list[str]):  # noqa: ANN202 - a vcr hook
    def before_save(request: VcrRequest, response: dict[str, Any]) -> tuple[VcrRequest, dict]:
        for name in list(request.headers):
            if name.lower() in REQUEST_HEADERS_SCRUBBED:
                del request.headers[name]
        request.body = _scrub_text(request.body, secrets)
        request.uri = scrub_text(_scrub_text(request.uri, secrets))  # userinfo, ?key=...
        for name in list(request.headers):
            request.headers[name] = _scrub_text(request.headers[name], secrets)
        headers = {name: values for name, values in response.get("headers", {}).items()
                   if name.lower() not in RESPONSE_HEADERS_SCRUBBED}
        response = {**response, "headers": _scrub_text(headers, secrets)}
        response["body"] = _scrub_text(response.get("body", {}), secrets)
        return request, _cut_oversize(response)
    return before_save


def _cut_oversize(response: dict[str, Any]) -> dict[str, Any]:
    """A response whose body is over the size cap, cut to its head and marked as oversize."""
    body = response.get("body") or {}
    text = body.get("string") if isinstance(body, dict) else None
    if not isinstance(text, (str, bytes)) or len(text) <= MAX_RESPONSE_BYTES:
        return response
    headers = {name: values for name, values in response.get("headers", {}).items()
               if name.lower() != "content-length"}
    headers[CASSETTE_MARK] = [OVERSIZE_VALUE]
    return {**response, "headers": headers, "body": {**body, "string": text[:OVERSIZE_HEAD]}}


# -- the session ---------------------------------------------------------------------------------
@dataclass
class CassetteSession:
    """An active cassette; `mismatch` holds the first mismatch if one was raised."""

    path: Path | None
    mode: Mode
    cassette: Any = None
    mismatch: CassetteMismatch | None = None
    timeouts_recorded: int = 0
    _secrets: list[str] = field(default_factory=list, repr=False)
    _journaled: int = field(default=0, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    # -- the journal: every recorded call survives a SIGKILL --------------------------------------
    # vcrpy writes the cassette only when the session closes, so a killed run used to lose every
    # call it had made; a resumed checkpoint then never asks for them again, and its cassette
    # could not replay the run. Each new interaction is therefore appended (scrubbed, fsync'd)
    # to `<cassette>.journal` as soon as it is recorded; the next session merges the journal
    # into the cassette, and a clean close (which saves the cassette) removes it.
    @property
    def journal_path(self) -> Path:
        assert self.path is not None
        return self.path.with_name(self.path.name + JOURNAL_SUFFIX)

    def merge_journal(self) -> None:
        """Add the interactions a killed session journaled but never saved."""
        journal = self.journal_path
        base = len(self.cassette.data)
        if journal.is_file():
            lines = journal.read_text(encoding="utf-8").splitlines()
            header, entries, torn = _read_journal(lines)
            if torn:  # killed mid-line: keep the whole lines only, so appends stay parseable
                journal.write_text("".join(line + "\n" for line in lines[:1 + len(entries)]),
                                   encoding="utf-8")
            if base < int(header.get("base", 0)) + len(entries):
                for entry in entries[max(0, base - int(header.get("base", 0))):]:
                    self.cassette.data.append((VcrRequest._from_dict(_from_json_safe(entry["request"])),
                                               vcr_compat.convert_to_bytes(_from_json_safe(entry["response"]))))
                self.cassette.dirty = True
                self.cassette.rewound = True  # recorded calls answer their repeats, as on a replay
        else:
            journal.write_text(json.dumps({"base": base}) + "\n", encoding="utf-8")
        # merged entries stay in the journal: a second kill before a clean close loses nothing
        self._journaled = len(self.cassette.data)

    def _journal_line(self, index: int) -> str:
        request, response = self.cassette.data[index]
        request, response = _scrubber(self._secrets)(copy.deepcopy(request), copy.deepcopy(response))
        return json.dumps({"request": _json_safe(vcr_compat.convert_to_unicode(request._to_dict())),
                           "response": _json_safe(vcr_compat.convert_to_unicode(response))}) + "\n"

    def journal_new(self) -> None:
        """Append the interactions recorded since the last call to the journal, durably."""
        if self.mode != "record" or self.cassette is None:
            return
        with self._lock:
            end = len(self.cassette.data)
            if end <= self._journaled:
                return
            text = "".join(self._journal_line(i) for i in range(self._journaled, end))
            with self.journal_path.open("a", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            self._journaled = end

    def drop_journal(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.journal_path.unlink()

    @property
    def interactions(self) -> int:
        return len(self.cassette.data) if self.cassette is not None else 0

    @property
    def played(self) -> int:
        return self.cassette.play_count if self.cassette is not None else 0

    def unplayed(self) -> int:
        """Recorded interactions a replay never asked for (0 after a complete replay)."""
        if self.cassette is None:
            return 0
        return sum(1 for i in range(len(self.cassette.data)) if not self.cassette.play_counts[i])

    def mismatch_error(self, failed: VcrRequest) -> CassetteMismatch:
        recorded = [req for req, _ in self.cassette.data if endpoint(req) == endpoint(failed)]
        indexes = [i for i, (req, _) in enumerate(self.cassette.data)
                   if endpoint(req) == endpoint(failed)]
        played = [self.cassette.play_counts[i] for i in indexes]
        message = explain(failed.body, [req.body for req in recorded], played, str(self.path))
        self.mismatch = CassetteMismatch(message)
        return self.mismatch

    def cut_oversize(self) -> None:
        """Cut just-recorded oversize responses in memory too (not only when saved), so an
        endpoint that keeps sending megabytes cannot grow the session without bound."""
        if self.mode != "record" or self.cassette is None:
            return
        data = self.cassette.data
        for index in range(max(0, len(data) - 8), len(data)):
            request, response = data[index]
            cut = _cut_oversize(response)
            if cut is not response:
                data[index] = (request, cut)

    def note_timeout(self, request: httpx2.Request) -> None:
        """Record a client-side timeout as a marked 408, so the replay times out too."""
        body = b"".join(request.stream) if isinstance(request.stream, httpx2.ByteStream) else b""
        vcr_request = VcrRequest(request.method, str(request.url), body, dict(request.headers))
        response = {
            "status": {"code": 408, "message": "Request Timeout"},
            "headers": {TIMEOUT_MARK: [TIMEOUT_VALUE], "content-type": ["application/json"]},
            "body": {"string": json.dumps({"error": {
                "message": "client-side timeout, recorded by treatylab", "type": "timeout"}})},
        }
        self.cassette.append(vcr_request, response)
        self.timeouts_recorded += 1


_BYTES_TAG = "__treatylab_base64__"


def _json_safe(value: Any) -> Any:
    """A body that is not UTF-8 (a hostile server's garbage) stays bytes after vcrpy's
    conversion; the journal is JSON, so such bytes travel as tagged base64."""
    if isinstance(value, bytes):
        return {_BYTES_TAG: base64.b64encode(value).decode("ascii")}
    if isinstance(value, dict):
        return {key: _json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(item) for item in value]
    return value


def _from_json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {_BYTES_TAG}:
            return base64.b64decode(value[_BYTES_TAG])
        return {key: _from_json_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_from_json_safe(item) for item in value]
    return value


def _read_journal(lines: list[str]) -> tuple[dict[str, Any], list[dict[str, Any]], bool]:
    """(header, entries, torn): a last line cut by a kill is left out."""
    header: dict[str, Any] = {}
    entries: list[dict[str, Any]] = []
    for index, line in enumerate(lines):
        try:
            item = json.loads(line)
        except ValueError:
            return header, entries, True
        if index == 0:
            header = item
        else:
            entries.append(item)
    return header, entries, False


def _wrap_async(session: CassetteSession, inner: Any) -> Any:
    async def handle_async_request(self: Any, request: httpx2.Request) -> httpx2.Response:
        try:
            response = await inner(self, request)
        except CannotOverwriteExistingCassetteException as exc:
            raise session.mismatch_error(exc.failed_request) from None
        except httpx2.TimeoutException:
            if session.mode == "record":
                session.note_timeout(request)
                session.journal_new()
            raise
        session.cut_oversize()
        session.journal_new()
        if response.headers.get(TIMEOUT_MARK) == TIMEOUT_VALUE:
            raise httpx2.ReadTimeout("timed out (as recorded)", request=request)
        return response
    return handle_async_request


def _wrap_sync(session: CassetteSession, inner: Any) -> Any:
    def handle_request(self: Any, request: httpx2.Request) -> httpx2.Response:
        try:
            response = inner(self, request)
        except CannotOverwriteExistingCassetteException as exc:
            raise session.mismatch_error(exc.failed_request) from None
        except httpx2.TimeoutException:
            if session.mode == "record":
                session.note_timeout(request)
                session.journal_new()
            raise
        session.cut_oversize()
        session.journal_new()
        if response.headers.get(TIMEOUT_MARK) == TIMEOUT_VALUE:
            raise httpx2.ReadTimeout("timed out (as recorded)", request=request)
        return response
    return handle_request


@contextlib.contextmanager
def _patched(session: CassetteSession) -> Iterator[None]:
    """Our layer over vcrpy's httpx2 stubs: mismatches and recorded timeouts."""
    async_inner = httpx2.AsyncHTTPTransport.handle_async_request
    sync_inner = httpx2.HTTPTransport.handle_request
    httpx2.AsyncHTTPTransport.handle_async_request = _wrap_async(session, async_inner)
    httpx2.HTTPTransport.handle_request = _wrap_sync(session, sync_inner)
    try:
        yield
    finally:
        httpx2.AsyncHTTPTransport.handle_async_request = async_inner
        httpx2.HTTPTransport.handle_request = sync_inner


@contextlib.contextmanager
def block_network() -> Iterator[None]:
    """Refuse every outgoing connection (replays must never reach a network)."""
    original_connect, original_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def refuse(self: socket.socket, address: Any) -> Any:
        if self.family == getattr(socket, "AF_UNIX", None):
            return original_connect(self, address)
        raise OSError(f"network access is blocked during a cassette replay (to {address})")

    socket.socket.connect = refuse  # type: ignore[method-assign]
    socket.socket.connect_ex = refuse  # type: ignore[method-assign]
    try:
        yield
    finally:
        socket.socket.connect = original_connect  # type: ignore[method-assign]
        socket.socket.connect_ex = original_connect_ex  # type: ignore[method-assign]


def _vcr(secrets: list[str]) -> vcr.VCR:
    recorder = vcr.VCR(
        serializer="yaml",
        match_on=("method", "endpoint", "json_body"),
        decode_compressed_response=True,
        filter_query_parameters=tuple(sorted(CREDENTIAL_PARAMS)),
        before_save_interaction=_scrubber(secrets),
        record_on_exception=True,
    )
    recorder.register_matcher("endpoint", match_endpoint)
    recorder.register_matcher("json_body", match_json_body)
    return recorder


@contextlib.contextmanager
def cassette_session(path: str | Path | None, mode: Mode,
                     secrets: list[str] | None = None) -> Iterator[CassetteSession]:
    """Intercept the openai SDK's HTTP for the duration of the block.

    Args:
        path: the cassette file (YAML); unused when mode is "off".
        mode: "record" (new_episodes), "replay" (none, network blocked) or "off".
        secrets: extra values to redact besides the API-key environment variables.

    Raises:
        UserError: unknown mode, or replay of a cassette that does not exist.
        CassetteMismatch: (in replay) the run made a request the cassette does not hold.
    """
    if mode not in MODES:
        raise UserError(f"unknown cassette mode '{mode}'; use one of {list(MODES)}")
    if mode == "off" or path is None:
        yield CassetteSession(path=None, mode="off")
        return
    path = Path(path)
    if mode == "replay" and not path.exists():
        raise UserError(f"{path}: no cassette to replay; record one with --record-mode record")
    path.parent.mkdir(parents=True, exist_ok=True)
    found = _secrets(secrets or [])
    session = CassetteSession(path=path, mode=mode, _secrets=found)
    record_mode = "none" if mode == "replay" else "new_episodes"
    with contextlib.ExitStack() as stack:
        if mode == "record":
            stack.callback(session.drop_journal)  # runs after the cassette below is saved
        session.cassette = stack.enter_context(_vcr(found).use_cassette(str(path), record_mode=record_mode))
        if mode == "record":
            session.merge_journal()
        stack.enter_context(_patched(session))
        if mode == "replay":
            stack.enter_context(block_network())
        yield session


def recorded_bodies(path: str | Path) -> list[Any]:
    """The JSON bodies of a cassette's requests, in order (for tests and tools)."""
    import yaml

    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    return [body_json(item["request"]["body"]) for item in data.get("interactions", [])]
