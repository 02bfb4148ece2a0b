"""Nightly air-quality job: wait_for_files -> ingest -> station_groups -> validate (mapped) -> merge -> load
-> daily_values -> indicators.

Runs at 01:30 Asia/Shanghai for the previous natural day (whose 24:00 hour is in the new day's
national file); a manual run takes ``{"day": "YYYY-MM-DD"}`` as conf (without it: the day before it was
triggered). Thin: each task calls one ``pipeline`` function; settings come from the environment
(QZ811_DB_URL, QZ811_LANDING_DIR, QZ811_STAGING_DIR) when a task runs, never at parse time. Backfills:
``airflow backfill create --dag-id air_quality_nightly --from-date ... --to-date ...`` (README,
"Operating it": each run processes the day before its date). Updates the Asset
``qz811://warehouse/air_city_day`` with ``extra={"year": ..., "day": ...}`` for ``plan_targets``.

A late national file is waited for (``wait_for_files``, a rescheduling sensor: no worker is held) up to
8 hours; a failed task mails the operators (QZ811_OPERATORS through ``smtp_default``), and so does
``air_deadline`` when the day is not in the warehouse by 11:00 (HJ 633-2026 5.2.1: the daily report is
public before 12:00).
Validation (GX, the costly stage of a national night) fans out over ``QZ811_STATION_GROUPS`` mapped
``validate`` tasks (default 4); the day is then loaded in one transaction.
"""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.sdk import Asset, dag, task
from airflow.timetables.trigger import CronTriggerTimetable

from pipeline import orchestration as run

AIR_CITY_DAY = Asset("qz811://warehouse/air_city_day")


@dag(
    dag_id="air_quality_nightly",
    description="Air readings of the previous day -> station/city AQI -> 811 plan air indicators",
    schedule=CronTriggerTimetable("30 1 * * *", timezone="Asia/Shanghai"),
    start_date=pendulum.datetime(2019, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=2,  # a scheduled night waiting for its files does not block a manual day
    default_args=run.task_defaults(),
    on_failure_callback=run.notify_operators,
    params={"day": None},
    tags=["qz811", "air"],
    doc_md=__doc__,
)
def air_quality_nightly():
    @task.sensor(poke_interval=300, timeout=8 * 3600, mode="reschedule")
    def wait_for_files() -> bool:
        from pipeline.runs import run_day

        _, settings = run.engine_and_settings()
        return run.landing_ready(settings.landing_dir, run_day(run.context()))

    @task
    def ingest() -> dict:
        from pipeline.jobs import air
        from pipeline.runs import run_day

        _, settings = run.engine_and_settings()
        return air.ingest(settings.landing_dir, run_day(run.context()), settings.staging_dir)

    @task
    def station_groups(staged: dict) -> list[dict]:
        from pipeline.jobs import air

        return air.station_groups(staged, run.station_groups())

    @task
    def validate(staged: dict) -> dict:
        from pipeline.jobs import air

        return air.validate(run.engine_and_settings()[0], staged)

    @task
    def merge(validated) -> dict:
        from pipeline import fanout

        return fanout.join(list(validated))

    @task
    def load(validated: dict) -> dict:
        from pipeline.jobs import air

        engine, settings = run.engine_and_settings()
        kept = air.hourly_stations(engine, settings.hourly_scope)  # QZ811_HOURLY_SCOPE
        return air.load(
            engine, validated, keep_staging=settings.keep_staging, docs_dir=settings.data_docs_dir, kept=kept
        )

    @task
    def daily_values(loaded: dict) -> dict:
        from pipeline.jobs import air

        return air.daily_values(run.engine_and_settings()[0], dt.date.fromisoformat(loaded["day"]))

    @task(outlets=[AIR_CITY_DAY])
    def indicators(days: dict) -> dict:
        from pipeline.jobs import air

        year = dt.date.fromisoformat(days["day"]).year
        found = air.indicators(run.engine_and_settings()[0], year)
        run.context()["outlet_events"][AIR_CITY_DAY].extra = {"year": year, "day": days["day"]}
        return found

    waited = wait_for_files()
    staged = ingest()
    waited >> staged
    indicators(daily_values(load(merge(validate.expand(staged=station_groups(staged))))))


air_quality_nightly()


@dag(
    dag_id="air_deadline",
    description="11:00 check: yesterday's air indicators are in the warehouse, else the operators are told",
    schedule=CronTriggerTimetable("0 11 * * *", timezone="Asia/Shanghai"),
    start_date=pendulum.datetime(2019, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=1,
    default_args={**run.task_defaults(dt.timedelta(minutes=10)), "retries": 0},
    params={"day": None},
    tags=["qz811", "air"],
    doc_md="""The deadline of the nightly air job: at 11:00 Asia/Shanghai the previous natural day's city
AQI must be in the warehouse (HJ 633-2026 5.2.1: the daily report is published before 12:00 of the next
day). If it is not, the task fails and the failure notice reaches the operators (QZ811_OPERATORS through
``smtp_default``). A manual run takes ``{"day": "YYYY-MM-DD"}``.""",
)
def air_deadline():
    @task
    def air_day_is_in() -> dict:
        from pipeline.jobs.air import day_is_in
        from pipeline.runs import run_day

        day = run_day(run.context())
        cities = day_is_in(run.engine_and_settings()[0], day)
        if not cities:
            raise RuntimeError(f"超时 deadline missed: the air indicators of {day} are not in the warehouse by 11:00")
        return {"day": day.isoformat(), "city_days": cities}

    air_day_is_in()


air_deadline()
