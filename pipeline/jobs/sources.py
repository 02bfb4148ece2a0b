"""Pollution-source job, stage by stage: ingest -> validate -> load -> daily_values -> indicators.

Hourly uploads arrive through the day; the nightly run (``dags/pollution_sources.py``) takes the
previous day: every file in the landing folder whose name holds the day's month (``YYYY-MM``, e.g. a
platform's monthly log) or the day, the day's readings in it, and the rest counted as
``rows_other_days``. HJ 212 messages the reader rejects are quarantined with their reason.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
from sqlalchemy.engine import Engine

from pipeline import fanout
from pipeline.indicators.sources import outlet_days
from pipeline.ingest import landed
from pipeline.ingest.sources import read
from pipeline.store.engine import read_frame, replacing, sql
from pipeline.store.load import Batch, db_rows, discard_staging, load_batch, load_batches, replace_indicators
from pipeline.store.reads import RegistryEmpty, source_registry, year_days
from pipeline.store.tables import SOURCE_READINGS
from pipeline.validate import publish_data_docs, run_suite, stage_data_docs, staged_data_docs
from pipeline.windows import Window, day_window, stamp

DATASET = "source_readings"


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
    outlets, _, _ = source_registry(engine)
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
    outlets, _, _ = source_registry(engine)
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
    stage_data_docs(target, part, result)
    return {**staged, "rows_valid": len(result.valid), "rows_quarantined": len(quarantined)}


def outlet_groups(staged: dict, groups: int) -> list[dict]:
    """Split the staged readings into ``groups`` outlet groups for validation fanned out over workers
    (:func:`pipeline.fanout.split`); join them back with :func:`pipeline.fanout.join`."""
    return fanout.split(staged, groups, "outlet_code")


def load(engine: Engine, validated: dict, keep_staging: bool = False, docs_dir: Path | None = None) -> dict:
    target = Path(validated["staging"])
    batch = Batch.from_staged(DATASET, validated, window_of(validated))
    valid, quarantined = pd.read_pickle(target / "valid.pkl"), pd.read_pickle(target / "quarantined.pkl")
    accounting = load_batch(engine, batch, valid, quarantined, SOURCE_READINGS)
    if docs_dir is not None:  # the batch's GX Data Docs, kept with the other batches'
        publish_data_docs(docs_dir, staged_data_docs(target), DATASET, window_of(validated).label, accounting)
    if not keep_staging:  # loaded: the staged pickles have done their job (a failed load keeps them for the retry)
        discard_staging(target)
    return {**validated, "batch_id": accounting["batch_id"], "rows_loaded": accounting["rows_loaded"]}


def daily_values(engine: Engine, first: dt.date, last: dt.date | None = None) -> dict:
    """Outlet-day values (means, loads, exceedances, compliance) of the days first ... last."""
    last = last or first
    outlets, limits, _ = source_registry(engine)
    params = {"first_time": f"{first} 00:00:00", "last_time": f"{last} 23:59:59"}
    with engine.connect() as conn:
        hours = read_frame(conn, "dml/source_reading/select_source_hours", params)
    days = outlet_days(hours, outlets, limits) if len(hours) else pd.DataFrame()
    with replacing(engine, "source_outlet_day") as conn:
        conn.execute(
            sql("dml/source_outlet_day/delete_source_outlet_day"),
            {"first_date": first.isoformat(), "last_date": last.isoformat()},
        )
        if len(days):
            conn.execute(sql("dml/source_outlet_day/insert_source_outlet_day"), db_rows(days))
    return {"first": first.isoformat(), "last": last.isoformat(), "outlet_days": len(days)}


def indicators(engine: Engine, year: int) -> dict:
    """The plan's source indicators of ``year`` (and its months)."""
    from pipeline.plan.indicators import source_indicator_rows

    days = year_days(engine, year)
    outlets, _, caps = source_registry(engine)
    rows = source_indicator_rows(days, outlets, caps, year) if len(days) else pd.DataFrame()
    return {"year": year, "indicators": replace_indicators(engine, "sources", year, rows)}


def load_files(engine: Engine, paths: list, docs_dir: Path | None = None) -> dict:
    """Load source files outside the schedule (``python -m pipeline ingest sources``): every file read
    first (HJ 212 device ids mapped to outlets, rejected messages quarantined), all loaded in one
    transaction or none (readings upserted), then the outlet-days of the days they touch and the
    indicators of those years.

    Returns the batches' accounting rows and a line saying what was recomputed (or None)."""
    outlets, _, _ = source_registry(engine)
    if outlets.empty:
        raise RegistryEmpty("source")
    params = {"known_outlets": outlets["outlet_code"].tolist(), "first_time": pd.Timestamp("2000-01-01"),
              "last_time": pd.Timestamp.now().ceil("h")}  # fmt: skip
    files = [(path, *read_mapped(Path(path), outlets)) for path in paths]  # all readable first
    days: set[dt.date] = set()
    loads, pages = [], []
    for path, records, rejects in files:
        result = run_suite(records, DATASET, params)
        pages.append(result.data_docs)
        quarantined = pd.concat([result.quarantined, rejects], ignore_index=True)
        batch = Batch(DATASET, [Path(path)], None, rows_read=len(records) + len(rejects))
        loads.append((batch, result.valid, quarantined, SOURCE_READINGS))
        days |= set(pd.to_datetime(result.valid["period_start"]).dt.date)
    batches = load_batches(engine, loads)  # all or none
    for path, page, (batch, *_), row in zip(paths, pages, loads, batches, strict=True):
        if docs_dir is not None and page:  # each file's GX Data Docs
            publish_data_docs(docs_dir, [page], batch.dataset, f"file {Path(path).name}", row)
    if not days:
        return {"batches": batches, "recomputed": None}
    daily_values(engine, min(days), max(days))
    for year in sorted({d.year for d in days}):
        indicators(engine, year)
    return {"batches": batches, "recomputed": f"outlet-days recomputed from {min(days)} to {max(days)}"}


def run_day(engine: Engine, landing_dir: Path, day: dt.date, staging_dir: Path, docs_dir: Path | None = None) -> dict:
    """The whole nightly sources job for one day (``dags/pollution_sources.py`` runs the same stages as
    tasks): ingest -> validate -> load -> outlet-days -> indicators of the day's year."""
    staged = ingest(engine, landing_dir, day_window(day), staging_dir)
    loaded = load(engine, validate(engine, staged), docs_dir=docs_dir)
    days = daily_values(engine, day)
    found = indicators(engine, day.year)
    return {**loaded, **days, **found}
