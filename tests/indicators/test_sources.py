"""Source math: O2 correction and loads (golden values computed by hand), daily compliance rules."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline.indicators.sources import compliance_rate, load_kg, o2_corrected, outlet_days, steady_share


@pytest.mark.parametrize(
    "measured,o2,ref,expected",
    [
        (100.0, 9.0, 6.0, 125.0),  # 100 x 15 / 12
        (100.0, 6.0, 6.0, 100.0),  # at the reference O2: unchanged
        (50.0, 3.0, 6.0, 41.6666667),  # drier than reference: lowered
        (30.0, 15.0, 15.0, 30.0),  # gas turbine reference 15 %
        (80.0, 11.0, 3.0, 144.0),  # 80 x 18 / 10
    ],
)
def test_o2_correction(measured, o2, ref, expected):
    assert o2_corrected(measured, o2, ref) == pytest.approx(expected)


def test_o2_at_or_above_air_gives_no_value():
    assert np.isnan(o2_corrected(10.0, 21.0, 6.0)) and np.isnan(o2_corrected(10.0, np.nan, 6.0))


def test_loads():
    assert load_kg(50.0, 1_000_000.0, "flue_gas") == pytest.approx(50.0)  # 50 mg/m3 x 1e6 m3/h = 50 kg/h
    assert load_kg(30.0, 100.0, "wastewater") == pytest.approx(3.0)  # 30 g/m3 x 100 m3/h = 3 kg/h


def hours(outlet, pollutant, values, flags, o2=None, flow=None, start="2019-07-01"):
    stamps = pd.date_range(start, periods=len(values), freq="h")
    rows = [
        {"outlet_code": outlet, "period_start": t, "item": pollutant, "value": v, "flag": f}
        for t, v, f in zip(stamps, values, flags, strict=True)
    ]
    for item, series in (("o2", o2), ("flow", flow)):
        if series is not None:
            rows += [
                {"outlet_code": outlet, "period_start": t, "item": item, "value": v, "flag": "N"}
                for t, v in zip(stamps, series, strict=True)
            ]
    return pd.DataFrame(rows)


OUTLETS = pd.DataFrame(
    {"outlet_code": ["F", "W"], "outlet_type": ["flue_gas", "wastewater"], "ref_o2_pct": [6.0, np.nan]}
)


def test_hourly_basis_flue_gas_counts_valid_hours_above_the_corrected_limit():
    limits = pd.DataFrame({"outlet_code": ["F"], "pollutant": ["so2"], "limit_value": [200.0], "basis": ["hourly"]})
    data = hours("F", "so2", [180.0, 180.0, 300.0, 50.0], ["N", "N", "M", "N"], o2=[6.0, 9.0, 9.0, 6.0], flow=[1e6] * 4)
    day = outlet_days(data, OUTLETS, limits).iloc[0]
    assert day["valid_hours"] == 3 and day["other_hours"] == 1 and day["flags"] == "M=1"
    assert day["exceed_hours"] == 1 and day["exceeded"] and not day["compliant"]  # 180 at 9 % O2 -> 225 > 200
    assert day["max_hour"] == 225.0  # the M hour (300) does not count
    assert day["load_kg"] == pytest.approx((180 + 180 + 50) * 1e6 * 1e-6)


def test_daily_basis_wastewater_uses_the_daily_mean():
    limits = pd.DataFrame({"outlet_code": ["W"], "pollutant": ["nh3n"], "limit_value": [5.0], "basis": ["daily"]})
    data = hours("W", "nh3n", [8.0, 2.0, 2.0, 2.0], ["N"] * 4, flow=[100.0] * 4)
    day = outlet_days(data, OUTLETS, limits).iloc[0]
    assert day["mean"] == 3.5 and day["exceed_hours"] == 0 and day["compliant"]  # one high hour, mean within


def test_a_stopped_day_is_data_capture_not_compliance():
    limits = pd.DataFrame({"outlet_code": ["W"], "pollutant": ["cod"], "limit_value": [50.0], "basis": ["daily"]})
    day = outlet_days(hours("W", "cod", [0.0] * 24, ["F"] * 24), OUTLETS, limits).iloc[0]
    assert day["valid_hours"] == 0 and day["flags"] == "F=24" and day["compliant"] is None


def test_compliance_rate_and_steady_share():
    days = pd.DataFrame(
        {
            "outlet_code": ["A", "A", "A", "B", "B"],
            "date": ["2019-07-01", "2019-07-01", "2019-08-01", "2019-07-01", "2019-07-02"],
            "pollutant": ["so2", "nox", "so2", "cod", "cod"],
            "compliant": [True, False, True, True, None],
        }  # fmt: skip
    )
    rate, ok, n = compliance_rate(days)
    assert (ok, n) == (2, 3) and rate == pytest.approx(200 / 3)  # A 07-01 fails on NOx; B 07-02 not assessed
    share, ok, n = steady_share(days, ["A", "B"])
    assert (ok, n) == (1, 2)  # A failed in July
