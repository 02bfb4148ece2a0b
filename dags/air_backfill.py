"""A range of air days in bulk (history, a year re-delivered): one task that runs
:func:`pipeline.jobs.air.backfill`, the job ``python -m pipeline backfill`` runs.

Triggered by hand with ``{"first": "YYYY-MM-DD", "last": "YYYY-MM-DD"}`` (and optionally ``"known_gaps": [...]``,
days missing in the source). It is resumable: a failed or killed run, retried, skips the days already loaded
from the same files. A day without a file of its own or with an unreadable file does not stop the others; the
task fails at the end naming them (except known gaps), so the operators are told. The nightly DAG's
``airflow backfill create`` still works for a few days; for months or years this is 10-20 times faster.
Updates the Asset ``qz811://warehouse/air_city_day`` once per year touched, for ``plan_targets``.
"""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.sdk import Asset, dag, task

from pipeline import orchestration as run

AIR_CITY_DAY = Asset("qz811://warehouse/air_city_day")


@dag(
    dag_id="air_backfill",
    description="A range of air days in bulk -> station/city AQI -> 811 plan air indicators",
    schedule=None,
    start_date=pendulum.datetime(2019, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=1,
    default_args=run.task_defaults(dt.timedelta(hours=2)),
    on_failure_callback=run.notify_operators,
    params={"first": None, "last": None, "known_gaps": []},
    tags=["qz811", "air"],
    doc_md=__doc__,
)
def air_backfill():
    @task(outlets=[AIR_CITY_DAY])
    def backfill() -> dict:
        from pipeline.jobs import air
        from pipeline.runs import backfill_range

        first, last, gaps = backfill_range(run.context())
        engine, settings = run.engine_and_settings()
        kept = air.hourly_stations(engine, settings.hourly_scope)
        outcomes = air.backfill(engine, settings.landing_dir, first, last, kept=kept, docs_dir=settings.data_docs_dir)
        run.context()["outlet_events"][AIR_CITY_DAY].extra = {"year": last.year, "day": last.isoformat()}
        problems = [f"{o.day} {o.status}: {o.note}" for o in outcomes if o.problem and o.day not in gaps]
        if problems:
            raise RuntimeError(f"backfill {first} … {last}: {len(problems)} day(s) not loaded: " + "; ".join(problems))
        return {"first": first.isoformat(), "last": last.isoformat(),
                "loaded": sum(o.status == "loaded" for o in outcomes),
                "skipped": sum(o.status == "skipped" for o in outcomes)}  # fmt: skip

    backfill()


air_backfill()
