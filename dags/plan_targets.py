"""The 811 scoreboard and its alerts, run whenever a domain DAG has updated the warehouse.

Scheduled on the Assets of the air, water and source DAGs, **any** of them (``|``): evaluate every plan
target for the year(s) of the data that changed (the events' ``extra["year"]``; a manual run takes
``{"year": 2019}`` as conf, else the year of yesterday), create the alerts its status changes call for,
and mail them through Airflow's SMTP connection ``smtp_default`` with the SMTP provider's hook (SSL,
STARTTLS, timeout and retries from the connection); without that connection they are written to the
outbox folder (QZ811_OUTBOX_DIR). Asset-triggered runs have no logical date: nothing here needs one.
From the 2nd of each month the ``month_report`` task mails the month before's report (月报) to the plan office,
once (:mod:`pipeline.plan.month_report`). If any alert could not be delivered the ``alerts`` task fails (and the operators are told); the alert
stays pending and goes out, once, on the next run. Idempotent: a second run for the same year changes
nothing and mails nothing.
"""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.sdk import Asset, dag, task

from pipeline import orchestration as run

AIR = Asset("qz811://warehouse/air_city_day")
WATER = Asset("qz811://warehouse/water")
SOURCES = Asset("qz811://warehouse/sources")


@dag(
    dag_id="plan_targets",
    description="811 plan scoreboard: every target's status, and alert emails on changes",
    schedule=AIR | WATER | SOURCES,
    start_date=pendulum.datetime(2019, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=1,
    default_args={**run.task_defaults(dt.timedelta(minutes=30)), "retries": 0},  # a later event retries
    on_failure_callback=run.notify_operators,
    params={"year": None},
    tags=["qz811", "targets"],
    doc_md=__doc__,
)
def plan_targets():
    @task
    def scoreboard() -> dict:
        from pipeline.plan import scoreboard as board
        from pipeline.runs import run_years

        engine, _ = run.engine_and_settings()
        years = run_years(run.context())
        counts = {}
        for year in years:
            counts[str(year)] = board.compute(engine, year)["status"].value_counts().to_dict()
        return {"years": years, "status": counts}

    @task
    def report(board: dict) -> dict:
        """The year's report, refreshed after the scoreboard, in QZ811_REPORT_DIR (the emails point to it)."""
        from pipeline.reports.html import report_path, write_report

        engine, settings = run.engine_and_settings()
        written = [
            str(write_report(engine, y, "衢州", report_path(settings.report_dir, y), docs_dir=settings.data_docs_dir))
            for y in board["years"]
        ]
        return {**board, "reports": written}

    # After the report (so the notices can point to it), but also when the report failed: a chart error or a
    # full disk must not keep the night's notices from going out.
    @task(trigger_rule="all_done")
    def alerts(board: dict) -> dict:
        from pipeline.plan import alerts as mail

        engine, settings = run.engine_and_settings()
        now = dt.datetime.now(dt.UTC)
        created = sum(len(mail.plan_alerts(engine, year, now)) for year in board["years"])
        transport, sender = run.smtp_transport()
        counts = mail.deliver(
            engine,
            transport,
            settings.outbox_dir,
            now,
            sender,
            report_dir=settings.report_dir,
            report_url=settings.report_url,
        )
        mail.raise_on_failures(counts)  # the task fails: the pending alerts go out on the next run
        return {"created": created, **counts}

    @task
    def month_report(written: dict) -> dict:
        """From the 2nd of a month, the month before's report (月报) to the plan office, once (report_mail)."""
        from pipeline.plan import month_report as monthly

        engine, settings = run.engine_and_settings()
        transport, sender = run.smtp_transport()
        counts = monthly.mail_month_report(engine, transport, settings.outbox_dir, dt.datetime.now(dt.UTC), sender,
                                           settings.report_dir, settings.report_url)  # fmt: skip
        if counts["pending"] or counts["refused"]:
            raise RuntimeError(f"month report {counts['period']} not delivered to every recipient: {counts}")
        return counts

    board = scoreboard()
    written = report(board)
    written >> alerts(board)
    month_report(written)


plan_targets()
