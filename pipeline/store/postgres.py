"""What only PostgreSQL has: partitions made on first use, binary COPY, and the loader and analyst roles.

The hourly tables of ``sql/ddl/postgresql/`` are partitioned (``source_reading`` by month, ``air_hourly`` by
natural day); their partitions are made by the SECURITY DEFINER functions of
``sql/ddl/postgresql/000_partitions.sql``."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from pipeline.glossary import COLUMNS, VIEWS
from pipeline.store.engine import SQL_DIR, read_frame, sql
from pipeline.windows import months, natural_days

PARTITION_STATEMENTS = {"month": "dml/postgresql/ensure_month_partition", "day": "dml/postgresql/ensure_day_partition"}


def ensure_partitions(engine: Engine, table: str, period: str, times: pd.Series) -> list[str]:
    """Create the partitions of ``table`` (PostgreSQL; ``period`` "month" or "day", natural days of
    hour-end stamps) that ``times`` fall in and that are missing; returns the months' first days or the
    days. Idempotent; concurrent callers are serialised inside the SQL functions. Each partition in a
    transaction of its own, before the load: one transaction creating several would hold its lock on the
    parent table while it waits for the next partition's lock, which a nightly load may hold while it
    waits for the parent (a deadlock)."""
    units = natural_days(times) if period == "day" else months(times)
    for unit in units:
        with engine.begin() as conn:
            conn.execute(sql(PARTITION_STATEMENTS[period]), {"parent": table, "day": unit})
    return units


COPY_CHUNK_ROWS = 50_000


def copy_frame(conn: Connection, table: str, frame: pd.DataFrame) -> int:
    """Bulk-load ``frame`` into ``table`` (its columns named as the table's) with PostgreSQL's
    ``COPY ... FROM STDIN (FORMAT binary)`` (``sql/dml/postgresql/copy_binary.sql``; rows encoded by
    :mod:`pipeline.store.pg_binary` for the table's column types), inside ``conn``'s transaction. Returns the
    rows sent. Missing values are sent as NULL, so a NOT NULL column refuses them."""
    import psycopg
    from psycopg import sql as pg_sql

    from pipeline.store import pg_binary

    types = dict(read_frame(conn, "dml/postgresql/select_column_types", {"table_name": table}).itertuples(index=False))
    unknown = [column for column in frame.columns if column not in types]
    if unknown:
        raise ValueError(f"{table} has no column {', '.join(unknown)}")
    column_types = [types[column] for column in frame.columns]
    statement = template("dml/postgresql/copy_binary").format(
        table=pg_sql.Identifier(table), columns=pg_sql.SQL(", ").join(map(pg_sql.Identifier, frame.columns))
    )
    driver = conn.connection.driver_connection
    try:
        with driver.cursor() as cursor:
            with cursor.copy(statement) as copy:
                copy.write(pg_binary.HEADER)
                # In chunks: the server reads one while this process encodes the next.
                for start in range(0, len(frame), COPY_CHUNK_ROWS):
                    chunk = frame.iloc[start : start + COPY_CHUNK_ROWS]
                    copy.write(pg_binary.copy_rows(chunk, column_types, driver.info.encoding))
                copy.write(pg_binary.TRAILER)
    except psycopg.Error as err:  # as SQLAlchemy would raise it (IntegrityError for a NOT NULL, ...)
        raise sa.exc.DBAPIError.instance(statement.as_string(driver), None, err, psycopg.Error) from err
    return len(frame)


def apply_roles(engine: Engine) -> None:
    """Create the loader and analyst roles and their grants (``sql/roles.sql``; PostgreSQL only)."""
    if engine.dialect.name != "postgresql":
        raise ValueError("roles exist on PostgreSQL only; the embedded SQLite warehouse has no users")
    script = (SQL_DIR / "roles.sql").read_text(encoding="utf-8")
    with engine.begin() as conn:
        # psycopg's own execute without parameters: the script's format('%I') is not a placeholder.
        conn.connection.driver_connection.execute(script)


def template(name: str):
    """A psycopg.sql template from ``sql/<name>.sql``, for the statements whose identifiers or literals cannot be
    bound (COPY, COMMENT ON): its ``--`` lines dropped, as they name the placeholders too."""
    from psycopg import sql as pg_sql

    text = sql(name).text
    return pg_sql.SQL("\n".join(line for line in text.splitlines() if not line.startswith("--")))


def comment_views(conn: Connection) -> int:
    """``COMMENT ON`` every analyst view and its columns (PostgreSQL): the view's Chinese and English names
    and the first line of its file; each column's Chinese name and description from
    :data:`pipeline.glossary.COLUMNS`. Returns the comments written."""
    from psycopg import sql as pg_sql

    driver = conn.connection.driver_connection
    view_comment, column_comment = (
        template("dml/postgresql/comment_on_view"),
        template("dml/postgresql/comment_on_view_column"),
    )
    written = 0
    for path in sorted((SQL_DIR / "views").glob("*.sql")):
        view = path.stem.split("_", 1)[1]
        zh, en = VIEWS[view]
        first = path.read_text(encoding="utf-8").splitlines()[0].removeprefix(f"-- {view}: ")
        text = f"{zh} — {en}. {first}"
        driver.execute(view_comment.format(view=pg_sql.Identifier(view), comment=pg_sql.Literal(text)))
        written += 1
        for (column,) in conn.execute(sql("dml/postgresql/select_view_columns"), {"view": view}).all():
            if column in COLUMNS:
                name_zh, name_en = COLUMNS[column]
                driver.execute(column_comment.format(
                    view=pg_sql.Identifier(view), column=pg_sql.Identifier(column), comment=pg_sql.Literal(f"{name_zh} — {name_en}")))  # fmt: skip
                written += 1
    return written
