"""City values, good-air-day ratio and annual evaluation per HJ 663-2013, against the GB 3095 Grade II
limits in force for the period (GB 3095-2012; from 2026-03-01 GB 3095-2026, transition limits to 2030,
final limits from 2031: :mod:`pipeline.indicators.editions`). HJ 663-2026 is in force but its text is
not available, so the HJ 663-2013 rules apply to every edition (``editions.EVALUATION_RULES``).

Rules and their status are in ``shared/reference/hj663_2013_evaluation.md``: city concentrations are
the arithmetic mean of the valid values of the city's evaluation stations (background/对照点
stations excluded), and the city's IAQIs and AQI are computed from those concentrations, not
averaged from station AQIs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.indicators.aqi import round_half_even
from pipeline.indicators.daily import DAILY_STATISTICS, VALID_DAY_STATISTICS, daily_aqi
from pipeline.indicators.editions import period_edition

GRADE_II_LIMITS_GB3095_2012 = pd.DataFrame(
    [
        ("so2", "annual", "annual_mean", 60.0, "ug/m3"),
        ("no2", "annual", "annual_mean", 40.0, "ug/m3"),
        ("pm10", "annual", "annual_mean", 70.0, "ug/m3"),
        ("pm25", "annual", "annual_mean", 35.0, "ug/m3"),
        ("co", "24-hour", "p95_daily", 4.0, "mg/m3"),
        ("o3_8h", "daily max 8-hour", "p90_daily_max_8h", 160.0, "ug/m3"),
    ],
    columns=["pollutant", "averaging", "statistic", "limit", "unit"],
)
"""GB 3095-2012, Table 1, Grade II (二级) limits used in the annual evaluation, with the statistic
HJ 663-2013 compares against each: annual mean; CO 24-h 95th percentile; O3 daily max 8-h
90th percentile."""


def _limits(so2: float, no2: float, pm10: float, pm25: float) -> pd.DataFrame:
    frame = GRADE_II_LIMITS_GB3095_2012.copy()
    frame["limit"] = [so2, no2, pm10, pm25, 4.0, 160.0]
    return frame


GRADE_II_LIMITS_GB3095_2026_TRANSITION = _limits(so2=60.0, no2=40.0, pm10=60.0, pm25=30.0)
"""GB 3095-2026, Table 1, 过渡阶段 Grade II (to 2030-12-31): annual SO2 60, NO2 40, PM10 60, PM2.5 30 µg/m³;
CO 24-h 4 mg/m³; O3 daily max 8-h 160 µg/m³ (``shared/reference/gb3095_2026_limits.csv``)."""

GRADE_II_LIMITS_GB3095_2026 = _limits(so2=20.0, no2=30.0, pm10=50.0, pm25=25.0)
"""GB 3095-2026, Table 1, Grade II from 2031-01-01: annual SO2 20, NO2 30, PM10 50, PM2.5 25 µg/m³;
CO 24-h 4 mg/m³; O3 daily max 8-h 160 µg/m³."""

GRADE_II_LIMITS_BY_EDITION = {
    "2012": GRADE_II_LIMITS_GB3095_2012,
    "2026-transition": GRADE_II_LIMITS_GB3095_2026_TRANSITION,
    "2026": GRADE_II_LIMITS_GB3095_2026,
}
"""Grade II limits keyed by edition code (:data:`pipeline.indicators.editions.EDITIONS`)."""

MIN_DAYS_ANNUAL = 324
"""GB 3095-2012 and GB 3095-2026, Table 4: an annual mean needs >= 324 daily means ..."""

MIN_DAYS_MONTH = 27
MIN_DAYS_FEBRUARY = 25
"""... and >= 27 in every month (>= 25 in February). The one rule that applies them to a period is
:func:`pipeline.indicators.coverage.coverage` (complete, or the period so far)."""


def city_day_values(station_days: pd.DataFrame, station_city: pd.Series) -> pd.DataFrame:
    """City-day statistics, IAQIs and AQI from station-day values (HJ 663-2013).

    station_days: output of :func:`pipeline.indicators.daily.station_day_values`.
    station_city: evaluation stations' city, indexed by station code; stations not in it
      (background or unknown) are left out.
    Returns one row per city and date: the mean of the valid station values of each statistic,
    rounded as published (``n_stations`` says how many stations had a valid 24-h PM2.5), then the
    daily AQI columns of :func:`pipeline.indicators.daily.daily_aqi` (on the edition of each date),
    ``edition`` and ``valid_day``.
    """
    days = station_days.assign(city=station_days["station_code"].map(station_city))
    days = days[days["city"].notna()]
    if days.empty:
        return pd.DataFrame(columns=["city", "date", *DAILY_STATISTICS, "n_stations", "valid_day"])
    grouped = days.groupby(["city", "date"], sort=True)
    cities = grouped[list(DAILY_STATISTICS)].mean().reset_index()
    cities["n_stations"] = grouped["station_code"].count().to_numpy()
    for statistic in DAILY_STATISTICS:
        cities[statistic] = round_half_even(cities[statistic].to_numpy(), 1 if statistic == "co" else 0)
    cities["valid_day"] = cities[list(VALID_DAY_STATISTICS)].notna().all(axis=1)
    return pd.concat([cities, daily_aqi(cities)], axis=1)


def good_day_ratio(days: pd.DataFrame, scope: str, freq: str) -> pd.DataFrame:
    """Good-air-day ratio (优良天数比例) [%] = days with AQI <= 100 / valid days * 100.

    A day counts when ``valid_day``: all six daily statistics valid (HJ 663-2013). So a day whose
    HJ 633-2026 AQI is published as NA (5.3.1: a pollutant missing, the others' AQI <= 100) does not
    count, and neither does a day published above 100 with a pollutant missing: HJ 663-2013 (kept
    until the HJ 663-2026 text is available) counts only days with every statistic valid. The day is
    still stored, shown and listed; only the ratio leaves it out.

    days: rows with ``scope`` column, ``date``, ``aqi`` and ``valid_day``.
    freq: ``month`` or ``year``. Returns ``scope, period`` (``YYYY-MM`` or ``YYYY``),
    ``good_days``, ``valid_days``, ``days``, ``ratio_pct`` (NaN with no valid day). HJ 663-2013.
    """
    if freq not in ("month", "year"):
        raise ValueError("freq must be 'month' or 'year'")
    dates = pd.to_datetime(days["date"])
    period = dates.dt.strftime("%Y-%m" if freq == "month" else "%Y")
    valid = days["valid_day"].astype(bool)
    frame = pd.DataFrame(
        {
            "scope": days[scope].to_numpy(),
            "period": period.to_numpy(),
            "good": (valid & (days["aqi"] <= 100)).to_numpy(),
            "valid": valid.to_numpy(),
        }
    )
    out = frame.groupby(["scope", "period"], sort=True).agg(
        good_days=("good", "sum"), valid_days=("valid", "sum"), days=("valid", "size")
    )
    out = out.reset_index()
    with np.errstate(invalid="ignore", divide="ignore"):
        out["ratio_pct"] = np.where(out["valid_days"] > 0, 100.0 * out["good_days"] / out["valid_days"], np.nan)
    return out


def percentile_hj663(values, p: float) -> float:
    """p-th percentile per HJ 663-2013 (appendix): k = 1 + (n-1)p/100, linear between order
    statistics. Equals numpy's default ``linear`` method. NaNs are ignored; NaN if none left."""
    data = np.asarray(values, dtype=float)
    data = data[~np.isnan(data)]
    return float(np.percentile(data, p)) if data.size else float("nan")


def annual_statistics(city_days: pd.DataFrame, year: int) -> pd.DataFrame:
    """Annual evaluation statistics of one year per city, against the Grade II limits in force at the
    year's end (:func:`pipeline.indicators.editions.period_edition`: 2012 to 2025, the GB 3095-2026
    transition limits for 2026-2030, the final limits from 2031).

    city_days: rows with ``city``, ``date`` and the daily statistics (valid values only, NaN else).
    Returns one row per city and pollutant of the edition's limits table: ``value``
    (annual mean, or CO p95 / O3-8h p90 of the daily values; rounded as published), ``n_days``,
    ``limit``, ``unit``, ``statistic``, ``complete`` (:func:`pipeline.indicators.coverage.coverage` of the
    pollutant's valid days: GB 3095-2012 Table 4, >= 324 days in the year and >= 27 per month, 25 in February), ``within_limit`` (value <= limit, NaN if no value),
    ``edition`` (the code whose limits were used).
    """
    edition = period_edition(str(year)).code
    limits = GRADE_II_LIMITS_BY_EDITION[edition]
    dates = pd.to_datetime(city_days["date"])
    days = city_days[dates.dt.year == year].assign(month=dates.dt.month)
    from pipeline.indicators.coverage import coverage  # beside MIN_DAYS_*: it reads them

    rows = []
    for city, frame in days.groupby("city", sort=True):
        for limit in limits.itertuples():
            values = frame[limit.pollutant]
            if limit.statistic == "annual_mean":
                value = values.mean()
            else:
                value = percentile_hj663(values, 95 if limit.pollutant == "co" else 90)
            value = round_half_even(value, 1 if limit.pollutant == "co" else 0)
            valid = values.notna().to_numpy()
            n_days = int(valid.sum())
            cover = coverage(str(year), frame["date"], valid)
            rows.append(
                {
                    "city": city,
                    "pollutant": limit.pollutant,
                    "statistic": limit.statistic,
                    "value": value,
                    "n_days": n_days,
                    "limit": limit.limit,
                    "unit": limit.unit,
                    "complete": cover.complete,
                    "within_limit": np.nan if np.isnan(value) else bool(value <= limit.limit),
                    "edition": edition,
                }
            )
    return pd.DataFrame(rows)
