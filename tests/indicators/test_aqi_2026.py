"""HJ 633-2026 IAQI/AQI against Table 3 (golden file) with an exact-rational oracle, its notes b and c,
the six-indicator daily report, the real-time report, ties, the 1-500 range and the 5.3.1 publication
rule. The 2012 golden tests (test_aqi.py) are unchanged."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from pipeline.indicators.aqi import BREAKPOINTS_HJ633_2026, aqi_frame, iaqi
from tests.conftest import golden

LEVELS = [0, 50, 100, 150, 200, 300, 400, 500]
TABLE = golden("hj633_2026_iaqi_breakpoints.csv")
ABOVE = {"so2_1h": 200, "o3_8h": 300}  # Table 3 notes b and c; any other table: 500 (published practice)
DAILY_COLUMN = {"so2_24h": "so2", "no2_24h": "no2", "co_24h": "co", "pm10_24h": "pm10", "pm25_24h": "pm25",
                "o3_8h": "o3_8h"}  # fmt: skip
HOURLY_COLUMN = {"so2_1h": "so2", "no2_1h": "no2", "co_1h": "co", "o3_1h": "o3_1h", "pm10_24h": "pm10",
                 "pm25_24h": "pm25"}  # fmt: skip


def exact_iaqi(c: Fraction, breakpoints: list[Fraction], table: str) -> int:
    """HJ 633-2026 eq. 1 in exact rational arithmetic, rounded up (4.2.6); notes b/c above the table."""
    if c > breakpoints[-1]:
        return ABOVE.get(table, 500)
    for i in range(len(breakpoints) - 1):
        lo, hi = breakpoints[i], breakpoints[i + 1]
        if lo <= c <= hi:
            return math.ceil(Fraction(LEVELS[i + 1] - LEVELS[i]) / (hi - lo) * (c - lo) + LEVELS[i])
    raise AssertionError("negative concentration")


def _tables():
    for row in TABLE.itertuples(index=False):
        yield row.indicator.lower(), [Fraction(str(v)) for v in row[1:] if not pd.isna(v)]


def _cases():
    """Every breakpoint, one published step below and one above (CO: 0.1 mg/m³, else 1 µg/m³)."""
    for name, points in _tables():
        step = Fraction(1, 10) if name.startswith("co") else Fraction(1)
        for bp in points:
            for c in (bp - step, bp, bp + step):
                if c >= 0:
                    yield pytest.param(name, c, exact_iaqi(c, points, name), id=f"{name}@{float(c):g}")


def test_module_table_equals_golden_table():
    for name, points in _tables():
        assert BREAKPOINTS_HJ633_2026[name] == tuple(float(p) for p in points)


def test_only_the_pm_rows_changed_from_2012():
    from pipeline.indicators.aqi import BREAKPOINTS_HJ633_2012

    changed = {k for k in BREAKPOINTS_HJ633_2026 if BREAKPOINTS_HJ633_2026[k] != BREAKPOINTS_HJ633_2012[k]}
    assert changed == {"pm10_24h", "pm25_24h"}
    assert BREAKPOINTS_HJ633_2026["pm10_24h"][2] == 120 and BREAKPOINTS_HJ633_2026["pm25_24h"][2] == 60


@pytest.mark.parametrize("table,c,expected", list(_cases()))
def test_every_breakpoint_one_step_below_and_above(table, c, expected):
    assert iaqi(float(c), table, "2026") == expected
    # The calculator's path (a lookup on the published grid) agrees, in the report that uses the row.
    if table in DAILY_COLUMN:
        frame = aqi_frame(pd.DataFrame({DAILY_COLUMN[table]: [float(c)]}), "daily", "2026")
        assert frame[f"iaqi_{DAILY_COLUMN[table]}"].iloc[0] == expected
    if table in HOURLY_COLUMN:
        frame = aqi_frame(pd.DataFrame({HOURLY_COLUMN[table]: [float(c)]}), "hourly", "2026")
        assert frame[f"iaqi_{HOURLY_COLUMN[table]}"].iloc[0] == expected


def test_note_b_so2_1h_above_800_counts_as_200():
    hourly = pd.DataFrame({"so2": [801.0, 2000.0], "so2_24h": [100.0, 100.0]})
    assert aqi_frame(hourly, "hourly", "2026")["iaqi_so2"].tolist() == [200, 200]
    # HJ 633-2012 Table 1 note 2 used the 24-h IAQI instead (100 µg/m³ -> 75).
    assert aqi_frame(hourly, "hourly", "2012")["iaqi_so2"].tolist() == [75, 75]


def test_note_c_o3_8h_above_800_counts_as_300():
    daily = pd.DataFrame({"o3_8h": [801.0], "o3_1h": [900.0]})
    result = aqi_frame(daily, "daily", "2026")
    assert result["iaqi_o3_8h"].iloc[0] == 300 and result["aqi"].iloc[0] == 300
    # 2012: no 8-h IAQI; the daily max 1-h O3 (900 -> 350) reports O3.
    old = aqi_frame(daily, "daily", "2012")
    assert np.isnan(old["iaqi_o3_8h"].iloc[0]) and old["aqi"].iloc[0] == 350


def test_daily_report_has_six_indicators_without_the_o3_1h():
    day = pd.DataFrame({"so2": [5.0], "no2": [20.0], "co": [0.5], "pm10": [40.0], "pm25": [20.0], "o3_8h": [90.0],
                        "o3_1h": [300.0]})  # fmt: skip
    new, old = aqi_frame(day, "daily", "2026"), aqi_frame(day, "daily", "2012")
    assert np.isnan(new["iaqi_o3_1h"].iloc[0]) and new["aqi"].iloc[0] == 45 and new["primary_pollutant"].iloc[0] == ""
    assert old["iaqi_o3_1h"].iloc[0] == 150 and old["aqi"].iloc[0] == 150


def test_real_time_report_judges_1h_pm_on_the_daily_rows():
    hour = pd.DataFrame({"so2": [10.0], "no2": [30.0], "co": [0.6], "o3_1h": [50.0], "pm10": [121.0], "pm25": [61.0],
                         "o3_8h": [900.0]})  # fmt: skip
    result = aqi_frame(hour, "hourly", "2026")
    # PM2.5 61 on the 24-h row 60..115 -> 100 + 50/55 = 100.9 -> 101; PM10 121 on 120..250 -> 100.38 -> 101.
    assert result["iaqi_pm25"].iloc[0] == 101 and result["iaqi_pm10"].iloc[0] == 101
    assert result["aqi"].iloc[0] == 101  # the 8-h O3 (IAQI 300) is not part of the real-time AQI
    assert result["primary_pollutant"].iloc[0] == "pm10;pm25"  # ties: all listed (4.3.1)


def test_primary_pollutant_only_above_50_and_ties_listed():
    frame = pd.DataFrame({"pm25": [35.0, 115.0], "pm10": [50.0, 250.0]})
    result = aqi_frame(frame, "daily", "2026")
    assert result["aqi"].tolist() == [50, 150]
    assert result["primary_pollutant"].astype(str).tolist() == ["", "pm10;pm25"]


def test_aqi_range_starts_at_1():
    zeros = pd.DataFrame({c: [0.0] for c in ("so2", "no2", "co", "pm10", "pm25", "o3_8h")})
    assert aqi_frame(zeros, "daily", "2026")["aqi"].iloc[0] == 1  # Table 1: 1-500
    assert aqi_frame(zeros, "daily", "2012")["aqi"].iloc[0] == 0  # 2012 Table 2: 0-50 is level 1


@pytest.mark.parametrize(
    "pm25,so2,status,aqi",
    [
        (20.0, 5.0, "published", 45),  # all six present (O3 8-h 90 -> 45)
        (20.0, np.nan, "NA", 45),  # SO2 missing, the others' AQI <= 100: AQI published as NA (5.3.1)
        (61.0, np.nan, "published", 101),  # SO2 missing but AQI > 100: still published
        (60.0, np.nan, "NA", 100),  # exactly 100 is not above 100
    ],
)
def test_publication_rule_5_3_1(pm25, so2, status, aqi):
    day = pd.DataFrame({"so2": [so2], "no2": [20.0], "co": [0.5], "pm10": [40.0], "pm25": [pm25], "o3_8h": [90.0]})
    result = aqi_frame(day, "daily", "2026")
    assert result["aqi_status"].iloc[0] == status and result["aqi"].iloc[0] == aqi  # the computed AQI is kept
    assert aqi_frame(day, "daily", "2012")["aqi_status"].iloc[0] == "published"  # no such rule in 2012


def test_no_pollutant_no_aqi():
    result = aqi_frame(pd.DataFrame({"pm25": [np.nan]}), "daily", "2026")
    assert np.isnan(result["aqi"].iloc[0]) and result["aqi_status"].iloc[0] == "none" and result["level"].iloc[0] == 0


def test_rows_of_both_editions_in_one_frame():
    frame = pd.DataFrame({"pm25": [70.0, 70.0, 70.0]})
    result = aqi_frame(frame, "daily", ["2012", "2026", "2012"])
    assert result["aqi"].tolist() == [94, 110, 94]
    assert result["category_zh"].astype(str).tolist() == ["良", "轻度污染", "良"]


def test_unknown_edition_is_refused():
    with pytest.raises(ValueError, match="unknown HJ 633 edition"):
        aqi_frame(pd.DataFrame({"pm25": [1.0]}), "daily", "2019")
