"""Water files: lab conventions (0.01L, ---), units, long/wide CSV and Excel, automatic stations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline.ingest import IngestError
from pipeline.ingest.water import parse_lab_value, read
from tests.conftest import REPO

SAMPLE_MANUAL = REPO / "data" / "sample" / "water" / "water_manual_2019-07.csv"
SAMPLE_AUTO = REPO / "data" / "sample" / "water" / "water_auto_2019-07.csv"


@pytest.mark.parametrize(
    "text,expected",
    [("0.01L", (0.01, True, True)), ("<0.005", (0.005, True, True)), ("---", (None, False, False)),
     ("", (None, False, False)), ("—", (None, False, False)), ("abc", (None, False, True)), ("1.5", (1.5, False, True))],
)  # fmt: skip
def test_parse_lab_value(text, expected):
    value, below, measured = parse_lab_value(text)
    assert (below, measured) == expected[1:]
    assert (np.isnan(value) and expected[0] is None) or value == expected[0]


def test_wide_manual_sample_file():
    records = read(SAMPLE_MANUAL)
    raw = pd.read_csv(SAMPLE_MANUAL, dtype=str, keep_default_na=False)
    cells = raw.drop(columns=["section_code", "sample_date"])
    assert len(records) == int((cells != "---").to_numpy().sum())  # every measured cell, nothing else
    assert set(records["kind"]) == {"manual"}
    hg = records[(records["section_code"] == "QZW01") & (records["item"] == "hg")].iloc[0]
    assert hg["below_detection"] and hg["value"] == 0.00004 and hg["raw_value"] == "0.00004L"
    assert hg["sampled_at"] == pd.Timestamp("2019-07-03")


def test_automatic_station_file():
    records = read(SAMPLE_AUTO)
    assert set(records["kind"]) == {"auto"}
    assert records["sampled_at"].min() == pd.Timestamp("2019-07-01 00:00")
    assert set(records.loc[records["item"] == "conductivity", "unit"]) == {"uS/cm"}


def test_long_file_units_converted_or_kept_for_rejection(tmp_path):
    path = tmp_path / "w_2019-07.csv"
    path.write_text(
        "section_code,sample_date,item,value,unit\n"
        "QZW01,2019-07-03,Hg,0.05,µg/L\n"
        "QZW01,2019-07-03,氨氮,0.4,mg/L\n"
        "QZW01,2019-07-03,Pb,3,ppm\n",
        encoding="utf-8",
    )
    records = read(path).set_index("item")
    assert records.loc["hg", "value"] == pytest.approx(0.00005) and records.loc["hg", "unit"] == "mg/L"
    assert records.loc["nh3n", "value"] == 0.4
    assert records.loc["pb", "unit"] == "ppm"  # not convertible: left for validation to reject


def test_wide_header_units_and_excel(tmp_path):
    frame = pd.DataFrame(
        {"section_code": ["QZW11"], "sample_date": ["2019-07-05"], "汞(μg/L)": ["0.03"], "NH3-N": ["0.2"]}
    )
    path = tmp_path / "lab_2019-07.xlsx"
    frame.to_excel(path, index=False)
    records = read(path).set_index("item")
    assert records.loc["hg", "value"] == pytest.approx(0.00003)
    assert records.loc["nh3n", "value"] == 0.2 and records.loc["nh3n", "record_key"] == "NH3-N"


@pytest.mark.parametrize(
    "content,message",
    [("section_code,item,value\nQZW01,do,7\n", "expected columns"), ("section_code,sample_date,do\n", "header only")],
)
def test_unreadable_files(tmp_path, content, message):
    path = tmp_path / "w.csv"
    path.write_text(content)
    with pytest.raises(IngestError, match=message):
        read(path)


def test_broken_excel_is_refused(tmp_path):
    path = tmp_path / "w.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(IngestError, match="Excel"):
        read(path)


def test_an_automatic_station_s_24_00_is_midnight_of_the_next_day(tmp_path):
    """Issue 28.7: air files read ``24:00``; a water station's was "unparseable"."""
    path = tmp_path / "water_auto_2019-07.csv"
    path.write_text("section_code,time,ph,do\nQZW01,2019-07-01 20:00,7.1,7.5\nQZW01,2019-07-01 24:00,7.2,7.4\n"
                    "QZW01,2019/7/2 24:00:00,7.3,7.3\nQZW01,2019-07-02 25:00,7.3,7.3\n", encoding="utf-8")  # fmt: skip
    records = read(path)
    times = sorted({str(t) for t in records["sampled_at"].dropna()})
    assert times == ["2019-07-01 20:00:00", "2019-07-02 00:00:00", "2019-07-03 00:00:00"]
    assert records["sampled_at"].isna().sum() == 2  # 25:00 (ph and do) stays unparseable: quarantined
