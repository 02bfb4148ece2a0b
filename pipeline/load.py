"""Idempotent writes to the warehouse.

A batch is written in **one transaction**: its ``ingest_batch`` row, its quarantine, and its
readings. With a window (a nightly run), the window's readings are replaced as a whole, so
re-running a day on the same files gives the same warehouse and a corrected file replaces the day's
values; without one (``ingest air``), readings are upserted on their natural key. A failure
anywhere rolls the whole batch back: no half-written day.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from sqlalchemy.engine import Connection, Engine

from pipeline.db import sql

TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True)
class Window:
    """A natural day's hour-ending window: (day 00:00, day+1 00:00], local time."""

    day: dt.date

    @property
    def first_hour_end(self) -> pd.Timestamp:
        return pd.Timestamp(self.day) + pd.Timedelta(hours=1)

    @property
    def last_hour_end(self) -> pd.Timestamp:
        return pd.Timestamp(self.day) + pd.Timedelta(days=1)

    def contains(self, hour_end: pd.Series) -> pd.Series:
        return (hour_end >= self.first_hour_end) & (hour_end <= self.last_hour_end)


@dataclass
class Batch:
    """What a batch read: its files and counts, before and after validation."""

    dataset: str
    files: list[Path]
    window: Window | None
    rows_other_days: int = 0
    started_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    sha256: list[str] = field(default_factory=list)

    def __post_init__(self):
        if not self.sha256:
            self.sha256 = [hashlib.sha256(Path(f).read_bytes()).hexdigest() for f in self.files]

    @property
    def batch_id(self) -> str:
        """Derived from dataset, window and file contents: the same day on the same files is the
        same batch, replaced on re-run."""
        window = self.window.day.isoformat() if self.window else "-"
        key = "|".join([self.dataset, window, *sorted(self.sha256)])
        return hashlib.sha256(key.encode()).hexdigest()[:24]


def _stamp(value) -> str | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).strftime(TIMESTAMP_FORMAT)


def load_batch(engine: Engine, batch: Batch, valid: pd.DataFrame, quarantined: pd.DataFrame) -> dict:
    """Write a validated batch in one transaction. Returns the batch's accounting row."""
    accounting = {
        "batch_id": batch.batch_id,
        "dataset": batch.dataset,
        "source_files": ";".join(Path(f).name for f in batch.files),
        "sha256": ";".join(batch.sha256),
        "window_start": _stamp(batch.window and pd.Timestamp(batch.window.day)),
        "window_end": _stamp(batch.window and batch.window.last_hour_end),
        "rows_read": len(valid) + len(quarantined),
        "rows_loaded": len(valid),
        "rows_quarantined": len(quarantined),
        "rows_other_days": batch.rows_other_days,
        "started_at": batch.started_at.strftime(TIMESTAMP_FORMAT),
    }
    with engine.begin() as conn:
        _write_batch_row(conn, accounting)
        conn.execute(sql("dml/delete_ingest_batch"), {"batch_id": batch.batch_id})
        if len(quarantined):
            conn.execute(sql("dml/insert_quarantine"), _quarantine_rows(batch.batch_id, quarantined))
        readings = _reading_rows(batch.batch_id, valid)
        if batch.window:
            conn.execute(
                sql("dml/delete_air_hourly_window"),
                {"window_start": accounting["window_start"], "window_end": accounting["window_end"]},
            )
        elif readings:
            conn.execute(
                sql("dml/delete_air_hourly_key"),
                [{k: r[k] for k in ("station_code", "hour_end", "pollutant")} for r in readings],
            )
        if readings:
            conn.execute(sql("dml/insert_air_hourly"), readings)
    return accounting


def _write_batch_row(conn: Connection, accounting: dict) -> None:
    row = {**accounting, "finished_at": dt.datetime.now(dt.UTC).strftime(TIMESTAMP_FORMAT)}
    accounting["finished_at"] = row["finished_at"]
    if conn.execute(sql("dml/update_ingest_batch"), row).rowcount == 0:
        conn.execute(sql("dml/insert_ingest_batch"), row)


def _reading_rows(batch_id: str, valid: pd.DataFrame) -> list[dict]:
    if valid.empty:
        return []
    frame = pd.DataFrame(
        {
            "station_code": valid["station_code"].astype(str),
            "hour_end": valid["hour_end"].dt.strftime(TIMESTAMP_FORMAT),
            "pollutant": valid["pollutant"].astype(str),
            "value": valid["value"].astype(float),
            "unit": valid["unit"].astype(str),
            "flag": valid["flag"].fillna("").astype(str),
            "batch_id": batch_id,
        }
    )
    return frame.to_dict("records")


def _quarantine_rows(batch_id: str, quarantined: pd.DataFrame) -> list[dict]:
    frame = pd.DataFrame(
        {
            "batch_id": batch_id,
            "source_file": quarantined["source_file"].map(lambda p: Path(str(p)).name),
            "source_row": quarantined["source_row"].astype(int),
            "record_key": quarantined["record_key"].fillna("").astype(str),
            "reason": quarantined["reason"].astype(str),
            "raw_record": quarantined["raw_record"].astype(str),
        }
    )
    return frame.to_dict("records")
