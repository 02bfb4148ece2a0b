"""Water readings: manual lab samples (long or wide CSV, Excel .xlsx) and automatic stations (CSV).

Canonical water records, one per section, sampling time and item: ``source_file, source_row,
record_key, section_code, sampled_at, item, value, raw_value, below_detection, unit, kind,
raw_record``. ``kind`` is ``manual`` or ``auto``.

Layouts (header names are case-insensitive; items by canonical code or label, e.g. ``NH3-N``, ``氨氮``):
- long: ``section_code, sample_date|sampled_at|time, item, value, unit``;
- wide: ``section_code, sample_date|sampled_at|time, <item>...``, where an item header may carry its
  unit in brackets, ``hg(ug/L)`` / ``汞(μg/L)``; without one the item's canonical unit is assumed.
A ``time`` column marks automatic-station data; ``sample_date``/``sampled_at`` manual samples.

Lab conventions (parsed once here): ``0.01L`` is a non-detect at detection limit 0.01 (value 0.01,
``below_detection`` true); ``---``, ``—``, ``-`` or empty means not measured and makes no record; any
other non-numeric text is kept (value NaN) and quarantined by validation. µg/L is converted to mg/L
(the raw text is kept); any unit that is neither the item's unit nor convertible to it is left as read
and rejected by validation.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.glossary import WATER_ITEMS, WATER_UNIT_ALIASES, WATER_UNIT_FACTORS, water_code
from pipeline.ingest import READER_PROBLEM, IngestError, cut_raw_text, read_text
from pipeline.ingest.workbook import FORMULA_WITHOUT_VALUE, ROW_COLUMN, SHEET_COLUMN, read_workbook

NOT_MEASURED = {"", "---", "--", "-", "—", "——", "/", "未检测", "未测", "nan"}
_NON_DETECT = re.compile(r"^\s*<?\s*(\d+(?:\.\d*)?|\.\d+)\s*[lL]\s*$|^\s*<\s*(\d+(?:\.\d*)?|\.\d+)\s*$")
_HEADER_UNIT = re.compile(r"^(.*?)\s*[(（\[]\s*([^)）\]]*)\s*[)）\]]\s*$")
TIME_COLUMNS = ("sampled_at", "sample_date", "time")

RECORD_COLUMNS = [
    "source_file", "source_row", "record_key", "section_code", "sampled_at", "item", "value", "raw_value",
    "below_detection", "unit", "kind", "raw_record",
]  # fmt: skip


def parse_lab_value(text) -> tuple[float, bool, bool]:
    """(value, below_detection, measured) of one lab cell: ``0.01L`` -> (0.01, True, True);
    ``---`` -> (nan, False, False); ``abc`` -> (nan, False, True); ``1.5`` -> (1.5, False, True)."""
    raw = "" if text is None else str(text).strip()
    if raw.lower() in NOT_MEASURED:
        return np.nan, False, False
    match = _NON_DETECT.match(raw)
    if match:
        return float(match.group(1) or match.group(2)), True, True
    try:
        value = float(raw)
    except ValueError:
        return np.nan, False, True
    return (value if np.isfinite(value) else np.nan), False, True  # "inf" is measured but not a number


def _split_header(header: str) -> tuple[str | None, str | None]:
    """``hg(ug/L)`` -> ('hg', 'ug/L'); ``氨氮`` -> ('nh3n', None); unknown -> (None, None)."""
    match = _HEADER_UNIT.match(header)
    label, unit = (match.group(1), match.group(2)) if match else (header, None)
    return water_code(label), unit


def normalise_unit(item: str | None, unit: str | None, value: float) -> tuple[float, str]:
    """Value and unit in the item's canonical unit where the read unit converts to it; otherwise the
    read unit is returned unchanged (validation rejects it)."""
    canonical = WATER_ITEMS[item].unit if item in WATER_ITEMS else ""
    if unit is None:
        return value, canonical
    unit = WATER_UNIT_ALIASES.get(unit.strip().lower(), unit.strip())
    if item == "ph" and unit == "":
        unit = "1"
    if unit != canonical and (unit, canonical) in WATER_UNIT_FACTORS:
        return value * WATER_UNIT_FACTORS[(unit, canonical)], canonical
    return value, unit


def _read_table(path: Path) -> pd.DataFrame:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        table = read_workbook(path)  # every sheet, formulas without a cached value marked
    else:
        import io

        text = read_text(path)
        header_end = text.find("\n")
        cells = (text.count(",", 0, header_end if header_end >= 0 else len(text)) + 1) * text.count("\n")
        if cells > MAX_WATER_CELLS:  # decided from the text, before it is parsed
            raise IngestError(
                path, f"about {cells:,} cells, more than the {MAX_WATER_CELLS:,} read from one water file: split it"
            )
        try:
            table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
        except pd.errors.ParserError as err:
            raise IngestError(path, f"not a readable CSV ({str(err).strip().splitlines()[-1]})") from None
        lines = text.rstrip("\r\n").splitlines()
        if not text.endswith(("\n", "\r")) and len(lines) > 1 and lines[-1].count(",") < lines[0].count(","):
            raise IngestError(path, "last line has fewer fields than the header (truncated file)")
    if table.empty:
        raise IngestError(path, "header only, no data rows")
    table.columns = [str(c).strip() for c in table.columns]
    return table


def _time_column(path: Path, columns) -> str:
    found = [c for c in columns if c.lower() in TIME_COLUMNS]
    if "section_code" not in [c.lower() for c in columns] or not found:
        raise IngestError(
            path, f"expected columns section_code and one of {', '.join(TIME_COLUMNS)}; found {list(columns)[:6]}"
        )
    return found[0]


def _parse_times(column: pd.Series) -> list:
    """Each cell as a Timestamp (NaT where it is not a time): ISO 8601 at once, any other spelling
    (``2019/07/01 08:00``...) cell by cell as before."""
    text = column.astype(str).str.strip()
    times = pd.to_datetime(text, format="ISO8601", errors="coerce")
    for i in np.flatnonzero(times.isna().to_numpy()):
        midnight = MIDNIGHT_AS_24.match(text.iat[i])
        if midnight:  # 24:00 of a day, as automatic stations (and the national air files) write midnight
            day = pd.to_datetime(midnight.group(1), errors="coerce")
            times.iat[i] = day + pd.Timedelta(days=1) if pd.notna(day) else pd.NaT
        else:
            times.iat[i] = pd.to_datetime(text.iat[i], errors="coerce")
    return list(times)


MIDNIGHT_AS_24 = re.compile(r"^(\d{4}[-/]\d{1,2}[-/]\d{1,2})[ T]24:00(?::00)?$")
"""``2019-07-01 24:00`` (or ``2019/7/1 24:00:00``): the end of 07-01, i.e. 2019-07-02 00:00."""


MAX_WATER_CELLS = 400_000
"""The most cells of one water CSV (rows x columns): each value unfolds into a record, and this many stay below
1.5 GB in a load (bench/input_memory.md; a month of an automatic station's export has some 40,000; issue 28.6).
Workbooks have the same cap (:data:`pipeline.ingest.workbook.MAX_WORKBOOK_CELLS`)."""
VALUE_CHARS = 200
"""The most characters of a value's text kept (a value cell of kilobytes is no value: quarantined, its start kept)."""
ROW_CONTEXT_CHARS = 500
"""The most characters of a row's text kept beside each of its values (a 2 KB remark, repeated for every value of
its row, made a 90 MB file peak at 2.7 GB: issue 28.6); the value itself is kept whole."""


def read(path: Path | str) -> pd.DataFrame:
    """Canonical water records from one file (long or wide, CSV or .xlsx)."""
    path = Path(path)
    table = _read_table(path)
    lower = {c.lower(): c for c in table.columns}
    time_column = _time_column(path, table.columns)
    kind = "auto" if time_column.lower() == "time" else "manual"
    long = {"item", "value"} <= set(lower)
    out = []
    times = _parse_times(table[time_column])
    headers = {c: _split_header(str(c)) for c in table.columns}
    position = [SHEET_COLUMN, ROW_COLUMN]  # where a workbook's row is: not data
    several_sheets = SHEET_COLUMN in table and table[SHEET_COLUMN].nunique() > 1
    for i, row in enumerate(table.to_dict("records")):
        line = int(row[ROW_COLUMN]) if ROW_COLUMN in row else i + 2
        section = str(row[lower["section_code"]]).strip() or None
        sampled_at = times[i]
        # the row's text, repeated as the context of each of its values: at most ROW_CONTEXT_CHARS of it
        raw_record = cut_raw_text(
            ",".join(f"{k}={v}" for k, v in row.items() if str(v).strip() and k not in position), ROW_CONTEXT_CHARS
        )
        if several_sheets:
            raw_record = f"sheet {row[SHEET_COLUMN]!r} row {line}: {raw_record}"
        if long:
            cells = [(row[lower["item"]], row[lower["value"]], row.get(lower.get("unit", ""), None), "")]
        else:
            skip = ("section_code", time_column.lower(), SHEET_COLUMN, ROW_COLUMN)
            cells = [(c, row[c], None, c) for c in table.columns if c.lower() not in skip]
        for label, raw, unit, key in cells:
            item, header_unit = headers[label] if not long else (water_code(str(label)), None)
            raw = cut_raw_text(str(raw), VALUE_CHARS) if isinstance(raw, str) and len(raw) > VALUE_CHARS else raw
            value, below, measured = parse_lab_value(raw)
            if not measured:
                continue
            value, unit = normalise_unit(item, unit if long else header_unit, value)
            out.append(
                {
                    "source_file": str(path),
                    "source_row": line,
                    "record_key": key,
                    "section_code": section,
                    "sampled_at": sampled_at,
                    "item": item or str(label).strip().lower(),
                    "value": value,
                    "raw_value": str(raw).strip(),
                    "below_detection": below,
                    "unit": unit,
                    "kind": kind,
                    "raw_record": raw_record if long else f"{key}={raw}; row: {raw_record}",
                    "problem": f"{label}: {raw}; open and save the workbook in Excel to compute it"
                    if str(raw).startswith(FORMULA_WITHOUT_VALUE)
                    else "",
                }
            )
    if not out:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in RECORD_COLUMNS})
    columns = RECORD_COLUMNS + ([READER_PROBLEM] if any(r["problem"] for r in out) else [])
    records = pd.DataFrame(out, columns=columns)
    records["sampled_at"] = pd.to_datetime(records["sampled_at"])
    return records
