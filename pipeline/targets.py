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

from pipeline.indicators.editions import EDITION_2012
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
"""811 plan, section 二: annual concentrations within GB 3095-2012 Grade II (Table 1)."""

AIR_TARGETS = {GOOD_AIR_DAYS.id: GOOD_AIR_DAYS, **{t.id: t for t in ANNUAL_GRADE_II.values()}}


def status(value: float, target: Target) -> str:
    """``met``, ``missed`` or ``no_data`` for one value against its target."""
    if value is None or pd.isna(value):
        return "no_data"
    return "met" if COMPARATORS[target.comparator](float(value), target.value) else "missed"


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
    editions = days.assign(month=days["date"].dt.strftime("%Y-%m"), year=days["date"].dt.strftime("%Y"))

    def edition_of(city: str, period: str) -> str:
        column = "year" if len(period) == 4 else "month"
        used = editions.loc[(editions["city"] == city) & (editions[column] == period), "edition"]
        others = sorted(set(used) - {EDITION_2012})
        return others[0] if others else EDITION_2012

    target = GOOD_AIR_DAYS
    for freq in ("month", "year"):
        for r in good_day_ratio(days, "city", freq).itertuples():
            value = None if np.isnan(r.ratio_pct) else round(float(r.ratio_pct), 1)
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
                "target": target.value,
                "status": status(value, target),
                "data_complete": bool(r.complete),
                "n": int(r.n_days),
                "detail": f"{r.statistic} of {int(r.n_days)} valid days",
                "edition": edition_of(r.city, str(year)),
            }
        )
    return pd.DataFrame(rows)
