"""Pollution-source job, stage by stage: ingest -> validate -> load -> daily_values -> indicators.

Hourly uploads arrive through the day; the nightly run (``dags/pollution_sources.py``) takes the
previous day: every file in the landing folder whose name holds the day's month (``YYYY-MM``, e.g. a
platform's monthly log) or the day, the day's readings in it, and the rest counted as
``rows_other_days``. HJ 212 messages the reader rejects are quarantined with their reason.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine

from pipeline import fanout
from pipeline.db import read_frame, replacing, sql
from pipeline.indicators.sources import outlet_days
from pipeline.ingest import landed
from pipeline.ingest.sources import read
from pipeline.load import Batch, ReadingTable, Window, discard_staging, load_batch, stamp
from pipeline.nightly import _db_rows
from pipeline.validate import run_suite

DATASET = "source_readings"


def _optional(valid: pd.DataFrame, column: str) -> pd.Series:
    """A column that only some readers send (HJ 212 Min, Max, Cou): NaN (NULL) where absent."""
    return valid[column].astype(float) if column in valid else pd.Series(np.nan, index=valid.index)


def reading_frame(batch_id: str, valid: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "outlet_code": valid["outlet_code"].astype(str),
            "period_start": valid["period_start"]
            .astype("datetime64[us]")
            .dt.floor("s"),  # whole seconds, as SQLite keeps them
            "interval": valid["interval"].astype(str),
            "item": valid["item"].astype(str),
            "value": valid["value"].astype(float),
            "flag": valid["flag"].astype(str),
            **{column: _optional(valid, column) for column in ("min_value", "max_value", "cou_value")},
            "batch_id": batch_id,
        }
    )


SOURCE_READINGS = ReadingTable.bulk(
    "source_reading", ("outlet_code", "period_start", "interval", "item"), "period_start", reading_frame,
    partition="month",
)  # fmt: skip


def day_window(day: dt.date) -> Window:
    return Window.calendar(day, day + dt.timedelta(days=1), day.isoformat())


def registry(engine: Engine) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    with engine.connect() as conn:
        return tuple(
            pd.DataFrame(conn.execute(sql(f"dml/select_source_{name}")).mappings().all())
            for name in ("outlets", "limits", "caps")
        )


def landing_files(landing_dir: Path, day: dt.date) -> list[Path]:
    tokens = (day.strftime("%Y-%m"), day.strftime("%Y%m"))
    return [f for f in landed(landing_dir) if any(t in f.name for t in tokens)]


def read_mapped(path: Path, outlets: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Records of a file with HJ 212 device ids mapped to outlet codes (unknown ids stay empty and are
    quarantined as unknown outlets), and the file's rejected messages."""
    records, rejects = read(path)
    by_mn = dict(zip(outlets["mn"], outlets["outlet_code"], strict=True)) if len(outlets) else {}
    from_log = records["mn"].notna()
    records.loc[from_log, "outlet_code"] = records.loc[from_log, "mn"].map(by_mn)
    return records, rejects


def _staging(staging_dir: Path, window: Window) -> Path:
    path = Path(staging_dir) / DATASET / window.label
    path.mkdir(parents=True, exist_ok=True)
    return path


def ingest(engine: Engine, landing_dir: Path, window: Window, staging_dir: Path) -> dict:
    """Read the day's files; stage the day's records and every rejected message."""
    outlets, _, _ = registry(engine)
    files = landing_files(landing_dir, window.first.date())
    if not files:
        raise FileNotFoundError(f"no source files for {window.label} in {landing_dir}")
    frames, rejected, other = [], [], 0
    for path in files:
        records, rejects = read_mapped(path, outlets)
        # Files hold a month: readings of the month's other days belong to their own runs; readings
        # dated outside the month (or in the future) go, once, to the run of the month's first day,
        # whose validation quarantines them.
        month = records["period_start"].dt.strftime("%Y-%m") == window.first.strftime("%Y-%m")
        others_here = month if window.first.day == 1 else pd.Series(True, index=records.index)
        elsewhere = records["period_start"].notna() & ~window.contains(records["period_start"]) & others_here
        other += int(elsewhere.sum())
        frames.append(records[~elsewhere])
        rejected.append(rejects[_reject_in_window(rejects, window)])
    target = _staging(staging_dir, window)
    records = pd.concat(frames, ignore_index=True)
    rejects = pd.concat(rejected, ignore_index=True)
    records.to_pickle(target / "records.pkl")
    rejects.to_pickle(target / "rejects.pkl")
    batch = Batch(DATASET, files, window, rows_other_days=other)
    return {
        "window": [stamp(window.first), stamp(window.last), window.label], "files": [str(f) for f in files],
        "sha256": batch.sha256, "rows_read": len(records) + len(rejects), "rows_other_days": other,
        "started_at": batch.started_at.isoformat(), "staging": str(target),
    }  # fmt: skip


def _reject_in_window(rejects: pd.DataFrame, window: Window) -> pd.Series:
    """A rejected message belongs to the run of the day its QN/DataTime names when that can be read,
    else to the first day of the month (so that each is quarantined exactly once)."""
    if rejects.empty:
        return pd.Series(dtype=bool)
    found = rejects["raw_record"].str.extract(r"DataTime=(\d{8})")[0]
    day = pd.to_datetime(found, format="%Y%m%d", errors="coerce")
    fallback = window.first.replace(day=1)
    day = day.where(day.notna() & (day.dt.strftime("%Y-%m") == window.first.strftime("%Y-%m")), fallback)
    return day == window.first.normalize()


def window_of(staged: dict) -> Window:
    first, last, label = staged["window"]
    return Window(pd.Timestamp(first), pd.Timestamp(last), label)


def validate(engine: Engine, staged: dict) -> dict:
    outlets, _, _ = registry(engine)
    window = window_of(staged)
    target = Path(staged["staging"])
    part = fanout.part(staged)  # one outlet group of a fanned-out night, or ""
    records = pd.read_pickle(target / f"records{part}.pkl")
    params = {"known_outlets": outlets["outlet_code"].tolist(), "first_time": window.first, "last_time": window.last}
    result = run_suite(records, DATASET, params)
    # The lines the reader rejected (bad CRC, unparsable ...) are quarantined once: with the first group.
    rejects = pd.read_pickle(target / "rejects.pkl") if staged.get("shard", 0) == 0 else None
    quarantined = pd.concat([result.quarantined, rejects], ignore_index=True)
    result.valid.to_pickle(target / f"valid{part}.pkl")
    quarantined.to_pickle(target / f"quarantined{part}.pkl")
    return {**staged, "rows_valid": len(result.valid), "rows_quarantined": len(quarantined)}


def outlet_groups(staged: dict, groups: int) -> list[dict]:
    """Split the staged readings into ``groups`` outlet groups for validation fanned out over workers
    (:func:`pipeline.fanout.split`); join them back with :func:`pipeline.fanout.join`."""
    return fanout.split(staged, groups, "outlet_code")


def load(engine: Engine, validated: dict, keep_staging: bool = False) -> dict:
    target = Path(validated["staging"])
    batch = Batch.from_staged(DATASET, validated, window_of(validated))
    valid, quarantined = pd.read_pickle(target / "valid.pkl"), pd.read_pickle(target / "quarantined.pkl")
    accounting = load_batch(engine, batch, valid, quarantined, SOURCE_READINGS)
    if not keep_staging:  # loaded: the staged pickles have done their job (a failed load keeps them for the retry)
        discard_staging(target)
    return {**validated, "batch_id": accounting["batch_id"], "rows_loaded": accounting["rows_loaded"]}


def daily_values(engine: Engine, first: dt.date, last: dt.date | None = None) -> dict:
    """Outlet-day values (means, loads, exceedances, compliance) of the days first ... last."""
    last = last or first
    outlets, limits, _ = registry(engine)
    params = {"first_time": f"{first} 00:00:00", "last_time": f"{last} 23:59:59"}
    with engine.connect() as conn:
        hours = read_frame(conn, "dml/select_source_hours", params)
    days = outlet_days(hours, outlets, limits) if len(hours) else pd.DataFrame()
    with replacing(engine, "source_outlet_day") as conn:
        conn.execute(
            sql("dml/delete_source_outlet_day"), {"first_date": first.isoformat(), "last_date": last.isoformat()}
        )
        if len(days):
            conn.execute(sql("dml/insert_source_outlet_day"), _db_rows(days))
    return {"first": first.isoformat(), "last": last.isoformat(), "outlet_days": len(days)}


def year_days(engine: Engine, year: int) -> pd.DataFrame:
    params = {"first_date": f"{year}-01-01", "last_date": f"{year}-12-31"}
    with engine.connect() as conn:
        days = pd.DataFrame(conn.execute(sql("dml/select_source_outlet_days"), params).mappings().all())
    if len(days):  # DATE comes back as text from SQLite and as a date from PostgreSQL
        days["date"] = pd.to_datetime(days["date"]).dt.strftime("%Y-%m-%d")
    return days


def indicators(engine: Engine, year: int) -> dict:
    """The plan's source indicators of ``year`` (and its months)."""
    from pipeline.targets import source_indicator_rows

    days = year_days(engine, year)
    outlets, _, caps = registry(engine)
    rows = source_indicator_rows(days, outlets, caps, year) if len(days) else pd.DataFrame()
    with replacing(engine, f"indicators|sources|{year}") as conn:
        conn.execute(
            sql("dml/delete_indicators_of_year"), {"family": "sources.%", "year": str(year), "months": f"{year}-%"}
        )
        if len(rows):
            conn.execute(sql("dml/insert_indicator"), _db_rows(rows))
    return {"year": year, "indicators": len(rows)}


def totals(days: pd.DataFrame) -> pd.DataFrame:
    """Loads [t] per pollutant for the city and each county (valid hours only)."""
    if days.empty:
        return pd.DataFrame(columns=["scope", "pollutant", "load_t"])
    city = days.groupby("pollutant")["load_kg"].sum().div(1000).rename("load_t").reset_index().assign(scope="衢州")
    county = days.groupby(["county_zh", "pollutant"])["load_kg"].sum().div(1000).rename("load_t").reset_index()
    county = county.rename(columns={"county_zh": "scope"})
    return pd.concat([city, county], ignore_index=True)[["scope", "pollutant", "load_t"]]
