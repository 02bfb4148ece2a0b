"""Pollution sources nightly: ingest -> outlet_groups -> validate (mapped) -> merge -> load -> daily_values
-> indicators.

Hourly online-monitoring uploads (HJ 212 platform logs, CSV exports) arrive through the day; this DAG
runs at 02:30 Asia/Shanghai for the previous day. Thin: each task calls one ``pipeline.sources``
function; settings from the environment (QZ811_DB_URL, QZ811_SOURCES_LANDING_DIR, QZ811_STAGING_DIR).
Validation fans out over ``QZ811_STATION_GROUPS`` groups of outlets (default 4) with dynamic task
mapping, for Celery or Kubernetes workers to share; the day is loaded in one transaction. Updates the
Asset ``qz811://warehouse/sources``.
"""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.sdk import Asset, dag, get_current_context, task
from airflow.timetables.trigger import CronTriggerTimetable

SOURCES = Asset("qz811://warehouse/sources")


def _engine_and_settings():
    from pipeline.config import Settings
    from pipeline.db import make_engine

    settings = Settings.from_env()
    return make_engine(settings.db_url), settings


@dag(
    dag_id="pollution_sources",
    description="Online monitoring of key sources: the previous day -> outlet-day compliance -> plan indicators",
    schedule=CronTriggerTimetable("30 2 * * *", timezone="Asia/Shanghai"),
    start_date=pendulum.datetime(2019, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 2, "retry_delay": dt.timedelta(minutes=10)},
    tags=["qz811", "sources"],
    doc_md=__doc__,
)
def pollution_sources():
    @task
    def ingest() -> dict:
        from pipeline import sources
        from pipeline.nightly import day_for_run

        engine, settings = _engine_and_settings()
        day = day_for_run(get_current_context()["logical_date"])
        return sources.ingest(engine, settings.sources_landing_dir, sources.day_window(day), settings.staging_dir)

    @task
    def outlet_groups(staged: dict) -> list[dict]:
        import os

        from pipeline import sources

        return sources.outlet_groups(staged, int(os.environ.get("QZ811_STATION_GROUPS", "4")))

    @task
    def validate(staged: dict) -> dict:
        from pipeline import sources

        return sources.validate(_engine_and_settings()[0], staged)

    @task
    def merge(validated) -> dict:
        from pipeline import fanout

        return fanout.join(list(validated))

    @task
    def load(validated: dict) -> dict:
        from pipeline import sources

        return sources.load(_engine_and_settings()[0], validated)

    @task
    def daily_values(loaded: dict) -> dict:
        from pipeline import sources

        return sources.daily_values(_engine_and_settings()[0], dt.date.fromisoformat(loaded["window"][2]))

    @task(outlets=[SOURCES])
    def indicators(days: dict) -> dict:
        from pipeline import sources

        return sources.indicators(_engine_and_settings()[0], int(days["first"][:4]))

    indicators(daily_values(load(merge(validate.expand(staged=outlet_groups(ingest()))))))


pollution_sources()
