"""The nightly job end to end on the embedded warehouse: idempotent days, quarantine, refusals."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from pipeline.jobs.air import landing_files, run_day
from pipeline.runs import day_for_run
from tests.conftest import SAMPLE_AIR

DAY = dt.date(2019, 2, 10)
TABLES = ["station", "ingest_batch", "quarantine", "air_hourly", "air_station_day", "air_city_day", "indicator"]


def dump(engine, tables=TABLES) -> dict[str, pd.DataFrame]:
    """Every table, sorted; batch timings (the last run's clock) left out."""
    out = {}
    with engine.connect() as conn:
        for table in tables:
            frame = pd.read_sql(sa.text(f"SELECT * FROM {table}"), conn)
            frame = frame.drop(columns=[c for c in ("started_at", "finished_at") if c in frame])
            out[table] = frame.sort_values(list(frame.columns)).reset_index(drop=True)
    return out


def count(engine, sql: str) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text(sql)).scalar_one()


@pytest.fixture
def landing(tmp_path):
    folder = tmp_path / "landing"
    shutil.copytree(SAMPLE_AIR, folder)
    return folder


def test_day_for_run_is_the_previous_local_day():
    assert day_for_run(dt.datetime(2019, 2, 10, 17, 30, tzinfo=dt.UTC)) == DAY  # 01:30 +08 on 02-11
    assert day_for_run(dt.datetime(2019, 2, 10, 15, 59, tzinfo=dt.UTC)) == dt.date(2019, 2, 9)


def test_landing_files_take_the_next_days_national_file_too(landing):
    assert [f.name for f in landing_files(landing, DAY)] == ["china_sites_20190210.csv", "china_sites_20190211.csv"]


def test_run_loads_the_day_and_is_idempotent(warehouse, landing, tmp_path):
    first = run_day(warehouse, landing, DAY, tmp_path / "staging")
    assert first["rows_read"] == first["rows_loaded"] + first["rows_quarantined"]
    assert count(warehouse, "SELECT COUNT(*) FROM air_hourly") == first["rows_loaded"]
    assert count(warehouse, "SELECT MIN(hour_end) FROM air_hourly").startswith("2019-02-10 01:00")
    assert count(warehouse, "SELECT MAX(hour_end) FROM air_hourly").startswith("2019-02-11 00:00")
    assert count(warehouse, "SELECT COUNT(*) FROM air_station_day") == 3
    assert count(warehouse, "SELECT aqi FROM air_city_day WHERE city = '衢州'") == 26
    before = dump(warehouse)
    run_day(warehouse, landing, DAY, tmp_path / "staging")
    after = dump(warehouse)
    for table in TABLES:
        pd.testing.assert_frame_equal(before[table], after[table], obj=table)


def test_bad_rows_are_quarantined_with_reasons_and_good_rows_load(warehouse, landing, tmp_path):
    wide = landing / "china_sites_20190210.csv"
    lines = wide.read_text().splitlines()
    lines[0] += ",1264A,9999X"  # a second 1264A column (duplicate hours) and an unknown station
    for i in range(1, len(lines)):
        lines[i] += ",1,2"
    row = lines[20].split(",")  # hour 1, a value of 1266A
    row[5] = "-5"
    lines[20] = ",".join(row)
    row = lines[21].split(",")
    row[5] = "n/a"
    lines[21] = ",".join(row)
    wide.write_text("\r\n".join(lines) + "\r\n")
    result = run_day(warehouse, landing, DAY, tmp_path / "staging")
    assert result["rows_read"] == result["rows_loaded"] + result["rows_quarantined"]
    with warehouse.connect() as conn:
        reasons = pd.read_sql(sa.text("SELECT reason, COUNT(*) AS n FROM quarantine GROUP BY reason"), conn).set_index(
            "reason"
        )["n"]
        batch = pd.read_sql(sa.text("SELECT * FROM ingest_batch"), conn).iloc[0]
    assert reasons["negative value"] == 1
    assert reasons["value missing or not a number"] == 1
    assert reasons["unknown station (not in the station registry)"] == 23 * 15  # hours 1-23, 15 types
    original = pd.read_csv(SAMPLE_AIR / "china_sites_20190210.csv", dtype=str)
    values = original.loc[original["hour"] != "0", "1264A"].dropna()  # hours 1-23
    same = int((values.str.strip() == "1").sum())  # the second column's "1" equals the real value: kept once
    assert reasons["conflicting duplicate (same key, different values)"] == 2 * (len(values) - same)
    assert reasons.filter(like="duplicate of row").sum() == same
    assert batch["rows_quarantined"] == reasons.sum() == result["rows_quarantined"]
    assert count(warehouse, "SELECT COUNT(*) FROM air_hourly WHERE station_code = '1265A'") > 300  # good rows loaded


def test_a_truncated_file_loads_its_complete_lines_and_quarantines_the_cut_one(warehouse, landing, tmp_path):
    data = (landing / "china_sites_20190210.csv").read_bytes()
    (landing / "china_sites_20190210.csv").write_bytes(data[: len(data) - 40])  # the last line cut mid-row
    result = run_day(warehouse, landing, DAY, tmp_path / "staging")
    with warehouse.connect() as conn:
        (reason, raw) = conn.execute(sa.text("SELECT reason, raw_record FROM quarantine")).one()
        batch = conn.execute(sa.text("SELECT rows_read, rows_loaded, rows_quarantined FROM ingest_batch")).one()
    assert "cut off mid-row" in reason and raw.startswith("20190210,23,")
    assert tuple(batch) == (result["rows_read"], result["rows_loaded"], 1)
    assert batch[0] == batch[1] + batch[2]
    # 40 bytes off the end: the CO_24h line is gone, the CO line cut; every complete line of hour 23 loaded.
    assert raw.startswith("20190210,23,CO,")
    hours_23 = count(
        warehouse, "SELECT COUNT(DISTINCT pollutant) FROM air_hourly WHERE hour_end = '2019-02-10 23:00:00'"
    )
    assert hours_23 == 13 and any("cut off mid-row" in w for w in result["warnings"])


def null_half_way(monkeypatch, column: str) -> None:
    """Make the nightly load's reading in the middle of the day NULL in ``column``: a NOT NULL
    violation half way through the bulk insert (or COPY)."""
    import dataclasses

    from pipeline.jobs import air

    original = air.AIR_HOURLY.frame

    def half_then_fail(batch_id, valid):
        frame = original(batch_id, valid)
        frame.loc[len(frame) // 2, column] = None
        return frame

    monkeypatch.setattr(air, "AIR_HOURLY", dataclasses.replace(air.AIR_HOURLY, frame=half_then_fail))


def test_failure_inside_the_load_rolls_the_whole_day_back(warehouse, landing, tmp_path, monkeypatch):
    null_half_way(monkeypatch, "station_code")
    with pytest.raises(sa.exc.IntegrityError):
        run_day(warehouse, landing, DAY, tmp_path / "staging")
    assert count(warehouse, "SELECT COUNT(*) FROM air_hourly") == 0
    assert count(warehouse, "SELECT COUNT(*) FROM ingest_batch") == 0


def test_missing_landing_files_is_a_clear_error(warehouse, tmp_path):
    with pytest.raises(FileNotFoundError, match="no air files for 2019-02-10"):
        run_day(warehouse, tmp_path, DAY, tmp_path / "staging")


def test_indicators_compare_with_the_plan(warehouse, landing, tmp_path):
    run_day(warehouse, landing, DAY, tmp_path / "staging")
    with warehouse.connect() as conn:
        rows = pd.read_sql(sa.text("SELECT * FROM indicator WHERE scope = '衢州'"), conn).set_index(
            ["indicator", "period"]
        )
    ratio = rows.loc[("air.good_day_ratio", "2019-02")]
    assert ratio["value"] == 100.0 and ratio["target"] == 95.0 and ratio["comparator"] == ">"
    # One day of February is the month so far: on track (100 % > 95 %), never "met" (issue 24).
    assert ratio["status"] == "on_track" and not ratio["data_complete"] and ratio["coverage"] == "ytd"
    assert (ratio["first_day"], ratio["last_day"], ratio["n_valid"], ratio["n_expected"]) == (
        "2019-02-10",
        "2019-02-10",
        1,
        28,
    )
    assert ratio["edition"] == "HJ 633-2012 · GB 3095-2012 二级 Grade II · HJ 663-2013"
    assert rows.loc[("air.annual.pm25", "2019"), "target"] == 35.0


def test_a_row_of_another_date_in_a_national_file_is_quarantined_not_skipped(warehouse, landing, tmp_path):
    wide = landing / "china_sites_20190210.csv"
    lines = wide.read_text().splitlines()
    lines[30] = lines[30].replace("20190210", "20190310", 1)  # one type row of hour 1 now says March
    wide.write_text("\r\n".join(lines) + "\r\n")
    result = run_day(warehouse, landing, DAY, tmp_path / "staging")
    with warehouse.connect() as conn:
        reasons = pd.read_sql(sa.text("SELECT reason FROM quarantine"), conn)["reason"]
    assert len(reasons) == 3 and set(reasons) == {"time outside the run's day (hour-ending window)"}
    assert result["rows_other_days"] == 1056  # unchanged: only hour 0 of D's file and 1-23 of D+1's


def test_a_corrected_file_replaces_the_days_batch_and_its_quarantine(warehouse, landing, tmp_path):
    wide = landing / "china_sites_20190210.csv"
    original = wide.read_text()
    lines = original.splitlines()
    row = lines[20].split(",")
    row[5] = "-5"
    lines[20] = ",".join(row)
    wide.write_text("\r\n".join(lines) + "\r\n")
    run_day(warehouse, landing, DAY, tmp_path / "staging")
    assert count(warehouse, "SELECT COUNT(*) FROM quarantine") == 1
    wide.write_text(original)  # the corrected file
    run_day(warehouse, landing, DAY, tmp_path / "staging")
    assert count(warehouse, "SELECT COUNT(*) FROM quarantine") == 0
    assert count(warehouse, "SELECT COUNT(*) FROM ingest_batch") == 1


def test_missing_next_day_file_is_warned(warehouse, landing, tmp_path):
    (landing / "china_sites_20190211.csv").unlink()
    result = run_day(warehouse, landing, DAY, tmp_path / "staging")
    assert any("24:00 is missing" in w for w in result["warnings"])
    assert count(warehouse, "SELECT MAX(hour_end) FROM air_hourly").startswith("2019-02-10 23:00")


def test_a_corrected_file_replaces_the_day_and_the_change_is_audited(warehouse, landing, tmp_path):
    """The platform republishes 2019-02-10 with one value corrected and one removed: the re-run stores
    the new values and reading_change says what changed, from which batch to which; running the
    corrected files again changes nothing more."""
    run_day(warehouse, landing, DAY, tmp_path / "s")
    path = landing / "china_sites_20190210.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines[17].startswith("20190210,1,PM2.5,")  # hour 1: the second block of 15 type rows
    old_pm25 = lines[17].rstrip("\n").split(",")
    lines[17] = ",".join([*old_pm25[:3], "99", *old_pm25[4:]]) + "\n"  # 1264A corrected to 99
    old_so2 = lines[21].rstrip("\n").split(",")
    assert old_so2[2] == "SO2"
    lines[21] = ",".join([*old_so2[:4], "", *old_so2[5:]]) + "\n"  # 1265A's SO2 withdrawn
    path.write_text("".join(lines), encoding="utf-8")
    run_day(warehouse, landing, DAY, tmp_path / "s")
    with warehouse.connect() as conn:
        changes = pd.read_sql(sa.text("SELECT * FROM reading_change ORDER BY reading_key"), conn)
        changes = changes.astype(object).where(changes.notna(), None)
        stored = conn.execute(
            sa.text(
                "SELECT value FROM air_hourly WHERE station_code = '1264A' AND pollutant = 'pm25' "
                "AND hour_end = '2019-02-10 01:00:00'"
            )  # fmt: skip
        ).scalar_one()
    assert stored == 99.0
    assert changes[["reading_key", "change", "old_value", "new_value"]].to_dict("records") == [
        {"reading_key": "station_code=1264A;hour_end=2019-02-10 01:00:00;pollutant=pm25", "change": "changed",
         "old_value": float(old_pm25[3]), "new_value": 99.0},
        {"reading_key": "station_code=1265A;hour_end=2019-02-10 01:00:00;pollutant=so2", "change": "removed",
         "old_value": float(old_so2[4]), "new_value": None},
    ]  # fmt: skip
    assert set(changes["dataset"]) == {"air_hourly"} and set(changes["window_label"]) == {"2019-02-10"}
    assert (changes["old_batch_id"] != changes["new_batch_id"]).all()
    run_day(warehouse, landing, DAY, tmp_path / "s")  # the corrected files again: no new audit rows
    assert count(warehouse, "SELECT COUNT(*) FROM reading_change") == 2


def test_validation_fanned_out_over_station_groups_gives_the_same_day(warehouse, landing, tmp_path):
    """What the DAG's mapped tasks do (split by station group, validate each, merge) ends with the same
    valid and quarantined records, in the same order, as validating the day at once; no record lost."""
    from pipeline import fanout
    from pipeline.jobs import air

    (landing / "china_sites_20190210.csv").write_text(
        (landing / "china_sites_20190210.csv")
        .read_text(encoding="utf-8")
        .replace("20190210,5,PM2.5,", "20190210,5,PM2.5,-", 1),
        encoding="utf-8",
    )  # one negative value, to be quarantined
    whole = air.validate(warehouse, air.ingest(landing, DAY, tmp_path / "whole"))
    staged = air.ingest(landing, DAY, tmp_path / "groups")
    groups = air.station_groups(staged, 4)
    assert [g["shard"] for g in groups] == [0, 1, 2, 3] and sum(g["shard_rows"] for g in groups) == staged["rows_read"]
    assert sorted(g["shard_rows"] > 0 for g in groups) == [False, True, True, True]  # 3 stations, 4 groups
    merged = fanout.join([air.validate(warehouse, g) for g in reversed(groups)])
    assert merged["rows_valid"] == whole["rows_valid"] and merged["rows_quarantined"] == whole["rows_quarantined"] == 1
    for name in ("valid.pkl", "quarantined.pkl"):
        grouped, at_once = (pd.read_pickle(Path(v["staging"]) / name).reset_index(drop=True) for v in (merged, whole))
        pd.testing.assert_frame_equal(grouped, at_once, obj=name, check_dtype=False)
    # A station's group does not depend on the process (Python's own string hash would).
    import subprocess
    import sys

    code = "import pandas as pd; from pipeline.fanout import group_of; print(group_of(pd.Series(['1264A', '1265A', '1266A']), 4).tolist())"
    seen = {subprocess.run([sys.executable, "-c", code], env={**__import__("os").environ, "PYTHONHASHSEED": seed},
                           capture_output=True, text=True, check=True).stdout for seed in ("1", "2")}  # fmt: skip
    assert seen == {"[2, 3, 0]\n"}
    with pytest.raises(ValueError, match="missing"):
        fanout.join([air.validate(warehouse, groups[0])])


def test_staging_is_removed_once_the_day_is_loaded_and_kept_when_the_load_fails(
    warehouse, landing, tmp_path, monkeypatch
):
    from pipeline.jobs import air

    staging = tmp_path / "staging"
    run_day(warehouse, landing, DAY, staging)
    assert not (staging / "air_hourly" / DAY.isoformat()).exists()

    def broken(*args, **kwargs):
        raise RuntimeError("the warehouse went away")

    monkeypatch.setattr(air, "load_batches", broken)
    with pytest.raises(RuntimeError, match="went away"):
        run_day(warehouse, landing, DAY, staging)
    kept = staging / "air_hourly" / DAY.isoformat()
    assert {p.name for p in kept.iterdir()} >= {"records.pkl", "valid.pkl", "quarantined.pkl"}  # for the retry
    monkeypatch.undo()
    validated = {**air.validate(warehouse, air.ingest(landing, DAY, staging))}
    air.load(warehouse, validated, keep_staging=True)
    assert kept.exists()
