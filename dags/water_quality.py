"""Surface-water jobs: automatic stations daily, manual lab samples monthly.

``water_auto_daily`` (02:00 Asia/Shanghai, the previous day) and ``water_manual_monthly`` (03:00 on
the 1st, the month that has just ended) run the same thin stages of ``pipeline.water``:
ingest -> section_groups -> validate (mapped) -> merge -> load -> classes (-> indicators, monthly).
Validation fans out over ``QZ811_STATION_GROUPS`` groups of sections (default 4) with dynamic task
mapping, for Celery or Kubernetes workers to share; the period is loaded in one transaction. Settings
come from the environment (QZ811_DB_URL, QZ811_WATER_LANDING_DIR, QZ811_STAGING_DIR,
QZ811_STATION_GROUPS) when a task runs. Both update the Asset ``qz811://warehouse/water`` for the DAGs
that follow them.
"""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.sdk import Asset, dag, get_current_context, task
from airflow.timetables.trigger import CronTriggerTimetable

WATER = Asset("qz811://warehouse/water")
DEFAULTS = {"retries": 2, "retry_delay": dt.timedelta(minutes=10)}


def _engine_and_settings():
    from pipeline.config import Settings
    from pipeline.db import make_engine

    settings = Settings.from_env()
    return make_engine(settings.db_url), settings


def _window(kind: str):
    from pipeline import water
    from pipeline.nightly import day_for_run

    logical_date = get_current_context()["logical_date"]
    if kind == "auto":
        return water.day_window(day_for_run(logical_date))
    return water.month_window(*water.month_for_run(logical_date))


def water_dag(kind: str):
    @task
    def ingest() -> dict:
        from pipeline import water

        _, settings = _engine_and_settings()
        return water.ingest(settings.water_landing_dir, kind, _window(kind), settings.staging_dir)

    @task
    def section_groups(staged: dict) -> list[dict]:
        import os

        from pipeline import water

        return water.section_groups(staged, int(os.environ.get("QZ811_STATION_GROUPS", "4")))

    @task
    def validate(staged: dict) -> dict:
        from pipeline import water

        return water.validate(_engine_and_settings()[0], staged)

    @task
    def merge(validated) -> dict:
        from pipeline import fanout

        return fanout.join(list(validated))

    @task
    def load(validated: dict) -> dict:
        from pipeline import water

        return water.load(_engine_and_settings()[0], validated)

    @task(outlets=[WATER] if kind == "auto" else [])
    def classes(loaded: dict) -> dict:
        from pipeline import water

        return water.classes(_engine_and_settings()[0], kind, water.window_of(loaded))

    done = classes(load(merge(validate.expand(staged=section_groups(ingest())))))
    if kind == "manual":

        @task(outlets=[WATER])
        def indicators(found: dict) -> dict:
            from pipeline import water

            return water.indicators(_engine_and_settings()[0], int(found["period"][:4]))

        indicators(done)


@dag(
    dag_id="water_auto_daily",
    description="Automatic water stations: the previous day's readings -> daily section classes",
    schedule=CronTriggerTimetable("0 2 * * *", timezone="Asia/Shanghai"),
    start_date=pendulum.datetime(2019, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULTS,
    tags=["qz811", "water"],
    doc_md=__doc__,
)
def water_auto_daily():
    water_dag("auto")


@dag(
    dag_id="water_manual_monthly",
    description="Manual water samples: last month's lab results -> section classes -> 811 plan water indicators",
    schedule=CronTriggerTimetable("0 3 1 * *", timezone="Asia/Shanghai"),
    start_date=pendulum.datetime(2019, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULTS,
    tags=["qz811", "water"],
    doc_md=__doc__,
)
def water_manual_monthly():
    water_dag("manual")


water_auto_daily()
water_manual_monthly()
