"""HJ 633-2012 IAQI/AQI against its tables (golden files) and against CNEMC's published AQI."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from pipeline.indicators.aqi import (
    AQI_CATEGORIES,
    BREAKPOINTS_HJ633_2012,
    aqi_frame,
    aqi_level,
    iaqi,
    round_half_even,
)
from pipeline.ingest.cnemc_wide import read
from tests.conftest import SAMPLE_AIR, golden

LEVELS = [0, 50, 100, 150, 200, 300, 400, 500]
TABLE = golden("hj633_2012_iaqi_breakpoints.csv")


def exact_iaqi(c: Fraction, breakpoints: list[Fraction]) -> int:
    """HJ 633-2012 eq. 1 in exact rational arithmetic, rounded up: an oracle free of float noise."""
    for i in range(len(breakpoints) - 1):
        lo, hi = breakpoints[i], breakpoints[i + 1]
        if lo <= c <= hi:
            value = Fraction(LEVELS[i + 1] - LEVELS[i]) / (hi - lo) * (c - lo) + LEVELS[i]
            return math.ceil(value)
    raise AssertionError("outside the table")


def _cases():
    for row in TABLE.itertuples(index=False):
        name = row.indicator.lower()
        points = [Fraction(str(v)) for v in row[1:] if not pd.isna(v)]
        step = Fraction(1, 10) if name.startswith("co") else Fraction(1)
        for i, bp in enumerate(points):
            yield pytest.param(name, float(bp), LEVELS[i], id=f"{name}@{bp}")
            if i < len(points) - 1:
                above = bp + step
                yield pytest.param(name, float(above), exact_iaqi(above, points), id=f"{name}@{bp}+")


def test_module_table_equals_golden_table():
    for row in TABLE.itertuples(index=False):
        values = tuple(float(v) for v in row[1:] if not pd.isna(v))
        assert BREAKPOINTS_HJ633_2012[row.indicator.lower()] == values


@pytest.mark.parametrize("table,concentration,expected", list(_cases()))
def test_every_breakpoint_and_just_above(table, concentration, expected):
    assert iaqi(concentration, table) == expected


@pytest.mark.parametrize(
    "table,concentration,expected",
    [
        ("pm25_24h", 36, 52),  # 50 + 50/40 * 1 = 51.25 -> up to 52
        ("pm25_24h", 75, 100),
        ("co_24h", 2.5, 63),  # python-aqi truncates to 2 and gives 50
        ("pm10_24h", 601, 500),  # above the table: CNEMC publishes 500
        ("pm10_24h", 1807, 500),
        ("so2_1h", 801, None),  # Table 1 note 2: no 1-h IAQI above 800
        ("o3_8h", 801, None),  # note 3
        ("o3_1h", 1201, 500),
        ("no2_1h", -1, None),
    ],
)
def test_literal_cases(table, concentration, expected):
    result = iaqi(concentration, table)
    assert (np.isnan(result) and expected is None) or result == expected


def test_float_noise_does_not_round_up():
    # 0.1 + 0.2 style noise must not turn an exact IAQI into the next integer.
    assert iaqi(np.float64(0.1) + np.float64(0.2) + 1.7, "co_24h") == 50


def test_half_even_rounding_gb8170():
    assert round_half_even([12.5, 13.5, 0.5, 1.5]).tolist() == [12, 14, 0, 2]
    assert round_half_even(0.25, 1) == 0.2
    assert round_half_even(0.35, 1) == 0.4  # binary 0.34999... still rounds as a true half


def test_levels_and_categories_match_table2():
    categories = golden("hj633_2012_aqi_categories.csv")
    for row in categories.itertuples():
        top = 1000 if pd.isna(row.aqi_max) else row.aqi_max
        assert aqi_level([row.aqi_min, top]).tolist() == [row.level, row.level]
        assert AQI_CATEGORIES.loc[row.level - 1, "category_zh"] == row.category_cn
        assert AQI_CATEGORIES.loc[row.level - 1, "category_en"] == row.category_en


def test_primary_pollutant_only_above_50_and_ties_listed():
    frame = pd.DataFrame({"pm25": [36, 20, 75], "pm10": [80, 10, 150], "o3_8h": [10, 10, 10]})
    out = aqi_frame(frame)
    assert out["aqi"].tolist() == [65, 29, 100]  # PM2.5 20 -> 50/35*20 = 28.6 -> 29
    assert out["primary_pollutant"].tolist() == ["pm10", "", "pm10;pm25"]
    assert out["category_zh"].tolist() == ["良", "优", "良"]


def test_daily_mode_uses_o3_1h_and_24h_tables():
    out = aqi_frame(pd.DataFrame({"so2": [600], "o3_1h": [250], "o3_8h": [900]}))
    assert out.loc[0, "iaqi_so2"] == exact_iaqi(Fraction(600), [Fraction(v) for v in BREAKPOINTS_HJ633_2012["so2_24h"]])
    assert np.isnan(out.loc[0, "iaqi_o3_8h"])  # > 800: reported with the 1-h IAQI instead
    assert out.loc[0, "iaqi_o3_1h"] == 125  # O3 1-h 250 -> 100 + 50/100*50
    assert out.loc[0, "aqi"] == 170  # SO2 24-h 600 -> 150 + 50/325*125 = 169.2 -> 170


def test_hourly_mode_so2_above_800_uses_24h_iaqi():
    out = aqi_frame(pd.DataFrame({"so2": [900, 900], "so2_24h": [300, None]}), mode="hourly")
    assert out.loc[0, "iaqi_so2"] == iaqi(300, "so2_24h")
    assert np.isnan(out.loc[1, "iaqi_so2"])


def test_hourly_mode_excludes_o3_8h_from_aqi():
    out = aqi_frame(pd.DataFrame({"pm25": [10], "o3_8h": [200]}), mode="hourly")
    assert out.loc[0, "iaqi_o3_8h"] == iaqi(200, "o3_8h")
    assert out.loc[0, "aqi"] == iaqi(10, "pm25_24h")


def test_empty_row_has_no_aqi():
    out = aqi_frame(pd.DataFrame({"pm25": [np.nan]}))
    assert np.isnan(out.loc[0, "aqi"]) and out.loc[0, "level"] == 0 and out.loc[0, "category_zh"] == ""


def published_vs_computed(paths) -> tuple[int, int, pd.DataFrame]:
    """Hourly AQI computed per HJ 633-2012 (real-time) vs the published AQI row, every station-hour."""
    records = pd.concat([read(p) for p in paths])
    wide = records.pivot_table(
        index=["source_file", "station_code", "hour_end"], columns="pollutant", values="value", aggfunc="first"
    )
    wide = wide[wide["aqi"].notna()]
    hourly = wide.rename(columns={"o3": "o3_1h"})[["so2", "no2", "pm10", "co", "pm25", "o3_1h"]]
    computed = aqi_frame(hourly, mode="hourly")["aqi"]
    mismatched = wide[computed.to_numpy() != wide["aqi"].to_numpy()]
    return len(wide), len(wide) - len(mismatched), mismatched


def test_hourly_aqi_equals_published_on_bundled_sample():
    total, matched, mismatched = published_vs_computed(sorted(SAMPLE_AIR.glob("*.csv")))
    assert total > 250
    assert matched == total, mismatched.head()


def test_hourly_aqi_equals_published_on_every_national_station_hour(shared_cnemc):
    """Acceptance 3: every station-hour of the four national files; the match rate is printed."""
    total, matched, mismatched = published_vs_computed(sorted(shared_cnemc.glob("china_sites_*.csv")))
    print(f"hourly AQI match: {matched}/{total} = {matched / total:.4%}")
    assert total > 130_000
    assert matched == total, mismatched.head()


@pytest.mark.parametrize("table,concentration,expected", list(_cases()))
def test_aqi_frame_lookup_path_at_every_breakpoint(table, concentration, expected):
    """aqi_frame reads IAQIs from exact lookup tables; check them at the same golden points."""
    column = {"so2_24h": "so2", "no2_24h": "no2", "pm10_24h": "pm10", "co_24h": "co", "pm25_24h": "pm25",
              "o3_8h": "o3_8h", "o3_1h": "o3_1h", "so2_1h": "so2", "no2_1h": "no2", "co_1h": "co"}[table]  # fmt: skip
    mode = "hourly" if table in ("so2_1h", "no2_1h", "co_1h") else "daily"
    out = aqi_frame(pd.DataFrame({column: [concentration]}), mode=mode)
    assert out.loc[0, f"iaqi_{column}"] == expected


def test_above_the_top_of_every_table():
    for table, points in BREAKPOINTS_HJ633_2012.items():
        above = points[-1] + (0.1 if table.startswith("co") else 1)
        expected = None if table in ("so2_1h", "o3_8h") else 500
        result = iaqi(above, table)
        assert (np.isnan(result) and expected is None) or result == expected, table


@pytest.mark.parametrize("edition", ["2012", "2026"])
def test_iaqi_lookup_equals_equation_1_in_fractions_on_every_grid_point(edition):
    """The integer-arithmetic lookup against HJ 633 eq. 1 evaluated in exact rationals, point by point."""
    from pipeline.indicators.aqi import BREAKPOINTS_BY_EDITION, DECIMALS, IAQI_LEVELS, iaqi_lookup

    for table, points in BREAKPOINTS_BY_EDITION[edition].items():
        step = Fraction(1, 10 ** DECIMALS.get(table.split("_")[0], 0))
        breakpoints = [Fraction(b).limit_denominator(10) for b in points]
        expected = []
        for k in range(int(breakpoints[-1] / step) + 1):
            c = k * step
            i = next(i for i in range(len(breakpoints) - 1) if c <= breakpoints[i + 1])
            rise = Fraction(int(IAQI_LEVELS[i + 1] - IAQI_LEVELS[i])) / (breakpoints[i + 1] - breakpoints[i])
            expected.append(math.ceil(rise * (c - breakpoints[i]) + int(IAQI_LEVELS[i])))
        assert iaqi_lookup(table, edition).tolist() == expected, table
