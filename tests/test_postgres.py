"""The same pipeline on a real PostgreSQL server: the same indicators as on SQLite for the same input,
idempotent reruns, and a failed load that leaves nothing half-written."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import sqlalchemy as sa

from pipeline import annual, scoreboard, sources, water
from pipeline.nightly import run_day
from tests.conftest import REPO, SAMPLE_AIR, pg_database

SAMPLE = REPO / "data" / "sample"


def everything(engine, staging):
    for day in (dt.date(2019, 7, 1), dt.date(2019, 7, 2)):
        run_day(engine, SAMPLE_AIR, day, staging)
    water.run_period(engine, SAMPLE / "water", "manual", water.month_window(2019, 7), staging)
    for day in (dt.date(2019, 7, 12), dt.date(2019, 7, 20)):
        window = sources.day_window(day)
        sources.load(engine, sources.validate(engine, sources.ingest(engine, SAMPLE / "sources", window, staging)))
        sources.daily_values(engine, day)
    sources.indicators(engine, 2019)
    annual.ingest(engine, "statistics", [SAMPLE / "plan" / "statistics_2014-2019.csv"])
    annual.ingest(engine, "precipitation", [SAMPLE / "plan" / "precipitation_2018-2019.csv"])
    scoreboard.compute(engine, 2019)


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


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    """The whole sample run once on SQLite and once on PostgreSQL."""
    from pipeline.db import init_db, make_engine

    folder = tmp_path_factory.mktemp("both")
    lite = make_engine(f"sqlite:///{folder / 'warehouse.db'}")
    init_db(lite)
    pg, drop = pg_database()
    everything(lite, folder / "sqlite")
    everything(pg, folder / "pg")
    yield lite, pg
    lite.dispose()
    drop()


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
    import dataclasses

    from pipeline import nightly

    original = nightly.AIR_HOURLY.rows

    def half_then_fail(batch_id, valid):
        rows = original(batch_id, valid)
        rows[len(rows) // 2]["value"] = None  # NOT NULL violation half way through the insert
        return rows

    monkeypatch.setattr(nightly, "AIR_HOURLY", dataclasses.replace(nightly.AIR_HOURLY, rows=half_then_fail))
    with pytest.raises(sa.exc.IntegrityError):
        run_day(pg_warehouse, SAMPLE_AIR, dt.date(2019, 2, 10), tmp_path / "s")
    with pg_warehouse.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM air_hourly")).scalar_one() == 0
        assert conn.execute(sa.text("SELECT COUNT(*) FROM ingest_batch")).scalar_one() == 0


def test_analyst_role_reads_but_cannot_write_or_create(pg_warehouse):
    from pipeline.db import apply_roles

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


def test_roles_are_refused_on_sqlite(warehouse):
    from pipeline.db import apply_roles

    with pytest.raises(ValueError, match="PostgreSQL only"):
        apply_roles(warehouse)
