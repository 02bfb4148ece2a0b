"""Alert emails: who is told what, when a plan target is missed, at risk, or recovers.

An alert is created when a target's status becomes ``missed`` or ``at_risk`` (different from the last
alert sent for it), and once more when it recovers to ``met`` — not every night. Its id comes from
the target, the period and the status, so re-running a night never creates it twice. Delivery is a
separate step: pending alerts are mailed (or written to an outbox folder when no SMTP server is set);
if the server is down they stay pending, with the error, and go out on a later run, once.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import html
import io
import os
import smtplib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pandas as pd
from sqlalchemy.engine import Engine

from pipeline.config import REPO_ROOT
from pipeline.db import sql
from pipeline.load import TIMESTAMP_FORMAT

RECIPIENTS = REPO_ROOT / "config" / "alert_recipients.csv"
ALERTING = ("missed", "at_risk")
STATUS_ZH = {"missed": "未达标", "at_risk": "有未达标风险", "met": "已恢复达标"}


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 25
    sender: str = "qz811@localhost"
    user: str | None = None
    password: str | None = None
    starttls: bool = False
    ssl: bool = False
    timeout: float = 60.0

    @classmethod
    def from_env(cls, env=None) -> SmtpSettings | None:
        """QZ811_SMTP_HOST (unset: no server, alerts go to the outbox), _PORT (default 25; 465 means
        SSL), _FROM, _USER, _PASSWORD, _STARTTLS (true/false), _SSL (true/false; default: port 465),
        _TIMEOUT (seconds, default 60)."""
        env = os.environ if env is None else env
        if not env.get("QZ811_SMTP_HOST"):
            return None
        port = int(env.get("QZ811_SMTP_PORT", "25"))
        return cls(
            host=env["QZ811_SMTP_HOST"], port=port,
            sender=env.get("QZ811_SMTP_FROM", "qz811@localhost"), user=env.get("QZ811_SMTP_USER") or None,
            password=env.get("QZ811_SMTP_PASSWORD") or None, starttls=env.get("QZ811_SMTP_STARTTLS", "") == "true",
            ssl=env.get("QZ811_SMTP_SSL", "true" if port == 465 else "false") == "true",
            timeout=float(env.get("QZ811_SMTP_TIMEOUT", "60")),
        )  # fmt: skip

    @contextmanager
    def client(self) -> Iterator[smtplib.SMTP]:
        """A logged-in SMTP client (SSL on connect, or STARTTLS), closed on exit: a transport for
        :func:`deliver`."""
        factory = smtplib.SMTP_SSL if self.ssl else smtplib.SMTP
        with factory(self.host, self.port, timeout=self.timeout) as client:
            if self.starttls and not self.ssl:
                client.starttls()
            if self.user:
                client.login(self.user, self.password or "")
            yield client


class DeliveryError(RuntimeError):
    """Some alerts could not be delivered (they stay pending, or a recipient was refused)."""


def read_recipients(path: Path = RECIPIENTS) -> list[tuple[str, list[str]]]:
    text = Path(path).read_text(encoding="utf-8")
    rows = csv.DictReader(line for line in io.StringIO(text) if not line.startswith("#"))
    return [(r["match"].strip(), [a.strip() for a in r["recipients"].split(";") if a.strip()]) for r in rows]


def recipients_for(target_id: str, table: list[tuple[str, list[str]]]) -> list[str]:
    found: list[str] = []
    for match, addresses in table:
        if match == "*" or target_id.startswith(match):
            found += [a for a in addresses if a not in found]
    return found


def alert_id(target_id: str, period: str, status: str) -> str:
    return hashlib.sha256(f"{target_id}|{period}|{status}".encode()).hexdigest()[:24]


def plan_alerts(engine: Engine, year: int, now: dt.datetime, table=None, record: bool = True) -> list[dict]:
    """Create the alerts that the year's scoreboard calls for (see module docstring). Returns them;
    with ``record=False`` (a dry run) returns what would be created and writes nothing."""
    table = table if table is not None else read_recipients()
    with engine.connect() as conn:
        board = pd.DataFrame(conn.execute(sql("dml/select_scoreboard"), {"year": year}).mappings().all())
    created = []
    with engine.begin() as conn:
        for row in board.to_dict("records"):
            last = conn.execute(sql("dml/select_alerts_of_target"), {"target_id": row["target_id"]}).mappings().first()
            previous = last["status"] if last else None
            status = row["status"]
            if not ((status in ALERTING and previous != status) or (status == "met" and previous in ALERTING)):
                continue
            new = {
                "alert_id": alert_id(row["target_id"], str(year), status),
                "target_id": row["target_id"],
                "period": str(year),
                "status": status,
                "recipients": ";".join(recipients_for(row["target_id"], table)),
                "subject": f"【811规划预警】{row['indicator_zh']}:{STATUS_ZH[status]}({year}年)",
                "created_at": now.strftime(TIMESTAMP_FORMAT),
            }
            if conn.execute(sql("dml/select_alert_id"), {"alert_id": new["alert_id"]}).first():
                continue
            if record:
                conn.execute(sql("dml/insert_alert"), new)
            created.append(new)
    return created


def _chart_png(history: pd.DataFrame, goal: float | None, title: str) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    figure, axes = plt.subplots(figsize=(5, 2.6), dpi=100)
    axes.plot(history["year"], history["value"], marker="o", color="#1f77b4", label="value")
    if goal is not None and not pd.isna(goal):
        axes.axhline(goal, color="#d62728", linestyle="--", label=f"target {goal:g}")
    axes.set_title(title, fontsize=9)
    axes.set_xticks(list(history["year"]))
    axes.legend(fontsize=8)
    axes.grid(alpha=0.3)
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return buffer.getvalue()


def build_message(
    alert: dict,
    target: dict,
    history: pd.DataFrame,
    sender: str,
    health: list[str] | None = None,
    now: dt.datetime | None = None,
) -> EmailMessage:
    """The email of one alert: Chinese subject, plain-text and HTML parts, the trend as an inline PNG.

    health: for air targets, the health information of the period's polluted days (HJ 633 tables)."""
    row = history[history["year"] == int(alert["period"])]
    value = row["value"].iloc[0] if len(row) else None
    goal = row["goal"].iloc[0] if len(row) else target["value"]
    shown = "—" if value is None or pd.isna(value) else f"{value:.4g}"
    unit = "%" if target["kind"] == "relative_change" else target["unit"]
    source = target["source_indicator"] if isinstance(target.get("source_indicator"), str) else ""
    goal_text = "—" if goal is None or pd.isna(goal) else f"{goal:.4g}"
    lines = [
        f"{target['indicator_zh']} / {target['indicator_en']}",
        f"状态 Status: {STATUS_ZH[alert['status']]} ({alert['status']}), {alert['period']}",
        f"数值 Value: {shown} {unit}; 目标 Target: {target['comparator']} {goal_text} {unit} (deadline {target['deadline']})",
        f"规划原文 Plan: {target['plan_text']} (section {target['section']})",
        f"数据依据 Data: {target['measured_by']} {source}".rstrip(),
    ]
    edition = row["edition"].iloc[0] if len(row) and "edition" in row else ""
    if isinstance(edition, str) and edition:
        lines.append(f"标准 Standards: {edition}")
    if health:
        lines.append(f"污染天 Polluted days (AQI > 100): {len(health)}")
        lines += [line.strip() for line in health]
    message = EmailMessage()
    message["Subject"] = alert["subject"]
    message["From"] = sender
    message["To"] = ", ".join(alert["recipients"].split(";"))
    message["Date"] = format_datetime(now or dt.datetime.now(dt.UTC))
    # One Message-ID per alert, the same on every attempt, so receivers can drop a duplicate delivery.
    message["Message-ID"] = f"<{alert['alert_id']}@qz811>"
    message.set_content("\n".join(lines) + "\n")
    chart_id = f"<chart.{alert['alert_id']}@qz811>"
    body = "".join(f"<p>{html.escape(line)}</p>" for line in lines)
    message.add_alternative(
        f"<html><body><h3>{html.escape(alert['subject'])}</h3>{body}"
        f'<p><img src="cid:{chart_id[1:-1]}" alt="trend"></p></body></html>',
        subtype="html",
    )
    png = _chart_png(history, goal, f"{target['id']} ({unit})")
    message.get_payload()[1].add_related(png, maintype="image", subtype="png", cid=chart_id)
    return message


def polluted_day_health(engine: Engine, year: int, city: str = "衢州") -> list[str]:
    """One line per polluted city-day (AQI level >= 3) of ``year``: its health information."""
    from pipeline.summary import air_city_days, health_lines

    days = air_city_days(engine, city, f"{year}-01-01", f"{year}-12-31")
    if days.empty:
        return []
    return health_lines(days[pd.to_numeric(days["level"], errors="coerce") >= 3])


Transport = Callable[[], AbstractContextManager]
"""Opens an SMTP client (an object with ``send_message``) as a context manager: :meth:`SmtpSettings.client`
for the CLI, Airflow's ``SmtpHook`` for the DAG (``dags/_common.py``)."""


def deliver(
    engine: Engine, transport: Transport | None, outbox: Path, now: dt.datetime, sender: str = "qz811@localhost"
) -> dict:
    """Mail every pending alert through ``transport`` (or write it to ``outbox`` as .eml when it is None).

    An alert whose mail the server took is ``sent`` (``last_error`` names any recipient it refused); one
    that failed stays ``pending`` with the error, and goes out on a later run. Returns the counts
    ``sent``, ``outbox``, ``failed`` (still pending) and ``refused`` (sent, but some recipient refused).
    """
    from pipeline.scoreboard import history

    with engine.connect() as conn:
        pending = pd.DataFrame(conn.execute(sql("dml/select_pending_alerts")).mappings().all())
        targets = pd.DataFrame(conn.execute(sql("dml/select_plan_targets")).mappings().all())
    counts = {"sent": 0, "outbox": 0, "failed": 0, "refused": 0}
    if pending.empty:
        return counts
    targets = targets.set_index("id")
    for alert in pending.to_dict("records"):
        target = {"id": alert["target_id"], **targets.loc[alert["target_id"]].to_dict()}
        health = polluted_day_health(engine, int(alert["period"])) if alert["target_id"].startswith("air.") else None
        message = build_message(alert, target, history(engine, alert["target_id"]), sender, health, now)
        update = {"alert_id": alert["alert_id"], "sent_at": now.strftime(TIMESTAMP_FORMAT), "last_error": ""}
        try:
            if transport is None:
                outbox.mkdir(parents=True, exist_ok=True)
                (outbox / f"{alert['period']}_{alert['target_id']}_{alert['status']}.eml").write_bytes(
                    message.as_bytes()
                )
                update["delivery_state"] = "outbox"
            else:
                with transport() as client:
                    refused = client.send_message(message)
                update["delivery_state"] = "sent"
                if refused:
                    update["last_error"] = "refused: " + "; ".join(f"{a} {c} {m!r}" for a, (c, m) in refused.items())
                    counts["refused"] += 1
        except (OSError, smtplib.SMTPException, RuntimeError) as err:  # RuntimeError: Airflow's hook errors
            update.update(delivery_state="pending", sent_at=None, last_error=f"{type(err).__name__}: {err}")
        with engine.begin() as conn:
            conn.execute(sql("dml/update_alert_delivery"), update)
        key = {"sent": "sent", "outbox": "outbox", "pending": "failed"}[update["delivery_state"]]
        counts[key] += 1
    return counts


def raise_on_failures(counts: dict) -> None:
    """Raise :class:`DeliveryError` when ``counts`` (of :func:`deliver`) has undelivered alerts."""
    if counts.get("failed") or counts.get("refused"):
        raise DeliveryError(
            f"{counts.get('failed', 0)} alert(s) not delivered (pending, retried on the next run), "
            f"{counts.get('refused', 0)} with refused recipients: see the alert table's last_error"
        )
