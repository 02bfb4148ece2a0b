"""The same pipeline on a real PostgreSQL server: the same indicators as on SQLite for the same input,
idempotent reruns, and a failed load that leaves nothing half-written."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import sqlalchemy as sa

from pipeline.jobs.air import run_day
from pipeline.windows import day_window
from tests.conftest import SAMPLE_AIR, pg_database
from tests.test_nightly import null_half_way


def table(engine, name: str, order: list[str]) -> pd.DataFrame:
    with engine.connect() as conn:
        frame = pd.read_sql(sa.text(f"SELECT * FROM {name}"), conn)
    for column in frame.columns:
        if frame[column].map(lambda v: isinstance(v, dt.date)).any():
            frame[column] = pd.to_datetime(frame[column]).dt.strftime("%Y-%m-%d")
        elif frame[column].dtype == bool or set(frame[column].dropna().unique()) <= {0, 1} and column in (
            "valid_day", "data_complete", "meets_target", "table2_ok", "exceeded", "compliant"):  # fmt: skip
            frame[column] = frame[column].map(lambda v: None if pd.isna(v) else bool(v))
    return frame.sort_values(order).reset_index(drop=True)


def assert_as_one_run_on_a_fresh_database(engine, day: dt.date, tmp_path) -> None:
    """``engine``'s tables hold exactly what one undisturbed run of ``day`` gives on a new database."""
    from tests.test_nightly import TABLES, dump

    fresh, drop = pg_database()
    try:
        run_day(fresh, SAMPLE_AIR, day, tmp_path / "fresh")
        undisturbed = dump(fresh)
    finally:
        drop()
    ours = dump(engine)
    assert len(ours["air_hourly"]) > 0
    for name in TABLES:
        pd.testing.assert_frame_equal(ours[name], undisturbed[name], obj=name)


@pytest.fixture
def both(sample_sqlite, sample_pg):
    """The whole sample run once on SQLite and once on PostgreSQL (session fixtures of conftest)."""
    return sample_sqlite, sample_pg


@pytest.mark.parametrize(
    "name,order",
    [
        ("indicator", ["indicator", "scope", "period"]),
        ("air_city_day", ["city", "date"]),
        ("air_station_day", ["station_code", "date"]),
        ("water_section_period", ["section_code", "period", "kind"]),
        ("source_outlet_day", ["outlet_code", "date", "pollutant"]),
        ("scoreboard", ["target_id", "year"]),
    ],
)
def test_postgresql_gives_the_same_results_as_sqlite(both, name, order):
    lite, pg = table(both[0], name, order), table(both[1], name, order)
    assert len(lite) > 0
    pd.testing.assert_frame_equal(lite, pg, check_dtype=False, obj=name)


def test_rerun_is_idempotent_on_postgresql(pg_warehouse, tmp_path):
    from tests.test_nightly import TABLES, dump

    run_day(pg_warehouse, SAMPLE_AIR, dt.date(2019, 2, 10), tmp_path / "s")
    before = dump(pg_warehouse)
    run_day(pg_warehouse, SAMPLE_AIR, dt.date(2019, 2, 10), tmp_path / "s")
    after = dump(pg_warehouse)
    for name in TABLES:
        pd.testing.assert_frame_equal(before[name], after[name], obj=name)


def test_failed_load_leaves_nothing_on_postgresql(pg_warehouse, tmp_path, monkeypatch):
    null_half_way(monkeypatch, "value")
    with pytest.raises(sa.exc.IntegrityError, match="null value") as failure:
        run_day(pg_warehouse, SAMPLE_AIR, dt.date(2019, 2, 10), tmp_path / "s")
    # Bulk loads use binary COPY, a nightly day's air into the table that would become its partition.
    assert failure.value.statement.startswith('COPY "air_hourly_d20190210"')
    assert "FORMAT binary" in failure.value.statement
    with pg_warehouse.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM air_hourly")).scalar_one() == 0
        assert conn.execute(sa.text("SELECT COUNT(*) FROM ingest_batch")).scalar_one() == 0
        assert conn.execute(sa.text("SELECT to_regclass('air_hourly_d20190210')")).scalar_one() is None


def test_hourly_tables_are_partitioned_on_postgresql(both):
    """source_reading by month; air_hourly by natural day, each hour-end stamp in the day it closes."""
    pg = both[1]
    with pg.connect() as conn:
        partitioned = conn.execute(
            sa.text("SELECT c.relname FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid")
        ).scalars()
        assert set(partitioned) == {"air_hourly", "source_reading"}
        placement = conn.execute(
            sa.text(
                "SELECT tableoid::regclass::text AS part, MIN(hour_end), MAX(hour_end), COUNT(*) "
                "FROM air_hourly GROUP BY 1 ORDER BY 1"
            )
        ).all()
        sources = conn.execute(
            sa.text("SELECT DISTINCT tableoid::regclass::text FROM source_reading ORDER BY 1")
        ).scalars()
        assert list(sources) == ["source_reading_y2019m07"]
    # Natural days 2019-07-01 and 07-02 (the sample's hours 07-01 01:00 ... 07-02 23:00); 07-02 00:00 is
    # 24:00 of 07-01 (GB 3095-2012 clause 3.6).
    assert [(part, str(first), str(last)) for part, first, last, _ in placement] == [
        ("air_hourly_d20190701", "2019-07-01 01:00:00", "2019-07-02 00:00:00"),
        ("air_hourly_d20190702", "2019-07-02 01:00:00", "2019-07-02 23:00:00"),
    ]
    lite_rows = both[0].connect().execute(sa.text("SELECT COUNT(*) FROM air_hourly")).scalar_one()
    assert sum(rows for *_, rows in placement) == lite_rows > 0


def test_a_day_loaded_as_a_new_partition_keeps_the_key(sample_pg):
    """The nightly day's air is loaded into a table of its own and attached: it has the parent's
    primary key (attached to the parent's index), no leftover CHECK, and refuses a duplicate reading."""
    with sample_pg.connect() as conn:
        index_parent = conn.execute(
            sa.text(
                "SELECT p.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                "JOIN pg_class p ON p.oid = i.inhparent WHERE c.relname = 'air_hourly_d20190701_pkey'"
            )
        ).scalar_one()
        assert index_parent == "air_hourly_pkey"
        checks = conn.execute(
            sa.text(
                "SELECT COUNT(*) FROM pg_constraint WHERE conrelid = 'air_hourly_d20190701'::regclass AND contype = 'c'"
            )
        ).scalar_one()
        assert checks == 0
        with pytest.raises(sa.exc.IntegrityError, match="duplicate key"):
            conn.execute(
                sa.text("INSERT INTO air_hourly SELECT * FROM air_hourly WHERE hour_end = '2019-07-01 12:00' LIMIT 1")
            )


def test_a_day_whose_partition_exists_is_replaced_in_it(pg_warehouse, tmp_path):
    """When the day's partition was made before (an ``ingest`` of files, a run of a longer window), the
    nightly run loads into it and gives what a run into a fresh warehouse gives."""
    from pipeline.store.postgres import ensure_partitions

    assert ensure_partitions(pg_warehouse, "air_hourly", "day", pd.Series(["2019-02-10 05:00"])) == ["2019-02-10"]
    run_day(pg_warehouse, SAMPLE_AIR, dt.date(2019, 2, 10), tmp_path / "s")
    assert_as_one_run_on_a_fresh_database(pg_warehouse, dt.date(2019, 2, 10), tmp_path)


def test_every_reading_has_its_batch_on_postgresql(sample_pg):
    """The partitioned hourly tables carry no foreign key on PostgreSQL (bulk-load speed); the loader
    writes a reading's batch in the same transaction, so none is ever orphaned."""
    with sample_pg.connect() as conn:
        for table in ("air_hourly", "source_reading"):
            orphans = conn.execute(
                sa.text(
                    f"SELECT COUNT(*) FROM {table} r LEFT JOIN ingest_batch b ON b.batch_id = r.batch_id "
                    "WHERE b.batch_id IS NULL"
                )  # fmt: skip
            ).scalar_one()
            rows = conn.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
            assert rows > 0 and orphans == 0, table


def test_a_load_across_a_month_end_fills_both_partitions(pg_warehouse):
    from pipeline.store.postgres import ensure_partitions

    made = ensure_partitions(
        pg_warehouse, "source_reading", "month", pd.Series(["2019-01-31 23:00", "2019-02-01 00:00"])
    )
    assert made == ["2019-01-01", "2019-02-01"]
    with pg_warehouse.begin() as conn:
        conn.execute(sa.text("INSERT INTO ingest_batch VALUES ('b', 'source_readings', 'f', 'h', NULL, NULL, 2, 2, "
                             "0, 0, '2019-02-01 00:00:00', '2019-02-01 00:00:00')"))  # fmt: skip
        for start in ("2019-01-31 23:00:00", "2019-02-01 00:00:00"):
            conn.execute(
                sa.text(
                    "INSERT INTO source_reading (outlet_code, period_start, interval, item, value, flag, batch_id) VALUES ('O1', :t, 'hour', 'so2', 1, 'N', 'b')"
                ),
                {"t": start},
            )
    assert ensure_partitions(pg_warehouse, "source_reading", "month", pd.Series(["2019-02-11"])) == ["2019-02-01"]
    with pg_warehouse.begin() as conn:
        parts = conn.execute(sa.text("SELECT tableoid::regclass::text FROM source_reading ORDER BY period_start"))
        assert list(parts.scalars()) == ["source_reading_y2019m01", "source_reading_y2019m02"]
        with pytest.raises(sa.exc.IntegrityError, match="no partition"):  # no silent catch-all partition
            conn.execute(
                sa.text(
                    "INSERT INTO source_reading (outlet_code, period_start, interval, item, value, flag, batch_id) VALUES ('O1', '2030-01-01', 'hour', 'so2', 1, 'N', 'b')"
                )
            )


def test_air_day_partitions_hold_the_natural_day_of_hour_end_stamps(pg_warehouse):
    """The hour ending at midnight is 24:00 of the day before (GB 3095-2012 clause 3.6), so it lands in
    that day's partition; a day without a partition is an error, not a silent catch-all."""
    from pipeline.store.postgres import ensure_partitions

    hours = ["2019-01-31 23:00:00", "2019-02-01 00:00:00", "2019-02-01 01:00:00"]
    assert ensure_partitions(pg_warehouse, "air_hourly", "day", pd.Series(hours)) == ["2019-01-31", "2019-02-01"]
    with pg_warehouse.begin() as conn:
        conn.execute(sa.text("INSERT INTO ingest_batch VALUES ('b', 'air_hourly', 'f', 'h', NULL, NULL, 3, 3, 0, 0, "
                             "'2019-02-01 00:00:00', '2019-02-01 00:00:00')"))  # fmt: skip
        for hour in hours:
            conn.execute(
                sa.text("INSERT INTO air_hourly VALUES ('1264A', :h, 'pm25', 1, 'ug/m3', '', 'b')"), {"h": hour}
            )
    assert ensure_partitions(pg_warehouse, "air_hourly", "day", pd.Series([hours[-1]])) == ["2019-02-01"]  # again
    with pg_warehouse.begin() as conn:
        parts = conn.execute(sa.text("SELECT tableoid::regclass::text FROM air_hourly ORDER BY hour_end")).scalars()
        assert list(parts) == ["air_hourly_d20190131", "air_hourly_d20190131", "air_hourly_d20190201"]
        with pytest.raises(sa.exc.IntegrityError, match="no partition"):
            conn.execute(
                sa.text("INSERT INTO air_hourly VALUES ('1264A', '2030-01-01 01:00', 'pm25', 1, 'u', '', 'b')")
            )


def test_two_runs_of_the_same_day_at_once_leave_one_result(pg_warehouse, tmp_path):
    """Two workers run 2019-02-10 at the same moment: both finish, and the warehouse holds exactly
    what one run gives (no duplicates, no error), as after a single run on a fresh database."""
    import threading

    from tests.test_nightly import TABLES, dump

    day = dt.date(2019, 2, 10)
    start = threading.Barrier(2)
    errors = []

    def worker(name):
        try:
            start.wait()
            run_day(pg_warehouse, SAMPLE_AIR, day, tmp_path / name)
        except Exception as err:  # reported below
            errors.append(err)

    threads = [threading.Thread(target=worker, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == []
    together = dump(pg_warehouse)
    run_day(pg_warehouse, SAMPLE_AIR, day, tmp_path / "c")  # one more, alone
    alone = dump(pg_warehouse)
    for name in TABLES:
        pd.testing.assert_frame_equal(together[name], alone[name], obj=name)
    assert len(together["ingest_batch"]) == 1
    assert len(together["air_city_day"]) == 1


def test_a_run_waits_for_another_run_replacing_the_same_day(pg_warehouse, tmp_path):
    """The advisory lock is what serialises them: while one transaction holds the day's lock, a
    second run of that day waits, and goes on when the first commits."""
    import threading

    from pipeline.store.engine import replacing

    day = dt.date(2019, 2, 10)
    done = threading.Event()

    def second_run():
        run_day(pg_warehouse, SAMPLE_AIR, day, tmp_path / "b")
        done.set()

    with replacing(pg_warehouse, f"air_hourly|{day.isoformat()}"):
        thread = threading.Thread(target=second_run)
        thread.start()
        assert not done.wait(timeout=5), "the second run did not wait for the day's lock"
    thread.join(timeout=300)
    assert done.is_set()
    with pg_warehouse.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM air_city_day")).scalar_one() == 1


def test_analyst_role_reads_but_cannot_write_or_create(pg_warehouse):
    from pipeline.store.postgres import apply_roles

    apply_roles(pg_warehouse)
    apply_roles(pg_warehouse)  # idempotent
    analyst = sa.create_engine(pg_warehouse.url.set(username="qz811_analyst"))
    with analyst.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM station")).scalar_one() == 2026
        for statement in (
            "INSERT INTO station (station_code, name_zh, is_background, source) VALUES ('X', 'x', FALSE, 'x')",
            "UPDATE station SET name_zh = 'x'",
            "DELETE FROM indicator",
            "CREATE TABLE mine (a INTEGER)",
        ):
            with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
                conn.execute(sa.text(statement))
            conn.rollback()
    loader = sa.create_engine(pg_warehouse.url.set(username="qz811_loader"))
    with loader.begin() as conn:
        conn.execute(sa.text("DELETE FROM indicator"))  # the pipeline's role may write
    analyst.dispose()
    loader.dispose()


def test_the_loader_role_runs_the_nights_and_makes_partitions(pg_warehouse, tmp_path):
    """With roles (init-db --roles), the pipeline runs as qz811_loader, which may not create tables: the
    partition functions run with the owner's rights, so a night of air (a new day partition), its
    re-run, an ingest into an existing day and a day of sources (a monthly partition) all load; the
    analyst reads the new partitions but may not call those functions."""
    from pipeline.jobs import sources
    from pipeline.store.postgres import apply_roles
    from tests.test_sources import SAMPLE as SOURCES_SAMPLE

    apply_roles(pg_warehouse)
    loader = sa.create_engine(pg_warehouse.url.set(username="qz811_loader"))
    analyst = sa.create_engine(pg_warehouse.url.set(username="qz811_analyst"))
    try:
        first = run_day(loader, SAMPLE_AIR, dt.date(2019, 2, 10), tmp_path / "s")
        again = run_day(loader, SAMPLE_AIR, dt.date(2019, 2, 10), tmp_path / "s")
        assert first["rows_loaded"] == again["rows_loaded"] > 0
        window = day_window(dt.date(2019, 7, 12))
        staged = sources.ingest(loader, SOURCES_SAMPLE, window, tmp_path / "src")
        assert sources.load(loader, sources.validate(loader, staged))["rows_loaded"] > 0
        with analyst.connect() as conn:
            parts = conn.execute(sa.text("SELECT DISTINCT tableoid::regclass::text FROM air_hourly")).scalars()
            assert set(parts) == {"air_hourly_d20190210"}
            assert conn.execute(sa.text("SELECT COUNT(*) FROM source_reading_y2019m07")).scalar_one() > 0
            with pytest.raises(sa.exc.ProgrammingError, match="permission denied for function"):
                conn.execute(sa.text("SELECT qz811_ensure_day_partition('air_hourly', '2019-03-01')"))
        with loader.begin() as conn:  # an ingest-style load: the day's partition made empty, then filled
            assert conn.execute(
                sa.text("SELECT qz811_ensure_day_partition('air_hourly', '2019-03-01')")
            ).scalar_one() == ("air_hourly_d20190301")
    finally:
        loader.dispose()
        analyst.dispose()


def test_roles_are_refused_on_sqlite(warehouse):
    from pipeline.store.postgres import apply_roles

    with pytest.raises(ValueError, match="PostgreSQL only"):
        apply_roles(warehouse)


def test_corrected_file_is_audited_on_postgresql(pg_warehouse, tmp_path):
    import shutil

    from tests.test_nightly import test_a_corrected_file_replaces_the_day_and_the_change_is_audited as check

    landing = tmp_path / "landing"
    shutil.copytree(SAMPLE_AIR, landing)
    check(pg_warehouse, landing, tmp_path)


def test_connection_dropped_in_the_middle_of_a_load(pg_warehouse, tmp_path, monkeypatch):
    """The server ends the loader's session half-way through the COPY (pg_terminate_backend, as a
    restart or a network cut would): nothing of the day is written, and a re-run completes and gives
    exactly what an undisturbed run gives."""
    from pipeline.store import load as load_module

    real_copy = load_module.copy_frame
    admin = sa.create_engine(pg_warehouse.url, isolation_level="AUTOCOMMIT")
    cut = []

    def copy_then_cut(conn, statement, frame):
        half = len(frame) // 2
        real_copy(conn, statement, frame.iloc[:half])  # written inside the open transaction
        pid = conn.connection.driver_connection.info.backend_pid
        with admin.connect() as other:
            cut.append(other.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one())
        return real_copy(conn, statement, frame.iloc[half:])

    monkeypatch.setattr(load_module, "copy_frame", copy_then_cut)
    with pytest.raises(sa.exc.DBAPIError):
        run_day(pg_warehouse, SAMPLE_AIR, dt.date(2019, 2, 10), tmp_path / "s")
    assert cut == [True]
    pg_warehouse.dispose()  # the pool's dead connection
    with pg_warehouse.connect() as conn:
        for table in ("air_hourly", "ingest_batch", "quarantine", "air_station_day"):
            assert conn.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar_one() == 0, table
    monkeypatch.setattr(load_module, "copy_frame", real_copy)
    run_day(pg_warehouse, SAMPLE_AIR, dt.date(2019, 2, 10), tmp_path / "s")
    admin.dispose()
    assert_as_one_run_on_a_fresh_database(pg_warehouse, dt.date(2019, 2, 10), tmp_path)


def test_postgresql_tables_have_the_columns_of_the_sqlite_ones(both):
    """The PostgreSQL DDL overrides (sql/ddl/postgresql/) keep every table's columns, types aside."""
    lite, pg = (sa.inspect(engine) for engine in both)
    assert set(lite.get_table_names()) == set(pg.get_table_names()) - set(
        name
        for name in pg.get_table_names()
        if "_y20" in name or "_d20" in name  # monthly and daily partitions
    )
    for table in lite.get_table_names():
        assert [c["name"] for c in lite.get_columns(table)] == [c["name"] for c in pg.get_columns(table)], table


@pytest.mark.parametrize("how", ["a role without CREATE", "a read-only session"])
def test_init_db_that_may_not_write_the_schema_is_one_line(pg_warehouse, monkeypatch, capsys, how):
    """Issue 28.7: init-db as a role without CREATE, or on a read-only server, ended in a 20-line traceback."""
    from pipeline.cli import main
    from pipeline.store.postgres import apply_roles

    apply_roles(pg_warehouse)
    url = pg_warehouse.url.set(username="qz811_analyst")
    if how == "a read-only session":  # as a standby or a database set read-only is
        url = pg_warehouse.url
        with pg_warehouse.connect() as conn:
            conn.execute(sa.text(f'ALTER DATABASE "{url.database}" SET default_transaction_read_only = on'))
            conn.commit()
    monkeypatch.setenv("QZ811_DB_URL", url.render_as_string(hide_password=False))
    assert main(["init-db"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: warehouse: "), err
    assert "permission denied" in err or "read-only transaction" in err, err
