"""Surface-water jobs: automatic stations daily, manual lab samples monthly.

``water_auto_daily`` (02:00 Asia/Shanghai, the previous day) and ``water_manual_monthly`` (03:00 on
the 1st, the month that has just ended) run the same thin stages of ``pipeline.jobs.water``:
ingest -> section_groups -> validate (mapped) -> merge -> load -> classes (-> indicators, monthly).
Validation fans out over ``QZ811_STATION_GROUPS`` groups of sections (default 4) with dynamic task
mapping, for Celery or Kubernetes workers to share; the period is loaded in one transaction. Settings
come from the environment (QZ811_DB_URL, QZ811_WATER_LANDING_DIR, QZ811_STAGING_DIR,
QZ811_STATION_GROUPS) when a task runs. A manual run takes ``{"day": "YYYY-MM-DD"}`` (auto) or
``{"month": "YYYY-MM"}`` (manual) as conf. Both update the Asset ``qz811://warehouse/water`` with
``extra={"year": ...}`` for ``plan_targets``; a failed task mails the operators.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Asset, dag, task
from airflow.timetables.trigger import CronTriggerTimetable

from pipeline import orchestration as run

WATER = Asset("qz811://warehouse/water")


def _window(kind: str):
    """The run's day (auto) or month (manual): conf ``day``/``month``, else the period before its date."""
    from pipeline.runs import run_day, run_month
    from pipeline.windows import day_window, month_window

    if kind == "auto":
        return day_window(run_day(run.context()))
    return month_window(*run_month(run.context()))


def _announce(year: int) -> None:
    """The Asset event's extra: the year ``plan_targets`` evaluates."""
    run.context()["outlet_events"][WATER].extra = {"year": year}


def water_dag(kind: str):
    @task
    def ingest() -> dict:
        from pipeline.jobs import water

        _, settings = run.engine_and_settings()
        return water.ingest(settings.water_landing_dir, kind, _window(kind), settings.staging_dir)

    @task
    def section_groups(staged: dict) -> list[dict]:
        from pipeline.jobs import water

        return water.section_groups(staged, run.station_groups())

    @task
    def validate(staged: dict) -> dict:
        from pipeline.jobs import water

        return water.validate(run.engine_and_settings()[0], staged)

    @task
    def merge(validated) -> dict:
        from pipeline import fanout

        return fanout.join(list(validated))

    @task
    def load(validated: dict) -> dict:
        from pipeline.jobs import water

        engine, settings = run.engine_and_settings()
        return water.load(engine, validated, keep_staging=settings.keep_staging, docs_dir=settings.data_docs_dir)

    @task(outlets=[WATER] if kind == "auto" else [])
    def classes(loaded: dict) -> dict:
        from pipeline.jobs import water

        window = water.window_of(loaded)
        found = water.classes(run.engine_and_settings()[0], kind, window)
        if kind == "auto":
            _announce(window.first.year)
        return found

    done = classes(load(merge(validate.expand(staged=section_groups(ingest())))))
    if kind == "manual":

        @task(outlets=[WATER])
        def indicators(found: dict) -> dict:
            from pipeline.jobs import water

            year = int(found["period"][:4])
            result = water.indicators(run.engine_and_settings()[0], year)
            _announce(year)
            return result

        indicators(done)


@dag(
    dag_id="water_auto_daily",
    description="Automatic water stations: the previous day's readings -> daily section classes",
    schedule=CronTriggerTimetable("0 2 * * *", timezone="Asia/Shanghai"),
    start_date=pendulum.datetime(2019, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=2,
    default_args=run.task_defaults(),
    on_failure_callback=run.notify_operators,
    params={"day": None},
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
    max_active_runs=2,
    default_args=run.task_defaults(),
    on_failure_callback=run.notify_operators,
    params={"month": None},
    tags=["qz811", "water"],
    doc_md=__doc__,
)
def water_manual_monthly():
    water_dag("manual")


water_auto_daily()
water_manual_monthly()
