"""The readers' caps that keep a small file from unfolding into more memory than the machine has (issue 28.6): each
refuses, in one line naming the file, before the text is split into values. The figures that size the caps (every
accepted input below 1.5 GB) are measured by `make bench-memory` (bench/input_memory.md), not here."""

from __future__ import annotations

import pytest

import pipeline.ingest.cnemc_wide as cnemc_wide
import pipeline.ingest.long_csv as long_csv
import pipeline.ingest.water as water
import pipeline.ingest.workbook as workbook
from pipeline.ingest import IngestError, cut_raw_text
from tests.conftest import SAMPLE_DATA
from tests.ingest.test_workbook import workbook as make_workbook


def test_a_national_file_wider_than_a_national_day_is_refused(monkeypatch):
    path = SAMPLE_DATA / "air" / "china_sites_20190210.csv"
    assert len(cnemc_wide.read(path))  # the real file is read
    monkeypatch.setattr(cnemc_wide, "MAX_WIDE_FIELDS", 1000)
    with pytest.raises(IngestError, match=r"china_sites_20190210\.csv.*station columns\), more than the 1,000"):
        cnemc_wide.read(path)


def test_a_long_air_file_of_too_many_readings_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "air_2019-02-10.csv"
    path.write_text("station_code,time,pollutant,value,unit\n" + "1264A,2019-02-10 05:00,pm25,35,ug/m3\n" * 11)
    monkeypatch.setattr(long_csv, "MAX_LONG_ROWS", 10)
    with pytest.raises(IngestError, match="12 lines, more than the 10 readings"):
        long_csv.read(path)


def test_water_files_of_too_many_cells_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(water, "MAX_WATER_CELLS", 20)
    monkeypatch.setattr(workbook, "MAX_WORKBOOK_CELLS", 20)
    csv = tmp_path / "water_manual_2019-07.csv"
    csv.write_text("section_code,sample_date,ph,do\n" + "QZW01,2019-07-03,7.2,8.3\n" * 6)
    with pytest.raises(IngestError, match="about 28 cells, more than the 20"):
        water.read(csv)
    book = make_workbook(tmp_path / "lab_2019-07.xlsx", {"s": [["section_code", "sample_date", "ph", "do"]] +
                                                                [["QZW01", "2019-07-03", 7.2, 8.3]] * 6})  # fmt: skip
    with pytest.raises(IngestError, match="more than the 20 cells read from one workbook"):
        water.read(book)


def test_a_value_of_kilobytes_and_its_row_are_kept_cut(tmp_path):
    path = tmp_path / "water_manual_2019-07.csv"
    remark = "x" * 5000
    path.write_text(f"section_code,sample_date,ph,remark\nQZW01,2019-07-03,7.2,{remark}\n", encoding="utf-8")
    records = water.read(path)
    assert (
        all(len(r) < 1000 for r in records["raw_record"])
        and "5,056 characters, cut at 500" in records["raw_record"].iloc[0]
    )
    assert "[5,000 characters, cut at 200" in " ".join(records["raw_value"])
    assert cut_raw_text("short") == "short"
