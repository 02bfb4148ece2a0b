"""The nightly air job, stage by stage: ingest -> validate -> load -> daily_values -> indicators.

Each stage is one function; the Airflow DAG (``dags/air_quality_nightly.py``) runs one per task and
``python -m pipeline run`` runs them in order. Stages pass small JSON-able dicts; the records move
through pickles in a staging folder (one per dataset and day), so each task can be retried alone.

Files of a day D in the landing folder: every ``*.csv`` whose name holds D (``YYYYMMDD`` or
``YYYY-MM-DD``), and the national wide file of D+1, of which only hour 0 (= D 24:00) belongs to D.
Values of other days in the national files are counted (``rows_other_days``) and left to their own
day's run; every other record is either loaded or quarantined.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pandas as pd
from sqlalchemy.engine import Engine

from pipeline import fanout
from pipeline.indicators.daily import station_day_aqi
from pipeline.indicators.evaluation import city_day_values
from pipeline.ingest import IngestError, cnemc_wide, landed
from pipeline.ingest.air import detect_format, read_air_file
from pipeline.plan.indicators import air_indicator_rows
from pipeline.store.engine import read_frame, replacing, sql
from pipeline.store.load import Batch, db_rows, discard_staging, load_batch, load_batches, replace_indicators
from pipeline.store.reads import RegistryEmpty, known_stations
from pipeline.store.tables import AIR_HOURLY
from pipeline.validate import publish_data_docs, run_suite, stage_data_docs, staged_data_docs
from pipeline.windows import Window

log = logging.getLogger(__name__)
DATASET = "air_hourly"


def _tokens(day: dt.date) -> tuple[str, str]:
    return day.strftime("%Y%m%d"), day.isoformat()


def _is_national(path: Path) -> bool:
    try:
        return detect_format(path) == "cnemc_wide"
    except IngestError:
        return False  # an unreadable file of D+1 is D+1's run's error, not D's


def landing_files(landing_dir: Path, day: dt.date) -> list[Path]:
    """The files that hold readings of natural day ``day`` (see module docstring)."""
    files = [f for f in landed(landing_dir) if f.suffix == ".csv"]
    today = [f for f in files if any(t in f.name for t in _tokens(day))]
    tomorrow = [f for f in files if any(t in f.name for t in _tokens(day + dt.timedelta(days=1))) and _is_national(f)]
    return today + tomorrow


def staging_path(staging_dir: Path, day: dt.date) -> Path:
    path = Path(staging_dir) / DATASET / day.isoformat()
    path.mkdir(parents=True, exist_ok=True)
    return path


def ingest(landing_dir: Path, day: dt.date, staging_dir: Path) -> dict:
    """Read the day's files into canonical records (staged). Raises IngestError on a bad file and
    FileNotFoundError when the landing folder has nothing for the day."""
    files = landing_files(landing_dir, day)
    if not files:
        raise FileNotFoundError(f"no air files for {day} in {landing_dir} (expected e.g. china_sites_{day:%Y%m%d}.csv)")
    window = Window.natural_day(day)
    frames, other_days, warnings = [], 0, []
    tomorrow = day + dt.timedelta(days=1)
    has_tomorrows_national_file = False
    for path in files:
        national = _is_national(path)  # the format, once per file (detecting it reads the file)
        if national and any(t in path.name for t in _tokens(tomorrow)):
            # Tomorrow's national file: only its hour 0 (today's 24:00) is ours; the rest of its date is
            # counted, not parsed (half of a national night's reading time).
            has_tomorrows_national_file = True
            records = cnemc_wide.read(path, only_hour_of=(tomorrow.strftime("%Y%m%d"), "0"))
            other_days += records.attrs["values_passed_over"]
        else:
            records = read_air_file(path)
        if national and len(records):
            # A national file holds one calendar date: its hour 0 is the previous day's 24:00 and its
            # hours 1-23 the day itself. Values of that date outside the window belong to another day's
            # run; a row of any other date stays, and validation quarantines it.
            file_date = records["hour_end"].dt.normalize().mode().iloc[0]
            elsewhere = ~window.contains(records["hour_end"]) & (records["hour_end"].dt.normalize() == file_date)
            other_days += int(elsewhere.sum())
            records = records[~elsewhere]
        frames.append(records)
        log.info("ingest: %s -> %d records", path.name, len(records))
    if not has_tomorrows_national_file:
        warnings.append(f"no national file of {tomorrow} yet: {day} 24:00 is missing; re-run {day} when it lands")
        log.warning(warnings[-1])
    records = pd.concat(frames, ignore_index=True)
    batch = Batch(DATASET, files, window, rows_other_days=other_days)
    target = staging_path(staging_dir, day)
    records.to_pickle(target / "records.pkl")
    return {
        "day": day.isoformat(),
        "files": [str(f) for f in files],
        "sha256": batch.sha256,
        "rows_read": len(records),
        "rows_other_days": other_days,
        "warnings": warnings,
        "started_at": batch.started_at.isoformat(),
        "staging": str(target),
    }


def validate(engine: Engine, staged: dict) -> dict:
    """Run the ``air_hourly`` GX suite on the staged records; stage valid and quarantined rows."""
    window = Window.natural_day(dt.date.fromisoformat(staged["day"]))
    stations = known_stations(engine)
    if not stations:
        raise RegistryEmpty("station")
    target = Path(staged["staging"])
    part = fanout.part(staged)  # one station group of a fanned-out night, or ""
    records = pd.read_pickle(target / f"records{part}.pkl")
    result = run_suite(
        records,
        DATASET,
        {
            "known_stations": stations,
            "first_hour_end": window.first,
            "last_hour_end": window.last,
        },
    )
    result.valid.to_pickle(target / f"valid{part}.pkl")
    result.quarantined.to_pickle(target / f"quarantined{part}.pkl")
    stage_data_docs(target, part, result)
    return {**staged, "rows_valid": len(result.valid), "rows_quarantined": len(result.quarantined)}


def station_groups(staged: dict, groups: int) -> list[dict]:
    """Split the day's staged records into ``groups`` station groups for validation fanned out over
    workers (:func:`pipeline.fanout.split`); join them back with :func:`pipeline.fanout.join`."""
    return fanout.split(staged, groups, "station_code")


def load(engine: Engine, validated: dict, keep_staging: bool = False, docs_dir: Path | None = None) -> dict:
    """Write the day's batch in one transaction (replacing the day's readings)."""
    target = Path(validated["staging"])
    batch = Batch.from_staged(DATASET, validated, Window.natural_day(dt.date.fromisoformat(validated["day"])))
    accounting = load_batch(
        engine, batch, pd.read_pickle(target / "valid.pkl"), pd.read_pickle(target / "quarantined.pkl"), AIR_HOURLY
    )
    if docs_dir is not None:  # the batch's GX Data Docs, kept with the other batches'
        publish_data_docs(docs_dir, staged_data_docs(target), DATASET, validated["day"], accounting)
    if not keep_staging:  # loaded: the staged pickles have done their job (a failed load keeps them for the retry)
        discard_staging(target)
    return {**validated, "batch_id": accounting["batch_id"], "rows_loaded": accounting["rows_loaded"]}


def daily_values(engine: Engine, day: dt.date) -> dict:
    """Station-day and city-day values of ``day`` from the warehouse's hourly readings."""
    params = Window.natural_day(day).params()
    with engine.connect() as conn:
        long = read_frame(conn, "dml/air_hourly/select_air_hourly_window", params)
        cities = pd.DataFrame(conn.execute(sql("dml/station/select_city_stations")).mappings().all())
    if long.empty:
        station_days = station_day_aqi(pd.DataFrame(columns=["station_code", "hour_end"]))
    else:
        long["hour_end"] = pd.to_datetime(long["hour_end"])
        hourly = long.pivot(index=["station_code", "hour_end"], columns="pollutant", values="value").reset_index()
        station_days = station_day_aqi(hourly)
    station_city = cities.set_index("station_code")["city_zh"] if len(cities) else pd.Series(dtype=object)
    city_days = city_day_values(station_days, station_city)
    station_days = station_days.assign(date=day.isoformat())  # edition: the day's, from daily_aqi
    city_days = city_days.assign(date=day.isoformat())
    with replacing(engine, f"air_day|{day.isoformat()}") as conn:
        conn.execute(sql("dml/air_station_day/delete_air_station_day"), {"date": day.isoformat()})
        conn.execute(sql("dml/air_city_day/delete_air_city_day"), {"date": day.isoformat()})
        if len(station_days):
            conn.execute(sql("dml/air_station_day/insert_air_station_day"), db_rows(station_days))
        if len(city_days):
            conn.execute(sql("dml/air_city_day/insert_air_city_day"), db_rows(city_days))
    return {"day": day.isoformat(), "station_days": len(station_days), "city_days": len(city_days)}


def indicators(engine: Engine, year: int) -> dict:
    """Recompute the air indicators of ``year`` (and its months) for every city."""
    with engine.connect() as conn:
        city_days = read_frame(
            conn,
            "dml/air_city_day/select_air_city_day_range",
            {"first_date": f"{year}-01-01", "last_date": f"{year}-12-31"},
        )
    rows = air_indicator_rows(city_days, year) if len(city_days) else pd.DataFrame()
    return {"year": year, "indicators": replace_indicators(engine, "air", year, rows)}


def run_day(engine: Engine, landing_dir: Path, day: dt.date, staging_dir: Path, docs_dir: Path | None = None) -> dict:
    """The whole nightly job for one day, as ``python -m pipeline run`` does it."""
    staged = ingest(landing_dir, day, staging_dir)
    validated = validate(engine, staged)
    loaded = load(engine, validated, docs_dir=docs_dir)
    days = daily_values(engine, day)
    found = indicators(engine, day.year)
    return {**loaded, **days, **found}


def day_is_in(engine: Engine, day: dt.date) -> int:
    """How many city-days of ``day`` the warehouse holds (0: the night has not delivered it)."""
    with engine.connect() as conn:
        return int(conn.execute(sql("dml/air_city_day/count_air_city_days"), {"date": day.isoformat()}).scalar_one())


def recompute(engine: Engine, first: dt.date, last: dt.date, progress=None) -> dict:
    """Recompute the stored air days from ``first`` to ``last`` (both included) from the warehouse's
    hourly readings, with the standards in force on each day, then the air indicators of their years.
    Idempotent: a second run writes the same rows. Use it after a change of the standards' tables
    (e.g. days from 2026-03-01 computed with the 2012 tables by an earlier release).

    progress: called as ``progress(done, total, day_result)`` after each day. Returns the days and
    years recomputed."""
    with engine.connect() as conn:
        found = conn.execute(
            sql("dml/air_station_day/select_air_days_from"),
            {"first_date": first.isoformat(), "last_date": last.isoformat()},
        ).all()
    days = sorted({pd.Timestamp(row[0]).date() for row in found})
    for n, day in enumerate(days, start=1):
        result = daily_values(engine, day)
        if progress:
            progress(n, len(days), result)
    years = sorted({day.year for day in days})
    for year in years:
        indicators(engine, year)
    return {"days": [d.isoformat() for d in days], "years": years}


def load_files(engine: Engine, paths: list, docs_dir: Path | None = None) -> dict:
    """Load air files outside the nightly schedule (``python -m pipeline ingest air``): every file is read
    first and all of them are loaded in one transaction, or none; readings are upserted, then the daily
    values of the days they touch and the indicators of those years are recomputed.

    Returns the batches' accounting rows and a line saying what was recomputed (or None)."""
    stations = known_stations(engine)
    if not stations:
        raise RegistryEmpty("station")
    # Without a run's window, readings may be from any past hour up to the next one.
    bounds = {"first_hour_end": pd.Timestamp("2000-01-01 01:00"), "last_hour_end": pd.Timestamp.now().ceil("h")}
    files = [(path, read_air_file(path)) for path in paths]  # every file readable, or nothing is loaded
    touched: set[dt.date] = set()
    loads, pages = [], []
    for path, records in files:
        result = run_suite(records, DATASET, {"known_stations": stations, **bounds})
        pages.append(result.data_docs)
        loads.append((Batch(DATASET, [Path(path)], None), result.valid, result.quarantined, AIR_HOURLY))
        touched |= set((pd.to_datetime(result.valid["hour_end"]) - pd.Timedelta(hours=1)).dt.date)
    batches = load_batches(engine, loads)  # all or none
    for path, page, (batch, *_), row in zip(paths, pages, loads, batches, strict=True):
        if docs_dir is not None and page:  # each file's GX Data Docs
            publish_data_docs(docs_dir, [page], batch.dataset, f"file {Path(path).name}", row)
    for day in sorted(touched):
        daily_values(engine, day)
    for year in sorted({d.year for d in touched}):
        indicators(engine, year)
    note = f"daily values recomputed for {len(touched)} day(s), {min(touched)} to {max(touched)}" if touched else None
    return {"batches": batches, "recomputed": note}
