"""The warehouse's schema: DDL files, migrations and the registries that ``init-db`` loads.

``sql/ddl/NNN_*.sql`` are applied in order (``sql/ddl/postgresql/`` replacing a file of the same name on
PostgreSQL), then ``sql/views/*.sql``. ``sql/migrations/NNN_*.sql`` are append-only: a warehouse made by an
earlier release gets the ones its ``schema_version`` table does not list, before the DDL files."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from pipeline.ingest.reference import (
    PLAN_TARGETS,
    RANK_UNIVERSES,
    SOURCE_CAPS,
    SOURCE_LIMITS,
    SOURCE_OUTLETS,
    STATION_LIST,
    WATER_SECTIONS,
    read_reference,
    read_station_list,
    read_water_sections,
)
from pipeline.store.engine import SQL_DIR, replacing, sql
from pipeline.store.postgres import comment_views


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


class SchemaError(ValueError):
    """The warehouse's schema cannot be brought to this release's (e.g. it is newer than the code)."""


@contextmanager
def schema_transaction(engine: Engine) -> Iterator[Connection]:
    """One transaction for the whole schema change, so that an interrupted ``init-db`` (killed, a full disk)
    leaves the warehouse as it was and a re-run finishes. PostgreSQL's DDL is transactional as it is. pysqlite's
    legacy transaction control commits each CREATE and ALTER on its own (it opens transactions before DML
    only), so on SQLite it is turned off for this connection and an explicit ``BEGIN IMMEDIATE`` ... ``COMMIT``
    holds every statement (SQLite's DDL is transactional; a killed process leaves a hot journal that the next
    connection rolls back)."""
    if engine.dialect.name != "sqlite":
        with replacing(engine, "schema") as conn:
            yield conn
        return
    with engine.connect() as conn:
        dbapi = conn.connection.driver_connection
        previous = dbapi.isolation_level
        dbapi.isolation_level = None  # pysqlite issues no BEGIN or COMMIT of its own
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.rollback()
                raise
            conn.commit()
        finally:
            dbapi.isolation_level = previous


def create_schema(engine: Engine) -> list[str]:
    """Bring the warehouse to the newest schema. Idempotent. Returns the files applied.

    A warehouse made by an earlier release (tables but no ``schema_version`` row for a migration) first
    gets the missing ``sql/migrations`` files, in order; then every DDL file in name order (``CREATE ...
    IF NOT EXISTS``: new tables only) and every view. A new warehouse is made by the DDL files, which
    already hold every migration's result, and records the migrations as applied. All of it is one
    transaction (:func:`schema_transaction`). A warehouse whose ``schema_version`` lists a migration this release
    does not have was made by a newer release: :class:`SchemaError`, nothing changed."""
    applied = []
    if engine.dialect.name == "postgresql":  # the table `replacing` locks a row of, before anything else
        with engine.begin() as conn:
            _run_script(conn, (SQL_DIR / "ddl" / "000_lock.sql").read_text(encoding="utf-8"))
    with schema_transaction(engine) as conn:
        inspector = sa.inspect(conn)
        existing = inspector.has_table("ingest_batch")  # in every release's schema
        done = set()
        if inspector.has_table("schema_version"):
            done = {row[0] for row in conn.execute(sa.text("SELECT version FROM schema_version"))}
        known = migration_files()
        newer = sorted(v for v in done if v > max(n for n, _ in known))
        if newer:
            raise SchemaError(
                f"the warehouse has schema version {newer[-1]}, newer than this release's {known[-1][0]} "
                f"({known[-1][1].stem}): it was made by a newer qz811; use that release (nothing was changed)"
            )
        missing = [(n, path) for n, path in known if n not in done]
        if existing:
            for _, path in missing:
                _run_script(conn, path.read_text(encoding="utf-8"))
                applied.append(path.relative_to(SQL_DIR).as_posix())
        for path in schema_files(engine.dialect.name):
            _run_script(conn, path.read_text(encoding="utf-8"))
            applied.append(path.relative_to(SQL_DIR).as_posix())
        if engine.dialect.name == "postgresql":
            comment_views(conn)
        if missing:
            now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
            conn.execute(
                sql("dml/schema_version/insert_schema_version"),
                [{"version": n, "name": path.stem, "applied_at": now}
                 for n, path in missing],
            )  # fmt: skip
    return applied


def load_stations(conn: Connection, rows: list[dict]) -> int:
    """Replace the stations of the rows' source with ``rows``. Returns how many were written."""
    for source in {r["source"] for r in rows}:
        conn.execute(sql("dml/station/delete_station"), {"source": source})
    if rows:
        conn.execute(sql("dml/station/insert_station"), rows)
    return len(rows)


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
    universes = read_reference(RANK_UNIVERSES)
    with engine.begin() as conn:
        n = load_stations(conn, read_station_list(station_list))
        conn.execute(sql("dml/water_section/delete_water_sections"))
        conn.execute(sql("dml/water_section/insert_water_section"), sections)
        for name in (
            "dml/source_limit/delete_source_limits",
            "dml/source_cap/delete_source_caps",
            "dml/source_outlet/delete_source_outlets",
        ):
            conn.execute(sql(name))
        conn.execute(sql("dml/source_outlet/insert_source_outlet"), outlets)
        conn.execute(sql("dml/source_limit/insert_source_limit"), limits)
        conn.execute(sql("dml/source_cap/insert_source_cap"), caps)
        conn.execute(sql("dml/plan_target/delete_plan_targets"))
        conn.execute(sql("dml/plan_target/insert_plan_target"), plan)
        conn.execute(sql("dml/rank_universe/delete_rank_universes"))
        conn.execute(sql("dml/rank_universe/insert_rank_universe"), universes)
    return {
        "ddl": applied,
        "stations": n,
        "water_sections": len(sections),
        "source_outlets": len(outlets),
        "targets": len(plan),
        "rank_universe_members": len(universes),
    }
