"""The one edition switch: the standards in force by the data's date (shared/reference/README.md, Editions),
and the annual evaluation of a synthetic 2027 (transition limits) and 2031 (final limits)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from pipeline.indicators.editions import (
    EDITIONS,
    EVALUATION_RULES,
    aqi_edition_for,
    edition_for,
    period_edition,
    period_label,
)
from pipeline.indicators.evaluation import annual_statistics
from pipeline.plan.indicators import air_indicator_rows


@pytest.mark.parametrize(
    "date,code,aqi",
    [
        ("2019-07-01", "2012", "2012"),
        ("2026-02-28", "2012", "2012"),  # the natural day 2026-02-28 (its 24:00 reading too) is still 2012
        ("2026-03-01", "2026-transition", "2026"),
        ("2030-12-31", "2026-transition", "2026"),
        ("2031-01-01", "2026", "2026"),
    ],
)
def test_edition_by_the_date_of_the_data(date, code, aqi):
    assert edition_for(date) == code and edition_for(dt.date.fromisoformat(date)) == code
    assert aqi_edition_for(date) == aqi
    assert list(edition_for(pd.Series([date, "2019-01-01"]))) == [code, "2012"]


def test_periods_are_judged_by_the_limits_in_force_on_their_last_day():
    assert period_edition("2025").code == "2012"
    assert period_edition("2026").code == "2026-transition"
    assert period_edition("2026-02").code == "2012" and period_edition("2026-03").code == "2026-transition"
    assert period_edition("2030").code == "2026-transition" and period_edition("2031").code == "2026"


def test_labels_name_every_standard_and_the_pending_evaluation_text():
    assert EDITIONS["2012"].label == "HJ 633-2012 · GB 3095-2012 二级 Grade II · HJ 663-2013"
    assert "HJ 633-2026" in EDITIONS["2026-transition"].label and "过渡阶段" in EDITIONS["2026-transition"].label
    assert EVALUATION_RULES in EDITIONS["2026"].label and "text pending" in EVALUATION_RULES
    mixed = period_label("2026", {"2012", "2026-transition"})
    assert "HJ 633-2012 (至 to 2026-02-28) + HJ 633-2026 (自 from 2026-03-01)" in mixed and "过渡阶段" in mixed


def _year_of_days(year: int, pm25: float) -> pd.DataFrame:
    dates = pd.date_range(f"{year}-01-01", f"{year}-12-31", freq="D")
    n = len(dates)
    return pd.DataFrame(
        {"city": "衢州", "date": dates, "so2": 15.0, "no2": 35.0, "pm10": 55.0, "pm25": pm25, "co": 1.0,
         "o3_8h": 120.0, "o3_1h": 150.0, "aqi": np.full(n, 60.0), "valid_day": True,
         "edition": edition_for(dates)}
    )  # fmt: skip


@pytest.mark.parametrize(
    "year,edition,limits,within",
    [
        # GB 3095-2026 Table 1 transition Grade II: SO2 60, NO2 40, PM10 60, PM2.5 30
        (2027, "2026-transition", {"so2": 60, "no2": 40, "pm10": 60, "pm25": 30, "co": 4, "o3_8h": 160},
         {"so2": True, "no2": True, "pm10": True, "pm25": True}),
        # final Grade II from 2031: SO2 20, NO2 30, PM10 50, PM2.5 25
        (2031, "2026", {"so2": 20, "no2": 30, "pm10": 50, "pm25": 25, "co": 4, "o3_8h": 160},
         {"so2": True, "no2": False, "pm10": False, "pm25": False}),
        # GB 3095-2012: PM10 70, PM2.5 35
        (2025, "2012", {"so2": 60, "no2": 40, "pm10": 70, "pm25": 35, "co": 4, "o3_8h": 160},
         {"so2": True, "no2": True, "pm10": True, "pm25": True}),
    ],
)  # fmt: skip
def test_annual_evaluation_uses_the_limits_in_force(year, edition, limits, within):
    stats = annual_statistics(_year_of_days(year, pm25=28.0), year).set_index("pollutant")
    assert (stats["edition"] == edition).all()
    assert stats["limit"].to_dict() == limits
    assert {p: stats.at[p, "within_limit"] for p in within} == within
    rows = air_indicator_rows(_year_of_days(year, pm25=28.0), year)
    annual = rows[rows["indicator"].str.startswith("air.annual.")].set_index("indicator")
    assert annual.at["air.annual.pm25", "target"] == limits["pm25"]
    assert annual.at["air.annual.pm25", "status"] == ("met" if within["pm25"] else "missed")
    assert (annual["edition"] == f"{EDITIONS[edition].limits_standard} · {EDITIONS[edition].evaluation}").all()


def test_good_day_ratio_of_2026_names_both_aqi_editions():
    rows = air_indicator_rows(_year_of_days(2026, pm25=28.0), 2026).set_index(["indicator", "period"])
    year = rows.loc[("air.good_day_ratio", "2026")]
    assert year["edition"].startswith("HJ 633-2012 (至 to 2026-02-28) + HJ 633-2026")
    assert rows.loc[("air.good_day_ratio", "2026-02"), "edition"] == EDITIONS["2012"].label
    assert rows.loc[("air.good_day_ratio", "2026-03"), "edition"] == EDITIONS["2026-transition"].label
