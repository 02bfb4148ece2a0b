"""The plain long CSV: names, units, 24:00, and rows kept for quarantine rather than dropped."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline.ingest import IngestError
from pipeline.ingest.long_csv import parse_hour_end, read


@pytest.mark.parametrize(
    "text,expected",
    [
        ("2019-02-10 01:00", "2019-02-10 01:00"),
        ("2019-02-10 24:00", "2019-02-11 00:00"),
        ("2019-02-10T05:00:00", "2019-02-10 05:00"),
        ("2019-02-10 25:00", None),
        ("2019-02-10 01:30", None),
        ("2019-02-30 01:00", None),
        ("yesterday", None),
    ],
)
def test_parse_hour_end(text, expected):
    result = parse_hour_end(text)
    assert (pd.isna(result) and expected is None) or result == pd.Timestamp(expected)


def test_labels_units_and_bad_rows(tmp_path):
    path = tmp_path / "air_20190210.csv"
    path.write_text(
        "station_code,time,pollutant,value,unit\n"
        "1264A,2019-02-10 01:00,PM2.5,35,µg/m³\n"
        "1264A,2019-02-10 01:00,CO,800,ug/m3\n"
        "1264A,2019-02-10 02:00,SO2,abc,ug/m3\n"
        "1264A,2019-02-10 03:00,SO2,,ug/m3\n"
        "1264A,2019-02-10 04:00,SO2\n",
        encoding="utf-8",
    )
    records = read(path)
    assert len(records) == 5  # nothing dropped: bad rows stay as records for validation
    assert records.loc[0, ["pollutant", "unit", "value"]].tolist() == ["pm25", "ug/m3", 35.0]
    assert records.loc[1, ["pollutant", "unit", "value"]].tolist() == ["co", "mg/m3", 0.8]  # converted
    assert records.loc[1, "raw_value"] == "800"
    assert np.isnan(records.loc[2, "value"]) and records.loc[2, "raw_value"] == "abc"
    assert np.isnan(records.loc[3, "value"])
    assert records.loc[4, "raw_record"].startswith("[3 fields")
    assert records["source_row"].tolist() == [2, 3, 4, 5, 6]


def test_missing_column_is_refused(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("station_code,time,pollutant,value\n1264A,2019-02-10 01:00,so2,3\n")
    with pytest.raises(IngestError, match="missing column"):
        read(path)


def test_truncated_last_line_is_refused(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("station_code,time,pollutant,value,unit\n1264A,2019-02-10 01:00,so2,3,ug/m3\n1264A,2019-02-1")
    with pytest.raises(IngestError, match="truncated"):
        read(path)


def test_gbk_file_is_refused_with_a_clear_message(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(
        "station_code,time,pollutant,value,unit,flag\n1264A,2019-02-10 01:00,so2,3,ug/m3,正常\n".encode("gbk")
    )
    with pytest.raises(IngestError, match="not UTF-8"):
        read(path)
