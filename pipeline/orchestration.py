"""What every DAG of ``dags/`` shares: settings and engine, the run's period, mail through Airflow's
SMTP connection, failure notices to the operators, and the defaults of every task.

Airflow is imported inside the functions only: this module is imported at DAG parse time and by tests
that do not start Airflow. Settings are read when a task runs (STYLE.md 4, 7), never at parse time.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import os
from contextlib import contextmanager

log = logging.getLogger(__name__)

SMTP_CONN_ID = "smtp_default"
OPERATORS_ENV = "QZ811_OPERATORS"
"""Comma-separated addresses of the operators who hear of failed tasks and missed deadlines."""


def engine_and_settings():
    """(engine, settings) from the environment of the running task."""
    from pipeline.config import Settings
    from pipeline.store.engine import make_engine

    settings = Settings.from_env()
    return make_engine(settings.db_url), settings


def context() -> dict:
    from airflow.sdk import get_current_context

    return get_current_context()


def station_groups() -> int:
    """QZ811_STATION_GROUPS: how many mapped validation tasks a batch fans out over (default 4)."""
    return int(os.environ.get("QZ811_STATION_GROUPS", "4"))


def smtp_transport():
    """(transport, sender) for :func:`pipeline.plan.alerts.deliver` through Airflow's ``smtp_default``
    connection and the SMTP provider's hook (SSL on connect unless ``disable_ssl``, STARTTLS unless
    ``disable_tls``, ``timeout`` and ``retry_limit`` from the connection's extras); (None, sender) when
    the connection is not defined, so the alerts go to the outbox."""
    from airflow.providers.smtp.hooks.smtp import SmtpHook
    from airflow.sdk import BaseHook

    try:
        conn = BaseHook.get_connection(SMTP_CONN_ID)
    except Exception:  # noqa: BLE001 - not defined: AirflowNotFoundException or the SDK's runtime error
        return None, "qz811@localhost"
    extras = conn.extra_dejson or {}
    sender = extras.get("from_email") or "qz811@localhost"

    @contextmanager
    def transport():
        try:
            hook = SmtpHook(smtp_conn_id=SMTP_CONN_ID).get_conn()
        except Exception as err:  # noqa: BLE001 - the hook raises AirflowException when it cannot connect
            raise ConnectionError(f"SMTP connection {SMTP_CONN_ID}: {err}") from err
        from pipeline.plan.alerts import phase_timeouts

        client = hook._smtp_client  # the hook's logged-in smtplib client
        # Commands wait the connection's timeout (30 s); only the message waits as long as RFC 5321 lets a
        # server take over the final "." (10 min; the connection's extra data_timeout).
        phase_timeouts(client, float(extras.get("timeout", 30)), float(extras.get("data_timeout", 600)))
        try:
            yield client
        finally:
            hook.__exit__(None, None, None)

    return transport, sender


def operators() -> list[str]:
    return [a.strip() for a in os.environ.get(OPERATORS_ENV, "").split(",") if a.strip()]


def notify_operators(context: dict) -> None:
    """``on_failure_callback`` of every task and DAG: a notice to :data:`OPERATORS_ENV` through
    ``smtp_default`` (Airflow's ``SmtpNotifier``). Logged, never raised: a notice must not fail a run."""
    to = operators()
    ti = context.get("task_instance") or context.get("ti")
    dag_run = context.get("dag_run")
    dag_id = getattr(dag_run, "dag_id", None) or getattr(ti, "dag_id", "?")
    task_id = getattr(ti, "task_id", None)
    run_id = getattr(dag_run, "run_id", None) or getattr(ti, "run_id", "?")
    what = f"任务 task {task_id}" if task_id else "运行 run"
    subject = f"【qz811 运行失败】{dag_id}：{what} 失败 failed（{run_id}）"
    error = context.get("exception") or context.get("reason") or ""
    body = (
        f"<p>{html.escape(subject)}</p><p>错误 Error: {html.escape(str(error))[:2000]}</p>"
        "<p>处理 What to do: README, “Operating it” → clear a failed night.</p>"
    )
    if not to:
        log.warning("%s (no %s set: nobody notified)", subject, OPERATORS_ENV)
        return
    try:
        from airflow.providers.smtp.notifications.smtp import SmtpNotifier

        _, sender = smtp_transport()  # the connection's from_email, else qz811@localhost
        SmtpNotifier(to=to, from_email=sender, subject=subject, html_content=body, smtp_conn_id=SMTP_CONN_ID).notify(
            context
        )
    except Exception:  # noqa: BLE001
        log.exception("could not notify the operators of: %s", subject)


def task_defaults(timeout: dt.timedelta = dt.timedelta(hours=1)) -> dict:
    """``default_args`` of every DAG: retries, a time limit per task, and the failure notice."""
    return {
        "retries": 2,
        "retry_delay": dt.timedelta(minutes=10),
        "execution_timeout": timeout,
        "on_failure_callback": notify_operators,
    }


def landing_ready(landing_dir, day: dt.date) -> bool:
    """True when the landing folder holds air files of ``day`` (the sensor before a night's ingest)."""
    from pipeline.jobs.air import landing_files

    return bool(landing_files(landing_dir, day))
