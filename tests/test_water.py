"""The water jobs on the embedded warehouse: the sample month, bad input, idempotence, the CLI."""

from __future__ import annotations

import datetime as dt
import shutil

import pandas as pd
import pytest
import sqlalchemy as sa

from pipeline.cli import main
from pipeline.jobs import water
from pipeline.runs import month_for_run
from pipeline.windows import day_window, month_window
from tests.conftest import REPO
from tests.test_nightly import TABLES, dump

SAMPLE = REPO / "data" / "sample" / "water"
JULY = month_window(2019, 7)
WATER_TABLES = [
    *TABLES,
    "water_section",
    "water_sample",
    "water_sample_class",
    "water_section_period",
    "water_river_status",
]


@pytest.fixture
def landing(tmp_path):
    folder = tmp_path / "water"
    shutil.copytree(SAMPLE, folder)
    return folder


def rows(engine, query: str) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.read_sql(sa.text(query), conn)


def test_month_window_and_run_months():
    assert (JULY.first, JULY.last) == (pd.Timestamp("2019-07-01"), pd.Timestamp("2019-07-31 23:59:59"))
    assert month_for_run(dt.datetime(2019, 7, 31, 19, 0, tzinfo=dt.UTC)) == (2019, 7)  # 08-01 03:00 +08


def test_sample_month_gives_the_plan_rates(warehouse, landing, tmp_path):
    result = water.run_period(warehouse, landing, "manual", JULY, tmp_path / "staging")
    assert result["rows_read"] == result["rows_loaded"] == 498 and result["rows_quarantined"] == 0
    rates = rows(warehouse, "SELECT * FROM indicator WHERE period = '2019-07'").set_index("indicator")
    assert rates.loc["water.qiantang_compliance", ["value", "target", "status"]].tolist() == [83.3, 90.0, "missed"]
    assert rates.loc["water.drinking_county_sections", ["value", "status"]].tolist() == [100.0, "met"]
    assert rates.loc["water.drinking_township_samples", ["value", "target", "status"]].tolist() == [75.0, 75.0, "met"]
    section = rows(
        warehouse, "SELECT * FROM water_section_period WHERE section_code = 'QZW05' AND period = '2019-07'"
    ).iloc[0]
    assert section["water_class_name"] == "IV" and section["limiting_items"] == "nh3n" and not section["meets_target"]
    status = rows(warehouse, "SELECT * FROM water_river_status WHERE period = '2019-07'").set_index("river_zh")
    assert status.loc["钱塘江干流(衢州段)", "status_zh"] == "良好"  # 5 of 6 sections in I-III


def test_non_detects_enter_means_at_half_the_detection_limit(warehouse, landing, tmp_path):
    water.run_period(warehouse, landing, "manual", JULY, tmp_path / "staging")
    means = rows(
        warehouse, "SELECT means FROM water_section_period WHERE section_code = 'QZW01' AND period = '2019-07'"
    )
    assert "hg=2e-05" in means.iloc[0]["means"]  # 0.00004L -> 0.00002


def test_rerun_is_idempotent(warehouse, landing, tmp_path):
    water.run_period(warehouse, landing, "manual", JULY, tmp_path / "staging")
    before = dump(warehouse, WATER_TABLES)
    water.run_period(warehouse, landing, "manual", JULY, tmp_path / "staging")
    after = dump(warehouse, WATER_TABLES)
    for table in WATER_TABLES:
        pd.testing.assert_frame_equal(before[table], after[table], obj=table)


def test_a_corrected_lab_file_replaces_the_month_and_is_audited(warehouse, landing, tmp_path):
    """The lab re-issues July with one value corrected: the re-run replaces the month's samples, and
    reading_change records the one value that changed (old and new, both batches)."""
    water.run_period(warehouse, landing, "manual", JULY, tmp_path / "staging")
    path = landing / "water_manual_2019-07.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("QZW01,2019-07-03,7.20,8.3,", "QZW01,2019-07-03,7.20,6.1,", 1),
                    encoding="utf-8")  # fmt: skip
    water.run_period(warehouse, landing, "manual", JULY, tmp_path / "staging")
    changes = rows(warehouse, "SELECT * FROM reading_change")
    assert changes[["dataset", "window_label", "change", "old_value", "new_value"]].to_dict("records") == [
        {"dataset": "water_manual", "window_label": "2019-07", "change": "changed", "old_value": 8.3, "new_value": 6.1}
    ]
    assert changes.loc[0, "reading_key"] == "section_code=QZW01;sampled_at=2019-07-03 00:00:00;item=do"
    stored = rows(warehouse, "SELECT value FROM water_sample WHERE section_code = 'QZW01' AND item = 'do'")
    assert stored["value"].tolist() == [6.1]


def test_bad_input_is_quarantined_with_reasons(warehouse, landing, tmp_path):
    (landing / "water_manual_2019-07.csv").unlink()
    (landing / "lab_2019-07.csv").write_text(
        "section_code,sample_date,item,value,unit\n"
        "QZW01,2019-07-03,do,7.1,mg/L\n"
        "QZW99,2019-07-03,do,7.0,mg/L\n"  # unknown section
        "QZW01,2019-07-03,nh3n,abc,mg/L\n"  # not a number
        "QZW01,2019-07-03,hg,0.5,mg/L\n"  # a µg/L value sent as mg/L
        "QZW01,2019-07-03,pb,3,ppm\n"  # a unit that is not converted
        "QZW02,2019-07-04,tp,0.05,mg/L\n"
        "QZW02,2019-07-04,tp,0.06,mg/L\n"  # a conflicting duplicate sample
        "QZW02,2019-08-04,tp,0.06,mg/L\n",  # outside the month
        encoding="utf-8",
    )
    result = water.run_period(warehouse, landing, "manual", JULY, tmp_path / "staging")
    assert result["rows_read"] == 8 == result["rows_loaded"] + result["rows_quarantined"]
    quarantine = rows(warehouse, "SELECT source_row, reason FROM quarantine ORDER BY source_row").set_index(
        "source_row"
    )["reason"]
    assert "unknown section" in quarantine[3]
    assert "value not a number" in quarantine[4]
    assert "implausible value for hg" in quarantine[5] and "µg/L" in quarantine[5]
    assert "unit not accepted" in quarantine[6]
    assert "conflicting duplicate" in quarantine[7] and "conflicting duplicate" in quarantine[8]
    assert "outside the run's period" in quarantine[9]
    assert rows(warehouse, "SELECT COUNT(*) AS n FROM water_sample").iloc[0]["n"] == 1


def test_auto_day_takes_its_day_and_leaves_the_rest(warehouse, landing, tmp_path):
    result = water.run_period(warehouse, landing, "auto", day_window(dt.date(2019, 7, 1)), tmp_path / "staging")
    assert result["rows_loaded"] == 3 * 6 * 9 and result["rows_other_days"] == 3 * 6 * 9 * 30
    days = rows(warehouse, "SELECT * FROM water_section_period WHERE kind = 'auto'")
    assert sorted(days["section_code"]) == ["QZW01", "QZW04", "QZW11"] and set(days["period"]) == {"2019-07-01"}


def test_water_class_cli(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text(
        "name,waterbody,target_class,do,nh3n,tp,hg\nA,river,III,6.5,1.2,0.1,0.00004L\nB,lake,II,8,0.1,0.03,\nC,river,,8,0.1,0.03,\n"
    )
    out = tmp_path / "out.csv"
    assert main(["water-class", str(source), "-o", str(out)]) == 0
    result = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert result[["water_class", "limiting_items", "meets_target"]].values.tolist() == [
        ["IV", "nh3n", "false"], ["III", "tp", "false"], ["II", "tp", ""],
    ]  # fmt: skip


def test_ingest_water_cli(tmp_path, monkeypatch):
    monkeypatch.setenv("QZ811_DB_URL", f"sqlite:///{tmp_path / 'wh.db'}")
    assert main(["init-db"]) == 0
    assert main(["ingest", "water", str(SAMPLE / "water_manual_2019-07.csv")]) == 0
    from pipeline.store.engine import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'wh.db'}")
    assert rows(engine, "SELECT COUNT(*) AS n FROM water_sample").iloc[0]["n"] == 498
    assert rows(engine, "SELECT COUNT(*) AS n FROM indicator WHERE indicator LIKE 'water.%'").iloc[0]["n"] == 12
