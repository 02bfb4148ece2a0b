"""Progress lines of long runs."""

import datetime as dt

import pytest

from pipeline.progress import clock, days_between, progress_prefix


def test_days_between_includes_both_ends_and_a_leap_day():
    days = days_between(dt.date(2020, 2, 27), dt.date(2020, 3, 1))
    assert days == [dt.date(2020, 2, 27), dt.date(2020, 2, 28), dt.date(2020, 2, 29), dt.date(2020, 3, 1)]
    assert len(days_between(dt.date(2019, 1, 1), dt.date(2019, 12, 31))) == 365
    with pytest.raises(ValueError, match="before"):
        days_between(dt.date(2019, 1, 2), dt.date(2019, 1, 1))


def test_clock():
    assert clock(0) == "0:00:00"
    assert clock(3725.4) == "1:02:05"


def test_prefix_estimates_the_time_left_from_the_pace_so_far():
    # 37 of 365 days in 41 s: 328 days left at 41/37 s each = 363 s.
    assert progress_prefix(37, 365, 41.0) == "[ 37/365  10% 0:00:41 elapsed, ~0:06:03 left]"
    assert progress_prefix(365, 365, 404.0) == "[365/365 100% 0:06:44 elapsed]"
    assert progress_prefix(1, 1, 3.0) == "[1/1 100%]"
