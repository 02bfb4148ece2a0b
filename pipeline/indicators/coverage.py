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
from collections import Counter
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
    texts = _date_texts(dates)
    if rule == "survey":
        return Coverage(None, None, len(texts), len(texts), "complete")
    valid = np.ones(len(texts), dtype=bool) if valid is None else _flags(valid)
    if not texts:
        expected = period_days(period) if rule == "hj663" else n_units * (12 if len(period) == 4 else 1)
        return Coverage(None, None, 0, expected, "ytd")
    distinct = set(texts)
    first_day = min(t if len(t) == 10 else f"{t}-01" for t in distinct)
    last_day = max(t if len(t) == 10 else _month_end(t) for t in distinct)  # a month covers all its days
    if rule == "hj663":
        days = {t for t, v in zip(texts, valid, strict=True) if v}
        n_valid = len(days)
        if len(period) == 4:
            per_month = Counter(int(d[5:7]) for d in days)
            ok = n_valid >= MIN_DAYS_ANNUAL and all(per_month[m] >= min_valid_days(m) for m in range(1, 13))
        else:
            ok = n_valid >= min_valid_days(int(period[5:7]))
        return Coverage(first_day, last_day, n_valid, period_days(period), _kind(ok, period, last_day))
    units = [0] * len(texts) if units is None else list(units)
    cells = {(u, int(t[5:7])) for u, t, v in zip(units, texts, valid, strict=True) if v}
    expected = n_units * (12 if len(period) == 4 else 1)
    n_valid = len(cells)
    return Coverage(first_day, last_day, n_valid, expected, _kind(n_valid >= expected, period, last_day))


def _date_texts(dates) -> list[str]:
    """Each date as ``YYYY-MM-DD`` (or a month as ``YYYY-MM``): a datetime column converted at once."""
    if isinstance(dates, pd.Series) and pd.api.types.is_datetime64_any_dtype(dates.dtype):
        return np.datetime_as_string(dates.to_numpy(dtype="datetime64[D]"), unit="D").tolist()
    return [
        d[:10] if type(d) is str else str(d)[:10] for d in (dates.tolist() if isinstance(dates, pd.Series) else dates)
    ]


def _flags(valid) -> np.ndarray:
    if isinstance(valid, pd.Series):
        return valid.to_numpy(dtype=bool)
    return np.asarray(valid if hasattr(valid, "__len__") else list(valid), dtype=bool)


def _month_end(month: str) -> str:
    """The last day of ``YYYY-MM``."""
    return f"{month}-{calendar.monthrange(int(month[:4]), int(month[5:7]))[1]:02d}"


def _kind(ok: bool, period: str, last_day: str) -> str:
    """``complete`` when the rule holds; else ``partial`` when the data reach the period's last day, ``ytd``
    when they end before it."""
    if ok:
        return "complete"
    end = f"{period}-12-31" if len(period) == 4 else _month_end(period)
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
