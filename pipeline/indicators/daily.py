"""Station-day air values from hourly readings, with the GB 3095-2012 data-validity rules.

Time convention (documented in the README, checked in ``tests/ingest/test_cnemc_wide.py``): every
hourly value is labelled with the **end** of its hour, local time Asia/Shanghai (GB 3095-2012
clause 3.6; HJ 663-2013 Table A.1: "整点时刻前1小时"). A natural day D is the 24 hours ending
D 01:00 ... D+1 00:00 (= D 24:00). The national files label hours 0-23; their hour 0 row is therefore
24:00 of the previous day, which their published ``O3_8h`` rows confirm (the 8-h window restarts at
hour 1 of each file, so hour 0 still belongs to the previous day's windows).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

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


NS_PER_HOUR = 3_600_000_000_000


def natural_day_and_hour(hour_end: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Natural day [days since 1970-01-01] and hour slot 0-23 (= hour-ending 01:00 ... 24:00).

    hour_end: hour-ending timestamps, local time, on the hour. Raises ValueError otherwise.
    """
    stamps = pd.to_datetime(hour_end).to_numpy()
    nanoseconds = stamps.astype("datetime64[ns]", copy=False).view(np.int64)
    if not len(nanoseconds):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    # Hours counted from the first one (one integer division by a constant; the day and slot then in
    # int32, which numpy divides several times faster than int64).
    origin = int(nanoseconds.min())
    from_origin = nanoseconds - origin
    hours = from_origin // NS_PER_HOUR
    if origin % NS_PER_HOUR or (hours * NS_PER_HOUR != from_origin).any():
        raise ValueError("hour-ending timestamps must fall on the hour")
    first = origin // NS_PER_HOUR - 1  # hours since 1970 of the first slot's start
    first_day, first_slot = divmod(first, 24)
    if int(hours.max()) + first_slot < 2**31 - 1:
        hours = hours.astype(np.int32)
    day, slot = np.divmod(hours + first_slot, 24)
    return day.astype(np.int64) + first_day, slot.astype(np.int64)


def station_day_values(hourly: pd.DataFrame) -> pd.DataFrame:
    """Daily statistics per station and natural day, invalid ones left empty.

    hourly: one row per station-hour with ``station_code``, ``hour_end`` (hour-ending local time)
      and any of ``so2, no2, pm10, co, o3, pm25`` [µg/m³; CO mg/m³], NaN where missing.
    Returns one row per station and natural day with a reading (ordered by station, then day),
    columns :data:`STATION_DAY_COLUMNS`: 24-h means (``<p>``) and the hours behind them (``<p>_hours``);
    daily max 8-h O3 (``o3_8h``) and its valid windows; daily max 1-h O3 (``o3_1h``) and O3 hours;
    ``valid_day``. Values are rounded as published and are NaN when GB 3095-2012 Table 4
    (and the HJ 663-2013 O3 rule) makes them invalid. Raises ValueError on a duplicate
    station-hour.

    Speed (issue 18): the rows are taken a block of stations at a time (:data:`BLOCK_ROWS` station-hours;
    national data comes station by station, so a block is a slice, not a copy), two blocks at once in
    threads (numpy releases the GIL). Each block's arrays stay in the CPU cache and are reused by the
    allocator, instead of a dozen arrays of the whole year's size each paying its page faults.
    """
    if hourly.empty:
        return pd.DataFrame(columns=list(STATION_DAY_COLUMNS))
    codes = hourly["station_code"]
    if isinstance(codes.dtype, pd.CategoricalDtype):  # national-scale callers: codes come free
        station_idx, stations = codes.cat.codes.to_numpy(), codes.cat.categories
    else:
        station_idx, stations = pd.factorize(codes, sort=True)
    if (station_idx < 0).any():
        raise ValueError("station_code missing on some hourly rows")
    if len(station_idx) > 1 and (station_idx[1:] < station_idx[:-1]).any():  # not station by station: sort
        order = np.argsort(station_idx, kind="stable")
        hourly, station_idx = hourly.iloc[order], station_idx[order]
    step = max(1, int(len(stations) * BLOCK_ROWS // len(hourly)))
    bounds = np.searchsorted(station_idx, np.arange(0, len(stations) + step, step))
    blocks = [(a, b) for a, b in zip(bounds[:-1], bounds[1:], strict=True) if b > a]
    stations = np.asarray(stations, dtype=object)

    def block(rows: tuple[int, int]) -> dict[str, np.ndarray]:
        a, b = rows
        return _station_day_block(hourly.iloc[a:b], station_idx[a:b], stations)

    if len(blocks) > 1:
        with ThreadPoolExecutor(max_workers=2) as pool:
            parts = list(pool.map(block, blocks))
    else:
        parts = [block(blocks[0])]
    result = pd.DataFrame({column: np.concatenate([part[column] for part in parts]) for column in parts[0]})
    result["valid_day"] = result[list(VALID_DAY_STATISTICS)].notna().all(axis=1)
    return result[list(STATION_DAY_COLUMNS)]


BLOCK_ROWS = 250_000
"""Station-hours taken at a time by :func:`station_day_values` (whole stations; a block's arrays are a few MB)."""


def _station_day_block(hourly: pd.DataFrame, station_idx: np.ndarray, stations: np.ndarray) -> dict[str, np.ndarray]:
    """:func:`station_day_values` of the rows of a block of whole stations, as arrays (``valid_day`` apart).

    The hours are laid out hour-major, an array (24, station-days) per pollutant, so that each statistic
    is a few passes over contiguous rows."""
    day_num, hour_slot = natural_day_and_hour(hourly["hour_end"])
    first_station = int(station_idx[0])
    n_stations = int(station_idx[-1]) - first_station + 1
    first_day = int(day_num.min())
    n_days = int(day_num.max()) - first_day + 1
    group = (station_idx.astype(np.int64) - first_station) * n_days + (day_num - first_day)
    cell = group * 24 + hour_slot
    per_cell = np.bincount(cell, minlength=n_stations * n_days * 24)
    if per_cell.max() > 1:
        dup = hourly.loc[pd.Series(cell, index=hourly.index).duplicated(keep=False), ["station_code", "hour_end"]]
        raise ValueError(f"duplicate station-hour(s): {dup.head(3).to_dict('records')}")
    occupied = np.flatnonzero(per_cell.reshape(-1, 24).any(axis=1))
    if len(occupied) < n_stations * n_days:  # station-days with no reading get no row
        compact = np.full(n_stations * n_days, -1, dtype=np.int64)
        compact[occupied] = np.arange(len(occupied))
        group = compact[group]
    n_groups = len(occupied)
    position = hour_slot * n_groups + group  # where each reading goes in a (24, station-days) array

    def by_hour(column: str) -> np.ndarray:
        values = np.full(24 * n_groups, np.nan)
        if column in hourly:
            source = hourly[column]
            if source.dtype.kind != "f":
                source = pd.to_numeric(source, errors="coerce")
            values[position] = source.to_numpy(dtype=float)
        return values.reshape(24, n_groups)

    out = {
        "station_code": stations[occupied // n_days + first_station],
        "date": (occupied % n_days + first_day).astype("datetime64[D]").astype("datetime64[s]"),
    }
    for pollutant in DAY_MEAN_POLLUTANTS:
        values = by_hour(pollutant)
        present = ~np.isnan(values)
        hours = present.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = _day_sums(np.where(present, values, 0.0)) / hours
        out[pollutant] = np.where(hours >= MIN_HOURS_24H, _rounded(mean, pollutant), np.nan)
        out[f"{pollutant}_hours"] = hours
    o3 = by_hour("o3")
    o3_hours = (~np.isnan(o3)).sum(axis=0)
    out["o3_8h"], out["o3_8h_windows"] = _daily_max_8h_by_hour(o3)
    out["o3_1h"] = np.where(o3_hours >= MIN_HOURS_24H, np.fmax.reduce(o3, axis=0), np.nan)
    out["o3_hours"] = o3_hours
    return out


def _day_sums(by_hour: np.ndarray) -> np.ndarray:
    """Column sums of a (24, n) array in the order ``np.sum`` adds a contiguous row of 24 (numpy's
    pairwise summation: eight running sums over hours k, k+8, k+16, then combined in pairs), so that
    results equal ``np.nansum(days_by_24, axis=1)`` bit for bit."""
    r = [by_hour[k] + by_hour[k + 8] + by_hour[k + 16] for k in range(8)]
    return ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))


def daily_max_8h(o3_by_hour: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Daily maximum 8-h O3 and its number of valid windows.

    o3_by_hour: array (days, 24) of 1-h O3 [µg/m³], column j = hour-ending j+1, NaN missing.
    A window (hours X-7 ... X, X = 8 ... 24) is valid with >= 6 hours (GB 3095-2012 Table 4); the
    day's value is valid with >= 14 valid windows or a maximum above 160 (HJ 663-2013).
    Returns (value rounded to an integer or NaN, valid window count).
    """
    return _daily_max_8h_by_hour(np.ascontiguousarray(np.asarray(o3_by_hour, dtype=float).T))


def _daily_max_8h_by_hour(by_hour: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`daily_max_8h` of an array (24, days): each hour a contiguous row."""
    present = ~np.isnan(by_hour)
    sums = np.zeros((25, by_hour.shape[1]))
    counts = np.zeros((25, by_hour.shape[1]), dtype=np.int16)
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
