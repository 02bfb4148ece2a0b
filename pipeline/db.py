"""The warehouse: engine, schema, and SQL loaded from ``sql/`` files by name.

SQL lives in files (STYLE.md, convention 5): ``sql/ddl/NNN_*.sql`` applied in order,
``sql/views/*.sql`` for analysts, ``sql/dml/*.sql`` for the pipeline's own statements. Parameters are
always bound through :func:`sqlalchemy.text`, never formatted into strings.

On PostgreSQL a file in ``sql/ddl/postgresql/`` replaces the file of the same name in ``sql/ddl/``: the
hourly tables there are partitioned (``PARTITION BY RANGE``: ``source_reading`` by month, ``air_hourly``
by natural day), and their partitions are made on first use by the functions that the same files define
(``sql/ddl/postgresql/000_partitions.sql``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"
REFERENCE_DIR = Path(__file__).resolve().parent.parent / "data" / "reference"
STATION_LIST = REFERENCE_DIR / "NewSiteList_GBK.csv"
WATER_SECTIONS = REFERENCE_DIR / "water_sections_quzhou.csv"
SOURCE_OUTLETS = REFERENCE_DIR / "source_outlets_quzhou.csv"
SOURCE_LIMITS = REFERENCE_DIR / "source_limits_quzhou.csv"
SOURCE_CAPS = REFERENCE_DIR / "source_caps_quzhou.csv"
PLAN_TARGETS = REFERENCE_DIR / "plan_targets_811.csv"


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
            cursor.close()

    return engine


@cache
def sql(name: str) -> sa.TextClause:
    """The statement in ``sql/<name>.sql`` (e.g. ``dml/insert_air_hourly``) as a text() clause."""
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


def statements(script: str) -> list[str]:
    """Split a DDL script on semicolons that end a line; ``--`` comments are dropped."""
    lines = [line.split("--", 1)[0] for line in script.splitlines()]
    return [s.strip() for s in "\n".join(lines).split(";\n") if s.strip().strip(";")]


def schema_files(dialect: str) -> list[Path]:
    """The DDL files for ``dialect`` in order (``sql/ddl/<dialect>/`` overriding by name), then the views."""
    ddl = {path.name: path for path in (SQL_DIR / "ddl").glob("*.sql")}
    ddl.update({path.name: path for path in (SQL_DIR / "ddl" / dialect).glob("*.sql")})
    return [ddl[name] for name in sorted(ddl)] + sorted((SQL_DIR / "views").glob("*.sql"))


def migration_files() -> list[tuple[int, Path]]:
    """``sql/migrations/NNN_*.sql`` in order, with their numbers (append-only: never edit one that shipped)."""
    return sorted((int(path.name.split("_", 1)[0]), path) for path in (SQL_DIR / "migrations").glob("[0-9]*.sql"))


def _run_script(conn: Connection, script: str) -> None:
    if conn.dialect.name == "postgresql":
        # The whole script through psycopg, without parameters: function bodies hold semicolons,
        # and a LIKE pattern's % is not a placeholder.
        conn.connection.driver_connection.execute(script)
    else:
        for statement in statements(script):
            conn.exec_driver_sql(statement.rstrip(";"))


def create_schema(engine: Engine) -> list[str]:
    """Bring the warehouse to the newest schema. Idempotent. Returns the files applied.

    A warehouse made by an earlier release (tables but no ``schema_version`` row for a migration) first
    gets the missing ``sql/migrations`` files, in order; then every DDL file in name order (``CREATE ...
    IF NOT EXISTS``: new tables only) and every view. A new warehouse is made by the DDL files, which
    already hold every migration's result, and records the migrations as applied."""
    applied = []
    if engine.dialect.name == "postgresql":  # the table `replacing` locks a row of, before anything else
        with engine.begin() as conn:
            _run_script(conn, (SQL_DIR / "ddl" / "000_lock.sql").read_text(encoding="utf-8"))
    with replacing(engine, "schema") as conn:
        inspector = sa.inspect(conn)
        existing = inspector.has_table("ingest_batch")  # in every release's schema
        done = set()
        if inspector.has_table("schema_version"):
            done = {row[0] for row in conn.execute(sa.text("SELECT version FROM schema_version"))}
        missing = [(n, path) for n, path in migration_files() if n not in done]
        if existing:
            for _, path in missing:
                _run_script(conn, path.read_text(encoding="utf-8"))
                applied.append(path.relative_to(SQL_DIR).as_posix())
        for path in schema_files(engine.dialect.name):
            _run_script(conn, path.read_text(encoding="utf-8"))
            applied.append(path.relative_to(SQL_DIR).as_posix())
        if missing:
            now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
            conn.execute(
                sql("dml/insert_schema_version"),
                [{"version": n, "name": path.stem, "applied_at": now}
                 for n, path in missing],
            )  # fmt: skip
    return applied


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
                conn.execute(sql("dml/lock_replacement"), {"key": key})
        yield conn


def months(times: pd.Series) -> list[str]:
    """The first days (``YYYY-MM-01``) of the months of ``times`` (text ``YYYY-MM-DD HH:MM:SS`` or timestamps)."""
    stamps = pd.to_datetime(pd.Series(times.unique()))
    return sorted(stamps.dt.strftime("%Y-%m-01").unique())


def natural_days(hour_ends: pd.Series) -> list[str]:
    """The natural days (``YYYY-MM-DD``) of hour-end stamps: D holds (D 00:00, D+1 00:00], so an hour
    ending at midnight belongs to the day before (GB 3095-2012 clause 3.6; pipeline/indicators/daily.py)."""
    stamps = pd.to_datetime(pd.Series(hour_ends.unique()))
    return sorted((stamps - pd.Timedelta(microseconds=1)).dt.strftime("%Y-%m-%d").unique())


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
            conn.execute(sql(f"dml/ensure_{period}_partition"), {"parent": table, "day": unit})
    return units


COPY_CHUNK_ROWS = 50_000


def copy_frame(conn: Connection, table: str, frame: pd.DataFrame) -> int:
    """Bulk-load ``frame`` into ``table`` (its columns named as the table's) with PostgreSQL's
    ``COPY ... FROM STDIN (FORMAT binary)`` (``sql/dml/copy_binary.sql``; rows encoded by
    :mod:`pipeline.pg_binary` for the table's column types), inside ``conn``'s transaction. Returns the
    rows sent. Missing values are sent as NULL, so a NOT NULL column refuses them."""
    import psycopg
    from psycopg import sql as pg_sql

    from pipeline import pg_binary

    types = dict(read_frame(conn, "dml/select_column_types", {"table_name": table}).itertuples(index=False))
    unknown = [column for column in frame.columns if column not in types]
    if unknown:
        raise ValueError(f"{table} has no column {', '.join(unknown)}")
    column_types = [types[column] for column in frame.columns]
    template = sql("dml/copy_binary").text  # its comments dropped: they name the placeholders too
    statement = pg_sql.SQL("\n".join(line for line in template.splitlines() if not line.startswith("--")))
    statement = statement.format(
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


def _station_list_text(path: Path) -> str:
    """The station list's text: GBK as CNEMC publishes it, or UTF-8 if someone re-saved it so (told
    apart by the header, which must hold 监测点编码). Anything else is a clear ValueError, never an
    empty or garbled registry."""
    data = path.read_bytes()
    for encoding in ("gbk", "utf-8-sig"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "监测点编码" in text.partition("\n")[0]:
            return text
    raise ValueError(f"{path}: not the CNEMC station list (no 监测点编码 column in its header, read as GBK or UTF-8)")


def read_station_list(path: Path = STATION_LIST) -> list[dict]:
    """Rows of the CNEMC station list (GBK; columns 监测点编码, 监测点名称, 城市, 经度, 纬度, 对照点,
    省级行政区, 地级行政区) in the ``station`` table's columns. Blank or ``-`` coordinates -> NULL."""

    def number(text: str) -> float | None:
        try:
            return float(text)
        except ValueError:
            return None

    text = _station_list_text(path)
    rows = []
    seen = set()
    for row in csv.DictReader(io.StringIO(text)):
        code = (row.get("监测点编码") or "").strip()
        if not code or code in seen:
            continue
        seen.add(code)
        rows.append(
            {
                "station_code": code,
                "name_zh": (row.get("监测点名称") or "").strip(),
                "city_zh": (row.get("城市") or "").strip() or None,
                "province_zh": (row.get("省级行政区") or "").strip() or None,
                "prefecture_zh": (row.get("地级行政区") or "").strip() or None,
                "county_zh": None,
                "lon": number((row.get("经度") or "").strip()),
                "lat": number((row.get("纬度") or "").strip()),
                "is_background": (row.get("对照点") or "").strip().upper() == "Y",
                "source": f"CNEMC station list ({path.name})",
            }
        )
    return rows


def load_stations(conn: Connection, rows: list[dict]) -> int:
    """Replace the stations of the rows' source with ``rows``. Returns how many were written."""
    for source in {r["source"] for r in rows}:
        conn.execute(sql("dml/delete_station"), {"source": source})
    if rows:
        conn.execute(sql("dml/insert_station"), rows)
    return len(rows)


def read_reference(path: Path, booleans=(), integers=(), floats=(), optional=()) -> list[dict]:
    """Rows of a registry CSV of data/reference (``#`` lines are its provenance header), typed."""
    text = path.read_text(encoding="utf-8")
    rows = list(csv.DictReader(line for line in io.StringIO(text) if not line.startswith("#")))
    for row in rows:
        for key in row:
            row[key] = row[key].strip()
        for key in booleans:
            row[key] = row[key].lower() == "true"
        for key in (*integers, *floats, *optional):
            if row[key] == "":
                row[key] = None
            elif key in integers:
                row[key] = int(row[key])
            elif key in floats:
                row[key] = float(row[key])
    return rows


def read_water_sections(path: Path = WATER_SECTIONS) -> list[dict]:
    return read_reference(
        path, booleans=("is_qiantang_mainstream", "has_auto_station"), integers=("target_class",),
        optional=("drinking_source_level",),
    )  # fmt: skip


def init_db(engine: Engine, station_list: Path = STATION_LIST, water_sections: Path = WATER_SECTIONS) -> dict:
    """Create the schema and load the air-station and water-section registries. Safe to run again."""
    applied = create_schema(engine)
    sections = read_water_sections(water_sections)
    outlets = read_reference(SOURCE_OUTLETS, booleans=("key_source",), floats=("ref_o2_pct",))
    limits = read_reference(SOURCE_LIMITS, floats=("limit_value",))
    caps = read_reference(SOURCE_CAPS, floats=("value_t", "reduction_pct"), integers=("baseline_year",))
    plan = read_reference(
        PLAN_TARGETS, floats=("value",), integers=("baseline_year", "deadline"), optional=("source_indicator",)
    )
    with engine.begin() as conn:
        n = load_stations(conn, read_station_list(station_list))
        conn.execute(sql("dml/delete_water_sections"))
        conn.execute(sql("dml/insert_water_section"), sections)
        for name in ("source_limits", "source_caps", "source_outlets"):
            conn.execute(sql(f"dml/delete_{name}"))
        conn.execute(sql("dml/insert_source_outlet"), outlets)
        conn.execute(sql("dml/insert_source_limit"), limits)
        conn.execute(sql("dml/insert_source_cap"), caps)
        conn.execute(sql("dml/delete_plan_targets"))
        conn.execute(sql("dml/insert_plan_target"), plan)
    return {
        "ddl": applied,
        "stations": n,
        "water_sections": len(sections),
        "source_outlets": len(outlets),
        "targets": len(plan),
    }
