"""The national network's hourly wide CSV (CNEMC real-time archive, ``china_sites_YYYYMMDD.csv``).

Layout: ``date,hour,type,<station code>...``; ``date`` YYYYMMDD, ``hour`` 0-23, 15 ``type`` rows per
hour (AQI, PM2.5, PM2.5_24h, PM10, PM10_24h, SO2, SO2_24h, NO2, NO2_24h, O3, O3_24h, O3_8h,
O3_8h_24h, CO, CO_24h); ASCII, CRLF; an empty cell is a missing value and makes no record. Station
columns change between files. µg/m³, CO mg/m³.

Time: ``hour`` H is the mean of the hour ending at H:00, local time (UTC+8); hour 0 is therefore
24:00 of the previous day (see :mod:`pipeline.indicators.daily`). The record's ``hour_end`` is
``date + H hours``.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.glossary import AIR_ITEMS, air_code
from pipeline.ingest import IngestError, empty_records, read_text

KEY_COLUMNS = ["date", "hour", "type"]
TYPES_PER_HOUR = 15


def looks_like(header: list[str]) -> bool:
    return [h.strip().lower() for h in header[:3]] == KEY_COLUMNS


def _numbers(texts: np.ndarray) -> np.ndarray:
    """The cells as floats, NaN where a cell is not a finite number (it is then quarantined). All-numeric
    files (the usual case) take numpy's fast conversion."""
    try:
        values = texts.astype(np.float64)
    except ValueError:
        values = pd.to_numeric(pd.Series(texts, dtype=object), errors="coerce").to_numpy(dtype=float, copy=True)
    values[np.isinf(values)] = np.nan  # "inf" is not a reading either
    return values


def read(path: Path | str, only_hour_of: tuple[str, str] | None = None) -> pd.DataFrame:
    """Canonical air records (see :mod:`pipeline.ingest`) from one national wide file.

    Raises IngestError for a file that is not of this format, has rows of the wrong length
    (truncated or corrupt) or ends in the middle of an hour's block of type rows (a type missing; a type
    given twice is a duplicate, settled at validation).
    only_hour_of: ``(date, hour)`` labels, e.g. ``("20190702", "0")``: of that date's rows, read only that
    hour's (the next day's file, of which a night needs only 00:00); the values of the rows passed
    over are counted in ``records.attrs["values_passed_over"]``. The whole file is still checked.
    """
    path = Path(path)
    rows = list(csv.reader(io.StringIO(read_text(path), newline="")))
    header = rows[0]
    if not looks_like(header):
        raise IngestError(path, f"not a national wide air file: header starts {header[:3]}, expected {KEY_COLUMNS}")
    stations = [h.strip() for h in header[3:]]
    if not stations:
        raise IngestError(path, "no station columns after date,hour,type")
    body = rows[1:]
    if not body:
        raise IngestError(path, "header only, no data rows")
    for line, row in enumerate(body, start=2):
        if len(row) != len(header):
            raise IngestError(
                path, f"line {line} has {len(row)} fields, the header has {len(header)} (truncated or corrupt file)"
            )
    # Each hour's block must hold every type: one missing means a truncated or corrupt file. A type row
    # given twice (an export resumed, a line repeated) is not a hole: its values are compared record by
    # record at validation, where an exact copy is kept once (pipeline.validate.split_duplicates).
    blocks: dict[str, set[str]] = {}  # by hour label: a row whose date is off is quarantined later, not a hole
    for r in body:
        blocks.setdefault(r[1], set()).add(r[2].strip())
    for hour, types in blocks.items():
        if len(types) < TYPES_PER_HOUR:
            raise IngestError(
                path, f"hour {hour} has {len(types)} of {TYPES_PER_HOUR} type rows (truncated or corrupt file)"
            )

    passed_over = 0
    if only_hour_of is not None:
        date, hour = only_hour_of
        skipped = [r for r in body if r[0].strip() == date and r[1].strip() != hour]
        passed_over = sum(1 for r in skipped for cell in r[3:] if cell.strip())
        body = [r for r in body if not (r[0].strip() == date and r[1].strip() != hour)]
        if not body:
            return _passed_over(empty_records(), passed_over)
    grid = np.array([r[3:] for r in body], dtype=object)
    row_idx, col_idx = np.nonzero(np.char.strip(grid.astype(str)) != "")
    if row_idx.size == 0:
        return _passed_over(empty_records(), passed_over)
    keys = np.array([r[:3] for r in body], dtype=object)
    raw_values = np.char.strip(grid[row_idx, col_idx].astype(str))
    dates = keys[row_idx, 0].astype(str)
    hours = keys[row_idx, 1].astype(str)
    types = keys[row_idx, 2].astype(str)

    day = pd.to_datetime(pd.Series(dates), format="%Y%m%d", errors="coerce")
    hour = pd.to_numeric(pd.Series(hours), errors="coerce")
    hour = hour.where((hour >= 0) & (hour <= 23) & (hour % 1 == 0))
    hour_end = day + pd.to_timedelta(hour, unit="h")
    type_codes = {t: air_code(t) or t.strip().lower() for t in set(types)}
    pollutant = pd.Series(types).map(type_codes)
    station = np.array(stations, dtype=object)[col_idx]
    records = pd.DataFrame(
        {
            "source_file": str(path),
            "source_row": row_idx + 2,
            "record_key": station.astype(str) + " (column " + (col_idx + 4).astype(str) + ")",
            "station_code": station,
            "hour_end": hour_end.to_numpy(),
            "pollutant": pollutant.to_numpy(),
            "value": _numbers(raw_values),
            "raw_value": raw_values.astype(object),
            "unit": pollutant.map({p: AIR_ITEMS[p].unit if p in AIR_ITEMS else "" for p in type_codes.values()}),
            "flag": "",
        }
    )
    records["raw_record"] = (
        "date=" + dates + ",hour=" + hours + ",type=" + types + "," + station.astype(str) + "=" + raw_values
    )
    return _passed_over(records, passed_over)


def _passed_over(records: pd.DataFrame, count: int) -> pd.DataFrame:
    records.attrs["values_passed_over"] = count
    return records
