"""GX on distinct values (``run_suite``) against GX on every row (``_run_suite_whole_frame``): same valid
rows, same quarantine and reasons, same counts on the Data Docs page."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from pipeline import validate
from pipeline.ingest import READER_PROBLEM
from pipeline.validate import _run_suite_whole_frame, columns_read, distinct_rows, load_suite, run_suite

AIR_WINDOW = {"first_hour_end": pd.Timestamp("2019-02-10 01:00"), "last_hour_end": pd.Timestamp("2019-02-11 00:00")}
DAY = {"first_time": pd.Timestamp("2019-02-10 00:00"), "last_time": pd.Timestamp("2019-02-10 23:59")}


def provenance(frame: pd.DataFrame) -> pd.DataFrame:
    frame["source_file"] = "f.csv"
    frame["source_row"] = range(2, len(frame) + 2)
    frame["record_key"] = ""
    frame["raw_record"] = [f"raw {i}" for i in range(len(frame))]
    return frame


def air_records() -> pd.DataFrame:
    """Nulls in every column, values on the limits and just over, unknown stations and pollutants, rows
    failing several expectations, the same failing combination on many rows, duplicates of both kinds."""
    rows = [
        ("1264A", "2019-02-10 05:00", "pm25", 3000.0, "ug/m3"),  # on the limit
        ("1264A", "2019-02-10 06:00", "pm25", 3000.5, "ug/m3"),  # just over
        ("1264A", "2019-02-10 07:00", "pm25", 0.0, "ug/m3"),
        ("1264A", "2019-02-10 08:00", "pm25", -0.0, "ug/m3"),
        ("1264A", "2019-02-10 09:00", "pm25", -1.0, "ug/m3"),
        ("1264A", "2019-02-10 05:00", "co", 150.0, "mg/m3"),
        ("1264A", "2019-02-10 06:00", "co", 151.0, "ug/m3"),  # two reasons
        ("1264A", "2019-02-10 07:00", "co_24h", -2.0, "ug/m3"),  # two reasons, the first GX reports on value
        ("1264A", "2019-02-10 05:00", "aqi", 500.0, "1"),
        ("1264A", "2019-02-10 06:00", "aqi", 501.0, "ug/m3"),
        ("1264A", "2019-02-10 07:00", None, 10.0, "ug/m3"),  # null pollutant: in `not in [...]`'s domain
        ("1264A", "2019-02-10 08:00", None, np.nan, None),
        ("1264A", "2019-02-10 09:00", "benzene", 10.0, "ug/m3"),
        ("1264A", "2019-02-10 10:00", "pm10", np.nan, "ug/m3"),
        ("9999Z", "2019-02-10 05:00", "pm10", 10001.0, None),  # unknown station, over, unit missing
        (None, None, "so2", 5000.0, "ug/m3"),
        (None, "2019-02-10 05:00", "no2", 4000.1, "ug/m3"),
        ("1264A", "2019-02-10 00:00", "o3", 1500.0, "ug/m3"),  # before the window
        ("1264A", "2019-02-11 00:00", "o3", 1500.0, "ug/m3"),  # the window's last hour
        ("1264A", "2019-02-11 01:00", "o3_8h", 1500.1, "ug/m3"),
        ("1264A", "2019-02-10 11:00", "pm25", 12.0, "ug/m3"),  # exact duplicate (quarantined as a copy)
        ("1264A", "2019-02-10 11:00", "pm25", 12.0, "ug/m3"),
        ("1264A", "2019-02-10 12:00", "pm25", 12.0, "ug/m3"),  # conflicting duplicates
        ("1264A", "2019-02-10 12:00", "pm25", 13.0, "ug/m3"),
    ]
    rows += [("1265A", f"2019-02-10 {h:02d}:00", "pm25", -5.0, "ug/m3") for h in range(1, 24)]  # one combination
    rows += [("1265A", f"2019-02-10 {h:02d}:00", "so2", float(h), "ug/m3") for h in range(1, 24)]
    rows += [("7777X", f"2019-02-10 {h:02d}:00", "no2", float(h % 3), "ug/m3") for h in range(1, 24)]
    frame = pd.DataFrame(rows, columns=["station_code", "hour_end", "pollutant", "value", "unit"])
    frame["hour_end"] = pd.to_datetime(frame["hour_end"])
    return provenance(frame)


AIR_PARAMETERS = {"known_stations": ["1264A", "1265A"], **AIR_WINDOW}


def water_records() -> pd.DataFrame:
    rows = [
        ("S1", "2019-02-10 04:00", "ph", 14.0, "1"),
        ("S1", "2019-02-10 04:00", "do", 25.1, "mg/L"),
        ("S1", "2019-02-10 04:00", "water_temp", -3.0, "degC"),  # below 0 allowed for water_temp only
        ("S1", "2019-02-10 04:00", "codmn", -3.0, "mg/L"),
        ("S1", "2019-02-10 08:00", "turbidity", np.nan, "NTU"),
        ("S1", "2019-02-10 08:00", "hg", 0.01, "ug/L"),
        ("S9", "2019-02-11 08:00", "bogus", 1.0, None),
        (None, None, None, None, None),
    ]
    rows += [("S2", f"2019-02-10 {h:02d}:00", "hg", 0.02, "mg/L") for h in range(0, 24, 4)]
    frame = pd.DataFrame(rows, columns=["section_code", "sampled_at", "item", "value", "unit"])
    frame["sampled_at"] = pd.to_datetime(frame["sampled_at"])
    frame["kind"] = "auto"
    return provenance(frame)


WATER_PARAMETERS = {"known_sections": ["S1", "S2"], **DAY}


def source_records() -> pd.DataFrame:
    """``outlet_code`` is an object column here, with values pandas' grouping holds equal (1, 1.0, True;
    None and NaN)."""
    rows = [
        ("O1", "2019-02-10 01:00", "so2", 20000.0, "N"),
        ("O1", "2019-02-10 01:00", "nox", 10000.5, "N"),
        ("O1", "2019-02-10 02:00", "o2", 21.0, "X"),
        (1, "2019-02-10 03:00", "o2", 22.0, "N"),
        (1.0, "2019-02-10 04:00", "o2", 20.0, "N"),
        (True, "2019-02-10 05:00", "o2", 20.0, "N"),
        (None, "2019-02-10 06:00", "o2", 20.0, "N"),
        (np.nan, "2019-02-10 07:00", "o2", 20.0, "N"),
        ("O2", None, "flow", np.nan, None),
        ("O2", "2019-02-11 02:00", "ph", 14.5, "N"),
    ]
    rows += [("O3", f"2019-02-10 {h:02d}:00", "pm", 5001.0, "N") for h in range(24)]
    frame = pd.DataFrame(rows, columns=["outlet_code", "period_start", "item", "value", "flag"])
    frame["outlet_code"] = frame["outlet_code"].astype(object)
    frame["period_start"] = pd.to_datetime(frame["period_start"])
    frame["interval"] = "hour"
    frame[READER_PROBLEM] = ""
    frame.loc[3, READER_PROBLEM] = "CRC mismatch"  # what the reader rejected keeps its words
    return provenance(frame)


SOURCE_PARAMETERS = {"known_outlets": ["O1", "O2", "O3", 1], **DAY}

CASES = [
    ("air_hourly", air_records, AIR_PARAMETERS),
    ("water_samples", water_records, WATER_PARAMETERS),
    ("source_readings", source_records, SOURCE_PARAMETERS),
]


def page(html: str) -> str:
    """A Data Docs page without what differs between two renderings of one result (ids, load times,
    the fingerprint of the frame GX hashed)."""
    html = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<uuid>", html)
    html = re.sub(r"\d{8}T\d{6}\.\d+Z", "<time>", html)
    return re.sub(r"\b[0-9a-f]{32}\b", "<fingerprint>", html)


@pytest.mark.parametrize("suite_name,make,parameters", CASES, ids=[c[0] for c in CASES])
def test_distinct_values_give_what_every_row_gives(suite_name, make, parameters):
    fast = run_suite(make(), suite_name, parameters)
    whole = _run_suite_whole_frame(make(), suite_name, parameters)
    assert len(fast.quarantined) >= 8  # the cases do fail, several of them more than once
    assert fast.quarantined["reason"].str.contains("; ").any()
    pd.testing.assert_frame_equal(fast.valid, whole.valid)
    pd.testing.assert_frame_equal(fast.quarantined, whole.quarantined)
    assert fast.expectations_run == whole.expectations_run == len(load_suite(suite_name)["expectations"])
    assert page(fast.data_docs) == page(whole.data_docs)


def comparable(value):
    """A value of a GX result with NaN / NaT comparable and numpy scalars as Python's."""
    if isinstance(value, dict):
        return {k: comparable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [comparable(v) for v in value]
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "<null>"
    return value.item() if isinstance(value, np.generic) else value


@pytest.mark.parametrize("suite_name,make,parameters", CASES, ids=[c[0] for c in CASES])
def test_each_result_counts_rows_not_distinct_values(suite_name, make, parameters):
    suite = load_suite(suite_name)
    frame = make()
    key = validate.unique_key(suite)
    frame, _ = validate.split_duplicates(frame, key)
    fast = validate._validate_by_distinct_values(frame, suite, parameters)
    whole = validate._gx_validate(
        validate._gx_batch_definition(suite_name),
        validate._with_row_numbers(frame),
        suite,
        suite["expectations"],
        parameters,
    )
    assert [o.expectation_config.kwargs for o in fast.results] == [o.expectation_config.kwargs for o in whole.results]
    assert fast.statistics == whole.statistics and fast.success == whole.success
    for ours, theirs in zip(fast.results, whole.results, strict=True):
        assert ours.success == theirs.success
        assert comparable(ours.result) == comparable(theirs.result), ours.expectation_config


def test_the_same_failing_combination_on_23_rows_counts_23():
    result = validate._validate_by_distinct_values(
        validate.split_duplicates(air_records(), ["station_code", "hour_end", "pollutant"])[0],
        load_suite("air_hourly"),
        AIR_PARAMETERS,
    )
    negative = next(o for o in result.results if o.expectation_config.meta["reason"] == "negative value")
    assert negative.result["unexpected_count"] == 2 + 23  # -1.0 and -2.0 once, -5.0 on 23 rows; -0.0 passes
    assert {"value": -5.0, "count": 23} in negative.result["partial_unexpected_counts"]


def test_what_is_evaluated_on_distinct_values():
    columns = ["station_code", "pollutant", "value", "unit"]
    between = {"type": "expect_column_values_to_be_between", "kwargs": {"column": "value", "max_value": 1}}
    assert columns_read(between, columns) == ("value",)
    conditioned = {**between, "kwargs": {**between["kwargs"], "row_condition": 'pollutant == "co"',
                                         "condition_parser": "pandas"}}  # fmt: skip
    assert columns_read(conditioned, columns) == ("pollutant", "value")
    mostly = {**between, "kwargs": {**between["kwargs"], "mostly": 0.9}}  # a share of rows: not row-local
    assert columns_read(mostly, columns) is None
    local = {**between, "kwargs": {**conditioned["kwargs"], "row_condition": "value > @limit"}}
    assert columns_read(local, columns) is None
    unknown = {**between, "kwargs": {**conditioned["kwargs"], "row_condition": "flag == 1"}}
    assert columns_read(unknown, columns) is None
    unique = {"type": "expect_compound_columns_to_be_unique", "kwargs": {"column_list": ["station_code", "value"]}}
    assert columns_read(unique, columns) is None


def test_distinct_rows_keep_nulls_and_python_types_apart():
    frame = pd.DataFrame({"code": pd.Series(["A", None, np.nan, 1, 1.0, True, "A", None], dtype=object),
                          "value": [1.0, np.nan, np.nan, 2.0, 2.0, 2.0, 1.0, np.nan]})  # fmt: skip
    distinct, codes, counts = distinct_rows(frame, ("code", "value"))
    assert len(distinct) == 6 and counts.sum() == len(frame)
    assert [type(v).__name__ for v in distinct["code"]] == ["str", "NoneType", "float", "int", "float", "bool"]
    assert codes[0] == codes[6] and codes[1] == codes[7] and len({codes[3], codes[4], codes[5]}) == 3
    assert distinct["gx_row"].tolist() == list(range(6))
