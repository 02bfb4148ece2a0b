"""The national wide format: layout, time labels, missing cells, and files that must be refused."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.ingest import IngestError
from pipeline.ingest.air import detect_format, read_air_file
from pipeline.ingest.cnemc_wide import read
from tests.conftest import SAMPLE_AIR

SAMPLE = SAMPLE_AIR / "china_sites_20190210.csv"


def test_reads_every_non_empty_cell_with_canonical_names():
    records = read(SAMPLE)
    raw = pd.read_csv(SAMPLE, dtype=str)
    assert len(records) == int(raw[["1264A", "1265A", "1266A"]].notna().sum().sum())
    assert set(records["pollutant"]) == {
        "aqi", "pm25", "pm25_24h", "pm10", "pm10_24h", "so2", "so2_24h", "no2", "no2_24h",
        "o3", "o3_24h", "o3_8h", "o3_8h_24h", "co", "co_24h",
    }  # fmt: skip
    co = records[(records["pollutant"] == "co")]
    assert set(co["unit"]) == {"mg/m3"}


def test_hour_label_is_the_hour_end_and_hour_0_is_previous_days_2400():
    records = read(SAMPLE)
    first = records[(records["source_row"] == 2) & (records["station_code"] == "1264A")].iloc[0]
    assert first["pollutant"] == "aqi" and first["hour_end"] == pd.Timestamp("2019-02-10 00:00")
    assert records["hour_end"].max() == pd.Timestamp("2019-02-10 23:00")


def test_empty_cell_is_missing_not_a_record():
    records = read(SAMPLE)
    pm10 = records[(records["pollutant"] == "pm10") & (records["station_code"] == "1266A")]
    assert pd.Timestamp("2019-02-10 01:00") not in set(pm10["hour_end"])  # the cell is empty in the file


def test_format_detection(tmp_path):
    assert detect_format(SAMPLE) == "cnemc_wide"
    other = tmp_path / "x.csv"
    other.write_text("a,b,c\n1,2,3\n")
    with pytest.raises(IngestError, match="unknown air format"):
        read_air_file(other)


def test_a_line_cut_off_mid_row_is_one_quarantine_record_and_the_rest_is_read(tmp_path):
    cut = tmp_path / "china_sites_20190210.csv"
    data = SAMPLE.read_bytes()
    cut.write_bytes(data[: len(data) // 2 + 7])
    whole = read(SAMPLE)
    records = read(cut)
    flagged = records[records["problem"].fillna("") != ""]
    assert len(flagged) == 1  # the cut line, whole
    (reason,) = flagged["problem"]
    assert "cut off mid-row" in reason and "truncated" in reason
    last_line = int(flagged["source_row"].iloc[0])
    assert last_line == len(data[: len(data) // 2 + 7].decode().splitlines())
    complete = records[records["problem"].fillna("") == ""]
    expected = whole[whole["source_row"] < last_line]
    assert len(complete) == len(expected) and (complete["value"].to_numpy() == expected["value"].to_numpy()).all()
    assert any("cut off mid-row" in w for w in records.attrs["warnings"])


def test_an_hour_missing_type_rows_keeps_the_types_it_has(tmp_path):
    cut = tmp_path / "china_sites_20190210.csv"
    lines = SAMPLE.read_text().splitlines(keepends=True)
    cut.write_text("".join(lines[:-5]))
    records = read(cut)
    assert "problem" not in records.columns  # nothing cut mid-row
    last_hour = records[records["hour_end"] == records["hour_end"].max()]
    assert last_hour["pollutant"].nunique() == 10
    assert records.attrs["warnings"] == [
        "hour 23 has 10 of 15 type rows (truncated or corrupt file): the 5 missing types of that hour are missing readings"
    ]


def test_a_file_cut_inside_its_first_hour_keeps_its_rows(tmp_path):
    cut = tmp_path / "china_sites_20190210.csv"
    cut.write_text("".join(SAMPLE.read_text().splitlines(keepends=True)[:8]))
    records = read(cut)
    assert records["pollutant"].nunique() == 7 and "hour 0 has 7 of 15" in records.attrs["warnings"][0]


@pytest.mark.parametrize(
    "content,message",
    [
        (b"", "empty"),
        (b"\x00\x01\x02binary", "binary"),
        ("date,hour,type,1264A\r\n20190210,0,PM2.5,\xc4\xe3\r\n".encode("latin-1"), "not UTF-8"),
        (b"date,hour,type,1264A\r\n", "header only"),
    ],
)
def test_unreadable_files_are_refused(tmp_path, content, message):
    path = tmp_path / "china_sites_20190210.csv"
    path.write_bytes(content)
    with pytest.raises(IngestError, match=message) as err:
        read(path)
    assert str(path) in str(err.value)


def test_reading_only_hour_0_of_the_next_days_file_counts_the_rest():
    from tests.conftest import SAMPLE_AIR

    path = SAMPLE_AIR / "china_sites_20190702.csv"
    whole = read(path)
    hour0 = read(path, only_hour_of=("20190702", "0"))
    assert set(hour0["hour_end"]) == {pd.Timestamp("2019-07-02 00:00")}
    assert len(hour0) == (whole["hour_end"] == pd.Timestamp("2019-07-02 00:00")).sum() > 0
    assert len(hour0) + hour0.attrs["values_passed_over"] == len(whole)
