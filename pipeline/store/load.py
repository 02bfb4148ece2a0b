"""Idempotent writes to the warehouse.

A batch is written in **one transaction**: its ``ingest_batch`` row, its quarantine, and its
readings. With a window (a scheduled run's day or month), the window's readings are replaced as a
whole, so re-running a period on the same files gives the same warehouse and a corrected file
replaces the period's values; without one (``ingest``), readings are upserted on their natural key.
A failure anywhere rolls the whole batch back: no half-written day.

On PostgreSQL the readings go in with binary ``COPY`` (:func:`pipeline.store.postgres.copy_frame`) into tables
partitioned by month or, ``air_hourly``, by natural day (``sql/ddl/postgresql/``), each partition created
on first use. A nightly run's day of air readings is loaded into a new table that becomes the day's
partition at commit, its primary key built once over the sorted rows (:func:`load_batch`). Two runs
replacing the same window at once queue on a row lock (:func:`pipeline.store.engine.replacing`) instead of
interleaving.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from pipeline.ingest import cut_raw_text, digest_of_read
from pipeline.store.engine import driver_statement, read_frame, replacing, sql  # fmt: skip
from pipeline.store.postgres import copy_frame, ensure_partitions
from pipeline.windows import TIMESTAMP_FORMAT, Window, stamp


@dataclass
class Batch:
    """What a batch read: its files and counts, before and after validation."""

    dataset: str
    files: list[Path]
    window: Window | None
    rows_other_days: int = 0
    rows_read: int | None = None  # as counted by the reader; checked against loaded + quarantined
    rows_summarised: int = 0  # valid readings kept as station-days only (outside the hourly scope)
    started_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    sha256: list[str] = field(default_factory=list)

    def __post_init__(self):
        if not self.sha256:
            self.sha256 = [digest_of_read(f) for f in self.files]  # of the bytes parsed, not of the file now

    @classmethod
    def from_staged(cls, dataset: str, staged: dict, window: Window) -> Batch:
        """The batch a job's ingest stage described (its JSON-able dict, passed between tasks)."""
        return cls(
            dataset, [Path(f) for f in staged["files"]], window, rows_other_days=staged["rows_other_days"],
            rows_read=staged["rows_read"], started_at=dt.datetime.fromisoformat(staged["started_at"]),
            sha256=staged["sha256"],
        )  # fmt: skip

    @property
    def batch_id(self) -> str:
        """Derived from dataset, window and file contents: the same period on the same files is the
        same batch, replaced on re-run."""
        window = self.window.label if self.window else "-"
        key = "|".join([self.dataset, window, *sorted(self.sha256)])
        return hashlib.sha256(key.encode()).hexdigest()[:24]


@dataclass(frozen=True)
class ReadingTable:
    """Where a dataset's valid records go, and the SQL files that replace them.

    ``rows`` gives the records as parameter dicts for ``insert``. Bulk tables instead have ``frame`` (the
    records as a DataFrame in the INSERT's column order, timestamps as datetime64), written by
    :func:`bulk_insert`: COPY on PostgreSQL into ``table``, partitioned on ``partitioned_by`` by
    ``partition`` ("month", or "day" for natural days of hour-end stamps).
    """

    insert: str
    delete_window: str
    delete_key: str
    key: tuple[str, ...]
    rows: Callable[[str, pd.DataFrame], list[dict]] | None  # None for bulk tables (they use ``frame``)
    window_filter: dict = field(default_factory=dict)  # extra parameters of delete_window, e.g. kind
    frame: Callable[[str, pd.DataFrame], pd.DataFrame] | None = None
    table: str = ""  # the table COPY loads (PostgreSQL)
    partitioned_by: str = ""
    time_column: str = ""  # the key's timestamp (compared as text in the audit of re-runs)
    partition: str = ""  # month | day (PostgreSQL)
    window_values: str = ""  # the window's stored values, for the audit of re-runs (bulk tables)

    @classmethod
    def bulk(cls, table: str, key: tuple[str, ...], time_column: str, frame, window_filter=None,
             partition: str = "") -> ReadingTable:  # fmt: skip
        """A table loaded by COPY on PostgreSQL, with ``sql/dml/<table>/{insert,delete_*,select_*}_<table>*.sql``;
        ``time_column`` is the key's timestamp, on which the table is partitioned when ``partition`` is
        given ("month" or "day")."""
        return cls(
            f"dml/{table}/insert_{table}", f"dml/{table}/delete_{table}_window", f"dml/{table}/delete_{table}_key", key,
            None, window_filter or {},
            frame, table, time_column if partition else "", time_column, partition,
            f"dml/{table}/select_{table}_window_values",
        )  # fmt: skip


def text_times(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its timestamp columns as the warehouse's text (SQLite stores them so)."""
    times = [c for c in frame.columns if pd.api.types.is_datetime64_any_dtype(frame[c])]
    return frame.assign(**{c: frame[c].dt.strftime(TIMESTAMP_FORMAT) for c in times}) if times else frame


def load_batch(
    engine: Engine, batch: Batch, valid: pd.DataFrame, quarantined: pd.DataFrame, table: ReadingTable
) -> dict:
    """Write a validated batch in one transaction. Returns the batch's accounting row."""
    return load_batches(engine, [(batch, valid, quarantined, table)])[0]


def load_batches(
    engine: Engine,
    loads: list[tuple[Batch, pd.DataFrame, pd.DataFrame, ReadingTable]],
    then: Callable[[Connection], None] | None = None,
) -> list[dict]:
    """Write several validated batches (a command's files, a backfill's days) in one transaction: all of them
    or none, so a failure on the last file leaves the warehouse as it was. ``then(conn)`` writes what derives
    from them (a backfill's station- and city-days) in the same transaction. Returns each batch's accounting
    row."""
    prepared = [_prepare(engine, *load) for load in loads]
    keys = sorted({p["lock"] for p in prepared})
    with replacing(engine, *keys) as conn:
        written = [_write(conn, **p) for p in prepared]
        if then is not None:
            then(conn)
        return written


def _prepare(engine: Engine, batch: Batch, valid: pd.DataFrame, quarantined: pd.DataFrame, table: ReadingTable) -> dict:
    """What :func:`_write` needs of one batch, computed outside the transaction (frames, keys, missing
    PostgreSQL partitions made, each in a transaction of its own)."""
    accounting = {
        "batch_id": batch.batch_id,
        "dataset": batch.dataset,
        "source_files": ";".join(Path(f).name for f in batch.files),
        "sha256": ";".join(batch.sha256),
        "window_start": stamp(batch.window.first) if batch.window else None,
        "window_end": stamp(batch.window.last) if batch.window else None,
        "rows_read": len(valid) + batch.rows_summarised + len(quarantined),
        "rows_loaded": len(valid) + batch.rows_summarised,
        "rows_quarantined": len(quarantined),
        "rows_other_days": batch.rows_other_days,
        "rows_summarised": batch.rows_summarised,
        "started_at": batch.started_at.strftime(TIMESTAMP_FORMAT),
    }
    if batch.rows_read is not None and batch.rows_read != accounting["rows_read"]:
        raise RuntimeError(
            f"{batch.dataset}: {batch.rows_read} rows read but {len(valid) + batch.rows_summarised} valid + "
            f"{len(quarantined)} quarantined"
        )
    frame = table.frame(batch.batch_id, valid) if table.frame is not None and len(valid) else None
    readings = table.rows(batch.batch_id, valid) if table.frame is None and len(valid) else []
    if batch.window:
        keys = []  # the whole window is replaced
    else:
        keys = text_times(frame[list(table.key)]).to_dict("records") if frame is not None else readings
    whole_day = _whole_day(engine, table, batch, frame)
    if frame is not None and table.partitioned_by and engine.dialect.name == "postgresql" and not whole_day:
        ensure_partitions(engine, table.table, table.partition, frame[table.partitioned_by])
    lock = f"{batch.dataset}|{batch.window.label if batch.window else '-'}"
    return {"batch": batch, "table": table, "accounting": accounting, "frame": frame, "readings": readings,
            "keys": keys, "quarantined": quarantined, "whole_day": whole_day, "lock": lock}  # fmt: skip


def _write(conn: Connection, batch: Batch, table: ReadingTable, accounting: dict, frame, readings, keys,
           quarantined: pd.DataFrame, whole_day: str | None, lock: str) -> dict:  # fmt: skip
    new_partition = None  # the day's partition, made by this load
    if whole_day:
        day = {"parent": table.table, "day": whole_day}
        new_partition = conn.execute(sql("dml/postgresql/start_day_partition"), day).scalar_one()
    if batch.window:
        if table.frame is not None:  # the reading tables: audit what a re-run changes
            changes = window_changes(conn, table, batch, frame)
            if changes:
                conn.execute(sql("dml/reading_change/insert_reading_change"), changes)
            accounting["readings_changed"] = len(changes)
        window = {**batch.window.params(), "dataset": batch.dataset, "batch_id": batch.batch_id}
        conn.execute(sql(table.delete_window), {**batch.window.params(), **table.window_filter})
        conn.execute(sql("dml/quarantine/delete_quarantine_of_window"), window)
        conn.execute(sql("dml/ingest_batch/delete_batches_of_window"), window)
    elif keys:
        conn.execute(sql(table.delete_key), [{k: r[k] for k in table.key} for r in keys])
    _write_batch_row(conn, accounting)
    conn.execute(sql("dml/quarantine/delete_ingest_batch"), {"batch_id": batch.batch_id})
    if len(quarantined):
        conn.execute(sql("dml/quarantine/insert_quarantine"), _quarantine_rows(batch.batch_id, quarantined))
    if frame is not None:
        bulk_insert(conn, table, frame, into=new_partition)
    elif readings:
        conn.execute(sql(table.insert), readings)
    if new_partition:
        conn.execute(sql("dml/postgresql/attach_day_partition"), day)
    return accounting


def _whole_day(engine: Engine, table: ReadingTable, batch: Batch, frame: pd.DataFrame | None) -> str | None:
    """The natural day (``YYYY-MM-DD``) when this load replaces exactly one day-partition of a
    PostgreSQL table (a nightly run's air: the window is the day and every reading is in it): it can be
    loaded into a table of its own that becomes the partition. Otherwise None."""
    if engine.dialect.name != "postgresql" or table.partition != "day" or frame is None or batch.window is None:
        return None
    day = (batch.window.last - pd.Timedelta(microseconds=1)).date()
    if batch.window != Window.natural_day(day) or not batch.window.contains(frame[table.partitioned_by]).all():
        return None
    return day.isoformat()


def window_changes(conn: Connection, table: ReadingTable, batch: Batch, frame: pd.DataFrame | None) -> list[dict]:
    """The audit rows of a re-run (``reading_change``): readings of the window whose value the new
    files change, add or remove, against what the previous batch of the window stored. Nothing when
    the window is empty (a first run) or holds this very batch (a re-run of the same files)."""
    params = {**batch.window.params(), **table.window_filter}
    old = read_frame(conn, table.window_values, params)
    if old.empty or set(old["batch_id"]) == {batch.batch_id}:
        return []
    keys = list(table.key)
    new = text_times(frame[[*keys, "value"]]) if frame is not None else pd.DataFrame(columns=[*keys, "value"])
    old[table.time_column] = pd.to_datetime(old[table.time_column]).dt.strftime(TIMESTAMP_FORMAT)
    both = old.merge(new, on=keys, how="outer", suffixes=("_old", "_new"), indicator=True)
    differs = (both["_merge"] != "both") | (both["value_old"] != both["value_new"])
    both = both[differs]
    if both.empty:
        return []
    change = both["_merge"].map({"both": "changed", "left_only": "removed", "right_only": "added"})
    key_text = pd.Series("", index=both.index)
    for i, column in enumerate(keys):
        key_text = key_text + ("" if i == 0 else ";") + column + "=" + both[column].astype(str)
    now = dt.datetime.now(dt.UTC).strftime(TIMESTAMP_FORMAT)
    audit = pd.DataFrame(
        {
            "dataset": batch.dataset, "window_label": batch.window.label, "reading_key": key_text,
            "change": change.astype(str), "old_value": both["value_old"], "new_value": both["value_new"],
            "old_batch_id": both["batch_id"], "new_batch_id": batch.batch_id, "changed_at": now,
        }
    )  # fmt: skip
    return audit.astype(object).where(audit.notna(), None).to_dict("records")


def bulk_insert(conn: Connection, table: ReadingTable, frame: pd.DataFrame, into: str | None = None) -> int:
    """Many readings at once: ``COPY`` on PostgreSQL (into ``table.table``, or the table ``into``); on
    SQLite the driver's own ``executemany`` of the table's INSERT file (several times faster than going
    through SQLAlchemy's parameter handling)."""
    if conn.dialect.name == "postgresql":
        if table.partitioned_by:  # in the order of the partitioned tables' keys, which lead with the time
            order = [table.partitioned_by, *(k for k in table.key if k != table.partitioned_by)]
            frame = frame.sort_values(order, kind="stable")
        return copy_frame(conn, into or table.table, frame)
    frame = text_times(frame)
    if conn.dialect.name == "sqlite":
        import sqlite3

        statement, names = driver_statement(conn, table.insert)  # sqlite3: positional placeholders
        # Each column as a Python list (None for missing) and the rows zipped in C: the driver then spends its
        # time in SQLite, not in building rows, and lets another thread run meanwhile (a backfill reads on).
        columns = [frame[n].astype(object).where(frame[n].notna(), None).tolist() for n in names]
        try:
            conn.connection.driver_connection.executemany(statement, zip(*columns, strict=True))
        except sqlite3.Error as err:  # as SQLAlchemy would raise it (IntegrityError for a NOT NULL, ...)
            raise sa.exc.DBAPIError.instance(statement, None, err, sqlite3.Error) from err
        return len(frame)
    conn.execute(sql(table.insert), frame.to_dict("records"))
    return len(frame)


def _write_batch_row(conn: Connection, accounting: dict) -> None:
    row = {**accounting, "finished_at": dt.datetime.now(dt.UTC).strftime(TIMESTAMP_FORMAT)}
    accounting["finished_at"] = row["finished_at"]
    if conn.execute(sql("dml/ingest_batch/update_ingest_batch"), row).rowcount == 0:
        conn.execute(sql("dml/ingest_batch/insert_ingest_batch"), row)


def cut_raw_records(texts: list) -> list[str]:
    """:func:`pipeline.ingest.cut_raw_text` of each text; records of one line (all the values of a row) share one result."""
    done: dict[str, str] = {}
    return [done.setdefault(t, cut_raw_text(t)) if (t := str(v)) not in done else done[t] for v in texts]


def _quarantine_rows(batch_id: str, quarantined: pd.DataFrame) -> list[dict]:
    frame = pd.DataFrame(
        {
            "batch_id": batch_id,
            "source_file": quarantined["source_file"].map(lambda p: Path(str(p)).name),
            "source_row": quarantined["source_row"].astype(int),
            "record_key": quarantined["record_key"].fillna("").astype(str),
            "reason": quarantined["reason"].astype(str),
            "raw_record": cut_raw_records(quarantined["raw_record"].tolist()),
        }
    )
    return frame.to_dict("records")


def discard_staging(folder: Path) -> None:
    """Remove a batch's staging folder once it is loaded (QZ811_KEEP_STAGING keeps it, for inspection)."""
    shutil.rmtree(folder, ignore_errors=True)


def db_rows(frame: pd.DataFrame) -> list[dict]:
    """DataFrame -> parameter dicts: NaN -> NULL, numpy scalars -> Python, integer-valued columns
    that the schema declares INTEGER -> int."""
    rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
    for row in rows:
        for key, value in row.items():
            if hasattr(value, "item"):
                row[key] = value.item()
            if value is not None and (key.startswith("iaqi_") or key in ("aqi", "level")):
                row[key] = int(value) if key != "level" or value else None
    return rows


def replace_indicators(engine: Engine, family: str, year: int, rows) -> int:
    """Replace the stored indicators of one family (``air``, ``water``, ``sources``, ``acid_rain``, ``noise``) for
    ``year`` and its months with ``rows`` (a DataFrame or parameter dicts in the ``indicator`` table's columns), in
    one transaction. Returns how many were written."""
    records = db_rows(rows) if isinstance(rows, pd.DataFrame) else list(rows)
    with replacing(engine, f"indicators|{family}|{year}") as conn:
        conn.execute(
            sql("dml/indicator/delete_indicators_of_year"),
            {"family": f"{family}.%", "year": str(year), "months": f"{year}-%"},
        )
        if records:
            conn.execute(sql("dml/indicator/insert_indicator"), records)
    return len(records)
