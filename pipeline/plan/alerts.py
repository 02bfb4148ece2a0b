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
import logging
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
from pipeline.plan.registry import STATUS_WORDS, coverage_text, ytd_months
from pipeline.reports.html import number, report_path
from pipeline.store.engine import read_frame, sql
from pipeline.windows import TIMESTAMP_FORMAT

log = logging.getLogger(__name__)
RECIPIENTS = REPO_ROOT / "config" / "alert_recipients.csv"
ALERTING = ("missed", "at_risk")


def _word(status: str) -> str:
    """A status in a notice, Chinese (:data:`pipeline.plan.registry.STATUS_WORDS`); ``met`` there is a recovery."""
    word = STATUS_WORDS.get(status, (status,))[0]
    return f"已恢复{word}" if status == "met" else word


def notice_kind(status: str) -> str:
    """预警 (a warning: a year so far at risk, or a target at risk before its deadline) or 通报 (a complete year
    missed, or recovered)."""
    return "预警" if status == "at_risk" else "通报"


def notice_period(year: int, coverage, last_day) -> str:
    """``2019年`` for a complete year, ``2019年1–6月累计`` for a year so far."""
    return f"{year}年{ytd_months(last_day)}" if coverage == "ytd" else f"{year}年"


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
    """Seconds to wait for the reply to the message (DATA to the final "."): RFC 5321 4.5.3.2.6 gives a
    server 10 minutes to answer the final "." (a shorter wait can abandon a message the server has taken, and
    the next run would send it again)."""
    connect_timeout: float = 30.0
    """Seconds to wait for the connection and for the reply to every other command (EHLO, MAIL, RCPT ...):
    a server that greets and then stalls costs this, not 10 minutes (:func:`phase_timeouts`)."""

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
            phase_timeouts(client, self.connect_timeout, self.timeout)
            if self.starttls and not self.ssl:
                client.starttls()
            if self.user:
                client.login(self.user, self.password or "")
            yield client


def phase_timeouts(client: smtplib.SMTP, command_timeout: float, message_timeout: float) -> smtplib.SMTP:
    """Make ``client`` wait ``command_timeout`` for every reply but the message's: only while it sends the message
    (``data``: DATA, the text, the final ".") does it wait ``message_timeout`` (RFC 5321's 10 minutes)."""
    send_message_data = client.data

    def data(msg):
        client.sock.settimeout(message_timeout)
        try:
            return send_message_data(msg)
        finally:
            if client.sock is not None:
                client.sock.settimeout(command_timeout)

    client.data = data
    if client.sock is not None:
        client.sock.settimeout(command_timeout)
    return client


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


def plan_alerts(
    engine: Engine, year: int, now: dt.datetime, table=None, record: bool = True, board: pd.DataFrame | None = None
) -> list[dict]:
    """Create the alerts that the year's scoreboard calls for (see module docstring). Returns them;
    with ``record=False`` (a dry run) returns what would be created and writes nothing. ``board``: the
    year's evaluated targets (``target_id``, ``status``, ``indicator_zh``) instead of the stored scoreboard."""
    table = table if table is not None else read_recipients()
    if board is None:
        with engine.connect() as conn:
            board = pd.DataFrame(conn.execute(sql("dml/scoreboard/select_scoreboard"), {"year": year}).mappings().all())
    created = []
    with engine.begin() as conn:
        for row in board.to_dict("records"):
            last = (
                conn.execute(sql("dml/alert/select_alerts_of_target"), {"target_id": row["target_id"]})
                .mappings()
                .first()
            )
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
                "subject": clean_header(
                    f"【811规划{notice_kind(status)}】{row['indicator_zh']}：{_word(status)}"
                    f"（{notice_period(year, row.get('coverage'), row.get('last_day'))}）"
                ),
                "created_at": now.strftime(TIMESTAMP_FORMAT),
            }
            if conn.execute(sql("dml/alert/select_alert_id"), {"alert_id": new["alert_id"]}).first():
                continue
            if record:
                conn.execute(sql("dml/alert/insert_alert"), new)
            created.append(new)
    return created


def _chart_png(history: pd.DataFrame, goal: float | None, title: str) -> bytes:
    """The target's whole trend (every year the scoreboard holds) against its goal, Chinese first."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from pipeline.reports.charts import cjk_font

    font = cjk_font()
    figure = Figure(figsize=(5.6, 2.8), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.subplots()
    shown = history.dropna(subset=["value"])
    axes.plot(shown["year"], shown["value"], marker="o", color="#1f77b4", label="数值 value")
    if goal is not None and not pd.isna(goal):
        axes.axhline(goal, color="#d62728", linestyle="--", label=f"目标 target {goal:g}")
    axes.set_title(title, fontsize=9, family=font)
    axes.set_xticks(list(shown["year"]))
    axes.set_xticklabels([f"{y}年" for y in shown["year"]], family=font, fontsize=8)
    axes.legend(fontsize=8, prop={"family": font, "size": 8})
    axes.grid(alpha=0.3)
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


ACTIONS = {
    "missed": "请于10个工作日内报送未达标原因分析和整改措施（含责任人和完成时限）。",
    "at_risk": "请分析与目标的差距，于下次调度会前报送加快推进的措施和时间表。",
    "met": "指标已恢复达标，请巩固成效、保持监测。",
}
"""What an alert asks of the target's lead department, by status."""

HIGHER_IS_BETTER = {">": True, ">=": True, "<": False, "<=": False}


def _gap_line(value, goal, comparator: str, unit: str) -> str:
    """How far the value is from its goal, in words ("差 6.7 个百分点")."""
    if value is None or goal is None or pd.isna(value) or pd.isna(goal) or comparator not in HIGHER_IS_BETTER:
        return ""
    gap = float(value) - float(goal)
    points = "个百分点 points" if unit == "%" else unit
    if HIGHER_IS_BETTER[comparator]:
        return (
            f"低于目标 {number(abs(gap), 3)} {points} (below the target)"
            if gap < 0
            else f"高于目标 {number(gap, 3)} {points}"
        )
    return (
        f"超出目标 {number(gap, 3)} {points} (above the target)"
        if gap > 0
        else f"低于目标 {number(abs(gap), 3)} {points}"
    )


def _since(history: pd.DataFrame, year: int, status: str) -> str:
    """Since when the target has had this status: the first year of the run that ends in ``year``."""
    by_year = dict(zip(history["year"].astype(int), history["status"].fillna(""), strict=True))
    first = year
    while by_year.get(first - 1) == status:
        first -= 1
    if first == year:
        return f"{year}年首次{_word(status)} (first year)"
    return f"自{first}年起连续{year - first + 1}年{_word(status)} (since {first})"


def _year_on_year(history: pd.DataFrame, year: int, comparator: str, unit: str, ytd: dict | None = None) -> str:
    """同比: against the year before; for a year so far (``ytd``: its scoreboard row) against the same period of
    the year before (``previous_value``), or a plain statement that there is none."""
    if ytd is not None:
        months = ytd_months(ytd.get("last_day"))
        before, now = ytd.get("previous_value"), ytd.get("value")
        if before is None or now is None or pd.isna(before) or pd.isna(now):
            return f"同比 Year on year：{year - 1}年同期（{months}）无数据 (no data for the same period of {year - 1})"
        change = float(now) - float(before)
        better = (change > 0) == HIGHER_IS_BETTER.get(comparator, True) if change else None
        word = "持平 unchanged" if better is None else ("改善 better" if better else "变差 worse")
        return (f"同比 Year on year：{year - 1}年{months} {number(before)} → {year}年{months} {number(now)} {unit}"
                f"（{change:+.3g}，{word}）")  # fmt: skip
    values = dict(zip(history["year"].astype(int), history["value"], strict=True))
    now, before = values.get(year), values.get(year - 1)
    if now is None or before is None or pd.isna(now) or pd.isna(before):
        return f"同比 Year on year：{year - 1}年无数据 (no value for {year - 1})"
    change = float(now) - float(before)
    pct = f"，{change / abs(float(before)) * 100:+.1f}%" if float(before) else ""
    better = (change > 0) == HIGHER_IS_BETTER.get(comparator, True) if change else None
    word = "持平 unchanged" if better is None else ("改善 better" if better else "变差 worse")
    return f"同比 Year on year：{year - 1}年 {number(before)} → {year}年 {number(now)} {unit}（{change:+.3g}{pct}，{word}）"


def _trend(history: pd.DataFrame, goal, comparator: str, unit: str) -> str:
    shown = history.dropna(subset=["value"])
    if shown.empty:
        return ""
    years = "；".join(f"{int(y)}年 {number(v)}" for y, v in zip(shown["year"], shown["value"], strict=True))
    first, last = int(shown["year"].min()), int(shown["year"].max())
    goal_text = f"；目标 {comparator} {number(goal)} {unit}" if goal is not None and not pd.isna(goal) else ""
    return f"趋势 Trend {first}–{last}年（{unit}）：{years}{goal_text}"


def notice_lines(alert: dict, target: dict, history: pd.DataFrame, causes: list[str], health: list[str] | None,
                 report: str | None) -> list[str]:  # fmt: skip
    """The text of a 预警通报 (alert notice), Chinese first: what was missed, by how much and since when,
    its cause, 同比, the trend against the target, the lead department and what is asked of it, health
    advice for polluted air, and where the year's report is. No internal id, no ``nan``/``None``."""
    year = int(alert["period"])
    row = history[history["year"] == year]
    value = row["value"].iloc[0] if len(row) else None
    goal = row["goal"].iloc[0] if len(row) and not pd.isna(row["goal"].iloc[0]) else target["value"]
    unit = "%" if target["kind"] == "relative_change" else target["unit"]
    goal_text = "—" if goal is None or pd.isna(goal) else number(goal)
    status = alert["status"]
    gap = _gap_line(value, goal, target["comparator"], unit) if status != "met" else ""
    record = row.iloc[0].to_dict() if len(row) else {}
    partial = record.get("coverage") == "ytd"
    period = notice_period(year, record.get("coverage"), record.get("last_day"))
    covered = coverage_text(str(target.get("source_indicator") or ""), str(year), record.get("coverage"),
                            record.get("first_day"), record.get("last_day"), record.get("n_valid"),
                            record.get("n_expected"))  # fmt: skip
    if partial:
        since = (f"    本通报为预警：{period}，全年数据不完整，不作全年达标判定；数据覆盖 Coverage：{covered}。"
                 "(a warning on the year so far, not a judgement of the year)")  # fmt: skip
    else:
        since = f"    {_since(history, year, status)}。" if status != "met" else f"    {year}年恢复达标。"
        since += f"\n    数据覆盖 Coverage：{covered}。" if covered else ""
    lines = [
        f"指标 Indicator：{target['indicator_zh']}（{target['indicator_en']}）",
        f"一、情况 What：{period} {number(value)} {unit}，目标 {target['comparator']} {goal_text} {unit}"
        f"（{target['deadline']}年）；{_word(status)}" + (f"，{gap}" if gap else "") + "。",
        *since.split("\n"),
        *([f"    研判 Outlook：{record['note']}"] if partial and record.get("note") else []),
        f"    规划原文 Plan：{target['plan_text']}（第{target['section']}部分）",
        "二、原因 Cause：",
        *[f"    {line}" for line in causes],
        f"三、{_year_on_year(history, year, target['comparator'], unit, record if partial else None)}",
    ]
    trend = _trend(history, goal, target["comparator"], unit)
    if trend:
        lines.append(f"四、{trend}（见附图 chart below）")
    department = target.get("department") or "牵头部门 (lead department not set)"
    lines.append(f"五、牵头部门 Lead department：{department}。{ACTIONS[status]}")
    if health:
        lines.append(f"六、健康提示 Health advice（{len(health)}个污染天 polluted days, AQI > 100）：")
        lines += [f"    {line.strip()}" for line in health[:5]]
        if len(health) > 5:
            lines.append(
                f"    …另有{len(health) - 5}天，详见年度报告 (and {len(health) - 5} more days: see the report)"
            )
    edition = row["edition"].iloc[0] if len(row) and "edition" in row else ""
    basis = "由监测数据计算 computed from monitoring data" if target["measured_by"] == "computed" else (
        "部门报送的年度统计 annual statistic supplied by the department")  # fmt: skip
    lines.append(
        f"数据依据 Data：{basis}" + (f"；标准 Standards：{edition}" if isinstance(edition, str) and edition else "")
    )
    if report:
        lines.append(f"年度报告 Report：{report}")
    return lines


def build_message(
    alert: dict,
    target: dict,
    history: pd.DataFrame,
    sender: str,
    health: list[str] | None = None,
    now: dt.datetime | None = None,
    causes: list[str] | None = None,
    report: str | None = None,
) -> EmailMessage:
    """The email of one alert: a 预警通报 (:func:`notice_lines`) as plain text and HTML, the trend as an
    inline PNG, ``Date`` and a stable ``Message-ID``.

    health: for air targets, the health information of the period's polluted days (HJ 633 tables);
    causes: the sections, days or outlets behind it (:func:`causes`); report: the year's report (a path)."""
    lines = notice_lines(alert, target, history, causes or ["—"], health, report)
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
    if report:
        if "://" in report:  # an address (http, https, file)
            body += f'<p><a href="{html.escape(report)}">打开年度报告 Open the report</a></p>'
        elif Path(report).is_absolute():  # a path on this machine
            body += f'<p><a href="{html.escape(Path(report).as_uri())}">打开年度报告 Open the report</a></p>'
        # else: a share path (\\server\folder), given as text above
    message.add_alternative(
        f"<html><body><h3>{html.escape(alert['subject'])}</h3>{body}"
        f'<p><img src="cid:{chart_id[1:-1]}" alt="趋势图 trend chart"></p></body></html>',
        subtype="html",
    )
    row = history[history["year"] == int(alert["period"])]
    goal = row["goal"].iloc[0] if len(row) and not pd.isna(row["goal"].iloc[0]) else target["value"]
    unit = "%" if target["kind"] == "relative_change" else target["unit"]
    png = _chart_png(history, goal, f"{target['indicator_zh']}（{unit}）")
    message.get_payload()[1].add_related(png, maintype="image", subtype="png", cid=chart_id)
    return message


def _names(codes: str, names: dict) -> str:
    return "、".join(names.get(code, code) for code in str(codes).split(";") if code) or "—"


def causes(engine: Engine, target: dict, year: int, city: str = "衢州") -> list[str]:
    """What lies behind a target's value in ``year``, from the warehouse, as lines for people: the water
    sections that miss it (class, target class, limiting items), the city's polluted days (count by primary
    pollutant, the worst days), the key outlets' non-compliant days by pollutant; for a supplied statistic,
    that the department is asked to explain it."""
    from pipeline.glossary import SOURCE_ITEMS, WATER_ITEMS
    from pipeline.indicators.health import POLLUTANT_ZH
    from pipeline.indicators.water_class import class_name

    indicator = target.get("source_indicator") or ""
    if target["measured_by"] != "computed" or not isinstance(indicator, str):
        return [
            "部门报送的年度统计值，原因请牵头部门在报送整改措施时说明 (a supplied statistic: the department is asked to explain it)"
        ]
    span = {"first_date": f"{year}-01-01", "last_date": f"{year}-12-31"}
    lines: list[str] = []
    with engine.connect() as conn:
        if indicator.startswith("water."):
            sections = read_frame(conn, "dml/water_section_period/select_alert_water_sections", {"year": str(year)})
            if sections.empty:
                return [f"{year}年无断面年均水质类别 (no section classes for {year})"]
            group = (sections["is_qiantang_mainstream"].astype(bool) if "qiantang" in indicator
                     else sections["drinking_source_level"] == ("county" if "county" in indicator else "township"))  # fmt: skip
            chosen = sections[group]
            if "class_iii" in indicator:
                failing = chosen[chosen["water_class"].fillna(0) > 3]
            else:
                failing = chosen[(chosen["meets_target"] == False) | (chosen["table2_ok"] == False)]  # noqa: E712
            water_names = {code: item.name_zh for code, item in WATER_ITEMS.items()}
            for s in failing.itertuples():
                lines.append(
                    f"{s.name_zh}（{s.river_zh}，{s.county_zh}）：{s.water_class_name}类，目标{class_name(s.target_class)}类；"
                    f"超标项目 {_names(s.limiting_items, water_names)}"
                )
            return lines or [f"{len(chosen)}个断面均达标 (all {len(chosen)} sections meet it)"]
        if indicator.startswith("air."):
            days = read_frame(conn, "dml/air_city_day/select_alert_air_days", {"city": city, **span})
            if days.empty:
                return [f"{city}{year}年无污染天 (no polluted day)"]
            primary = days["primary_pollutant"].str.split(";").explode()
            counts = primary[primary != ""].map(lambda c: POLLUTANT_ZH.get(c.split("_")[0], c)).value_counts()
            lines.append(f"{city}{year}年污染天（AQI > 100）{len(days)}天，首要污染物："
                         + "、".join(f"{name} {n}天" for name, n in counts.items()))  # fmt: skip
            worst = days.head(5)
            lines.append("最重的日子 Worst days：" + "；".join(
                f"{pd.Timestamp(d.date):%Y-%m-%d} AQI {int(d.aqi)}" for d in worst.itertuples()))  # fmt: skip
            return lines
        if indicator.startswith("sources.total."):  # a total: the outlets that emitted most of it
            pollutant = indicator.removeprefix("sources.total.")
            loads = read_frame(
                conn, "dml/source_outlet_day/select_alert_source_loads", {**span, "pollutant": pollutant}
            )
            item = SOURCE_ITEMS.get(pollutant)
            if loads.empty:
                return [f"{year}年无{item.name_zh if item else pollutant}排放数据 (no load of it in {year})"]
            total = float(loads["load_t"].sum())
            lines.append(f"{year}年在线监测排放量合计 {number(total)} t（{len(loads)}个排口），排放量最大的排口：")
            for r in loads.head(5).itertuples():
                share = f"，占{100 * r.load_t / total:.0f}%" if total else ""
                lines.append(f"{r.enterprise_zh}{r.outlet_zh}（{r.county_zh}）：{number(r.load_t)} t{share}")
            return lines
        if indicator.startswith("sources."):  # compliance: the key outlets' non-compliant days
            rows = read_frame(conn, "dml/source_outlet_day/select_alert_source_exceedances", span)
            if rows.empty:
                return [f"{year}年重点排污口无超标日 (no non-compliant day of a key outlet)"]
            for r in rows.head(10).itertuples():
                item = SOURCE_ITEMS.get(r.pollutant)
                lines.append(
                    f"{r.enterprise_zh}{r.outlet_zh}（{r.county_zh}）：{item.name_zh if item else r.pollutant}超标{int(r.days)}天，"
                    f"最大小时值 {number(r.max_hour)}（限值 {number(r.limit_value)}）"
                )
            return lines
    return ["—"]


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


def send_or_keep(message: EmailMessage, recipients: list[str], transport: Transport | None, outbox: Path,
                 name: str) -> tuple[dict[str, tuple[str, str]], bool]:  # fmt: skip
    """Send ``message`` to ``recipients`` through ``transport``, or write it to ``outbox/name`` when there is none.
    Returns ({recipient: (state, reply)}, whether the server stopped answering (a timeout))."""
    if transport is None:
        outbox.mkdir(parents=True, exist_ok=True)
        (outbox / name).write_bytes(message.as_bytes())
        return {r: ("outbox", f"written to {outbox}") for r in recipients}, False
    try:
        with transport() as client:
            return _recipient_outcomes(client, message, recipients), False
    except (OSError, smtplib.SMTPException, RuntimeError) as err:  # unreachable, or lost mid-send
        stalled = isinstance(err, TimeoutError) or isinstance(err.__context__, TimeoutError)  # smtplib wraps it
        return {r: ("pending", f"{type(err).__name__}: {err}") for r in recipients}, stalled


def _joined(location: str, name: str) -> str:
    """``name`` in the folder at ``location``: an address (``http://...``) joined with "/", a Windows share
    (``\\\\server\\folder``) with a backslash."""
    share = "\\" in location and "://" not in location
    return location.rstrip("/\\") + ("\\" if share else "/") + name


def _notice(engine: Engine, alert: dict, targets: pd.DataFrame, values_by_year, sender: str, now: dt.datetime,
            report_dir: Path | None, report_url: str) -> EmailMessage:  # fmt: skip
    """The email of one pending alert, with what the warehouse says of it (trend, causes, health, report)."""
    from pipeline.plan.scoreboard import trend

    target = {"id": alert["target_id"], **targets.loc[alert["target_id"]].to_dict()}
    year = int(alert["period"])
    health = polluted_day_health(engine, year) if alert["target_id"].startswith("air.") else None
    report = report_path(report_dir, year) if report_dir is not None else None
    if report is not None and report.is_file():  # where readers open it: QZ811_REPORT_URL, else the path
        report = _joined(report_url, report.name) if report_url else str(report)
    else:
        report = None
    causes_ = causes(engine, target, year)
    return build_message(
        alert, target, trend(engine, target, values_by_year), sender, health, now, causes=causes_, report=report
    )


def deliver(
    engine: Engine,
    transport: Transport | None,
    outbox: Path,
    now: dt.datetime,
    sender: str = "qz811@localhost",
    report_dir: Path | None = None,
    report_url: str = "",
) -> dict:
    """Mail every pending alert through ``transport`` (or write it to ``outbox`` as .eml when it is None).

    One sender at a time: each alert is claimed first (``sql/dml/alert/claim_alert.sql``); an alert another run
    has claimed is left to it. Each recipient has its own state (``alert_recipient``): ``sent``;
    ``refused`` with the server's reply (a permanent 5xx: never retried, reported); ``pending`` (a 4xx, or
    the server could not be reached) is retried on the next run, to that recipient only, with the same
    Message-ID. The alert is ``sent`` when every recipient is, ``refused`` when none is pending but some was
    refused, else ``pending``. Returns the counts of alerts ``sent``, ``outbox``, ``failed`` (still pending)
    and ``refused``, and ``skipped`` (claimed by another sender). After a timeout (a server that stops
    answering) the remaining alerts are not tried in this run: they stay pending, counted ``failed``.
    """
    stamp_now = now.strftime(TIMESTAMP_FORMAT)
    stale = (now - STALE_CLAIM).strftime(TIMESTAMP_FORMAT)
    with engine.connect() as conn:
        pending = pd.DataFrame(
            conn.execute(sql("dml/alert/select_pending_alerts"), {"stale_before": stale}).mappings().all()
        )
        targets = pd.DataFrame(conn.execute(sql("dml/plan_target/select_plan_targets")).mappings().all())
    counts = {"sent": 0, "outbox": 0, "failed": 0, "refused": 0, "skipped": 0}
    if pending.empty:
        return counts
    from pipeline.plan.scoreboard import measured

    targets = targets.set_index("id")
    values_by_year = measured(engine)  # the indicators and statistics behind every notice's trend, read once
    stalled = False
    for alert in pending.to_dict("records"):
        if stalled:  # the server stopped answering: the rest wait for the next run, not a timeout each
            counts["failed"] += 1
            continue
        with engine.begin() as conn:
            claimed = conn.execute(
                sql("dml/alert/claim_alert"), {"alert_id": alert["alert_id"], "now": stamp_now, "stale_before": stale}
            ).rowcount
            known = {r["recipient"]: r for r in conn.execute(
                sql("dml/alert_recipient/select_alert_recipients"), {"alert_id": alert["alert_id"]}).mappings()}  # fmt: skip
        if claimed != 1:
            counts["skipped"] += 1
            continue
        recipients = [r for r in alert["recipients"].split(";") if r]
        todo = [r for r in recipients if known.get(r, {}).get("state", "pending") == "pending"]
        try:
            message = _notice(engine, alert, targets, values_by_year, sender, now, report_dir, report_url)
        except Exception as err:  # noqa: BLE001 - one notice that cannot be written must not stop the others
            log.exception("alert %s: the notice could not be written", alert["alert_id"])
            message = None
            outcome = {r: ("pending", f"notice not written: {type(err).__name__}: {err}") for r in todo}
        if message is not None:
            name = f"{alert['period']}_{alert['target_id']}_{alert['status']}.eml"
            outcome, stalled = send_or_keep(message, todo, transport, outbox, name)
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
                conn.execute(sql("dml/alert_recipient/upsert_alert_recipient"), {
                    "alert_id": alert["alert_id"], "recipient": recipient, "state": state, "reply": reply[:1000],
                    "attempts": attempts, "updated_at": stamp_now,
                })  # fmt: skip
            conn.execute(sql("dml/alert/update_alert_delivery"), update)
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
