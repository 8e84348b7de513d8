"""Where a run's checkpoints live: a SQLite file, or a PostgreSQL database.

`--checkpoint FILE` keeps LangGraph's SQLite saver (embedded, one machine);
`--checkpoint postgresql://USER:PASSWORD@HOST:PORT/DB` uses LangGraph's async Postgres saver
(`langgraph-checkpoint-postgres`, the `postgres` extra), which many machines of a sweep can
share. Both follow the same rules: the run id is the thread, the run's identity is recorded
next to the checkpoints (table `treatylab_identity`) and a resume with another identity is
refused, and a resumed run continues from the last saved step.

A connection string's password never leaves this module: `display` replaces it by `***`,
and every error raised here is scrubbed of it, so it cannot reach a manifest, a log line or
an error message.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from treatylab.errors import UserError
from treatylab.identity import TABLE, Identity, claim_checkpoint

Checkpoint = str | Path
SCHEMES = ("postgresql://", "postgres://")


def is_postgres(value: Checkpoint | None) -> bool:
    return isinstance(value, str) and value.startswith(SCHEMES)


def as_checkpoint(value: Checkpoint | None) -> Checkpoint | None:
    """A CLI value as a checkpoint: a connection string stays a string, anything else is a file."""
    if value is None or is_postgres(value):
        return value
    return Path(value)


def password(value: str) -> str | None:
    parts = urlsplit(value)
    return unquote(parts.password) if parts.password else None


def display(value: Checkpoint) -> str:
    """The checkpoint for a person or a file: a connection string without its password."""
    if not is_postgres(value):
        return str(value)
    parts = urlsplit(str(value))
    if parts.password is None:
        return str(value)
    user = parts.username or ""
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, f"{user}:***@{host}", parts.path, parts.query, ""))


def scrub(text: str, value: Checkpoint) -> str:
    """`text` with the connection string's password (raw and URL-encoded) replaced by ***."""
    if not is_postgres(value):
        return text
    secret = password(str(value))
    raw = urlsplit(str(value)).password
    for item in (secret, raw):
        if item:
            text = text.replace(item, "***")
    return text


def _postgres_error(value: str, exc: BaseException) -> UserError:
    reason = scrub(" ".join(str(exc).split()), value) or type(exc).__name__
    return UserError(f"--checkpoint {display(value)}: cannot use the PostgreSQL database ({reason}); "
                     "check that the server is up and the user, password and database are right")


@contextlib.asynccontextmanager
async def open_saver(value: Checkpoint) -> AsyncIterator[Any]:
    """LangGraph's async saver for `value`, its tables created if missing."""
    if not is_postgres(value):
        from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

        path = Path(value)
        path.parent.mkdir(parents=True, exist_ok=True)
        async with AsyncSqliteSaver.from_conn_string(str(path)) as saver:
            yield saver
        return
    try:
        from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
    except ModuleNotFoundError:
        raise UserError("--checkpoint postgresql://...: the PostgreSQL saver is not installed; "
                        'pip install "treatylab[postgres]"') from None
    import psycopg

    url = str(value)
    try:
        manager = AsyncPostgresSaver.from_conn_string(url)
        saver = await manager.__aenter__()
        await saver.setup()
    except psycopg.Error as exc:
        raise _postgres_error(url, exc) from None
    try:
        yield saver
    except BaseException as exc:
        if not await manager.__aexit__(type(exc), exc, exc.__traceback__):
            raise
    else:
        await manager.__aexit__(None, None, None)


def claim(value: Checkpoint, thread: str, identity: Identity) -> bool:
    """Record `identity` for `thread` next to the checkpoints, or check it (True: a resume).

    Raises:
        ValueError: the thread was checkpointed by a run with another identity.
        UserError: the database cannot be reached (the message holds no password).
    """
    if not is_postgres(value):
        return claim_checkpoint(Path(value), thread, identity)
    import psycopg

    url = str(value)
    try:
        with psycopg.connect(url, autocommit=True) as db:
            db.execute(f"create table if not exists {TABLE} (thread text primary key, identity text not null)")
            inserted = db.execute(f"insert into {TABLE} values (%s, %s) on conflict (thread) do nothing "
                                  "returning thread", (thread, identity.model_dump_json())).fetchone()
            row = db.execute(f"select identity from {TABLE} where thread = %s", (thread,)).fetchone()
    except psycopg.Error as exc:
        raise _postgres_error(url, exc) from None
    if inserted is not None:
        return False
    recorded = Identity.model_validate(json.loads(row[0]))
    if recorded.sha256 != identity.sha256:
        raise ValueError("; ".join(identity.differences(recorded)))
    return True
