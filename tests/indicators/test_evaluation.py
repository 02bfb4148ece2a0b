"""HJ 663-2013 city values, good-air-day ratio, percentile and annual evaluation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline.indicators.evaluation import annual_statistics, city_day_values, good_day_ratio, percentile_hj663


def station_days(rows):
    columns = ["station_code", "date", "so2", "no2", "pm10", "co", "pm25", "o3_8h", "o3_1h"]
    return pd.DataFrame(rows, columns=columns).assign(date=lambda f: pd.to_datetime(f["date"]))


def test_city_value_is_mean_of_valid_stations_then_aqi_from_it():
    days = station_days(
        [
            ("A", "2019-02-10", 10, 20, 100, 0.5, 80, 50, 60),
            ("B", "2019-02-10", 12, 30, np.nan, 0.8, 40, 70, 90),
            ("C", "2019-02-10", 99, 99, 999, 9.9, 999, 999, 999),  # background station: not in the map
        ]
    )
    city = city_day_values(days, pd.Series({"A": "衢州", "B": "衢州"})).iloc[0]
    assert city["pm10"] == 100  # B invalid: mean of the valid ones only
    assert city["pm25"] == 60 and city["co"] == 0.6  # 0.65 -> 0.6 (half even)
    assert city["aqi"] == 82  # from city PM2.5 60: 50 + 50/40*25 = 81.25 -> 82
    assert city["n_stations"] == 2 and bool(city["valid_day"])


def test_city_aqi_is_not_the_mean_of_station_aqis():
    days = station_days(
        [("A", "2019-02-10", 5, 5, 20, 0.3, 150, 20, 20), ("B", "2019-02-10", 5, 5, 20, 0.3, 10, 20, 20)]
    )
    city = city_day_values(days, pd.Series({"A": "X", "B": "X"})).iloc[0]
    # city PM2.5 = 80 -> IAQI 50/40*5+100 = 106.25 -> 107; the mean of station AQIs would be (200 + 15)/2.
    assert city["pm25"] == 80 and city["aqi"] == 107 and city["primary_pollutant"] == "pm25"


def test_good_day_ratio_counts_valid_days_only():
    days = pd.DataFrame(
        {
            "city": "衢州",
            "date": pd.to_datetime(["2019-02-01", "2019-02-02", "2019-02-03", "2019-03-01"]),
            "aqi": [40, 120, 80, 30],
            "valid_day": [True, True, False, True],
        }
    )
    months = good_day_ratio(days, "city", "month").set_index("period")
    assert months.loc["2019-02", ["good_days", "valid_days", "days"]].tolist() == [1, 2, 3]
    assert months.loc["2019-02", "ratio_pct"] == 50.0
    year = good_day_ratio(days, "city", "year").iloc[0]
    assert year["ratio_pct"] == pytest.approx(200 / 3)


def test_percentile_hj663_formula():
    # k = 1 + (n-1)p: n=10, p=0.95 -> k=9.55 -> X(9) + 0.55*(X(10)-X(9))
    values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 20]
    assert percentile_hj663(values, 95) == pytest.approx(9 + 0.55 * 11)
    assert percentile_hj663([np.nan, 4.0], 90) == 4.0
    assert np.isnan(percentile_hj663([np.nan], 90))


def test_annual_statistics_capture_rule_and_grade_ii():
    dates = pd.date_range("2019-01-01", "2019-12-31", freq="D")
    days = pd.DataFrame(
        {"city": "衢州", "date": dates, "so2": 10.0, "no2": 30.0, "pm10": 60.0, "pm25": 40.0, "co": 1.0, "o3_8h": 150.0}
    )
    days.loc[days["date"].dt.month == 2, "pm25"] = np.nan  # February has no PM2.5 at all
    stats = annual_statistics(days, 2019).set_index("pollutant")
    assert stats.loc["pm25", "n_days"] == 365 - 28
    assert stats.loc["pm25", "value"] == 40 and not stats.loc["pm25", "within_limit"]
    assert not stats.loc["pm25", "complete"]  # 337 >= 324 days but February < 25
    assert stats.loc["so2", "complete"] and stats.loc["so2", "within_limit"]
    assert stats.loc["o3_8h", "value"] == 150 and stats.loc["co", "statistic"] == "p95_daily"
