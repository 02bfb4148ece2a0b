"""Golden values for acid rain, noise shares and the at-risk projection (computed by hand)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from pipeline.indicators.acid_rain import acid_rain_frequency, weighted_mean_ph
from pipeline.indicators.noise import city_means, share_below, zone_compliant
from pipeline.indicators.trend import project
from pipeline.plan.scoreboard import evaluate


def test_acid_rain_frequency_counts_ph_below_5_6():
    assert acid_rain_frequency([4.5, 5.59, 5.6, 6.2]) == 50.0  # 5.6 itself is not acid rain
    assert math.isnan(acid_rain_frequency([]))


def test_weighted_mean_ph_weights_hydrogen_ions_by_rainfall():
    # [H+] = (10 x 10^-4.5 + 20 x 10^-5 + 30 x 10^-6) / 60 = 9.1038e-6 -> pH 5.0408
    assert weighted_mean_ph([4.5, 5.0, 6.0], [10, 20, 30]) == pytest.approx(5.0408, abs=1e-4)
    # not the rainfall-weighted mean of the pH values (5.4167)
    assert weighted_mean_ph([4.0, 6.0], [1, 1]) == pytest.approx(-math.log10((1e-4 + 1e-6) / 2))
    assert weighted_mean_ph([5.0, np.nan], [10, 5]) == pytest.approx(5.0)


def test_noise_city_means_and_share_below_55():
    points = pd.DataFrame({"city": ["A", "A", "B", "C"], "leq_dba": [54.0, 54.4, 55.0, 56.1]})
    means = city_means(points).set_index("city")["mean_dba"]
    assert means.tolist() == [54.2, 55.0, 56.1]
    assert share_below(means) == pytest.approx(100 / 3)  # 55.0 is not below 55


def test_zone_compliance_against_gb3096_2008():
    assert zone_compliant([55, 56, 70, 71], ["1", "1", "4a", "4a"]).tolist() == [True, False, True, False]
    assert zone_compliant([45, 46], ["1", "1"], period="night").tolist() == [True, False]


def test_linear_projection():
    assert project([2011, 2012, 2013], [80, 82, 84], 2015) == pytest.approx(88.0)
    assert project([2013], [70], 2015) == 70
    assert math.isnan(project([], [], 2015))


def target(**overrides) -> dict:
    base = {"id": "t", "kind": "absolute", "comparator": ">=", "value": 90.0, "deadline": 2015, "baseline_year": None}
    return {**base, **overrides}


def test_not_yet_due_and_trend_short_of_target_is_at_risk():
    series = {2011: 80.0, 2012: 82.0, 2013: 84.0}
    assert evaluate(target(), 2013, series)["status"] == "at_risk"  # 88 projected for 2015 < 90
    assert evaluate(target(value=85.0), 2013, series)["status"] == "met"  # on track, though 84 < 85 today


def test_due_targets_are_met_or_missed():
    series = {2015: 89.0}
    assert evaluate(target(), 2015, series)["status"] == "missed"
    assert evaluate(target(), 2016, {**series, 2016: 91.0})["status"] == "met"
    assert evaluate(target(), 2015, {})["status"] == "no_data"


def test_relative_change_against_baseline_year():
    relative = target(kind="relative_change", value=20.0, baseline_year=2010)
    series = {2010: 100.0, 2011: 104.0, 2012: 107.0, 2013: 110.0}
    result = evaluate(relative, 2013, series)
    assert result["value"] == pytest.approx(10.0) and result["status"] == "at_risk"  # trend gives +16 % in 2015
    assert evaluate(relative, 2015, {**series, 2015: 121.0})["status"] == "met"


def test_previous_year_and_supplied_cap():
    lower = target(kind="vs_previous_year", comparator="<", value=None)
    assert evaluate(lower, 2015, {2014: 30.0, 2015: 28.0})["status"] == "met"
    assert evaluate(lower, 2015, {2015: 28.0})["status"] == "no_data"
    capped = target(kind="vs_supplied_cap", comparator="<=", value=None)
    assert evaluate(capped, 2015, {2015: 120.0}, cap=100.0)["status"] == "missed"
