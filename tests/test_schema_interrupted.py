"""Issue 28, acceptance 3: ``init-db`` killed (SIGKILL) at every statement of a fresh create and of an upgrade of a
previous release's warehouse, on SQLite and on PostgreSQL, leaves a warehouse that a re-run finishes, equal to an
undisturbed one; a warehouse newer than the code is refused and left as it is (pipeline/store/schema.py)."""

from __future__ import annotations

import os
import re
import shutil
import signal

import pytest
import sqlalchemy as sa

from pipeline.store.engine import make_engine
from pipeline.store.schema import SchemaError, init_db, migration_files
from tests.conftest import empty_pg_database

ADDED_SINCE_THE_RELEASE = ("alert_recipient", "city_ranking", "rank_universe", "report_mail")
"""Tables that a previous release's warehouse (before every migration) does not have."""


def previous_release(engine) -> None:
    """Make a fresh warehouse look like one of the release before the migrations: no views, none of the columns
    the migrations add, no version table, none of the tables made since."""
    added = [m.groups() for _, path in migration_files()
             for m in re.finditer(r"ALTER TABLE (\w+) ADD COLUMN (\w+)", path.read_text(encoding="utf-8"))]  # fmt: skip
    with engine.begin() as conn:
        for view in sa.inspect(conn).get_view_names():
            conn.execute(sa.text(f"DROP VIEW {view}"))
        for table, column in added:
            conn.execute(sa.text(f"ALTER TABLE {table} DROP COLUMN {column}"))
        for table in (*ADDED_SINCE_THE_RELEASE, "schema_version"):
            conn.execute(sa.text(f"DROP TABLE {table}"))


def dump(engine) -> dict:
    """Every table's and view's columns, and every table's rows (sorted; applied_at left out)."""
    out = {}
    with engine.connect() as conn:
        inspector = sa.inspect(conn)
        for view in sorted(inspector.get_view_names()):
            out[f"view {view}"] = [c["name"] for c in inspector.get_columns(view)]
        for table in sorted(inspector.get_table_names()):
            columns = sorted(c["name"] for c in inspector.get_columns(table) if c["name"] != "applied_at")
            rows = conn.execute(sa.text(f'SELECT {", ".join(columns)} FROM "{table}"')).all()
            out[table] = (columns, sorted(tuple(str(v) for v in r) for r in rows))
    return out


def killed_at(url: str, statement: int, where) -> bool:
    """Run init_db on ``url`` in a forked child that SIGKILLs itself just before the ``statement``-th call of
    ``where`` (an attribute of the schema path, patched in the child only); whether it was killed there."""
    pid = os.fork()
    if pid == 0:  # the child: count, then die as a killed process does (no clean-up, no rollback)
        try:
            owner, name = where
            original = getattr(owner, name)
            calls = [0]

            def patched(*args, **kwargs):
                calls[0] += 1
                if calls[0] == statement:
                    os.kill(os.getpid(), signal.SIGKILL)
                return original(*args, **kwargs)

            setattr(owner, name, patched)
            init_db(make_engine(url))
        finally:
            os._exit(0)  # not killed: there were fewer calls
    _, status = os.waitpid(pid, 0)
    return os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL


def kill_everywhere(make_start, where, reference: dict) -> int:
    """Kill ``init_db`` at call 1, 2, ... of ``where`` on a warehouse ``make_start()`` gives ((url, drop)) until a
    run is no longer killed; after each kill, a re-run must finish and equal ``reference``. Returns the kills."""
    kills = 0
    while True:
        url, drop = make_start()
        try:
            if not killed_at(url, kills + 1, where):
                return kills
            kills += 1
            engine = make_engine(url)
            try:
                init_db(engine)
                assert dump(engine) == reference, f"killed at call {kills}: the re-run differs"
            finally:
                engine.dispose()
        finally:
            drop()


def sqlite_start(tmp_path, template):
    def make():
        path = tmp_path / "w.db"
        for suffix in ("", "-journal", "-wal"):
            (tmp_path / f"w.db{suffix}").unlink(missing_ok=True)
        if template is not None:
            shutil.copy(template, path)
        return f"sqlite:///{path}", lambda: None

    return make


@pytest.mark.parametrize("start", ["fresh", "upgrade"])
def test_sqlite_init_db_killed_at_every_statement_finishes_on_a_rerun(tmp_path, start):
    template = None
    if start == "upgrade":
        template = tmp_path / "previous.db"
        old = make_engine(f"sqlite:///{template}")
        init_db(old)
        previous_release(old)
        old.dispose()
    reference_path = tmp_path / "reference.db"
    if template is not None:
        shutil.copy(template, reference_path)
    reference_engine = make_engine(f"sqlite:///{reference_path}")
    init_db(reference_engine)
    reference = dump(reference_engine)
    reference_engine.dispose()
    kills = kill_everywhere(sqlite_start(tmp_path, template), (sa.engine.Connection, "exec_driver_sql"), reference)
    assert kills >= (55 if start == "fresh" else 75)  # every DDL statement (and the upgrade's ALTERs) was a kill point


@pytest.mark.parametrize("start", ["fresh", "upgrade"])
def test_postgresql_init_db_killed_at_every_script_finishes_on_a_rerun(start):
    """On PostgreSQL each DDL file is one round trip (psycopg's ``execute`` of the script), so the kill points are
    the scripts; the whole schema change is one transaction."""
    import pipeline.store.schema as schema

    base_url, drop_base = empty_pg_database()
    try:
        base = make_engine(base_url)
        if start == "upgrade":
            init_db(base)
            previous_release(base)
        base.dispose()
        admin = sa.create_engine(sa.make_url(base_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
        template = sa.make_url(base_url).database
        made = []

        def make():
            name = f"{template}_k{len(made)}"
            made.append(name)
            with admin.connect() as conn:
                conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')

            def drop():
                with admin.connect() as conn:
                    conn.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')

            return sa.make_url(base_url).set(database=name).render_as_string(hide_password=False), drop

        url, drop = make()
        engine = make_engine(url)
        init_db(engine)
        reference = dump(engine)
        engine.dispose()
        drop()
        kills = kill_everywhere(make, (schema, "_run_script"), reference)
        admin.dispose()
    finally:
        drop_base()
    assert kills >= 25


def test_a_warehouse_newer_than_the_code_is_refused_and_left_as_it_is(warehouse):
    newest = migration_files()[-1][0]
    with warehouse.begin() as conn:
        conn.execute(sa.text("INSERT INTO schema_version (version, name, applied_at) VALUES (:v, 'future', 'x')"),
                     {"v": newest + 1})  # fmt: skip
        conn.execute(sa.text("DROP VIEW v_scoreboard"))
    before = dump(warehouse)
    with pytest.raises(SchemaError, match=f"schema version {newest + 1}, newer than this release's {newest}"):
        init_db(warehouse)
    assert dump(warehouse) == before  # not even the views were re-created
