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
from pipeline.indicators.editions import period_edition, period_label
from pipeline.indicators.evaluation import (
    MIN_DAYS_ANNUAL,
    MIN_DAYS_FEBRUARY,
    MIN_DAYS_MONTH,
    annual_statistics,
    good_day_ratio,
)
from pipeline.plan.registry import plan_goal, status


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


def _period_complete(period: str, valid_days: int) -> bool:
    """GB 3095-2012 Table 4 capture: >= 324 days a year; >= 27 a month (25 in February)."""
    if len(period) == 4:
        return valid_days >= MIN_DAYS_ANNUAL
    return valid_days >= (MIN_DAYS_FEBRUARY if period.endswith("-02") else MIN_DAYS_MONTH)


def air_indicator_rows(city_days: pd.DataFrame, year: int) -> pd.DataFrame:
    """Every air indicator of ``year`` (and its months) per city, with its status. Pure.

    city_days: ``air_city_day`` rows (``city, date, so2 ... o3_8h, aqi, valid_day, edition``).
    Returns rows in the ``indicator`` table's columns.
    """
    dates = pd.to_datetime(city_days["date"])
    days = city_days[dates.dt.year == year].assign(date=dates[dates.dt.year == year])
    rows = []
    if days.empty:
        return pd.DataFrame(rows)
    with_periods = days.assign(month=days["date"].dt.strftime("%Y-%m"), year=days["date"].dt.strftime("%Y"))
    day_editions = {}  # (city, period) -> edition codes of its days
    for column in ("month", "year"):
        for (city, period), used in with_periods.groupby(["city", column], sort=False)["edition"]:
            day_editions[(city, period)] = set(used)

    def edition_of(city: str, period: str) -> str:
        return period_label(period, day_editions.get((city, period), ()))

    target = GOOD_AIR_DAYS
    comparator, goal_value = goal(target, year)
    for freq in ("month", "year"):
        for r in good_day_ratio(days, "city", freq).itertuples():
            value = None if np.isnan(r.ratio_pct) else float(r.ratio_pct)  # unrounded: 95.015 % is > 95 %
            rows.append(
                {
                    "indicator": target.id,
                    "scope": r.scope,
                    "period": r.period,
                    "value": value,
                    "unit": target.unit,
                    "comparator": comparator,
                    "target": goal_value,
                    "status": status(value, comparator, goal_value),
                    "data_complete": _period_complete(r.period, int(r.valid_days)),
                    "n": int(r.valid_days),
                    "detail": f"{int(r.good_days)} good of {int(r.valid_days)} valid days ({int(r.days)} days)",
                    "edition": edition_of(r.scope, r.period),
                }
            )
    judged = period_edition(str(year))
    for r in annual_statistics(days, year).itertuples():
        target = ANNUAL_GRADE_II[r.pollutant]
        value = None if np.isnan(r.value) else float(r.value)
        rows.append(
            {
                "indicator": target.id,
                "scope": r.city,
                "period": str(year),
                "value": value,
                "unit": target.unit,
                "comparator": "<=",
                "target": float(r.limit),
                "status": status(value, "<=", float(r.limit)),
                "data_complete": bool(r.complete),
                "n": int(r.n_days),
                "detail": f"{r.statistic} of {int(r.n_days)} valid days",
                "edition": f"{judged.limits_standard} · {judged.evaluation}",
            }
        )
    valid = with_periods[with_periods["valid_day"].astype(bool)]
    valid_days = {
        **valid.groupby(["city", "month"]).size().to_dict(),
        **valid.groupby(["city", "year"]).size().to_dict(),
    }
    for r in composite_rows(days, year).itertuples():
        n = int(valid_days.get((r.scope, r.period), 0))
        singles = "; ".join(
            f"I({p})={getattr(r, f'i_{p}'):.2f}" for p in COMPOSITE_LIMITS if not np.isnan(getattr(r, f"i_{p}"))
        )
        rows.append(
            {
                "indicator": COMPOSITE_INDEX.id, "scope": r.scope, "period": r.period,
                "value": None if np.isnan(r.i_sum) else float(r.i_sum), "unit": COMPOSITE_INDEX.unit,
                "comparator": "=", "target": None, "status": "no_data" if np.isnan(r.i_sum) else "measured",
                "data_complete": _period_complete(r.period, n), "n": n,
                "detail": f"{singles}; largest {r.largest}" if r.largest else singles, "edition": COMPOSITE_METHOD,
            }
        )  # fmt: skip
    return pd.DataFrame(rows)


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

    def add(target: Indicator, period: str, ok: pd.Series, n_expected: int, what: str) -> None:
        n = int(ok.notna().sum())
        met = int(ok.fillna(False).astype(bool).sum())
        value = round(100.0 * met / n, 1) if n else None
        comparator, goal_value = goal(target, year)
        rows.append(
            {
                "indicator": target.id,
                "scope": "衢州",
                "period": period,
                "value": value,
                "unit": "%",
                "comparator": comparator,
                "target": goal_value,
                "status": status(value, comparator, goal_value),
                "data_complete": n >= n_expected,
                "n": n,
                "detail": f"{met} of {n} {what}",
                "edition": "GB 3838-2002",
            }
        )

    for name, in_group in groups.items():
        codes = set(registry.loc[in_group, "section_code"])
        if not codes:
            continue
        chosen = periods[periods["section_code"].isin(codes)] if len(periods) else periods
        for period, group in chosen.groupby("period") if len(chosen) else []:
            meets = group["meets_target"].astype("boolean")
            if name == "qiantang":
                add(
                    WATER_INDICATORS["water.qiantang_compliance"],
                    period,
                    meets,
                    len(codes),
                    "sections meeting their target",
                )
                in_iii = (group["water_class"] <= 3).astype("boolean").where(group["water_class"].notna())
                add(WATER_INDICATORS["water.qiantang_class_iii"], period, in_iii, len(codes), "sections in Class I-III")
            else:
                ok = meets & group["table2_ok"].astype("boolean")
                add(WATER_INDICATORS[f"water.{name}_sections"], period, ok, len(codes), "sources compliant")
        if name != "qiantang" and len(samples):
            chosen = samples[samples["section_code"].isin(codes)].copy()
            chosen["month"] = pd.to_datetime(chosen["sampled_at"]).dt.strftime("%Y-%m")
            ok_all = chosen["meets_target"].astype("boolean") & chosen["table2_ok"].astype("boolean")
            for month, index in chosen.groupby("month").groups.items():
                add(
                    WATER_INDICATORS[f"water.{name}_samples"], month, ok_all.loc[index], len(codes), "samples compliant"
                )
            add(WATER_INDICATORS[f"water.{name}_samples"], str(year), ok_all, 12 * len(codes), "samples compliant")
    return pd.DataFrame(rows)


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
    rows = []

    def add(
        target: Indicator, period: str, value, comparator: str, goal_value, n: int, detail: str, complete: bool
    ) -> None:
        rows.append({"indicator": target.id, "scope": "衢州", "period": period, "value": None if value is None or pd.isna(value) else float(value),
                     "unit": target.unit, "comparator": comparator, "target": goal_value, "status": status(value, comparator, goal_value),
                     "data_complete": complete, "n": n, "detail": detail, "edition": "source standards per outlet"})  # fmt: skip

    target = SOURCE_INDICATORS["sources.key_compliance"]
    months = key.assign(month=key["date"].astype(str).str[:7])
    for month, group in months.groupby("month"):
        rate, ok, n = compliance_rate(group)
        add(target, month, rate, *goal(target, year), n, f"{ok} of {n} source-days compliant", True)
    rate, ok, n = compliance_rate(key)
    add(target, str(year), rate, *goal(target, year), n, f"{ok} of {n} source-days compliant", False)
    share, ok, n = steady_share(key, key["outlet_code"].unique())
    target = SOURCE_INDICATORS["sources.key_steady"]
    add(target, str(year), share, *goal(target, year), n, f"{ok} of {n} key outlets compliant every month", False)

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
        outlets_with = days.loc[days["pollutant"] == cap.pollutant, "outlet_code"].nunique()
        add(target, str(year), loads[cap.pollutant], "<=", cap_t, int(outlets_with), detail, False)
    return pd.DataFrame(rows)
