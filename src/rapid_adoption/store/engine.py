"""Engine creation: SQLite (WAL, foreign keys on) by default, PostgreSQL through psycopg."""

from __future__ import annotations

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from ..domain.errors import ValidationError


WRITE_OPTION = "rapid_write"
"""Execution option marking a connection whose transaction will write."""


def _unicode_lower(value):
    """``lower()`` for SQLite that handles every script (``'ANDØYA'`` gives ``'andøya'``)."""
    return value.lower() if isinstance(value, str) else value


def make_engine(database_url: str) -> Engine:
    """Create an engine for ``database_url``.

    On SQLite it turns on ``journal_mode=WAL``, ``foreign_keys=ON`` and ``synchronous=NORMAL`` on
    every connection, uses a 30 s busy timeout, and makes ``lower()`` Unicode-aware (as it is on
    PostgreSQL).

    Args:
        database_url: a SQLAlchemy URL, e.g. ``sqlite:///./rapid.db`` or
            ``postgresql+psycopg://user@127.0.0.1/rapid``.

    Raises:
        ValidationError: the URL cannot be parsed or names an unsupported backend.
    """
    try:
        url = make_url(database_url)
    except ArgumentError as exc:
        raise ValidationError(f"cannot parse database URL: {exc}", field="RAPID_DATABASE_URL") from None
    backend = url.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise ValidationError(
            f"unsupported database {backend!r}: use sqlite:///PATH or postgresql+psycopg://...",
            field="RAPID_DATABASE_URL",
        )
    if backend == "sqlite":
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # pragma: no branch - trivial
            # Let SQLAlchemy, not the driver, begin transactions (see _sqlite_begin).
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            if url.database not in (None, "", ":memory:"):
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()
            # SQLite's lower() folds only ASCII; replace it with Python's, which folds every script.
            dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection):
            # A write transaction takes the write lock at once (BEGIN IMMEDIATE), so two writers queue
            # on the busy timeout instead of failing when both try to upgrade a read lock.
            write = connection.get_execution_options().get(WRITE_OPTION)
            connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine
    # JIT compilation costs more than it saves on the short, filtered queries this system runs.
    return create_engine(url, pool_pre_ping=True, connect_args={"options": "-c jit=off"})
