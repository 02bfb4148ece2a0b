"""Alert emails against a real SMTP server on loopback (aiosmtpd): one email per status change, none on
a second run, and an alert kept while the server is down and sent once when it is back."""

from __future__ import annotations

import datetime as dt
import email
import socket
from email import policy

import pandas as pd
import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from pipeline.plan import alerts, scoreboard

NOW = dt.datetime(2020, 1, 2, 1, 0, tzinfo=dt.UTC)


class Inbox:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A real SMTP server on loopback that can go down and come back on the same port."""

    def __init__(self, inbox: Inbox, port: int):
        self.inbox, self.port, self.controller = inbox, port, None

    def start(self):
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp():
    inbox = Inbox()
    server = Server(inbox, free_port())
    server.start()
    yield inbox, alerts.SmtpSettings(host="127.0.0.1", port=server.port, sender="qz811@test.local"), server
    server.stop()


def missed_targets(engine) -> set[str]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT target_id FROM scoreboard WHERE year = 2019 AND status IN ('missed', 'at_risk')")
        )
        return {r[0] for r in rows}


def qiantang_message(inbox: Inbox):
    return next(m for m in inbox.messages if "钱塘江" in m["Subject"] and "达标率" in m["Subject"])


def test_a_missed_target_sends_one_email_with_its_content_and_none_the_next_night(year_2019, smtp, tmp_path):
    inbox, settings, _ = smtp
    expected = missed_targets(year_2019)
    assert "water.qiantang_compliance" in expected
    created = alerts.plan_alerts(year_2019, 2019, NOW)
    counts = alerts.deliver(year_2019, settings.client, tmp_path / "outbox", NOW)
    assert counts["sent"] == len(created) == len(expected) == len(inbox.messages)
    message = qiantang_message(inbox)
    # July alone is not the year (a year needs all 12 months of every section): a 预警 on 1-7月累计, not a 通报.
    assert message["Subject"] == "【811规划预警】钱塘江流域(衢州段)主干流水质达标率：有未达标风险（2019年1–7月累计）"
    envelope = inbox.envelopes[inbox.messages.index(message)]
    assert set(envelope.rcpt_tos) == {"811-office@example.gov.cn", "water-team@example.gov.cn"}
    text = message.get_body(("plain",)).get_content()
    # A notice: what was missed and by how much, the section and item behind it, the lead department and
    # what is asked of it; no internal id.
    assert "2019年1–7月累计 83.3 %，目标 >= 90 %（2015年）；有未达标风险，低于目标 6.7 个百分点" in text
    assert "全年数据不完整，不作全年达标判定" in text and "断面·月 6/72" in text and "2019-07-01至2019-07-31" in text
    assert "衢江樟树潭（衢江，衢江区）：IV类，目标III类；超标项目 氨氮" in text
    assert "牵头部门 Lead department：市生态环境局。请分析与目标的差距" in text
    assert "同比 Year on year：2018年同期（1–7月累计）无数据" in text and "趋势 Trend" in text
    assert "water.qiantang_compliance" not in text and "computed" not in text.split("Data")[0]
    html = message.get_body(("html",)).get_content()
    assert 'src="cid:' in html
    images = [part for part in message.walk() if part.get_content_type() == "image/png"]
    assert len(images) == 1 and images[0].get_payload(decode=True).startswith(b"\x89PNG")
    # The next night: same statuses, no new alert, no email.
    scoreboard.compute(year_2019, 2019)
    assert alerts.plan_alerts(year_2019, 2019, NOW + dt.timedelta(days=1)) == []
    assert alerts.deliver(year_2019, settings.client, tmp_path / "outbox", NOW)["sent"] == 0
    assert len(inbox.messages) == len(expected)


def test_server_down_keeps_the_alert_and_sends_it_once_when_back(year_2019, smtp, tmp_path):
    inbox, settings, controller = smtp
    controller.stop()
    created = alerts.plan_alerts(year_2019, 2019, NOW)
    counts = alerts.deliver(year_2019, settings.client, tmp_path / "outbox", NOW)
    assert counts["failed"] == len(created) > 0 and inbox.messages == []
    with year_2019.connect() as conn:
        state = pd.read_sql(sa.text("SELECT delivery_state, attempts, last_error FROM alert"), conn)
    assert set(state["delivery_state"]) == {"pending"} and (state["attempts"] == 1).all()
    assert state["last_error"].str.contains("Connection").all()
    controller.start()
    assert alerts.deliver(year_2019, settings.client, tmp_path / "outbox", NOW)["sent"] == len(created)
    assert alerts.deliver(year_2019, settings.client, tmp_path / "outbox", NOW)["sent"] == 0  # exactly once
    assert len(inbox.messages) == len(created)


def test_recovery_sends_one_more_email(year_2019, smtp, tmp_path):
    inbox, settings, _ = smtp
    alerts.plan_alerts(year_2019, 2019, NOW)
    alerts.deliver(year_2019, settings.client, tmp_path / "outbox", NOW)
    before = len(inbox.messages)
    with year_2019.begin() as conn:  # the corrected figure of a complete year: the main stream meets its target
        conn.execute(sa.text(
            "UPDATE indicator SET value = 100, status = 'met', coverage = 'complete', data_complete = TRUE, outlook = ''"
            " WHERE indicator = 'water.qiantang_compliance'"))  # fmt: skip
    scoreboard.compute(year_2019, 2019)
    created = alerts.plan_alerts(year_2019, 2019, NOW + dt.timedelta(days=1))
    assert [a["status"] for a in created if a["target_id"].startswith("water.qiantang")] == ["met"]
    alerts.deliver(year_2019, settings.client, tmp_path / "outbox", NOW)
    assert len(inbox.messages) == before + len(created)
    assert "已恢复达标" in inbox.messages[-1]["Subject"]


def test_without_smtp_the_emails_go_to_the_outbox(year_2019, tmp_path):
    created = alerts.plan_alerts(year_2019, 2019, NOW)
    counts = alerts.deliver(year_2019, None, tmp_path / "outbox", NOW)
    files = sorted((tmp_path / "outbox").glob("*.eml"))
    assert counts["outbox"] == len(created) == len(files) > 0
    parsed = email.message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert parsed["Subject"].startswith("【811规划预警】") and "1–7月累计" in parsed["Subject"]


def test_recipients_by_prefix():
    table = alerts.read_recipients()
    assert alerts.recipients_for("air.good_day_ratio", table) == [
        "811-office@example.gov.cn",
        "air-team@example.gov.cn",
    ]


def test_dry_run_lists_the_alerts_and_records_nothing(year_2019):
    would = alerts.plan_alerts(year_2019, 2019, NOW, record=False)
    assert any(a["target_id"] == "water.qiantang_compliance" for a in would)
    with year_2019.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM alert")).scalar_one() == 0
    assert len(alerts.plan_alerts(year_2019, 2019, NOW)) == len(would)


class RefusingInbox(Inbox):
    """A server that answers every message with a temporary failure until told to accept."""

    def __init__(self):
        super().__init__()
        self.refusing = True

    async def handle_DATA(self, server, session, envelope):
        if self.refusing:
            return "451 4.3.0 mailbox temporarily unavailable"
        return await super().handle_DATA(server, session, envelope)


def test_every_email_has_date_and_a_stable_message_id(year_2019, smtp, tmp_path):
    inbox, settings, _ = smtp
    created = alerts.plan_alerts(year_2019, 2019, NOW)
    alerts.deliver(year_2019, settings.client, tmp_path / "outbox", NOW)
    assert len(inbox.messages) == len(created) > 0
    for message, alert in zip(
        inbox.messages, sorted(created, key=lambda a: (a["created_at"], a["alert_id"])), strict=True
    ):
        assert message["Date"] == "Thu, 02 Jan 2020 01:00:00 +0000"
        assert message["Message-ID"] == f"<{alert['alert_id']}@qz811>"


def test_cli_alerts_fails_while_the_server_refuses_and_delivers_once_later(year_2019, tmp_path, monkeypatch, capsys):
    from pipeline.cli import main

    inbox = RefusingInbox()
    server = Server(inbox, free_port())
    server.start()
    try:
        monkeypatch.setenv("QZ811_DB_URL", year_2019.url.render_as_string(hide_password=False))
        monkeypatch.setenv("QZ811_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("QZ811_SMTP_PORT", str(server.port))
        monkeypatch.setenv("QZ811_OUTBOX_DIR", str(tmp_path / "outbox"))
        assert main(["alerts", "--year", "2019"]) == 1
        err = capsys.readouterr().err
        assert "not delivered (pending, retried on the next run)" in err and inbox.messages == []
        with year_2019.connect() as conn:
            pending = conn.execute(sa.text("SELECT COUNT(*) FROM alert WHERE delivery_state = 'pending'")).scalar_one()
            errors = conn.execute(sa.text("SELECT last_error FROM alert")).scalars().all()
        assert pending > 0 and all("451" in e for e in errors)
        inbox.refusing = False
        assert main(["alerts", "--year", "2019"]) == 0
        assert len(inbox.messages) == pending
        assert main(["alerts", "--year", "2019"]) == 0  # nothing pending: nothing sent again
        assert len(inbox.messages) == pending
        assert len({m["Message-ID"] for m in inbox.messages}) == pending
    finally:
        server.stop()
    assert not (tmp_path / "outbox").exists()


def test_the_notice_points_to_the_report_where_readers_open_it(year_2019, tmp_path):
    from pipeline.reports.html import report_path, write_report

    write_report(year_2019, 2019, "衢州", report_path(tmp_path / "reports", 2019))
    alerts.plan_alerts(year_2019, 2019, NOW)
    alerts.deliver(year_2019, None, tmp_path / "outbox", NOW, report_dir=tmp_path / "reports",
                   report_url="http://intranet.example/qz811/")  # fmt: skip
    parsed = email.message_from_bytes(
        next((tmp_path / "outbox").glob("2019_water.qiantang_compliance_*.eml")).read_bytes(), policy=policy.default
    )
    assert (
        "年度报告 Report：http://intranet.example/qz811/report-2019.html" in parsed.get_body(("plain",)).get_content()
    )
    assert 'href="http://intranet.example/qz811/report-2019.html"' in parsed.get_body(("html",)).get_content()


def test_a_reduction_target_is_told_as_its_percent_change_against_the_baseline(warehouse, tmp_path):
    """heavy_metal.pb_reduction (lead <= -5 % against 2009): the notice and its trend speak of the % change, not
    of tonnes; the cause lists the outlets that emitted the lead."""
    from pipeline.plan.scoreboard import compute, trend
    from pipeline.store.engine import sql
    from pipeline.store.load import replace_indicators

    batch = {"batch_id": "b2009", "dataset": "annual_statistics", "source_files": "s.csv", "sha256": "x",
             "window_start": None, "window_end": None, "rows_read": 1, "rows_loaded": 1, "rows_quarantined": 0,
             "rows_other_days": 0, "rows_summarised": 0, "started_at": "2020-01-01 00:00:00",
             "finished_at": "2020-01-01 00:00:00"}  # fmt: skip
    with warehouse.begin() as conn:
        conn.execute(sql("dml/ingest_batch/insert_ingest_batch"), batch)
        conn.execute(sql("dml/annual_statistic/insert_annual_statistic"),
                     {"indicator_id": "heavy_metal.pb_reduction", "year": 2009, "scope": "衢州", "value": 2.0,
                      "unit": "t", "batch_id": "b2009"})  # fmt: skip
    row = {"indicator": "sources.total.pb", "scope": "衢州", "period": "2019", "value": 1.98, "unit": "t",
           "comparator": "<=", "target": None, "status": "measured", "data_complete": True, "n": 3, "detail": "",
           "edition": "", "first_day": "2019-01-01", "last_day": "2019-12-31", "n_valid": 36, "n_expected": 36,
           "coverage": "complete", "outlook": ""}  # a complete year  # fmt: skip
    replace_indicators(warehouse, "sources", 2019, [row])
    board = compute(warehouse, 2019).set_index("target_id")
    assert board.loc["heavy_metal.pb_reduction", "status"] == "missed"  # -1 % is not -5 %
    targets = pd.read_sql("SELECT * FROM plan_target", warehouse).set_index("id")
    target = {"id": "heavy_metal.pb_reduction", **targets.loc["heavy_metal.pb_reduction"].to_dict()}
    seen = trend(warehouse, target).set_index("year")
    assert list(seen.index) == [2019] and seen.loc[2019, "value"] == pytest.approx(-1.0)
    alert = {"alert_id": "a" * 24, "period": "2019", "status": "missed", "subject": "s", "recipients": "x@example.cn"}
    text = "\n".join(alerts.notice_lines(alert, target, seen.reset_index(), ["—"], None, None))
    assert "2019年 -1 %，目标 <= -5 %（2015年）；未达标，超出目标 4 个百分点" in text


def test_cli_dry_run_evaluates_the_year_and_stores_nothing(warehouse, tmp_path, monkeypatch, capsys):
    """`alerts --dry-run` on a warehouse whose scoreboard was never computed: it shows what would be sent,
    from the year evaluated now, and leaves the scoreboard and the alerts empty."""
    from pipeline.cli import main
    from pipeline.jobs import water
    from pipeline.windows import month_window
    from tests.conftest import REPO

    water.run_period(warehouse, REPO / "data" / "sample" / "water", "manual", month_window(2019, 7), tmp_path / "s")
    monkeypatch.setenv("QZ811_DB_URL", warehouse.url.render_as_string(hide_password=False))
    assert main(["alerts", "--year", "2019", "--dry-run"]) == 0
    assert (
        "would send: 【811规划预警】钱塘江流域(衢州段)主干流水质达标率：有未达标风险（2019年1–7月累计）"
        in capsys.readouterr().out
    )
    with warehouse.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM scoreboard")).scalar_one() == 0
        assert conn.execute(sa.text("SELECT COUNT(*) FROM alert")).scalar_one() == 0
