"""The 811 plan's targets and their evaluation.

Plan text (``shared/seed``, section 二, 主要目标): "县以上城市环境空气质量年均浓度值达到或优于二级标准,
城市空气质量达到二级标准天数比例大于95%". This module holds the air targets; water, source and the full
registry follow in their own issues.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipeline.indicators.editions import period_edition, period_label
from pipeline.indicators.evaluation import (
    GRADE_II_LIMITS_GB3095_2012,
    MIN_DAYS_ANNUAL,
    MIN_DAYS_FEBRUARY,
    MIN_DAYS_MONTH,
    annual_statistics,
    good_day_ratio,
)

COMPARATORS = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le, "=": operator.eq}


@dataclass(frozen=True)
class Target:
    id: str
    name_zh: str
    name_en: str
    comparator: str
    value: float
    unit: str
    plan_text: str


PLAN_AIR_TEXT = "县以上城市环境空气质量年均浓度值达到或优于二级标准,城市空气质量达到二级标准天数比例大于95%"

GOOD_AIR_DAYS = Target(
    "air.good_day_ratio",
    "城市空气质量达到二级标准天数比例(优良天数比例)",
    "Share of days with air quality at Grade II or better (good-air days)",
    ">",
    95.0,
    "%",
    PLAN_AIR_TEXT,
)
"""811 plan, section 二: good-air days > 95 % (AQI <= 100 over valid days, HJ 663-2013)."""

_ANNUAL_NAMES = {
    "so2": ("二氧化硫年均浓度", "SO2 annual mean"),
    "no2": ("二氧化氮年均浓度", "NO2 annual mean"),
    "pm10": ("PM10年均浓度", "PM10 annual mean"),
    "pm25": ("PM2.5年均浓度", "PM2.5 annual mean"),
    "co": ("一氧化碳24小时平均第95百分位数", "CO 24-h mean, 95th percentile"),
    "o3_8h": ("臭氧日最大8小时平均第90百分位数", "O3 daily max 8-h mean, 90th percentile"),
}

ANNUAL_GRADE_II = {
    row.pollutant: Target(
        f"air.annual.{row.pollutant}",
        _ANNUAL_NAMES[row.pollutant][0] + "(二级标准)",
        _ANNUAL_NAMES[row.pollutant][1] + " within Grade II",
        "<=",
        float(row.limit),
        row.unit,
        PLAN_AIR_TEXT,
    )
    for row in GRADE_II_LIMITS_GB3095_2012.itertuples()
}
"""811 plan, section 二: annual concentrations within Grade II. ``value`` is the GB 3095-2012 Table 1
limit; a year is judged against the limit in force for it (``indicator.target``, from
:func:`pipeline.indicators.evaluation.annual_statistics`: GB 3095-2026 transition limits 2026-2030,
final limits from 2031)."""

AIR_TARGETS = {GOOD_AIR_DAYS.id: GOOD_AIR_DAYS, **{t.id: t for t in ANNUAL_GRADE_II.values()}}


def status(value: float, target: Target, goal: float | None = None) -> str:
    """``met``, ``missed`` or ``no_data`` for one value against its target (or ``goal``, when the
    target's value depends on the period, e.g. the Grade II limit in force)."""
    if value is None or pd.isna(value):
        return "no_data"
    return "met" if COMPARATORS[target.comparator](float(value), target.value if goal is None else goal) else "missed"


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
                    "comparator": target.comparator,
                    "target": target.value,
                    "status": status(value, target),
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
                "comparator": target.comparator,
                "target": float(r.limit),
                "status": status(value, target, float(r.limit)),
                "data_complete": bool(r.complete),
                "n": int(r.n_days),
                "detail": f"{r.statistic} of {int(r.n_days)} valid days",
                "edition": f"{judged.limits_standard} · {judged.evaluation}",
            }
        )
    return pd.DataFrame(rows)


PLAN_WATER_TEXT = (
    "钱塘江干流(衢州段)水质达标率达到90%以上,全年保持III类水质;县以上城市集中式饮用水源地水质达标率达到100%"
    "(2012年95%以上);乡镇饮用水源地水质达标率达到75%以上"
)


def _water_target(id_, name_zh, name_en, value) -> Target:
    return Target(id_, name_zh, name_en, ">=", value, "%", PLAN_WATER_TEXT)


WATER_TARGETS = {
    t.id: t
    for t in [
        _water_target("water.qiantang_compliance", "钱塘江干流(衢州段)水质达标率", "Qiantang main stream (Quzhou): sections meeting their target", 90.0),
        _water_target("water.qiantang_class_iii", "钱塘江干流(衢州段)I~III类水质断面比例", "Qiantang main stream (Quzhou): sections in Class I-III", 100.0),
        _water_target("water.drinking_county_sections", "县以上集中式饮用水源地水质达标率(按断面)", "County-and-above drinking-water sources compliant (by section)", 100.0),
        _water_target("water.drinking_county_samples", "县以上集中式饮用水源地水质达标率(按样品)", "County-and-above drinking-water sources compliant (by sample)", 100.0),
        _water_target("water.drinking_township_sections", "乡镇饮用水源地水质达标率(按断面)", "Township drinking-water sources compliant (by section)", 75.0),
        _water_target("water.drinking_township_samples", "乡镇饮用水源地水质达标率(按样品)", "Township drinking-water sources compliant (by sample)", 75.0),
    ]
}  # fmt: skip
"""811 plan, section 二 water targets. County-and-above sources: >= 95 % up to 2012, 100 % by 2015."""

ALL_TARGETS = {**AIR_TARGETS, **WATER_TARGETS}


def _target_value(target: Target, year: int) -> float:
    if target.id.startswith("water.drinking_county") and year <= 2012:
        return 95.0  # 811 plan: 县以上城市集中式饮用水源地水质达标率 2012年95%以上
    return target.value


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

    def add(target: Target, period: str, ok: pd.Series, n_expected: int, what: str) -> None:
        n = int(ok.notna().sum())
        met = int(ok.fillna(False).astype(bool).sum())
        value = round(100.0 * met / n, 1) if n else None
        goal = _target_value(target, year)
        rows.append(
            {
                "indicator": target.id,
                "scope": "衢州",
                "period": period,
                "value": value,
                "unit": "%",
                "comparator": target.comparator,
                "target": goal,
                "status": "no_data" if value is None else ("met" if value >= goal else "missed"),
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
                    WATER_TARGETS["water.qiantang_compliance"],
                    period,
                    meets,
                    len(codes),
                    "sections meeting their target",
                )
                in_iii = (group["water_class"] <= 3).astype("boolean").where(group["water_class"].notna())
                add(WATER_TARGETS["water.qiantang_class_iii"], period, in_iii, len(codes), "sections in Class I-III")
            else:
                ok = meets & group["table2_ok"].astype("boolean")
                add(WATER_TARGETS[f"water.{name}_sections"], period, ok, len(codes), "sources compliant")
        if name != "qiantang" and len(samples):
            chosen = samples[samples["section_code"].isin(codes)].copy()
            chosen["month"] = pd.to_datetime(chosen["sampled_at"]).dt.strftime("%Y-%m")
            ok_all = chosen["meets_target"].astype("boolean") & chosen["table2_ok"].astype("boolean")
            for month, index in chosen.groupby("month").groups.items():
                add(WATER_TARGETS[f"water.{name}_samples"], month, ok_all.loc[index], len(codes), "samples compliant")
            add(WATER_TARGETS[f"water.{name}_samples"], str(year), ok_all, 12 * len(codes), "samples compliant")
    return pd.DataFrame(rows)


PLAN_SOURCE_TEXT = (
    "重点工业污染源实现稳定达标排放;化学需氧量、氨氮、二氧化硫、氮氧化物排放总量控制在省下达指标以内;"
    "铅、汞、铬、砷等重金属排放量比2009年下降5%以上"
)

SOURCE_TARGETS = {
    "sources.key_compliance": Target(
        "sources.key_compliance", "重点污染源达标排放率(按源日)", "Key sources: compliant source-days", ">=", 100.0, "%", PLAN_SOURCE_TEXT
    ),
    "sources.key_steady": Target(
        "sources.key_steady", "重点污染源稳定达标比例(每月达标)", "Key sources compliant in every month (steady)", ">=", 100.0, "%", PLAN_SOURCE_TEXT
    ),
}  # fmt: skip
SOURCE_NAMES = {"cod": ("化学需氧量", "COD"), "nh3n": ("氨氮", "NH3-N"), "so2": ("二氧化硫", "SO2"), "nox": ("氮氧化物", "NOx"),
                "pb": ("铅", "lead"), "cd": ("镉", "cadmium"), "hg": ("汞", "mercury"), "as": ("砷", "arsenic"),
                "cr6": ("六价铬", "chromium (VI)")}  # fmt: skip
for _code, (_zh, _en) in SOURCE_NAMES.items():
    SOURCE_TARGETS[f"sources.total.{_code}"] = Target(
        f"sources.total.{_code}", f"{_zh}排放总量", f"{_en} emitted (total)", "<=", np.nan, "t", PLAN_SOURCE_TEXT
    )
ALL_TARGETS.update(SOURCE_TARGETS)


def source_indicator_rows(days: pd.DataFrame, outlets: pd.DataFrame, caps: pd.DataFrame, year: int) -> pd.DataFrame:
    """The plan's source indicators of ``year``. Pure.

    days: ``source_outlet_day`` rows with ``key_source`` and ``county_zh``; caps: ``source_cap`` rows.
    Key-source compliance = compliant source-days / assessed source-days (only valid, flag-N data);
    steady = key outlets compliant in every month assessed; totals = loads of valid hours [t] against the
    cap (``<=`` cap) or the baseline (``<=`` baseline x (1 - reduction))."""
    from pipeline.indicators.sources import compliance_rate, steady_share

    key = days[days["key_source"].astype(bool)]
    rows = []

    def add(target: Target, period: str, value, goal: float, n: int, detail: str, complete: bool) -> None:
        status = (
            "no_data"
            if value is None or pd.isna(value)
            else ("met" if COMPARATORS[target.comparator](value, goal) else "missed")
        )
        rows.append({"indicator": target.id, "scope": "衢州", "period": period, "value": None if value is None or pd.isna(value) else float(value),
                     "unit": target.unit, "comparator": target.comparator, "target": goal, "status": status,
                     "data_complete": complete, "n": n, "detail": detail, "edition": "source standards per outlet"})  # fmt: skip

    target = SOURCE_TARGETS["sources.key_compliance"]
    months = key.assign(month=key["date"].astype(str).str[:7])
    for month, group in months.groupby("month"):
        rate, ok, n = compliance_rate(group)
        add(target, month, rate, target.value, n, f"{ok} of {n} source-days compliant", True)
    rate, ok, n = compliance_rate(key)
    add(target, str(year), rate, target.value, n, f"{ok} of {n} source-days compliant", False)
    share, ok, n = steady_share(key, key["outlet_code"].unique())
    target = SOURCE_TARGETS["sources.key_steady"]
    add(target, str(year), share, target.value, n, f"{ok} of {n} key outlets compliant every month", False)

    loads = days.groupby("pollutant")["load_kg"].sum() / 1000.0
    for cap in caps.itertuples():
        if cap.pollutant not in loads.index:
            continue
        target = SOURCE_TARGETS[f"sources.total.{cap.pollutant}"]
        if cap.kind == "baseline":
            goal = cap.value_t * (1 - cap.reduction_pct / 100.0)
            detail = f"{loads[cap.pollutant]:.4g} t vs {cap.baseline_year} baseline {cap.value_t:g} t - {cap.reduction_pct:g} %"
        else:
            goal = cap.value_t
            detail = f"{loads[cap.pollutant]:.4g} t vs cap {cap.value_t:g} t ({cap.note})"
        outlets_with = days.loc[days["pollutant"] == cap.pollutant, "outlet_code"].nunique()
        add(target, str(year), loads[cap.pollutant], goal, int(outlets_with), detail, False)
    return pd.DataFrame(rows)
