"""Pollution sources nightly: ingest -> outlet_groups -> validate (mapped) -> merge -> load -> daily_values
-> indicators.

Hourly online-monitoring uploads (HJ 212 platform logs, CSV exports) arrive through the day; this DAG
runs at 02:30 Asia/Shanghai for the previous day. Thin: each task calls one ``pipeline.jobs.sources``
function; settings from the environment (QZ811_DB_URL, QZ811_SOURCES_LANDING_DIR, QZ811_STAGING_DIR).
Validation fans out over ``QZ811_STATION_GROUPS`` groups of outlets (default 4) with dynamic task
mapping, for Celery or Kubernetes workers to share; the day is loaded in one transaction. Updates the
Asset ``qz811://warehouse/sources`` with ``extra={"year": ...}`` for ``plan_targets``; a manual run takes
``{"day": "YYYY-MM-DD"}`` as conf; a failed task mails the operators.
"""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.sdk import Asset, dag, task
from airflow.timetables.trigger import CronTriggerTimetable

from pipeline import orchestration as run

SOURCES = Asset("qz811://warehouse/sources")


@dag(
    dag_id="pollution_sources",
    description="Online monitoring of key sources: the previous day -> outlet-day compliance -> plan indicators",
    schedule=CronTriggerTimetable("30 2 * * *", timezone="Asia/Shanghai"),
    start_date=pendulum.datetime(2019, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=2,
    default_args=run.task_defaults(),
    on_failure_callback=run.notify_operators,
    params={"day": None},
    tags=["qz811", "sources"],
    doc_md=__doc__,
)
def pollution_sources():
    @task
    def ingest() -> dict:
        from pipeline.jobs import sources
        from pipeline.runs import run_day
        from pipeline.windows import day_window

        engine, settings = run.engine_and_settings()
        day = run_day(run.context())
        return sources.ingest(engine, settings.sources_landing_dir, day_window(day), settings.staging_dir)

    @task
    def outlet_groups(staged: dict) -> list[dict]:
        from pipeline.jobs import sources

        return sources.outlet_groups(staged, run.station_groups())

    @task
    def validate(staged: dict) -> dict:
        from pipeline.jobs import sources

        return sources.validate(run.engine_and_settings()[0], staged)

    @task
    def merge(validated) -> dict:
        from pipeline import fanout

        return fanout.join(list(validated))

    @task
    def load(validated: dict) -> dict:
        from pipeline.jobs import sources

        engine, settings = run.engine_and_settings()
        return sources.load(engine, validated, keep_staging=settings.keep_staging, docs_dir=settings.data_docs_dir)

    @task
    def daily_values(loaded: dict) -> dict:
        from pipeline.jobs import sources

        return sources.daily_values(run.engine_and_settings()[0], dt.date.fromisoformat(loaded["window"][2]))

    @task(outlets=[SOURCES])
    def indicators(days: dict) -> dict:
        from pipeline.jobs import sources

        year = int(days["first"][:4])
        found = sources.indicators(run.engine_and_settings()[0], year)
        run.context()["outlet_events"][SOURCES].extra = {"year": year}
        return found

    indicators(daily_values(load(merge(validate.expand(staged=outlet_groups(ingest()))))))


pollution_sources()
