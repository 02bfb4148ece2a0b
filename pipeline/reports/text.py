"""Readable summaries of what the warehouse holds, for the CLI and the demo: aligned text tables that
keep Chinese text in its columns."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pandas as pd
from sqlalchemy.engine import Engine

from pipeline.glossary import COLUMNS
from pipeline.indicators.editions import EDITIONS
from pipeline.indicators.health import advice_text
from pipeline.plan.indicators import INDICATORS
from pipeline.plan.registry import coverage_text, status_text
from pipeline.store.engine import sql


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def heading(column) -> str:
    """A column's heading for people: its Chinese name first, then the column (``日期 date``), when the glossary
    knows it and the column is not already bilingual."""
    name = str(column)
    if name in COLUMNS and not any("\u4e00" <= ch <= "\u9fff" for ch in name):
        return f"{COLUMNS[name][0]} {name}"
    return name


def format_table(frame: pd.DataFrame, title: str | None = None) -> str:
    """Fixed-width text table of ``frame`` (empty cells for NULL/NaN), headings Chinese first (:func:`heading`)."""
    cells = [[_cell(v) for v in row] for row in frame.itertuples(index=False)]
    header = [heading(c) for c in frame.columns]
    widths = [max([display_width(h)] + [display_width(r[i]) for r in cells]) for i, h in enumerate(header)]

    def line(values):
        return "  ".join(v + " " * (w - display_width(v)) for v, w in zip(values, widths, strict=False)).rstrip()

    out = [title] if title else []
    out += [line(header), line(["-" * w for w in widths])] + [line(r) for r in cells]
    return "\n".join(out)


def _query(engine: Engine, name: str, params: dict) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(sql(name), params).mappings().all())


def indicator_frame(engine: Engine, year: int | None) -> pd.DataFrame:
    """Stored indicators with their Chinese and English names."""
    params = {"year": None if year is None else str(year), "months": f"{year}-%"}
    frame = _query(engine, "dml/indicator/select_indicators", params)
    if frame.empty:
        return frame
    names = {k: (t.name_zh, t.name_en) for k, t in INDICATORS.items()}
    frame.insert(1, "name_zh", frame["indicator"].map(lambda k: names.get(k, ("", ""))[0]))
    frame.insert(2, "name_en", frame["indicator"].map(lambda k: names.get(k, ("", ""))[1]))
    frame["data_complete"] = frame["data_complete"].astype(bool)
    return frame


IAQI_COLUMNS = ["iaqi_so2", "iaqi_no2", "iaqi_co", "iaqi_o3_8h", "iaqi_o3_1h", "iaqi_pm10", "iaqi_pm25"]


def shown_aqi(aqi, status: str) -> str:
    """The AQI as published: the value, or ``NA`` with the computed value (HJ 633-2026 5.3.1)."""
    if aqi is None or pd.isna(aqi):
        return ""
    return f"NA (计算值 computed {int(aqi)})" if status == "NA" else str(int(aqi))


def _days(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame["aqi"] = [shown_aqi(a, s) for a, s in zip(frame["aqi"], frame["aqi_status"], strict=True)]
    frame["valid_day"] = frame["valid_day"].map(lambda v: "yes" if v else "no (invalid)")
    frame["category"] = frame["category_zh"] + " " + frame["category_en"]
    frame["edition"] = frame["edition"].map(lambda c: EDITIONS[c].aqi_standard if c in EDITIONS else c)
    frame = frame.rename(columns={"edition": "标准 standard"})
    drop = ["category_zh", "category_en", "aqi_status", "level", *IAQI_COLUMNS]
    return frame.drop(columns=[c for c in drop if c in frame.columns])


def air_city_days(engine: Engine, city: str, first_date: str, last_date: str) -> pd.DataFrame:
    """A city's stored days in a date range (``select_air_summary_city_days``)."""
    return _query(engine, "dml/air_city_day/select_air_summary_city_days", {"city": city, "first_date": first_date,
                                                               "last_date": last_date})  # fmt: skip


def health_lines(cities: pd.DataFrame) -> list[str]:
    """Health information of each city-day with an AQI (HJ 633-2026 Tables 1-2, HJ 633-2012 Table 2)."""
    lines = []
    for row in cities.to_dict("records"):
        if not row.get("level") or pd.isna(row["level"]) or row["edition"] not in EDITIONS:
            continue
        iaqis = {c.removeprefix("iaqi_"): row[c] for c in IAQI_COLUMNS if c in row}
        advice = advice_text(int(row["level"]), EDITIONS[row["edition"]].aqi, iaqis)
        lines.append(f"  {row['date']} 健康提示 health: {advice}")
    return lines


def change_text(change) -> str:
    """A composite index's 同比 for people (smaller is cleaner): ``+4.2 %（变差 worse）``, ``—`` without one."""
    change = pd.to_numeric(change, errors="coerce")
    if change is None or pd.isna(change):
        return "—"
    word = "变差 worse" if change > 0 else "改善 better" if change < 0 else "持平 unchanged"
    return f"{float(change):+.1f} %（{word}）"


def _composite_note(composite: pd.DataFrame | None, period: str) -> str:
    """同比 and rank of a period's composite index, from ``v_air_composite_index`` ("" without them)."""
    if composite is None or composite.empty:
        return ""
    found = composite[composite["period"] == period]
    if found.empty:
        return ""
    row = found.iloc[0]
    parts = []
    if not pd.isna(row["change_pct"]):
        parts.append(f"同比 {change_text(row['change_pct'])}")
    else:
        parts.append("同比 — (no value a year before)")
    if pd.isna(row["rank_in_period"]):
        parts.append("不参与排名（数据不完整）not ranked: data incomplete")
    else:
        parts.append(f"排名 rank {int(row['rank_in_period'])}/{int(row['scopes_ranked'])}")
    return "; " + ", ".join(parts)


def _plan_lines(
    indicators: pd.DataFrame, city: str, periods: list[str], composite: pd.DataFrame | None = None
) -> list[str]:
    lines = []
    chosen = indicators[(indicators["scope"] == city) & indicators["period"].isin(periods)]
    chosen = chosen.assign(annual=chosen["indicator"] != "air.good_day_ratio").sort_values(
        ["annual", "indicator", "period"]
    )
    for row in chosen.itertuples():
        unit = "" if row.unit == "1" else f" {row.unit}"
        value = "—" if pd.isna(row.value) else f"{row.value:.4g}{unit}"
        covered = _covered(row)
        if row.target is None or pd.isna(row.target):  # measured, no goal of its own (composite index, noise ...)
            note = _composite_note(composite, row.period) if row.indicator == "air.composite_index" else ""
            lines.append(f"  {row.period:8} {row.name_zh} / {row.name_en}: {value}{note}{covered} [{row.edition}]")
            continue
        lines.append(
            f"  {row.period:8} {row.name_zh} / {row.name_en}: {value} 目标 target {row.comparator} {row.target:g}"
            f"{unit} -> {status_text(row.status)}{covered} [{row.edition}]"
        )
    return lines


def _covered(row) -> str:
    """`` — 2019年1–6月累计（...）year to date; <the at-risk rule's result>``: a stored row's coverage and outlook."""
    text = coverage_text(row.indicator, row.period, row.coverage, row.first_day, row.last_day, row.n_valid,
                         row.n_expected)  # fmt: skip
    outlook = f"；{row.outlook}" if isinstance(row.outlook, str) and row.outlook else ""
    return f" — {text}{outlook}" if text else ""


def day_summary(engine: Engine, day: dt.date, city: str) -> str:
    """Station and city AQI of one day, and the month's and year's good-air-day ratio so far."""
    params = {"city": city, "first_date": day.isoformat(), "last_date": day.isoformat()}
    stations = _query(engine, "dml/air_station_day/select_air_summary_station_days", params)
    cities = _query(engine, "dml/air_city_day/select_air_summary_city_days", params)
    if stations.empty:
        return f"  {city} {day} 无站点日数据 no station-day values"
    out = [format_table(_days(stations).drop(columns=["date"]), f"  {city} {day}：站点日AQI daily AQI per station")]
    if len(cities):
        out.append(
            format_table(_days(cities).drop(columns=["date"]), f"  {city} {day}：城市日AQI city AQI (HJ 663-2013)")
        )
        out += health_lines(cities)
    indicators = indicator_frame(engine, day.year)
    if len(indicators):
        ratio = indicators[indicators["indicator"] == "air.good_day_ratio"]
        out.append("  811 plan target 规划目标 (good-air days > 95 %):")
        out += _plan_lines(ratio, city, [day.strftime("%Y-%m"), str(day.year)])
    return "\n".join(out) + "\n"


def year_summary(engine: Engine, year: int, city: str) -> str:
    """All days of a year for a city, then every air indicator against the plan."""
    params = {"city": city, "first_date": f"{year}-01-01", "last_date": f"{year}-12-31"}
    cities = _query(engine, "dml/air_city_day/select_air_summary_city_days", params)
    if cities.empty:
        return f"{city} {year} 无城市日数据 no city-day values: run `python -m pipeline run --date ...` first"
    stations = _query(engine, "dml/air_station_day/select_air_summary_station_days", params)
    stations["aqi"] = [shown_aqi(a, s) for a, s in zip(stations["aqi"], stations["aqi_status"], strict=True)]
    wide = stations.pivot(index="date", columns="station", values="aqi").add_prefix("AQI ")
    table = _days(cities).set_index("date").join(wide).reset_index()
    out = [format_table(table, f"{city} {year}：城市及站点日AQI daily AQI, city and stations")]
    polluted = cities[pd.to_numeric(cities["level"], errors="coerce") >= 3]
    if len(polluted):
        out.append(f"\n{city} {year}：污染天 (AQI > 100) 与健康提示 polluted days and health information")
        out += health_lines(polluted)
    out.append(f"\n{city} {year}：规划空气质量目标 811 plan air targets")
    composite = _query(engine, "dml/reports/select_composite_index_of_scope", {"scope": city})
    periods = sorted({str(year), *pd.to_datetime(cities["date"]).dt.strftime("%Y-%m")})
    out += _plan_lines(indicator_frame(engine, year), city, periods, composite)
    return "\n".join(out)


def water_summary(engine: Engine, month: dt.date) -> str:
    """A month of the water network: section classes, river status, and the plan's water targets."""
    period = month.strftime("%Y-%m")
    sections = _query(engine, "dml/water_section_period/select_water_summary_sections", {"period": period})
    if sections.empty:
        return (
            f"{period} 无断面水质类别 no water section classes: run `python -m pipeline water --month {period}` first"
        )
    roman = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V"}
    sections["target_class"] = sections["target_class"].map(roman)
    sections["meets_target"] = sections["meets_target"].map(lambda v: "" if pd.isna(v) else ("yes" if v else "NO"))
    sections["drinking_source_level"] = sections["drinking_source_level"].fillna("")
    out = [format_table(sections, f"衢州 {period}：断面水质类别 section classes (GB 3838-2002, single factor)")]
    rivers = _query(engine, "dml/water_river_status/select_water_summary_rivers", {"period": period})
    if len(rivers):
        rivers["share_i_iii"] = rivers["share_i_iii"].round(1)
        out.append(format_table(rivers, f"\n衢州 {period}：河流水质状况 river status"))
    indicators = indicator_frame(engine, month.year)
    water = indicators[indicators["indicator"].str.startswith("water.")] if len(indicators) else indicators
    if len(water):
        out.append(f"\n衢州 {month.year}：规划水环境目标 811 plan water targets")
        out += _plan_lines(water, "衢州", [period, str(month.year)])
    return "\n".join(out)


def sources_summary(engine: Engine, year: int) -> str:
    """A year of key-source monitoring: compliance per outlet, exceedances, totals, plan targets."""
    from pipeline.indicators.sources import load_totals
    from pipeline.store.reads import year_days

    days = year_days(engine, year)
    if days.empty:
        return f"{year} 无污染源数据 no source data: run `python -m pipeline ingest sources PATH...` first"
    days["compliant"] = days["compliant"].astype("boolean")
    per_outlet = (
        days.groupby(["outlet_code", "enterprise_zh", "pollutant"])
        .agg(
            days=("date", "nunique"),
            assessed=("compliant", "count"),
            compliant=("compliant", lambda c: int(c.fillna(False).sum())),
            exceed_days=("exceeded", lambda e: int(e.astype(bool).sum())),
            exceed_hours=("exceed_hours", "sum"),
            other_hours=("other_hours", "sum"),
            load_t=("load_kg", lambda k: round(k.sum() / 1000, 4)),
        )
        .reset_index()
    )
    out = [
        format_table(
            per_outlet, f"{year}：排放口达标情况 outlet compliance (valid = flag N hours; other flags = data capture)"
        )
    ]
    exceed = days[days["exceeded"].astype(bool)][
        ["date", "outlet_code", "pollutant", "mean", "max_hour", "limit_value", "basis", "exceed_hours"]
    ]
    if len(exceed):
        out.append(format_table(exceed, f"\n{year}：超标记录 exceedances (flue gas at the reference O2)"))
    totals = load_totals(days)
    totals["load_t"] = totals["load_t"].round(4)
    out.append(format_table(totals, f"\n{year}：排放量 [t] totals by city and county (valid hours)"))
    indicators = indicator_frame(engine, year)
    chosen = indicators[indicators["indicator"].str.startswith("sources.")] if len(indicators) else indicators
    if len(chosen):
        out.append(f"\n衢州 {year}：规划污染源目标 811 plan source targets")
        for row in chosen.itertuples():
            value = "—" if pd.isna(row.value) else f"{row.value:.4g} {row.unit}"
            out.append(
                f"  {row.period:8} {row.name_zh} / {row.name_en}: {value} 目标 target {row.comparator} {row.target:.6g} "
                f"{row.unit} -> {status_text(row.status)} ({row.detail}){_covered(row)}"
            )
    return "\n".join(out)


def scoreboard_text(engine: Engine, year: int) -> str:
    """The stored scoreboard of ``year`` with Chinese and English names."""
    board = _query(engine, "dml/scoreboard/select_scoreboard", {"year": year})
    if board.empty:
        return f"{year} 无记分板 no scoreboard"
    counts = board["status"].value_counts().to_dict()
    board["period"] = [
        coverage_text(str(b.basis).removeprefix("indicator "), str(year), b.coverage, b.first_day, b.last_day,
                      b.n_valid, b.n_expected) or f"{year}"
        for b in board.itertuples()
    ]  # fmt: skip
    board["同比 year on year"] = [year_on_year(b.value, b.previous_value, b.coverage, year) for b in board.itertuples()]
    board["status"] = board["status"].map(status_text)
    board["value"] = board["value"].map(lambda v: "" if pd.isna(v) else f"{v:.4g}")
    board["goal"] = board["goal"].map(lambda v: "" if pd.isna(v) else f"{v:.4g}")
    shown = board[
        ["target_id", "indicator_zh", "indicator_en", "value", "comparator", "goal", "unit", "deadline", "status",
         "edition", "period", "同比 year on year", "note"]
    ].rename(columns={"edition": "标准 standards", "period": "时段与数据覆盖 period and coverage"})  # fmt: skip
    summary = ", ".join(f"{status_text(k)} {v}" for k, v in sorted(counts.items()))
    return format_table(shown, f"规划目标记分板 811 plan scoreboard {year} ({summary})")


def year_on_year(value, previous, coverage, year: int) -> str:
    """同比 of a scoreboard row: the same period of the year before (a year so far) or the year before."""
    same = "上年同期" if coverage == "ytd" else f"{year - 1}年"
    if previous is None or pd.isna(previous):
        return f"{same}无数据 no data a year before"
    return f"{same} {float(previous):.4g}"


RANKING_ORDER = {"composite_index": "综合指数", "pm25": "PM2.5", "good_day_ratio": "优良天数比例"}


def period_text(period: str) -> str:
    """A ranking period for people: ``2019年``, ``2019年6月``, ``2019年1–6月``."""
    if len(period) == 4:
        return f"{period}年"
    if "~" in period:
        return f"{period[:4]}年1–{int(period[-2:])}月"
    return f"{period[:4]}年{int(period[5:7])}月"


def ranking_text(engine: Engine, year: int, universe: str = "zhejiang_11", period: str | None = None,
                 city: str = "衢州") -> str:  # fmt: skip
    """One universe's ranking of one period (default: the year when ranked, else the last 1–N月 or month) by composite
    index, with PM2.5, the good-day ratio, their ranks and 同比, and a sentence on ``city``'s place."""
    frames = {i: _query(engine, "dml/city_ranking/select_city_ranking",
                        {"universe": universe, "indicator": i, "year": str(year)}) for i in RANKING_ORDER}  # fmt: skip
    composite = frames["composite_index"]
    if composite.empty:
        return f"{year}年无排名数据 no ranking for {year} (universe {universe}: no city-days, or not loaded by init-db)"
    periods = list(dict.fromkeys(composite["period"]))
    if period is None:
        period = next((p for p in (str(year), *sorted((p for p in periods if "~" in p), reverse=True)) if p in periods),
                      periods[-1])  # fmt: skip
    if period not in periods:
        return f"{period_text(period)}无排名数据 no ranking for {period}; periods: {', '.join(periods)}"
    rows = composite[composite["period"] == period].set_index("city")

    def shown(values, digits: int, signed: bool = False) -> list[str]:
        return ["—" if pd.isna(v) else f"{float(v):{'+' if signed else ''}.{digits}f}" for v in values]

    table = pd.DataFrame({"排名 rank": rows["rank"], "城市 city": rows.index, "综合指数 I_sum": shown(rows["value"], 2),
                          "同比(%) change": shown(rows["change"], 1, signed=True)})  # fmt: skip
    for indicator, label, digits in (
        ("pm25", "PM2.5 µg/m³", 0),
        ("good_day_ratio", "优良天数比例(%) good-day ratio", 1),
    ):
        other = frames[indicator]
        other = other[other["period"] == period].set_index("city")
        table[label] = shown(other["value"].reindex(rows.index), digits)
        table[f"{label.split()[0]}排名"] = other["rank"].reindex(rows.index).to_numpy()
    table["有效天数 valid days"] = rows["valid_days"].to_numpy()
    table["说明 note"] = rows["note"].to_numpy()
    name = _query(engine, "dml/rank_universe/select_rank_universes", {})
    universe_zh = name.loc[name["universe"] == universe, "universe_zh"]
    title = (f"{period_text(period)} {universe_zh.iloc[0] if len(universe_zh) else universe} 城市环境空气质量排名"
             f"（综合指数升序；环办监测〔2018〕19号，未扣沙）city ranking {period}, {universe}")  # fmt: skip
    lines = [format_table(table.reset_index(drop=True), title)]
    if city in rows.index:
        mine = rows.loc[city]
        if pd.isna(mine["rank"]):
            lines.append(f"{city}{period_text(period)}不参与排名：{mine['note']}")
        else:
            lines.append(f"{city}{period_text(period)}综合指数{mine['value']:.2f}，在{len(rows)}个城市中排名第"
                         f"{int(mine['rank'])}（参与排名{int(mine['n_ranked'])}个）"
                         f" {city} ranks {int(mine['rank'])} of {int(mine['n_ranked'])} ranked")  # fmt: skip
    return "\n".join(lines)
