"""The computed indicators of the 811 plan: what each measures (names, unit, plan text), and their rows
for a year from the warehouse's day tables. Pure.

Goals come from the one registry (:mod:`pipeline.plan.registry`), never from here: a row's ``target`` and
``comparator`` are the registry's target for the indicator in force that year, or, for the annual air
concentrations, the standard's limit in force (GB 3095-2012 / GB 3095-2026 Table 1), or, for emission
totals, the cap of ``data/reference/source_caps_quzhou.csv``. Status: :func:`pipeline.plan.registry.status`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipeline.glossary import ANNUAL_AIR_STATISTICS, SOURCE_POLLUTANTS
from pipeline.indicators.composite import COMPOSITE_LIMITS, composite_rows
from pipeline.indicators.composite import METHOD as COMPOSITE_METHOD
from pipeline.indicators.coverage import (
    Coverage,
    best_good_day_ratio,
    coverage,
    days_to_date,
    period_days,
    prorated,
)
from pipeline.indicators.editions import period_edition, period_label
from pipeline.indicators.evaluation import annual_statistics, good_day_ratio
from pipeline.plan.registry import plan_goal, status, ytd_months, ytd_outlook


@dataclass(frozen=True)
class Indicator:
    """A computed indicator: its id (``indicator.indicator``), names, unit and the plan text it measures."""

    id: str
    name_zh: str
    name_en: str
    unit: str
    plan_text: str


def goal(indicator: Indicator, year: int) -> tuple[str, float | None]:
    """(comparator, goal) of ``indicator`` in ``year`` from the registry; (">=", None) without one."""
    found = plan_goal(indicator.id, year)
    return found if found is not None else (">=", None)


PLAN_AIR_TEXT = "县以上城市环境空气质量年均浓度值达到或优于二级标准,城市空气质量达到二级标准天数比例大于95%"

GOOD_AIR_DAYS = Indicator(
    "air.good_day_ratio",
    "城市空气质量达到二级标准天数比例(优良天数比例)",
    "Share of days with air quality at Grade II or better (good-air days)",
    "%",
    PLAN_AIR_TEXT,
)
"""811 plan, section 二: good-air days (AQI <= 100 over valid days, HJ 663-2013); goal: the registry's."""

ANNUAL_GRADE_II = {
    code: Indicator(
        f"air.annual.{code}", item.name_zh + "(二级标准)", item.name_en + " within Grade II", item.unit, PLAN_AIR_TEXT
    )
    for code, item in ANNUAL_AIR_STATISTICS.items()
}
"""811 plan, section 二: annual concentrations within Grade II, each judged against the limit in force for
its year (``<=``; :func:`pipeline.indicators.evaluation.annual_statistics`: GB 3095-2012 Table 1 to 2025,
GB 3095-2026 transition limits 2026-2030, final limits from 2031)."""

COMPOSITE_INDEX = Indicator(
    "air.composite_index",
    "环境空气质量综合指数",
    "Ambient air quality composite index (I_sum)",
    "1",
    "城市环境空气质量排名（环办监测〔2018〕19号），非规划目标 ranking index, not a plan target",
)
"""I_sum per city, month and year (:mod:`pipeline.indicators.composite`); smaller is cleaner."""

AIR_INDICATORS = {
    GOOD_AIR_DAYS.id: GOOD_AIR_DAYS,
    **{i.id: i for i in ANNUAL_GRADE_II.values()},
    COMPOSITE_INDEX.id: COMPOSITE_INDEX,
}


ROW_COLUMNS = ["indicator", "scope", "period", "value", "unit", "comparator", "target", "status", "data_complete",
               "n", "detail", "edition", "first_day", "last_day", "n_valid", "n_expected", "coverage", "outlook"]  # fmt: skip
"""The ``indicator`` table's columns, in order: what :func:`indicator_row` returns."""


def indicator_row(indicator: Indicator, scope: str, period: str, value, cover: Coverage, comparator: str, goal,
                  n: int, detail: str, edition: str, ytd_goal=None, best=None) -> dict:  # fmt: skip
    """One ``indicator`` row: the one constructor of every indicator the pipeline stores. Pure.

    cover: the period's :func:`pipeline.indicators.coverage.coverage` (``data_complete`` and ``coverage`` come
    from it, nowhere else). Status: with no goal (``comparator`` ``=``) ``measured`` (``no_data`` without a
    value); for a complete period ``met``/``missed`` (:func:`pipeline.plan.registry.status`); for a period so
    far ``at_risk``/``on_track`` by :func:`pipeline.plan.registry.ytd_outlook`, the value so far against
    ``ytd_goal`` (default ``goal``; for emission totals the cap pro-rated by days), ``best`` the best the year
    can still reach (good-day ratio), and ``outlook`` says so with the coverage ('' for a complete period).
    """
    value = None if value is None or pd.isna(value) else float(value)
    goal = None if goal is None or pd.isna(goal) else float(goal)
    outlook = ""
    if goal is None and comparator == "=":
        state = "no_data" if value is None else "measured"
    elif cover.complete:
        state = status(value, comparator, goal)
    elif cover.period_kind == "partial":  # over, with too little data: not judged, the value for reference only
        state = "no_data" if value is None else "unjudged"
        outlook = "数据不完整，不作达标评价，数值仅供参考 incomplete data: not judged, the value for reference only"
    else:
        compared = goal if ytd_goal is None else float(ytd_goal)
        state, note = ytd_outlook(value, comparator, compared, best)
        against = "" if ytd_goal is None or compared is None else f"；折算目标 pro-rated goal {compared:.4g}"
        outlook = f"{ytd_months(cover.last_day)}：{note}{against}"
    return {
        "indicator": indicator.id, "scope": scope, "period": period, "value": value, "unit": indicator.unit,
        "comparator": comparator, "target": goal, "status": state, "data_complete": cover.complete, "n": int(n),
        "detail": detail, "edition": edition, "first_day": cover.first_day, "last_day": cover.last_day,
        "n_valid": int(cover.n_valid), "n_expected": int(cover.n_expected), "coverage": cover.period_kind,
        "outlook": outlook,
    }  # fmt: skip


def _frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=ROW_COLUMNS)


def _by_scope_and(days: pd.DataFrame, column: str) -> dict:
    """The days of each (city, ``column`` value): each city's month or year, split once."""
    return dict(tuple(days.groupby(["city", column], sort=False)))


def _good_day_rows(days: pd.DataFrame, year: int, edition_of) -> list[dict]:
    """The good-air-day ratio per city, month and year (HJ 663-2013 §5.2): at risk when the ratio so far
    misses the goal; the note says whether the goal is still reachable if every remaining day were good."""
    target = GOOD_AIR_DAYS
    comparator, goal_value = goal(target, year)
    rows = []
    for freq, column in (("month", "month"), ("year", "year")):
        of_period = _by_scope_and(days, column)
        for r in good_day_ratio(days, "city", freq).itertuples():
            chosen = of_period[(r.scope, r.period)]
            cover = coverage(r.period, chosen["day"], chosen["valid_day"].astype(bool))
            best = None
            if not cover.complete and cover.last_day:
                elapsed = days_to_date(year, cover.last_day) - (
                    0 if freq == "year" else days_to_date(year, r.period + "-01") - 1
                )
                best = best_good_day_ratio(int(r.good_days), int(r.valid_days), period_days(r.period) - elapsed)
            value = None if np.isnan(r.ratio_pct) else float(r.ratio_pct)  # unrounded: 95.015 % is > 95 %
            rows.append(indicator_row(
                target, r.scope, r.period, value, cover, comparator, goal_value, int(r.valid_days),
                f"{int(r.good_days)} good of {int(r.valid_days)} valid days ({int(r.days)} days)",
                edition_of(r.scope, r.period), best=best))  # fmt: skip
    return rows


def _annual_rows(days: pd.DataFrame, year: int) -> list[dict]:
    """Annual concentrations against the Grade II limit in force (HJ 663-2013 §5.1); a year so far is at
    risk when its value so far exceeds the limit."""
    judged = period_edition(str(year))
    of_year = _by_scope_and(days, "year")
    rows = []
    for r in annual_statistics(days, year).itertuples():
        target = ANNUAL_GRADE_II[r.pollutant]
        chosen = of_year[(r.city, str(year))]
        cover = coverage(str(year), chosen["day"], chosen[r.pollutant].notna())
        rows.append(indicator_row(
            target, r.city, str(year), r.value, cover, "<=", float(r.limit), int(r.n_days),
            f"{r.statistic} of {int(r.n_days)} valid days", f"{judged.limits_standard} · {judged.evaluation}"))  # fmt: skip
    return rows


def _composite_rows(days: pd.DataFrame, year: int) -> list[dict]:
    """I_sum per city, month and year (measured: no goal)."""
    of_period = {column: _by_scope_and(days, column) for column in ("month", "year")}
    rows = []
    for r in composite_rows(days, year).itertuples():
        column = "year" if len(r.period) == 4 else "month"
        chosen = of_period[column][(r.scope, r.period)]
        cover = coverage(r.period, chosen["day"], chosen["valid_day"].astype(bool))
        singles = "; ".join(
            f"I({p})={getattr(r, f'i_{p}'):.2f}" for p in COMPOSITE_LIMITS if not np.isnan(getattr(r, f"i_{p}"))
        )
        rows.append(indicator_row(
            COMPOSITE_INDEX, r.scope, r.period, r.i_sum, cover, "=", None, cover.n_valid,
            f"{singles}; largest {r.largest}" if r.largest else singles, COMPOSITE_METHOD))  # fmt: skip
    return rows


def air_indicator_rows(city_days: pd.DataFrame, year: int) -> pd.DataFrame:
    """Every air indicator of ``year`` (and its months) per city, with its status and coverage. Pure.

    city_days: ``air_city_day`` rows (``city, date, so2 ... o3_8h, aqi, valid_day, edition``).
    Returns rows in the ``indicator`` table's columns (:func:`indicator_row`).
    """
    dates = pd.to_datetime(city_days["date"])
    days = city_days[dates.dt.year == year].assign(date=dates[dates.dt.year == year])
    if days.empty:
        return _frame([])
    days = days.assign(month=days["date"].dt.strftime("%Y-%m"), year=days["date"].dt.strftime("%Y"),
                       day=days["date"].dt.strftime("%Y-%m-%d"))  # fmt: skip
    day_editions = {}  # (city, period) -> edition codes of its days
    for column in ("month", "year"):
        for (city, period), used in days.groupby(["city", column], sort=False)["edition"]:
            day_editions[(city, period)] = set(used)

    def edition_of(city: str, period: str) -> str:
        return period_label(period, day_editions.get((city, period), ()))

    return _frame(_good_day_rows(days, year, edition_of) + _annual_rows(days, year) + _composite_rows(days, year))


PLAN_WATER_TEXT = (
    "钱塘江干流(衢州段)水质达标率达到90%以上,全年保持III类水质;县以上城市集中式饮用水源地水质达标率达到100%"
    "(2012年95%以上);乡镇饮用水源地水质达标率达到75%以上"
)


def _water(id_, name_zh, name_en) -> Indicator:
    return Indicator(id_, name_zh, name_en, "%", PLAN_WATER_TEXT)


WATER_INDICATORS = {
    i.id: i
    for i in [
        _water("water.qiantang_compliance", "钱塘江干流(衢州段)水质达标率", "Qiantang main stream (Quzhou): sections meeting their target"),
        _water("water.qiantang_class_iii", "钱塘江干流(衢州段)I~III类水质断面比例", "Qiantang main stream (Quzhou): sections in Class I-III"),
        _water("water.drinking_county_sections", "县以上集中式饮用水源地水质达标率(按断面)", "County-and-above drinking-water sources compliant (by section)"),
        _water("water.drinking_county_samples", "县以上集中式饮用水源地水质达标率(按样品)", "County-and-above drinking-water sources compliant (by sample)"),
        _water("water.drinking_township_sections", "乡镇饮用水源地水质达标率(按断面)", "Township drinking-water sources compliant (by section)"),
        _water("water.drinking_township_samples", "乡镇饮用水源地水质达标率(按样品)", "Township drinking-water sources compliant (by sample)"),
    ]
}  # fmt: skip
"""811 plan, section 二 water indicators; goals from the registry (county-and-above sources: >= 95 % up
to 2012, 100 % by 2015)."""


def water_indicator_rows(
    periods: pd.DataFrame, samples: pd.DataFrame, registry: pd.DataFrame, year: int
) -> pd.DataFrame:
    """The plan's water indicators of ``year`` and its months. Pure.

    periods: manual section classes (``section_code, period, n_samples, water_class, meets_target,
    table2_ok``); samples: manual sample classes (``section_code, sampled_at, meets_target,
    table2_ok``); registry: the water sections. A section or sample complies when its class is no
    worse than its target class (环办〔2011〕22号: class_num <= target_num); a drinking-water source also
    needs its GB 3838-2002 Table 2 items within limits. Rate = compliant / assessed x 100 %.
    """
    groups = {
        "qiantang": registry["is_qiantang_mainstream"].astype(bool),
        "drinking_county": registry["drinking_source_level"] == "county",
        "drinking_township": registry["drinking_source_level"] == "township",
    }
    rows = []

    def add(target: Indicator, period: str, ok: pd.Series, cover: Coverage, what: str) -> None:
        n = int(ok.notna().sum())
        met = int(ok.fillna(False).astype(bool).sum())
        value = round(100.0 * met / n, 1) if n else None
        rows.append(indicator_row(target, "衢州", period, value, cover, *goal(target, year), n, f"{met} of {n} {what}",
                                  "GB 3838-2002"))  # fmt: skip

    months = periods[periods["period"].astype(str).str.len() == 7] if len(periods) else periods

    def section_months(codes: set, period: str, ok_of) -> Coverage:
        """Section-months with a class: all 12 months of every section make a year (环办〔2011〕22号)."""
        chosen = months[months["section_code"].isin(codes)] if len(months) else months
        if len(chosen):
            chosen = chosen[chosen["period"].astype(str).str.startswith(period)]
        ok = ok_of(chosen) if len(chosen) else pd.Series(dtype="boolean")
        return coverage(period, chosen["period"] if len(chosen) else [], ok.notna() if len(chosen) else None,
                        chosen["section_code"] if len(chosen) else None, len(codes), rule="months")  # fmt: skip

    def meeting(group: pd.DataFrame) -> pd.Series:
        return group["meets_target"].astype("boolean")

    def class_iii(group: pd.DataFrame) -> pd.Series:
        return (group["water_class"] <= 3).astype("boolean").where(group["water_class"].notna())

    def source_ok(group: pd.DataFrame) -> pd.Series:
        return group["meets_target"].astype("boolean") & group["table2_ok"].astype("boolean")

    for name, in_group in groups.items():
        codes = set(registry.loc[in_group, "section_code"])
        if not codes:
            continue
        chosen = periods[periods["section_code"].isin(codes)] if len(periods) else periods
        for period, group in chosen.groupby("period") if len(chosen) else []:
            if name == "qiantang":
                add(
                    WATER_INDICATORS["water.qiantang_compliance"],
                    period,
                    meeting(group),
                    section_months(codes, period, meeting),
                    "sections meeting their target",
                )
                add(WATER_INDICATORS["water.qiantang_class_iii"], period, class_iii(group),
                    section_months(codes, period, class_iii), "sections in Class I-III")  # fmt: skip
            else:
                add(WATER_INDICATORS[f"water.{name}_sections"], period, source_ok(group),
                    section_months(codes, period, source_ok), "sources compliant")  # fmt: skip
        if name != "qiantang" and len(samples):
            chosen = samples[samples["section_code"].isin(codes)].copy()
            chosen["month"] = pd.to_datetime(chosen["sampled_at"]).dt.strftime("%Y-%m")
            chosen["day"] = pd.to_datetime(chosen["sampled_at"]).dt.strftime("%Y-%m-%d")
            ok_all = chosen["meets_target"].astype("boolean") & chosen["table2_ok"].astype("boolean")
            target = WATER_INDICATORS[f"water.{name}_samples"]
            for month, index in chosen.groupby("month").groups.items():
                part = chosen.loc[index]
                cover = coverage(month, part["day"], ok_all.loc[index].notna(), part["section_code"], len(codes),
                                 rule="months")  # fmt: skip
                add(target, month, ok_all.loc[index], cover, "samples compliant")
            cover = coverage(
                str(year), chosen["day"], ok_all.notna(), chosen["section_code"], len(codes), rule="months"
            )
            add(target, str(year), ok_all, cover, "samples compliant")
    return _frame(rows)


PLAN_SOURCE_TEXT = (
    "重点工业污染源实现稳定达标排放;化学需氧量、氨氮、二氧化硫、氮氧化物排放总量控制在省下达指标以内;"
    "铅、汞、铬、砷等重金属排放量比2009年下降5%以上"
)

SOURCE_INDICATORS = {
    i.id: i
    for i in [
        Indicator("sources.key_compliance", "重点污染源达标排放率(按源日)", "Key sources: compliant source-days", "%", PLAN_SOURCE_TEXT),
        Indicator("sources.key_steady", "重点污染源稳定达标比例(每月达标)", "Key sources compliant in every month (steady)", "%", PLAN_SOURCE_TEXT),
        *(Indicator(f"sources.total.{code}", f"{p.name_zh}排放总量", f"{p.name_en} emitted (total)", p.unit, PLAN_SOURCE_TEXT)
          for code, p in SOURCE_POLLUTANTS.items()),
    ]
}  # fmt: skip
"""811 plan, section 二 source indicators: compliance goals from the registry; totals against the caps of
``data/reference/source_caps_quzhou.csv`` (``<=`` the cap, or the baseline less the reduction)."""

PLAN_ACID_RAIN_TEXT = "酸雨率和酸度均有所下降"
PLAN_NOISE_TEXT = "区域环境噪声小于55分贝的县以上城市比例达到75%以上"

MEASURED_INDICATORS = {
    i.id: i
    for i in [
        Indicator("acid_rain.frequency", "酸雨率", "Acid-rain frequency (samples with pH < 5.6)", "%", PLAN_ACID_RAIN_TEXT),
        Indicator("acid_rain.mean_ph", "降水pH均值(雨量加权)", "Rainfall-weighted mean pH of precipitation", "pH", PLAN_ACID_RAIN_TEXT),
        Indicator("noise.city_mean", "城市区域环境噪声平均值", "Regional environmental noise, city mean (daytime Leq)", "dB(A)", PLAN_NOISE_TEXT),
        Indicator("noise.county_share_below_55", "区域环境噪声小于55分贝的县以上城市比例", "County-and-above cities below 55 dB(A)", "%", PLAN_NOISE_TEXT),
        Indicator("noise.zone_compliance", "功能区噪声达标率", "Grid points within their zone's daytime limit", "%", PLAN_NOISE_TEXT),
    ]
}  # fmt: skip
"""Indicators measured from departments' samples (:mod:`pipeline.jobs.annual`): no goal in the row
(``comparator`` ``=``); the scoreboard compares them year on year as the registry says."""

INDICATORS = {**AIR_INDICATORS, **WATER_INDICATORS, **SOURCE_INDICATORS, **MEASURED_INDICATORS}
"""Every computed indicator of the plan, by id (``indicator.indicator``)."""


def source_indicator_rows(days: pd.DataFrame, outlets: pd.DataFrame, caps: pd.DataFrame, year: int) -> pd.DataFrame:
    """The plan's source indicators of ``year``. Pure.

    days: ``source_outlet_day`` rows with ``key_source`` and ``county_zh``; caps: ``source_cap`` rows.
    Key-source compliance = compliant source-days / assessed source-days (only valid, flag-N data);
    steady = key outlets compliant in every month assessed; totals = loads of valid hours [t] against the
    cap (``<=`` cap) or the baseline (``<=`` baseline x (1 - reduction))."""
    from pipeline.indicators.sources import compliance_rate, steady_share

    key = days[days["key_source"].astype(bool)]
    registered = set(outlets.loc[outlets["key_source"].astype(bool), "outlet_code"]) if len(outlets) else set()
    key_outlets = registered | set(key["outlet_code"])
    rows = []

    def add(target: Indicator, period: str, value, comparator: str, goal_value, n: int, detail: str,
            cover: Coverage, ytd_goal=None) -> None:  # fmt: skip
        rows.append(indicator_row(target, "衢州", period, value, cover, comparator, goal_value, n, detail,
                                  "source standards per outlet", ytd_goal=ytd_goal))  # fmt: skip

    def outlet_months(period: str, chosen: pd.DataFrame, n_outlets: int) -> Coverage:
        """Outlet-months with data: a year is complete with 12 months of every outlet."""
        return coverage(period, chosen["date"].astype(str), None, chosen["outlet_code"], n_outlets, rule="months")

    target = SOURCE_INDICATORS["sources.key_compliance"]
    months = key.assign(month=key["date"].astype(str).str[:7])
    for month, group in months.groupby("month"):
        rate, ok, n = compliance_rate(group)
        add(target, month, rate, *goal(target, year), n, f"{ok} of {n} source-days compliant",
            outlet_months(month, group, len(key_outlets)))  # fmt: skip
    year_cover = outlet_months(str(year), key, len(key_outlets))
    rate, ok, n = compliance_rate(key)
    add(target, str(year), rate, *goal(target, year), n, f"{ok} of {n} source-days compliant", year_cover)
    share, ok, n = steady_share(key, key["outlet_code"].unique())
    target = SOURCE_INDICATORS["sources.key_steady"]
    add(target, str(year), share, *goal(target, year), n, f"{ok} of {n} key outlets compliant every month", year_cover)

    loads = days.groupby("pollutant")["load_kg"].sum() / 1000.0
    for cap in caps.itertuples():
        if cap.pollutant not in loads.index:
            continue
        target = SOURCE_INDICATORS[f"sources.total.{cap.pollutant}"]
        if cap.kind == "baseline":
            cap_t = cap.value_t * (1 - cap.reduction_pct / 100.0)
            detail = f"{loads[cap.pollutant]:.4g} t vs {int(cap.baseline_year)} baseline {cap.value_t:g} t - {cap.reduction_pct:g} %"
        else:
            cap_t = cap.value_t
            detail = f"{loads[cap.pollutant]:.4g} t vs cap {cap.value_t:g} t ({cap.note})"
        emitting = days[days["pollutant"] == cap.pollutant]
        outlets_with = emitting["outlet_code"].nunique()
        cover = outlet_months(str(year), emitting, int(outlets_with))
        to_date = (
            prorated(cap_t, days_to_date(year, cover.last_day), period_days(str(year))) if cover.last_day else None
        )
        add(target, str(year), loads[cap.pollutant], "<=", cap_t, int(outlets_with), detail, cover, ytd_goal=to_date)
    return _frame(rows)
