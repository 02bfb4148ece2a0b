"""The one coverage rule (pipeline/indicators/coverage.py), hand-computed: GB 3095-2012 Table 4 via HJ 663-2013 for
air days, unit-months for water and sources."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.indicators.coverage import best_good_day_ratio, coverage, days_to_date, period_days, prorated


def days(first: str, last: str, drop: tuple[str, ...] = ()) -> list[str]:
    return [d for d in pd.date_range(first, last).strftime("%Y-%m-%d") if not d.startswith(drop)]


def test_a_full_year_is_complete():
    cover = coverage("2019", days("2019-01-01", "2019-12-31"))
    assert (cover.first_day, cover.last_day, cover.n_valid, cover.n_expected, cover.period_kind) == (
        "2019-01-01", "2019-12-31", 365, 365, "complete")  # fmt: skip


def test_a_year_missing_a_month_is_not_complete_though_it_has_324_days():
    cover = coverage("2019", days("2019-01-01", "2019-12-31", drop=("2019-03",)))
    assert cover.n_valid == 334 >= 324 and cover.period_kind == "partial" and cover.last_month == 12


def test_a_year_of_324_days_with_27_a_month_and_25_in_february_is_complete():
    kept = [d for d in days("2019-01-01", "2019-12-31") if int(d[8:]) <= (25 if d[5:7] == "02" else 27)]
    assert len(kept) == 25 + 11 * 27 == 322  # two short of 324
    extra = ["2019-03-28", "2019-03-29"]
    assert coverage("2019", kept).period_kind == "ytd"
    assert coverage("2019", kept + extra).period_kind == "complete"


@pytest.mark.parametrize(("n", "kind"), [(24, "ytd"), (25, "complete")])
def test_february_needs_25_valid_days(n, kind):
    cover = coverage("2019-02", days("2019-02-01", f"2019-02-{n:02d}"))
    assert (cover.n_valid, cover.n_expected, cover.period_kind) == (n, 28, kind)


@pytest.mark.parametrize(("n", "kind"), [(26, "ytd"), (27, "complete")])
def test_a_month_needs_27_valid_days(n, kind):
    assert coverage("2019-07", days("2019-07-01", f"2019-07-{n:02d}")).period_kind == kind


def test_invalid_days_cover_the_period_but_do_not_count():
    dates = days("2019-01-01", "2019-06-30")
    valid = [i % 18 != 0 for i in range(len(dates))]  # 11 invalid days
    cover = coverage("2019", dates, valid)
    assert (cover.first_day, cover.last_day, cover.n_valid, cover.n_expected) == ("2019-01-01", "2019-06-30", 170, 365)
    assert cover.period_kind == "ytd" and cover.last_month == 6


def test_water_needs_all_twelve_months_of_every_section():
    months = [f"2019-{m:02d}" for m in range(1, 13)]
    full = coverage("2019", months * 2, units=["A"] * 12 + ["B"] * 12, n_units=2, rule="months")
    assert (full.n_valid, full.n_expected, full.period_kind) == (24, 24, "complete")
    assert (full.first_day, full.last_day) == ("2019-01-01", "2019-12-31")
    july = coverage("2019", ["2019-07"] * 6, units=list("ABCDEF"), n_units=6, rule="months")
    assert (july.n_valid, july.n_expected, july.period_kind, july.last_month) == (6, 72, "ytd", 7)
    one_short = coverage("2019", months + months[:11], units=["A"] * 12 + ["B"] * 11, n_units=2, rule="months")
    assert one_short.period_kind == "partial"  # the data reach December: over, short


def test_a_survey_is_complete_without_days():
    cover = coverage("2019", ["p1", "p2"], rule="survey")
    assert (cover.first_day, cover.n_valid, cover.period_kind) == (None, 2, "complete")


def test_best_case_and_pro_rating_by_hand():
    assert period_days("2020") == 366 and period_days("2019-02") == 28
    assert days_to_date(2019, "2019-06-30") == 181
    assert best_good_day_ratio(162, 171, 184) == pytest.approx(100 * 346 / 355)  # 97.46 %: still reachable
    assert best_good_day_ratio(300, 340, 30) == pytest.approx(100 * 330 / 370)  # 89.19 %: no longer
    assert prorated(365.0, 181, 365) == pytest.approx(181.0)


def test_a_period_over_with_too_little_data_is_partial_not_so_far():
    """The real-time 2019 archive lost hours in August and September: the data reach 31 December, so the year
    is over, but August has 25 valid days (< 27): partial (not judged), not 1-12月累计."""
    days = pd.date_range("2019-01-01", "2019-12-31").strftime("%Y-%m-%d")
    valid = [not (d.startswith("2019-08") and int(d[8:]) > 25) for d in days]
    year = coverage("2019", days, valid)
    assert (year.period_kind, year.n_valid, year.last_day) == ("partial", 359, "2019-12-31")
    august = coverage("2019-08", [d for d in days if d.startswith("2019-08")], valid[212:243])
    assert august.period_kind == "partial" and august.n_valid == 25
    so_far = coverage("2019", days[:200], valid[:200])
    assert so_far.period_kind == "ytd"
