"""The calculators: standards applied to a CSV of one's own, no warehouse (``python -m pipeline aqi``,
``daily-aqi`` and ``water-class``). Input is text as typed; every error names the file, line and column."""

from __future__ import annotations

import datetime as dt
import io
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.ingest import read_text, read_utf8, shown


class InputError(ValueError):
    """The calculator's input cannot be used as it is; the message names the line and column."""


def _read_csv(path: str) -> pd.DataFrame:
    try:
        text = read_text(Path(path))  # a FIFO or device is refused before it is opened; sizes bounded
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise InputError(f"{shown(path)}: no such file") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise InputError(f"{shown(path)}: not a readable CSV ({str(err).strip().splitlines()[-1]})") from None


def _numeric(frame: pd.DataFrame, columns, path: str) -> pd.DataFrame:
    """Columns as floats; empty -> NaN; anything else non-numeric is an error naming the cell."""
    out = pd.DataFrame(index=frame.index)
    for column in columns:
        values = pd.to_numeric(frame[column], errors="coerce")  # columnar; spaces around a number are allowed
        missing = values.isna()
        if missing.any():  # only these cells are looked at one by one: blank (NaN), or text around a number
            text = frame.loc[missing, column].str.strip()
            retried = pd.to_numeric(text.where(text != ""), errors="coerce")
            values = values.where(~missing, retried)
            bad = retried.isna() & (text != "")
            if bad.any():
                i = bad.idxmax()
                raise InputError(
                    f"{shown(path)}: line {i + 2}, column {column}: {frame.at[i, column]!r} is not a number"
                )
        if (values < 0).any():
            i = (values < 0).idxmax()
            raise InputError(
                f"{shown(path)}: line {i + 2}, column {column}: negative concentration {frame.at[i, column]}"
            )
        out[column] = values
    return out


def _integers(values: pd.Series) -> pd.Series:
    """Whole numbers as text, "" where missing (columnar: no Python call per value)."""
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    out = np.full(len(numbers), "", dtype=object)
    present = ~np.isnan(numbers)
    out[present] = numbers[present].astype(np.int64).astype(str)
    return pd.Series(out, index=values.index)


def _fixed(values: pd.Series, decimals: int) -> pd.Series:
    """``f"{v:.{decimals}f}"`` of each value, "" where missing, for values already rounded to ``decimals``
    (0 or 1; daily statistics): the digits of the whole number ``v * 10**decimals``, no Python call per value."""
    numbers = values.to_numpy(dtype=float, na_value=np.nan)
    missing = np.isnan(numbers)
    scaled = np.rint(np.where(missing, 0.0, numbers) * 10**decimals)
    if (scaled < 0).any() or (scaled > 1e15).any():  # not what daily statistics hold: format one by one
        return values.map(lambda v: "" if pd.isna(v) else f"{v:.{decimals}f}")
    whole, last = np.divmod(scaled.astype(np.int64), 10**decimals)
    digits = whole.astype(str)
    if decimals:
        digits = np.char.add(np.char.add(digits, "."), np.char.zfill(last.astype(str), decimals))
    digits = digits.astype(object)
    digits[missing] = ""
    return pd.Series(digits, index=values.index)


def _row_editions(frame: pd.DataFrame, edition: str | None, path: str) -> np.ndarray:
    """The HJ 633 edition of each row of a calculator input: ``--edition`` for all rows; else by the
    row's ``date`` (a natural day) or ``time`` (hour-ending: 24:00 belongs to the day before); else
    the edition in force today. Errors name the line."""
    from pipeline.indicators.editions import AQI_EDITIONS, aqi_edition_for
    from pipeline.ingest.long_csv import parse_hour_end

    if edition is not None:
        if edition not in AQI_EDITIONS:
            raise InputError(f"--edition {edition!r}: no such edition of HJ 633; use {' or '.join(AQI_EDITIONS)}")
        return np.full(len(frame), edition, dtype=object)
    if "date" in frame.columns:
        days = pd.to_datetime(frame["date"].str.strip(), format="%Y-%m-%d", errors="coerce")
        what = "date", "YYYY-MM-DD"
    elif "time" in frame.columns:
        days = frame["time"].str.strip().map(parse_hour_end) - pd.Timedelta(hours=1)
        what = "time", "YYYY-MM-DD HH:MM (hour-ending)"
    else:
        return np.full(len(frame), aqi_edition_for(dt.date.today()), dtype=object)
    if days.isna().any():
        i = days.isna().idxmax()
        raise InputError(f"{shown(path)}: line {i + 2}, column {what[0]}: {frame.at[i, what[0]]!r} is not {what[1]}")
    return aqi_edition_for(days.dt.normalize())


def aqi_csv(path: str, output: str | None, mode: str, edition: str | None) -> None:
    """IAQI, AQI, category and primary pollutant of each row of a CSV of concentrations (HJ 633, the
    edition in force on each row's date unless ``edition`` is given; ``python -m pipeline aqi``)."""
    from pipeline.indicators.aqi import POLLUTANT_COLUMNS, aqi_frame

    if COLUMNAR:
        try:
            return _write_table(*_aqi_table(path, mode, edition), output=output)
        except _NotColumnar:
            pass  # the pandas path below takes it, and names the line of any error
    frame = _read_csv(path)
    present = [c for c in (*POLLUTANT_COLUMNS, "so2_24h") if c in frame.columns]
    if not [c for c in present if c != "so2_24h"]:
        raise InputError(f"{shown(path)}: no pollutant column; expected any of {', '.join(POLLUTANT_COLUMNS)}")
    editions = _row_editions(frame, edition, path)
    result = aqi_frame(_numeric(frame, present, path), mode=mode, edition=editions)
    out = frame.copy()
    for column in [c for c in result.columns if c.startswith("iaqi_")] + ["aqi"]:
        out[column] = _integers(result[column])
    out["level"] = result["level"].map(lambda v: str(v) if v else "")
    for column in ("category_zh", "category_en", "primary_pollutant", "aqi_status"):
        out[column] = result[column].astype(str)
    out["edition"] = editions
    _write(out, output)


HOURLY_KEY = ("station_code", "time")
HOURLY_POLLUTANTS = ("so2", "no2", "pm10", "co", "o3", "pm25")
WATERBODY_ALIASES = {"reservoir": "lake", "湖库": "lake", "河流": "river", "": "river"}
"""``waterbody`` as written (stripped, lower-case) -> ``river`` or ``lake`` (lakes and reservoirs)."""


def daily_aqi_csv(path: str, output: str | None) -> None:
    """Station-day statistics and AQI of a CSV of hourly readings (``python -m pipeline daily-aqi``)."""
    from pipeline.indicators.daily import station_day_aqi
    from pipeline.indicators.editions import aqi_of
    from pipeline.ingest.long_csv import parse_hour_end

    hourly = None
    if COLUMNAR:
        try:
            hourly = _hourly_columnar(path)
        except _NotColumnar:
            pass
    if hourly is None:
        frame = _read_csv(path)
        missing = [c for c in HOURLY_KEY if c not in frame.columns]
        if missing:
            raise InputError(
                f"{shown(path)}: missing column(s) {', '.join(missing)}; expected station_code,time,so2,no2,pm10,co,o3,pm25"
            )
        pollutants = [c for c in HOURLY_POLLUTANTS if c in frame.columns]
        hourly = _numeric(frame, pollutants, path)
        hourly["station_code"] = frame["station_code"].str.strip()
        hourly["hour_end"] = frame["time"].map(parse_hour_end)
        if hourly["hour_end"].isna().any():
            i = hourly["hour_end"].isna().idxmax()
            raise InputError(f"{shown(path)}: line {i + 2}: time {frame.at[i, 'time']!r} is not YYYY-MM-DD HH:MM")
    try:
        days = station_day_aqi(hourly)
    except ValueError as err:
        raise InputError(f"{shown(path)}: {err}") from None
    out = pd.DataFrame(
        {"station_code": days["station_code"], "date": pd.to_datetime(days["date"]).dt.strftime("%Y-%m-%d")}
    )
    for column in ("so2", "no2", "pm10", "co", "pm25", "o3_8h", "o3_1h"):
        out[column] = _fixed(days[column], 1 if column == "co" else 0)
    out["aqi"] = _integers(days["aqi"])
    out["level"] = np.where(days["level"].to_numpy() == 0, "", days["level"].to_numpy().astype(str)).astype(object)
    out["primary_pollutant"] = days["primary_pollutant"].astype(str)
    out["aqi_status"] = days["aqi_status"]
    out["valid_day"] = np.where(days["valid_day"].to_numpy(dtype=bool), "true", "false").astype(object)
    out["edition"] = aqi_of(days["edition"])
    _write(out, output)


def water_class_csv(path: str, output: str | None) -> None:
    """GB 3838-2002 class of each row of a CSV of lab values (``python -m pipeline water-class``)."""
    from pipeline.indicators.water_class import GB3838_2002_TABLE1, at_half_detection_limit, classify, parse_class
    from pipeline.ingest.water import parse_lab_value

    if COLUMNAR:
        try:
            return _write_table(*_water_class_table(path), output=output)
        except _NotColumnar:
            pass
    frame = _read_csv(path)
    items = [c for c in frame.columns if c in GB3838_2002_TABLE1.index and c != "tp_lake"]
    if not items:
        raise InputError(f"{shown(path)}: no item column; expected canonical codes such as ph, do, codmn, nh3n, tp")
    values = pd.DataFrame(index=frame.index)
    for column in items:
        parsed = frame[column].map(parse_lab_value)
        bad = parsed.map(lambda p: p[2] and np.isnan(p[0]))
        if bad.any():
            i = bad.idxmax()
            raise InputError(f"{shown(path)}: line {i + 2}, column {column}: {frame.at[i, column]!r} is not a number")
        values[column] = at_half_detection_limit(parsed.map(lambda p: p[0]), parsed.map(lambda p: p[1]).astype(bool))
    body = frame["waterbody"].str.strip().str.lower() if "waterbody" in frame else pd.Series("river", index=frame.index)
    body = body.replace(WATERBODY_ALIASES)
    if not body.isin(["river", "lake"]).all():
        i = (~body.isin(["river", "lake"])).idxmax()
        raise InputError(f"{shown(path)}: line {i + 2}: waterbody {frame.at[i, 'waterbody']!r} is not river or lake")
    values["waterbody"] = body
    target = None
    if "target_class" in frame:
        values["target"] = frame["target_class"].map(parse_class)
        bad = values["target"].isna() & (frame["target_class"].str.strip() != "") | (values["target"] > 5)
        if bad.any():
            i = bad.idxmax()
            raise InputError(f"{shown(path)}: line {i + 2}: target_class {frame.at[i, 'target_class']!r} is not I-V")
        target = "target"
    result = classify(values, target_class=target)
    out = frame.copy()
    out["water_class"] = result["water_class_name"]
    out["limiting_items"] = result["limiting_items"]
    out["meets_target"] = result["meets_target"].map(lambda v: "" if pd.isna(v) else ("true" if v else "false"))
    out["exceedances"] = result["exceedances"]
    _write(out, output)


def _write(frame: pd.DataFrame, output: str | None) -> None:
    if output:
        frame.to_csv(output, index=False)
        print(f"wrote {len(frame)} rows to {output}", file=sys.stderr)
    else:
        frame.to_csv(sys.stdout, index=False)


# --- The columnar path (issue 18): pyarrow reads, parses and writes; numpy and aqi_frame compute. ---------

COLUMNAR = True
"""Whether the calculators go through pyarrow first. Its output is byte-identical to the pandas path's
(``tests/test_calculators_golden.py``, ``tests/test_calculators_columnar.py``), which stays as the
reference and takes over for any input the columnar path does not take exactly (:class:`_NotColumnar`)."""

_STRUCTURAL = r'[,"\r\n]'
"""Characters that make a CSV writer quote a value (csv.QUOTE_MINIMAL, as pandas writes)."""


PYTHON_WHITESPACE = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())
"""What ``str.strip()`` strips (Arrow's ``utf8_trim_whitespace`` keeps U+001C-U+001F, which Python strips)."""


class _NotColumnar(Exception):
    """The columnar path does not take this input exactly; the pandas path does."""


def _arrow_table(path: str):
    """(the CSV as a pyarrow Table of text columns, every cell as typed (no value is read as missing);
    whether its bytes hold a ``"``)."""
    import csv

    import pyarrow as pa
    import pyarrow.csv as pcsv

    try:
        data = read_utf8(Path(path))
    except FileNotFoundError:
        raise InputError(f"{shown(path)}: no such file") from None
    first = data.split(b"\n", 1)[0].rstrip(b"\r").decode("utf-8")
    header = next(csv.reader([first]), [])
    if '"' in first or not header or "" in header or len(set(header)) < len(header):
        raise _NotColumnar  # pandas renames blank and repeated names
    try:
        table = pcsv.read_csv(
            pa.BufferReader(data),
            convert_options=pcsv.ConvertOptions(
                column_types={name: pa.string() for name in header},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowKeyError):
        raise _NotColumnar from None  # a ragged row, say: the pandas path says where
    return table, b'"' in data


def _floats(column) -> np.ndarray:
    """A text column as floats, NaN where blank; :class:`_NotColumnar` for anything the pandas path might
    read otherwise or refuses: text that Arrow cannot cast, ``nan``/``inf``, a negative value, a cell of
    more than 15 characters (up to 15 digits both parsers round the same way, exactly)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    trimmed = pc.utf8_trim(column, " \t")
    blank = pc.equal(trimmed, "")
    if len(column) and pc.max(pc.utf8_length(trimmed)).as_py() > 15:
        raise _NotColumnar
    try:
        values = pc.cast(pc.if_else(blank, pa.scalar(None, pa.string()), trimmed), pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise _NotColumnar from None
    values = values.to_numpy(zero_copy_only=False)
    finite = np.isfinite(values)
    if (finite == blank.to_numpy(zero_copy_only=False)).any() or (values[finite] < 0).any():
        raise _NotColumnar
    return values


def _row_editions_columnar(table, edition: str | None) -> np.ndarray:
    """:func:`_row_editions`, each distinct date or time parsed once; a value it cannot parse -> :class:`_NotColumnar`."""
    import pyarrow.compute as pc

    from pipeline.indicators.editions import AQI_EDITIONS, aqi_edition_for
    from pipeline.ingest.long_csv import parse_hour_end

    if edition is not None:
        if edition not in AQI_EDITIONS:
            raise _NotColumnar
        return np.full(table.num_rows, edition, dtype=object)
    if not table.num_rows:
        return np.full(0, "", dtype=object)
    if "date" in table.column_names:
        values = pc.utf8_trim(table["date"], PYTHON_WHITESPACE)
        distinct = pc.unique(values)
        days = pd.Series(pd.to_datetime(distinct.to_pandas(), format="%Y-%m-%d", errors="coerce"))
    elif "time" in table.column_names:
        values = pc.utf8_trim(table["time"], PYTHON_WHITESPACE)
        distinct = pc.unique(values)
        days = pd.Series([parse_hour_end(t) for t in distinct.to_pylist()], dtype="datetime64[ns]") - pd.Timedelta(
            hours=1
        )
    else:
        return np.full(table.num_rows, aqi_edition_for(dt.date.today()), dtype=object)
    if days.isna().any():
        raise _NotColumnar
    editions = np.asarray(aqi_edition_for(days.dt.normalize()), dtype=object)
    return editions[pc.index_in(values, distinct).to_numpy()]


def _integer_text(values) -> object:
    """Whole numbers as text, null (written empty) where missing or 0-coded: what :func:`_integers` writes."""
    import pyarrow as pa
    import pyarrow.compute as pc

    values = np.asarray(values, dtype=float)
    missing = np.isnan(values)
    return pc.cast(pa.array(np.where(missing, 0, values).astype(np.int64), mask=missing), pa.string())


def _text(values: pd.Series):
    """A result column as Arrow text, as ``.astype(str)`` writes it; its few distinct values are checked to
    need no CSV quotes (so :func:`_write_table` need not look at the column again)."""
    import pyarrow as pa

    if isinstance(values.dtype, pd.CategoricalDtype):
        codes, categories = values.cat.codes.to_numpy(), [str(c) for c in values.cat.categories]
    else:
        codes, categories = pd.factorize(values.to_numpy(dtype=object))
        categories = list(categories)
    if (codes < 0).any() or not all(type(c) is str and not re.search(_STRUCTURAL, c) for c in categories):
        raise _NotColumnar  # a missing value, or text that would need quotes
    return pa.DictionaryArray.from_arrays(
        pa.array(codes.astype(np.int32)), pa.array(categories, pa.string())
    ).dictionary_decode()


def _aqi_table(path: str, mode: str, edition: str | None):
    """:func:`aqi_csv` on the columnar path: (the table to write, whether the input held quotes)."""
    import pyarrow as pa

    from pipeline.indicators.aqi import POLLUTANT_COLUMNS, aqi_frame

    table, quotes = _arrow_table(path)
    present = [c for c in (*POLLUTANT_COLUMNS, "so2_24h") if c in table.column_names]
    if not [c for c in present if c != "so2_24h"]:
        raise _NotColumnar
    editions = _row_editions_columnar(table, edition)
    numbers = pd.DataFrame({c: _floats(table[c]) for c in present}, copy=False)
    result = aqi_frame(numbers, mode=mode, edition=editions)
    columns = {name: table[name] for name in table.column_names}
    for column in [c for c in result.columns if c.startswith("iaqi_")] + ["aqi"]:
        columns[column] = _integer_text(result[column].to_numpy())
    level = result["level"].to_numpy(dtype=float)
    columns["level"] = _integer_text(np.where(level == 0, np.nan, level))
    for column in ("category_zh", "category_en", "primary_pollutant", "aqi_status"):
        columns[column] = _text(result[column])
    columns["edition"] = _text(pd.Series(editions, dtype=object))
    return pa.table(columns), quotes


def _write_table(table, quotes_in_input: bool, output: str | None) -> None:
    """Write a table of text columns as pandas' ``to_csv(index=False)`` does: header and values quoted
    only where they hold a comma, quote or line break (values that need quotes: written by pandas).

    quotes_in_input: False when the input bytes hold no ``"``: then no value read from them can hold a
    comma or line break (it would have been split). The columns the calculators add never need quotes
    (numbers, and :func:`_text` checks the rest)."""
    import csv

    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv

    needs_quotes = any(
        table.num_rows and pc.any(pc.match_substring_regex(table[name], _STRUCTURAL)).as_py()
        for name in (table.column_names if quotes_in_input else ())
    )
    if needs_quotes:
        frame = pd.DataFrame({name: table[name].to_numpy(zero_copy_only=False) for name in table.column_names})
        return _write(frame.fillna(""), output)
    header = io.StringIO()
    csv.writer(header, lineterminator="\n").writerow(table.column_names)
    options = pcsv.WriteOptions(include_header=False, quoting_style="none")
    if output:
        with pa.OSFile(str(output), "wb") as sink:
            sink.write(header.getvalue().encode("utf-8"))
            pcsv.write_csv(table, sink, options)
        print(f"wrote {table.num_rows} rows to {output}", file=sys.stderr)
    else:
        body = pa.BufferOutputStream()
        pcsv.write_csv(table, body, options)
        sys.stdout.write(header.getvalue() + body.getvalue().to_pybytes().decode("utf-8"))


def _per_distinct(column, parse) -> list:
    """``parse`` of every cell of a text column, called once per distinct value: a list of arrays, one per
    element of ``parse``'s result, aligned with the column."""
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(column.combine_chunks() if hasattr(column, "combine_chunks") else column)
    indices = encoded.indices.to_numpy(zero_copy_only=False)
    results = [parse(v) for v in encoded.dictionary.to_pylist()]
    if not results:
        return []
    columns = []
    for k in range(len(results[0])):
        distinct = np.asarray([r[k] for r in results])
        columns.append((distinct if distinct.dtype.kind in "biuf" else distinct.astype(object))[indices])
    return columns


def _water_class_table(path: str):
    """:func:`water_class_csv` on the columnar path: each distinct lab value, water body and target parsed
    once (the same functions as the pandas path), the classes for all rows at once."""
    import pyarrow as pa

    from pipeline.indicators.water_class import GB3838_2002_TABLE1, at_half_detection_limit, classify, parse_class
    from pipeline.ingest.water import parse_lab_value

    table, quotes = _arrow_table(path)
    items = [c for c in table.column_names if c in GB3838_2002_TABLE1.index and c != "tp_lake"]
    if not items or not table.num_rows:
        raise _NotColumnar
    values = pd.DataFrame(index=pd.RangeIndex(table.num_rows))
    for column in items:
        number, below, measured = _per_distinct(table[column], parse_lab_value)
        number = number.astype(float)
        if (measured & np.isnan(number)).any():
            raise _NotColumnar  # not a number: the pandas path names the line
        values[column] = at_half_detection_limit(pd.Series(number), pd.Series(below))
    if "waterbody" in table.column_names:
        (body,) = _per_distinct(
            table["waterbody"], lambda v: (WATERBODY_ALIASES.get(v.strip().lower(), v.strip().lower()),)
        )
        if not np.isin(body, ["river", "lake"]).all():
            raise _NotColumnar
    else:
        body = np.full(table.num_rows, "river", dtype=object)
    values["waterbody"] = body
    target = None
    if "target_class" in table.column_names:
        parsed, blank = _per_distinct(table["target_class"], lambda v: (parse_class(v), v.strip() == ""))
        parsed = parsed.astype(float)
        if ((np.isnan(parsed) & ~blank) | (parsed > 5)).any():
            raise _NotColumnar
        values["target"] = parsed
        target = "target"
    result = classify(values, target_class=target)
    columns = {name: table[name] for name in table.column_names}
    columns["water_class"] = _text(result["water_class_name"])
    columns["limiting_items"] = _text(result["limiting_items"])
    meets = result["meets_target"]
    columns["meets_target"] = _text(
        pd.Series(np.where(meets.isna(), "", np.where(meets.fillna(False), "true", "false")))
    )
    columns["exceedances"] = _text(result["exceedances"])
    return pa.table(columns), quotes


def _hourly_columnar(path: str) -> pd.DataFrame:
    """:func:`daily_aqi_csv`'s hourly frame on the columnar path: station codes stripped (categorical,
    sorted), each distinct time parsed once with :func:`pipeline.ingest.long_csv.parse_hour_end`."""
    import pyarrow.compute as pc

    from pipeline.ingest.long_csv import parse_hour_end

    table, _ = _arrow_table(path)
    if any(c not in table.column_names for c in HOURLY_KEY) or not table.num_rows:
        raise _NotColumnar
    hourly = pd.DataFrame({c: _floats(table[c]) for c in HOURLY_POLLUTANTS if c in table.column_names})
    codes = pc.dictionary_encode(pc.utf8_trim(table["station_code"], PYTHON_WHITESPACE).combine_chunks())
    stations = np.asarray(codes.dictionary.to_pylist(), dtype=object)
    order = np.argsort(stations, kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    hourly["station_code"] = pd.Categorical.from_codes(rank[codes.indices.to_numpy()], stations[order])
    times = pc.dictionary_encode(table["time"].combine_chunks())
    distinct = pd.to_datetime(pd.Series([parse_hour_end(t) for t in times.dictionary.to_pylist()], dtype=object))
    if distinct.isna().any():
        raise _NotColumnar
    hourly["hour_end"] = distinct.to_numpy()[times.indices.to_numpy()]
    return hourly
