"""同比 of a period so far: the indicators over the same days of the year before (1 January to the same month and
day as the last day with data), computed once by the indicators' own builders and stored with the scoreboard
(``scoreboard.previous_value``). Reads the warehouse; the math is :mod:`pipeline.plan.indicators`'."""

from __future__ import annotations

import pandas as pd
from sqlalchemy.engine import Engine

from pipeline.indicators.acid_rain import acid_rain_frequency, weighted_mean_ph
from pipeline.plan.indicators import air_indicator_rows, source_indicator_rows, water_indicator_rows
from pipeline.store.engine import read_frame
from pipeline.store.reads import source_registry, water_sections, year_days

CITY = "衢州"


def cutoff(year: int, last_day) -> str:
    """The same month and day as ``last_day`` in ``year`` (28 February for a 29th)."""
    month_day = str(last_day)[5:10]
    if month_day == "02-29" and pd.Timestamp(f"{year}-03-01").dayofyear == 60:  # not a leap year
        month_day = "02-28"
    return f"{year}-{month_day}"


def _air(engine: Engine, year: int, last: str) -> pd.DataFrame:
    with engine.connect() as conn:
        days = read_frame(conn, "dml/air_city_day/select_air_city_day_range",
                          {"first_date": f"{year}-01-01", "last_date": last})  # fmt: skip
    return air_indicator_rows(days, year) if len(days) else pd.DataFrame()


def _water(engine: Engine, year: int, last: str) -> pd.DataFrame:
    with engine.connect() as conn:
        periods = read_frame(conn, "dml/water_section_period/select_water_section_periods",
                             {"year": str(year), "months": f"{year}-%"})  # fmt: skip
        samples = read_frame(conn, "dml/water_sample_class/select_water_sample_classes",
                             {"first_time": f"{year}-01-01 00:00:00", "last_time": f"{last} 23:59:59"})  # fmt: skip
    if len(periods):  # the months to the cutoff; a section's year class of the whole year is not the same period
        periods = periods[(periods["period"].astype(str).str.len() == 7) & (periods["period"].astype(str) <= last[:7])]
    if periods.empty and samples.empty:
        return pd.DataFrame()
    return water_indicator_rows(periods, samples, water_sections(engine), year)


def _sources(engine: Engine, year: int, last: str) -> pd.DataFrame:
    days = year_days(engine, year)
    if days.empty:
        return pd.DataFrame()
    days = days[days["date"] <= last]
    outlets, _, caps = source_registry(engine)
    return source_indicator_rows(days, outlets, caps, year) if len(days) else pd.DataFrame()


def _acid_rain(engine: Engine, year: int, last: str) -> pd.DataFrame:
    with engine.connect() as conn:
        samples = read_frame(conn, "dml/precipitation_sample/select_precipitation",
                             {"first_date": f"{year}-01-01", "last_date": last})  # fmt: skip
    if samples.empty:
        return pd.DataFrame()
    return pd.DataFrame({
        "indicator": ["acid_rain.frequency", "acid_rain.mean_ph"], "scope": CITY, "period": str(year),
        "value": [acid_rain_frequency(samples["ph"]), weighted_mean_ph(samples["ph"], samples["rainfall_mm"])],
    })  # fmt: skip


FAMILIES = {"air": _air, "water": _water, "sources": _sources, "acid_rain": _acid_rain}
"""Indicator family (the id's first part) -> its rows over a part of a year."""


def same_period_values(engine: Engine, year: int, wanted: dict[str, str]) -> dict[str, float | None]:
    """{indicator: its city value of ``year - 1`` over 1 January to the same day as its last day with data in
    ``year``} for ``wanted`` ({indicator: last_day}); None: no data then, or a family without a same-period value
    (a noise survey). Each family is computed once per cutoff."""
    before, computed, out = year - 1, {}, {}
    for indicator, last_day in wanted.items():
        family = indicator.split(".", 1)[0]
        if family not in FAMILIES or not last_day:
            out[indicator] = None
            continue
        key = (family, cutoff(before, last_day))
        if key not in computed:
            computed[key] = FAMILIES[family](engine, before, key[1])
        rows = computed[key]
        found = (
            rows[(rows["indicator"] == indicator) & (rows["scope"] == CITY) & (rows["period"] == str(before))]
            if len(rows)
            else rows
        )
        value = found["value"].iloc[0] if len(found) else None
        out[indicator] = None if value is None or pd.isna(value) else float(value)
    return out
