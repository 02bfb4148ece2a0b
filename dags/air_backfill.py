"""A range of air days in bulk (history, a year re-delivered): the job ``python -m pipeline backfill`` runs
(:func:`pipeline.jobs.air.backfill`), its groups of days fanned out as mapped ``load`` tasks
(:func:`pipeline.jobs.air.load_group`), so that a Celery deployment spreads them over its workers.

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
    @task
    def plan() -> list[dict]:
        """The range's days in groups (about ten national days, or a month of Zhejiang's, each): one mapped
        ``load`` task per group, which a Celery deployment fans out over its workers."""
        from pipeline.jobs import air
        from pipeline.runs import backfill_range

        first, last, _ = backfill_range(run.context())
        engine, settings = run.engine_and_settings()
        return [air.group_to_json(g) for g in air.plan_backfill(engine, settings.landing_dir, first, last)]

    @task(map_index_template="{{ group_days }}")
    def load(group: dict) -> list[dict]:
        """One group read, validated and written (each part in one transaction): its days' outcomes."""
        from pipeline.jobs import air

        days = [d for d, _ in group["load"]] or [o["day"] for o in group["outcomes"]]
        run.context()["group_days"] = f"{days[0]} … {days[-1]}" if days else ""
        engine, settings = run.engine_and_settings()
        kept = air.hourly_stations(engine, settings.hourly_scope)
        outcomes = air.load_group(engine, air.group_from_json(group), kept=kept, docs_dir=settings.data_docs_dir)
        return [air.outcome_to_json(o) for o in outcomes]

    @task(outlets=[AIR_CITY_DAY])
    def indicators(loaded: list[list[dict]]) -> dict:
        """The indicators of the years loaded, once; then the task fails naming the days not loaded (but known
        gaps), so the operators are told."""
        from pipeline.jobs import air
        from pipeline.runs import backfill_range

        first, last, gaps = backfill_range(run.context())
        outcomes = [air.outcome_from_json(o) for group in loaded for o in group]
        engine, _ = run.engine_and_settings()
        for year in sorted({o.day.year for o in outcomes if o.status == "loaded"}):
            air.indicators(engine, year)
        run.context()["outlet_events"][AIR_CITY_DAY].extra = {"year": last.year, "day": last.isoformat()}
        problems = [f"{o.day} {o.status}: {o.note}" for o in outcomes if o.problem and o.day not in gaps]
        if problems:
            raise RuntimeError(f"backfill {first} … {last}: {len(problems)} day(s) not loaded: " + "; ".join(problems))
        return {"first": first.isoformat(), "last": last.isoformat(),
                "loaded": sum(o.status == "loaded" for o in outcomes),
                "skipped": sum(o.status == "skipped" for o in outcomes)}  # fmt: skip

    indicators(load.expand(group=plan()))


air_backfill()
