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
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.glossary import AIR_ITEMS, air_code
from pipeline.ingest import READER_PROBLEM, IngestError, empty_records, read_text

KEY_COLUMNS = ["date", "hour", "type"]
MAX_WIDE_FIELDS = 900_000
"""The most fields of one national wide file (2,500 stations x 360 rows; 2019's files have about 1,650 stations):
each field unfolds into a record, and this many peak at about 1.4 GB (bench/input_memory.md), so a file with
thousands of extra columns is refused, not read (issue 28.6)."""
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


def lines(path: Path | str, text: str | None = None) -> list[list[str]]:
    """The file's lines split into fields (what :func:`read` parses; a caller that reads one file for two days
    splits it once and passes them). text: the file's text, when the caller has read it."""
    text = read_text(Path(path)) if text is None else text
    _check_size(path, text)
    return list(csv.reader(io.StringIO(text, newline="")))


def _check_size(path: Path | str, text: str) -> None:
    header_end = text.find("\n")
    fields = (text.count(",", 0, header_end if header_end >= 0 else len(text)) + 1) * (text.count("\n") or 1)
    if fields > MAX_WIDE_FIELDS:  # decided from the text, before a field is split out
        raise IngestError(
            path, f"about {fields:,} fields ({text[:header_end].count(',') - 2:,} station columns), more than the "
            f"{MAX_WIDE_FIELDS:,} of a national day read at most: not read (a national day has about 1,650 stations)"
        )  # fmt: skip


def read(
    path: Path | str, only_hour_of: tuple[str, str] | None = None, split: list[list[str]] | None = None
) -> pd.DataFrame:
    """Canonical air records (see :mod:`pipeline.ingest`) from one national wide file.

    Raises IngestError for a file that is not of this format. A line of another length than the header
    (cut off mid-row: a truncated file) becomes one record with :data:`pipeline.ingest.READER_PROBLEM`
    set, quarantined whole; an hour lacking some type rows keeps the others; both are said in
    ``records.attrs["warnings"]``.
    only_hour_of: ``(date, hour)`` labels, e.g. ``("20190702", "0")``: of that date's rows, read only that
    hour's (the next day's file, of which a night needs only 00:00); the values of the rows passed
    over are counted in ``records.attrs["values_passed_over"]``. The whole file is still checked.
    split: the file's :func:`lines`, when the caller has them already.
    """
    path = Path(path)
    rows = lines(path) if split is None else split
    header = rows[0]
    if not looks_like(header):
        raise IngestError(path, f"not a national wide air file: header starts {header[:3]}, expected {KEY_COLUMNS}")
    stations = [h.strip() for h in header[3:]]
    if not stations:
        raise IngestError(path, "no station columns after date,hour,type")
    body = rows[1:]
    if not body:
        raise IngestError(path, "header only, no data rows")
    # A line of another length than the header was cut off mid-row (a truncated file: the national archive
    # has two in 2019) or is corrupt: it is quarantined whole with its reason, and the file's complete
    # lines load. An hour whose block lacks some of the 15 types (the file ends inside it, or a type row
    # was lost) keeps the types it has: the others are simply missing, and the reader says so.
    numbered = list(enumerate(body, start=2))  # (line number, fields)
    cut = [(line, row) for line, row in numbered if len(row) != len(header)]
    if cut:
        numbered = [(line, row) for line, row in numbered if len(row) == len(header)]
        body = [row for _, row in numbered]
    warnings = [
        f"hour {hour} has {len(types)} of {TYPES_PER_HOUR} type rows (truncated or corrupt file): "
        f"the {TYPES_PER_HOUR - len(types)} missing types of that hour are missing readings"
        for hour, types in _type_blocks(body).items()
        if len(types) < TYPES_PER_HOUR
    ]
    if cut and not body:
        raise IngestError(path, f"no line has the header's {len(header)} fields (line 2 has {len(cut[0][1])}): "
                                "not a national wide air file, or corrupt")  # fmt: skip

    passed_over = 0
    if only_hour_of is not None:
        date, hour = only_hour_of
        elsewhere = [c for c in cut if len(c[1]) < 2 or (c[1][0].strip() == date and c[1][1].strip() != hour)]
        cut = [c for c in cut if c not in elsewhere]  # another day's cut-off line: that day's to quarantine
        passed_over += len(elsewhere)
        warnings = []  # the hours of other days are their days' concern
        skipped = [r for r in body if r[0].strip() == date and r[1].strip() != hour]
        passed_over += sum(1 for r in skipped for cell in r[3:] if cell.strip())
        numbered = [(n, r) for n, r in numbered if not (r[0].strip() == date and r[1].strip() != hour)]
        body = [r for _, r in numbered]
        if not body:
            return _finished(empty_records(), passed_over, cut, len(header), path, warnings)
    # Each line's keys and each column's names are worked out once and shared by the line's or column's cells
    # (a national day is ~400 lines x ~1,600 columns, of which some 600,000 cells hold a value).
    row_idx, col_idx, raw = [], [], []
    for i, row in enumerate(body):
        for j, cell in enumerate(row[3:]):
            text = cell.strip()
            if text:
                row_idx.append(i)
                col_idx.append(j)
                raw.append(text)
    if not raw:
        return _finished(empty_records(), passed_over, cut, len(header), path, warnings)
    row_idx, col_idx = np.array(row_idx), np.array(col_idx)
    raw_values = np.array(raw, dtype=object)
    keys = pd.DataFrame([r[:3] for r in body], columns=KEY_COLUMNS, dtype=object)
    day = pd.to_datetime(keys["date"], format="%Y%m%d", errors="coerce")
    hour = pd.to_numeric(keys["hour"], errors="coerce")
    hour = hour.where((hour >= 0) & (hour <= 23) & (hour % 1 == 0))
    line_hour_end = (day + pd.to_timedelta(hour, unit="h")).to_numpy()
    type_codes = {t: air_code(t) or t.strip().lower() for t in set(keys["type"])}
    line_pollutant = keys["type"].map(type_codes).to_numpy(dtype=object)
    units = {p: AIR_ITEMS[p].unit if p in AIR_ITEMS else "" for p in type_codes.values()}
    prefix = [f"date={d},hour={h},type={t}," for d, h, t in zip(keys["date"], keys["hour"], keys["type"], strict=True)]
    column_key = [f"{s} (column {j + 4})" for j, s in enumerate(stations)]
    column_name = [f"{s}=" for s in stations]
    pollutant = line_pollutant[row_idx]
    records = pd.DataFrame(
        {
            "source_file": str(path),
            "source_row": np.array([n for n, _ in numbered])[row_idx],
            "record_key": [column_key[j] for j in col_idx],
            "station_code": np.array(stations, dtype=object)[col_idx],
            "hour_end": line_hour_end[row_idx],
            "pollutant": pollutant,
            "value": _numbers(raw_values.astype(str)),
            "raw_value": raw_values,
            "unit": pd.Series(pollutant).map(units),
            "flag": "",
            "raw_record": [prefix[i] + column_name[j] + v for i, j, v in zip(row_idx, col_idx, raw, strict=True)],
        }
    )
    return _finished(records, passed_over, cut, len(header), path, warnings)


def _type_blocks(body: list[list[str]]) -> dict[str, set[str]]:
    """The type rows of each hour label (a row whose date is off is quarantined later, not a hole; a type
    row given twice is a duplicate, settled at validation: :func:`pipeline.validate.split_duplicates`)."""
    blocks: dict[str, set[str]] = {}
    for r in body:
        blocks.setdefault(r[1], set()).add(r[2].strip())
    return blocks


def _finished(
    records: pd.DataFrame, passed_over: int, cut: list, n_fields: int, path: Path, warnings: list[str]
) -> pd.DataFrame:
    """The records, with one quarantine record per cut-off line (its whole text kept, the reason in
    :data:`pipeline.ingest.READER_PROBLEM`), the count of values passed over and the reader's warnings."""
    if cut:
        lines = pd.DataFrame(
            {
                "source_file": str(path),
                "source_row": [line for line, _ in cut],
                "record_key": "whole line",
                "station_code": "",
                "hour_end": pd.NaT,
                "pollutant": [row[2].strip() if len(row) > 2 else "" for _, row in cut],
                "value": np.nan,
                "raw_value": "",
                "unit": "",
                "flag": "",
                "raw_record": [",".join(row)[:2000] for _, row in cut],
                READER_PROBLEM: [
                    f"line {line} has {len(row)} of the header's {n_fields} fields: cut off mid-row (truncated "
                    "file) or corrupt; the whole line is quarantined"
                    for line, row in cut
                ],
            }
        )
        records = pd.concat([records.assign(**{READER_PROBLEM: ""}), lines], ignore_index=True)
    records.attrs["values_passed_over"] = passed_over
    records.attrs["warnings"] = warnings + [
        f"line {line} cut off mid-row ({len(row)} of {n_fields} fields): quarantined whole" for line, row in cut
    ]
    return records


# A clean file read column-wise (a backfill's path) --------------------------------------------------------------

_NOT_A_PLAIN_NUMBER = re.compile(r"[^0-9.eE+\-,\n]")
"""What may not appear in the cells of a file read by :func:`parse_clean`: anything but plain decimal numbers."""


_HOUR_LABELS = frozenset(str(h) for h in range(24))


def _is_plain_date(text: str) -> bool:
    """``YYYYMMDD``, a real date (what :func:`read` parses to a time, and nothing else)."""
    if len(text) != 8 or not text.isdigit():
        return False
    return not pd.isna(pd.to_datetime(text, format="%Y%m%d", errors="coerce"))


@dataclass
class WideFile:
    """A national file that :func:`parse_clean` read column-wise: each body line's ``date, hour, type`` fields as
    in the file (``keys``) and its cells as numbers (``values``, lines x stations, NaN where a cell is empty)."""

    path: Path
    text: str
    stations: list[str]
    keys: list[list[str]]
    values: np.ndarray


def parse_clean(path: Path | str, text: str | None = None) -> WideFile | None:
    """The file read column-wise, if it is clean: no quote, space or tab; every line (none blank) has the header's
    fields; no station column or ``date, hour, type`` line twice; every cell empty or a finite plain decimal
    number. None otherwise: such a file is read by :func:`read`, whose records say what is wrong cell by cell.

    A clean file gives the records :func:`read` gives (:func:`clean_records`, without the raw texts, which
    :func:`with_provenance` adds to the few records that need them), at a fraction of the time: the national
    year is 364 of them. Raises IngestError as :func:`read` does for a file too large to read."""
    path = Path(path)
    text = read_text(path) if text is None else text
    _check_size(path, text)
    if '"' in text or " " in text or "\t" in text:
        return None
    body_text = text.replace("\r\n", "\n")
    if "\r" in body_text:
        return None
    all_lines = body_text.split("\n")
    if all_lines and all_lines[-1] == "":
        all_lines.pop()
    if len(all_lines) < 2:
        return None
    header = all_lines[0].split(",")
    if not looks_like(header) or len(header) < 4:
        return None
    stations = [h.strip() for h in header[3:]]
    n_commas = len(header) - 1
    if any(line.count(",") != n_commas for line in all_lines[1:]):
        return None
    if len(set(stations)) != len(stations) and not _copies_agree(stations, all_lines[1:]):
        return None
    split = [line.split(",", 3) for line in all_lines[1:]]
    keys = [fields[:3] for fields in split]
    if not all(k[1] in _HOUR_LABELS for k in keys) or not all(map(_is_plain_date, {k[0] for k in keys})):
        return None  # a date or hour :func:`read` makes a missing time of: its records say so
    if len({tuple(k) for k in keys}) != len(keys) or _NOT_A_PLAIN_NUMBER.search("\n".join(f[3] for f in split)):
        return None
    values = _plain_numbers("\n".join(f[3] for f in split), len(stations))
    if values is None or values.shape != (len(keys), len(stations)) or np.isinf(values).any():
        return None
    return WideFile(path, text, stations, keys, values)


def _copies_agree(stations: list[str], body: list[str]) -> bool:
    """Whether the columns of a station named twice (214 of 2019's files name one station twice) hold, on each
    line, the same text or texts of different numbers: their records are then plain or conflicting duplicates
    alike whether compared by text (:func:`read`) or by number (:func:`clean_records`)."""
    seen: dict[str, list[int]] = {}
    for j, station in enumerate(stations):
        seen.setdefault(station, []).append(j + 3)
    repeated = [columns for columns in seen.values() if len(columns) > 1]
    for line in body:
        fields = line.split(",")
        for columns in repeated:
            texts = {fields[j] for j in columns}
            if len(texts) > 1 and len({float(t) if t else None for t in texts}) < len(texts):
                return False
    return True


def _plain_numbers(text: str, n_columns: int) -> np.ndarray | None:
    """Lines of comma-separated plain numbers (empty: NaN) as a lines x columns array, parsed by Arrow's CSV
    reader (correctly rounded, as Python's ``float``); None when a cell is not a number (dots or signs alone)."""
    import pyarrow as pa
    from pyarrow import csv as arrow_csv

    names = [f"c{j}" for j in range(n_columns)]
    try:
        table = arrow_csv.read_csv(
            io.BytesIO(text.encode("ascii")),
            read_options=arrow_csv.ReadOptions(column_names=names, use_threads=False),
            convert_options=arrow_csv.ConvertOptions(column_types=dict.fromkeys(names, pa.float64()),
                                                     null_values=[""], quoted_strings_can_be_null=False),
        )  # fmt: skip
    except (pa.ArrowInvalid, UnicodeEncodeError):
        return None
    if table.num_rows == 0:
        return np.empty((0, n_columns))
    return np.column_stack([c.to_numpy(zero_copy_only=False) for c in table.columns]).astype(np.float64)


def clean_records(wide: WideFile, only_hour_of: tuple[str, str] | None = None) -> pd.DataFrame:
    """:func:`read`'s records of a clean file (:func:`parse_clean`), but column-wise: ``station_code``,
    ``pollutant``, ``unit`` and ``flag`` categorical, ``source_column`` (the cell's column, 1-based) in place of
    ``record_key``, ``raw_value`` and ``raw_record`` (:func:`with_provenance` adds them where needed). The same
    rows in the same order, the same ``attrs``."""
    keys = pd.DataFrame(wide.keys, columns=KEY_COLUMNS, dtype=object)
    lines = np.arange(len(keys))
    passed_over, warnings = 0, []
    values = wide.values
    if only_hour_of is not None:
        date, hour = only_hour_of
        skipped = ((keys["date"].str.strip() == date) & (keys["hour"].str.strip() != hour)).to_numpy()
        passed_over = int((~np.isnan(values[skipped])).sum())
        lines = lines[~skipped]
    else:
        warnings = [
            f"hour {hour} has {len(types)} of {TYPES_PER_HOUR} type rows (truncated or corrupt file): "
            f"the {TYPES_PER_HOUR - len(types)} missing types of that hour are missing readings"
            for hour, types in _type_blocks(wide.keys).items()
            if len(types) < TYPES_PER_HOUR
        ]
    keys = keys.iloc[lines]
    line_idx, col_idx = np.nonzero(~np.isnan(values[lines]))
    day = pd.to_datetime(keys["date"], format="%Y%m%d", errors="coerce")
    hour_of = pd.to_numeric(keys["hour"], errors="coerce")
    hour_of = hour_of.where((hour_of >= 0) & (hour_of <= 23) & (hour_of % 1 == 0))
    line_hour_end = (day + pd.to_timedelta(hour_of, unit="h")).to_numpy()
    type_codes = {t: air_code(t) or t.strip().lower() for t in set(keys["type"])}
    pollutants = sorted(set(type_codes.values()))
    line_pollutant = keys["type"].map({t: pollutants.index(c) for t, c in type_codes.items()}).to_numpy(dtype=np.int64)
    units = sorted({AIR_ITEMS[p].unit if p in AIR_ITEMS else "" for p in pollutants})
    unit_of = np.array([units.index(AIR_ITEMS[p].unit if p in AIR_ITEMS else "") for p in pollutants], dtype=np.int64)
    pollutant_codes = line_pollutant[line_idx]
    position: dict[str, int] = {}  # a station named twice is one category
    station_of = np.array([position.setdefault(s, len(position)) for s in wide.stations], dtype=np.int64)
    names = list(position)
    records = pd.DataFrame(
        {
            "source_file": pd.Categorical.from_codes(np.zeros(len(line_idx), dtype=np.int8), [str(wide.path)]),
            "source_row": lines[line_idx] + 2,
            "source_column": col_idx + 4,
            "station_code": pd.Categorical.from_codes(station_of[col_idx], names),
            "hour_end": line_hour_end[line_idx],
            "pollutant": pd.Categorical.from_codes(pollutant_codes, pollutants),
            "value": values[lines[line_idx], col_idx],
            "unit": pd.Categorical.from_codes(unit_of[pollutant_codes], units),
            "flag": pd.Categorical.from_codes(np.zeros(len(line_idx), dtype=np.int8), [""]),
        }
    )
    records.attrs["values_passed_over"] = passed_over
    records.attrs["warnings"] = warnings
    return records


def with_provenance(records: pd.DataFrame, split: list[list[str]]) -> pd.DataFrame:
    """Records of :func:`clean_records` (of one file, whose :func:`lines` are ``split``) with :func:`read`'s
    columns: ``record_key``, ``raw_value`` and ``raw_record`` from the file's text, text columns as text."""
    rows = records["source_row"].to_numpy()
    columns = records["source_column"].to_numpy()
    stations = records["station_code"].astype(object).to_numpy()
    raw = [split[r - 1][c - 1].strip() for r, c in zip(rows, columns, strict=True)]
    prefix = [f"date={split[r - 1][0]},hour={split[r - 1][1]},type={split[r - 1][2]}," for r in rows]
    full = records.drop(columns="source_column").assign(
        record_key=[f"{s} (column {c})" for s, c in zip(stations, columns, strict=True)],
        raw_value=raw,
        raw_record=[p + f"{s}=" + v for p, s, v in zip(prefix, stations, raw, strict=True)],
    )
    for column in ("source_file", "station_code", "pollutant", "unit", "flag"):
        full[column] = full[column].astype(object)
    return full
