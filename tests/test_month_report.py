"""The month report (月报) mailed to the plan office once the month is over (pipeline/plan/month_report.py), on a
real SMTP server: due from the 2nd of the next month, sent once per recipient, the page attached as it is, a
temporary refusal retried with the same Message-ID, nothing when the month has no report."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from pipeline.plan import month_report
from pipeline.plan.alerts import SmtpSettings
from tests.conftest import SAMPLE_DATA
from tests.test_alerts import Inbox, RefusingInbox, Server, free_port

AUGUST_2 = dt.datetime(2019, 8, 2, 1, 0, tzinfo=dt.UTC)  # 09:00 in Quzhou, 2019-08-02


@pytest.fixture
def july(warehouse, tmp_path):
    """Two real July days of the sample and the year's report with its month report of July."""
    from pipeline.jobs.air import run_day
    from pipeline.reports.html import report_path, write_report

    for day in (dt.date(2019, 7, 1), dt.date(2019, 7, 2)):
        run_day(warehouse, SAMPLE_DATA / "air", day, tmp_path / "staging")
    write_report(warehouse, 2019, "衢州", report_path(tmp_path / "reports", 2019))
    assert (tmp_path / "reports" / "report-2019-07.html").is_file()
    return warehouse, tmp_path / "reports"


def serve(inbox):
    server = Server(inbox, free_port())
    server.start()
    return server, SmtpSettings(host="127.0.0.1", port=server.port, sender="qz811@test.local")


def test_the_month_before_is_due_from_the_second_day():
    assert month_report.month_due(dt.date(2019, 8, 1)) is None
    assert month_report.month_due(dt.date(2019, 8, 2)) == (2019, 7)
    assert month_report.month_due(dt.date(2020, 1, 5)) == (2019, 12)


def test_the_month_report_is_mailed_once_to_the_plan_office_with_the_page_attached(july, tmp_path):
    engine, reports = july
    inbox = Inbox()
    server, smtp = serve(inbox)
    try:
        first = month_report.mail_month_report(engine, smtp.client, tmp_path / "outbox", AUGUST_2, smtp.sender, reports,
                                               "https://hb.example.gov.cn/qz811")  # fmt: skip
        again = month_report.mail_month_report(engine, smtp.client, tmp_path / "outbox", AUGUST_2 + dt.timedelta(days=1),
                                               smtp.sender, reports, "https://hb.example.gov.cn/qz811")  # fmt: skip
    finally:
        server.stop()
    assert first["period"] == "2019-07" and first["sent"] == first["recipients"] == 1
    assert again["sent"] == 0 and again["already"] == 1
    (message,) = inbox.messages
    (envelope,) = inbox.envelopes
    assert envelope.rcpt_tos == ["811-office@example.gov.cn"]  # the '*' line of config/alert_recipients.csv
    assert "环境空气质量月报" in message["Subject"] and "2019年7月" in message["Subject"]
    text = message.get_body(("plain",)).get_content()
    assert text.startswith("2019年7月，衢州环境空气质量优良天数比例为") and "nan" not in text
    assert "https://hb.example.gov.cn/qz811/report-2019-07.html" in text
    (attached,) = list(message.iter_attachments())
    assert attached.get_filename() == "report-2019-07.html"
    assert attached.get_content().replace("\r\n", "\n") == (reports / "report-2019-07.html").read_text(encoding="utf-8")
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT period, recipient, state, attempts FROM report_mail")).all()
    assert [tuple(r) for r in rows] == [("2019-07", "811-office@example.gov.cn", "sent", 1)]


def test_a_temporary_refusal_is_retried_with_the_same_message_id(july, tmp_path):
    engine, reports = july
    inbox = RefusingInbox()
    server, smtp = serve(inbox)
    try:
        refused = month_report.mail_month_report(engine, smtp.client, tmp_path / "o", AUGUST_2, smtp.sender, reports)
        inbox.refusing = False
        later = month_report.mail_month_report(engine, smtp.client, tmp_path / "o", AUGUST_2 + dt.timedelta(hours=2),
                                               smtp.sender, reports)  # fmt: skip
    finally:
        server.stop()
    assert refused["pending"] == 1 and later["sent"] == 1
    (message,) = inbox.messages
    with engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT message_id, attempts, state FROM report_mail")).one()
    assert stored == (message["Message-ID"], 2, "sent")


def test_no_report_no_mail(july, tmp_path):
    engine, reports = july
    counts = month_report.mail_month_report(engine, None, tmp_path / "outbox", dt.datetime(2019, 10, 3, tzinfo=dt.UTC),
                                            "qz811@test.local", reports)  # fmt: skip
    assert counts["period"] == "" and not (tmp_path / "outbox").exists()  # September has no data: no report
