"""Duplicates never cost a good value (issue 16): an exact copy is kept once and the extra copy quarantined
as "duplicate of row N"; a conflicting copy quarantines both; the rest of the file loads."""

from __future__ import annotations

import datetime as dt
import shutil

import pandas as pd
import sqlalchemy as sa

from pipeline.jobs.air import run_day
from pipeline.validate import split_duplicates
from tests.conftest import SAMPLE_AIR

DAY = dt.date(2019, 2, 10)


def landing_with(tmp_path, edit) -> object:
    folder = tmp_path / "landing"
    shutil.copytree(SAMPLE_AIR, folder)
    path = folder / "china_sites_20190210.csv"
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(edit(lines)))
    return folder


def quarantine(engine) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.read_sql(sa.text("SELECT record_key, reason, raw_record FROM quarantine"), conn)


def hourly(engine) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.read_sql(sa.text("SELECT * FROM air_hourly ORDER BY station_code, hour_end, pollutant"), conn)


def test_a_repeated_line_in_a_national_file_loses_no_value(warehouse, tmp_path):
    baseline = run_day(warehouse, SAMPLE_AIR, DAY, tmp_path / "a")
    expected = hourly(warehouse).drop(columns=["batch_id"])
    # Line 20 (hour 1, PM10: two stations have a value, the third cell is empty) given twice, as a resumed
    # export writes it.
    folder = landing_with(tmp_path, lambda lines: lines[:20] + [lines[19]] + lines[20:])
    result = run_day(warehouse, folder, DAY, tmp_path / "b")
    assert result["rows_loaded"] == baseline["rows_loaded"] and result["rows_quarantined"] == 2
    assert result["rows_read"] == result["rows_loaded"] + result["rows_quarantined"]
    pd.testing.assert_frame_equal(hourly(warehouse).drop(columns=["batch_id"]), expected)
    reasons = quarantine(warehouse)["reason"]
    assert (reasons == "duplicate of row 20").all() and len(reasons) == 2


def test_a_conflicting_copy_quarantines_both_and_the_rest_loads(warehouse, tmp_path):
    baseline = run_day(warehouse, SAMPLE_AIR, DAY, tmp_path / "a")

    def conflicting(lines):
        fields = lines[19].rstrip("\r\n").split(",")
        fields[3] = str(int(fields[3]) + 40)  # the first station's value differs in the copy
        return lines[:20] + [",".join(fields) + "\r\n"] + lines[20:]

    result = run_day(warehouse, landing_with(tmp_path, conflicting), DAY, tmp_path / "b")
    reasons = quarantine(warehouse)["reason"].value_counts().to_dict()
    assert reasons == {"conflicting duplicate (same key, different values)": 2, "duplicate of row 20": 1}
    assert result["rows_loaded"] == baseline["rows_loaded"] - 1  # only the contested value is held back


def test_split_duplicates_names_the_first_copy_and_its_file():
    records = pd.DataFrame(
        {"source_file": ["/l/a.csv", "/l/a.csv", "/l/b.csv", "/l/a.csv"], "source_row": [2, 3, 9, 4],
         "raw_record": ["x", "x", "x", "y"], "k": [1, 2, 1, 3], "value": [5.0, 6.0, 5.0, 7.0]}
    )  # fmt: skip
    kept, dropped = split_duplicates(records, ["k"])
    assert kept["source_row"].tolist() == [2, 3, 4]
    assert dropped[["source_row", "reason"]].values.tolist() == [[9, "duplicate of a.csv row 2"]]
