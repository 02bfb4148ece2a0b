"""Trust boundaries on a real PostgreSQL: the read-only analyst cannot stall a night or create TEMP objects,
the partition functions (which run with the owner's rights) do only their job, and a blocked night fails
within its lock timeout instead of hanging."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
import sqlalchemy as sa

from pipeline.jobs.air import run_day
from pipeline.store.engine import make_engine
from pipeline.store.postgres import apply_roles
from tests.conftest import SAMPLE_AIR

DAY = dt.date(2019, 2, 10)


def as_role(engine, role: str, **kwargs):
    return make_engine(engine.url.set(username=role).render_as_string(hide_password=False), **kwargs)


def run_in_thread(target, timeout: float):
    """Run ``target`` in a thread, waiting at most ``timeout`` s: (finished, result or exception)."""
    outcome = {}

    def work():
        try:
            outcome["result"] = target()
        except Exception as err:  # noqa: BLE001 - reported to the test
            outcome["error"] = err

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(timeout)
    return not thread.is_alive(), outcome


def test_an_analyst_holding_every_lock_it_can_take_does_not_stall_a_night(pg_warehouse, tmp_path):
    apply_roles(pg_warehouse)
    loader, analyst = as_role(pg_warehouse, "qz811_loader"), as_role(pg_warehouse, "qz811_analyst")
    run_day(loader, SAMPLE_AIR, DAY, tmp_path / "first")  # the day exists: the night below replaces it
    held, refused = [], []
    attempts = {
        "advisory lock on the day's old key": "SELECT pg_advisory_lock(hashtextextended('air_hourly|2019-02-10', 811))",
        "advisory lock on the partition key": "SELECT pg_advisory_xact_lock(hashtextextended('partition|air_hourly_d20190210', 811))",
        "row lock on the day's key": "SELECT key FROM qz811_lock WHERE key = 'air_hourly|2019-02-10' FOR UPDATE",
        "row lock on a city-day": "SELECT * FROM air_city_day FOR KEY SHARE",
        "table lock": "LOCK TABLE air_hourly IN SHARE MODE",
        "a long read": "SELECT COUNT(*) FROM air_hourly",
        "a view lock": "LOCK TABLE v_air_city_day IN ACCESS SHARE MODE",
    }  # fmt: skip
    conn = analyst.connect()
    try:
        conn.begin()
        for name, statement in attempts.items():
            savepoint = conn.begin_nested()
            try:
                conn.execute(sa.text(statement))
                savepoint.commit()
                held.append(name)
            except sa.exc.DBAPIError:
                savepoint.rollback()
                refused.append(name)
        # What the analyst may not take is refused; what it may take (reads) it now holds, open.
        assert {"row lock on the day's key", "row lock on a city-day", "table lock"} <= set(refused)
        assert {"a long read", "a view lock"} <= set(held)
        started = time.monotonic()
        finished, outcome = run_in_thread(lambda: run_day(loader, SAMPLE_AIR, DAY, tmp_path / "second"), 180)
        assert finished, "the night hung behind the analyst's locks"
        assert "error" not in outcome, outcome.get("error")
        assert outcome["result"]["rows_loaded"] > 0 and time.monotonic() - started < 180
    finally:
        conn.close()
        loader.dispose()
        analyst.dispose()


def test_the_analyst_cannot_create_temp_objects(pg_warehouse):
    apply_roles(pg_warehouse)
    analyst = as_role(pg_warehouse, "qz811_analyst")
    try:
        for statement in (
            "CREATE TEMP TABLE mine (a INTEGER)",
            "CREATE FUNCTION pg_temp.mine() RETURNS int LANGUAGE sql AS 'SELECT 1'",
        ):
            with analyst.connect() as conn, pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
                conn.execute(sa.text(statement))
    finally:
        analyst.dispose()


@pytest.mark.parametrize(
    "call,reason",
    [
        ("qz811_ensure_month_partition('air_hourly', '2019-02-01')", "is not partitioned by month"),
        ("qz811_ensure_month_partition('station', '2019-02-01')", "is not partitioned by month"),
        ("qz811_start_day_partition('pg_authid', '2019-02-01')", "is not partitioned by day"),
        ("qz811_start_day_partition('source_reading', '2019-02-01')", "is not partitioned by day"),
        ("qz811_ensure_day_partition('air_city_day', '2019-02-01')", "is not partitioned by day"),
        ("qz811_attach_day_partition('station', '2019-02-01')", "is not partitioned by day"),
        ("qz811_ensure_day_partition('air_hourly', '1900-01-01')", "no partition for day 1900-01-01"),
        ("qz811_ensure_month_partition('source_reading', '2999-01-01')", "no partition for day 2999-01-01"),
    ],
)
def test_partition_functions_refuse_foreign_tables_and_wrong_periods(pg_warehouse, call, reason):
    apply_roles(pg_warehouse)
    loader = as_role(pg_warehouse, "qz811_loader")
    try:
        with loader.connect() as conn, pytest.raises(sa.exc.DBAPIError, match=reason):
            conn.execute(sa.text(f"SELECT {call}"))
        with pg_warehouse.connect() as conn:
            made = conn.execute(sa.text("SELECT COUNT(*) FROM pg_class WHERE relname ~ '_(d|y)(19|29)'")).scalar_one()
        assert made == 0
    finally:
        loader.dispose()


def test_a_night_blocked_past_its_lock_timeout_fails_clearly(pg_warehouse, tmp_path):
    """Another writer holds the day's lock: with a 2 s lock timeout the night fails in seconds, naming it."""
    blocked = make_engine(pg_warehouse.url.render_as_string(hide_password=False), lock_timeout="2s")
    holder = pg_warehouse.connect()
    try:
        holder.begin()
        holder.execute(sa.text("INSERT INTO qz811_lock (key) VALUES ('air_hourly|2019-02-10') ON CONFLICT DO NOTHING"))
        holder.execute(sa.text("SELECT key FROM qz811_lock WHERE key = 'air_hourly|2019-02-10' FOR UPDATE"))
        finished, outcome = run_in_thread(lambda: run_day(blocked, SAMPLE_AIR, DAY, tmp_path / "s"), 60)
        assert finished, "the night hung past its lock timeout"
        assert "lock timeout" in str(outcome.get("error")), outcome
    finally:
        holder.rollback()
        holder.close()
        blocked.dispose()
    with pg_warehouse.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM air_hourly")).scalar_one() == 0  # nothing half-written
