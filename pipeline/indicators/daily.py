"""Station-day air values from hourly readings, with the GB 3095-2012 data-validity rules.

Time convention (documented in the README, checked in ``tests/ingest/test_cnemc_wide.py``): every
hourly value is labelled with the **end** of its hour, local time Asia/Shanghai (GB 3095-2012
clause 3.6; HJ 663-2013 Table A.1: "整点时刻前1小时"). A natural day D is the 24 hours ending
D 01:00 ... D+1 00:00 (= D 24:00). The national files label hours 0-23; their hour 0 row is therefore
24:00 of the previous day, which their published ``O3_8h`` rows confirm (the 8-h window restarts at
hour 1 of each file, so hour 0 still belongs to the previous day's windows).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.indicators.aqi import aqi_frame, round_half_even
from pipeline.indicators.editions import aqi_of, edition_for

MIN_HOURS_24H = 20
"""GB 3095-2012, Table 4: a 24-h mean needs at least 20 hourly values."""

MIN_HOURS_8H = 6
"""GB 3095-2012, Table 4: an 8-h mean needs at least 6 hourly values."""

MIN_WINDOWS_O3_8H = 14
"""HJ 663-2013: the daily max 8-h O3 needs at least 14 valid 8-h means among its 17 windows..."""

O3_8H_VALID_ABOVE = 160.0
"""... or, with fewer, a maximum above the Grade II limit [µg/m³] (GB 3095-2012, Table 1)."""

O3_8H_WINDOW_ENDS = range(8, 25)
"""Windows of the daily max 8-h O3: hour-ending 08:00 ... 24:00 of the same day (HJ 663-2013).
The 8-h mean at hour X covers hours X-7 ... X; no window crosses midnight."""

DAY_MEAN_POLLUTANTS = ("so2", "no2", "pm10", "co", "pm25")
"""Pollutants with a 24-h mean in the daily report (HJ 633-2012, clause 5.1)."""

VALID_DAY_STATISTICS = ("so2", "no2", "pm10", "co", "pm25", "o3_8h")
"""A day counts for the good-air-day ratio when all of these are valid (HJ 663-2013, see
``shared/reference/hj663_2013_evaluation.md``: "all six pollutants' daily statistics valid")."""

DAILY_STATISTICS = (*DAY_MEAN_POLLUTANTS, "o3_8h", "o3_1h")

STATION_DAY_COLUMNS = (
    "station_code",
    "date",
    *[c for p in DAY_MEAN_POLLUTANTS for c in (p, f"{p}_hours")],
    "o3_8h",
    "o3_8h_windows",
    "o3_1h",
    "o3_hours",
    "valid_day",
)


def _rounded(values: np.ndarray, pollutant: str) -> np.ndarray:
    """Published precision: integers, CO to 0.1 (HJ 663-2013; GB/T 8170)."""
    return round_half_even(values, 1 if pollutant == "co" else 0)


def natural_day_and_hour(hour_end: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Natural day [days since 1970-01-01] and hour slot 0-23 (= hour-ending 01:00 ... 24:00).

    hour_end: hour-ending timestamps, local time, on the hour. Raises ValueError otherwise.
    """
    seconds = pd.to_datetime(hour_end).to_numpy().astype("datetime64[s]").view(np.int64)
    hours, off_hour = np.divmod(seconds, 3600)
    if off_hour.any():
        raise ValueError("hour-ending timestamps must fall on the hour")
    return np.divmod(hours - 1, 24)


def station_day_values(hourly: pd.DataFrame) -> pd.DataFrame:
    """Daily statistics per station and natural day, invalid ones left empty.

    hourly: one row per station-hour with ``station_code``, ``hour_end`` (hour-ending local time)
      and any of ``so2, no2, pm10, co, o3, pm25`` [µg/m³; CO mg/m³], NaN where missing.
    Returns one row per station and natural day with a reading, columns
    :data:`STATION_DAY_COLUMNS`: 24-h means (``<p>``) and the hours behind them (``<p>_hours``);
    daily max 8-h O3 (``o3_8h``) and its valid windows; daily max 1-h O3 (``o3_1h``) and O3 hours;
    ``valid_day``. Values are rounded as published and are NaN when GB 3095-2012 Table 4
    (and the HJ 663-2013 O3 rule) makes them invalid. Raises ValueError on a duplicate
    station-hour.
    """
    if hourly.empty:
        return pd.DataFrame(columns=list(STATION_DAY_COLUMNS))
    codes = hourly["station_code"]
    if isinstance(codes.dtype, pd.CategoricalDtype):  # national-scale callers: codes come free
        station_idx, stations = codes.cat.codes.to_numpy(), codes.cat.categories
    else:
        station_idx, stations = pd.factorize(codes, sort=True)
    day_num, hour_slot = natural_day_and_hour(hourly["hour_end"])
    first_day = int(day_num.min())
    n_days = int(day_num.max()) - first_day + 1
    group = station_idx.astype(np.int64) * n_days + (day_num - first_day)
    cell = group * 24 + hour_slot
    n_cells = len(stations) * n_days * 24
    per_cell = np.bincount(cell, minlength=n_cells)
    if per_cell.max() > 1:
        dup = hourly.loc[pd.Series(cell).duplicated(keep=False).to_numpy(), ["station_code", "hour_end"]]
        raise ValueError(f"duplicate station-hour(s): {dup.head(3).to_dict('records')}")
    occupied = np.flatnonzero(per_cell.reshape(-1, 24).any(axis=1))
    every_group = len(occupied) == len(stations) * n_days

    out = {
        "station_code": stations.to_numpy()[occupied // n_days],
        "date": (occupied % n_days + first_day).astype("datetime64[D]").astype("datetime64[s]"),
    }

    def grid(column: str) -> np.ndarray:
        values = np.full(n_cells, np.nan)
        if column in hourly:
            source = hourly[column]
            if source.dtype.kind != "f":
                source = pd.to_numeric(source, errors="coerce")
            values[cell] = source.to_numpy(dtype=float)
        values = values.reshape(-1, 24)
        return values if every_group else values[occupied]

    for pollutant in DAY_MEAN_POLLUTANTS:
        values = grid(pollutant)
        hours = np.sum(~np.isnan(values), axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.nansum(values, axis=1) / hours
        out[pollutant] = np.where(hours >= MIN_HOURS_24H, _rounded(mean, pollutant), np.nan)
        out[f"{pollutant}_hours"] = hours

    o3 = grid("o3")
    o3_hours = np.sum(~np.isnan(o3), axis=1)
    out["o3_8h"], out["o3_8h_windows"] = daily_max_8h(o3)
    with np.errstate(invalid="ignore"):
        o3_max = np.nanmax(np.where(np.isnan(o3), -np.inf, o3), axis=1)
    out["o3_1h"] = np.where(o3_hours >= MIN_HOURS_24H, o3_max, np.nan)
    out["o3_hours"] = o3_hours
    result = pd.DataFrame(out)
    result["valid_day"] = result[list(VALID_DAY_STATISTICS)].notna().all(axis=1)
    return result[list(STATION_DAY_COLUMNS)]


def daily_max_8h(o3_by_hour: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Daily maximum 8-h O3 and its number of valid windows.

    o3_by_hour: array (days, 24) of 1-h O3 [µg/m³], column j = hour-ending j+1, NaN missing.
    A window (hours X-7 ... X, X = 8 ... 24) is valid with >= 6 hours (GB 3095-2012 Table 4); the
    day's value is valid with >= 14 valid windows or a maximum above 160 (HJ 663-2013).
    Returns (value rounded to an integer or NaN, valid window count).
    """
    by_hour = np.ascontiguousarray(o3_by_hour.T)  # (24, days): each hour a contiguous row
    present = ~np.isnan(by_hour)
    sums = np.zeros((25, by_hour.shape[1]))
    counts = np.zeros((25, by_hour.shape[1]))
    np.cumsum(np.where(present, by_hour, 0.0), axis=0, out=sums[1:])
    np.cumsum(present, axis=0, out=counts[1:])
    ends = np.array(O3_8H_WINDOW_ENDS)
    window_sums = sums[ends] - sums[ends - 8]
    window_counts = counts[ends] - counts[ends - 8]
    valid = window_counts >= MIN_HOURS_8H
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(valid, window_sums / window_counts, -np.inf)
    n_valid = valid.sum(axis=0)
    best = _rounded(np.where(n_valid > 0, means.max(axis=0), np.nan), "o3")
    ok = (n_valid >= MIN_WINDOWS_O3_8H) | (best > O3_8H_VALID_ABOVE)
    return np.where(ok, best, np.nan), n_valid


def station_day_aqi(hourly: pd.DataFrame) -> pd.DataFrame:
    """:func:`station_day_values` plus the daily IAQIs, AQI, level, category, primary pollutant and
    publication status (:func:`pipeline.indicators.aqi.aqi_frame`), each day on the HJ 633 edition in
    force on its date, and ``edition``: the code of :func:`pipeline.indicators.editions.edition_for`."""
    days = station_day_values(hourly)
    return pd.concat([days, daily_aqi(days)], axis=1)


def daily_aqi(days: pd.DataFrame) -> pd.DataFrame:
    """Daily AQI columns and ``edition`` for rows with ``date`` and :data:`DAILY_STATISTICS`, each row on
    the edition in force on its date (:mod:`pipeline.indicators.editions`)."""
    dates = pd.Series(pd.unique(days["date"]))
    codes = dict(zip(dates, edition_for(dates), strict=True)) if len(dates) else {}
    edition = days["date"].map(codes).to_numpy(dtype=object)
    aqi = aqi_frame(days[list(DAILY_STATISTICS)], mode="daily", edition=aqi_of(edition))
    return aqi.assign(edition=edition)
