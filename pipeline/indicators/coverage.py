"""Period coverage: which part of a period the data cover, against what the period's standard expects,
and whether the period is complete enough to be judged. Pure.

One rule, :func:`coverage`, for every indicator row (:func:`pipeline.plan.indicators.indicator_row`):

- ``hj663`` (air, days): a year is complete with >= 324 valid days and >= 27 valid days in every month
  (>= 25 in February); a month with >= 27 valid days (25 in February). GB 3095-2012 Table 4 (and GB 3095-2026
  Table 4), applied by HJ 663-2013 §4.2-4.3 (:data:`~pipeline.indicators.evaluation.MIN_DAYS_ANNUAL`,
  :data:`~pipeline.indicators.evaluation.MIN_DAYS_MONTH`, :data:`~pipeline.indicators.evaluation.MIN_DAYS_FEBRUARY`).
  Expected: the days of the period.
- ``months`` (water sections and samples, pollution sources, emission totals, precipitation): the cells are
  unit-months (a section, an outlet, or the city as one unit); a year is complete when every unit has data in
  each of its 12 months (地表水环境质量评价办法, 环办〔2011〕22号: a section's annual class is the mean of its 12
  monthly samples; the plan's "全年" and the annual emission caps are whole years), a month when every unit has
  data in it. Expected: 12 x units for a year, units for a month.
- ``survey`` (regional noise: one survey a year, GB 3096-2008 / HJ 640-2012): the survey is the year's value,
  complete; no days.

A period that is not complete is ``ytd``: the period so far, up to its last day with data (reported as
1-N月累计, N the last month with data), never judged met or missed.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipeline.indicators.evaluation import MIN_DAYS_ANNUAL, MIN_DAYS_FEBRUARY, MIN_DAYS_MONTH

PERIOD_KINDS = ("complete", "ytd", "partial")
"""``complete``: the period has the data its standard asks, and may be judged; ``ytd``: the period so far (its data
end before the period does); ``partial``: the data reach the period's end but fall short of the rule (a month of the
real-time archive that lost hours): the period is over and is not judged, its value given for reference only."""

RULES = ("hj663", "months", "survey")


@dataclass(frozen=True)
class Coverage:
    """What a period's data cover: ``first_day``/``last_day`` with data (ISO dates; None for a survey),
    ``n_valid`` of ``n_expected`` (days, unit-months or units: see :func:`coverage`), ``period_kind``."""

    first_day: str | None
    last_day: str | None
    n_valid: int
    n_expected: int
    period_kind: str

    @property
    def complete(self) -> bool:
        return self.period_kind == "complete"

    @property
    def last_month(self) -> int | None:
        """The last month with data (1-12): the N of 1-N月累计."""
        return None if self.last_day is None else int(self.last_day[5:7])


def period_days(period: str) -> int:
    """Days in ``period`` (``YYYY`` or ``YYYY-MM``)."""
    year = int(period[:4])
    if len(period) == 4:
        return 366 if calendar.isleap(year) else 365
    return calendar.monthrange(year, int(period[5:7]))[1]


def min_valid_days(month: int) -> int:
    """Valid days a month needs [d]: 27, 25 in February (GB 3095-2012 Table 4)."""
    return MIN_DAYS_FEBRUARY if month == 2 else MIN_DAYS_MONTH


def coverage(period: str, dates, valid=None, units=None, n_units: int = 1, rule: str = "hj663") -> Coverage:
    """The coverage of ``period`` (``YYYY`` or ``YYYY-MM``) by data on ``dates``. Pure.

    dates: the date (or ``YYYY-MM`` month) of each value; valid: whether each counts (default all);
    units: the unit (section, outlet) of each value for ``months`` (default one unit); n_units: the units
    expected; rule: ``hj663``, ``months`` or ``survey`` (module docstring). Returns :class:`Coverage`.
    """
    if rule not in RULES:
        raise ValueError(f"rule must be one of {RULES}")
    dates = list(dates)
    if rule == "survey":
        return Coverage(None, None, len(dates), len(dates), "complete")
    valid = np.ones(len(dates), dtype=bool) if valid is None else np.asarray(list(valid), dtype=bool)
    if not dates:
        expected = period_days(period) if rule == "hj663" else n_units * (12 if len(period) == 4 else 1)
        return Coverage(None, None, 0, expected, "ytd")
    text = pd.Series(dates, dtype=object).astype(str).str[:10]
    starts = pd.to_datetime(text.where(text.str.len() == 10, text + "-01"))
    ends = starts.where(text.str.len() == 10, starts + pd.offsets.MonthEnd(0))  # a month covers all its days
    first_day, last_day = starts.min().date().isoformat(), ends.max().date().isoformat()
    months = text.str[5:7].astype(int).to_numpy()
    if rule == "hj663":
        days = pd.Series(text.str[:10].to_numpy()[valid]).drop_duplicates()
        n_valid = len(days)
        if len(period) == 4:
            per_month = np.bincount(days.str[5:7].astype(int).to_numpy(), minlength=13)
            ok = n_valid >= MIN_DAYS_ANNUAL and all(per_month[m] >= min_valid_days(m) for m in range(1, 13))
        else:
            ok = n_valid >= min_valid_days(int(period[5:7]))
        return Coverage(first_day, last_day, n_valid, period_days(period), _kind(ok, period, last_day))
    units = np.zeros(len(dates)) if units is None else np.asarray(list(units), dtype=object)
    cells = {(u, m) for u, m, v in zip(units, months, valid, strict=True) if v}
    expected = n_units * (12 if len(period) == 4 else 1)
    n_valid = len(cells)
    return Coverage(first_day, last_day, n_valid, expected, _kind(n_valid >= expected, period, last_day))


def _kind(ok: bool, period: str, last_day: str) -> str:
    """``complete`` when the rule holds; else ``partial`` when the data reach the period's last day, ``ytd``
    when they end before it."""
    if ok:
        return "complete"
    end = pd.Period(period, freq="Y" if len(period) == 4 else "M").end_time.date().isoformat()
    return "partial" if last_day >= end else "ytd"


def days_to_date(year: int, last_day: str) -> int:
    """Days of ``year`` from 1 January to ``last_day`` (inclusive) [d]."""
    return (pd.Timestamp(last_day) - pd.Timestamp(year=year, month=1, day=1)).days + 1


def best_good_day_ratio(good_days: int, valid_days: int, remaining_days: int) -> float:
    """The year's good-day ratio [%] if every one of ``remaining_days`` were a valid good day: (good +
    remaining) / (valid + remaining) x 100 (HJ 663-2013 §5.2's ratio, its best case). NaN without any day."""
    total = valid_days + remaining_days
    return float("nan") if total <= 0 else 100.0 * (good_days + remaining_days) / total


def prorated(annual: float, days: int, year_days: int) -> float:
    """An annual cap pro-rated to ``days`` of a year of ``year_days`` days [same unit as ``annual``]."""
    return float(annual) * days / year_days
