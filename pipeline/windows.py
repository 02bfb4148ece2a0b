"""Time windows of the data: natural days, calendar days and months, and the text form of timestamps.

A natural day D holds the hours ending in (D 00:00, D+1 00:00] (GB 3095-2012 clause 3.6, the hour ending
at midnight belongs to the day before); a calendar day or month holds the times in [first, last]. Every
job, load and report takes its period from here, so a day means the same thing everywhere."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

import pandas as pd


def months(times: pd.Series) -> list[str]:
    """The first days (``YYYY-MM-01``) of the months of ``times`` (text ``YYYY-MM-DD HH:MM:SS`` or timestamps)."""
    stamps = pd.to_datetime(pd.Series(times.unique()))
    return sorted(stamps.dt.strftime("%Y-%m-01").unique())


def natural_days(hour_ends: pd.Series) -> list[str]:
    """The natural days (``YYYY-MM-DD``) of hour-end stamps: D holds (D 00:00, D+1 00:00], so an hour
    ending at midnight belongs to the day before (GB 3095-2012 clause 3.6; pipeline/indicators/daily.py)."""
    stamps = pd.to_datetime(pd.Series(hour_ends.unique()))
    return sorted((stamps - pd.Timedelta(microseconds=1)).dt.strftime("%Y-%m-%d").unique())


TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"


def stamp(value) -> str | None:
    """A timestamp as the warehouse's text form ``YYYY-MM-DD HH:MM:SS`` (None for missing)."""
    return None if value is None or pd.isna(value) else pd.Timestamp(value).strftime(TIMESTAMP_FORMAT)


@dataclass(frozen=True)
class Window:
    """The readings a scheduled run owns: timestamps in [first, last], both inclusive."""

    first: pd.Timestamp
    last: pd.Timestamp
    label: str

    @classmethod
    def natural_day(cls, day: dt.date) -> Window:
        """Hour-ending air readings of natural day D: D 01:00 ... D+1 00:00 (= D 24:00)."""
        start = pd.Timestamp(day)
        return cls(start + pd.Timedelta(hours=1), start + pd.Timedelta(days=1), day.isoformat())

    @classmethod
    def calendar(cls, start: dt.date, end: dt.date, label: str) -> Window:
        """Sampling times from ``start`` 00:00 to the last second before ``end``."""
        return cls(pd.Timestamp(start), pd.Timestamp(end) - pd.Timedelta(seconds=1), label)

    def contains(self, times: pd.Series) -> pd.Series:
        return (times >= self.first) & (times <= self.last)

    def params(self) -> dict:
        return {"window_start": stamp(self.first), "window_end": stamp(self.last)}


def day_window(day: dt.date) -> Window:
    return Window.calendar(day, day + dt.timedelta(days=1), day.isoformat())


def month_window(year: int, month: int) -> Window:
    first = dt.date(year, month, 1)
    last = dt.date(year, month, calendar.monthrange(year, month)[1])
    return Window.calendar(first, last + dt.timedelta(days=1), f"{year:04d}-{month:02d}")
