"""环境空气质量综合指数 (环办监测〔2018〕19号) against hand-computed values."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from pipeline.indicators.composite import change_pct, composite_index, composite_rows, period_concentrations


def test_the_published_worked_example():
    """A worked example from a public explainer page of the ranking rules (one month, city not named), given with
    its I_sum; the formula is that of shared/reference/hj663_2013_evaluation.md ("Composite index"):
    PM2.5 21, PM10 39, SO2 9, NO2 15, O3-8h p90 192 µg/m3, CO p95 0.7 mg/m3 -> I_sum 3.06, O3 the largest.
    By hand: 9/60 + 15/40 + 39/70 + 21/35 + 0.7/4 + 192/160 = 0.15 + 0.375 + 0.557143 + 0.6 + 0.175 + 1.2
    = 3.057143 -> 3.06 (summing the single indices rounded first would give 3.07)."""
    found = composite_index({"so2": 9, "no2": 15, "pm10": 39, "pm25": 21, "co": 0.7, "o3_8h": 192})
    assert found["i_sum"] == 3.06
    assert found["single"] == {"so2": 0.15, "no2": 0.38, "pm10": 0.56, "pm25": 0.6, "co": 0.18, "o3_8h": 1.2}
    assert found["largest"] == "o3_8h"


def test_a_missing_pollutant_leaves_no_index():
    found = composite_index({"so2": 9, "no2": 15, "pm10": 39, "pm25": 21, "co": float("nan"), "o3_8h": 192})
    assert math.isnan(found["i_sum"]) and found["largest"] == "o3_8h"


def test_period_concentrations_follow_hj663():
    """Ten days by hand: means rounded to integers (GB/T 8170: 12.5 -> 12), CO p95 and O3 p90 by HJ 663's
    k = 1 + (n-1)p/100 with linear interpolation."""
    days = pd.DataFrame({
        "so2": [10, 15] * 5,                 # mean 12.5 -> 12 (half to even)
        "no2": range(20, 30),                # mean 24.5 -> 24
        "pm10": [40.0] * 9 + [None],         # invalid day left out: 40
        "pm25": range(1, 11),                # mean 5.5 -> 6
        "co": [0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.4],  # k = 1 + 9 x 0.95 = 9.55: 1.3 + 0.55 x 0.1 = 1.355 -> 1.4
        "o3_8h": [100, 110, 120, 130, 140, 150, 160, 170, 180, 190],  # k = 1 + 9 x 0.9 = 9.1: 180 + 0.1 x 10 = 181
    })  # fmt: skip
    assert period_concentrations(days) == {"so2": 12, "no2": 24, "pm10": 40, "pm25": 6, "co": 1.4, "o3_8h": 181}


def test_rows_per_month_and_year_of_each_city():
    days = pd.DataFrame({
        "city": ["衢州"] * 3 + ["杭州"] * 2,
        "date": ["2019-01-01", "2019-01-02", "2019-02-01", "2019-01-01", "2019-01-02"],
        "so2": [6, 12, 9, 6, 6], "no2": [20, 20, 20, 40, 40], "pm10": [35, 35, 70, 70, 70],
        "pm25": [35, 35, 35, 35, 35], "co": [0.8, 0.8, 0.8, 0.8, 0.8], "o3_8h": [80, 80, 80, 160, 160],
    })  # fmt: skip
    rows = composite_rows(days, 2019).set_index(["scope", "period"])
    # 衢州 2019-01: SO2 9/60 + NO2 20/40 + PM10 35/70 + PM2.5 35/35 + CO 0.8/4 + O3 80/160 = 0.15+0.5+0.5+1+0.2+0.5
    assert rows.loc[("衢州", "2019-01"), "i_sum"] == 2.85
    # 衢州 2019 (3 days): SO2 mean 9, PM10 mean 46.67 -> 47: 0.15 + 0.5 + 47/70 + 1 + 0.2 + 0.5 = 3.021 -> 3.02
    assert rows.loc[("衢州", "2019"), "i_sum"] == 3.02
    # 杭州 2019: 0.1 + 1 + 1 + 1 + 0.2 + 1 = 4.3
    assert rows.loc[("杭州", "2019"), "i_sum"] == 4.3 and rows.loc[("杭州", "2019"), "largest"] in (
        "no2",
        "pm10",
        "pm25",
        "o3_8h",
    )
    assert set(rows.index) == {
        ("衢州", "2019-01"),
        ("衢州", "2019-02"),
        ("衢州", "2019"),
        ("杭州", "2019-01"),
        ("杭州", "2019"),
    }


def test_year_on_year_change():
    assert change_pct(3.06, 3.40) == -10.0  # (3.06 - 3.40) / 3.40 = -10.0 %: better
    assert change_pct(4.30, 4.00) == 7.5
    assert math.isnan(change_pct(3.0, float("nan")))


@pytest.mark.parametrize("value", [float("nan")])
def test_no_days_no_values(value):
    found = period_concentrations(pd.DataFrame({"so2": [value]}))
    assert all(math.isnan(v) for v in found.values())
