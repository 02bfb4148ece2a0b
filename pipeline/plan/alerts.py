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
import re
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
from pipeline.store.engine import sql
from pipeline.windows import TIMESTAMP_FORMAT

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
    timeout: float = 600.0
    """Seconds to wait for any reply once connected, the final "." included: RFC 5321 4.5.3.2.6 gives a
    server 10 minutes to answer it (a shorter wait can abandon a message the server has taken, and the
    next run would send it again)."""
    connect_timeout: float = 30.0

    @classmethod
    def from_env(cls, env=None) -> SmtpSettings | None:
        """QZ811_SMTP_HOST (unset: no server, alerts go to the outbox), _PORT (default 25; 465 means
        SSL), _FROM, _USER, _PASSWORD, _STARTTLS (true/false), _SSL (true/false; default: port 465),
        _TIMEOUT (seconds to wait for a reply, default 600: RFC 5321's limit for the final "."),
        _CONNECT_TIMEOUT (seconds, default 30)."""
        env = os.environ if env is None else env
        if not env.get("QZ811_SMTP_HOST"):
            return None
        port = int(env.get("QZ811_SMTP_PORT", "25"))
        return cls(
            host=env["QZ811_SMTP_HOST"], port=port,
            sender=env.get("QZ811_SMTP_FROM", "qz811@localhost"), user=env.get("QZ811_SMTP_USER") or None,
            password=env.get("QZ811_SMTP_PASSWORD") or None, starttls=env.get("QZ811_SMTP_STARTTLS", "") == "true",
            ssl=env.get("QZ811_SMTP_SSL", "true" if port == 465 else "false") == "true",
            timeout=float(env.get("QZ811_SMTP_TIMEOUT", "600")),
            connect_timeout=float(env.get("QZ811_SMTP_CONNECT_TIMEOUT", "30")),
        )  # fmt: skip

    @contextmanager
    def client(self) -> Iterator[smtplib.SMTP]:
        """A logged-in SMTP client (SSL on connect, or STARTTLS), closed on exit: a transport for
        :func:`deliver`."""
        factory = smtplib.SMTP_SSL if self.ssl else smtplib.SMTP
        with factory(self.host, self.port, timeout=self.connect_timeout) as client:
            if self.starttls and not self.ssl:
                client.starttls()
            if self.user:
                client.login(self.user, self.password or "")
            client.sock.settimeout(self.timeout)  # connected: now wait as long as RFC 5321 lets a server
            yield client


class DeliveryError(RuntimeError):
    """Some alerts could not be delivered (they stay pending, or a recipient was refused)."""


class RecipientsError(ValueError):
    """A line of the recipients file that cannot be used; the message names the file and the line."""


ADDRESS = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)
"""A plain mailbox ``local@domain.tld`` (RFC 5321 dot-atom; no display names, quotes, spaces or line breaks)."""


def read_recipients(path: Path = RECIPIENTS) -> list[tuple[str, list[str]]]:
    """(match, addresses) of each line of ``config/alert_recipients.csv``. Raises RecipientsError naming
    the line of an address that is not a plain mailbox (``office``, ``<>``, a CR/LF, a display name)."""
    text = Path(path).read_text(encoding="utf-8")
    # Comment lines become blank lines (skipped by the reader), so line numbers stay the file's own.
    kept = "".join("\n" if line.startswith("#") else line for line in text.splitlines(keepends=True))
    reader = csv.reader(io.StringIO(kept))
    header = next((r for r in reader if r), [])
    table = []
    while True:
        start = reader.line_num + 1  # a quoted field may span lines: name the record's first line
        values = next(reader, None)
        if values is None:
            break
        if not values:
            continue
        row = dict(zip(header, values, strict=False))
        addresses = [a.strip(" ") for a in (row.get("recipients") or "").split(";") if a.strip()]
        for address in addresses:
            if not ADDRESS.match(address):
                raise RecipientsError(f"{path}: line {start}: {address!r} is not an email address (local@domain)")
        table.append(((row.get("match") or "").strip(), addresses))
    return table


def clean_header(value: str) -> str:
    """A header value on one line: CR, LF and other control characters become spaces."""
    return re.sub(r"[\x00-\x1f\x7f]+", " ", str(value)).strip()


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
                "subject": clean_header(f"【811规划预警】{row['indicator_zh']}:{STATUS_ZH[status]}({year}年)"),
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
    message["Subject"] = clean_header(alert["subject"])
    message["From"] = clean_header(sender)
    message["To"] = ", ".join(clean_header(r) for r in alert["recipients"].split(";") if r)
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
    from pipeline.reports.text import air_city_days, health_lines

    days = air_city_days(engine, city, f"{year}-01-01", f"{year}-12-31")
    if days.empty:
        return []
    return health_lines(days[pd.to_numeric(days["level"], errors="coerce") >= 3])


Transport = Callable[[], AbstractContextManager]
"""Opens an SMTP client (an object with ``send_message``) as a context manager: :meth:`SmtpSettings.client`
for the CLI, Airflow's ``SmtpHook`` for the DAG (:func:`pipeline.orchestration.smtp_transport`)."""

STALE_CLAIM = dt.timedelta(hours=1)
"""A claim older than this is a sender that died mid-send: another run may take the alert over."""


def _recipient_outcomes(client, message: EmailMessage, recipients: list[str]) -> dict[str, tuple[str, str]]:
    """Send ``message`` to ``recipients``; {recipient: (state, reply)} with state ``sent``, ``refused``
    (a permanent 5xx reply: not retried) or ``pending`` (a temporary 4xx reply, or no reply at all)."""

    def by_code(code: int) -> str:
        return "refused" if 500 <= int(code) < 600 else "pending"

    def reply(code, text) -> str:
        text = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
        return f"{code} {text}".strip()

    try:
        refused = client.send_message(message, to_addrs=recipients)
    except smtplib.SMTPRecipientsRefused as err:  # every recipient refused
        refused = err.recipients
    except smtplib.SMTPResponseException as err:  # the sender or the message refused (MAIL FROM, DATA)
        return {r: (by_code(err.smtp_code), reply(err.smtp_code, err.smtp_error)) for r in recipients}
    outcome = {r: ("sent", "250 accepted") for r in recipients}
    for recipient, (code, text) in refused.items():
        outcome[recipient] = (by_code(code), reply(code, text))
    return outcome


def deliver(
    engine: Engine, transport: Transport | None, outbox: Path, now: dt.datetime, sender: str = "qz811@localhost"
) -> dict:
    """Mail every pending alert through ``transport`` (or write it to ``outbox`` as .eml when it is None).

    One sender at a time: each alert is claimed first (``sql/dml/claim_alert.sql``); an alert another run
    has claimed is left to it. Each recipient has its own state (``alert_recipient``): ``sent``;
    ``refused`` with the server's reply (a permanent 5xx: never retried, reported); ``pending`` (a 4xx, or
    the server could not be reached) is retried on the next run, to that recipient only, with the same
    Message-ID. The alert is ``sent`` when every recipient is, ``refused`` when none is pending but some was
    refused, else ``pending``. Returns the counts of alerts ``sent``, ``outbox``, ``failed`` (still pending)
    and ``refused``, and ``skipped`` (claimed by another sender).
    """
    from pipeline.plan.scoreboard import history

    stamp_now = now.strftime(TIMESTAMP_FORMAT)
    stale = (now - STALE_CLAIM).strftime(TIMESTAMP_FORMAT)
    with engine.connect() as conn:
        pending = pd.DataFrame(conn.execute(sql("dml/select_pending_alerts"), {"stale_before": stale}).mappings().all())
        targets = pd.DataFrame(conn.execute(sql("dml/select_plan_targets")).mappings().all())
    counts = {"sent": 0, "outbox": 0, "failed": 0, "refused": 0, "skipped": 0}
    if pending.empty:
        return counts
    targets = targets.set_index("id")
    for alert in pending.to_dict("records"):
        with engine.begin() as conn:
            claimed = conn.execute(
                sql("dml/claim_alert"), {"alert_id": alert["alert_id"], "now": stamp_now, "stale_before": stale}
            ).rowcount
            known = {r["recipient"]: r for r in conn.execute(
                sql("dml/select_alert_recipients"), {"alert_id": alert["alert_id"]}).mappings()}  # fmt: skip
        if claimed != 1:
            counts["skipped"] += 1
            continue
        recipients = [r for r in alert["recipients"].split(";") if r]
        todo = [r for r in recipients if known.get(r, {}).get("state", "pending") == "pending"]
        target = {"id": alert["target_id"], **targets.loc[alert["target_id"]].to_dict()}
        health = polluted_day_health(engine, int(alert["period"])) if alert["target_id"].startswith("air.") else None
        message = build_message(alert, target, history(engine, alert["target_id"]), sender, health, now)
        if transport is None:
            outbox.mkdir(parents=True, exist_ok=True)
            (outbox / f"{alert['period']}_{alert['target_id']}_{alert['status']}.eml").write_bytes(message.as_bytes())
            outcome = {r: ("outbox", f"written to {outbox}") for r in todo}
        else:
            try:
                with transport() as client:
                    outcome = _recipient_outcomes(client, message, todo)
            except (OSError, smtplib.SMTPException, RuntimeError) as err:  # unreachable, or lost mid-send
                outcome = {r: ("pending", f"{type(err).__name__}: {err}") for r in todo}
        states = {r: known[r]["state"] for r in recipients if r in known and r not in outcome}
        states |= {r: state for r, (state, _) in outcome.items()}
        values = set(states.values())
        if not recipients:  # nobody to tell: a gap in config/alert_recipients.csv, reported, not "sent"
            delivery = "refused"
            outcome = {}
        elif "pending" in values:
            delivery = "pending"
        elif values == {"outbox"}:
            delivery = "outbox"
        elif "refused" in values:
            delivery = "refused"
        else:
            delivery = "sent"
        problems = [f"{r}: {reply}" for r, (state, reply) in outcome.items() if state != "sent" and state != "outbox"]
        if not recipients:
            problems = ["no recipient for this target in config/alert_recipients.csv"]
        update = {
            "alert_id": alert["alert_id"],
            "delivery_state": delivery,
            "sent_at": stamp_now if delivery in ("sent", "outbox", "refused") else None,
            "last_error": "; ".join(problems)[:2000],
        }
        with engine.begin() as conn:
            for recipient, (state, reply) in outcome.items():
                attempts = int(known.get(recipient, {}).get("attempts", 0)) + 1
                conn.execute(sql("dml/upsert_alert_recipient"), {
                    "alert_id": alert["alert_id"], "recipient": recipient, "state": state, "reply": reply[:1000],
                    "attempts": attempts, "updated_at": stamp_now,
                })  # fmt: skip
            conn.execute(sql("dml/update_alert_delivery"), update)
        key = {"sent": "sent", "outbox": "outbox", "pending": "failed", "refused": "refused"}[delivery]
        counts[key] += 1
        if delivery == "pending" and "refused" in values:
            counts["refused"] += 1
    return counts


def raise_on_failures(counts: dict) -> None:
    """Raise :class:`DeliveryError` when ``counts`` (of :func:`deliver`) has undelivered alerts."""
    if counts.get("failed") or counts.get("refused"):
        raise DeliveryError(
            f"{counts.get('failed', 0)} alert(s) not delivered (pending, retried on the next run), "
            f"{counts.get('refused', 0)} with recipients refused for good: see alert.last_error and alert_recipient"
        )
