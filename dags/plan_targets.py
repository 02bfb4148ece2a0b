"""The 811 scoreboard and its alerts, run whenever a domain DAG has updated the warehouse.

Scheduled on the Assets of the air, water and source DAGs: evaluate every plan target for the year of
the data, create the alerts its status changes call for, and mail them through Airflow's SMTP
connection ``smtp_default`` (provider apache-airflow-providers-smtp); without that connection they are
written to the outbox folder (QZ811_OUTBOX_DIR). Pending alerts (server down) go out on a later run.
"""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.sdk import Asset, dag, get_current_context, task

DOMAINS = [
    Asset("qz811://warehouse/air_city_day"),
    Asset("qz811://warehouse/water"),
    Asset("qz811://warehouse/sources"),
]


def _year() -> int:
    from pipeline.nightly import day_for_run

    context = get_current_context()
    return int(context["params"].get("year") or day_for_run(context["logical_date"]).year)


def _smtp():
    """SMTP settings from the ``smtp_default`` connection; None when it is not defined."""
    from airflow.sdk import BaseHook
    from airflow.sdk.exceptions import AirflowRuntimeError

    from pipeline.alerts import SmtpSettings

    try:
        conn = BaseHook.get_connection("smtp_default")
    except (AirflowRuntimeError, KeyError, ValueError):
        return None
    extra = conn.extra_dejson or {}
    return SmtpSettings(
        host=conn.host, port=int(conn.port or 25), sender=extra.get("from_email", "qz811@localhost"),
        user=conn.login or None, password=conn.password or None, starttls=bool(extra.get("starttls", False)),
    )  # fmt: skip


@dag(
    dag_id="plan_targets",
    description="811 plan scoreboard: every target's status, and alert emails on changes",
    schedule=DOMAINS,
    start_date=pendulum.datetime(2019, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 2, "retry_delay": dt.timedelta(minutes=10)},
    params={"year": None},
    tags=["qz811", "targets"],
    doc_md=__doc__,
)
def plan_targets():
    @task
    def scoreboard() -> dict:
        from pipeline import scoreboard as board
        from pipeline.config import Settings
        from pipeline.db import make_engine

        year = _year()
        rows = board.compute(make_engine(Settings.from_env().db_url), year)
        return {"year": year, **rows["status"].value_counts().to_dict()}

    @task
    def alerts(board: dict) -> dict:
        from pipeline import alerts as mail
        from pipeline.config import Settings
        from pipeline.db import make_engine

        settings = Settings.from_env()
        engine = make_engine(settings.db_url)
        now = dt.datetime.now(dt.UTC)
        created = mail.plan_alerts(engine, board["year"], now)
        return {"created": len(created), **mail.deliver(engine, _smtp(), settings.outbox_dir, now)}

    alerts(scoreboard())


plan_targets()
