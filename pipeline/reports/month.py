"""The month report's (月报) tables, for the page (:func:`pipeline.reports.html.render_month_page`) and the
analysts' workbook (``python -m pipeline export month --year Y --month M``) alike. Pure: read from the year's
report data (its city-days with the year before, its ranking, its water months).

Each table is laid out as Zhejiang's city bureaus publish their month reports: the month, 1–N月累计 (January to
the month) and the same periods a year before (同比), Chinese headings first. Values are numbers (None where there
are none) or text; formatting is the page's business.
"""

from __future__ import annotations

import pandas as pd

from pipeline.indicators.composite import period_concentrations
from pipeline.indicators.health import POLLUTANT_ZH

CATEGORY_ORDER = ("优", "良", "轻度污染", "中度污染", "重度污染", "严重污染")
POLLUTANT_NAMES = {"so2": "SO2 µg/m³", "no2": "NO2 µg/m³", "pm10": "PM10 µg/m³", "pm25": "PM2.5 µg/m³",
                   "co": "CO 第95百分位 p95 mg/m³", "o3_8h": "O3日最大8小时第90百分位 O3-8h p90 µg/m³"}  # fmt: skip
UNIVERSES = (("zhejiang_11", "浙江11市"), ("mee_168", "168城市"))
RANKED = (("composite_index", "综合指数", 2), ("pm25", "PM2.5", 0), ("good_day_ratio", "优良天数比例%", 1))

SHEETS = {
    "categories": "类别天数 categories",
    "pollutants": "六项污染物 pollutants",
    "primary": "首要污染物 primary",
    "worst": "最重的日子 worst days",
    "ranking": "城市排名 ranking",
    "water": "地表水 water",
}
"""Each table's name (the workbook's sheets, the page's sections)."""


def primary_pollutant_name(code: str) -> str:
    """A primary pollutant (首要污染物) as bulletins name it: ``o3_8h`` -> 臭氧, ``pm25`` -> PM2.5."""
    return POLLUTANT_ZH.get(code.strip().split("_")[0], code)


def _flags(values: pd.Series) -> pd.Series:
    return values.map(lambda v: str(v).strip().lower() in ("1", "true", "t", "yes")).astype(bool)


def periods(city_days: pd.DataFrame, year: int, month: int) -> dict[str, pd.DataFrame]:
    """The city-days of the month, of 1–N月, and of both a year before."""
    if city_days.empty:
        return {k: city_days for k in ("month", "ytd", "month_before", "ytd_before")}
    stamp = city_days["date"].astype(str).str[:7]
    out = {}
    for key, y in (("month", year), ("month_before", year - 1)):
        out[key] = city_days[stamp == f"{y:04d}-{month:02d}"]
    for key, y in (("ytd", year), ("ytd_before", year - 1)):
        out[key] = city_days[(stamp >= f"{y:04d}-01") & (stamp <= f"{y:04d}-{month:02d}")]
    return out


def good_day_ratio(days: pd.DataFrame) -> tuple[float | None, int, int]:
    """(优良天数比例 %, good days, valid days) of ``days`` (HJ 663-2013: valid days only)."""
    valid = days[_flags(days["valid_day"])] if len(days) else days
    if valid.empty:
        return None, 0, 0
    good = int(pd.to_numeric(valid["is_good"], errors="coerce").fillna(0).sum())
    return 100.0 * good / len(valid), good, len(valid)


def _change(now, before) -> float | None:
    if now is None or before is None or pd.isna(now) or pd.isna(before) or not before:
        return None
    return round(100.0 * (now - before) / before, 1)


def month_tables(city_days: pd.DataFrame, ranking: pd.DataFrame, water_months: pd.DataFrame, year: int, month: int,
                 city: str) -> dict[str, pd.DataFrame]:  # fmt: skip
    """The month report's tables (:data:`SHEETS`). city_days: the city's days of the year and the year before."""
    mine = city_days[city_days["city"] == city] if len(city_days) and "city" in city_days else city_days
    got = periods(mine, year, month)
    ytd = f"1–{month}月累计 Jan–{month:02d}"
    tables = {}
    rows = []
    keys = ("month", "ytd", "month_before", "ytd_before")
    valid = {k: got[k][_flags(got[k]["valid_day"])] if len(got[k]) else got[k] for k in keys}
    for category in CATEGORY_ORDER:  # valid days only (HJ 663); a period without any day is none, not 0
        rows.append(
            [category, *(int((valid[k]["category_zh"] == category).sum()) if len(got[k]) else None for k in keys)]
        )
    rows.append(["无效天（六项不全）invalid days",
                 *(int((~_flags(got[k]["valid_day"])).sum()) if len(got[k]) else None for k in keys)])  # fmt: skip
    ratios = [good_day_ratio(got[k])[0] for k in ("month", "ytd", "month_before", "ytd_before")]
    rows.append(["优良天数比例 good-day ratio %", *(None if r is None else round(r, 1) for r in ratios)])
    tables["categories"] = pd.DataFrame(
        rows, columns=["类别 category", f"{month}月 month", ytd, f"上年{month}月 a year before", f"上年{ytd}"]
    )
    rows = []
    for pollutant, name in POLLUTANT_NAMES.items():
        values = {}
        for k in ("month", "ytd", "month_before", "ytd_before"):
            valid = got[k][_flags(got[k]["valid_day"])] if len(got[k]) else got[k]
            found = period_concentrations(valid).get(pollutant, float("nan")) if len(valid) else float("nan")
            values[k] = None if pd.isna(found) else found
        rows.append([name, values["month"], values["month_before"], _change(values["month"], values["month_before"]),
                     values["ytd"], values["ytd_before"], _change(values["ytd"], values["ytd_before"])])  # fmt: skip
    tables["pollutants"] = pd.DataFrame(rows, columns=[
        "项目 item", f"{month}月 month", f"上年{month}月 a year before", "同比% change", ytd, f"上年{ytd}", "累计同比% change"])  # fmt: skip
    rows = []
    counted = {}
    for k in ("month", "ytd"):
        days = got[k]
        polluted = days[pd.to_numeric(days["aqi"], errors="coerce") > 50] if len(days) else days
        codes = polluted["primary_pollutant"].dropna().astype(str).str.split(";").explode().str.strip() if len(polluted) else pd.Series(dtype=str)  # fmt: skip
        counted[k] = codes[codes != ""].map(primary_pollutant_name).value_counts()
    for name in counted["ytd"].index:
        rows.append([name, int(counted["month"].get(name, 0)), int(counted["ytd"].get(name, 0))])
    tables["primary"] = pd.DataFrame(
        rows, columns=["首要污染物 primary pollutant (AQI > 50)", f"{month}月天数 days", f"{ytd} days"]
    )
    days = got["month"]
    worst = (
        days.assign(aqi_n=pd.to_numeric(days["aqi"], errors="coerce")).dropna(subset=["aqi_n"]) if len(days) else days
    )
    if len(worst):
        worst = worst.sort_values(["aqi_n", "date"], ascending=[False, True]).head(3)
    tables["worst"] = pd.DataFrame(
        [[str(r.date)[:10], int(r.aqi_n), r.category_zh,
          "、".join(primary_pollutant_name(c) for c in str(r.primary_pollutant or "").split(";") if c) or None]
         for r in worst.itertuples()] if len(worst) else [],
        columns=["日期 date", "AQI", "类别 category", "首要污染物 primary pollutant"],
    )  # fmt: skip
    rows = []
    for p, name in ((f"{year:04d}-{month:02d}", f"{month}月 month"), (f"{year:04d}-01~{month:02d}", ytd)):
        for universe, uname in UNIVERSES:
            for indicator, iname, digits in RANKED:
                found = ranking[(ranking["universe"] == universe) & (ranking["period"] == p)
                                & (ranking["indicator"] == indicator) & (ranking["city"] == city)] if len(ranking) else ranking  # fmt: skip
                if found.empty:
                    continue
                r = found.iloc[0]
                rows.append([name, uname, iname, None if pd.isna(r["value"]) else round(float(r["value"]), digits),
                             None if pd.isna(r["rank"]) else int(r["rank"]), int(r["n_ranked"]),
                             None if pd.isna(r["change"]) else float(r["change"]), r["note"] or None])  # fmt: skip
    tables["ranking"] = pd.DataFrame(rows, columns=[
        "时段 period", "范围 universe", "指标 indicator", "数值 value", "排名 rank", "参与排名 ranked",
        "同比 change (% / 百分点)", "说明 note"])  # fmt: skip
    water = water_months[water_months["month"] == f"{year:04d}-{month:02d}"] if len(water_months) else water_months
    tables["water"] = pd.DataFrame(
        [[r.section_code, r.name_zh, r.river_zh, r.water_class_name, r.target_class, bool(_flags(pd.Series([r.meets_target]))[0]),
          r.limiting_items or None] for r in water.itertuples()] if len(water) else [],
        columns=["断面 section", "名称 name", "河流 river", "水质类别 class", "目标类别 target", "达标 meets", "定类项目 limiting items"],
    )  # fmt: skip
    return tables


def ytd_summary(city_days: pd.DataFrame, year: int, month: int, city: str) -> str:
    """The 1–N月累计 sentence of the opening paragraph (总体情况); '' for January or without valid days."""
    if month == 1:
        return ""
    mine = city_days[city_days["city"] == city] if len(city_days) and "city" in city_days else city_days
    got = periods(mine, year, month)
    ratio, good, valid = good_day_ratio(got["ytd"])
    if ratio is None:
        return ""
    text = f"1–{month}月累计优良天数比例为{ratio:.1f}%（有效{valid}天中优良{good}天）"
    before = good_day_ratio(got["ytd_before"])[0]
    if before is None:
        return text + "，上年同期无数据"
    change = round(ratio - before, 1)
    return text + (f"，同比{'上升' if change > 0 else '下降'}{abs(change):.1f}个百分点" if change else "，同比持平")
