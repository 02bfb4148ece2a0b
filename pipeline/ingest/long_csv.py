"""A plain long CSV of hourly air readings: ``station_code,time,pollutant,value,unit[,flag]``.

``time`` is the hour-ending local time (Asia/Shanghai) ``YYYY-MM-DD HH:MM`` (``24:00`` is accepted
and means the next day's 00:00; ``T`` and seconds are accepted too). ``pollutant`` is a canonical
code or a national label (``PM2.5``, ``SO2``...). ``unit`` is ``ug/m3`` (µg/m³) or ``mg/m3``; a value
in the other of the two is converted, and the raw text is kept. An empty ``value`` is a missing
reading: it is counted and quarantined, never silently skipped.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.glossary import AIR_ITEMS, UNIT_ALIASES, UNIT_FACTORS, air_code
from pipeline.ingest import IngestError, empty_records, read_text

REQUIRED = ["station_code", "time", "pollutant", "value", "unit"]
_TIME = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})[ T](\d{1,2}):(\d{2})(?::00)?\s*$")


def looks_like(header: list[str]) -> bool:
    return set(REQUIRED) <= {h.strip().lower() for h in header}


MAX_LONG_ROWS = 500_000
"""The most readings of one long air file (a national day in this layout has about 600,000 values of the 6
pollutants and their statistics at 1,650 stations; Zhejiang's day 13,000): each peaks at about 2.5 KB in a load,
so this many stay below 1.5 GB (bench/input_memory.md; issue 28.6)."""


def parse_hour_end(text: str) -> pd.Timestamp:
    """``YYYY-MM-DD HH:MM`` (hour-ending, on the hour, ``24:00`` allowed) -> Timestamp; NaT if
    unparseable or not on the hour (such a row is quarantined, not rounded)."""
    match = _TIME.match(text or "")
    if not match:
        return pd.NaT
    day, hour, minute = match.group(1), int(match.group(2)), int(match.group(3))
    if hour > 24 or minute:  # hourly means are labelled on the hour
        return pd.NaT
    try:
        return pd.Timestamp(day) + pd.Timedelta(hours=hour, minutes=minute)
    except ValueError:
        return pd.NaT


def read(path: Path | str) -> pd.DataFrame:
    """Canonical air records (see :mod:`pipeline.ingest`) from one long CSV.

    A row with the wrong number of fields is kept as a record that validation quarantines; a last
    line cut short (no final newline, fields missing) means a truncated file: IngestError.
    """
    path = Path(path)
    text = read_text(path)
    lines = text.count("\n")
    if lines > MAX_LONG_ROWS + 1:  # decided from the text, before a row is split out
        raise IngestError(
            path, f"{lines:,} lines, more than the {MAX_LONG_ROWS:,} readings read from one long file: split it"
        )
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header = [h.strip().lower() for h in rows[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise IngestError(path, f"missing column(s) {', '.join(missing)}; expected {','.join(REQUIRED)}[,flag]")
    body = rows[1:]
    if not body:
        raise IngestError(path, "header only, no data rows")
    if len(body[-1]) != len(header) and not text.endswith(("\n", "\r")):
        raise IngestError(path, f"last line has {len(body[-1])} fields, the header has {len(header)} (truncated file)")
    if not body:
        return empty_records()
    position = {name: i for i, name in enumerate(header)}
    out = []
    for line, row in enumerate(body, start=2):
        if not any(cell.strip() for cell in row):
            continue  # a blank line is not a reading
        ok = len(row) == len(header)
        fields = {name: row[i].strip() for name, i in position.items()} if ok else {}
        get = fields.get
        raw_unit = get("unit", "")
        unit = UNIT_ALIASES.get(raw_unit, raw_unit)
        code = air_code(get("pollutant", "")) or get("pollutant", "").lower() or None
        raw_value = get("value", "")
        value = pd.to_numeric(raw_value, errors="coerce") if raw_value else np.nan
        expected_unit = AIR_ITEMS[code].unit if code in AIR_ITEMS else unit
        if unit != expected_unit and (unit, expected_unit) in UNIT_FACTORS:
            value = value * UNIT_FACTORS[(unit, expected_unit)]
            unit = expected_unit
        out.append(
            {
                "source_file": str(path),
                "source_row": line,
                "record_key": "",
                "station_code": get("station_code") or None,
                "hour_end": parse_hour_end(get("time", "")),
                "pollutant": code,
                "value": float(value) if np.isfinite(value) else np.nan,  # "inf" is not a reading either
                "raw_value": raw_value,
                "unit": unit,
                "flag": get("flag", ""),
                "raw_record": ",".join(row)
                if ok
                else f"[{len(row)} fields, header has {len(header)}] " + ",".join(row),
            }
        )
    records = pd.DataFrame(out) if out else empty_records()
    records["hour_end"] = pd.to_datetime(records["hour_end"])
    return records
