"""``python -m pipeline report``: one self-contained HTML page of a year for analysts.

The page holds the 811 scoreboard, the daily AQI calendar, the monthly good-air-day ratio, the annual
concentrations against Grade II, the water sections' monthly classes and the sources' exceedances, each
from an analyst view (``sql/views/``) through ``sql/dml/select_report_*.sql``. Images are inline PNG
data URIs; no external CSS, script or font. Reading the warehouse (:func:`read_report_data`) and writing
the file (:func:`write_report`) are the only I/O; everything between is pure and HTML-escapes every text
that comes from the database. The warehouse is only read.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy.engine import Engine

from pipeline.glossary import ANNUAL_AIR_STATISTICS, SOURCE_POLLUTANTS, WATER_ITEMS
from pipeline.indicators.aqi import AQI_CATEGORIES
from pipeline.indicators.editions import EDITIONS
from pipeline.indicators.health import POLLUTANT_ZH, health_effect, measures, sensitive_groups
from pipeline.indicators.water_class import CLASS_NAMES
from pipeline.plan.indicators import INDICATORS
from pipeline.plan.registry import STATUS_WORDS, STATUSES, coverage_text
from pipeline.reports import charts
from pipeline.reports.output import write_text_atomically
from pipeline.reports.text import change_text, period_text, year_on_year
from pipeline.store.engine import sql

POLLUTANT_NAMES = {
    **{k: (v.name_zh, v.name_en) for k, v in WATER_ITEMS.items()},
    **{k: (v.name_zh, v.name_en) for k, v in SOURCE_POLLUTANTS.items()},
}
WATER_CLASS_TEXT = {6: "劣V (worse than V)"}

SECTIONS = {
    "scoreboard": ("811 规划目标完成情况", "811 plan scoreboard"),
    "aqi-calendar": ("城市日空气质量指数日历", "Daily city AQI calendar"),
    "good-days": ("月度优良天数比例", "Monthly good-air-day ratio"),
    "annual": ("年均浓度与二级标准", "Annual concentrations vs Grade II"),
    "composite": ("环境空气质量综合指数与排名", "Composite index and ranking"),
    "ranking": ("城市排名与月报", "City ranking and month reports"),
    "stations": ("站点日历与时间变化", "Station calendars and time profiles"),
    "water": ("断面逐月水质类别", "Water sections: monthly class"),
    "sources": ("污染源超标排放", "Source exceedances"),
}
"""Section id -> (Chinese, English) heading, in page order."""

CAPTIONS = {
    "ranking": "城市环境空气质量排名（环办监测〔2018〕19号，综合指数升序，未扣沙；表 <code>v_city_ranking</code>）：浙江省11个设区市与"
    "生态环境部168个重点城市。每月、1–N月累计和全年各排一次；有效天数不足（GB 3095-2012 表4，源数据全组缺测时按同组中位数的90%）"
    "的城市不参与排名并注明原因。City ranking by composite index among Zhejiang's 11 cities and the ministry's 168, "
    "every month, 1–N月 and year; a city short of valid days is listed unranked with the reason. Month reports (月报) "
    "are linked below.",
    "scoreboard": "Every quantitative target of the 811 plan for the year (view <code>v_scoreboard</code>): the value "
    "compared with the goal (a % change for targets stated as a reduction from a baseline year), and its status — "
    "met or missed at or after the deadline, before it met or at risk from the trend.",
    "aqi-calendar": "Daily city AQI (view <code>v_air_city_day</code>): city means of the evaluation stations "
    "(HJ 663-2013), IAQI and AQI per the HJ 633 edition in force on the day (HJ 633-2012 Table 1 before "
    "2026-03-01, HJ 633-2026 Table 3 from then; the same six categories and colours); natural day 01:00–24:00. "
    "<b>*</b> = not all six daily statistics valid (GB 3095 Table 4): not counted in the good-air-day ratio; under "
    "HJ 633-2026 5.3.1 such a day's AQI is published only above 100, otherwise as NA. Grey: no AQI for the day.",
    "good-days": "Share of valid days with AQI ≤ 100 (优 or 良, HJ 633-2012 Table 2) per month (view "
    "<code>v_air_city_month_good_days</code>; HJ 663-2013), against the 811 plan's target &gt; 95 %. A day is valid "
    "when all six daily statistics are (GB 3095-2012 Table 4). Labels: good days / valid days.",
    "annual": "Annual means of SO2, NO2, PM10 and PM2.5, the 95th percentile of daily CO and the 90th percentile of "
    "the daily maximum 8-h O3 (HJ 663-2013; view <code>v_air_annual_vs_grade_ii</code>), as a share of the "
    "Grade II (二级) limit in force for the year: GB 3095-2012 Table 1 to 2025, GB 3095-2026 Table 1 transition "
    "limits 2026–2030, its final limits from 2031. A year is complete with ≥ 324 valid days (GB 3095 Table 4).",
    "composite": "环境空气质量综合指数 I_sum = SO2/60 + NO2/40 + PM10/70 + PM2.5/35 + CO p95/4 + O3-8h p90/160 (view "
    "<code>v_air_composite_index</code>; 城市环境空气质量排名技术规定, 环办监测〔2018〕19号, the divisors being the "
    "GB 3095-2012 Grade II limits for every year): smaller is cleaner. 同比 = change against the same period a year "
    "before (&gt; 0 worse). The ranking orders the scopes the warehouse holds with complete data for the period (GB 3095 "
    "Table 4 capture); equal values share a rank; a period with incomplete data is not ranked (—).",
    "stations": "Daily AQI of each of the city's stations (view <code>v_air_station_day</code>; HJ 633 edition of the "
    "day, colours as the city calendar), then O3 and PM2.5 by hour of the day, day of the week and month, the mean of "
    "the stations' hourly values (view <code>v_air_station_hour</code>; the shape of openair's timeVariation), the "
    "months against the Grade II annual limit of PM2.5 in force. Hours are hour-beginning local time (00 = 00:00-01:00).",
    "water": "Class of each section's monthly sample by single-factor evaluation against GB 3838-2002 Table 1 "
    "(view <code>v_water_section_month</code>; 地表水环境质量评价办法, 环办〔2011〕22号); the automatic station's "
    "month where no lab sample was taken. A black frame marks a month worse than the section's target class. "
    "GB 3838-2002 defines no colours: these are this report's.",
    "sources": "Outlet-days over their emission limit (view <code>v_source_exceedances</code>): flue gas at the "
    "standard's reference O2, only HJ 212-2017 flag-N hours; a daily limit compares the day's mean, an hourly "
    "limit each valid hour. Limits per outlet and pollutant from the source registry{standards}.",
}

STYLE = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei","WenQuanYi Micro Hei",
 sans-serif;margin:0 auto;max-width:1180px;padding:0 24px 48px;color:#222;line-height:1.45}
h1{font-size:1.6em;margin:24px 0 4px}h2{font-size:1.25em;border-bottom:2px solid #ddd;padding-bottom:4px;
 margin-top:40px}.en{color:#555;font-weight:normal}.meta,.caption{color:#555;font-size:.9em}
nav a{margin-right:14px}img{max-width:100%;height:auto;display:block;margin:8px 0}
table{border-collapse:collapse;font-size:.85em;margin:8px 0}th,td{border:1px solid #ddd;padding:3px 6px;
 text-align:left;vertical-align:top}th{background:#f2f2f2}td.num{text-align:right;white-space:nowrap}
.status{color:#fff;border-radius:3px;padding:1px 6px;white-space:nowrap;display:inline-block}
.counts span{margin-right:10px;font-size:1.05em}.no-data{font-size:1.1em;color:#777;background:#f6f6f6;
 border:1px dashed #bbb;padding:18px;text-align:center}.legend span{display:inline-block;margin:2px 12px 2px 0}
.swatch{display:inline-block;width:14px;height:14px;border:1px solid #888;vertical-align:middle;margin-right:4px}
.small{font-size:.85em;color:#555}
"""

IMAGE_CHECK = (
    '<script>addEventListener("load",function(){var i=document.images,n=0,k;for(k=0;k<i.length;k++)'
    'if(i[k].complete&&i[k].naturalWidth>0)n++;var d=document.createElement("div");d.id="img-check";'
    'd.hidden=true;d.setAttribute("data-loaded",n);d.setAttribute("data-total",i.length);'
    "document.body.appendChild(d)})</script>"
)
"""Counts the images that decoded into ``<div id="img-check" data-loaded data-total>`` (read by the
browser test); changes nothing else."""


@dataclass(frozen=True)
class ReportData:
    """The rows of the analyst views the report shows, for one year and city."""

    scoreboard: pd.DataFrame
    air_days: pd.DataFrame
    air_months: pd.DataFrame
    air_annual: pd.DataFrame
    water_months: pd.DataFrame
    compliance: pd.DataFrame
    exceedances: pd.DataFrame
    composite: pd.DataFrame
    station_days: pd.DataFrame
    station_hours: pd.DataFrame
    air_batches: pd.DataFrame
    ranking: pd.DataFrame
    city_days: pd.DataFrame


QUERIES = {
    "scoreboard": "dml/reports/select_report_scoreboard",
    "air_days": "dml/reports/select_report_air_days",
    "air_months": "dml/reports/select_report_air_months",
    "air_annual": "dml/reports/select_report_air_annual",
    "water_months": "dml/reports/select_report_water_months",
    "compliance": "dml/reports/select_report_compliance",
    "exceedances": "dml/reports/select_report_exceedances",
    "composite": "dml/reports/select_report_composite",
    "station_days": "dml/reports/select_report_station_days",
    "station_hours": "dml/reports/select_report_station_hours",
    "air_batches": "dml/reports/select_report_air_batches",
    "ranking": "dml/reports/select_report_ranking",
    "city_days": "dml/reports/select_report_city_days_with_year_before",
}


def query_params(year: int, city: str) -> dict:
    """Bound parameters of the report's queries: dates and months compared as text."""
    return {
        "year": year, "year_text": f"{year:04d}", "year_start": f"{year:04d}-01-01", "year_end": f"{year:04d}-12-31",
        "month_start": f"{year:04d}-01", "month_end": f"{year:04d}-12", "city": city,
        "first_hour_end": f"{year:04d}-01-01 01:00:00", "last_hour_end": f"{year + 1:04d}-01-01 00:00:00",
        "previous_start": f"{year - 1:04d}-01-01",
    }  # fmt: skip


def read_report_data(engine: Engine, year: int, city: str) -> ReportData:
    """The report's rows from the warehouse (read only)."""
    params = query_params(year, city)
    frames = {}
    with engine.connect() as conn:
        for name, statement in QUERIES.items():
            result = conn.execute(sql(statement), params)
            frames[name] = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    return ReportData(**frames)


def esc(value) -> str:
    """Text for HTML (quotes too); empty for NULL."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return html.escape(str(value), quote=True)


def number(value, digits: int = 4) -> str:
    """A value as shown: ``—`` for NULL, ``g`` format, thousands separated above 10,000."""
    value = pd.to_numeric(value, errors="coerce")
    if value is None or pd.isna(value):
        return "—"
    value = float(value)
    return f"{value:,.0f}" if abs(value) >= 10_000 else f"{value:.{digits}g}"


def bilingual(zh: str, en: str) -> str:
    return f'{esc(zh)} <span class="en">{esc(en)}</span>'


def no_data_html(year: int) -> str:
    """The fragment shown instead of a chart or table when a section has no rows for the year."""
    return f'<p class="no-data">无数据 No data for {year:d}</p>'


def image_html(png: bytes, alt: str) -> str:
    """An inline PNG as a data URI."""
    data = base64.b64encode(png).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{esc(alt)}">'


def status_badge(status: str) -> str:
    zh, en, colour = STATUS_WORDS.get(status, (status, status, "#666666"))
    return f'<span class="status" style="background:{colour}">{esc(zh)} {esc(en)}</span>'


def table_html(header: list[str], rows: list[list[str]], numeric: frozenset[int] = frozenset()) -> str:
    """A table of already-escaped cells; ``numeric`` column indexes are right-aligned."""
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join(
        "<tr>"
        + "".join(f'<td class="num">{c}</td>' if i in numeric else f"<td>{c}</td>" for i, c in enumerate(r))
        + "</tr>"
        for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def scoreboard_html(board: pd.DataFrame, year: int) -> str:
    """Counts by status, then one row per target with its Chinese and English names."""
    counts = board["status"].value_counts() if len(board) else pd.Series(dtype=int)
    badges = "".join(f"<span>{status_badge(s)} <b>{int(counts.get(s, 0))}</b></span>" for s in STATUSES)
    top = f'<p class="counts">{badges} <span class="small">of {len(board)} targets</span></p>'
    if board.empty:
        return (
            top
            + no_data_html(year)
            + (
                f'<p class="small">The scoreboard of {year:d} has not been computed: '
                f"<code>python -m pipeline scoreboard --year {year:d}</code>.</p>"
            )
        )
    rows = []
    severity = board["status"].map({s: i for i, s in enumerate(STATUSES)}).fillna(len(STATUSES))
    for r in board.assign(_s=severity).sort_values(["_s", "section", "indicator_zh"]).itertuples():
        unit = "%" if r.kind == "relative_change" else r.unit
        cover = [getattr(r, c, None) for c in ("coverage", "first_day", "last_day", "n_valid", "n_expected")]
        covered = coverage_text(str(r.basis).removeprefix("indicator "), str(year), *cover) or f"{year}"
        rows.append([
            esc(r.section), f"{esc(r.indicator_zh)}<br>"
            f'<span class="en">{esc(r.indicator_en)}</span>', esc(covered), f"{esc(r.comparator)} {number(r.goal)}",
            number(r.value), esc(unit), status_badge(r.status), esc(year_on_year(r.value, getattr(r, "previous_value", None), cover[0], year)),
            f'<span class="small">{esc(r.note)}'
            + (f"<br>标准 Standards: {esc(r.edition)}" if getattr(r, "edition", "") else "") + "</span>",
        ])  # fmt: skip
    header = ["章节 Section", "指标 Indicator", "时段与数据覆盖 Period and coverage", "目标值 Goal", "数值 Value",
              "单位 Unit", "状态 Status", "同比 Year on year", "说明 Note"]  # fmt: skip
    return top + table_html(header, rows, numeric=frozenset({3, 4}))


def days_without_own_file(batches: pd.DataFrame, year: int) -> list[dt.date]:
    """The natural days of ``year`` up to the last one loaded whose own national file was not among the files
    read (no batch at all, or only the next day's file for its 24:00): missing in the source. Pure.

    batches: ``window_start`` (the day's 01:00), ``source_files`` (``;``-separated names)."""
    if batches.empty:
        return []
    days = pd.to_datetime(batches["window_start"].astype(str)).dt.date
    files = dict(zip(days, batches["source_files"].astype(str), strict=True))
    last = max(days)
    every = [dt.date(year, 1, 1) + dt.timedelta(days=n) for n in range((last - dt.date(year, 1, 1)).days + 1)]
    return [d for d in every if f"{d:%Y%m%d}" not in files.get(d, "") and d.isoformat() not in files.get(d, "")]


def calendar_html(days: pd.DataFrame, year: int, missing: list[dt.date] = ()) -> str:
    aqi = pd.to_numeric(days["aqi"], errors="coerce").dropna() if len(days) else pd.Series(dtype=float)
    if aqi.empty:
        return no_data_html(year)
    img = image_html(
        charts.png(charts.calendar_figure(days, year, missing)),
        f"{year}年城市日AQI日历 Daily city AQI {year}, HJ 633 colours",
    )
    levels = pd.Series(charts.aqi_level(aqi.to_numpy())).value_counts()
    items = [
        f'<span><i class="swatch" style="background:{c}"></i>{esc(zh)} {esc(en)} ({r}): <b>{int(levels.get(i + 1, 0))}</b></span>'
        for i, (c, zh, en, r) in enumerate(zip(charts.AQI_COLOURS, AQI_CATEGORIES["category_zh"],
                                               AQI_CATEGORIES["category_en"], charts.AQI_RANGES, strict=True))
    ]  # fmt: skip
    no_data = dt.date(year, 12, 31).timetuple().tm_yday - len(aqi)
    items.append(
        f'<span><i class="swatch" style="background:{charts.NO_DATA_COLOUR}"></i>无数据 No data: <b>{no_data}</b></span>'
    )
    if missing:
        shown = "、".join(f"{d.month}月{d.day}日" for d in missing)
        items.append(f'<span>缺 = 源数据缺失 missing in the source: <b>{esc(shown)}</b> '
                     f'({", ".join(d.isoformat() for d in missing)})</span>')  # fmt: skip
    return img + f'<p class="legend">{"".join(items)} <span class="small">(days)</span></p>'


def good_days_html(months: pd.DataFrame, year: int, rates: pd.DataFrame | None = None, city: str = "衢州") -> str:
    """The months' good-air-day ratio, and the year's as stored (``v_compliance_rates``): its status and coverage,
    never judged here."""
    valid = pd.to_numeric(months["valid_days"], errors="coerce").fillna(0) if len(months) else pd.Series(dtype=float)
    if months.empty or valid.sum() == 0:
        return no_data_html(year)
    good = pd.to_numeric(months["good_days"], errors="coerce").fillna(0).sum()
    target = pd.to_numeric(months["plan_target_pct"], errors="coerce").dropna()
    target_pct = float(target.iloc[0]) if len(target) else 95.0
    img = image_html(
        charts.png(charts.good_days_figure(months, year, target_pct)),
        f"{year}年逐月优良天数比例 Good-air-day ratio by month {year}",
    )
    ratio = 100 * good / valid.sum()
    found = (rates[(rates["indicator"] == "air.good_day_ratio") & (rates["scope"] == city)
                   & (rates["period"] == f"{year:04d}")] if rates is not None and len(rates) else pd.DataFrame())  # fmt: skip
    verdict = ""
    if len(found):
        r = found.iloc[0]
        covered = coverage_text("air.good_day_ratio", f"{year:04d}", r["coverage"], r["first_day"], r["last_day"],
                                r["n_valid"], r["n_expected"])  # fmt: skip
        outlook = f"；{r['outlook']}" if isinstance(r["outlook"], str) and r["outlook"] else ""
        verdict = f'{status_badge(r["status"])} <span class="small">{esc(covered)}{esc(outlook)}</span>'
    return img + (
        f"<p>全年 Year so far: {int(good)} good of {int(valid.sum())} valid days = <b>{ratio:.1f} %</b> "
        f"(目标 target &gt; {target_pct:g} %) {verdict}</p>"
    )


def annual_html(annual: pd.DataFrame, year: int) -> str:
    if annual.empty or pd.to_numeric(annual["value"], errors="coerce").isna().all():
        return no_data_html(year)
    editions = sorted({e for e in annual.get("edition", pd.Series(dtype=object)).dropna() if e})
    img = image_html(
        charts.png(charts.annual_figure(annual)),
        f"{year}年年均浓度与二级限值 Annual concentrations vs Grade II, {year}",
    )
    order = {p: i for i, p in enumerate(charts.POLLUTANT_LABELS)}
    rows = []
    for r in annual.assign(_o=annual["pollutant"].map(order).fillna(99)).sort_values("_o").itertuples():
        item = ANNUAL_AIR_STATISTICS.get(r.pollutant)
        zh, en = (item.name_zh, item.name_en) if item else (r.pollutant, r.pollutant)
        value, limit = pd.to_numeric(r.value, errors="coerce"), pd.to_numeric(r.grade_ii_limit, errors="coerce")
        share = "—" if pd.isna(value) or not limit else f"{100 * value / limit:.0f} %"
        complete = "是 yes" if charts.flags(pd.Series([r.data_complete]))[0] else "否 no"
        covered = coverage_text(f"air.annual.{r.pollutant}", f"{year:04d}", r.coverage, r.first_day, r.last_day,
                                r.n_valid, r.n_expected)  # fmt: skip
        outlook = f'<br><span class="small">{esc(r.outlook)}</span>' if isinstance(r.outlook, str) and r.outlook else ""
        rows.append([bilingual(zh, en), number(value), esc(r.unit), number(limit), share,
                     status_badge(r.status) + outlook, number(r.valid_days), complete, esc(covered)])  # fmt: skip
    header = ["统计量 Statistic", "数值 Value", "单位 Unit", "二级限值 Grade II limit", "占限值 % of limit",
              "状态 Status", "有效天数 Valid days", "数据完整 Complete year", "时段与数据覆盖 Period and coverage"]  # fmt: skip
    standards = "".join(f'<p class="small">限值与评价依据 Limits and rules: {esc(e)}</p>' for e in editions)
    return img + standards + table_html(header, rows, numeric=frozenset({1, 3, 4, 6}))


def health_html(days: pd.DataFrame) -> str:
    """The health information of every AQI level the year's days reached, per HJ 633 edition
    (HJ 633-2012 Table 2; HJ 633-2026 Tables 1 and 2)."""
    if days.empty or "edition" not in days:
        return ""
    levels = days.assign(level=pd.to_numeric(days["level"], errors="coerce")).dropna(subset=["level"])
    rows = []
    for (code, level), group in levels.groupby(["edition", "level"], sort=True):
        if code not in EDITIONS or not 1 <= level <= 6:
            continue
        edition = EDITIONS[code].aqi
        over = (
            {p for text in group["primary_pollutant"].dropna() for p in str(text).split(";") if p}
            if level >= 3
            else set()
        )
        groups = sensitive_groups({p: 101.0 for p in over}, edition)
        rows.append([
            esc(EDITIONS[code].aqi_standard), bilingual(AQI_CATEGORIES["category_zh"][int(level) - 1],
                                                        AQI_CATEGORIES["category_en"][int(level) - 1]),
            number(len(group)), esc(health_effect(int(level), edition)), esc(measures(int(level), edition)),
            esc("；".join(f"{POLLUTANT_ZH[p]}：{g}" for p, g in groups)) or "—",
        ])  # fmt: skip
    if not rows:
        return ""
    header = ["标准 Standard", "类别 Category", "天数 Days", "对健康影响情况 Health effects", "建议采取的措施 Measures",
              "敏感人群 Sensitive groups (首要污染物 IAQI > 100)"]  # fmt: skip
    return "<h3>健康提示 Health information</h3>" + table_html(header, rows, numeric=frozenset({2}))


def _compliance_html(compliance: pd.DataFrame, domain: str) -> str:
    rows = (
        compliance[(compliance["domain"] == domain) & (compliance["period_kind"] == "year")]
        if len(compliance)
        else compliance
    )
    if rows.empty:
        return ""
    body = []
    for r in rows.itertuples():
        target = INDICATORS.get(r.indicator)
        name = bilingual(target.name_zh, target.name_en) if target else f"<code>{esc(r.indicator)}</code>"
        covered = coverage_text(r.indicator, r.period, r.coverage, r.first_day, r.last_day, r.n_valid, r.n_expected)
        outlook = f"<br>{esc(r.outlook)}" if isinstance(r.outlook, str) and r.outlook else ""
        body.append([name, esc(r.scope), esc(covered), number(r.rate_pct), f"{esc(r.comparator)} {number(r.target_pct)}",
                     status_badge(r.status), f'<span class="small">{esc(r.detail)}{outlook}</span>'])  # fmt: skip
    header = ["达标率 Rate", "范围 Scope", "时段与数据覆盖 Period and coverage", "数值 Value (%)", "目标 Target (%)",
              "状态 Status", "说明 Detail"]  # fmt: skip
    return (
        '<h3>年度达标率 <span class="en">Compliance rates of the year (view <code>v_compliance_rates</code>)</span></h3>'
        + table_html(header, body, numeric=frozenset({3, 4}))
    )


def water_html(water: pd.DataFrame, compliance: pd.DataFrame, year: int) -> str:
    rates = _compliance_html(compliance, "water")
    if water.empty:
        return no_data_html(year) + rates
    legend = "".join(
        f'<span><i class="swatch" style="background:{c}"></i>{esc(WATER_CLASS_TEXT.get(n, CLASS_NAMES[n]))}</span>'
        for n, c in charts.WATER_CLASS_COLOURS.items()
    )
    legend += (
        '<span><i class="swatch" style="background:#fff;border:2px solid #000"></i>劣于目标 worse than target</span>'
    )
    img = image_html(
        charts.png(charts.water_figure(water)),
        f"{year}年各断面逐月水质类别 GB 3838-2002 class of each section by month, {year}",
    )
    grid = charts.water_grid(water)
    rows = []
    for code, cells in grid.groupby("section_code", sort=True):
        first = cells.iloc[0]
        missed = cells[charts.worse_than_target(cells["meets_target"])]
        months = ", ".join(
            f"{charts.MONTHS[n - 1]} {c}"
            for n, c in zip(missed["month_number"], missed["water_class_name"], strict=True)
        )
        worst = pd.to_numeric(cells["water_class"], errors="coerce").max()
        target = pd.to_numeric(first["target_class"], errors="coerce")
        rows.append([
            f"<code>{esc(code)}</code>", esc(first["name_zh"]), esc(first["river_zh"]), esc(first["county_zh"]),
            esc("" if pd.isna(target) else CLASS_NAMES[int(target)]), str(len(cells)),
            esc("" if pd.isna(worst) else CLASS_NAMES[int(worst)]),
            esc(months),
        ])  # fmt: skip
    header = ["断面 Section", "名称 Name", "河流 River", "县 County", "目标类别 Target class", "月数 Months",
              "最差类别 Worst class", "未达标月份 Months worse than target"]  # fmt: skip
    return img + f'<p class="legend">{legend}</p>' + table_html(header, rows, numeric=frozenset({5})) + rates


def sources_html(exceedances: pd.DataFrame, compliance: pd.DataFrame, year: int) -> str:
    rates = _compliance_html(compliance, "sources")
    if exceedances.empty:
        return no_data_html(year) + rates
    img = image_html(
        charts.png(charts.exceedance_figure(exceedances)),
        f"{year}年各排口超标天数 Exceedance days by outlet and pollutant, {year}",
    )
    rows = []
    for r in exceedances.itertuples():
        first, last = str(r.first_date)[:10], str(r.last_date)[:10]
        dates = esc(first) if first == last else f"{esc(first)} – {esc(last)}"
        zh, en = POLLUTANT_NAMES.get(r.pollutant, (r.pollutant, r.pollutant))
        rows.append([
            f"<code>{esc(r.outlet_code)}</code>", f"{esc(r.enterprise_zh)}<br>{esc(r.outlet_zh)}", esc(r.county_zh),
            bilingual(zh, en), esc(r.basis), number(r.exceed_days),
            number(r.exceed_hours) if r.basis == "hourly" else "—", number(r.max_times_limit, 3), dates, f'<span class="small">{esc(r.standard)}</span>',
        ])  # fmt: skip
    header = ["排口 Outlet", "企业 / 排口 Enterprise / outlet", "县 County", "污染物 Pollutant", "限值类型 Limit basis",
              "超标天数 Days", "超标小时 Hours over an hourly limit", "最大倍数 Max × limit", "日期 Dates",
              "标准 Standard"]  # fmt: skip
    return img + table_html(header, rows, numeric=frozenset({5, 6, 7, 8})) + rates


def composite_html(composite: pd.DataFrame, year: int, city: str) -> str:
    """The city's composite index by month and for the year (同比, rank), and the year's ranking of scopes."""
    mine = composite[composite["scope"] == city] if len(composite) else composite
    if mine.empty:
        return no_data_html(year)
    months = mine[mine["period_kind"] == "month"]
    img = image_html(
        charts.png(charts.composite_figure(months, year)),
        f"{city}{year}年逐月环境空气质量综合指数 Monthly composite index of {city}, {year}",
    )
    rows = [
        [esc(r.period), number(r.composite_index, 3), number(r.previous_year_index, 3), change_text(r.change_pct),
         "—" if pd.isna(r.rank_in_period) else f"{int(r.rank_in_period)} / {int(r.scopes_ranked)}", number(r.valid_days),
         "是 yes" if charts.flags(pd.Series([r.data_complete]))[0] else "否 no"]
        for r in mine.itertuples()
    ]  # fmt: skip
    header = ["时段 Period", "综合指数 I_sum", "上年同期 A year before", "同比 Change", "排名 Rank", "有效天数 Valid days",
              "数据完整 Complete"]  # fmt: skip
    out = img + table_html(header, rows, numeric=frozenset({1, 2, 5}))
    ranking = composite[composite["period"] == f"{year:04d}"]
    if len(ranking) > 1:
        shown = ranking[(ranking["rank_in_period"] <= 10) | (ranking["scope"] == city)]
        body = [["—" if pd.isna(r.rank_in_period) else str(int(r.rank_in_period)), f"<b>{esc(r.scope)}</b>" if r.scope == city else esc(r.scope),
                 number(r.composite_index, 3), change_text(r.change_pct)] for r in shown.itertuples()]  # fmt: skip
        out += (
            f'<h3>{year}年排名 <span class="en">Ranking of {year} ({len(ranking)} scopes; the first ten and '
            f"{esc(city)})</span></h3>" + table_html(["排名 Rank", "范围 Scope", "综合指数 I_sum", "同比 Change"], body,
                                                     numeric=frozenset({2}))
        )  # fmt: skip
    return out


UNIVERSE_ORDER = ("zhejiang_11", "mee_168")


def published(value, digits: int) -> str:
    """A ranked value at its published precision (I_sum 2 decimals, ratio 1, PM2.5 0: 3.80, 93.0, 33), or —."""
    number_ = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    return "—" if pd.isna(number_) else f"{float(number_):.{digits}f}"


def ranking_html(ranking: pd.DataFrame, year: int, city: str, month_links: dict[int, str] | None = None) -> str:
    """The city's monthly rank in each universe (chart), the year's (or the last 1–N月's) Zhejiang ranking as bars
    and a table, and the links to the month reports."""
    links = month_links or {}
    link_html = ""
    if links:
        link_html = ('<p class="months">月报 Month reports: ' + " · ".join(
            f'<a href="{esc(href)}">{month}月</a>' for month, href in sorted(links.items())) + "</p>")  # fmt: skip
    composite = ranking[ranking["indicator"] == "composite_index"] if len(ranking) else ranking
    if composite.empty:
        return no_data_html(year) + link_html
    out = []
    mine = composite[(composite["city"] == city) & (composite["period_kind"] == "month")]
    mine = mine.assign(order=mine["universe"].map({u: i for i, u in enumerate(UNIVERSE_ORDER)}).fillna(9))
    if len(mine):
        out.append(image_html(charts.png(charts.rank_trend_figure(mine.sort_values(["order", "period"]), year, city)),
                              f"{city}{year}年逐月综合指数排名 {city}'s monthly rank by composite index, {year}"))  # fmt: skip
    zhejiang = composite[composite["universe"] == "zhejiang_11"]
    periods = list(dict.fromkeys(zhejiang["period"]))
    period = str(year) if str(year) in periods else next((p for p in sorted(periods, reverse=True) if "~" in p), None)
    if period is not None:
        shown = zhejiang[zhejiang["period"] == period]
        label = period_text(period)
        out.append(image_html(charts.png(charts.ranking_figure(shown, city, f"{label}浙江省11个设区市综合指数排名",
                                                               f"Zhejiang's 11 cities by composite index, {period}")),
                              f"{label}浙江省11个设区市综合指数排名 Zhejiang ranking {period}"))  # fmt: skip
        others = {i: ranking[(ranking["universe"] == "zhejiang_11") & (ranking["period"] == period)
                             & (ranking["indicator"] == i)].set_index("city") for i in ("pm25", "good_day_ratio")}  # fmt: skip
        rows = [[("—" if pd.isna(r.rank) else str(int(r.rank))), f"<b>{esc(r.city)}</b>" if r.city == city else esc(r.city),
                 published(r.value, 2), change_text(r.change), published(others["pm25"]["value"].get(r.city), 0),
                 published(others["good_day_ratio"]["value"].get(r.city), 1), number(r.valid_days),
                 esc(r.note) or "—"] for r in shown.itertuples()]  # fmt: skip
        out.append(table_html(["排名 Rank", "城市 City", "综合指数 I_sum", "同比 Change", "PM2.5 µg/m³", "优良天数比例 Good days %",
                               "有效天数 Valid days", "说明 Note"], rows, numeric=frozenset({2, 4, 5, 6})))  # fmt: skip
    return "".join(out) + link_html


def stations_html(station_days: pd.DataFrame, station_hours: pd.DataFrame, year: int, city: str) -> str:
    """A calendar per station, then the O3 and PM2.5 profiles of the city's stations."""
    if station_days.empty and station_hours.empty:
        return no_data_html(year)
    out = []
    for (code, name), days in station_days.groupby(["station_code", "name_zh"], sort=True):
        out.append(f'<h3>{esc(name)} <span class="en">station {esc(code)}</span></h3>')
        out.append(image_html(charts.png(charts.calendar_figure(days, year)),
                              f"{name}站{year}年日空气质量指数日历 Daily AQI calendar of station {code}, {year}"))  # fmt: skip
    if len(station_hours):
        out.append(
            f'<h3>臭氧与PM2.5的时间变化 <span class="en">O3 and PM2.5 by hour, weekday and month, {city} {year}</span></h3>'
        )
        out.append(image_html(charts.png(charts.profiles_figure(station_hours, year)),
                              f"{city}{year}年臭氧和PM2.5的小时、星期、月变化 O3 and PM2.5 by hour, weekday and month"))  # fmt: skip
    return "".join(out)


def render_page(data: ReportData, year: int, city: str, generated_at: dt.datetime, data_docs: str | None = None,
                month_links: dict[int, str] | None = None) -> str:  # fmt: skip
    """The whole page. Pure: every section shows its chart and table, or "无数据 No data for YYYY".
    month_links: month -> the href of its month report (月报)."""
    standards = sorted({s for s in data.exceedances.get("standard", pd.Series(dtype=object)).dropna()})
    captions = {
        **CAPTIONS,
        "sources": CAPTIONS["sources"].format(standards=": " + "; ".join(map(esc, standards)) if standards else ""),
    }
    bodies = {
        "scoreboard": scoreboard_html(data.scoreboard, year),
        "aqi-calendar": calendar_html(data.air_days, year, days_without_own_file(data.air_batches, year))
        + health_html(data.air_days),
        "good-days": good_days_html(data.air_months, year, data.compliance, city),
        "annual": annual_html(data.air_annual, year),
        "composite": composite_html(data.composite, year, city),
        "ranking": ranking_html(data.ranking, year, city, month_links),
        "stations": stations_html(data.station_days, data.station_hours, year, city),
        "water": water_html(data.water_months, data.compliance, year),
        "sources": sources_html(data.exceedances, data.compliance, year),
    }
    nav = "".join(f'<a href="#{key}">{esc(zh)} {esc(en)}</a>' for key, (zh, en) in SECTIONS.items())
    sections = "".join(
        f'<section id="{key}"><h2>{bilingual(zh, en)}</h2><p class="caption">{captions[key]}</p>{bodies[key]}</section>'
        for key, (zh, en) in SECTIONS.items()
    )
    title = f"{city} {year:d} 年“811”规划分析报告"
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)} — 811 plan analyst report {year:d}</title><style>{STYLE}</style></head><body>"
        f'<header><h1>{esc(title)} <span class="en">{esc(city)} {year:d}: 811 plan analyst report</span></h1>'
        f'<p class="meta">生成时间 Generated {esc(generated_at.strftime("%Y-%m-%d %H:%M %Z").strip())} from the '
        "warehouse's analyst views (<code>sql/views/</code>) by <code>python -m pipeline report</code>.</p>"
        + (
            f'<p class="meta">数据校验报告 <a href="{esc(data_docs)}">Data Docs</a>: 每批数据的 Great Expectations '
            "校验结果 (the validation results of every loaded batch).</p>"
            if data_docs
            else ""
        )
        + f"<nav>{nav}</nav></header>{sections}{IMAGE_CHECK}</body></html>\n"
    )


def report_path(report_dir: Path, year: int) -> Path:
    """Where the year's report is written (``python -m pipeline report``, the ``plan_targets`` DAG's
    ``report`` task); the alert emails of the year point to it."""
    return Path(report_dir) / f"report-{year}.html"


def write_report(
    engine: Engine, year: int, city: str, path: Path, now: dt.datetime | None = None, docs_dir: Path | None = None
) -> Path:
    """Read the year's rows, render the page and write it to ``path`` (UTF-8), linking the batches' Data Docs
    (``docs_dir/index.html``, relative to the page) when there are any. Returns the path."""
    data = read_report_data(engine, year, city)
    path = Path(path)
    index = Path(docs_dir) / "index.html" if docs_dir is not None else None
    link = (
        Path(os.path.relpath(index.resolve(), path.resolve().parent)).as_posix() if index and index.is_file() else None
    )
    now = now or dt.datetime.now(dt.UTC)
    months = sorted({int(str(d)[5:7]) for d in data.city_days["date"] if str(d)[:4] == f"{year:04d}"}) if len(
        data.city_days) else []  # fmt: skip
    links = {}
    for month in months:  # the month reports (月报), beside the year's, each linking back to it
        monthly = month_report_path(path.parent, year, month)
        _write_atomically(monthly, render_month_page(data, year, month, city, now, path.name))
        links[month] = monthly.name
    _write_atomically(path, render_page(data, year, city, now, data_docs=link, month_links=links))
    return path


def _month_summary(days: pd.DataFrame, before: pd.DataFrame, ranks: dict, label: str, city: str) -> str:
    """The month report's opening paragraph (总体情况), Chinese first."""
    valid = days[charts.flags(days["valid_day"])]
    good = int(pd.to_numeric(valid["is_good"], errors="coerce").fillna(0).sum())
    parts = []
    if len(valid):
        ratio = 100.0 * good / len(valid)
        text = f"{label}，{esc(city)}环境空气质量优良天数比例为{ratio:.1f}%（有效{len(valid)}天中优良{good}天）"
        prior = before[charts.flags(before["valid_day"])]
        if len(prior):
            change = ratio - 100.0 * float(pd.to_numeric(prior["is_good"], errors="coerce").fillna(0).sum()) / len(
                prior
            )
            text += (
                f"，同比{'上升' if change > 0 else '下降' if change < 0 else '持平'}{abs(change):.1f}个百分点"
                if change
                else "，同比持平"
            )
        else:
            text += "，上年同期无数据"
        parts.append(text)
        pm25 = pd.to_numeric(valid["pm25"], errors="coerce").mean()
        prior_pm25 = pd.to_numeric(prior["pm25"], errors="coerce").mean() if len(prior) else float("nan")
        if not pd.isna(pm25):
            text = f"PM2.5平均浓度为{pm25:.0f}微克/立方米"
            if not pd.isna(prior_pm25) and prior_pm25:
                text += f"，同比{change_text(100.0 * (round(pm25) - round(prior_pm25)) / round(prior_pm25)).split('（')[0].strip()}"
            parts.append(text)
    else:
        parts.append(f"{label}，{esc(city)}无有效监测天")
    for universe, name in (("zhejiang_11", "全省11个设区市"), ("mee_168", "全国168个重点城市")):
        row = ranks.get(universe)
        if row is None:
            continue
        if pd.isna(row["rank"]):
            parts.append(f"综合指数{number(row['value'], 3)}，未参与{name}排名（{esc(row['note'])}）")
        else:
            parts.append(
                f"综合指数{row['value']:.2f}，在{name}中排名第{int(row['rank'])}（参与排名{int(row['n_ranked'])}个）"
            )
    return '<p class="summary">' + "；".join(parts) + "。</p>"


def frame_html(frame: pd.DataFrame, digits: dict[str, int] | None = None) -> str:
    """A table of :mod:`pipeline.reports.month`: every cell escaped, numbers right-aligned (``digits``: decimals of
    a column, else as :func:`number` shows them), ``—`` for none, booleans 是/否."""
    digits = digits or {}

    def cell(column: str, value) -> str:
        if isinstance(value, bool):
            return "是 yes" if value else "否 no"
        if value is None or (isinstance(value, float) and pd.isna(value)):
            return "—"
        if isinstance(value, int | float):
            if column in digits:
                return (
                    f"{float(value):+.{digits[column]}f}" if "同比" in column else f"{float(value):.{digits[column]}f}"
                )
            return number(value, 4)
        return esc(value)

    numeric = frozenset(i for i, c in enumerate(frame.columns)
                        if frame[c].map(lambda v: isinstance(v, int | float) and not isinstance(v, bool)).any())  # fmt: skip
    rows = [[cell(c, v) for c, v in zip(frame.columns, row, strict=True)] for row in frame.itertuples(index=False)]
    return table_html([esc(c) for c in frame.columns], rows, numeric=numeric)


def render_month_page(data: ReportData, year: int, month: int, city: str, generated_at: dt.datetime,
                      annual_href: str) -> str:  # fmt: skip
    """The month report (月报) of ``city``: 总体情况 (the month and 1–N月累计); days by category, the six pollutants,
    首要污染物 days, each for the month and 1–N月 with 同比; the worst days; the month's and 1–N月's ranking in
    Zhejiang and among the 168 (with the month's ranking chart); the month's water sections against their
    targets. Pure: the tables of :func:`pipeline.reports.month.month_tables`, from the year's :class:`ReportData`."""
    from pipeline.reports.month import SHEETS, month_tables, ytd_summary

    period = f"{year:04d}-{month:02d}"
    label = f"{year}年{month}月"
    days_all = (
        data.city_days.assign(month=data.city_days["date"].astype(str).str[:7])
        if len(data.city_days)
        else data.city_days
    )
    days = days_all[days_all["month"] == period] if len(days_all) else days_all
    before = days_all[days_all["month"] == f"{year - 1:04d}-{month:02d}"] if len(days_all) else days_all
    ranking = data.ranking
    ranks = {}
    for universe in UNIVERSE_ORDER:
        found = ranking[(ranking["universe"] == universe) & (ranking["period"] == period)
                        & (ranking["indicator"] == "composite_index") & (ranking["city"] == city)] if len(ranking) else ranking  # fmt: skip
        if len(found):
            ranks[universe] = found.iloc[0]
    summary = _month_summary(days, before, ranks, label, city)
    cumulative = ytd_summary(data.city_days, year, month, city)
    if cumulative:
        summary = summary.replace("。</p>", f"；{esc(cumulative)}。</p>")
    tables = month_tables(data.city_days, ranking, data.water_months, year, month, city)
    body = [summary]
    headings = {
        "categories": ("空气质量类别天数", "Days by AQI category, the month and 1–N月, with a year before"),
        "pollutants": ("六项污染物浓度", "Six pollutants, the month and 1–N月, with 同比"),
        "primary": ("首要污染物天数", "Days by primary pollutant (AQI > 50)"),
        "worst": ("污染最重的日子", "Worst days of the month"),
        "ranking": ("城市排名", "Ranking (环办监测〔2018〕19号, without 扣沙)"),
        "water": ("地表水断面水质", "Water sections this month (GB 3838-2002)"),
    }
    empty = {
        "primary": "本月及累计期无AQI大于50的日子 no day with AQI above 50.",
        "worst": "本月无监测数据 no data this month.",
        "ranking": "无排名数据 no ranking.",
        "water": "本月无地表水监测数据 no water samples this month.",
    }
    for key in SHEETS:
        zh, en = headings[key]
        frame = tables[key]
        chart = ""
        if key == "ranking" and len(ranking):
            month_rank = ranking[(ranking["universe"] == "zhejiang_11") & (ranking["period"] == period)
                                 & (ranking["indicator"] == "composite_index")]  # fmt: skip
            if len(month_rank):
                chart = image_html(charts.png(charts.ranking_figure(month_rank, city, f"{label}浙江省11个设区市综合指数排名",
                                                                    f"Zhejiang's 11 cities by composite index, {period}")),
                                   f"{label}浙江省11个设区市综合指数排名 Zhejiang ranking {period}")  # fmt: skip
        shown = (
            frame_html(frame, {c: 1 for c in frame.columns if "同比" in c})
            if len(frame)
            else f"<p>{esc(empty.get(key, ''))}</p>"
        )
        body.append(f'<h2>{esc(zh)} <span class="en">{esc(en)}</span></h2>{chart}{shown}')
    title = f"{city}{label}环境质量月报"
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)} — month report {period}</title><style>{STYLE}</style></head><body>"
        f'<header><h1>{esc(title)} <span class="en">{esc(city)} {period}: month report</span></h1>'
        f'<p class="meta">生成时间 Generated {esc(generated_at.strftime("%Y-%m-%d %H:%M %Z").strip())} · '
        f'<a href="{esc(annual_href)}">{year}年年度报告 the year\'s report</a></p></header>'
        f"<section>{''.join(body)}</section>{IMAGE_CHECK}</body></html>\n"
    )


def month_report_path(report_dir: Path, year: int, month: int) -> Path:
    """Where a month report (月报) is written, beside the year's report."""
    return Path(report_dir) / f"report-{year:04d}-{month:02d}.html"


def _write_atomically(path: Path, page: str) -> None:
    write_text_atomically(path, page)
