"""Delivery you can trust, against real SMTP servers on loopback (aiosmtpd): per-recipient state, permanent
refusals not retried, a slow final reply not sent twice, one sender at a time, recipients checked when read."""

from __future__ import annotations

import asyncio
import dataclasses
import socket
import threading

import pytest
import sqlalchemy as sa

from pipeline.plan import alerts
from pipeline.windows import month_window
from tests.conftest import pg_database
from tests.test_alerts import NOW, Inbox, Server, free_port

OFFICE, NOBODY, BUSY = "office@example.gov.cn", "nobody@example.gov.cn", "busy@example.gov.cn"
TABLE = [("*", [OFFICE, NOBODY])]


class Picky(Inbox):
    """Refuses NOBODY for good (550) and BUSY for now (450); can be slow to answer the final "."."""

    def __init__(self, data_delay: float = 0.0):
        super().__init__()
        self.data_delay = data_delay
        self.rcpt_seen: list[str] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.rcpt_seen.append(address)
        if address == NOBODY:
            return "550 5.1.1 no such mailbox"
        if address == BUSY:
            return "450 4.2.1 mailbox busy, try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.data_delay)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def picky():
    made = []

    def start(delay: float = 0.0):
        inbox = Picky(delay)
        server = Server(inbox, free_port())
        server.start()
        made.append(server)
        return inbox, alerts.SmtpSettings(host="127.0.0.1", port=server.port, sender="qz811@test.local")

    yield start
    for server in made:
        server.stop()


def recipients_of(engine) -> dict:
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT recipient, state, reply, attempts FROM alert_recipient")).all()
    return {(r, s) for r, s, _, _ in rows}, {r: reply for r, _, reply, _ in rows}


def test_a_refused_recipient_is_recorded_reported_and_not_retried(year_2019, picky, tmp_path):
    inbox, settings = picky()
    created = alerts.plan_alerts(year_2019, 2019, NOW, table=TABLE)
    counts = alerts.deliver(year_2019, settings.client, tmp_path, NOW)
    assert counts["refused"] == len(created) > 0 and counts["sent"] == 0
    with pytest.raises(alerts.DeliveryError, match="refused for good"):
        alerts.raise_on_failures(counts)
    states, replies = recipients_of(year_2019)
    assert {s for r, s in states if r == OFFICE} == {"sent"} and {s for r, s in states if r == NOBODY} == {"refused"}
    assert "550 5.1.1 no such mailbox" in replies[NOBODY]
    assert len(inbox.messages) == len(created)  # the office got each alert
    with year_2019.connect() as conn:
        assert set(conn.execute(sa.text("SELECT delivery_state FROM alert")).scalars()) == {"refused"}
    seen = len(inbox.rcpt_seen)
    assert alerts.deliver(year_2019, settings.client, tmp_path, NOW)["sent"] == 0  # nothing retried
    assert len(inbox.rcpt_seen) == seen and len(inbox.messages) == len(created)


def test_a_busy_recipient_is_retried_alone_with_the_same_message_id(year_2019, picky, tmp_path):
    inbox, settings = picky()
    alerts.plan_alerts(year_2019, 2019, NOW, table=[("water.qiantang_compliance", [OFFICE, BUSY])])
    counts = alerts.deliver(year_2019, settings.client, tmp_path, NOW)
    assert counts["failed"] == 1 and len(inbox.messages) == 1
    inbox.rcpt_seen.clear()
    alerts.deliver(year_2019, settings.client, tmp_path, NOW)
    assert inbox.rcpt_seen == [BUSY]  # the office, which has it, is not sent it again
    assert len(inbox.messages) == 1  # BUSY still busy


def test_a_slow_final_reply_does_not_lead_to_a_second_delivery(year_2019, picky, tmp_path):
    """The server takes 11 s to answer the final "." (the old fixed wait was 10 s): delivered once."""
    inbox, settings = picky(delay=11.0)
    settings = dataclasses.replace(settings, connect_timeout=2.0)  # commands wait 2 s; only the message longer
    alerts.plan_alerts(year_2019, 2019, NOW, table=[("water.qiantang_compliance", [OFFICE])])
    assert alerts.deliver(year_2019, settings.client, tmp_path, NOW)["sent"] == 1
    assert alerts.deliver(year_2019, settings.client, tmp_path, NOW)["sent"] == 0
    assert len(inbox.messages) == 1


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_two_alerts_runs_at_once_deliver_each_alert_once_per_recipient(database, warehouse, picky, tmp_path):
    from pipeline.jobs import water
    from pipeline.plan import scoreboard
    from tests.conftest import REPO

    engine, drop = (warehouse, None) if database == "sqlite" else pg_database()
    try:
        water.run_period(engine, REPO / "data" / "sample" / "water", "manual", month_window(2019, 7), tmp_path)
        scoreboard.compute(engine, 2019)
        inbox, settings = picky(delay=0.3)
        created = alerts.plan_alerts(engine, 2019, NOW, table=[("*", [OFFICE])])
        results = []
        runs = [threading.Thread(target=lambda: results.append(alerts.deliver(engine, settings.client, tmp_path, NOW)))
                for _ in range(2)]  # fmt: skip
        for run in runs:
            run.start()
        for run in runs:
            run.join(120)
        assert len(results) == 2
        ids = [m["Message-ID"] for m in inbox.messages]
        assert len(ids) == len(set(ids)) == len(created) > 1  # each alert once
        assert sum(r["sent"] for r in results) == len(created)
    finally:
        if drop:
            drop()


@pytest.mark.parametrize(
    "line,shown",
    [
        ("*,office,plan office", "'office'"),
        ("*,<>,x", "'<>'"),
        ('*,"ok@example.gov.cn\r\nBcc: x@evil.example",x', "Bcc"),
    ],
)
def test_a_bad_recipient_is_an_error_naming_its_line(tmp_path, line, shown):
    path = tmp_path / "recipients.csv"
    path.write_text("# who\nmatch,recipients,note\nwater.,water@example.gov.cn,ok\n" + line + "\n", encoding="utf-8")
    with pytest.raises(alerts.RecipientsError, match=r"line 4: .*is not an email address") as err:
        alerts.read_recipients(path)
    assert shown in str(err.value)


def test_header_values_are_cleaned():
    assert alerts.clean_header("目标\r\nBcc: x@evil.example") == "目标 Bcc: x@evil.example"


def stalling_server():
    """A relay that greets and then never answers (issue 28.7): (port, stop)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    held, done = [], threading.Event()

    def serve():
        listener.settimeout(0.2)
        while not done.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            conn.sendall(b"220 relay.example ESMTP\r\n")
            held.append(conn)  # read nothing, answer nothing

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()

    def stop():
        done.set()
        thread.join()
        for conn in held:
            conn.close()
        listener.close()

    return listener.getsockname()[1], stop, held


def test_a_relay_that_greets_then_stalls_holds_one_alert_for_the_command_timeout_only(year_2019, tmp_path):
    created = alerts.plan_alerts(year_2019, 2019, NOW, table=[("*", [OFFICE])])
    assert len(created) >= 2
    port, stop, held = stalling_server()
    settings = alerts.SmtpSettings(host="127.0.0.1", port=port, connect_timeout=1.0, timeout=600.0)
    box = {}
    worker = threading.Thread(
        target=lambda: box.update(counts=alerts.deliver(year_2019, settings.client, tmp_path, NOW))
    )
    worker.start()
    worker.join(120)  # not 600 s per alert
    stalled = len(held)
    stop()
    assert not worker.is_alive(), "deliver waited on a stalled relay"
    assert box["counts"]["failed"] == len(created) and box["counts"]["sent"] == 0
    assert stalled == 1  # the first alert met the stall; the others were not tried in this run
    with year_2019.connect() as conn:
        rows = conn.execute(sa.text("SELECT delivery_state, last_error FROM alert")).all()
    assert {state for state, _ in rows} == {"pending"}
    assert sum("timed out" in (error or "") for _, error in rows) == 1
    with pytest.raises(alerts.DeliveryError):
        alerts.raise_on_failures(box["counts"])
