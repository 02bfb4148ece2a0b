"""The nightly air job, stage by stage: ingest -> validate -> load -> daily_values -> indicators.

Each stage is one function; the Airflow DAG (``dags/air_quality_nightly.py``) runs one per task and
``python -m pipeline run`` runs them in order. Stages pass small JSON-able dicts; the records move
through pickles in a staging folder (one per dataset and day), so each task can be retried alone.

Files of a day D in the landing folder: every ``*.csv`` (or ``*.csv.gz``) whose name holds D (``YYYYMMDD``
or ``YYYY-MM-DD``), and the national wide file of D+1, of which only hour 0 (= D 24:00) belongs to D.
Values of other days in the national files are counted (``rows_other_days``) and left to their own
day's run; every other record is either loaded or quarantined.

Hourly scope: the readings of the stations in scope (:data:`HOURLY_SCOPES`) are kept hour by hour in
``air_hourly``; the valid readings of the others are loaded as station-days only (``rows_summarised``), so
that every city in the files has its station- and city-days without the warehouse keeping the whole
country's hours. A range of days is loaded in bulk by :func:`backfill`, with the same result as night by night.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from sqlalchemy.engine import Engine

from pipeline import fanout
from pipeline.indicators.daily import station_day_aqi
from pipeline.indicators.evaluation import city_day_values
from pipeline.indicators.ranking import city_period_values, rank_universe
from pipeline.ingest import IngestError, cnemc_wide, landed
from pipeline.ingest.air import detect_format, read_air_file
from pipeline.plan.indicators import air_indicator_rows
from pipeline.store.engine import read_frame, replacing, sql
from pipeline.store.load import Batch, db_rows, discard_staging, load_batches, replace_indicators
from pipeline.store.reads import RegistryEmpty, known_stations
from pipeline.store.tables import AIR_HOURLY
from pipeline.validate import publish_data_docs, run_suite, stage_data_docs, staged_data_docs
from pipeline.windows import Window, natural_days

log = logging.getLogger(__name__)
DATASET = "air_hourly"


def _tokens(day: dt.date) -> tuple[str, str]:
    return day.strftime("%Y%m%d"), day.isoformat()


def _is_national(path: Path) -> bool:
    try:
        info = Path(path).stat()
    except OSError:
        return False
    return _is_national_file(str(path), info.st_mtime_ns, info.st_size)


@functools.lru_cache(maxsize=4096)
def _is_national_file(path: str, mtime_ns: int, size: int) -> bool:
    """Whether a file (as it is at ``mtime_ns`` and ``size``) is a national wide file: detecting it reads the
    file, so a backfill that asks for each file twice (its day and the day before) reads it once for this."""
    try:
        return detect_format(path) == "cnemc_wide"
    except IngestError:
        return False  # an unreadable file of D+1 is D+1's run's error, not D's


def landing_files(landing_dir: Path, day: dt.date, listed: list[Path] | None = None) -> list[Path]:
    """The files that hold readings of natural day ``day`` (see module docstring); ``listed``: the landing
    folder's data files when the caller has listed them already (a backfill lists it once)."""
    if listed is None:
        listed = [f for f in landed(landing_dir) if f.name.lower().endswith((".csv", ".csv.gz"))]
    files = listed
    today = [f for f in files if any(t in f.name for t in _tokens(day))]
    tomorrow = [f for f in files if any(t in f.name for t in _tokens(day + dt.timedelta(days=1))) and _is_national(f)]
    return today + tomorrow


def staging_path(staging_dir: Path, day: dt.date) -> Path:
    path = Path(staging_dir) / DATASET / day.isoformat()
    path.mkdir(parents=True, exist_ok=True)
    return path


def _read_file(path: Path, only_hour_of: tuple[str, str] | None = None) -> pd.DataFrame:
    """One file's records: a national file of tomorrow read for its hour 0 only (``only_hour_of``)."""
    if only_hour_of is not None:
        return cnemc_wide.read(path, only_hour_of=only_hour_of)
    return read_air_file(path)


@dataclass
class DayRecords:
    """What the files of a natural day hold for it (see the module docstring)."""

    day: dt.date
    files: list[Path]
    records: pd.DataFrame
    other_days: int
    warnings: list[str] = field(default_factory=list)


def day_records(day: dt.date, files: list[Path], read: Callable = _read_file) -> DayRecords:
    """The records of natural day ``day`` in ``files`` (:func:`landing_files`), read by ``read(path,
    only_hour_of)``: the night reads each file afresh, a backfill from files it has parsed once."""
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
            records = read(path, (tomorrow.strftime("%Y%m%d"), "0"))
            other_days += records.attrs["values_passed_over"]
        else:
            records = read(path, None)
        warnings += [f"{path.name}: {w}" for w in records.attrs.get("warnings", [])]
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
    return DayRecords(day, files, pd.concat(frames, ignore_index=True), other_days, warnings)


def ingest(landing_dir: Path, day: dt.date, staging_dir: Path) -> dict:
    """Read the day's files into canonical records (staged). Raises IngestError on a bad file and
    FileNotFoundError when the landing folder has nothing for the day."""
    files = landing_files(landing_dir, day)
    if not files:
        raise FileNotFoundError(f"no air files for {day} in {landing_dir} (expected e.g. china_sites_{day:%Y%m%d}.csv)")
    found = day_records(day, files)
    batch = Batch(DATASET, files, Window.natural_day(day), rows_other_days=found.other_days)
    target = staging_path(staging_dir, day)
    found.records.to_pickle(target / "records.pkl")
    return {
        "day": day.isoformat(),
        "files": [str(f) for f in files],
        "sha256": batch.sha256,
        "rows_read": len(found.records),
        "rows_other_days": found.other_days,
        "warnings": found.warnings,
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


HOURLY_SCOPES = {"quzhou": ("city_zh", "衢州"), "zhejiang": ("province_zh", "浙江省"), "all": None}
"""Which stations keep their hourly readings in ``air_hourly`` (``QZ811_HOURLY_SCOPE``): Quzhou's, Zhejiang's
(the default: the bureau's own stations and the province's, whose hours its analysts compare) or every
station. The others' valid readings are loaded as station-days only; city-days are made for every city."""


def hourly_stations(engine: Engine, scope: str) -> frozenset[str] | None:
    """The codes of the stations whose hourly readings are kept under ``scope`` (None: all)."""
    if scope not in HOURLY_SCOPES:
        raise ValueError(f"unknown hourly scope {scope!r}: one of {', '.join(HOURLY_SCOPES)}")
    if HOURLY_SCOPES[scope] is None:
        return None
    column, value = HOURLY_SCOPES[scope]
    with engine.connect() as conn:
        places = read_frame(conn, "dml/station/select_station_places")
    return frozenset(places.loc[places[column] == value, "station_code"])


def _in_scope(valid: pd.DataFrame, kept: frozenset[str] | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(readings kept hourly, readings summarised as station-days only)."""
    if kept is None or valid.empty:
        return valid, valid.iloc[0:0]
    inside = valid["station_code"].isin(kept)
    return valid[inside], valid[~inside]


def station_days_of(hourly_long: pd.DataFrame) -> pd.DataFrame:
    """Station-day values (:func:`pipeline.indicators.daily.station_day_aqi`) of long hourly readings
    (``station_code, hour_end, pollutant, value``), dated ``YYYY-MM-DD``."""
    measured = hourly_long[hourly_long["pollutant"].isin(["so2", "no2", "pm10", "co", "o3", "pm25"])]
    if measured.empty:
        return station_day_aqi(pd.DataFrame(columns=["station_code", "hour_end"])).assign(date=pd.Series(dtype=str))
    hourly = measured.assign(hour_end=pd.to_datetime(measured["hour_end"])).pivot(
        index=["station_code", "hour_end"], columns="pollutant", values="value"
    )
    days = station_day_aqi(hourly.reset_index())
    return days.assign(date=pd.to_datetime(days["date"]).dt.strftime("%Y-%m-%d"))


def _station_city(conn) -> pd.Series:
    cities = pd.DataFrame(conn.execute(sql("dml/station/select_city_stations")).mappings().all())
    return cities.set_index("station_code")["city_zh"] if len(cities) else pd.Series(dtype=object)


def _write_summarised(conn, day: dt.date, summarised: pd.DataFrame) -> None:
    """After a load replaced ``day``'s hourly readings: the station-days of stations without hourly readings
    in it now go, and those of the readings outside the hourly scope are written (in the load's transaction)."""
    conn.execute(
        sql("dml/air_station_day/delete_air_station_day_without_hours"),
        {"date": day.isoformat(), **Window.natural_day(day).params()},
    )
    days = station_days_of(summarised)
    if len(days):
        conn.execute(sql("dml/air_station_day/insert_air_station_day"), db_rows(days))


def load(
    engine: Engine,
    validated: dict,
    keep_staging: bool = False,
    docs_dir: Path | None = None,
    kept: frozenset[str] | None = None,
) -> dict:
    """Write the day's batch in one transaction (replacing the day's readings); the readings of stations
    outside ``kept`` (:func:`hourly_stations`) become their station-days in the same transaction."""
    target = Path(validated["staging"])
    day = dt.date.fromisoformat(validated["day"])
    batch = Batch.from_staged(DATASET, validated, Window.natural_day(day))
    hourly, summarised = _in_scope(pd.read_pickle(target / "valid.pkl"), kept)
    batch.rows_summarised = len(summarised)
    (accounting,) = load_batches(
        engine,
        [(batch, hourly, pd.read_pickle(target / "quarantined.pkl"), AIR_HOURLY)],
        then=lambda conn: _write_summarised(conn, day, summarised),
    )
    if docs_dir is not None:  # the batch's GX Data Docs, kept with the other batches'
        publish_data_docs(docs_dir, staged_data_docs(target), DATASET, validated["day"], accounting)
    if not keep_staging:  # loaded: the staged pickles have done their job (a failed load keeps them for the retry)
        discard_staging(target)
    return {**validated, "batch_id": accounting["batch_id"], "rows_loaded": accounting["rows_loaded"],
            "rows_summarised": accounting["rows_summarised"]}  # fmt: skip


def _write_city_days(conn, date: str, station_city: pd.Series) -> int:
    """The city-days of ``date`` from every stored station-day of it (HJ 663-2013)."""
    station_days = read_frame(conn, "dml/air_station_day/select_air_station_days_of_date", {"date": date})
    conn.execute(sql("dml/air_city_day/delete_air_city_day"), {"date": date})
    if station_days.empty:
        return 0
    city_days = city_day_values(station_days.assign(date=date), station_city)
    if len(city_days):
        conn.execute(sql("dml/air_city_day/insert_air_city_day"), db_rows(city_days))
    return len(city_days)


def daily_values(engine: Engine, day: dt.date) -> dict:
    """Station-day values of ``day`` from the warehouse's hourly readings (the station-days summarised at
    load stay), then the city-days of every station-day of ``day``."""
    params = Window.natural_day(day).params()
    with engine.connect() as conn:
        long = read_frame(conn, "dml/air_hourly/select_air_hourly_window", params)
    station_days = station_days_of(long)
    with replacing(engine, f"air_day|{day.isoformat()}") as conn:
        conn.execute(sql("dml/air_station_day/delete_air_station_day_with_hours"), {"date": day.isoformat(), **params})
        if len(station_days):
            conn.execute(sql("dml/air_station_day/insert_air_station_day"), db_rows(station_days))
        n_stations = int(
            conn.execute(sql("dml/air_station_day/count_air_station_days"), {"date": day.isoformat()}).scalar_one()
        )
        n_cities = _write_city_days(conn, day.isoformat(), _station_city(conn))
    return {"day": day.isoformat(), "station_days": n_stations, "city_days": n_cities}


def indicators(engine: Engine, year: int) -> dict:
    """Recompute the air indicators of ``year`` (and its months) for every city."""
    with engine.connect() as conn:
        city_days = read_frame(
            conn,
            "dml/air_city_day/select_air_city_day_range",
            {"first_date": f"{year}-01-01", "last_date": f"{year}-12-31"},
        )
    rows = air_indicator_rows(city_days, year) if len(city_days) else pd.DataFrame()
    written = replace_indicators(engine, "air", year, rows)
    ranked = rankings(engine, year)
    if year + 1 <= dt.date.today().year:  # the next year's 同比 compares with this one
        rankings(engine, year + 1)
    return {"year": year, "indicators": written, "rankings": ranked}


def rankings(engine: Engine, year: int) -> int:
    """Recompute and store the city rankings of ``year`` (its months, 1–N月 and the year) in every rank universe
    (:mod:`pipeline.indicators.ranking`), with 同比 against the year before. Returns the rows written."""
    with engine.connect() as conn:
        universes = read_frame(conn, "dml/rank_universe/select_rank_universes")
        city_days = read_frame(conn, "dml/air_city_day/select_air_city_day_range",
                               {"first_date": f"{year - 1}-01-01", "last_date": f"{year}-12-31"})  # fmt: skip
    rows = []
    if len(universes) and len(city_days):
        members = set(universes["city"])
        now = city_period_values(city_days, year, members)
        # 同比 needs the year before only when the year has something to rank
        before = city_period_values(city_days, year - 1, members) if len(now) else None
        for universe, group in universes.groupby("universe", sort=True):
            ranked = rank_universe(now, group["city"], before) if len(now) else pd.DataFrame()
            if len(ranked):
                rows.append(ranked.assign(universe=universe))
    frame = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    if len(frame):
        frame = frame.astype({"rank": "Int64", "change_rank": "Int64"})
    with replacing(engine, f"rankings|{year}") as conn:
        conn.execute(sql("dml/city_ranking/delete_city_ranking_of_year"), {"year": str(year), "months": f"{year}-%"})
        if len(frame):
            conn.execute(sql("dml/city_ranking/insert_city_ranking"), db_rows(frame))
    return len(frame)


def run_day(
    engine: Engine,
    landing_dir: Path,
    day: dt.date,
    staging_dir: Path,
    docs_dir: Path | None = None,
    kept: frozenset[str] | None = None,
) -> dict:
    """The whole nightly job for one day, as ``python -m pipeline run`` does it."""
    staged = ingest(landing_dir, day, staging_dir)
    validated = validate(engine, staged)
    loaded = load(engine, validated, docs_dir=docs_dir, kept=kept)
    days = daily_values(engine, day)
    found = indicators(engine, day.year)
    return {**loaded, **days, **found}


def day_is_in(engine: Engine, day: dt.date) -> int:
    """How many city-days of ``day`` the warehouse holds (0: the night has not delivered it)."""
    with engine.connect() as conn:
        return int(conn.execute(sql("dml/air_city_day/count_air_city_days"), {"date": day.isoformat()}).scalar_one())


def recompute(engine: Engine, first: dt.date, last: dt.date, progress=None) -> dict:
    """Recompute the air days from ``first`` to ``last`` (both included) that have station-days or hourly
    readings (a day whose hours were loaded but whose daily values were never written is found too) from the
    warehouse's hourly readings, with the standards in force on each day, then the air indicators of their years.
    Idempotent: a second run writes the same rows. Use it after a change of the standards' tables
    (e.g. days from 2026-03-01 computed with the 2012 tables by an earlier release).

    progress: called as ``progress(done, total, day_result)`` after each day. Returns the days and
    years recomputed."""
    span = Window(Window.natural_day(first).first, Window.natural_day(last).last, f"{first}..{last}")
    with engine.connect() as conn:
        found = conn.execute(
            sql("dml/air_station_day/select_air_days_from"),
            {"first_date": first.isoformat(), "last_date": last.isoformat()},
        ).all()
        hours = read_frame(conn, "dml/air_hourly/select_air_hour_ends_window", span.params())
    days = {pd.Timestamp(row[0]).date() for row in found}
    if len(hours):  # days with hourly readings and no daily values yet (a run killed after the load's commit)
        days |= {dt.date.fromisoformat(d) for d in natural_days(hours["hour_end"])}
    days = sorted(days)
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


RECORDS_PER_LOAD = 1_000_000
"""The records a backfill validates and writes at once, at most (plus one day's): peak RSS ~2 GB. A month of
Zhejiang's stations is ~560,000; a national day ~510,000, so national days go two at a time."""


@dataclass
class DayOutcome:
    """What a backfill did with one day: ``loaded``, ``skipped`` (already loaded from the same files),
    ``missing`` (no file of its own in the landing folder) or ``refused`` (a file could not be read)."""

    day: dt.date
    status: str
    note: str = ""
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_other_days: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def problem(self) -> bool:
        """A day the backfill could not load as a whole (it is named at the end, and the exit is non-zero)."""
        return self.status in ("missing", "refused")


class _ParsedFiles:
    """Each file of a backfill parsed once: a national file serves its own day and, for its hour 0, the day
    before. Only the files of the days at hand are kept."""

    def __init__(self) -> None:
        self.lines: dict[Path, list[list[str]]] = {}

    def read(self, path: Path, only_hour_of: tuple[str, str] | None) -> pd.DataFrame:
        if not _is_national(path):
            return _read_file(path, only_hour_of)
        if path not in self.lines:
            self.lines[path] = cnemc_wide.lines(path)
        return cnemc_wide.read(path, only_hour_of=only_hour_of, split=self.lines[path])

    def forget_all_but(self, paths: set[Path]) -> None:
        self.lines = {p: r for p, r in self.lines.items() if p in paths}


def _digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _validate_days(found: list[DayRecords], stations: list[str]):
    """:func:`pipeline.validate.run_suite` for many days at once, with the result of one run per day: the
    records inside their day's window are validated together (the window check passes for them in both, and
    their keys cannot meet another day's), the rest (unparseable times, rows of other dates) day by day with
    that day's window. Returns (valid, quarantined, Data Docs page) with a ``day`` column on both frames."""
    together, alone = [], []
    for f in found:
        window = Window.natural_day(f.day)
        inside = window.contains(f.records["hour_end"]).fillna(False).astype(bool)
        together.append(f.records[inside])
        outside = f.records[~inside]
        if len(outside):
            alone.append((f.day, outside))
    records = pd.concat(together, ignore_index=True)
    first, last = Window.natural_day(found[0].day).first, Window.natural_day(found[-1].day).last
    result = run_suite(records, DATASET, {"known_stations": stations, "first_hour_end": first, "last_hour_end": last})

    def dated(frame: pd.DataFrame) -> pd.DataFrame:  # the natural day, as a midnight timestamp (fast to group)
        return frame.assign(day=(pd.to_datetime(frame["hour_end"]) - pd.Timedelta(microseconds=1)).dt.normalize())

    valid, quarantined = [dated(result.valid)], [dated(result.quarantined)]
    for day, outside in alone:
        window = Window.natural_day(day)
        params = {"known_stations": stations, "first_hour_end": window.first, "last_hour_end": window.last}
        checked = run_suite(outside, DATASET, params)
        valid.append(checked.valid.assign(day=pd.Timestamp(day)))
        quarantined.append(checked.quarantined.assign(day=pd.Timestamp(day)))
    return pd.concat(valid, ignore_index=True), pd.concat(quarantined, ignore_index=True), result.data_docs


def backfill(
    engine: Engine,
    landing_dir: Path,
    first: dt.date,
    last: dt.date,
    *,
    kept: frozenset[str] | None = None,
    docs_dir: Path | None = None,
    days_per_load: int = 31,
    records_per_load: int = RECORDS_PER_LOAD,
    progress: Callable[[int, int, list[DayOutcome]], None] | None = None,
) -> list[DayOutcome]:
    """Every day from ``first`` to ``last`` in bulk: the warehouse it leaves equals the one that the nights
    of those days build (the same batches, readings, quarantine, station- and city-days and indicators).

    The days go ``days_per_load`` at a time, fewer when their records reach ``records_per_load``: each file parsed once, validated together
    (:func:`_validate_days`), then the group's batches and their station- and city-days written in one
    transaction, so a killed backfill leaves whole days only. A day whose batch (the same files) is already
    loaded is skipped, so a backfill run again continues where it stopped. A day without a file of its own,
    or with a file that cannot be read, is an outcome, not an end: the others go on. Indicators of the years
    touched are computed once at the end. ``progress(done, total, outcomes)`` is called after each group.
    """
    from pipeline.progress import days_between

    stations = known_stations(engine)
    if not stations:
        raise RegistryEmpty("station")
    days = days_between(first, last)
    listed = [f for f in landed(landing_dir) if f.name.lower().endswith((".csv", ".csv.gz"))]
    spans = Window.natural_day(first).params() | {"window_end": Window.natural_day(last).params()["window_start"]}
    with engine.connect() as conn:
        done = {row[0] for row in conn.execute(sql("dml/ingest_batch/select_batch_ids_of_windows"),
                                                 {"dataset": DATASET, **spans})}  # fmt: skip
        station_city = _station_city(conn)
    parsed, outcomes, touched = _ParsedFiles(), [], set()
    found: list[DayRecords] = []
    group_outcomes: list[DayOutcome] = []

    def write_group(done: int) -> None:
        nonlocal found, group_outcomes
        if found:  # (writing one group while reading the next was slower: the threads share one interpreter lock)
            group_outcomes += _write_days(engine, _prepare_days(found, stations, kept), station_city, docs_dir)
            touched.update(f.day.year for f in found)
        outcomes.extend(sorted(group_outcomes, key=lambda o: (o.day, o.status != "missing")))
        if progress:
            progress(done, len(days), group_outcomes)
        found, group_outcomes = [], []
        parsed.forget_all_but({f for f in landing_files(landing_dir, days[done - 1], listed)})

    for n, day in enumerate(days, start=1):
        files = landing_files(landing_dir, day, listed)
        own = [f for f in files if any(t in f.name for t in _tokens(day))]
        if not own:
            group_outcomes.append(DayOutcome(day, "missing", f"no file of its own in {landing_dir} "
                                                              f"(expected china_sites_{day:%Y%m%d}.csv)"))  # fmt: skip
        batch = Batch(DATASET, files, Window.natural_day(day), sha256=[_digest(f) for f in files]) if files else None
        if batch is not None and batch.batch_id in done and own:
            group_outcomes.append(DayOutcome(day, "skipped", "already loaded from the same files"))
        elif batch is not None:
            try:
                found.append(day_records(day, files, parsed.read))
            except IngestError as err:
                group_outcomes.append(DayOutcome(day, "refused", str(err)))
        # A group is written when it has its days or its records (a national day holds ~500,000: memory stays
        # bounded whatever the landing folder holds).
        if len(group_outcomes) + len(found) >= days_per_load or sum(len(f.records) for f in found) >= records_per_load:
            write_group(n)
    if found or group_outcomes:
        write_group(len(days))
    for year in sorted(touched):
        indicators(engine, year)
    return outcomes


def _prepare_days(found: list[DayRecords], stations: list[str], kept) -> dict:
    """A group of days validated (:func:`_validate_days`), their batches and station-days ready to write."""
    valid, quarantined, page = _validate_days(found, stations)
    by_day_valid = dict(tuple(valid.groupby("day"))) if len(valid) else {}
    by_day_bad = dict(tuple(quarantined.groupby("day"))) if len(quarantined) else {}
    empty_valid, empty_bad = valid.iloc[0:0].drop(columns="day"), quarantined.iloc[0:0].drop(columns="day")
    loads, readings = [], []
    for f in found:
        day_valid = by_day_valid.get(pd.Timestamp(f.day), empty_valid).drop(columns="day", errors="ignore")
        day_bad = by_day_bad.get(pd.Timestamp(f.day), empty_bad).drop(columns="day", errors="ignore")
        hourly, others = _in_scope(day_valid, kept)
        batch = Batch(DATASET, f.files, Window.natural_day(f.day), rows_other_days=f.other_days,
                      rows_read=len(f.records), rows_summarised=len(others))  # fmt: skip
        loads.append((batch, hourly, day_bad, AIR_HOURLY))
        readings.append(day_valid[["station_code", "hour_end", "pollutant", "value"]])
    station_days = station_days_of(pd.concat(readings, ignore_index=True))
    return {"found": found, "loads": loads, "station_days": station_days, "page": page}


def _write_days(engine: Engine, prepared: dict, station_city: pd.Series, docs_dir: Path | None) -> list[DayOutcome]:
    """Write a prepared group of days (:func:`_prepare_days`): their batches, station- and city-days in one
    transaction."""
    found, station_days = prepared["found"], prepared["station_days"]
    dates = [f.day.isoformat() for f in found]

    def derived(conn) -> None:
        conn.execute(sql("dml/air_station_day/delete_air_station_day"), [{"date": d} for d in dates])
        if len(station_days):
            conn.execute(sql("dml/air_station_day/insert_air_station_day"), db_rows(station_days))
        conn.execute(sql("dml/air_city_day/delete_air_city_day"), [{"date": d} for d in dates])
        city_days = city_day_values(station_days, station_city)
        if len(city_days):
            conn.execute(sql("dml/air_city_day/insert_air_city_day"), db_rows(city_days))

    accounting = load_batches(engine, prepared["loads"], then=derived)
    if docs_dir is not None and prepared["page"]:
        label = f"backfill {dates[0]}..{dates[-1]}"
        total = {k: sum(a[k] for a in accounting) for k in ("rows_read", "rows_loaded", "rows_quarantined")}
        publish_data_docs(
            docs_dir, [prepared["page"]], DATASET, label, {"batch_id": f"{len(accounting)} batches", **total}
        )
    return [
        DayOutcome(
            f.day,
            "loaded",
            "",
            a["rows_read"],
            a["rows_loaded"],
            a["rows_quarantined"],
            a["rows_other_days"],
            f.warnings,
        )  # fmt: skip
        for f, a in zip(found, accounting, strict=True)
    ]
