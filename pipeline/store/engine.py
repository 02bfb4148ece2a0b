"""The warehouse's engine, its SQL loaded from ``sql/`` files by name, and the write transaction.

SQL lives in files (STYLE.md, convention 5): ``sql/ddl/NNN_*.sql`` and ``sql/migrations`` for the schema
(:mod:`pipeline.store.schema`), ``sql/views/*.sql`` for analysts, ``sql/dml/*.sql`` for the pipeline's own
statements. Parameters are always bound through :func:`sqlalchemy.text`, never formatted into strings.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

SQL_DIR = Path(__file__).resolve().parents[2] / "sql"


LOCK_TIMEOUT = "10min"
"""How long a PostgreSQL session of the pipeline waits for a lock (another run replacing the same day, an
``init-db`` behind an analyst's open view) before it fails with ``LockNotAvailable``: the task then fails,
is retried and notifies, instead of hanging (issue 17)."""


def make_engine(url: str, lock_timeout: str = LOCK_TIMEOUT) -> Engine:
    """An engine for ``url``. SQLite gets foreign keys on and its parent folder created; PostgreSQL
    sessions get ``lock_timeout`` (a PostgreSQL interval, e.g. ``10min``)."""
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    connect_args = {}
    if url.startswith("postgresql"):
        connect_args["options"] = f"-c lock_timeout={lock_timeout}"
    engine = sa.create_engine(url, connect_args=connect_args)
    if engine.dialect.name == "sqlite":

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA busy_timeout = 30000")
            # A night writes 600,000 rows into a table with two B-trees; with SQLite's default 2 MB page cache
            # every insert past it is a read and a write system call (issue 18: the bulk write of a night 4.6 -> 3.1 s).
            cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
            cursor.close()

    return engine


SQLITE_CACHE_KIB = 128 * 1024
"""SQLite's page cache per connection [KiB] (a night's air rows and their two B-trees fit in it)."""


@cache
def sql(name: str) -> sa.TextClause:
    """The statement in ``sql/<name>.sql`` (e.g. ``dml/air_hourly/insert_air_hourly``) as a text() clause."""
    return sa.text((SQL_DIR / f"{name}.sql").read_text(encoding="utf-8"))


def driver_statement(conn: Connection, name: str) -> tuple[str, list[str] | None]:
    """``sql/<name>.sql`` compiled by SQLAlchemy for the connection's driver, for the bulk paths that
    call the driver directly: (statement text, the parameter names in placeholder order for a
    positional driver such as sqlite3, or None for a named one such as psycopg)."""
    compiled = sql(name).compile(dialect=conn.dialect)
    return compiled.string, list(compiled.positiontup) if compiled.positional else None


def read_frame(conn: Connection, name: str, params: dict | None = None) -> pd.DataFrame:
    """The rows of ``sql/<name>.sql`` as a DataFrame, fetched as the driver's plain tuples (the same
    statement and bound parameters, compiled by SQLAlchemy for the connection's dialect; five times
    faster than SQLAlchemy's row objects for the 240,000 rows of a national day's air)."""
    statement, names = driver_statement(conn, name)
    params = params or {}
    cursor = conn.connection.driver_connection.cursor()  # the connection's own transaction
    try:
        cursor.execute(statement, tuple(params[n] for n in names) if names is not None else params)
        columns = [column[0] for column in cursor.description]
        return pd.DataFrame(cursor.fetchall(), columns=columns)
    finally:
        cursor.close()


@contextmanager
def replacing(engine: Engine, *keys: str) -> Iterator[Connection]:
    """A write transaction that replaces one piece of the warehouse (a day's readings, a year's
    indicators...). On PostgreSQL it first locks the row of ``key`` in ``qz811_lock``, so two
    runs replacing the same piece at once queue: the second deletes what the first wrote and writes
    the same rows again, and the warehouse ends with one consistent copy. SQLite writers are
    serialised by the database lock (busy timeout 30 s). Several keys (one transaction replacing several
    pieces) are locked in sorted order, so two such transactions cannot deadlock."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            for key in sorted(set(keys)):
                conn.execute(sql("dml/postgresql/lock_replacement"), {"key": key})
        yield conn
