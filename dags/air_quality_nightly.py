"""Nightly air-quality job: ingest -> station_groups -> validate (mapped) -> merge -> load -> daily_values
-> indicators.

Runs at 01:30 Asia/Shanghai for the previous natural day (whose 24:00 hour is in the new day's
national file). Thin: each task calls one ``pipeline.nightly`` function; settings come from the
environment (QZ811_DB_URL, QZ811_LANDING_DIR, QZ811_STAGING_DIR) when a task runs, never at parse
time. Backfills: ``airflow backfill create --dag-id air_quality_nightly --from-date ... --to-date ...``.
Updates the Asset ``qz811://warehouse/air_city_day`` for the DAGs that follow it.

Validation (GX, the costly stage of a national night) fans out over station groups with dynamic task
mapping: ``QZ811_STATION_GROUPS`` mapped ``validate`` tasks (default 4), which Celery or Kubernetes
workers share; the day is then loaded in one transaction, as before.
"""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.sdk import Asset, dag, get_current_context, task
from airflow.timetables.trigger import CronTriggerTimetable

AIR_CITY_DAY = Asset("qz811://warehouse/air_city_day")


def _engine_and_settings():
    from pipeline.config import Settings
    from pipeline.db import make_engine

    settings = Settings.from_env()
    return make_engine(settings.db_url), settings


def _run_day() -> dt.date:
    from pipeline.nightly import day_for_run

    return day_for_run(get_current_context()["logical_date"])


@dag(
    dag_id="air_quality_nightly",
    description="Air readings of the previous day -> station/city AQI -> 811 plan air indicators",
    schedule=CronTriggerTimetable("30 1 * * *", timezone="Asia/Shanghai"),
    start_date=pendulum.datetime(2019, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 2, "retry_delay": dt.timedelta(minutes=10)},
    tags=["qz811", "air"],
    doc_md=__doc__,
)
def air_quality_nightly():
    @task
    def ingest() -> dict:
        from pipeline import nightly

        _, settings = _engine_and_settings()
        return nightly.ingest(settings.landing_dir, _run_day(), settings.staging_dir)

    @task
    def station_groups(staged: dict) -> list[dict]:
        import os

        from pipeline import nightly

        return nightly.station_groups(staged, int(os.environ.get("QZ811_STATION_GROUPS", "4")))

    @task
    def validate(staged: dict) -> dict:
        from pipeline import nightly

        engine, _ = _engine_and_settings()
        return nightly.validate(engine, staged)

    @task
    def merge(validated) -> dict:
        from pipeline import fanout

        return fanout.join(list(validated))

    @task
    def load(validated: dict) -> dict:
        from pipeline import nightly

        engine, _ = _engine_and_settings()
        return nightly.load(engine, validated)

    @task
    def daily_values(loaded: dict) -> dict:
        from pipeline import nightly

        engine, _ = _engine_and_settings()
        return nightly.daily_values(engine, dt.date.fromisoformat(loaded["day"]))

    @task(outlets=[AIR_CITY_DAY])
    def indicators(days: dict) -> dict:
        from pipeline import nightly

        engine, _ = _engine_and_settings()
        return nightly.indicators(engine, dt.date.fromisoformat(days["day"]).year)

    groups = station_groups(ingest())
    indicators(daily_values(load(merge(validate.expand(staged=groups)))))


air_quality_nightly()
