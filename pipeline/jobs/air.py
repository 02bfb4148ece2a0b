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

import contextlib
import dataclasses
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
from pipeline.ingest import IngestError, cnemc_wide, concat_records, landed
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
    return DayRecords(day, files, concat_records(frames), other_days, warnings)


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
"""The records a backfill validates and writes at once, at most (plus one day's), counted as records read as
text (:func:`_weight`): peak RSS ~2 GB. A month of Zhejiang's stations is ~560,000; a national day ~510,000
records, read column-wise from a clean file (a fifth of the weight), so national days go ten at a time."""

COLUMN_WISE_WEIGHT = 5
"""Records read column-wise (:func:`pipeline.ingest.cnemc_wide.clean_records`) per record read as text, in memory."""


def _weight(found: DayRecords) -> int:
    """A day's records as records read as text would weigh in memory (:data:`RECORDS_PER_LOAD`)."""
    column_wise = "source_column" in found.records.columns and "raw_record" not in found.records.columns
    return len(found.records) // COLUMN_WISE_WEIGHT if column_wise else len(found.records)


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
    before. A clean national file (:func:`pipeline.ingest.cnemc_wide.parse_clean`: 362 of 2019's 364) is read
    column-wise, its records' raw texts taken from the file only for the records quarantined
    (:meth:`with_provenance`); any other file as the night reads it. Only the files of the days at hand are kept."""

    def __init__(self) -> None:
        self.clean: dict[Path, cnemc_wide.WideFile | None] = {}
        self.lines: dict[Path, list[list[str]]] = {}

    def clean_of(self, path: Path) -> cnemc_wide.WideFile | None:
        if path not in self.clean:
            self.clean[path] = cnemc_wide.parse_clean(path) if _is_national(path) else None
        return self.clean[path]

    def read(self, path: Path, only_hour_of: tuple[str, str] | None) -> pd.DataFrame:
        """The records the night reads (every column as text, raw texts kept)."""
        if not _is_national(path):
            return _read_file(path, only_hour_of)
        return cnemc_wide.read(path, only_hour_of=only_hour_of, split=self.lines_of(path))

    def read_clean(self, path: Path, only_hour_of: tuple[str, str] | None) -> pd.DataFrame:
        """The records of a clean national file, column-wise (:func:`pipeline.ingest.cnemc_wide.clean_records`)."""
        return cnemc_wide.clean_records(self.clean[path], only_hour_of)

    def lines_of(self, path: Path) -> list[list[str]]:
        if path not in self.lines:
            wide = self.clean.get(path)
            self.lines[path] = cnemc_wide.lines(path, text=wide.text if wide is not None else None)
        return self.lines[path]

    def with_provenance(self, quarantined: pd.DataFrame) -> pd.DataFrame:
        """Quarantined records as the night stores them: those read column-wise get their raw texts."""
        if "source_column" not in quarantined.columns:
            return quarantined
        lean = quarantined["source_column"].notna().to_numpy()
        if not lean.any():
            return quarantined.drop(columns="source_column")
        parts = [quarantined[~lean].drop(columns="source_column")]
        for file, rows in quarantined[lean].groupby(quarantined.loc[lean, "source_file"].astype(str), sort=False):
            reasons = rows["reason"].to_numpy()
            rows = rows.drop(columns=["reason", *[c for c in ("record_key", "raw_value", "raw_record") if c in rows]])
            rows = rows.assign(
                source_column=rows["source_column"].astype(int), source_row=rows["source_row"].astype(int)
            )
            parts.append(cnemc_wide.with_provenance(rows, self.lines_of(Path(file))).assign(reason=reasons))
        return pd.concat([p for p in parts if len(p)] or parts[:1], ignore_index=True)

    def forget_all_but(self, paths: set[Path]) -> None:
        self.lines = {p: r for p, r in self.lines.items() if p in paths}
        self.clean = {p: r for p, r in self.clean.items() if p in paths}


def _bulk_day_records(day: dt.date, files: list[Path], parsed: _ParsedFiles) -> DayRecords:
    """:func:`day_records` for a backfill: column-wise when the day's files are its own clean national file and
    tomorrow's (for 24:00) and no record of one can meet a record of the other (they then hold the same
    records as the night's, so validation finds the same rows); as the night reads them otherwise."""
    own = [f for f in files if any(t in f.name for t in _tokens(day))]
    if len(own) == 1 and all(parsed.clean_of(f) is not None for f in files):
        found = day_records(day, files, parsed.read_clean)
        midnight = Window.natural_day(day).last  # the one hour both files may hold
        at_midnight = (found.records["hour_end"] == midnight).to_numpy()
        from_own = (found.records["source_file"].astype(str) == str(own[0])).to_numpy()
        if len(files) == 1 or not ((at_midnight & from_own).any() or (~at_midnight & ~from_own).any()):
            return found
    return day_records(day, files, parsed.read)


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
    records = concat_records(together)
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
    return concat_records(valid), concat_records(quarantined), result.data_docs


BYTES_PER_GROUP = 16_000_000
"""The bytes of their own files the days of one backfill group hold at most: about ten national days (1.6 MB
each), a month of Zhejiang's (25 KB). A group is read, validated and prepared by one worker (~1.5 GB at most for
national days read column-wise), then written in one transaction."""


@dataclass
class BackfillGroup:
    """Consecutive days of a backfill handled together: ``load`` the days to read (with their files), and the
    ``outcomes`` of its days with nothing to read (``missing``, ``skipped``); ``done`` the position of its last
    day in the backfill (for progress)."""

    load: list[tuple[dt.date, list[Path]]]
    outcomes: list[DayOutcome]
    done: int


def plan_backfill(
    engine: Engine, landing_dir: Path, first: dt.date, last: dt.date, days_per_load: int = 31,
    bytes_per_group: int = BYTES_PER_GROUP,
) -> list[BackfillGroup]:  # fmt: skip
    """The days from ``first`` to ``last`` in groups (:class:`BackfillGroup`) of at most ``days_per_load`` days
    and ``bytes_per_group`` bytes of their own files. A day whose batch (the same files) is loaded already is
    ``skipped``, so a backfill run again continues where it stopped; a day without a file of its own is
    ``missing``; neither stops the others."""
    from pipeline.progress import days_between

    days = days_between(first, last)
    listed = [f for f in landed(landing_dir) if f.name.lower().endswith((".csv", ".csv.gz"))]
    spans = Window.natural_day(first).params() | {"window_end": Window.natural_day(last).params()["window_start"]}
    with engine.connect() as conn:
        done = {row[0] for row in conn.execute(sql("dml/ingest_batch/select_batch_ids_of_windows"),
                                                 {"dataset": DATASET, **spans})}  # fmt: skip
    groups, load, outcomes, size = [], [], [], 0
    for n, day in enumerate(days, start=1):
        files = landing_files(landing_dir, day, listed)
        own = [f for f in files if any(t in f.name for t in _tokens(day))]
        if not own:
            outcomes.append(DayOutcome(day, "missing", f"no file of its own in {landing_dir} "
                                                       f"(expected china_sites_{day:%Y%m%d}.csv)"))  # fmt: skip
        batch = Batch(DATASET, files, Window.natural_day(day), sha256=[_digest(f) for f in files]) if files else None
        if batch is not None and batch.batch_id in done and own:
            outcomes.append(DayOutcome(day, "skipped", "already loaded from the same files"))
        elif batch is not None:
            load.append((day, files))
            size += sum(f.stat().st_size for f in own)
        if len(load) + len(outcomes) >= days_per_load or size >= bytes_per_group or n == len(days):
            groups.append(BackfillGroup(load, outcomes, n))
            load, outcomes, size = [], [], 0
    return groups


def prepare_group(group: BackfillGroup, stations: list[str], kept, records_per_load: int = RECORDS_PER_LOAD) -> list:
    """A group's days read (each file parsed once), validated and made ready to write (:func:`_prepare_days`),
    in parts of at most ``records_per_load`` records (:func:`_weight`); a day whose file cannot be read is a
    ``refused`` outcome. Touches no database: a worker process runs it (the records stay there; what goes back
    is what is written). Returns the prepared parts and outcomes in day order."""
    parsed, found, ready = _ParsedFiles(), [], []

    def prepare() -> None:
        if found:
            ready.append(_slim(_prepare_days(found, stations, kept, parsed)))
            found.clear()

    for day, files in group.load:
        try:
            found.append(_bulk_day_records(day, files, parsed))
        except IngestError as err:
            ready.append(DayOutcome(day, "refused", str(err)))
        if sum(map(_weight, found)) >= records_per_load:
            prepare()
            parsed.forget_all_but(set(files))
    prepare()
    return ready


def load_group(
    engine: Engine, group: BackfillGroup, *, kept: frozenset[str] | None = None, docs_dir: Path | None = None,
    records_per_load: int = RECORDS_PER_LOAD,
) -> list[DayOutcome]:  # fmt: skip
    """One group of a backfill (:func:`plan_backfill`) prepared and written here: what one mapped task of the
    ``air_backfill`` DAG does, so that a Celery deployment fans the groups out over its workers. The year's
    indicators are left to the caller (:func:`indicators`, once, after every group)."""
    stations = known_stations(engine)
    if not stations:
        raise RegistryEmpty("station")
    with engine.connect() as conn:
        station_city = _station_city(conn)
    return _written(engine, group, prepare_group(group, stations, kept, records_per_load), station_city, docs_dir)


def _written(engine: Engine, group: BackfillGroup, ready: list, station_city: pd.Series, docs_dir) -> list[DayOutcome]:
    """The outcomes of a group's days once its prepared parts (:func:`prepare_group`) are written, in day order."""
    done = list(group.outcomes)
    for part in ready:
        done += [part] if isinstance(part, DayOutcome) else _write_days(engine, part, station_city, docs_dir)
    return sorted(done, key=lambda o: (o.day, o.status != "missing"))


def group_to_json(group: BackfillGroup) -> dict:
    """A group as JSON (an Airflow XCom): days ISO, files as paths, outcomes as dicts."""
    return {"load": [[day.isoformat(), [str(f) for f in files]] for day, files in group.load],
            "outcomes": [outcome_to_json(o) for o in group.outcomes], "done": group.done}  # fmt: skip


def group_from_json(data: dict) -> BackfillGroup:
    return BackfillGroup(
        [(dt.date.fromisoformat(day), [Path(f) for f in files]) for day, files in data["load"]],
        [outcome_from_json(o) for o in data["outcomes"]],
        int(data["done"]),
    )


def outcome_to_json(outcome: DayOutcome) -> dict:
    return {**dataclasses.asdict(outcome), "day": outcome.day.isoformat()}


def outcome_from_json(data: dict) -> DayOutcome:
    return DayOutcome(**{**data, "day": dt.date.fromisoformat(data["day"])})


def _slim(prepared: dict) -> dict:
    """A prepared part without its days' records (counted in their batches already): what a worker sends back."""
    prepared["found"] = [DayRecords(f.day, f.files, f.records.iloc[0:0], f.other_days, f.warnings)
                         for f in prepared["found"]]  # fmt: skip
    return prepared


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
    workers: int = 1,
    progress: Callable[[int, int, list[DayOutcome]], None] | None = None,
) -> list[DayOutcome]:
    """Every day from ``first`` to ``last`` in bulk: the warehouse it leaves equals the one that the nights
    of those days build (the same batches, readings, quarantine, station- and city-days and indicators).

    The days go in groups (:func:`plan_backfill`); each group is read, validated together (:func:`_validate_days`)
    and prepared (:func:`prepare_group`) by one of ``workers`` processes (1: in this one), and written here, in
    day order, its batches and their station- and city-days in one transaction per part, so a killed backfill
    leaves whole days only and a backfill run again continues where it stopped. A day without a file of its
    own, or with a file that cannot be read, is an outcome, not an end: the others go on. Indicators of the
    years touched are computed once at the end. ``progress(done, total, outcomes)`` is called after each group.
    """
    stations = known_stations(engine)
    if not stations:
        raise RegistryEmpty("station")
    groups = plan_backfill(engine, landing_dir, first, last, days_per_load)
    total = (last - first).days + 1
    with engine.connect() as conn:
        station_city = _station_city(conn)
    outcomes = []
    with _preparing(groups, stations, kept, records_per_load, workers) as prepared_groups:
        for group, ready in zip(groups, prepared_groups, strict=True):
            done = _written(engine, group, ready, station_city, docs_dir)
            outcomes += done
            if progress:
                progress(group.done, total, done)
    for year in sorted({o.day.year for o in outcomes if o.status == "loaded"}):
        indicators(engine, year)
    return outcomes


@contextlib.contextmanager
def _preparing(groups: list[BackfillGroup], stations, kept, records_per_load: int, workers: int):
    """The groups prepared (:func:`prepare_group`), in order: by ``workers`` forked processes, ahead of the
    writing; in this process with one worker, or where this process may not fork (:func:`_worker_pool`)."""
    prepare = functools.partial(_prepare_in_worker, stations=stations, kept=kept, records_per_load=records_per_load)
    pool = _worker_pool(workers) if workers > 1 and len(groups) > 1 else None
    if pool is None:
        yield map(prepare, groups)
        return
    try:
        yield _ahead(pool, prepare, groups, workers + 1)
    finally:
        pool.shutdown(cancel_futures=True)


def _ahead(pool, prepare: Callable, groups: list[BackfillGroup], at_most: int):
    """The prepared groups in order, at most ``at_most`` of them submitted ahead of the one being written: a
    year's groups all submitted at once would pile up in this process while it writes."""
    from collections import deque

    pending = deque()
    for group in groups:
        pending.append(pool.submit(prepare, group))
        if len(pending) >= at_most:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def _prepare_in_worker(group: BackfillGroup, **kwargs) -> list:
    """:func:`prepare_group` in a worker process, which then hands the memory of the group's records back to the
    system: freed, it stays in the process's heap otherwise, and a worker held 2.7 GB within two
    months of national days."""
    import ctypes
    import gc

    try:
        return prepare_group(group, **kwargs)
    finally:
        gc.collect()
        try:
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except (OSError, AttributeError):  # not glibc: the heap stays as it is
            pass


def _worker_pool(workers: int):
    """A pool of ``workers`` forked processes, GX imported before they fork; None where this process may not
    have children (a daemon: "daemonic processes are not allowed to have children")."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from pipeline.validate import warm_up

    warm_up()
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
    try:
        pool.submit(int).result()
    except AssertionError:
        pool.shutdown()
        log.info("backfill: this process may not fork workers; the days are prepared in it")
        return None
    return pool


def _prepare_days(found: list[DayRecords], stations: list[str], kept, parsed: _ParsedFiles) -> dict:
    """A group of days validated (:func:`_validate_days`), their batches and station-days ready to write."""
    valid, quarantined, page = _validate_days(found, stations)
    quarantined = parsed.with_provenance(quarantined)
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
    station_days = station_days_of(concat_records(readings))
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
