"""The air_hourly GX suite: each rule quarantines with its reason; nothing is lost."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from pipeline.validate import EXPECTATIONS_DIR, run_suite

WINDOW = {"first_hour_end": pd.Timestamp("2019-02-10 01:00"), "last_hour_end": pd.Timestamp("2019-02-11 00:00")}


def records(rows):
    frame = pd.DataFrame(rows, columns=["station_code", "hour_end", "pollutant", "value", "unit"])
    frame["hour_end"] = pd.to_datetime(frame["hour_end"])
    frame["source_file"] = "f.csv"
    frame["source_row"] = range(2, len(frame) + 2)
    frame["record_key"] = ""
    frame["raw_record"] = "raw"
    return frame


@pytest.mark.parametrize(
    "row,reason",
    [
        (("1264A", "2019-02-10 05:00", "pm25", -1.0, "ug/m3"), "negative value"),
        (("1264A", "2019-02-10 05:00", "pm25", None, "ug/m3"), "value missing or not a number"),
        (("9999Z", "2019-02-10 05:00", "pm25", 10.0, "ug/m3"), "unknown station"),
        (("1264A", "2019-02-10 05:00", "benzene", 1.0, "ug/m3"), "unknown pollutant"),
        (("1264A", "2019-02-10 05:00", "co", 1.0, "ug/m3"), "unit does not match"),
        (("1264A", "2019-02-10 05:00", "pm25", 9000.0, "ug/m3"), "implausible value for pm25"),
        (("1264A", "2019-02-10 00:00", "pm25", 10.0, "ug/m3"), "outside the run's day"),
        (("1264A", "2019-02-11 01:00", "pm25", 10.0, "ug/m3"), "outside the run's day"),
        (("1264A", None, "pm25", 10.0, "ug/m3"), "time missing"),
    ],
)
def test_each_rule_quarantines_with_its_reason(row, reason):
    good = ("1265A", "2019-02-10 05:00", "pm25", 10.0, "ug/m3")
    result = run_suite(records([good, row]), "air_hourly", {"known_stations": ["1264A", "1265A"], **WINDOW})
    assert len(result.valid) == 1 and result.valid.iloc[0]["station_code"] == "1265A"
    assert len(result.quarantined) == 1
    assert reason in result.quarantined.iloc[0]["reason"]


def test_an_exact_duplicate_is_kept_once_and_counts_add_up():
    rows = [("1264A", "2019-02-10 05:00", "pm25", 10.0, "ug/m3")] * 2 + [
        ("1264A", "2019-02-10 06:00", "pm25", 11.0, "ug/m3")
    ]
    result = run_suite(records(rows), "air_hourly", {"known_stations": ["1264A"], **WINDOW})
    assert len(result.valid) == 2 and len(result.quarantined) == 1
    assert result.quarantined["reason"].str.startswith("duplicate of row").all()


def test_conflicting_duplicates_are_all_quarantined():
    rows = [("1264A", "2019-02-10 05:00", "pm25", 10.0, "ug/m3"), ("1264A", "2019-02-10 05:00", "pm25", 12.0, "ug/m3"),
            ("1264A", "2019-02-10 06:00", "pm25", 11.0, "ug/m3")]  # fmt: skip
    result = run_suite(records(rows), "air_hourly", {"known_stations": ["1264A"], **WINDOW})
    assert len(result.valid) == 1 and len(result.quarantined) == 2
    assert set(result.quarantined["reason"]) == {"conflicting duplicate (same key, different values)"}


def test_real_extremes_pass():
    rows = [("1264A", "2019-02-10 05:00", "pm10", 1807.0, "ug/m3"), ("1264A", "2019-02-10 05:00", "aqi", 500.0, "1")]
    result = run_suite(records(rows), "air_hourly", {"known_stations": ["1264A"], **WINDOW})
    assert len(result.quarantined) == 0


def test_every_expectation_states_its_reason():
    suite = json.loads((EXPECTATIONS_DIR / "air_hourly.json").read_text(encoding="utf-8"))
    assert suite["expectations"] and all(e["meta"]["reason"] for e in suite["expectations"])


def test_each_validation_is_kept_as_a_data_docs_page_and_indexed(tmp_path):
    """The validation drawn as a Data Docs page (qz811's, from GX's result: issue 28); publishing keeps one page
    per batch period (a re-run replaces it) and an index, Chinese first."""
    import re

    from pipeline.validate import publish_data_docs

    good = ("1265A", "2019-02-10 05:00", "pm25", 10.0, "ug/m3")
    result = run_suite(records([good, ("9999Z", "2019-02-10 05:00", "pm25", 10.0, "ug/m3")]), "air_hourly",
                       {"known_stations": ["1264A", "1265A"], **WINDOW})  # fmt: skip
    page = result.data_docs
    assert page.startswith("<!DOCTYPE html>") and '数据校验结果 <span class="en">Validation results</span>' in page
    assert "1 项未通过 failed" in page and page.index("9999Z") < page.index("通过 passed")  # the failure first
    text = re.sub(r"<[^>]+>", " ", page)
    assert "9999Z" in text and "station_code" in text  # the unexpected value of the failed expectation
    accounting = {"batch_id": "b1", "rows_read": 2, "rows_loaded": 1, "rows_quarantined": 1}
    index = publish_data_docs(tmp_path, [page], "air_hourly", "2019-02-10", accounting)
    publish_data_docs(tmp_path, [page, page], "air_hourly", "2019-02-10", {**accounting, "batch_id": "b2"})
    assert sorted(p.name for p in (tmp_path / "air_hourly").glob("*.html")) == [
        "2019-02-10_part1.html",
        "2019-02-10_part2.html",
    ]
    listed = index.read_text(encoding="utf-8")
    assert (
        "<h1>数据校验报告" in listed
        and listed.count("<tr><td>air_hourly") == 1
        and "b2" in listed
        and "b1" not in listed
    )
    assert 'href="air_hourly/2019-02-10_part2.html"' in listed


def test_periods_differing_only_in_punctuation_keep_pages_of_their_own(tmp_path):
    """Issue 28.7: 'file a.b.csv' and 'file a_b.csv' shared one page, and a prefix glob deleted another file's."""
    from pipeline.validate import page_stem, publish_data_docs

    accounting = {"batch_id": "b", "rows_read": 1, "rows_loaded": 1, "rows_quarantined": 0}
    for period, text in (("file a.b.csv", "first"), ("file a_b.csv", "second"), ("file a.b.csv.old", "third")):
        publish_data_docs(tmp_path, [f"<p>{text}</p>"], "annual_statistics", period, accounting)
    publish_data_docs(tmp_path, ["<p>first again</p>"], "annual_statistics", "file a.b.csv", accounting)  # a re-run
    pages = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "annual_statistics").glob("*.html")}
    assert sorted(pages.values()) == ["<p>first again</p>", "<p>second</p>", "<p>third</p>"]
    assert len({page_stem(p) for p in ("file a.b.csv", "file a_b.csv", "file a.b.csv.old")}) == 3
    assert page_stem("2019-02-10") == "2019-02-10"
