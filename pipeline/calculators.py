"""The calculators: standards applied to a CSV of one's own, no warehouse (``python -m pipeline aqi``,
``daily-aqi`` and ``water-class``). Input is text as typed; every error names the file, line and column."""

from __future__ import annotations

import datetime as dt
import io
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.ingest import read_text, shown


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


def daily_aqi_csv(path: str, output: str | None) -> None:
    """Station-day statistics and AQI of a CSV of hourly readings (``python -m pipeline daily-aqi``)."""
    from pipeline.indicators.daily import station_day_aqi
    from pipeline.indicators.editions import aqi_of
    from pipeline.ingest.long_csv import parse_hour_end

    frame = _read_csv(path)
    needed = ["station_code", "time"]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise InputError(
            f"{shown(path)}: missing column(s) {', '.join(missing)}; expected station_code,time,so2,no2,pm10,co,o3,pm25"
        )
    pollutants = [c for c in ("so2", "no2", "pm10", "co", "o3", "pm25") if c in frame.columns]
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
        decimals = 1 if column == "co" else 0
        out[column] = days[column].map(lambda v, d=decimals: "" if pd.isna(v) else f"{v:.{d}f}")
    out["aqi"] = _integers(days["aqi"])
    out["level"] = days["level"].map(lambda v: str(v) if v else "")
    out["primary_pollutant"] = days["primary_pollutant"].astype(str)
    out["aqi_status"] = days["aqi_status"]
    out["valid_day"] = days["valid_day"].map(lambda v: "true" if v else "false")
    out["edition"] = aqi_of(days["edition"])
    _write(out, output)


def water_class_csv(path: str, output: str | None) -> None:
    """GB 3838-2002 class of each row of a CSV of lab values (``python -m pipeline water-class``)."""
    from pipeline.indicators.water_class import GB3838_2002_TABLE1, at_half_detection_limit, classify, parse_class
    from pipeline.ingest.water import parse_lab_value

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
    body = body.replace({"reservoir": "lake", "湖库": "lake", "河流": "river", "": "river"})
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
