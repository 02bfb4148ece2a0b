"""The pollution-source job on the embedded warehouse: sample days, quarantine, idempotence, the CLI,
and the real Kahsolt sensor series loading as one outlet."""

from __future__ import annotations

import datetime as dt
import re
import shutil

import pandas as pd
import pytest

from pipeline.cli import main
from pipeline.ingest.sources import single_parameter_export
from pipeline.jobs.sources import run_day
from tests.conftest import REPO, SHARED
from tests.test_nightly import TABLES, dump
from tests.test_water import rows

SAMPLE = REPO / "data" / "sample" / "sources"
SOURCE_TABLES = [*TABLES, "source_outlet", "source_limit", "source_cap", "source_reading", "source_outlet_day"]
KAHSOLT = SHARED / "data" / "source_online_monitoring_kahsolt" / "monitor_hourly_2021-01-02_to_2021-01-28.csv"


@pytest.fixture
def landing(tmp_path):
    folder = tmp_path / "sources"
    folder.mkdir()
    for name in ("hj212_platform_2019-07.log", "wastewater_export_2019-07.csv"):
        shutil.copy(SAMPLE / name, folder / name)
    return folder


def test_first_day_quarantines_the_bad_messages_once(warehouse, landing, tmp_path):
    first = run_day(warehouse, landing, dt.date(2019, 7, 1), tmp_path / "s")
    assert first["rows_read"] == first["rows_loaded"] + first["rows_quarantined"]
    reasons = rows(warehouse, "SELECT reason FROM quarantine")["reason"]
    assert any("CRC mismatch" in r for r in reasons) and any("CN 2011" in r for r in reasons)
    assert any("in the future" in r for r in reasons)  # DataTime 2099
    second = run_day(warehouse, landing, dt.date(2019, 7, 2), tmp_path / "s")
    assert second["rows_quarantined"] == 0  # not quarantined again on the next day


def test_exceedance_day_and_stopped_day(warehouse, landing, tmp_path):
    for day in (dt.date(2019, 7, 12), dt.date(2019, 7, 20)):
        run_day(warehouse, landing, day, tmp_path / "s")
    days = rows(warehouse, "SELECT * FROM source_outlet_day WHERE outlet_code = 'QZS01'").set_index(
        ["date", "pollutant"]
    )
    so2 = days.loc[("2019-07-12", "so2")]
    assert so2["exceed_hours"] == 3 and so2["exceeded"] and not so2["compliant"] and so2["max_hour"] > 200
    stopped = days.loc[("2019-07-20", "so2")]
    assert stopped["flags"] == "F=24" and pd.isna(stopped["compliant"])
    rate = rows(
        warehouse, "SELECT * FROM indicator WHERE indicator = 'sources.key_compliance' AND period = '2019-07'"
    ).iloc[0]
    # Two days of July are the month so far (not every key outlet's month): at risk, never "missed" (issue 24).
    assert (
        rate["status"] == "at_risk" and rate["coverage"] == "ytd" and rate["detail"].endswith("source-days compliant")
    )


def test_rerun_of_a_day_is_idempotent(warehouse, landing, tmp_path):
    run_day(warehouse, landing, dt.date(2019, 7, 12), tmp_path / "s")
    before = dump(warehouse, SOURCE_TABLES)
    run_day(warehouse, landing, dt.date(2019, 7, 12), tmp_path / "s")
    after = dump(warehouse, SOURCE_TABLES)
    for table in SOURCE_TABLES:
        pd.testing.assert_frame_equal(before[table], after[table], obj=table)


def test_bad_export_rows_are_quarantined_with_reasons(warehouse, tmp_path):
    folder = tmp_path / "landing"
    folder.mkdir()
    (folder / "export_2019-07.csv").write_text(
        "enterprise,outlet,hour,pollutant,concentration,o2,flow,flag\n"
        "x,QZS03,2019-07-05 10:00,cod,20,,2000,N\n"
        "x,QZS99,2019-07-05 10:00,cod,20,,2000,N\n"  # unknown outlet
        "x,QZS03,2019-07-05 11:00,cod,abc,,,N\n"  # not a number
        "x,QZS03,2019-07-05 12:00,cod,-4,,,N\n"  # negative
        "x,QZS03,2019-07-05 13:00,cod,20,,,X\n",  # not an HJ 212 flag
        encoding="utf-8",
    )
    result = run_day(warehouse, folder, dt.date(2019, 7, 5), tmp_path / "s")
    assert result["rows_read"] == 7 == result["rows_loaded"] + result["rows_quarantined"]  # flows of rows 2-3 count too
    reasons = (
        rows(warehouse, "SELECT source_row, reason FROM quarantine").groupby("source_row")["reason"].apply("; ".join)
    )
    assert "unknown outlet" in reasons[3] and "not a number" in reasons[4]
    assert "negative value" in reasons[5] and "not an HJ 212-2017 data flag" in reasons[6]


def test_cli_ingest_and_report(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("QZ811_DB_URL", f"sqlite:///{tmp_path / 'wh.db'}")
    assert main(["init-db"]) == 0
    assert (
        main(
            [
                "ingest",
                "sources",
                str(SAMPLE / "hj212_platform_2019-07.log"),
                str(SAMPLE / "wastewater_export_2019-07.csv"),
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["sources", "--year", "2019"]) == 0
    report = capsys.readouterr().out
    assert re.search(r"2019-07-12\s+QZS01\s+so2", report) and re.search(r"2019-07-18\s+QZS03\s+nh3n", report)
    assert "二氧化硫排放总量" in report and "重点污染源稳定达标比例" in report


def test_bundled_kahsolt_series_is_the_shared_file_converted():
    if not KAHSOLT.exists():
        pytest.skip("../shared/data/source_online_monitoring_kahsolt is not beside this checkout")
    bundled = pd.read_csv(SAMPLE / "kahsolt_QZS04_2021-01.csv", dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(single_parameter_export(KAHSOLT, "QZS04", "nh3n"), bundled)


def test_real_series_loads_as_one_outlet(warehouse, tmp_path):
    folder = tmp_path / "landing"
    folder.mkdir()
    shutil.copy(SAMPLE / "kahsolt_QZS04_2021-01.csv", folder)
    result = run_day(warehouse, folder, dt.date(2021, 1, 6), tmp_path / "s")
    assert result["rows_loaded"] == 24
    day = rows(warehouse, "SELECT * FROM source_outlet_day WHERE outlet_code = 'QZS04'").iloc[0]
    assert day["valid_hours"] == 24 and day["compliant"]
