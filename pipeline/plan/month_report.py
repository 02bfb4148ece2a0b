"""The month report (月报) mailed to the plan office once the month is over (issue 25).

Every night the plan DAG rewrites the year's report and its month reports (:func:`pipeline.reports.html.write_report`).
From the second day of a month (the last day of the month before is then in: its 24:00 hour comes with the next
day's file), the previous month's report is mailed, once, to the recipients that ``config/alert_recipients.csv``
gives every target (its ``*`` lines: the plan office): a plain-text and HTML body with the report's opening
paragraph (总体情况) and its address, and the self-contained page attached, so that it can be forwarded as it is.

Each recipient's delivery is recorded in ``report_mail`` (the same rules as the alerts': ``sent``/``outbox`` is
never repeated, ``refused`` (a 5xx) is not retried, ``pending`` (a 4xx or no server) is retried on the next run
with the same Message-ID).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import re
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from pipeline.plan.alerts import (
    Transport,
    _joined,
    clean_header,
    read_recipients,
    recipients_for,
    send_or_keep,
)
from pipeline.reports.html import month_report_path
from pipeline.store.engine import sql
from pipeline.windows import TIMESTAMP_FORMAT

LOCAL = ZoneInfo("Asia/Shanghai")
FIRST_MAIL_DAY = 2
"""The day of the month from which the month before is mailed (its last day's 24:00 comes with day 1's file)."""
REPORT_KEY = "report.month"
"""Matched against ``config/alert_recipients.csv`` like a target id: only the ``*`` lines (the plan office) match."""


def month_due(today: dt.date) -> tuple[int, int] | None:
    """The (year, month) whose report is due on ``today`` (local date): the month before, from day
    :data:`FIRST_MAIL_DAY`; None on the first day."""
    if today.day < FIRST_MAIL_DAY:
        return None
    last = today.replace(day=1) - dt.timedelta(days=1)
    return last.year, last.month


def summary_of(page: str) -> str:
    """The month report's opening paragraph (总体情况) as plain text."""
    found = re.search(r'<p class="summary">(.*?)</p>', page, re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip() if found else ""


def build_month_message(page: str, name: str, year: int, month: int, city: str, recipients: list[str],
                        sender: str, now: dt.datetime, link: str | None) -> EmailMessage:  # fmt: skip
    """The mail of one month report: subject, summary, the report's address (when it has one) and the page."""
    subject = f"【环境空气质量月报】{city}{year}年{month}月 Air quality month report, {city} {year}-{month:02d}"
    summary = summary_of(page) or f"{city}{year}年{month}月环境空气质量月报。"
    lines = [summary, "", f"月报全文见附件 {name}（可直接转发）The full report is attached (forward it as it is)."]
    if link:
        lines.append(f"在线版 Online: {link}")
    lines += ["", "本邮件由 qz811 自动发送 Sent by qz811."]
    message = EmailMessage()
    message["Subject"] = clean_header(subject)
    message["From"] = clean_header(sender)
    message["To"] = ", ".join(clean_header(r) for r in recipients)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = (
        f"<month-report.{year:04d}-{month:02d}.{hashlib.sha256(city.encode()).hexdigest()[:12]}@qz811>"
    )
    message.set_content("\n".join(lines) + "\n")
    body = "".join(f"<p>{html.escape(line)}</p>" for line in lines if line)
    if link and link.startswith(("http://", "https://")):
        body += f'<p><a href="{html.escape(link)}">打开月报 Open the month report</a></p>'
    message.add_alternative(f"<html><body><h3>{html.escape(subject)}</h3>{body}</body></html>", subtype="html")
    message.add_attachment(page, subtype="html", filename=name)  # text/html; charset=utf-8
    return message


def mail_month_report(engine: Engine, transport: Transport | None, outbox: Path, now: dt.datetime, sender: str,
                      report_dir: Path, report_url: str = "", city: str = "衢州",
                      recipients_file: Path | None = None) -> dict:  # fmt: skip
    """Mail the month report due at ``now`` (:func:`month_due`) to the plan office, once per recipient, through
    ``transport`` (or to ``outbox`` as .eml when it is None). Returns ``period`` ('' when none is due, or the
    month has no report), ``recipients`` (0: no ``*`` line in the recipients file) and the counts of recipients
    ``sent``, ``outbox``, ``pending``, ``refused`` and ``already`` (done before, or refused for good)."""
    counts = {"period": "", "recipients": 0, "sent": 0, "outbox": 0, "pending": 0, "refused": 0, "already": 0}
    due = month_due(now.astimezone(LOCAL).date())
    if due is None:
        return counts
    year, month = due
    path = month_report_path(report_dir, year, month)
    if not path.is_file():  # no data that month: nothing to report
        return counts
    period = f"{year:04d}-{month:02d}"
    counts["period"] = period
    table = read_recipients() if recipients_file is None else read_recipients(recipients_file)
    recipients = recipients_for(REPORT_KEY, table)
    counts["recipients"] = len(recipients)
    with engine.connect() as conn:
        known = {r["recipient"]: r for r in conn.execute(
            sql("dml/report_mail/select_report_mail"), {"report": "month", "period": period, "city": city}).mappings()}  # fmt: skip
    counts["already"] = sum(1 for r in recipients if known.get(r, {}).get("state") in ("sent", "outbox", "refused"))
    todo = [r for r in recipients if known.get(r, {}).get("state", "pending") == "pending"]
    if not todo:
        return counts
    page = path.read_text(encoding="utf-8")
    link = _joined(report_url, path.name) if report_url else None
    message = build_month_message(page, path.name, year, month, city, todo, sender, now, link)
    outcome, _ = send_or_keep(message, todo, transport, outbox, f"{period}_month_report.eml")
    stamp = now.strftime(TIMESTAMP_FORMAT)
    with engine.begin() as conn:
        for recipient, (state, reply) in outcome.items():
            conn.execute(sql("dml/report_mail/upsert_report_mail"), {
                "report": "month", "period": period, "city": city, "recipient": recipient, "state": state,
                "reply": reply[:1000], "message_id": message["Message-ID"],
                "attempts": int(known.get(recipient, {}).get("attempts", 0)) + 1, "updated_at": stamp,
            })  # fmt: skip
            counts[state] += 1
    return counts
